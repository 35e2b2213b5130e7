"""Proxies that make the student's module, running in the worker, look local to a test.

``student.softmax(X)`` sends ``X`` to the worker, runs the student's ``softmax``
there and returns the decoded result; ``student.NeuralNet(64, 10, 10)`` returns a
:class:`RemoteObject` whose attributes and methods live in the worker. Nothing the
student's code returns is ever more than plain data here.

Grader-only helpers start with an underscore, so they cannot collide with a
student's names: ``_seed``, ``_rng``, ``_sgd``, ``_check_in_a_fresh_worker``, ``_in_a_fresh_worker``, ``_draws``,
``_tampered``, ``_pin``; ``_calls``, ``_read`` and
``_read_each`` make several calls or reads with one wait for the worker (all but the last sent without waiting).
Iterating a :class:`RemoteObject` (a generator a student's function returned, say) reads its items from the worker
one at a time.

Every judgment stays here, on the trusted side: a pin's table never leaves this process
(:mod:`autograder.sandbox.pins`), whether a call changed its arguments is decided by comparing
what was sent with what the worker reports back after the call, and training is checked step
by step at steps the worker cannot foresee, and, where a test names the parameters it grades, those
steps again against ``grad_loss`` asked in a fresh worker once the training is over (:mod:`autograder.sandbox.fresh`).
"""
import copy
import random
import time
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from autograder.sandbox.fresh import FreshWorker, Run, plain
from autograder.sandbox.inside import wire
from autograder.sandbox.pins import Pin
from autograder.sandbox.session import DEFAULT_TIMEOUT, StudentCodeFailed

CHECKED_STEPS = 6  # steps of a training run checked at random, besides its last one
# A training run whose helpers are answered here (_pin_computed) waits on a round trip per helper call, the
# grader's time: its wall-clock bound is this many times longer, while each chunk is still charged the
# sandbox's CPU time up to the run's own timeout.
COMPUTED_PIN_SLACK = 5
# What a test read of the graded parameters once training was over, when it is not what the run's last step left
# (checked, and listed through the object's own attributes): the student's code changed what the test reads since
# (a thread, a property or ``__getattribute__`` answering another value to a read by name), which no SGD code does.
READ_OTHER_THAN_TRAINED = ("the training's own state: {name} read after training was not what the last training "
                           "step left")
# The grader's source is public: its checked steps must not be foreseeable. A session given its own
# draws (``steps_drawn``: keyed by the course secret, see autograder.kit.secret) uses them, so that a regrade
# checks the same steps; otherwise (a student's own check) the system's randomness draws them.
_UNFORESEEABLE = random.SystemRandom()


class Remote:
    """Attributes of a module or object in the worker."""

    def __init__(self, session, handle, label):
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "_handle", handle)
        object.__setattr__(self, "_label", label)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        if self._handle is None:
            self._session.ensure_started()  # (its import names the module's functions)
        # What was once a function (of the module, or of objects of this type) is taken to stay one:
        # the worker is not asked again before each call (a round trip per call saved). A student's code
        # that rebinds it to something else has the call fail in the worker instead.
        if self._callable_key(name) in self._known_callables():
            return self._function(name)
        value, _ = self._session.request(self._reading(name), what=f"reading {self._label}.{name}")
        return self._attribute(name, value)

    def _known_callables(self):
        """The ``(type or None, name)`` of every attribute the worker has answered is a function, for this session."""
        return self._session.callables

    def _callable_key(self, name):
        return (None if self._handle is None else self._handle.type, name)

    def _function(self, name):
        label = name if isinstance(self, RemoteModule) else f"{self._label}.{name}"
        return RemoteFunction(self._session, self._handle, name, label)

    def _reading(self, name):
        return {"op": "getattr", "name": name, "target": self._handle}

    def _attribute(self, name, value):
        """What reading ``name`` gives, for the worker's answer ``value``: a function stays in the worker."""
        if isinstance(value, dict) and value == {"callable": True}:
            self._known_callables().add(self._callable_key(name))
            return self._function(name)
        return wrap(self._session, value)

    def _read(self, *names):
        """``[getattr(self, name) for name in names]``, with one wait for the worker instead of one per name.

        The reads run in turn in the worker, as they would one by one; the first that fails raises
        as it would have alone.
        """
        answers = self._session.together([(self._reading(name), f"reading {self._label}.{name}", DEFAULT_TIMEOUT)
                                           for name in names])
        return [self._attribute(name, value) for name, (value, _) in zip(names, answers)]

    def _read_each(self, *names):
        """``getattr(self, name)`` for each of ``names`` in turn (a generator), read with one wait for the worker.

        A read that failed raises when its turn comes: a test that checks each value before it takes the
        next fails as it would have reading them one by one (the reads after the failed one ran, unused).
        """
        try:
            values, error = self._read(*names), None
        except StudentCodeFailed as failure:
            values, error = [self._attribute(name, value) for name, (value, _) in zip(names, failure.answered)], failure
        yield from values
        if error is not None:
            raise error

    def __setattr__(self, name, value):
        if self._handle is not None:
            self._session.remember(self._handle, name, value)  # the state a pin of this object answers for
        # Sent without waiting for the acknowledgement; an error is raised with the next request.
        self._session.send({"op": "setattr", "name": name, "value": unwrap(value), "target": self._handle},
                           what=f"setting {self._label}.{name}")


class RemoteObject(Remote):
    def __repr__(self):
        return f"<student's {self._label} in the worker>"

    def __iter__(self):
        """Its items, read lazily: one request per item (bound the loop: it may never end)."""
        while True:
            answer, _ = self._session.request({"op": "next", "target": self._handle},
                                              what=f"iterating over a {self._label}")
            if type(answer) is not tuple or len(answer) != 2 or type(answer[0]) is not bool:
                raise StudentCodeFailed(f"iterating over a {self._label}: malformed answer from the worker")
            for observer in ITEM_OBSERVERS:
                observer(self._handle, answer[1] if answer[0] else None, not answer[0])
            if not answer[0]:
                return
            yield wrap(self._session, answer[1])

    def __call__(self, *args, **kwargs):
        return RemoteFunction(self._session, self._handle, "__call__", f"{self._label}.__call__")(*args, **kwargs)


class RemoteModule(Remote):
    """The student's module for one assignment."""

    def __init__(self, session, module_name, judge_step=None, undefined=None):
        object.__setattr__(self, "_unchecked", [])  # runs of _sgd whose sampled steps are to be asked again
        super().__init__(session, None, module_name)
        object.__setattr__(self, "_judge_step", judge_step)
        # undefined(name): what the student is told when the module defines no ``name`` (set by the grader, which
        # knows whether it came from a module or a notebook); None: the worker's AttributeError, as it is
        object.__setattr__(self, "_undefined", undefined)

    def __getattr__(self, name):
        try:
            return super().__getattr__(name)
        except StudentCodeFailed as error:
            # A plain AttributeError without a line of the module: the module has no such name (a module-level
            # __getattr__ that raised would name its line). "module 'softmax' has no attribute 'softmax'" says
            # nothing of why: a function renamed, or a notebook cell left out for a syntax error.
            if self._undefined is None or error.quarantined != f"reading {self._label}.{name} raised AttributeError":
                raise
            raise StudentCodeFailed(self._undefined(name)) from None

    def _seed(self, seed):
        """``np.random.seed(seed)`` in the worker."""
        self._session.send({"op": "seed", "seed": seed}, what="seeding")

    def _rng(self, seed):
        """``np.random.default_rng(seed)`` made in the worker, for the student's functions that take a Generator."""
        session = self._session
        session.generators += 1  # its handle, named here: the request is sent without waiting for an answer
        handle = wire.Handle(-session.generators, "Generator")
        session.generator_seeds[handle.id] = seed
        session.send({"op": "rng", "seed": seed, "handle": handle.id}, what="making a random generator")
        return wrap(session, handle)

    def _calls(self, calls):
        """The values of ``calls``, ``[(function, args, kwargs)]`` (functions of this worker's module or objects), made in turn.

        One wait for the worker instead of one per call: all but the last are sent without waiting. Each
        call is the same request, judged the same way, as ``function(*args, **kwargs)``; the first that
        fails raises as it would have alone (the calls after it have run in the worker, unused).
        """
        made = [(function, *function._call(args, kwargs)) for function, args, kwargs in calls]
        try:
            answers = self._session.together([(message, function.label, function.timeout)
                                              for function, _, message in made])
        except StudentCodeFailed as error:
            if getattr(error, "constructor", False):  # an earlier constructor's: none of these calls was made
                raise
            for (function, call, _), (value, after) in zip(made, error.answered):  # as observed one by one
                function._answered(call, value, after)
            made[error.failed_at][1].error = error
            _observed(made[error.failed_at][1])
            raise
        values = []
        for (function, call, _), (value, after) in zip(made, answers):
            function._answered(call, value, after)
            values.append(wrap(self._session, value))
        return values

    def _sgd(self, model, X, y, epochs, learning_rate, parameters=(), timeout=60.0):
        """Run ``epochs`` passes of per-sample ``model.train`` in the worker, checking steps on the way.

        At a few steps drawn here at random, and at the last one, the worker reports the model's
        arrays before and after the step and the student's own ``grad_loss`` at the parameters
        before it; each is given to ``judge_step`` (set by the grader: it raises when the change is
        not one SGD step with that gradient). With ``parameters`` (the names of those the test grades)
        and ``judge_step`` set, those reports are kept here until :meth:`_check_in_a_fresh_worker` judges
        the same steps against ``grad_loss`` asked again in a fresh worker. ``timeout`` bounds the whole
        run (and, as much again, the fresh worker's gradients).
        """
        what = f"training {model._label} ({epochs} epoch(s) of {model._label}.train)"
        label = f"{model._label}.train"
        again = bool(parameters) and self._judge_step is not None
        if again:
            self._session.flush()  # a constructor sent without waiting: its answer tells what made the model
            made = self._session.made.get(model._handle.id)
            attributes = {name: value for name, value in self._session.attributes.get(model._handle.id, {}).items()
                          if name not in parameters and plain(value)}
            if made is None or not plain(made):
                raise StudentCodeFailed(f"{what}: the model was not made by a call of the module with plain "
                                        f"arguments, so its training cannot be checked")
        reports = []
        for report in self._checked_run({"op": "sgd", "target": model._handle, "learning_rate": learning_rate},
                                        (X, y), epochs * len(X), timeout, what):
            if self._judge_step is not None:
                self._judge(report, learning_rate, label, parameters)
            reports.append(report)
        if again:  # (a run that failed is judged by its failure: none of it is kept)
            samples = [(X[report["step"] % len(X)], y[report["step"] % len(X)]) for report in reports]
            self._unchecked.append(Run(model._handle.id, made, attributes, tuple(parameters), reports, samples,
                                       learning_rate, label, what, timeout))

    def _check_in_a_fresh_worker(self, model, read=None):
        """Judge the sampled steps of the runs of ``model`` that :meth:`_sgd` kept again, against ``grad_loss`` asked
        in a fresh worker, once the test's training is over. Those of other models (an earlier attempt of the test's
        that failed) are dropped.

        ``read`` (``{name: array}``) is what the test read of the graded parameters once training was over: it
        must be what the last step left, as that step's report listed it; anything else is tamper evidence
        (:data:`READ_OTHER_THAN_TRAINED`) and fails the test, for the values graded would not be those trained.

        The training worker is ended first (in the sandbox, every process it left is killed and ``/tmp`` and
        ``/dev/shm`` emptied), then the session's next worker, started afresh, gives ``grad_loss`` at each sampled
        step (:mod:`autograder.sandbox.fresh`), and ``judge_step`` raises at the first step that is not one SGD step
        with it. A check that passes leaves that worker to the session's next requests, as any worker started after
        an end is left (one start of a worker fewer per check); one that fails ends it.
        """
        runs = [run for run in self._unchecked if run.model == model._handle.id]
        self._unchecked.clear()
        if not runs:
            return
        if read is not None:
            self._assert_read_as_trained(runs[-1], read)
        self._session.close()
        fresh = FreshWorker(self._session)
        draws = getattr(self._session, "steps_drawn", None) or _UNFORESEEABLE
        try:
            for run in runs:
                for report, gradient in zip(run.reports, fresh.gradients(run, draws)):
                    self._judge({**report, "gradient": gradient}, run.learning_rate, run.label, run.parameters)
        except BaseException:
            fresh.close()
            raise
        fresh.done()

    def _judge(self, report, learning_rate, label, parameters):
        """Give a checked step's ``report`` to ``judge_step``, once its gradient is known to name every one of the
        ``parameters`` the test grades.

        ``judge_step`` checks each parameter the gradient names: one it leaves out would move as ``train`` likes (a
        least-squares refit at every step, say) with no step to answer for it, and the test would grade its outcome.
        """
        gradient = report.get("gradient") if isinstance(report, dict) else None
        missing = [name for name in parameters if not (isinstance(gradient, dict) and name in gradient)]
        if missing and isinstance(gradient, dict):
            step = report.get("step")
            at = f" at training step {int(step) + 1}" if isinstance(step, int) else ""
            raise StudentCodeFailed(
                f"{label}{at}: grad_loss(x, y) gave no gradient for {', '.join(missing)}: it must return one per "
                f"parameter ({', '.join(parameters)}), and train must step each against its gradient")
        self._judge_step(report, learning_rate, label)

    @contextmanager
    def _in_a_fresh_worker(self):
        """This module in a worker started afresh, for a test's calls once its training is over.

        The worker that trained is ended first (in the sandbox, every process it left is killed and ``/tmp`` and
        ``/dev/shm`` emptied), so the fresh worker holds nothing the training did; the helpers answered here in the
        test are answered there again, and what its audit hook reports counts as this session's evidence
        (:class:`~autograder.sandbox.fresh.FreshWorker`). The fresh worker is the session's next one: when the block
        ends without raising (the check passed), it stays the session's worker for the next test's requests, as
        :meth:`_check_in_a_fresh_worker` leaves its own (one fork and import of the module fewer per check); when the
        block raises (the check failed), it is ended, and the session's next request starts another.
        """
        self._session.close()
        fresh = FreshWorker(self._session)
        # Its calls are the grader's check, not the test's: no diagnosis or fingerprint is made of them (they take
        # arguments drawn afresh, which would make `autograder generate` write other bytes each time).
        observers, CALL_OBSERVERS[:], items, ITEM_OBSERVERS[:] = CALL_OBSERVERS[:], [], ITEM_OBSERVERS[:], []
        try:
            yield RemoteModule(fresh.session, self._label, undefined=self._undefined)
        except BaseException:
            fresh.close()
            raise
        finally:
            CALL_OBSERVERS[:], ITEM_OBSERVERS[:] = observers, items
        fresh.done()

    def _draws(self):
        """A ``random.Random`` for a test's checks of a training call: keyed by the course secret, the student and the
        module's digest (the same at a regrade, unforeseeable without the secret), or the system's randomness for a
        student's own check."""
        apart = getattr(getattr(self._session, "steps_drawn", None), "apart", None)
        return apart() if apart is not None else _UNFORESEEABLE

    def _tampered(self, words):
        """Tell ``words`` (the grader's, naming what the student's code did) to the session's tamper evidence."""
        if words not in self._session.evidence:
            self._session.evidence.append(words)

    def _assert_read_as_trained(self, run, read):
        """Raise, and tell the session's evidence, when a graded parameter in ``read`` is not what ``run``'s last step
        left (its report's ``after``)."""
        after = run.reports[-1].get("after") if isinstance(run.reports[-1], dict) else None
        for name, value in read.items():
            left = after.get(name) if isinstance(after, dict) else None
            if not (isinstance(left, np.ndarray) and isinstance(value, np.ndarray) and left.shape == value.shape
                    and left.dtype.kind in "biuf" and value.dtype.kind in "biuf"
                    and np.array_equal(left.astype(np.float64), value.astype(np.float64), equal_nan=True)):
                words = READ_OTHER_THAN_TRAINED.format(name=name)
                if words not in self._session.evidence:
                    self._session.evidence.append(words)
                raise StudentCodeFailed(f"{run.what}: {name} read after training was not what its last step left")

    def _repeat(self, model, name, args, times, judge, timeout=60.0):
        """Call ``model.name(*args)`` ``times`` times in the worker (full-batch training), checking calls on the way.

        At a few calls drawn here at random, and at the last one, the worker reports the
        model's arrays before and after the call; ``judge(report)`` (the test's) raises when
        the change is not what one call must do.
        """
        what = f"{times} call(s) of {model._label}.{name}"
        for report in self._checked_run({"op": "repeat", "target": model._handle, "name": name}, tuple(args),
                                        times, timeout, what):
            judge(report)

    def _checked_run(self, request, data, total, timeout, what):
        """Run ``request``'s ``total`` steps on ``data`` in the worker, checking some; yield the worker's reports.

        The steps checked are drawn here; the worker gets them all with one request, and the training
        data once per worker while the same data comes again (it trains each run on a fresh copy of it,
        as on data sent afresh). While helpers are answered here (_pin_computed), each check is a request
        of its own instead, on data sent for this run: ``timeout`` bounds the whole run's wall-clock time
        (:data:`COMPUTED_PIN_SLACK` times that then) and each request's charged time.
        """
        computed = any(pin.compute is not None for pin in self._session.pins.values())
        deadline = time.monotonic() + timeout * (COMPUTED_PIN_SLACK if computed else 1)
        if computed:
            data, _ = self._session.request({"op": "keep", "value": data}, what=what)
        else:
            data = self._kept(data, what)
        if total <= 0:
            return
        draws = getattr(self._session, "steps_drawn", None) or _UNFORESEEABLE
        checked = sorted(draws.sample(range(total - 1), min(CHECKED_STEPS, total - 1)) + [total - 1])
        runs = [[step] for step in checked] if computed else [checked]
        start = 0
        for checks in runs:
            answer, _ = self._session.request({**request, "data": data, "start": start, "checks": checks,
                                               "fresh": not computed},
                                              timeout=min(max(deadline - time.monotonic(), 0.001), timeout),
                                              what=what)
            reports, error = self._reports(answer, len(checks), what)
            yield from reports
            if error is not None:
                raise error
            start = checks[-1] + 1

    def _kept(self, data, what):
        """A handle to ``data`` kept in the worker: sent when this worker does not hold the very same data yet."""
        session = self._session
        session.flush()  # a request sent without waiting may replace the worker, and its kept data with it
        generation, kept = session.kept
        if session.process is not None and generation == session.generation:
            for handle, value in kept:
                if same_data(value, data):
                    return handle
        handle, _ = session.request({"op": "keep", "value": data}, what=what)
        if generation != session.generation:  # what another worker held is gone
            kept = []
            session.kept = (session.generation, kept)
        kept.append((handle, copy.deepcopy(data)))  # as sent: a test that changes its data later sends it again
        return handle

    def _reports(self, answer, checks, what):
        """The reports of a checked run's answer (:meth:`_checked_run`), and the error it ended in or None."""
        if (type(answer) is not dict or type(answer.get("reports")) is not list or not answer.keys() <= {"reports", "error"}
                or len(answer["reports"]) != checks and "error" not in answer
                or not 0 < len(answer["reports"]) < checks and "error" in answer):
            raise StudentCodeFailed(f"{what}: malformed answer from the worker")
        if "error" not in answer:
            return answer["reports"], None
        error = self._session.failure(answer["error"], what)
        if error.broke_protocol:
            self._session.close()  # its genuine answer may still be on the way: only a fresh worker is in step
        return answer["reports"], error

    def _pin(self, name, table, target=None, ignore=(), once=False):
        """Make ``name`` (on the module or on ``target``) answer from ``table``: ``[(args, kwargs, output)]``.

        The table stays here; for a method, the pin answers only while ``target`` holds the
        attributes the grader set on it. A student without ``name`` is tested without the pin.
        The arguments named in ``ignore`` take no part in the match (a Generator, which no table can
        hold); with ``once``, each entry answers one call, so identical calls get the outputs in turn.
        """
        handle = target._handle if target is not None else None
        state = dict(self._session.attributes.get(handle.id, {})) if handle is not None else {}
        pin = Pin(name, [(list(args), dict(kwargs), output) for args, kwargs, output in table], state,
                  ignore=tuple(ignore), once=once)
        number = self._session.add_pin(pin)

        def answered(value, _):
            if isinstance(value, dict) and "parameters" in value:
                pin.parameters = value["parameters"]
            else:
                self._session.pins.pop(number, None)  # the student has no such function: nothing to answer

        self._session.send({"op": "pin", "pin": number, "name": name, "target": handle, "state": sorted(state)},
                           what=f"preparing {name}", on_answer=answered)
        self._session.pinned = True

    def _pin_computed(self, name, function, reads=(), ignore=()):
        """Make every call of the module's ``name`` with plain numbers answer ``function``'s value, computed here.

        For a training run, whose helpers are called thousands of times with values no table can
        foresee; each call is a round trip, so tests retry a failed run this way rather than pin
        every run (:func:`autograder.testing.helper_bugs.unless_helpers_are_to_blame`). With
        ``reads``, ``name`` is a method (``"NeuralNet.forward"``), pinned for every object of its
        class, and ``function`` is given first the attributes so named of the object called, as it
        holds them at that call. The arguments named in ``ignore`` (``function``'s names for them)
        need not be numbers: a Generator, say, which reaches ``function`` as a handle.
        """
        pin = Pin(name, [], compute=function, reads=tuple(reads), ignore=tuple(ignore))
        number = self._session.add_pin(pin)

        def answered(value, _):
            if not (isinstance(value, dict) and "parameters" in value):
                self._session.pins.pop(number, None)  # the student has no such function: nothing to answer

        self._session.send({"op": "pin", "pin": number, "name": name, "target": None, "state": list(reads),
                            "per_object": bool(reads)}, what=f"preparing {name}", on_answer=answered)
        self._session.pinned = True

    def _unpin(self):
        """Undo every pin; the grader does this after each test."""
        self._session.forget_pins()
        if self._session.pinned and self._session.process is not None:
            # Not waited for: a worker that cannot undo its pins is replaced before its next request.
            self._session.send({"op": "unpin"}, what="undoing pins", restart_on_error=True)
        self._session.pinned = False


@dataclass
class StudentCall:
    """One call of the student's code, as the trusted side saw it: what was sent and what came back.

    ``args`` and ``kwargs`` are the values sent (objects of the worker as :class:`wire.Handle`);
    ``value``, ``after`` and ``after_kwargs`` the result and the arguments as they were after the
    call, or ``error`` the :class:`StudentCodeFailed` it ended in.
    """

    name: str
    target: object
    args: tuple
    kwargs: dict
    value: object = None
    after: list = None
    after_kwargs: dict = None
    error: Exception = None


#: Callables told of every :class:`StudentCall` (the runner's known-bug matching); none by default.
CALL_OBSERVERS = []
#: Callables told ``(handle, item, ended)`` of every item read from a student's object by iterating it (a generator a
#: student's function returned: what it yielded is what that call gave); none by default.
ITEM_OBSERVERS = []


class RemoteFunction:
    """A function or method in the worker."""

    def __init__(self, session, handle, name, label, timeout=DEFAULT_TIMEOUT):
        self.session, self.handle, self.name, self.label, self.timeout = session, handle, name, label, timeout

    def call_tracking_mutation(self, *args, **kwargs):
        """Call, and also return the positions of the arguments the call changed in place.

        The worker sends the arguments back as they are after the call; they are compared here
        with what was sent (keyword arguments count by their names).
        """
        call, message = self._call(args, kwargs)
        try:
            value, after = self.session.request(message, timeout=self.timeout, what=self.label)
        except StudentCodeFailed as error:
            if not getattr(error, "constructor", False):  # (a constructor's, raised here: this call never was)
                call.error = error
                _observed(call)
            raise
        self._answered(call, value, after)
        mutated = [position for position, (sent, now) in enumerate(zip(args, call.after)) if changed(sent, now)]
        if kwargs:
            mutated += [name for name, sent in kwargs.items() if changed(sent, call.after_kwargs.get(name))]
        return wrap(self.session, value), mutated

    def _call(self, args, kwargs):
        """The :class:`StudentCall` of a call with ``args`` and ``kwargs``, and its request."""
        sent_args = list(map(unwrap, args))
        sent_kwargs = {k: unwrap(v) for k, v in kwargs.items()} if kwargs else {}
        return StudentCall(self.name, self.handle, sent_args, sent_kwargs), {
            "op": "call", "name": self.name, "target": self.handle, "track": True, "args": sent_args,
            "kwargs": sent_kwargs}

    def _answered(self, call, value, after):
        """Record the worker's answer to ``call`` (its value, the arguments after it) and tell the observers."""
        after_args, after_kwargs = after.get("after"), after.get("after_kwargs")
        if type(after_args) is not list or len(after_args) != len(call.args) or type(after_kwargs) is not dict:
            raise StudentCodeFailed(f"{self.label}: malformed answer from the worker")
        call.value, call.after, call.after_kwargs = value, after_args, after_kwargs
        if type(value) is wire.Handle and call.target is None:
            self.session.made[value.id] = (call.name, call.args, call.kwargs)
        _observed(call)

    def __call__(self, *args, **kwargs):
        if self.handle is None and self.name in self.session.classes:
            return self._construct(args, kwargs)
        return self.call_tracking_mutation(*args, **kwargs)[0]

    def _construct(self, args, kwargs):
        """An object of the module's class ``name``, made with one wait fewer: its constructor is sent without waiting.

        Its handle is named here (as :meth:`RemoteModule._rng` names a Generator's), and the worker keeps the object
        under it, so that the test's next requests can name it and go behind the constructor, answered with one wait.
        The constructor's answer is checked when it arrives, before theirs are taken: an error (it raised, hung,
        exited) is raised then, the same error, failing the same test (at the next request or at the test's end:
        :meth:`WorkerSession.send`), and the requests behind it, run in the worker on a handle it does not hold, are
        not the test's (their answers are dropped, a call among them is not observed). The call is observed when its
        answer or error arrives, before anything after it. An object of another class than its name (the student's
        ``__init__`` changed its class) is renamed here, for what is asked of it next.
        """
        session = self.session
        session.generators += 1  # (the handles named here, Generators' too: -1, -2...; the worker checks it is new)
        handle = wire.Handle(-session.generators, self.name)
        call, message = self._call(args, kwargs)
        message["bind"] = handle.id
        made = RemoteObject(session, handle, self.name)
        told = []  # the call was observed already (or its answer was malformed, which a call awaited never observes)

        def answered(value, after):
            told.append(True)
            self._answered(call, value, after)
            if type(value) is wire.Handle and value.id == handle.id and value.type != handle.type:
                object.__setattr__(made, "_handle", value)
                object.__setattr__(made, "_label", value.type)

        def failed(error):
            error.constructor = True  # raised by a later request on its behalf: that one's call never was
            if not told:
                told.append(True)
                call.error = error
                _observed(call)

        try:
            session.send(message, what=self.label, on_answer=answered, on_error=failed, timeout=self.timeout)
        except StudentCodeFailed as error:  # (the worker could not start, or the constructor was waited for)
            failed(error)
            raise
        return made

    def with_timeout(self, seconds):
        return RemoteFunction(self.session, self.handle, self.name, self.label, seconds)


def _observed(call):
    for observer in CALL_OBSERVERS:
        observer(call)


def same_data(kept, data):
    """Is ``data`` the very plain data ``kept`` is, down to types, dtypes, shapes and every byte (zeros' signs too)?"""
    if type(data) is not type(kept):
        return False
    if isinstance(kept, np.ndarray):
        return data.shape == kept.shape and data.dtype == kept.dtype and data.tobytes() == kept.tobytes()
    if isinstance(kept, (list, tuple)):
        return len(data) == len(kept) and all(map(same_data, kept, data))
    if isinstance(kept, dict):
        return list(data) == list(kept) and all(same_data(kept[key], data[key]) for key in kept)
    return repr(data) == repr(kept)


def changed(sent, now):
    """Did a call change the argument ``sent`` in place, given ``now``, the worker's account of it after the call?

    Arrays, and lists, tuples and dicts (which may hold arrays), must come back identical: types,
    shapes, dtypes and every byte, NaNs included. Anything else cannot be changed by a call.
    """
    if not isinstance(sent, (np.ndarray, list, tuple, dict)):
        return False
    return _differs(sent, now)


def _differs(sent, now):
    if type(now) is not type(sent):
        return True
    if isinstance(sent, np.ndarray):
        return now.shape != sent.shape or now.dtype != sent.dtype or now.tobytes() != sent.tobytes()
    if isinstance(sent, (list, tuple)):
        return len(now) != len(sent) or any(map(_differs, sent, now))
    if isinstance(sent, dict):
        return now.keys() != sent.keys() or any(_differs(sent[key], now[key]) for key in sent)
    if isinstance(sent, (float, np.floating)) and sent != sent and now != now:
        return False  # NaN stays NaN
    return bool(now != sent)


def wrap(session, value):
    if isinstance(value, wire.Handle):
        return RemoteObject(session, value, value.type)
    return value


def unwrap(value):
    return value._handle if isinstance(value, RemoteObject) else value
