"""Before the due date, a hidden test tells a raise's type and line as a public test showed them, and one other.

The type and the line of a raise are the student's code's choice: a module of 4,096 lambdas, one called by a
hidden input's value, was told 12 bits of that value per failed hidden case ("at line 446 of softmax.py").
"""
import re
import shutil

from conftest import ASSIGNMENTS, REPO
from autograder.runner.run import run_tests
from autograder.sandbox.process import ChildProcess

SOFTMAX = next(a for a in ASSIGNMENTS if a.folder == "02_softmax")
LAMBDAS = 512

# softmax raises at the line of one of LAMBDAS lambdas, chosen by its input's first value.
LINE_BY_VALUE = "\n".join(
    ["_LEAK = ["] + ["    lambda: 1 / 0," for _ in range(LAMBDAS)] + [
        "]",
        "def softmax(X):",
        "    X = np.asarray(X, dtype=float)",
        f"    _LEAK[int(abs(X.flat[0]) * 1000) % {LAMBDAS}]()",
        ""])

# An honest bug: the same raise, at the same line, whatever the input.
SAME_LINE_ALWAYS = "\ndef softmax(X):\n    return X @ np.ones((3, 7))\n"


def graded(tmp_path, appended):
    submission = tmp_path / "student"
    (submission / SOFTMAX.folder).mkdir(parents=True)
    module = submission / SOFTMAX.module_file
    shutil.copy2(REPO / "solutions" / SOFTMAX.module_file, module)
    module.write_text(module.read_text() + appended)
    tests = sorted((REPO / "assignments" / SOFTMAX.folder).glob("test_*.py")) + sorted(
        (REPO / "solutions" / SOFTMAX.folder).glob("test_hidden_*.py"))
    records = [record for record in run_tests(submission, tests, ChildProcess(), solutions_root=REPO / "solutions")
               if not record.passed and record.test.startswith(("test_softmax", "test_hidden_softmax"))]
    return ([record for record in records if record.visibility == "public"],
            [record for record in records if record.visibility == "hidden"])


def test_a_line_chosen_by_a_hidden_input_is_not_told_before_the_due_date(tmp_path):
    public, hidden = graded(tmp_path, LINE_BY_VALUE)
    assert public and hidden
    assert all("ZeroDivisionError" in record.message for record in public)  # the student sees those inputs anyway
    told = {record.message for record in hidden if re.search(r"line \d+", record.message)}
    assert len(told - {public[0].message}) <= 1, told  # one choice of the code's told, not one per case
    for record in hidden:
        assert record.message in told or record.message.startswith(
            "softmax failed in a way its public tests did not show"), record.message
    assert len(told) < len(hidden)


def test_a_raise_its_public_tests_showed_keeps_its_type_and_line_in_hidden_tests(tmp_path):
    public, hidden = graded(tmp_path, SAME_LINE_ALWAYS)
    line = len((REPO / "solutions" / SOFTMAX.module_file).read_text().splitlines()) + 3
    told = f"softmax raised ValueError at line {line} of softmax.py"
    assert public and hidden
    assert all(record.message == told for record in hidden), [record.message for record in hidden]


# softmax ends its worker by one of four signals the grader names, or an exit, chosen by its input's first value.
END_BY_VALUE = """
import os, signal
def softmax(X):
    X = np.asarray(X, dtype=float)
    ends = [signal.SIGSEGV, signal.SIGXCPU, signal.SIGXFSZ, signal.SIGUSR1, None]
    end = ends[int(abs(X.flat[0]) * 1000) % len(ends)]
    os._exit(3) if end is None else os.kill(os.getpid(), end)
"""


def test_how_a_worker_ended_by_a_hidden_inputs_choice_is_not_told_before_the_due_date(tmp_path):
    public, hidden = graded(tmp_path, END_BY_VALUE)
    assert public and hidden
    assert all(record.message.startswith("the worker died in softmax") for record in public)
    generic = ("softmax failed in a way its public tests did not show (an exception, or the worker's end): "
               "how and where are shown after the due date")
    died = {record.message for record in hidden if record.message.startswith("the worker died")}
    assert len(died - {public[0].message}) <= 1, died  # the public tests' own account, and one other at most
    assert any(record.message == generic for record in hidden)


def test_a_raise_only_hidden_inputs_meet_keeps_its_type_and_line_in_every_case_and_a_second_is_not_told():
    """The issue's quarantine shows a hidden raise's type and line: an honest bug raising only on a hidden input's
    shape must keep them (in every case it recurs); only a further, different account of the same function is held
    back, so that an input picking among lines tells one choice per function, not one per case."""
    from types import SimpleNamespace

    from autograder.runner.plugin import GradingPlugin

    plugin = SimpleNamespace(public_accounts={}, hidden_accounts={})
    tell = lambda visibility, account: GradingPlugin._raise_told(  # noqa: E731
        plugin, "02_softmax", "softmax", account, visibility, visibility == "hidden", account)
    first, second = "softmax raised ValueError at line 40", "softmax raised ValueError at line 41"
    assert [tell("hidden", first) for _ in range(3)] == [first] * 3
    assert tell("hidden", second).startswith("softmax failed in a way its public tests did not show")
    assert tell("public", second) == second and tell("hidden", second) == second  # shown publicly: told
