from pathlib import Path

import pytest

from autograder.assignments import ASSIGNMENTS
from autograder.loading import load_module

REPO = Path(__file__).resolve().parent.parent
MODULES = {assignment.module: assignment for assignment in ASSIGNMENTS}


def load_solution(module):
    """The reference solution module named ``module`` (e.g. ``"softmax"``), freshly imported."""
    return load_module(REPO / "solutions" / MODULES[module].module_file, f"reference_{module}")


def load_stub(module):
    """The generated student stub named ``module``, freshly imported."""
    return load_module(REPO / "assignments" / MODULES[module].module_file, f"stub_{module}")


@pytest.fixture(scope="session")
def digits():
    from backprop_datasets import load_digits_split

    return load_digits_split()


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """The whole example class of ``examples/catalogue.py``, graded once for the session (minutes; see example_class)."""
    from example_class import grade_class

    return grade_class(tmp_path_factory.mktemp("class"))
