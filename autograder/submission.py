"""Finding an assignment's code in a submission: a module, or a notebook's definitions."""
from pathlib import Path

from autograder.notebook_code import NotebookError, extract_definitions


def locate_module(root, assignment, scratch):
    """The Python file to import for ``assignment`` from the submission at ``root``.

    ``root`` is a folder laid out like the student release, or a single
    notebook holding the definitions of every assignment. A notebook's
    definitions are written to ``scratch``.

    Returns
    -------
    path : Path or None
        The module to import, or None when the assignment is missing.
    problem : str
        Why it is missing ("" otherwise).
    """
    root = Path(root)
    if root.is_file():
        notebook = root
    else:
        module = root / assignment.module_file
        if module.is_file():
            return module, ""
        notebook = module.with_suffix(".ipynb")
        if not notebook.is_file():
            return None, f"{assignment.module_file} (or .ipynb) is missing from the submission"
    try:
        source = extract_definitions(notebook)
    except NotebookError as error:
        return None, str(error)
    extracted = Path(scratch) / assignment.folder / f"{assignment.module}.py"
    extracted.parent.mkdir(parents=True, exist_ok=True)
    extracted.write_text(source)
    return extracted, ""
