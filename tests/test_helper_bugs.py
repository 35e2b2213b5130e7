"""A helper's bug costs its own tests, not training: computed pins and the retry of a failed run.

Small student modules in a real worker: a pin computed on the trusted side answers every call of
plain numbers (lists, scalars, arrays) by a trusted formula, and
:func:`autograder.testing.helper_bugs.unless_helpers_are_to_blame` retries a failed training run
with the helpers so pinned only when they are wrong, so that the run is judged on the rest of the
student's chain. (End to end, on the catalogue's sigmoid bugs: ``tests/test_one_bug_once.py``.)
"""
import numpy as np
import pytest

from autograder.sandbox.process import ChildProcess
from autograder.sandbox.remote import RemoteModule
from autograder.sandbox.session import WorkerSession
from autograder.testing import assert_true
from autograder.testing.helper_bugs import HELPERS, PROBES, helpers_are_right, unless_helpers_are_to_blame
from autograder.testing.sigmoid import logistic

RIGHT_SIGMOID = "np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))"
FLIPPED_SIGMOID = "np.exp(-np.logaddexp(0.0, np.asarray(x, dtype=float)))"
STEP = "w - 5.0 * (sigmoid(w) - 0.25) * sigmoid_prime(w)"  # descends (sigmoid(w) - 1/4)^2 / 2: sigmoid(w) -> 1/4
WRONG_STEP = "w + 5.0 * (sigmoid(w) - 0.25) * sigmoid_prime(w)"

CODE = """
import numpy as np

def sigmoid(x):
    return {sigmoid}

def sigmoid_prime(x):
    s = sigmoid(x)
    return s * (1 - s)

def fit(steps):
    '''Gradient descent that drives sigmoid(w) to 1/4, one helper call after another (as training does).'''
    w = np.zeros(3)
    for _ in range(steps):
        w = {step}
    return w

def echo(x):
    return sigmoid(x)
"""


@pytest.fixture
def student(request, tmp_path):
    sigmoid, step = request.param
    (tmp_path / "mod.py").write_text(CODE.format(sigmoid=sigmoid, step=step))
    session = WorkerSession(ChildProcess(), tmp_path / "mod.py", "mod")
    yield RemoteModule(session, "mod")
    session.close()


def run_counted(student, runs):
    """A training test of ``fit``: it passes when the trained w gives sigmoid(w) = 1/4 (computed here)."""
    def run():
        runs.append(1)
        w = np.asarray(student.fit(200), dtype=float)
        assert_true(np.allclose(logistic(w), 0.25, atol=1e-3), "fit does not reach sigmoid(w) = 1/4")
    return run


@pytest.mark.parametrize("student", [(FLIPPED_SIGMOID, STEP)], indirect=True)
@pytest.mark.parametrize("given", [[-1.0, 0.0, 2.0], 0.75, np.float32(-3.0), np.array([[1.0], [-40.0]])],
                         ids=["list", "float", "numpy scalar", "array"])
def test_a_computed_pin_answers_any_call_of_plain_numbers(student, given):
    student._pin_computed("sigmoid", logistic)
    np.testing.assert_allclose(student.echo(given), logistic(given), rtol=1e-12)


@pytest.mark.parametrize("student", [(FLIPPED_SIGMOID, STEP)], indirect=True)
def test_a_computed_pin_leaves_what_is_not_numbers_to_the_students_own(student):
    student._pin_computed("sigmoid", lambda x: 0.0)
    assert student.echo(True) == 0.0  # a bool is a number
    with pytest.raises(Exception, match="sigmoid|echo"):
        student.echo("text")  # not plain numbers: the student's own sigmoid runs, and raises on a string


@pytest.mark.parametrize("student", [(FLIPPED_SIGMOID, STEP)], indirect=True)
def test_a_run_that_fails_only_by_a_broken_helper_passes_on_its_retry(student):
    assert not helpers_are_right(student, "06_backprop")
    runs = []
    unless_helpers_are_to_blame(student, "06_backprop", run_counted(student, runs))
    assert len(runs) == 2


@pytest.mark.parametrize("student", [(FLIPPED_SIGMOID, WRONG_STEP)], indirect=True)
def test_a_run_that_fails_with_its_helpers_right_too_fails(student):
    runs = []
    with pytest.raises(AssertionError, match="does not reach"):
        unless_helpers_are_to_blame(student, "06_backprop", run_counted(student, runs))
    assert len(runs) == 2


@pytest.mark.parametrize("student", [(RIGHT_SIGMOID, WRONG_STEP)], indirect=True)
def test_a_failed_run_whose_helpers_are_right_is_not_retried(student):
    assert helpers_are_right(student, "06_backprop")
    runs = []
    with pytest.raises(AssertionError, match="does not reach"):
        unless_helpers_are_to_blame(student, "06_backprop", run_counted(student, runs))
    assert len(runs) == 1


@pytest.mark.parametrize("student", [(RIGHT_SIGMOID, STEP)], indirect=True)
def test_a_passing_run_is_run_once_and_pins_nothing(student):
    runs = []
    unless_helpers_are_to_blame(student, "06_backprop", run_counted(student, runs))
    assert len(runs) == 1 and student._session.pins == {}


def test_the_probes_call_every_helper_with_lists_scalars_and_arrays():
    for name in {name for helpers in HELPERS.values() for name in helpers}:
        kinds = {type(argument) for args in PROBES[name] for argument in args}
        assert {list, np.ndarray} <= kinds and kinds & {float, int}, name
