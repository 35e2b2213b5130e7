"""How far a submission got: which graded definitions are still the released stub, read from its source.

A graded function of the release raises ``NotImplementedError`` and a graded constant is ``None``
until the student writes it (:func:`~autograder.submissions.notebook_code.unfinished` finds both).
Comparing what is still unfinished in the file that counts for each assignment
(:func:`~autograder.submissions.locate.submitted_file`, the module or the notebook's definitions)
with what is unfinished in the released stub gives the submission's progress, for its status:

- ``not started``: every graded definition of every assignment handed in is still the stub;
- ``partly done (...)``: some are, named per assignment;
- ``""``: none is (the status then says ``ok``, or what else went wrong).

Nothing is run: the source is parsed. A file that does not parse (a syntax error) or a missing
assignment says nothing about progress; the grading's own problems say what is wrong with it.
"""
import ast
from functools import lru_cache
from pathlib import Path

from autograder.kit.assignments import discover_assignments
from autograder.submissions.locate import submitted_file
from autograder.submissions import syntax
from autograder.submissions.notebook_code import NotebookError, extract_definitions, unfinished


@lru_cache(maxsize=None)
def graded_names(stub):
    """The graded definitions of the released stub at ``stub`` (a Path): all still unfinished there."""
    return tuple(unfinished(stub.read_text(encoding="utf-8")))


def source_of(path):
    """The Python source of the module at ``path``, or of a notebook's definitions."""
    return extract_definitions(path) if path.suffix == ".ipynb" else syntax.read_source(path)


def stubs_left(path, graded):
    """The names of ``graded`` still unfinished in the module or notebook at ``path``; None when it does not parse."""
    try:
        left = set(unfinished(source_of(path)))
    except (NotebookError, SyntaxError, ValueError, OSError, RecursionError, MemoryError):
        return None
    return [name for name in graded if name in left]


def progress(submission, root, assignments=None):
    """The progress part of the status of the submission at ``submission`` (see the module docstring).

    ``root`` is the kit, whose ``assignments/`` hold the released stubs; ``assignments`` are those
    graded (default: every one of the kit).
    """
    left = {}
    for assignment in discover_assignments(root) if assignments is None else assignments:
        stub = Path(root) / "assignments" / assignment.module_file
        path = submitted_file(submission, assignment) if stub.is_file() else None
        if path is None or not path.is_file():
            continue
        graded = graded_names(stub)
        names = stubs_left(path, graded)
        if names is not None and graded:
            left[assignment.folder] = (names, graded)
    if not left or not any(names for names, _ in left.values()):
        return ""
    untouched = [folder for folder, (names, graded) in left.items() if names == list(graded)]
    if len(untouched) == len(left):
        return "not started"
    parts = [f"not started: {', '.join(untouched)}"] if untouched else []
    parts += [f"{folder} still to write: {', '.join(names)}" for folder, (names, graded) in left.items()
              if names and names != list(graded)]
    return f"partly done ({'; '.join(parts)})"


def defined_names(source):
    """Every name ``source`` defines or imports, at any depth; None when a star import could define any."""
    names = set()
    for node in ast.walk(syntax.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            if any(alias.name == "*" for alias in node.names):
                return None
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def absent_message(submission, root, assignment):
    """Which graded definitions the file that counts for ``assignment`` lacks altogether, in words ("" if none).

    An empty module, or one whose functions were renamed, would otherwise fail every test with
    an ``AttributeError`` and no word on what to do. Generous on purpose: a name defined anywhere
    in the file, or a star import, counts as there.
    """
    stub = Path(root) / "assignments" / assignment.module_file
    # A single notebook handed in stands for every assignment: one it does not attempt is not a renamed definition.
    path = submitted_file(submission, assignment) if stub.is_file() and Path(submission).is_dir() else None
    if path is None or not path.is_file():
        return ""
    try:
        defined = defined_names(source_of(path))
    except (NotebookError, SyntaxError, ValueError, OSError, RecursionError, MemoryError):
        return ""  # what does not parse says so when it runs
    if defined is None:
        return ""
    absent = [name for name in graded_names(stub) if name.split(".")[0] not in defined]
    if not absent:
        return ""
    return (f"{assignment.folder}: {path.name} defines no {', '.join(absent)}: keep the released stub's "
            "definitions, with their names, and fill them in")
