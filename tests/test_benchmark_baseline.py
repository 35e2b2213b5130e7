"""The benchmark's in-process baseline (``benchmarks/inprocess.py``) grades as the sandbox does.

The overhead ratio divides the sandbox's cost by this baseline's: a baseline that no longer speaks the
worker's protocol (a request field the sandbox's worker strips, say) fails every test, and the
benchmark stops with a traceback instead of a figure. No test ran it before one such change broke it.
"""
import sys

import pytest
from conftest import ASSIGNMENTS, REPO

from autograder.kit.assignments import test_files
from autograder.runner.run import run_tests

sys.path.insert(0, str(REPO / "benchmarks"))

from inprocess import InProcess  # noqa: E402
from synthetic import write_submission  # noqa: E402


@pytest.mark.parametrize("folder", ["02_softmax", "04_logistic_regression"])
def test_the_reference_passes_every_test_in_process(tmp_path, folder):
    submission = write_submission(tmp_path / "reference") or tmp_path / "reference"
    files = [path for path in test_files(REPO) if path.parent.name == folder]
    records = run_tests(submission, files, InProcess(), REPO / "solutions")
    assert records and all(record.passed for record in records), [
        (record.test, record.case, record.message) for record in records if not record.passed]
    assert {record.assignment for record in records} == {folder}
    assert folder in {assignment.folder for assignment in ASSIGNMENTS}
