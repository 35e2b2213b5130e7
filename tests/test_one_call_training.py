"""Training inside one student call (06's ``train_xor``) is checked against the student's own gradient.

:func:`autograder.testing.one_call_training.assert_trains_by_its_own_gradient` calls the training function again in a
fresh worker with ``k`` and ``k + 1`` epochs and asks whether the second result is one step of the student's own
gradient from the first. The functions below train a linear regression; each forgery keeps an outcome a test would
grade (a good fit) while not being what its own gradient trains.
"""
import numpy as np
import pytest
from test_training_fresh_worker import counting_starts

from autograder.sandbox.process import ChildProcess
from autograder.sandbox.remote import RemoteModule
from autograder.sandbox.session import WorkerSession
from autograder.testing import CheckFailed
from autograder.testing.one_call_training import NOT_ITS_OWN_STEPS, assert_trains_by_its_own_gradient

TRAINING_CODE = '''
import numpy as np

X = np.array([[0.0, 1.0], [1.0, 0.5], [2.0, -1.0], [3.0, 0.0], [-1.0, 2.0]])
Y = X @ np.array([[1.5], [-2.0]]) + 0.5


def gradients(X, Y, W, b):
    error = X @ W + b - Y
    return {"W": X.T @ error / len(X), "b": error.mean(axis=0)}


def start(seed, size=2):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((size, 1)), np.zeros(1)


def honest(size=2, learning_rate=0.1, epochs=200, seed=0):
    W, b = start(seed, size)
    for _ in range(epochs):
        step = gradients(X, Y, W, b)
        W, b = W - learning_rate * step["W"], b - learning_rate * step["b"]
    return W, b


def from_the_global_state(size=2, learning_rate=0.1, epochs=200, seed=0):
    """Honest steps from a start drawn from numpy's global random state, not the seed's generator."""
    W, b = np.random.standard_normal((size, 1)), np.zeros(1)
    for _ in range(epochs):
        step = gradients(X, Y, W, b)
        W, b = W - learning_rate * step["W"], b - learning_rate * step["b"]
    return W, b


def unseeded(size=2, learning_rate=0.1, epochs=200, seed=0):
    """Honest steps from a start of the system's randomness: no two calls alike."""
    W, b = np.random.default_rng().standard_normal((size, 1)), np.zeros(1)
    for _ in range(epochs):
        step = gradients(X, Y, W, b)
        W, b = W - learning_rate * step["W"], b - learning_rate * step["b"]
    return W, b


def memorised(size=2, learning_rate=0.1, epochs=200, seed=0):
    """A stored answer, nudged by the seed so that seeds still differ."""
    W, b = start(seed, size)
    return np.array([[1.5], [-2.0]]) + 1e-3 * W, np.array([0.5])


def by_least_squares(size=2, learning_rate=0.1, epochs=200, seed=0):
    """A refit of the data: numpy's least squares."""
    solution = np.linalg.lstsq(np.hstack([X, np.ones((len(X), 1))]), Y, rcond=None)[0]
    return solution[:2], solution[2]


def two_rates(size=2, learning_rate=0.1, epochs=200, seed=0):
    """Steps of its own gradient, but the bias at ten times the weights' rate: no one step of that gradient."""
    W, b = start(seed, size)
    for _ in range(epochs):
        step = gradients(X, Y, W, b)
        W, b = W - learning_rate * step["W"], b - 10 * learning_rate * step["b"]
    return W, b


def honest_unless_long(size=2, learning_rate=0.1, epochs=200, seed=0):
    """Honest for the few epochs a check draws; a refit at the graded count (what the check cannot see)."""
    return honest(size, learning_rate, epochs, seed) if epochs <= 100 else by_least_squares(size)
'''


@pytest.fixture
def trainer(tmp_path):
    (tmp_path / "train.py").write_text(TRAINING_CODE)
    session = WorkerSession(ChildProcess(), tmp_path / "train.py", "train")
    try:
        yield RemoteModule(session, "train")
    finally:
        session.close()


@pytest.fixture
def data():
    """The regression's data, made here (not read off the student's module)."""
    X = np.array([[0.0, 1.0], [1.0, 0.5], [2.0, -1.0], [3.0, 0.0], [-1.0, 2.0]])
    return X, X @ np.array([[1.5], [-2.0]]) + 0.5


def checked(trainer, data, function):
    assert_trains_by_its_own_gradient(trainer, function, {"size": 2}, ("W", "b"),
                                      lambda module, parameters: module.gradients(*data, *parameters), "gradients")


@pytest.mark.parametrize("function", ["honest", "from_the_global_state", "honest_unless_long"])
def test_training_by_its_own_gradient_passes(trainer, data, function):
    trainer.honest()  # the graded call, in the worker the check ends first
    checked(trainer, data, function)
    assert trainer._session.evidence == []


@pytest.mark.parametrize("function", ["memorised", "by_least_squares", "two_rates"])
def test_a_result_that_is_no_step_of_its_own_gradient_fails_and_needs_review(trainer, data, function):
    trainer.honest()
    with pytest.raises(CheckFailed, match="did not train by steps of your gradients"):
        checked(trainer, data, function)
    assert trainer._session.evidence == [NOT_ITS_OWN_STEPS.format(call=function, gradient="gradients")]


def test_a_training_that_is_not_deterministic_fails_without_evidence(trainer, data):
    """Two calls with the same seed giving two starts cannot be checked: the test fails, saying why, and nothing
    is told as tampering."""
    with pytest.raises(CheckFailed, match="unseeded gave two different networks for the same arguments"):
        checked(trainer, data, "unseeded")
    assert trainer._session.evidence == []


def test_a_check_that_passes_leaves_its_fresh_worker_to_the_next_test(trainer, data):
    """The check's fresh worker is the session's next worker: once the check passed, the next test's requests go to it
    instead of a worker started yet again (one fork and import of the module fewer per check), and the session's
    time-outs are as they were before the check."""
    starts = counting_starts(trainer._session)
    trainer.honest()  # the graded call: the training's worker
    trainer._session.timed_out.add(("call", "slow"))  # what an earlier test met
    checked(trainer, data, "honest")
    assert len(starts) == 2 and trainer._session.process is not None  # the training's worker, then the check's
    assert trainer._session.timed_out == {("call", "slow")}
    W, b = trainer.honest()  # the next test: it runs in the worker the check left
    assert len(starts) == 2 and W.shape == (2, 1) and trainer._session.evidence == []


@pytest.mark.parametrize("function", ["memorised", "unseeded"])
def test_a_check_that_fails_ends_its_fresh_worker(trainer, data, function):
    """A failed check (no step of its own gradient, or no deterministic training) ends the worker it asked; the next
    request starts another and runs."""
    starts = counting_starts(trainer._session)
    trainer.honest()
    with pytest.raises(CheckFailed):
        checked(trainer, data, function)
    assert len(starts) == 2 and trainer._session.process is None
    trainer.honest()
    assert len(starts) == 3
