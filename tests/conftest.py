import csv
import os
from pathlib import Path

import pytest

from autograder.kit.assignments import ASSIGNMENTS
from autograder.sandbox.inside.loading import load_module
from autograder.sandbox.kinds import make_sandbox

REPO = Path(__file__).resolve().parent.parent
MODULES = {assignment.module: assignment for assignment in ASSIGNMENTS}
SANDBOX = make_sandbox("auto")
SANDBOX_KIND = "bwrap" if SANDBOX.secure else "process"  # what the tests that grade grade with
needs_sandbox = pytest.mark.skipif(
    not SANDBOX.secure and not os.environ.get("CI"), reason="needs bubblewrap (CI always has it)"
)


def load_solution(module):
    """The reference solution module named ``module`` (e.g. ``"softmax"``), freshly imported."""
    return load_module(REPO / "solutions" / MODULES[module].module_file, f"reference_{module}")


def load_stub(module):
    """The generated student stub named ``module``, freshly imported."""
    return load_module(REPO / "assignments" / MODULES[module].module_file, f"stub_{module}")


def read_gradebook(out):
    """The rows of ``out/gradebook.csv``, as dicts."""
    with open(Path(out) / "gradebook.csv") as file:
        return list(csv.DictReader(file))


@pytest.fixture(scope="session")
def digits():
    from backprop_datasets import load_digits_split

    return load_digits_split()


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """The whole example class of ``examples/catalogue.py``, graded once for the session (minutes; see example_class)."""
    from example_class import grade_class

    return grade_class(tmp_path_factory.mktemp("class"))


@pytest.fixture(scope="session")
def released_bundle(tmp_path_factory):
    """``autograder release`` of every assignment, built once for the session."""
    from autograder.commands.release import build_release
    from autograder.kit.secret import course_secret

    course_secret(REPO)  # as after the term's first grade: the kit has its course secret, which must not ship
    return build_release(REPO, tmp_path_factory.mktemp("release") / "bundle")


@pytest.fixture(scope="session")
def student_machine(released_bundle, tmp_path_factory):
    """A machine that has never seen the checkout: one fresh venv for the session, holding the bundle's wheel.

    See :mod:`student_machine`: a copy of the bundle and a new virtual environment with the wheel (and
    ipykernel for the notebooks, dask and bubblewrap for a cluster worker), no editable install, no ``PYTHONPATH``,
    no ``BACKPROP_KIT_ROOT``, every command run from a folder outside the repository.
    """
    from student_machine import StudentMachine

    return StudentMachine.create(released_bundle, tmp_path_factory.mktemp("student"))
