"""The student's ``grad_loss`` along whole training runs, asked again in a fresh worker once training is over.

Sampled checks of a run (:meth:`autograder.sandbox.remote.RemoteModule._sgd`) ask ``grad_loss`` in the
worker that trained, whose state is the student's: a ``train`` that refits once at a step left
unchecked, and has ``grad_loss`` answer zeros from then on, keeps every checked step consistent. So the
training worker also reports the parameters the test grades before every step (the trajectory); when the
test's training is over (:meth:`~autograder.sandbox.remote.RemoteModule._check_every_step`), the training
worker is ended, which in the sandbox kills every process it left and empties ``/tmp`` and ``/dev/shm``,
and a :class:`FreshWorker` started after it (it holds nothing the training did: no object, no file, no
thread to ask) is asked, in one request per run and in an order drawn on the trusted side, the student's
``grad_loss`` at each step's parameters and sample. Its model is made by the training model's own
constructor call, given what the test set on it, and holds the graded parameters only, never the rest of
the training model's state. The trusted side then judges every step against these gradients: the run is
SGD with a function of (parameters, sample) alone, and the accuracy it reaches is that function's.

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
    """Steps ``start`` to ``stop - 1`` of a training run of the model ``model`` (its handle's id), to be checked once
    training is over.

    ``made`` is the call that made the model (``(name, args, kwargs)``), ``attributes`` what the test set
    on it, ``path`` the graded parameters before each step and after the last, ``sampled`` the training
    worker's reports of the steps it checked among them.
    """

    model: int
    made: tuple
    attributes: dict
    data: tuple
    path: dict
    start: int
    stop: int
    sampled: list
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
    """A worker of ``session``'s module started anew, with the helpers ``session`` answers here answered again.

    Parameters
    ----------
    session : autograder.sandbox.session.WorkerSession
        The training's session (its worker ended): its sandbox, module, computed pins and evidence.
    """

    def __init__(self, session):
        self.training, self.differed = session, False
        self.models = {}  # a trained model's handle id -> (its fresh twin, {id of a run's data: its handle here})
        self.session = type(session)(session.sandbox, session.module_path, session.module_name,  # (its own kind)
                                     session.missing_message, session.notebook)
        try:
            for pin in session.pins.values():  # helpers answered here in training are answered here again
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
        if not (isinstance(answer, dict) and "parameters" in answer):
            self.session.pins.pop(number, None)

    def gradients(self, run, draws):
        """``grad_loss`` at each step of ``run`` (a :class:`Run`), asked of a model made as the trained one was: a list
        of them by step, or ``{name: array}`` of each graded parameter's gradients by step."""
        model, data = self._made(run)
        samples = [step % len(run.data[0]) for step in range(run.start, run.stop)]
        order = list(range(len(samples)))
        shuffled(order, draws)
        answer, _ = self.session.request(
            {"op": "gradients", "target": model, "data": data, "samples": samples, "order": order,
             "parameters": {name: values[:-1] for name, values in run.path.items()}},
            timeout=run.timeout, what=f"{run.what}: grad_loss asked again at every step")
        gradients = answer.get("each", answer.get("stacked")) if type(answer) is dict and len(answer) == 1 else None
        if not (type(gradients) is list and len(gradients) == len(samples)
                or type(gradients) is dict and list(gradients) == list(run.path)
                and all(isinstance(value, np.ndarray) and value.shape == (len(samples), *run.path[name].shape[1:])
                        for name, value in gradients.items())):
            raise StudentCodeFailed(f"{run.what}: malformed answer from the worker")
        for report in run.sampled:
            step = int(report["step"]) - run.start if isinstance(report, dict) else -1
            if 0 <= step < len(samples):
                self._compare(report, gradients[step] if type(gradients) is list
                              else {name: values[step] for name, values in gradients.items()})
        return gradients

    def _made(self, run):
        """The fresh model and kept data of ``run``: made (and sent) for its model's first run only."""
        if run.model not in self.models:
            name, args, kwargs = run.made
            model, _ = self.session.request({"op": "call", "name": name, "target": None, "args": list(args),
                                             "kwargs": dict(kwargs)}, what=f"{run.what}: making {name} again")
            if type(model) is not wire.Handle:
                raise StudentCodeFailed(f"{run.what}: {name}(...) did not make an object in a fresh worker")
            for attribute, value in run.attributes.items():
                self.session.request({"op": "setattr", "name": attribute, "value": value, "target": model},
                                     what=f"{run.what}: setting {attribute} again")
            self.models[run.model] = (model, {})
        model, kept = self.models[run.model]
        if id(run.data) not in kept:
            kept[id(run.data)], _ = self.session.request({"op": "keep", "value": run.data}, what=run.what)
        return model, kept[id(run.data)]

    def _compare(self, report, gradient):
        """Tell the training session's evidence when ``gradient``, asked here, is not the one of the sampled
        ``report`` (the training worker's, at the same parameters and sample)."""
        given = report.get("gradient") if isinstance(report, dict) else None
        if not (isinstance(given, dict) and isinstance(gradient, dict)):
            return
        for name in given.keys() & gradient.keys():
            try:
                there, here = np.asarray(given[name], dtype=np.float64), np.asarray(gradient[name], dtype=np.float64)
            except (TypeError, ValueError):
                continue
            if there.shape == here.shape and not np.allclose(there, here, rtol=SAME_GRADIENT_RTOL,
                                                             atol=SAME_GRADIENT_ATOL, equal_nan=True):
                if not self.differed:  # once: the first step it differs at says it
                    self.training.evidence.append(STATEFUL_GRADIENT.format(step=int(report["step"]) + 1))
                self.differed = True
                return

    def close(self):
        """End the fresh worker; what its audit hook reported counts as the training session's."""
        self.session.close()
        self.training.evidence.extend(text for text in self.session.evidence if text not in self.training.evidence)
