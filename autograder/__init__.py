"""Backprop Kit's autograder: generates the student release, checks and grades submissions."""
__version__ = "0.1.0"


def check(assignment=None, path="."):
    """Run the public tests from a notebook or a script, e.g. ``check("softmax")``; True when all pass."""
    from autograder.checking import check as run_check

    return run_check(path, assignment)


def check_notebook(assignment):
    """In a notebook: run the public tests on the code this notebook has run, e.g. ``check_notebook("softmax")``."""
    from autograder.kernel import check_notebook as run_check_notebook

    return run_check_notebook(assignment)
