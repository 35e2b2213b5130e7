"""Backprop Kit's autograder: generates the student release, checks and grades submissions."""
from autograder.version import __version__  # noqa: F401


def check(assignment=None, path="."):
    """Run the public tests from a notebook or a script, e.g. ``check("softmax")``; True when all pass."""
    from autograder.commands.check import check as run_check

    return run_check(path, assignment)


def check_notebook(assignment):
    """In a notebook: run the public tests on the code this notebook has run, e.g. ``check_notebook("softmax")``."""
    from autograder.notebook.kernel import check_notebook as run_check_notebook

    return run_check_notebook(assignment)
