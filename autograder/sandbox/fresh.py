"""The student's ``grad_loss`` at a training run's sampled steps, asked again in a fresh worker once training is over.

Sampled checks of a run (:meth:`autograder.sandbox.remote.RemoteModule._sgd`) judge each sampled step
against ``grad_loss`` asked in the worker that trained, whose state is the student's: a ``train`` that
refits once at a step left unsampled, and has ``grad_loss`` answer zeros from then on, keeps every
sampled step consistent. So, where a test grades the run's outcome, it asks again: when the test's
training is over (:meth:`~autograder.sandbox.remote.RemoteModule._check_in_a_fresh_worker`), the training
worker is ended, which in the sandbox kills every process it left and empties ``/tmp`` and ``/dev/shm``,
and a :class:`FreshWorker` started after it (it holds nothing the training did: no object, no file, no
thread to ask) is asked, in an order drawn on the trusted side, the student's ``grad_loss`` at each
sampled step's parameters and sample. Its model is made by the training model's own constructor call,
given what the test set on it, and holds the graded parameters only. Each sampled step is then judged
again against these gradients.

The fresh worker is the training session's next worker: the session starts it after the end, as it starts any
worker after one ended. When the check passes it stays the session's worker, so the next test's requests go to
it (holding the module, the fresh model and the ``grad_loss`` calls asked of it, as a worker holds what earlier
tests left) instead of ending it and starting yet another: one fork and import of the module fewer per check.
When the check fails it is ended, and the session forgets what the check alone met (a time-out, an import that
failed), so that the next test starts a worker afresh and runs what it asks, as when the check had a session of
its own.

Only the sampled steps' parameters cross the channel again (seven per run), so this costs a worker's
start and a few calls, not the run. What a forger must still do: the sampled steps, the run's last
among them, must be steps of a ``grad_loss`` that depends on (parameters, sample) alone, so a refit
has to happen at a step that is not sampled (6 of a run's steps are, at random, under the course
secret) and be followed by real steps of that gradient up to the run's end.

A gradient asked here that differs from the one the training worker gave at a sampled step, for the same
parameters and sample, depends on what training did: that is reported as tamper evidence (``needs
review``), in the training session's :attr:`~autograder.sandbox.session.WorkerSession.evidence`.
"""
import random
from dataclasses import dataclass

import numpy as np

from autograder.sandbox.inside import wire
from autograder.sandbox.pins import Pin
from autograder.sandbox.session import StudentCodeFailed

_UNFORESEEABLE = random.SystemRandom()
# The gradient of a sampled step asked again here may differ from the training worker's by rounding only (the same
# code on the same numbers gives the same bits; a BLAS may sum in another order).
SAME_GRADIENT_RTOL, SAME_GRADIENT_ATOL = 1e-9, 1e-12
STATEFUL_GRADIENT = ("the training's own state: grad_loss gave another gradient in a fresh worker for the "
                     "parameters and sample of training step {step}")


@dataclass
class Run:
    """The sampled steps of a training run of the model ``model`` (its handle's id), to be asked again once training
    is over.

    ``made`` is the call that made the model (``(name, args, kwargs)``), ``attributes`` what the test set
    on it, ``parameters`` the names of the graded parameters, ``reports`` the training worker's reports of
    the sampled steps and ``samples`` each one's ``(x, label)``, as ``train`` was given them.
    """

    model: int
    made: tuple
    attributes: dict
    parameters: tuple
    reports: list
    samples: list
    learning_rate: float
    label: str
    what: str
    timeout: float


def plain(value):
    """Does ``value`` hold nothing of a worker (no handle): can another worker be sent it?"""
    if isinstance(value, wire.Handle):
        return False
    if isinstance(value, (list, tuple)):
        return all(map(plain, value))
    if isinstance(value, dict):
        return all(map(plain, value.values()))
    return True


def shuffled(items, draws):
    """Shuffle ``items`` in place with ``draws.apart()`` (a session's own draws, keyed by the course secret: the same at
    a regrade, unforeseeable without it; drawing from it leaves the steps a run checks next as they were), or, for
    draws without it (the system's randomness, a student's own check), with the system's randomness."""
    apart = getattr(draws, "apart", None)
    (apart() if apart is not None else _UNFORESEEABLE).shuffle(items)


class FreshWorker:
    """The training session's next worker, started anew, with the helpers the session answers here answered again.

    Parameters
    ----------
    session : autograder.sandbox.session.WorkerSession
        The training's session, its worker just ended: its next request starts the fresh worker (its sandbox,
        module, computed pins and evidence are the training's).
    """

    def __init__(self, session):
        self.session, self.differed = session, False
        self.models = {}  # a trained model's handle id -> its fresh twin's handle
        # What the check alone meets is not the session's: its requests run even when one of the same kind timed out
        # earlier, and a time-out or an import that fails here does not stop the next test's requests (see close).
        self.timed_out, session.timed_out = session.timed_out, set()
        session.pinned = False  # the worker started next holds none of the test's pins (its own, below, are undone)
        try:
            for pin in list(session.pins.values()):  # helpers answered here in training are answered here again
                if pin.compute is not None:
                    self._pin(pin)
        except BaseException:
            self.close()
            raise

    def _pin(self, pin):
        number = self.session.add_pin(Pin(pin.name, [], compute=pin.compute, reads=pin.reads, ignore=pin.ignore))
        answer, _ = self.session.request({"op": "pin", "pin": number, "name": pin.name, "target": None,
                                          "state": list(pin.reads), "per_object": bool(pin.reads)},
                                         what=f"preparing {pin.name}")
        self.session.pinned = True  # undone with the test's pins (remote.RemoteModule._unpin) if the worker stays
        if not (isinstance(answer, dict) and "parameters" in answer):
            self.session.pins.pop(number, None)

    def gradients(self, run, draws):
        """``grad_loss`` at each sampled step of ``run`` (a :class:`Run`), asked of a model made as the trained one
        was, in an order drawn from ``draws``: a list of them, by step. A sampled step whose gradient differs from
        the training worker's is told to the training session's evidence."""
        model = self._made(run)
        before = [report.get("before") if isinstance(report, dict) else None for report in run.reports]
        if not (all(isinstance(arrays, dict) and all(isinstance(arrays.get(name), np.ndarray) for name in run.parameters)
                    for arrays in before)
                and all(len({arrays[name].shape for arrays in before}) == 1 for name in run.parameters)):
            raise StudentCodeFailed(f"{run.what}: the graded parameters were not numeric arrays of one shape "
                                    f"throughout training", quarantined=f"{run.what}: a parameter changed its kind")
        order = list(range(len(run.reports)))
        shuffled(order, draws)
        xs, labels = zip(*run.samples)
        answer, _ = self.session.request(
            {"op": "gradients", "target": model, "order": order, "xs": np.stack(xs), "labels": np.stack(labels),
             "parameters": {name: np.stack([arrays[name] for arrays in before]) for name in run.parameters}},
            timeout=run.timeout, what=f"{run.what}: grad_loss asked again at the steps checked")
        if type(answer) is not list or len(answer) != len(run.reports):
            raise StudentCodeFailed(f"{run.what}: malformed answer from the worker")
        for report, gradient in zip(run.reports, answer):
            self._compare(report, gradient)
        return answer

    def _made(self, run):
        """The fresh model of ``run``: made (and given what the test set on it) for its model's first run only."""
        if run.model not in self.models:
            name, args, kwargs = run.made
            model, _ = self.session.request({"op": "call", "name": name, "target": None, "args": list(args),
                                             "kwargs": dict(kwargs)}, what=f"{run.what}: making {name} again")
            if type(model) is not wire.Handle:
                raise StudentCodeFailed(f"{run.what}: {name}(...) did not make an object in a fresh worker")
            for attribute, value in run.attributes.items():
                self.session.send({"op": "setattr", "name": attribute, "value": value, "target": model},
                                  what=f"{run.what}: setting {attribute} again")
            self.models[run.model] = model
        return self.models[run.model]

    def _compare(self, report, gradient):
        """Tell the training session's evidence when ``gradient``, asked here, is not the one of the sampled
        ``report`` (the training worker's, at the same parameters and sample)."""
        given = report.get("gradient") if isinstance(report, dict) else None
        if not (isinstance(given, dict) and isinstance(gradient, dict)):
            return
        if given.keys() != gradient.keys() or any(self._differ(given[name], gradient[name]) for name in given):
            # (a parameter named there and not here is a gradient that answers by where it is asked, too)
            if not self.differed:  # once: the first step it differs at says it
                self.session.evidence.append(STATEFUL_GRADIENT.format(step=int(report["step"]) + 1))
            self.differed = True

    @staticmethod
    def _differ(there, here):
        """Do two answers of one parameter's gradient differ (arrays of other shapes, or values apart)? Values
        that are not numbers are not compared: judging the step refuses them."""
        try:
            there, here = np.asarray(there, dtype=np.float64), np.asarray(here, dtype=np.float64)
        except (TypeError, ValueError):
            return False
        return there.shape != here.shape or not np.allclose(there, here, rtol=SAME_GRADIENT_RTOL,
                                                            atol=SAME_GRADIENT_ATOL, equal_nan=True)

    def done(self):
        """The check passed: the fresh worker stays the session's, for its next requests."""
        self.session.timed_out = self.timed_out

    def close(self):
        """The check failed: end the fresh worker; the next request starts another, and runs (the session's
        time-outs as they were before the check, no import failure remembered from it)."""
        self.session.close()
        self.session.timed_out = self.timed_out
        self.session.load_failure = None  # (the training imported the module: a check's failure to is the check's)
