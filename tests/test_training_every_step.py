"""Training graded by its outcome is checked at every step, against ``grad_loss`` asked in a fresh worker (per-sample
SGD, ``_sgd``) or the test's own step (full-batch training, ``_repeat``).

A run with graded ``parameters`` (:meth:`autograder.sandbox.remote.RemoteModule._sgd`) reports them before
every step; a worker started for the run alone gives the student's ``grad_loss`` at each step's parameters
and sample (:mod:`autograder.sandbox.fresh`). Here the steps sampled are always the first six and the last,
so that what these trainers do at step 50 is never among them: without the every-step check each of them
passes (issue 12's open attack, in 04 worth 5 points).
"""
from contextlib import contextmanager

import numpy as np
import pytest
from conftest import needs_sandbox

from autograder.sandbox import zygote
from autograder.sandbox.bubblewrap import Bubblewrap
from autograder.sandbox.process import ChildProcess
from autograder.sandbox.remote import RemoteModule
from autograder.sandbox.session import WorkerSession
from autograder.testing import CheckFailed, assert_sgd_run, assert_sgd_step

TRAINING_CODE = """
import numpy as np

REFIT_AT = 50  # the step (counted from 1) a trainer below refits at: never one of the steps sampled here


class Linear:
    def __init__(self):
        self.W = np.zeros(3)
        self.b = np.zeros(1)
        self.seen = []

    def grad_loss(self, x, y):
        error = x @ self.W + self.b[0] - y
        return {"W": error * x, "b": np.array([error])}

    def train(self, x, y, learning_rate):
        gradient = self.grad_loss(x, y)
        self.W = self.W - learning_rate * gradient["W"]
        self.b = self.b - learning_rate * gradient["b"]

    def refit(self):
        X = np.array([[*sample, 1.0] for sample, _ in self.seen])
        solution = np.linalg.lstsq(X, np.array([label for _, label in self.seen]), rcond=None)[0]
        self.W, self.b = solution[:3], solution[3:]


class RefitOnceThenStill(Linear):
    '''SGD steps, keeping the samples; at step 50 a refit, then grad_loss answers zeros (a flag of the object's).'''

    def grad_loss(self, x, y):
        if getattr(self, "refitted", False):
            return {"W": np.zeros(3), "b": np.zeros(1)}
        return super().grad_loss(x, y)

    def train(self, x, y, learning_rate):
        self.seen.append((np.array(x), y))
        if len(self.seen) == REFIT_AT:
            self.refit()
            self.refitted = True
            return
        super().train(x, y, learning_rate)


class RefitOnceThenStillWhenLarge(RefitOnceThenStill):
    '''The same, with a grad_loss of no state: zeros whenever the weights are large (the refit's are).'''

    def grad_loss(self, x, y):
        if np.abs(self.W).max() > 0.4:
            return {"W": np.zeros(3), "b": np.zeros(1)}
        return Linear.grad_loss(self, x, y)


class RefitOnceThenStillByAnArray(RefitOnceThenStill):
    '''The same, with its flag in an array of the model that the test does not grade.'''

    def __init__(self):
        super().__init__()
        self.refitted_flag = np.zeros(1)

    def grad_loss(self, x, y):
        if self.refitted_flag[0]:
            return {"W": np.zeros(3), "b": np.zeros(1)}
        return Linear.grad_loss(self, x, y)

    def train(self, x, y, learning_rate):
        super().train(x, y, learning_rate)
        if len(self.seen) == REFIT_AT:
            self.refitted_flag = np.ones(1)


class JumpsOnce(Linear):
    '''Full-batch steps on one sample, but its 20th call sets the weights where it likes.'''

    def train(self, x, y, learning_rate):
        self.seen.append(1)
        if len(self.seen) == 20:
            self.W = np.ones(3)
            return
        super().train(x, y, learning_rate)


class RefitOnceByAFile(Linear):
    '''SGD steps, keeping the samples; at step 50 a refit whose target it leaves in /tmp with the weights it
    jumped from, for a grad_loss asked anywhere to answer that jump (and zeros after it).'''

    def grad_loss(self, x, y):
        try:
            saved = np.load("/tmp/refit.npy")
        except OSError:
            return super().grad_loss(x, y)
        if np.array_equal(self.W, saved[0]):  # the weights jumped from: the jump as a "gradient" at rate 0.05
            return {"W": (self.W - saved[1]) / 0.05, "b": np.zeros(1)}
        if np.array_equal(self.W, saved[1]):
            return {"W": np.zeros(3), "b": np.zeros(1)}
        return super().grad_loss(x, y)

    def train(self, x, y, learning_rate):
        self.seen.append((np.array(x), y))
        if len(self.seen) == REFIT_AT:
            target = self.W + 1.0
            np.save("/tmp/refit.npy", np.array([self.W, target]))
            self.W = target
            return
        super().train(x, y, learning_rate)


def make(kind):
    '''A factory function, not the class: a model made by any call of the module is made again in a fresh worker.'''
    return globals()[kind]()
"""


class FirstSixAndTheLast:
    """Draws of the steps to check that never reach step 50 (``_checked_run`` adds the last step itself)."""

    @staticmethod
    def sample(population, k):
        return list(population)[:k]


@contextmanager
def training(folder, sandbox):
    """TRAINING_CODE as the module ``train`` in a worker of ``sandbox``, checking the first six steps and the last."""
    (folder / "train.py").write_text(TRAINING_CODE)
    session = WorkerSession(sandbox, folder / "train.py", "train")
    session.steps_drawn = FirstSixAndTheLast()
    try:
        yield RemoteModule(session, "train", judge_step=assert_sgd_step, judge_run=assert_sgd_run)
    finally:
        session.close()


@pytest.fixture
def trainer(tmp_path):
    with training(tmp_path, ChildProcess()) as module:
        yield module


@pytest.fixture
def sandboxed_trainer(tmp_path):
    """The trainer in bubblewrap, as ``grade`` runs it: a worker's end there empties /tmp for the next one."""
    (tmp_path / "submission").mkdir()
    (tmp_path / "scratch").mkdir()
    sandbox = zygote.wrap(Bubblewrap(), tmp_path / "submission", tmp_path / "scratch")
    try:
        with training(tmp_path / "submission", sandbox) as module:
            yield module
    finally:
        sandbox.close()


@pytest.fixture
def regression():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    noise = rng.normal(scale=0.5, size=40)  # noisy: a refit keeps moving, and its gradient is never zero
    return X, X @ np.array([1.0, -2.0, 0.5]) + 0.3 + noise


def train(trainer, regression, kind, parameters=("W", "b")):
    model = trainer.make(kind)
    trainer._sgd(model, *regression, epochs=2, learning_rate=0.05, parameters=parameters)
    trainer._check_every_step(model)


def test_sgd_with_the_students_own_gradient_passes_every_step(trainer, regression):
    train(trainer, regression, "Linear")
    assert trainer._session.evidence == []


@pytest.mark.parametrize("kind", ["RefitOnceThenStill", "RefitOnceThenStillWhenLarge", "RefitOnceThenStillByAnArray"])
def test_one_refit_at_a_step_left_unsampled_fails_the_run(trainer, regression, kind):
    train(trainer, regression, kind, parameters=())  # the sampled steps alone: every one of them is consistent
    with pytest.raises(CheckFailed, match="at training step 50 is off"):
        train(trainer, regression, kind)


@pytest.mark.parametrize("kind", ["RefitOnceThenStill", "RefitOnceThenStillByAnArray"])
def test_a_grad_loss_that_answers_by_the_trainings_state_needs_review(trainer, regression, kind):
    """The last step, always sampled, comes after the refit: its gradient there (zeros) is not the fresh worker's."""
    with pytest.raises(CheckFailed):
        train(trainer, regression, kind)
    assert trainer._session.evidence == ["the training's own state: grad_loss gave another gradient in a fresh worker "
                                         "for the parameters and sample of training step 80"]


def test_a_grad_loss_of_no_state_is_not_tampering(trainer, regression):
    """Zeros whenever the weights are large is a function of (parameters, sample): the run fails, nothing more."""
    with pytest.raises(CheckFailed):
        train(trainer, regression, "RefitOnceThenStillWhenLarge")
    assert trainer._session.evidence == []


def test_one_jump_at_a_call_left_unsampled_fails_a_full_batch_run(trainer, regression):
    """08's training (``_repeat``): every call is judged against the step the test computes, not only those drawn."""
    X, y = regression
    judged = []

    def one_step(report):
        judged.append(report["step"])
        before, after = report["before"], report["after"]
        error = X[0] @ before["W"] + before["b"][0] - y[0]
        np.testing.assert_allclose(after["W"], before["W"] - 0.05 * error * X[0], rtol=1e-9)

    trainer._repeat(trainer.make("Linear"), "train", (X[0], y[0], 0.05), 30, one_step)
    assert sorted(judged) == list(range(30))
    with pytest.raises(AssertionError):
        trainer._repeat(trainer.make("JumpsOnce"), "train", (X[0], y[0], 0.05), 30, one_step)
    assert judged[-1] == 19  # the drawn calls (the first six and the last) passed; the 20th did not


@needs_sandbox
def test_the_fresh_worker_finds_nothing_the_training_left(sandboxed_trainer, regression):
    """A refit whose jump is left in /tmp for grad_loss to answer: the training's worker ends before the fresh one
    starts, and the sandbox empties /tmp between them."""
    with pytest.raises(CheckFailed, match="at training step 50 is off"):
        train(sandboxed_trainer, regression, "RefitOnceByAFile")

