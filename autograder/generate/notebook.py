"""Rendering an assignment's notebooks: the solution notebook for nbgrader, and the student's.

Two sources, nothing written twice:

- the solution module, split into one code cell per top-level definition
  (:func:`module_cells`; an import block or a run of constants is one cell);
- ``solutions/<folder>/lesson.md``, the narrative and the experiments, in
  Markdown (:func:`parse_lesson`):

  - text becomes Markdown cells (a new cell at each heading);
  - a fenced block tagged ``python`` becomes a code cell (an experiment); other
    fences stay in the Markdown;
  - ``<!-- code: NAME -->`` on a line of its own places the module's cell that
    defines ``NAME`` (``imports`` for the import block); every cell of the
    module must be placed exactly once;
  - ``<!-- check -->`` places the cell that runs the public tests on the
    notebook's code (exactly once).

The grading cells are appended: one autograded cell for the public tests and
one for the hidden tests, worth what ``grading.toml`` gives those tests; each
runs the kit's own tests on the notebook's code and outputs the points earned
(nbgrader's partial credit), so ``nbgrader autograde`` and ``autograder grade``
agree.

The solution notebook carries nbgrader's cell metadata: a solution cell per
definition with a graded body, a locked cell per given definition and for the
check, and the two autograded cells (the hidden one inside nbgrader's hidden
tests markers). The student notebook is the same with each solution region
replaced by the stub of the student's module (:func:`render_region_stub`) and
the hidden tests removed, as ``nbgrader generate_assignment`` would (but with
the kit's stubs, which say what to write).
"""
import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

from autograder.kit.config import load_points
from autograder.generate.module import render_stub_module
from autograder.generate.source import BEGIN_SOLUTION, END_SOLUTION, SolutionSource
from autograder.submissions.locate import METADATA_KEY, stub_digest

LESSON_FILE = "lesson.md"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
NBGRADER_WORDS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
_DIRECTIVE = re.compile(r"^<!--\s*(?P<kind>code|check)\s*(?::\s*(?P<name>\w+))?\s*-->\s*$")

CHECK_CELL = """\
# Check your work: the public tests, run on the code above as you last ran it.
from autograder import check_notebook
check_notebook("{folder}");
"""
GRADING_MARKDOWN = """\
## Grading

The two cells below are graded by nbgrader's `nbgrader autograde` (your instructor may grade with \
the kit's `autograder grade` instead: the score is the same). They run the kit's tests on the \
code above, in a separate process, and show the points each test earned: the public tests are \
the ones the check cell runs; the hidden tests compare your functions with the reference on \
inputs you have not seen, and run only at grading.
"""
PUBLIC_CELL = """\
# Autograded: the public tests, {points:g} points.
from autograder.notebook.kernel import autograded_tests
autograded_tests("{folder}", "public")
"""
HIDDEN_CELL = """\
# Autograded: the hidden tests, {points:g} points; they run here at grading.
{begin}
from autograder.notebook.kernel import autograded_tests
autograded_tests("{folder}", "hidden")
{end}
"""


@dataclass(frozen=True)
class ModuleCell:
    """One top-level definition of a solution module (or an import block, or a run of constants)."""

    names: tuple
    text: str

    @property
    def is_graded(self):
        return BEGIN_SOLUTION in self.text

    def student_text(self, path):
        """The cell as the student gets it: each solution region replaced by its stub."""
        return render_stub_module(SolutionSource.parse(self.text, path))


def _names(node):
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    return [target.id for target in targets if isinstance(target, ast.Name)]


def module_cells(text, path="module.py"):
    """Split a solution module into :class:`ModuleCell` s, in order; its docstring is left out.

    A cell starts at its first statement, with the comment lines right above it;
    it ends where the next one starts.
    """
    tree = ast.parse(text, filename=str(path))
    body = tree.body[1:] if ast.get_docstring(tree) is not None else tree.body
    groups = []
    for node in body:
        kind = "imports" if isinstance(node, (ast.Import, ast.ImportFrom)) else (
            "constants" if isinstance(node, (ast.Assign, ast.AnnAssign)) else "definition")
        if kind != "definition" and groups and groups[-1][0] == kind:
            groups[-1][1].append(node)
        else:
            groups.append((kind, [node]))
    lines = text.splitlines(keepends=True)
    starts = []
    for _, nodes in groups:
        start = min([nodes[0].lineno] + [d.lineno for d in getattr(nodes[0], "decorator_list", [])]) - 1
        while start > 0 and lines[start - 1].lstrip().startswith("#") and END_SOLUTION not in lines[start - 1]:
            start -= 1
        starts.append(start)
    cells = []
    for (kind, nodes), start, end in zip(groups, starts, starts[1:] + [len(lines)]):
        names = ("imports",) if kind == "imports" else tuple(name for node in nodes for name in _names(node))
        if not names:
            raise ValueError(f"{path}:{nodes[0].lineno}: a top-level statement that is not an import, "
                             "a definition or a constant cannot become a notebook cell")
        cells.append(ModuleCell(names, "".join(lines[start:end]).strip("\n") + "\n"))
    return cells


def parse_lesson(text, path=LESSON_FILE):
    """The items of a lesson: ``("markdown", text)``, ``("python", code)``, ``("code", name)``, ``("check", "")``."""
    items, buffer, fence = [], [], None

    def flush():
        block = "".join(buffer).strip("\n")
        if block.strip():
            items.append(("markdown", block + "\n"))
        buffer.clear()

    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        stripped = line.strip()
        if any(word in line for word in NBGRADER_WORDS):
            raise ValueError(f"{path}:{number}: nbgrader's markers belong in the solution module, not the lesson")
        if fence == "python":
            if stripped == "```":
                items.append(("python", "".join(buffer).strip("\n") + "\n"))
                buffer.clear()
                fence = None
            else:
                buffer.append(line)
        elif fence is not None:
            buffer.append(line)
            fence = None if stripped == "```" else fence
        elif stripped == "```python":
            flush()
            fence = "python"
        elif stripped.startswith("```"):
            buffer.append(line)
            fence = "other"
        elif directive := _DIRECTIVE.match(stripped):
            flush()
            items.append((directive["kind"], directive["name"] or ""))
        else:
            if stripped.startswith("#"):
                flush()
            buffer.append(line)
    if fence is not None:
        raise ValueError(f"{path}: a fenced block is never closed")
    flush()
    return items


def public_test_names(assignment_folder):
    """The test functions of the public test files in ``assignment_folder``."""
    return {node.name for path in Path(assignment_folder).glob("test_*.py")
            for node in ast.parse(path.read_text()).body
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


def split_points(root, assignment):
    """``(public, hidden)`` points of the assignment, from its grading.toml."""
    points = load_points(Path(root) / "solutions", assignment)
    public = public_test_names(Path(root) / "assignments" / assignment.folder)
    return (sum(value for name, value in points.items() if name in public),
            sum(value for name, value in points.items() if name not in public))


def _source_lines(text):
    lines = text.splitlines(keepends=True)
    if lines and lines[-1].endswith("\n"):
        lines[-1] = lines[-1][:-1]
    return lines


def _nbgrader(grade_id, solution=False, locked=False, points=None):
    metadata = {"grade": points is not None, "grade_id": grade_id, "locked": locked,
                "schema_version": 3, "solution": solution, "task": False}
    if points is not None:
        metadata["points"] = points
    return {"nbgrader": metadata}


def _strip_hidden(text):
    return re.sub(rf"{re.escape(BEGIN_HIDDEN)}\n.*?{re.escape(END_HIDDEN)}\n", "", text, flags=re.S)


def render_notebook(root, assignment, student=False):
    """The solution notebook (``student=False``) or the student notebook of ``assignment``, as JSON text."""
    root = Path(root)
    module_path = root / "solutions" / assignment.module_file
    lesson_path = root / "solutions" / assignment.folder / LESSON_FILE
    module = module_cells(module_path.read_text(), module_path)
    by_name = {name: cell for cell in module for name in cell.names}
    items = parse_lesson(lesson_path.read_text(), lesson_path)
    placed = [name for kind, name in items if kind == "code"]
    for name in placed:
        if name not in by_name:
            raise ValueError(f"{lesson_path}: <!-- code: {name} --> names nothing in {module_path.name}")
    missing = [cell.names[0] for cell in module if not any(name in cell.names for name in placed)]
    twice = {name for name in placed if sum(by_name[name] is by_name[other] for other in placed) > 1}
    checks = sum(kind == "check" for kind, _ in items)
    if missing or twice or checks != 1:
        raise ValueError(f"{lesson_path}: every cell of {module_path.name} must be placed once (missing: "
                         f"{missing}, more than once: {sorted(twice)}) and <!-- check --> once (found {checks})")

    cells = []

    def add(kind, text, metadata=None):
        cell = {"cell_type": kind, "id": f"cell-{len(cells):02d}", "metadata": metadata or {},
                "source": _source_lines(text)}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        cells.append(cell)

    for kind, value in items:
        if kind == "markdown":
            add("markdown", value)
        elif kind == "python":
            add("code", value)
        elif kind == "check":
            add("code", CHECK_CELL.format(folder=assignment.folder), _nbgrader("check", locked=True))
        else:
            cell = by_name[value]
            if cell.is_graded:
                text = cell.student_text(module_path) if student else cell.text
                add("code", text, _nbgrader(cell.names[0], solution=True))
            elif cell.names == ("imports",):
                add("code", cell.text)
            else:
                add("code", cell.text, _nbgrader(f"given_{cell.names[0]}", locked=True))
    public, hidden = split_points(root, assignment)
    add("markdown", GRADING_MARKDOWN)
    add("code", PUBLIC_CELL.format(points=public, folder=assignment.folder),
        _nbgrader("public_tests", locked=True, points=public))
    hidden_cell = HIDDEN_CELL.format(points=hidden, folder=assignment.folder, begin=BEGIN_HIDDEN, end=END_HIDDEN)
    add("code", _strip_hidden(hidden_cell) if student else hidden_cell,
        _nbgrader("hidden_tests", locked=True, points=hidden))

    stub = render_stub_module(SolutionSource.parse(module_path.read_text(), module_path))
    notebook = {
        "cells": cells,
        "metadata": {
            METADATA_KEY: {"assignment": assignment.folder, "stub_sha256": stub_digest(stub)},
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
