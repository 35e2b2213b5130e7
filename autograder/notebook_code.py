"""The definitions of a notebook, without its experiments.

Grading a notebook must not run its top-level work (training loops, plots), so
only imports, function and class definitions, and constant assignments
(``UPPER_CASE = ...``) of its code cells are kept, in order. IPython magics and
shell lines are dropped; a cell that is not valid Python is skipped whole.
"""
import ast
import json

KEPT = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class NotebookError(ValueError):
    """The file is not a readable notebook."""


def _is_constant(node):
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    return isinstance(node, (ast.Assign, ast.AnnAssign)) and all(
        isinstance(target, ast.Name) and target.id.isupper() for target in targets
    )


def code_cells(path):
    """The source of each code cell of the notebook at ``path``."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = notebook["cells"]
        sources = [cell.get("source", "") for cell in cells if cell.get("cell_type") == "code"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        raise NotebookError(f"{path.name} is not a readable Jupyter notebook") from None
    return ["".join(source) if isinstance(source, list) else str(source) for source in sources]


def extract_definitions(path):
    """Python source with the notebook's definitions only."""
    kept = []
    for source in code_cells(path):
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            continue
        kept += [ast.get_source_segment("\n".join(lines), node) for node in tree.body
                 if isinstance(node, KEPT) or _is_constant(node)]
    return "\n\n\n".join(kept) + "\n"
