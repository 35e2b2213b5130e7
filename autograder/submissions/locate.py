"""Finding an assignment's code in a submission: a module, or a notebook's definitions.

Where: ``<folder>/<module>.py`` or ``<folder>/<module>.ipynb`` as in the student
release (``02_softmax/softmax.ipynb``), else in any other sub-folder holding a
file of that name, as in nbgrader's ``submitted/<student>/<assignment>/``
where the assignment may be called anything (``week2/softmax.ipynb``).

Which, when both are there: the module, unless it is still byte for byte the
released stub (the generated notebooks record the stub's SHA-256 in their
metadata) and so the work is in the notebook.
"""
import hashlib
from pathlib import Path

from autograder.submissions.notebook_code import NotebookError, extract_definitions, read_notebook

METADATA_KEY = "backprop_kit"


def stub_digest(text):
    """SHA-256 of a module's text, blind to line endings (what a notebook records of its released stub)."""
    return hashlib.sha256(text.replace("\r\n", "\n").encode()).hexdigest()


def is_released_stub(module, notebook):
    """True when ``module`` is the stub that ``notebook`` was released with."""
    try:
        recorded = read_notebook(notebook).get("metadata", {}).get(METADATA_KEY, {}).get("stub_sha256")
        return recorded == stub_digest(module.read_text(encoding="utf-8", errors="replace"))
    except (NotebookError, AttributeError, OSError):
        return False


def assignment_folder(root, assignment):
    """The folder of ``root`` holding ``assignment``'s module or notebook, or None."""
    names = (f"{assignment.module}.py", f"{assignment.module}.ipynb")
    others = sorted(path for path in root.iterdir()
                    if path.is_dir() and not path.is_symlink() and not path.name.startswith("."))
    folders = [root / assignment.folder] + others
    return next((folder for folder in folders if any((folder / name).is_file() for name in names)), None)


def submitted_file(root, assignment):
    """The module or notebook that counts for ``assignment`` in the submission at ``root``, or None."""
    root = Path(root)
    if root.is_file():
        return root
    folder = assignment_folder(root, assignment)
    if folder is None:
        return None
    module, notebook = folder / f"{assignment.module}.py", folder / f"{assignment.module}.ipynb"
    if notebook.is_file() and (not module.is_file() or is_released_stub(module, notebook)):
        return notebook
    return module


def locate_module(root, assignment, scratch):
    """The Python file to import for ``assignment`` from the submission at ``root``.

    ``root`` is a folder laid out like the student release (or like an nbgrader
    submission), or a single notebook holding the definitions of every
    assignment. A notebook's definitions are written to ``scratch``.

    Returns
    -------
    path : Path or None
        The module to import, or None when the assignment is missing.
    problem : str
        Why it is missing ("" otherwise).
    """
    path = submitted_file(root, assignment)
    if path is None:
        return None, f"{assignment.module_file} (or .ipynb) is missing from the submission"
    if path.suffix != ".ipynb":
        return path, ""
    try:
        source = extract_definitions(path)
    except NotebookError as error:
        return None, str(error)
    extracted = Path(scratch) / assignment.folder / f"{assignment.module}.py"
    extracted.parent.mkdir(parents=True, exist_ok=True)
    extracted.write_text(source)
    return extracted, ""
