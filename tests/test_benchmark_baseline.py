"""The benchmark's in-process baseline (``benchmarks/inprocess.py``) grades as the sandbox does.

The overhead ratio divides the sandbox's cost by this baseline's: a baseline that no longer speaks the
worker's protocol (a request field the sandbox's worker strips, say) fails every test, and the
benchmark stops with a traceback instead of a figure. No test ran it before one such change broke it.
A baseline that does less work (a pin it answers without asking, a request it drops, fewer training
steps checked) would pass and make the ratio a lie, so the work itself is compared too.
"""
import collections
import os
import sys

import pytest
from conftest import ASSIGNMENTS, REPO, SANDBOX

from autograder.kit.assignments import test_files
from autograder.kit.course import Kit
from autograder.kit.grading_checks import check_grading
from autograder.runner.run import run_tests
from autograder.sandbox.remote import RemoteModule
from autograder.sandbox.session import WorkerSession

sys.path.insert(0, str(REPO / "benchmarks"))

from inprocess import InProcess  # noqa: E402
from nbgrader_course import softmax_only_kit  # noqa: E402
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


def counted_work(monkeypatch, submission, files, sandbox):
    """The tests' outcomes, and per test what each asked of the student's code: its requests by kind (waited for or
    not), the pinned stubs' questions it answered, and the training steps it checked."""
    work = collections.Counter()
    inside = []  # the baseline's send is a request: a request made inside another is not counted again

    def test():
        return os.environ["PYTEST_CURRENT_TEST"].split(" (")[0]

    def counting(original):
        def counted(self, message, *args, **kwargs):
            if not inside:
                work[test(), message.get("op"), message.get("name") if message.get("op") == "call" else None] += 1
            inside.append(True)
            try:
                return original(self, message, *args, **kwargs)
            finally:
                inside.pop()
        return counted

    def asking(original):
        def counted(self, question):
            work[test(), "pin question"] += 1
            return original(self, question)
        return counted

    def reporting(original):
        def counted(self, answer, checks, what):
            reports, error = original(self, answer, checks, what)
            work[test(), "checked steps"] += len(reports)
            return reports, error
        return counted

    for owner, name, make in [(WorkerSession, "request", counting), (WorkerSession, "send", counting),
                              (WorkerSession, "pin_answer", asking), (RemoteModule, "_reports", reporting)]:
        monkeypatch.setattr(owner, name, make(getattr(owner, name)))
    records = run_tests(submission, files, sandbox, REPO / "solutions")
    monkeypatch.undo()
    return [(record.test, record.case, record.passed) for record in records], work


# 01: pinned stubs' questions (a prediction pinned inside perceptronStep); 04: training checked step by step
@pytest.mark.parametrize("folder", ["01_perceptron", "04_logistic_regression"])
def test_the_baseline_does_the_sandboxes_work(monkeypatch, tmp_path, folder):
    submission = write_submission(tmp_path / "reference") or tmp_path / "reference"
    files = [path for path in test_files(REPO) if path.parent.name == folder]
    sandboxed, asked = counted_work(monkeypatch, submission, files, SANDBOX)
    in_process, asked_here = counted_work(monkeypatch, submission, files, InProcess())
    assert in_process == sandboxed
    assert asked_here == asked
    kinds = {key[1] for key in asked}
    assert {"pin question", "call"} <= kinds and ("checked steps" in kinds) == (folder == "04_logistic_regression")


def test_the_notebook_comparisons_kit_is_one_grade_accepts(tmp_path):
    """The kit the nbgrader comparison grades 02's notebooks with passes grade's check of every grading.toml it grades
    (a kit holding other assignments' points without their tests once stopped the benchmark there)."""
    kit = Kit.read(softmax_only_kit(tmp_path / "kit02", REPO))
    assert [assignment.folder for assignment in kit.select()] == ["02_softmax"]
    for assignment in kit.select():
        assert check_grading(kit.root, assignment)["points"]
