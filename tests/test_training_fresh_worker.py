"""Training graded by its outcome: the steps checked are checked again against ``grad_loss`` asked in a fresh worker.

A run with graded ``parameters`` (:meth:`autograder.sandbox.remote.RemoteModule._sgd`) keeps the reports of
the steps it checked; once training is over, the training worker is ended and a worker started afresh gives
the student's ``grad_loss`` at those steps' parameters and samples (:mod:`autograder.sandbox.fresh`). Here
the steps checked are always the first six and the last, so that the refit these trainers make at step 50
is never among them: asked in the training worker alone (as on main), every checked step is consistent
(issue 12's open attack, in 04 worth 5 points).
"""
from contextlib import contextmanager

import numpy as np
import pytest
from conftest import needs_sandbox
from test_verdicts import TRAINING_CODE as VERDICTS_TRAINING_CODE
from test_verdicts import regression  # noqa: F401 - the same noisy regression, a fixture

from autograder.sandbox import zygote
from autograder.sandbox.bubblewrap import Bubblewrap
from autograder.sandbox.process import ChildProcess
from autograder.sandbox.remote import RemoteModule
from autograder.sandbox.session import StudentCodeFailed, WorkerSession
from autograder.testing import CheckFailed, assert_sgd_step
from autograder.testing.figures import sgd_curve


# Linear (SGD with its own gradient, keeping nothing but `seen`) is test_verdicts.py's; the trainers below refit once.
TRAINING_CODE = VERDICTS_TRAINING_CODE + """

REFIT_AT = 50  # the step (counted from 1) a trainer below refits at: never one of the steps checked here


class RefitOnceThenStill(Linear):
    '''SGD steps, keeping the samples; at step 50 a refit, then grad_loss answers zeros (a flag of the object's).'''

    def grad_loss(self, x, y):
        if getattr(self, "refitted", False):
            return {"W": np.zeros(3), "b": np.zeros(1)}
        return super().grad_loss(x, y)

    def train(self, x, y, learning_rate):
        self.seen.append((np.array(x), y))
        if len(self.seen) == REFIT_AT:
            X = np.array([[*sample, 1.0] for sample, _ in self.seen])
            solution = np.linalg.lstsq(X, np.array([label for _, label in self.seen]), rcond=None)[0]
            self.W, self.b = solution[:3], solution[3:]
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


class RefitNamingNoParameter(Linear):
    '''A least-squares refit at every step; grad_loss names only an array of the model that no step changes, so
    each step checked moved everything it names by one SGD step (nothing).'''

    def __init__(self):
        super().__init__()
        self.tally = np.zeros(1)

    def grad_loss(self, x, y):
        return {"tally": np.zeros(1)}

    def train(self, x, y, learning_rate):
        self.seen.append((np.array(x), y))
        X = np.array([[*sample, 1.0] for sample, _ in self.seen])
        solution = np.linalg.lstsq(X, np.array([label for _, label in self.seen]), rcond=None)[0]
        self.W, self.b = solution[:3], solution[3:]


class RefitWOnceLeavingItOutInAFreshWorker(Linear):
    '''SGD steps, keeping the samples; at step 50 W is refit and its gradient is zeros from then on (a flag of the
    object's). A model that has seen nothing (a fresh worker's) is given b's gradient alone, which, of (parameters,
    sample) alone, agrees with the training worker's.'''

    def grad_loss(self, x, y):
        gradient = super().grad_loss(x, y)
        if not self.seen:
            return {"b": gradient["b"]}
        if getattr(self, "refitted", False):
            gradient["W"] = np.zeros(3)
        return gradient

    def train(self, x, y, learning_rate):
        self.seen.append((np.array(x), y))
        if len(self.seen) == REFIT_AT:
            X = np.array([[*sample, 1.0] for sample, _ in self.seen])
            self.W = np.linalg.lstsq(X, np.array([label for _, label in self.seen]), rcond=None)[0][:3]
            self.refitted = True
        gradient = self.grad_loss(x, y)
        self.W = self.W - learning_rate * gradient["W"]
        self.b = self.b - learning_rate * gradient["b"]


class ReadAsARefit(Linear):
    '''SGD steps with its own gradient, on the arrays of its instance dict (which the steps checked list); W and b
    read by name answer a least-squares refit of the samples seen instead.'''

    def grad_loss(self, x, y):
        own = vars(self)
        error = x @ own["W"] + own["b"][0] - y
        return {"W": error * x, "b": np.array([error])}

    def train(self, x, y, learning_rate):
        own = vars(self)
        own["seen"].append((np.array(x), y))
        gradient = self.grad_loss(x, y)
        own["W"] = own["W"] - learning_rate * gradient["W"]
        own["b"] = own["b"] - learning_rate * gradient["b"]

    def __getattribute__(self, name):
        if name not in ("W", "b") or not vars(self)["seen"]:
            return object.__getattribute__(self, name)
        seen = vars(self)["seen"]
        X = np.array([[*sample, 1.0] for sample, _ in seen])
        solution = np.linalg.lstsq(X, np.array([label for _, label in seen]), rcond=None)[0]
        return solution[:3] if name == "W" else solution[3:]


class FirstReadARefit(ReadAsARefit):
    '''ReadAsARefit's steps; only the first read of W by name after training answers a least-squares refit, a read
    again the real array (what the last step left).'''

    def train(self, x, y, learning_rate):
        ReadAsARefit.train(self, x, y, learning_rate)
        vars(self)["refit_next"] = True

    def __getattribute__(self, name):
        own = object.__getattribute__(self, "__dict__")
        if name != "W" or not own.get("refit_next"):
            return object.__getattribute__(self, name)
        own["refit_next"] = False
        X = np.array([[*sample, 1.0] for sample, _ in own["seen"]])
        return np.linalg.lstsq(X, np.array([label for _, label in own["seen"]]), rcond=None)[0][:3]


class NoticingDictReads(Linear):
    '''Linear, noting before each step whether its __dict__ was read since the last one: the worker copying its
    arrays, which it did before the steps it checks only.'''

    def __init__(self):
        super().__init__()
        self.watched = []

    def __getattribute__(self, name):
        if name == "__dict__":
            object.__getattribute__(self, "__dict__")["read"] = True
        return object.__getattribute__(self, name)

    def train(self, x, y, learning_rate):
        own = object.__getattribute__(self, "__dict__")
        own["watched"].append(own.pop("read", False))
        Linear.train(self, x, y, learning_rate)


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
        yield RemoteModule(session, "train", judge_step=assert_sgd_step)
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
        sandbox.release()


def train(trainer, regression, kind, parameters=("W", "b")):
    model = trainer.make(kind)
    trainer._sgd(model, *regression, epochs=2, learning_rate=0.05, parameters=parameters)
    trainer._check_in_a_fresh_worker(model)


def test_sgd_with_the_students_own_gradient_passes_in_a_fresh_worker(trainer, regression):
    train(trainer, regression, "Linear")
    assert trainer._session.evidence == []


@pytest.mark.parametrize("kind", ["RefitOnceThenStill", "RefitOnceThenStillByAnArray"])
def test_a_grad_loss_that_answers_by_the_trainings_state_fails_and_needs_review(trainer, regression, kind):
    """The last step, always checked, comes after the refit: the training worker's gradient there (zeros, by a flag
    of the object's) is not the fresh worker's, so that step is no SGD step and the gradient is tamper evidence."""
    train(trainer, regression, kind, parameters=())  # asked in the training worker alone: every step consistent
    assert trainer._session.evidence == []
    with pytest.raises(CheckFailed, match="at training step 80 is off"):
        train(trainer, regression, kind)
    assert trainer._session.evidence == ["the training's own state: grad_loss gave another gradient in a fresh worker "
                                         "for the parameters and sample of training step 80"]


def test_a_grad_loss_of_no_state_is_not_tampering(trainer, regression):
    """Zeros whenever the weights are large is a function of (parameters, sample) alone: it answers the same in a
    fresh worker, so nothing here tells it from a gradient (what the README says a forger must still do)."""
    train(trainer, regression, "RefitOnceThenStillWhenLarge")
    assert trainer._session.evidence == []


def test_a_grad_loss_that_leaves_out_a_graded_parameter_fails_the_training(trainer, regression):
    """A step is judged on the parameters its gradient names: one left out moves as train likes, step after step,
    and the test grades that. Judged alone, each step of RefitNamingNoParameter is one SGD step of what it names."""
    train(trainer, regression, "RefitNamingNoParameter", parameters=())
    with pytest.raises(StudentCodeFailed, match=r"train at training step 1: grad_loss\(x, y\) gave no gradient for "
                                                r"W, b: it must return one per parameter \(W, b\)"):
        train(trainer, regression, "RefitNamingNoParameter")
    assert trainer._session.evidence == []  # a wrong answer, not a reach: the test fails, the assignment counts


def test_a_grad_loss_that_leaves_out_a_parameter_in_a_fresh_worker_fails_and_needs_review(trainer, regression):
    """Named in training (zeros after W's refit at step 50), left out where nothing was seen: judged on b alone the
    fresh worker's answers agree; the parameters named differ from the training worker's, which is its state."""
    with pytest.raises(StudentCodeFailed, match=r"gave no gradient for W: it must return one per parameter"):
        train(trainer, regression, "RefitWOnceLeavingItOutInAFreshWorker")
    assert trainer._session.evidence == ["the training's own state: grad_loss gave another gradient in a fresh worker "
                                         "for the parameters and sample of training step 1"]


def test_graded_parameters_read_other_than_the_last_step_left_fail_and_need_review(trainer, regression):
    """A read of W by name answering a refit, while the steps checked (which list the instance's own arrays) are
    real SGD steps: what the test grades is what it read, so the read must be what the last step left."""
    model = trainer.make("Linear")
    trainer._sgd(model, *regression, epochs=2, learning_rate=0.05, parameters=("W", "b"))
    trainer._check_in_a_fresh_worker(model, dict(zip(("W", "b"), model._read("W", "b"))))
    assert trainer._session.evidence == []

    model = trainer.make("ReadAsARefit")
    trainer._sgd(model, *regression, epochs=2, learning_rate=0.05, parameters=("W", "b"))
    read = dict(zip(("W", "b"), model._read("W", "b")))
    with pytest.raises(StudentCodeFailed, match="W read after training was not what its last step left"):
        trainer._check_in_a_fresh_worker(model, read)
    assert trainer._session.evidence == ["the training's own state: W read after training was not what the last "
                                         "training step left"]


def test_a_training_curve_grades_the_read_the_check_compares(trainer, regression):
    """sgd_curve measures the parameters read after each slice: the last read, the one graded, is the one that must be
    what the last step left. Compared with a read made again, a first read answering a refit was graded unflagged."""
    measured = []

    def evaluate(read):
        measured.append(read["W"])
        return float(np.abs(read["W"]).sum())

    model = trainer.make("Linear")
    sgd_curve(trainer, model, *regression, 2, 0.05, evaluate, pieces=2, parameters=("W", "b"))
    assert len(measured) == 4 and trainer._session.evidence == []

    with pytest.raises(StudentCodeFailed, match="W read after training was not what its last step left"):
        sgd_curve(trainer, trainer.make("FirstReadARefit"), *regression, 2, 0.05, evaluate, pieces=2,
                  parameters=("W", "b"))
    assert trainer._session.evidence == ["the training's own state: W read after training was not what the last "
                                         "training step left"]


def test_train_cannot_tell_a_checked_step_from_another(trainer, regression):
    """A train that knows the steps checked refits at every other one, a real step of its own gradient at those: each
    consistent, the last included (04: 20 of 26 against the honest bug's 15, hostile_refit_where_unwatched). Every
    step is now preceded by a read of the model's __dict__, as a checked one is (its copy of the arrays, a few
    microseconds, is a checked step's alone: README's trust section)."""
    model = trainer.make("NoticingDictReads")
    trainer._sgd(model, *regression, epochs=2, learning_rate=0.05)
    watched = model.watched
    assert len(watched) == 80 and set(watched) == {True}


@needs_sandbox
def test_the_fresh_worker_finds_nothing_the_training_left(sandboxed_trainer, regression):
    """A refit whose jump is left in /tmp for grad_loss to answer: the training's worker ends before the fresh one
    starts, and the sandbox empties /tmp between them."""
    with pytest.raises(CheckFailed, match="at training step 80 is off"):
        train(sandboxed_trainer, regression, "RefitOnceByAFile")
    assert sandboxed_trainer._session.evidence == [
        "the training's own state: grad_loss gave another gradient in a fresh worker for the parameters and sample "
        "of training step 80"]


def counting_starts(session):
    """Count the workers ``session`` starts from now on (a list that grows by one per start)."""
    starts, start = [], session._start

    def counted():
        starts.append(True)
        return start()

    session._start = counted
    return starts


def test_a_check_that_passes_leaves_its_fresh_worker_to_the_next_test(trainer, regression):
    """The fresh worker is the session's next worker: once the check passed, the next test's requests go to it instead
    of a worker started yet again (one fork and import of the module per check saved); it holds none of the test's
    pins (no undoing of them is sent to it)."""
    model = trainer.make("Linear")
    trainer._sgd(model, *regression, epochs=2, learning_rate=0.05, parameters=("W", "b"))
    trainer._session.pinned = True  # as after a test's pins, in the training worker
    starts = counting_starts(trainer._session)
    trainer._check_in_a_fresh_worker(model)
    assert len(starts) == 1 and trainer._session.process is not None and not trainer._session.pinned
    trainer._session.evidence.clear()
    train(trainer, regression, "Linear")  # the next test: it trains in the worker the check left
    assert len(starts) == 2 and trainer._session.evidence == []


def test_a_check_that_fails_ends_its_fresh_worker_and_leaves_the_session_as_it_was(trainer, regression):
    """A failed check ends the worker it asked; the next request starts another and runs, whatever the check met."""
    starts = counting_starts(trainer._session)
    with pytest.raises(CheckFailed, match="at training step 80 is off"):
        train(trainer, regression, "RefitOnceThenStill")
    assert len(starts) == 2 and trainer._session.process is None  # the training's worker, then the check's
    trainer._session.timed_out.add(("gradients", None))
    model = trainer.make("Linear")
    trainer._sgd(model, *regression, epochs=2, learning_rate=0.05, parameters=("W", "b"))
    trainer._session.load_failure = None
    original_load = trainer._session._load

    def failing_load(path, timeout):  # the check's import fails (a module that imports once and not again)
        trainer._session._load = original_load
        trainer._session.load_failure = ("could not import train.py", "", "could not import train.py")
        trainer._session.close()
        from autograder.sandbox.session import ImportFailed
        raise ImportFailed(*trainer._session.load_failure)

    trainer._session._load = failing_load
    with pytest.raises(StudentCodeFailed, match="could not import"):
        trainer._check_in_a_fresh_worker(model)
    assert trainer._session.load_failure is None and trainer._session.timed_out == {("gradients", None)}
    assert trainer.make("Linear") is not None and trainer._session.process is not None  # started afresh, and ran
