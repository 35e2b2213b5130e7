"""The worker: the process that runs a student's code on the grader's behalf.

It is started by :mod:`autograder.sandbox.session` (inside the sandbox when there is
one) with three pipe file descriptors, reads requests from the first, answers on the
second and the third (the log, below), and never decides anything: the trusted side compares and scores. Its
own stdout and stderr belong to the student's prints.

Requests are dicts with an ``"op"``:

``load``     import the student's module from ``path``; the answer names its public functions (and
             classes: every public attribute ``getattr`` would answer ``{"callable": true}`` for),
             ``{"callables": [...], "classes": [...]}``: ``classes`` are those of them whose call makes
             an object of that very class or raises, as far as the module's text goes (a class of that
             name, without a metaclass or a ``__new__`` of its own), whose objects a test may name
             before the call is answered (``bind``).
``call``     call ``name`` (dotted) on the module or on a worker object ``target``; with ``track``,
             the answer also carries the arguments as they are after the call (``after``,
             ``after_kwargs``): the trusted side compares them with what it sent. With ``bind`` (a
             new negative number the trusted side chose, as for ``rng``), an object the call returns
             is kept under that number instead of the next one (the numbers of later objects are
             the same either way), so that the requests sent behind it, unanswered, can name it;
             the answer says what came back, and the trusted side checks it.
``getattr``  read an attribute; callables come back as ``{"callable": true}``.
``setattr``  set an attribute of a worker object (a model's ``W``, say).
``seed``     ``np.random.seed(seed)``.
``rng``      ``np.random.default_rng(seed)``, kept here under the (negative) ``handle`` the trusted side
             chose, so that it need not wait for the answer; tests pass it to the student's functions
             that take a Generator, and call it (``rng.random()``) to see what the student's code drew.
``next``     the next item of a worker object iterated (``iter`` of it, once): ``(True, item)``, or
             ``(False, None)`` when it is exhausted; a generator a student's function returned is
             read lazily, one item per request.
``keep``     keep a value (a training set) here; the answer is a handle to it.
``sgd``      per-sample SGD steps from ``start`` to the last of ``checks`` (counted over the epochs) of
             ``target.train(x, y, learning_rate)`` on a kept ``(X, y)`` (with ``fresh``, on a copy made
             for this request: what the student's code changes in it is gone at the next one); each
             step of ``checks`` is reported: the model's arrays before and after it, and the student's
             own ``grad_loss(x, y)`` at the parameters before it (asked after the step; and every step,
             checked or not, reads the model's ``__dict__`` first, which a ``__getattribute__`` of the
             student's sees, so that no code of the student's is told a checked step before ``train`` runs;
             the copy of the arrays is a checked step's alone, a few microseconds a ``train`` could time).
             The answer is ``{"reports": [...]}``; when the
             student's code raises after a step was reported, ``{"reports": [...], "error": ...}`` (the
             error as an error answer gives it), so that the trusted side judges the steps that ran
             first, as it would have one request per check. The trusted side judges the steps.
``gradients`` the student's ``grad_loss`` of ``target`` at a run's sampled steps, asked in the ``order`` given:
             step ``i`` gives the model ``parameters[name][i]`` and asks ``grad_loss(xs[i], labels[i])``
             (:mod:`autograder.sandbox.fresh`, which asks a fresh worker); the answer is the gradients by step.
``repeat``   calls from ``start`` to the last of ``checks`` of a method on kept arguments (full-batch
             training; ``fresh`` as for ``sgd``); the model's arrays before and after each call of
             ``checks`` are reported (every call reads the model's ``__dict__`` first, as ``sgd``'s steps
             do), answered as ``sgd`` is.
``pin``      replace ``name`` by a stub that asks the trusted side, for the arguments it is
             actually called with (and the ``state`` attributes of its object), whether the
             grader has a reference answer; the answer is the signature of the student's
             function, or ``{"absent": true}`` when the student does not have it (no pin then).
             An argument that is not plain data (a Generator) reaches the trusted side as a handle.
             With ``per_object``, ``name`` is a method of a class (``NeuralNet.forward``), pinned
             for all its objects: the ``state`` sent is that of the object it is called on.
``unpin``    undo every pin (the grader does after each test).

Answers go in order, each as soon as its request is done. The answer to a request with another
one behind it already here (a setattr or a pin sent without waiting, say) goes on the **log**
(``log_fd``), a pipe the trusted side reads only when something on the answer channel wakes it, or
when it looks again while waiting: so it is not woken once per answer, and what is on the log,
written at once, still tells it which requests were done when the worker died or hung. An answer of
None is the acknowledgement's bytes; another one goes behind a mark (``here``), in the same write;
one too large for a write that a pipe never splits is announced on the log (``note``) and written
on the answer channel: the notes place those answers among the log's.

Every answer carries the ``key`` the load request brought (kept in :func:`serve`'s locals, where
the student's code cannot look without an audited reach for frames or the garbage collector): an
answer without it was written by the student's code on the channel, and the trusted side refuses it.
Nothing of the worker that graded code holds leads here without one: a pinned stub is defined in a
module of its own and asks through a generator's ``send`` (:func:`asking`), so is a handle's class
(:mod:`autograder.sandbox.inside.handles`), ``__subclasses__`` leaves the worker's classes out and an audit hook of the
student's is refused (:mod:`autograder.sandbox.inside.guards`), and a signal handler (handed the running frame) is
itself an audited reach (:mod:`autograder.sandbox.inside.signals`).

Answers are ``{"ok": value}`` (with ``"warnings": ["Category: message", ...]`` when a ``call`` or
``sgd`` raised warnings: the trusted side decides which of them fail a test) or
``{"error": {"type", "message", "traceback", "line"}}``;
an error the grader's limits or sandbox caused is explained in plain words. While a request
runs, the worker may also send ``{"callback": question}`` (a stub's question, answered by
``{"answer": value}`` or ``{"own": true}``: run the student's own function) and
``{"evidence": text}`` (:mod:`autograder.sandbox.inside.tamper`).

Graded code may use numpy and the standard library only: before any student code runs, imports of
scikit-learn, SciPy, matplotlib and the like are answered with placeholders that raise when used
(:mod:`autograder.sandbox.inside.contract`).

Nothing the student's code starts outlives the request that started it: the worker adopts
every orphan of its descendants (it is their subreaper) and kills them all before it answers,
and a forked copy of the worker that returns to its loop exits instead of answering.
"""
import errno
import inspect
import os
import signal
import sys
import traceback
import warnings

import numpy as np

# (contract and signals serve() alone uses, imported here all the same: the zygote imports this module for every worker)
from autograder.sandbox.inside import contract, guards, own_builtins, signals, stubs, tamper, wire
from autograder.sandbox.inside.limits import MEMORY_BYTES, MESSAGE_CHARS, OUTPUT_BYTES, TRACEBACK_CHARS
from autograder.sandbox.inside.loading import load_module

GRADER_FOLDER = os.path.dirname(os.path.abspath(__file__)) + os.sep
LOG_WRITE_BYTES = 4096  # a write to the log never larger than PIPE_BUF (POSIX: at least 512, Linux 4096): never split
NETWORK_ERRORS = {errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ECONNRESET, errno.ECONNABORTED,
                  errno.EADDRNOTAVAIL, errno.ENETDOWN, errno.ETIMEDOUT}

# What the worker reports to the trusted side (arguments after a call, a model's arrays around a
# checked step) is read with these, bound before any student code runs: patching numpy or the builtins (this
# module looks them up in its own copy, below) later changes what the student's code sees, not what the worker reports.
_ndarray, _copy, _copyto = np.ndarray, np.ndarray.copy, np.copyto
_MUTABLE = (np.ndarray, list, tuple, dict)  # what a call can change in place (a tuple may hold arrays)
_catch_warnings, _simplefilter, _errstate = warnings.catch_warnings, warnings.simplefilter, np.errstate
MAX_WARNINGS = 5  # distinct warnings reported per request: one names the problem, a flood says nothing more
_default_rng = np.random.default_rng
# The children reaped and killed, and whether this process is the worker, asked the same way.
_getpid, _waitpid, _kill, _listdir, _exit = os.getpid, os.waitpid, os.kill, os.listdir, os._exit
__builtins__ = own_builtins()  # (before any function of this module is defined: they look names up in it)
_DONE = object()


class Worker:
    """The requests' handlers; ``ask`` puts a pinned stub's question to the trusted side.

    Parameters
    ----------
    request_fd, response_fd : int or None
        The channel (None in the benchmark's in-process run, which overrides :meth:`ask`).
    """

    def __init__(self, request_fd=None, response_fd=None):
        self.module = None
        self.folder = None  # the student's folder: reading outside it is worth a plain-words message
        self.objects = {}
        self.iterators = {}
        self.pins = []
        self.request_fd, self.response_fd = request_fd, response_fd
        self.queue = []  # requests that arrived while a stub waited for its answer
        self.inbox = wire.Inbox()  # frames read from request_fd and not yet taken
        self.pid = _getpid()
        asker = asking(self)
        next(asker)
        self.ask_for_a_stub = asker.send  # what a stub holds: it leads to no worker

    def register(self, obj):
        handle = wire.Handle(len(self.objects) + 1, type(obj).__name__)
        self.objects[handle.id] = obj
        return handle

    def resolve(self, target):
        if target is None:
            if self.module is None:
                raise RuntimeError("no student module is loaded")
            return self.module
        return self.objects[target.id]

    def unwrap(self, value):
        """The object a handle names, else ``value``: a call's arguments and a set attribute's value reach the
        student as the objects they name. A handle nested in a container is not looked for (no test sends one): it
        reaches the student as a :class:`wire.Handle`, whose class is defined where its methods lead nowhere
        (:mod:`autograder.sandbox.inside.handles`)."""
        return self.objects[value.id] if isinstance(value, wire.Handle) else value

    @staticmethod
    def lookup(owner, dotted):
        for part in dotted.split("."):
            owner = getattr(owner, part)
        return owner

    def op_load(self, path, name, search_path=None):
        if search_path:
            # Appended, never prepended: a student's numpy.py cannot shadow the real one.
            sys.path.append(search_path)
        self.folder = student_folder(path, search_path)
        self.module = load_module(path, name)
        callables = sorted(attribute for attribute, value in vars(self.module).items()
                           if not attribute.startswith("_") and callable(value) and not isinstance(value, _ndarray))
        return {"callables": callables,
                "classes": [attribute for attribute in callables if plain_class(vars(self.module)[attribute], attribute)]}

    def op_call(self, name, args=(), kwargs=None, target=None, track=False):
        function = self.lookup(self.resolve(target), name)
        args = [self.unwrap(arg) for arg in args]
        kwargs = {key: self.unwrap(value) for key, value in kwargs.items()} if kwargs else {}
        result = function(*args, **kwargs)
        if not track:
            return result, {}
        # The arguments as they are now, for the trusted side to compare with what it sent (most calls have no
        # keyword arguments: no comprehension run for nothing).
        return result, {"after": [arg if isinstance(arg, _MUTABLE) else None for arg in args],
                        "after_kwargs": {key: value for key, value in kwargs.items() if isinstance(value, _MUTABLE)}
                        if kwargs else {}}

    def op_getattr(self, name, target=None):
        value = self.lookup(self.resolve(target), name)
        if callable(value) and not isinstance(value, _ndarray):
            return {"callable": True}
        return value

    def op_setattr(self, name, value, target):
        setattr(self.resolve(target), name, self.unwrap(value))

    def op_seed(self, seed):
        np.random.seed(seed)

    def op_rng(self, seed, handle):
        if type(handle) is not int or handle >= 0 or handle in self.objects:
            raise ValueError(f"a generator's handle must be a new negative number, not {handle!r}")
        self.objects[handle] = _default_rng(seed)  # (register's numbers are positive: no clash)

    def op_next(self, target):
        if target.id not in self.iterators:
            self.iterators[target.id] = iter(self.resolve(target))
        item = next(self.iterators[target.id], _DONE)
        return (False, None) if item is _DONE else (True, item)

    def op_keep(self, value):
        return self.register(value)

    def op_sgd(self, target, data, learning_rate, start, checks, fresh=False):
        model = self.resolve(target)
        X, y = fresh_copy(self.objects[data.id]) if fresh else self.objects[data.id]

        def step(number):  # read the model's __dict__ as checked() does: train is told no step it checks
            x, label = X[number % len(X)], y[number % len(X)]
            vars(model)
            model.train(x, label, learning_rate)

        def checked(number):
            x, label = X[number % len(X)], y[number % len(X)]
            before = arrays_of(model)
            model.train(x, label, learning_rate)
            after = arrays_of(model)
            restore(model, before)
            try:
                gradient = model.grad_loss(x, label)
            finally:
                restore(model, after)
            return {"step": number, "before": before, "after": after, "gradient": gradient}

        return self.checked_steps(start, checks, step, checked)

    def op_gradients(self, target, parameters, xs, labels, order):
        """The student's ``grad_loss`` of ``target`` at a run's sampled steps, asked in the ``order`` given.

        Step ``i`` gives the model the ``parameters`` it had before that step (``parameters[name][i]``)
        and asks ``grad_loss(xs[i], labels[i])``: the answer is the list of the gradients, by step. The
        trusted side asks this of a fresh worker, in an order the student's code cannot foresee: a
        ``grad_loss`` that answers by what training did (a flag, a call count, a file) answers otherwise here.
        """
        model = self.resolve(target)
        gradients = [None] * len(labels)
        for index in order:
            for name, values in parameters.items():
                setattr(model, name, _copy(values[index]))
            gradients[index] = model.grad_loss(xs[index], labels[index])
        return gradients

    def op_repeat(self, target, name, data, start, checks, fresh=False):
        """Calls from ``start`` to the last of ``checks`` of ``target.name(*args)`` on kept ``args`` (full-batch
        training, say); the model's arrays around each call of ``checks`` are reported, as ``sgd`` does."""
        model = self.resolve(target)
        args = fresh_copy(self.objects[data.id]) if fresh else self.objects[data.id]
        method = [self.lookup(model, name)]  # looked up again after each checked call, as a request per check did

        def call(number):
            if method[0] is None:
                method[0] = self.lookup(model, name)
            method[0](*args)

        def unchecked(number):  # read the model's __dict__ as checked() does: the call is told no call it checks
            vars(model)
            call(number)

        def checked(number):
            before = arrays_of(model)
            call(number)
            method[0] = None
            return {"step": number, "before": before, "after": arrays_of(model)}

        return self.checked_steps(start, checks, unchecked, checked)

    def checked_steps(self, start, checks, step, checked):
        """Run ``step(n)`` from ``start`` on, and ``checked(n)`` instead for each ``n`` of ``checks`` (ascending).

        The answer of ``sgd`` and ``repeat``: the reports of the checked steps, and the account of an
        exception raised after the first of them (see the module's docstring).
        """
        reports = []
        try:
            for last in checks:
                for number in range(start, last):
                    step(number)
                reports.append(checked(last))
                start = last + 1
        except BaseException as error:  # noqa: BLE001 - as serve() does: the student's code may raise anything
            if not reports:
                raise
            return {"reports": reports, "error": describe(error, self.folder, getattr(self.module, "__file__", None))}
        return {"reports": reports}

    def op_pin(self, pin, name, target=None, state=(), per_object=False):
        owner = self.resolve(target)
        *path, attribute = name.split(".")
        owner = self.lookup(owner, ".".join(path)) if path else owner
        if not hasattr(owner, attribute):
            return {"absent": True}  # not the student's helper: the test runs without this pin
        original = getattr(owner, attribute)
        if per_object and not (isinstance(owner, type) and inspect.isfunction(original)):
            return {"absent": True}  # not a plain method of a class: its objects' calls cannot be told apart
        had_own = attribute in vars(owner) if hasattr(owner, "__dict__") else True
        self.pins.append((owner, attribute, original, had_own))
        holder = owner if target is not None else None
        setattr(owner, attribute, stubs.stub(self.ask_for_a_stub, pin, original, holder, tuple(state), per_object))
        return {"parameters": parameters_of(original)}

    def op_unpin(self):
        """Undo every pin, newest first: pins last for one test only."""
        while self.pins:
            owner, attribute, original, had_own = self.pins.pop()
            if had_own:
                setattr(owner, attribute, original)
            else:
                delattr(owner, attribute)  # a pinned method of an instance: the class's one shows again

    def ask(self, question):
        """Put a pinned stub's ``question`` to the trusted side; its reply, or None (run the student's own).

        Raises ``TypeError`` when the question is not plain data.
        """
        if _getpid() != self.pid or self.response_fd is None:
            return None  # a process the student's code forked has no channel of its own
        framing = wire.Framing()
        wire.write_all(self.response_fd, wire.dumps({"callback": framing.encode(question, self.register)},
                                                    framing.arrays))
        while True:
            message = read_message(self.request_fd, self.inbox)
            if "op" in message:  # a request sent ahead of this reply: it runs after the current one
                self.queue.append(message)
                continue
            return message

    @staticmethod
    def pack(value, register_object, framing):
        """How an answer's value is written, for the frame ``framing`` (the benchmark's in-process run copies)."""
        return (framing or wire.Framing()).encode(value, register_object)

    def answer(self, request, framing=None):
        """The answer to ``request``, its values written for ``framing`` (:class:`wire.Framing`: the answer's frame;
        None: the answer alone, as a test reads it, its arrays in no frame)."""
        op = request.pop("op")
        handler = getattr(self, f"op_{op}", None)
        if handler is None:
            raise ValueError(f"unknown op {op!r}")
        bind = request.pop("bind", None) if op == "call" else None
        if bind is not None and (type(bind) is not int or bind >= 0 or bind in self.objects):
            raise ValueError(f"an object's handle must be a new negative number, not {bind!r}")
        if op not in ("call", "sgd"):
            result, extra = handler(**request), {}
        else:
            # numpy's floating-point errors are warnings (the contract forbids some, overflow in a sigmoid):
            # each one is recorded, whatever filters or error states the student's module set up at import.
            with _catch_warnings(record=True) as caught, _errstate(over="warn", divide="warn", invalid="warn"):
                _simplefilter("always")
                result, extra = handler(**request) if op == "call" else (handler(**request), {})
            if caught:  # (most calls raise none: no generator made for nothing)
                raised = list(dict.fromkeys(f"{type(w.message).__name__}: {w.message}" for w in caught))
                extra = {**extra, "warnings": raised[:MAX_WARNINGS]}
        try:
            packed = {"ok": self.pack(result, self.register, framing)}
            if bind is not None:
                self.bind(result, packed, bind)
            for key, value in extra.items():
                packed[key] = self.pack(value, None, framing)
        except TypeError as error:
            if framing is not None:
                framing.arrays.clear()  # (those of the parts written before: no value of the answer names them)
            return {"error": {"type": "UngradableResult", "message": f"returned {error}", "traceback": "",
                              "line": None}}
        return packed

    def bind(self, result, packed, bind):
        """Keep the object a call returned (``result``, ``packed`` as the answer's value) under ``bind`` instead.

        Only when the value is that object's handle alone, as it was just numbered: anything else (plain data, an
        object kept before) is answered as it is, and the trusted side, which checks every answer, finds it odd.
        """
        value = packed["ok"]
        if type(value) is dict and len(value) == 2 and self.objects.get(value.get("__handle__"), _DONE) is result:
            del self.objects[value["__handle__"]]  # (one out, one in: the next object's number is as it would be)
            self.objects[bind] = result
            packed["ok"] = {"__handle__": bind, "type": value["type"]}


def plain_class(value, name):
    """Does calling ``value``, the module's ``name``, make an object of that very class (or raise)?

    A class whose type is ``type`` (no metaclass to change what a call does) and which neither it nor a base
    gives a ``__new__`` of its own: ``object.__new__`` makes the object. Read without running the student's code
    (no descriptor is called). Its ``__init__`` may still change the object's class: the trusted side checks the
    answer anyway.
    """
    return (type(value) is type and value.__name__ == name
            and all("__new__" not in vars(base) for base in value.__mro__ if base is not object))


def student_folder(path, search_path=None):
    """The folder of the student's files, for a load request's ``path`` and ``search_path``."""
    return search_path or os.path.dirname(path)


def arrays_of(model):
    """Copies of the numeric arrays among ``model``'s attributes (its parameters)."""
    return {name: _copy(value) for name, value in vars(model).items()
            if type(value) is _ndarray and value.dtype.kind in "biuf"}


def restore(model, arrays):
    """Give ``model`` the values of ``arrays`` back, in place where it can (a student may hold its arrays)."""
    for name, value in arrays.items():
        current = vars(model).get(name)
        if (type(current) is _ndarray and current.shape == value.shape and current.dtype == value.dtype
                and current.flags.writeable):
            _copyto(current, value)
        else:
            setattr(model, name, _copy(value))


def fresh_copy(value):
    """A copy of kept plain data (arrays, lists, tuples, dicts: the rest cannot change), made without student code."""
    kind = type(value)
    if kind is _ndarray:
        return _copy(value)
    if kind is list or kind is tuple:
        return kind(fresh_copy(item) for item in value)
    if kind is dict:
        return {key: fresh_copy(item) for key, item in value.items()}
    return value


def parameters_of(function):
    """The signature of ``function`` as plain data: ``[name, kind, default]`` per parameter.

    ``default`` is ``{"value": v}`` for a plain-data default, ``{"opaque": true}`` for another
    one (a call that relies on it never matches a pin) and ``{}`` for none; None when the
    function has no signature to read.
    """
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return None
    described = []
    for parameter in signature.parameters.values():
        if parameter.default is inspect.Parameter.empty:
            default = {}
        else:
            try:
                wire.Framing().encode(parameter.default)
                default = {"value": parameter.default}
            except TypeError:
                default = {"opaque": True}
        described.append([parameter.name, int(parameter.kind), default])
    return described


def asking(worker):
    """A pinned stub's way to the trusted side: its ``send(question)`` answers as :meth:`Worker.ask` does (None for a
    question that is not plain data: no pin can match it; the exception it raised, for the stub to raise).

    The stub holds this generator's ``send`` only (:mod:`autograder.sandbox.inside.stubs`): the worker is a local of
    its frame, which ``gi_frame``, an audited reach, alone leads to.
    """
    reply = None
    while True:
        question = yield reply
        try:
            reply = worker.ask(question)
        except TypeError:
            reply = None
        except BaseException as error:  # noqa: BLE001 - raised by the stub, in the student's call: this one lives on
            reply = error


def read_message(fd, inbox):
    """The next frame on ``fd`` (or already read into ``inbox``: :class:`wire.Inbox`), decoded."""
    return wire.decode(*wire.parse_body(wire.read_frame(fd, inbox)))


def plain_words(error, folder=None):
    """What the grader's limits or sandbox did to the student's code, in plain words (None: nothing special)."""
    if isinstance(error, MemoryError):
        return f"ran out of memory (at grading a worker may use {MEMORY_BYTES / 1024**3:g} GiB)"
    if isinstance(error, ModuleNotFoundError) and error.name:
        return (f"imports {error.name}, which is neither in the submission nor available at grading (graded "
                "code may use numpy and the standard library only)")
    if not isinstance(error, OSError):
        return None
    name = error.filename
    if error.errno == errno.EFBIG:
        return f"wrote too much output (at grading the limit is {OUTPUT_BYTES // 1024**2} MiB)"
    if error.errno == errno.EROFS:
        return f"tried to write {name}: at grading the file system is read-only, except /tmp"
    if error.errno in (errno.ENOENT, errno.EACCES, errno.EPERM) and isinstance(name, str) and folder:
        where = os.path.abspath(name)
        # A missing file in a folder the code made under /tmp is its own mistake; a missing folder
        # under /tmp is somebody else's (a checkout of the kit there is not visible at grading).
        own_tmp = where.startswith("/tmp/") and os.path.isdir(os.path.dirname(where))
        if not own_tmp and not (where == folder or where.startswith(folder.rstrip("/") + "/")):
            return (f"tried to read a file outside its folder ({name}): at grading only the submission's own "
                    "files can be read")
    if error.errno in NETWORK_ERRORS or type(error).__name__ == "gaierror":
        return "tried to use the network, which is switched off at grading"
    if error.errno == errno.EAGAIN and name is None:
        return "could not start another process (at grading a submission may run only a few)"
    return None


UNSHOWABLE = "an exception that cannot be shown: its __str__, __repr__ or attributes raised or gave no text"


def describe(error, folder=None, module_file=None):
    """The student-facing account of an exception: type, message, the student's frames, and the line of
    ``module_file`` (the student's module) where it was raised (the innermost one; None if none).

    Never raises: the exception is the student's object (its ``__str__``, its class's ``__name__`` through a
    metaclass, an ``OSError``'s attributes, a ``SystemExit``'s code may run their code), and a raise here would
    end the worker with the student's traceback as if it had exited. Every text is a plain ``str``.
    """
    name = type.__dict__["__name__"].__get__(type(error))  # the class's own name, whatever its metaclass says
    try:
        told = _describe(error, name, folder, module_file)
        if all(type(told[key]) is str for key in ("type", "message", "traceback")):
            return told
    except BaseException:  # noqa: BLE001 - the student's object raised while being described
        pass
    return {"type": name, "message": UNSHOWABLE, "traceback": f"{name}: {UNSHOWABLE}", "line": None}


def _describe(error, name, folder, module_file):
    if isinstance(error, SystemExit):
        message = f"the code called sys.exit({error.code!r})"
    else:
        message = str(error)[:MESSAGE_CHARS]
        explained = plain_words(error, folder)
        if explained:
            message = f"{explained} ({message})" if message else explained
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)  # the student's frames, not the grader's
              if not frame.filename.startswith((GRADER_FOLDER, "<frozen importlib"))]
    text = "".join(traceback.format_list(frames)) + "".join(traceback.format_exception_only(type(error), error))
    lines = [frame.lineno for frame in frames if module_file and frame.filename == module_file]
    return {"type": name, "message": str.__str__(message),
            "traceback": str.__str__(text[-TRACEBACK_CHARS:]), "line": lines[-1] if lines else None}


def become_subreaper():
    """Adopt whatever the student's code starts and abandons (daemons included), so that it can be killed."""
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def forbid_memory_reads():
    """Make this process's memory unreadable to its own user: no ``/proc/<pid>/mem`` and no ``ptrace``.

    The worker's key (see :func:`serve`) lies in its memory. A non-dumpable process's ``/proc`` files
    belong to root, so the sandbox's user cannot open its ``mem`` (by whatever path: ``/dev/fd/../mem``
    passes no check on names), nor may a process it starts (a fresh Python, without the audit hook)
    read or trace it. Forked children inherit it; the audited ``ctypes`` is the only way back.
    """
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE


def children():
    """The pids of this process's children (its threads' too), from /proc; [] where there is no /proc."""
    pids = []
    try:
        for thread in _listdir("/proc/self/task"):
            with open(f"/proc/self/task/{thread}/children") as listing:
                pids += [int(pid) for pid in listing.read().split()]
        return pids
    except FileNotFoundError:  # a kernel without CONFIG_PROC_CHILDREN: every process's parent, then
        pass
    except (OSError, ValueError):
        return []
    me = _getpid()
    try:
        entries = [entry for entry in _listdir("/proc") if entry.isdigit()]
    except OSError:
        return []
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat") as stat:
                if int(stat.read().rsplit(")", 1)[1].split()[1]) == me:
                    pids.append(int(entry))
        except (OSError, ValueError, IndexError):
            pass
    return pids


def reap_children(rounds=100):
    """Kill every process the student's code left running, and their children after them (bounded)."""
    try:
        _waitpid(-1, os.WNOHANG)  # one system call, where /proc takes six, to learn the usual answer:
    except ChildProcessError:  # no child at all, alive or not (orphans come to this subreaper too)
        return
    for _ in range(rounds):
        pids = children()
        if not pids:
            return
        for pid in pids:
            try:
                _kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for pid in pids:
            try:
                _waitpid(pid, 0)
            except OSError:
                pass


def serve(request_fd, response_fd, log_fd):
    contract.install()  # before any student code: scikit-learn and the like are placeholders
    worker = Worker(request_fd, response_fd)
    me = _getpid()
    become_subreaper()
    forbid_memory_reads()  # before any student code: the key below must not be readable from /proc/self/mem
    # The hook is a local here, never an attribute of the worker: a pinned stub's closure hands the worker to
    # the student's code, and through it the hook could be told to look away.
    evidence = tamper.install(response_fd)
    signals.guard()  # before any student code: a handler is handed a frame, and frames lead to the key below
    guards.hide_the_graders_classes()  # ... and the worker's classes lead to its modules' names (the wire's among them)
    guards.judge_dir_fd_opens()
    guards.audit_raw_memory()  # the key lies in this process's memory
    tamper.forget_grader_modules()
    key = None  # the trusted side's key for this worker's answers: a local here, out of the student's reach
    acknowledgement = wire.dumps({"ok": None, "key": key})  # the frame of an answer of None, made once per key
    note = wire.dumps({"next": "answer", "key": key})  # on the log: the next answer is on the answer channel
    here = wire.dumps({"next": "here", "key": key})  # on the log: the next answer follows on the log
    while True:
        if worker.queue:
            request = worker.queue.pop(0)
        else:
            try:
                request = read_message(request_fd, worker.inbox)
            except EOFError:
                return
        if "op" not in request:
            continue  # a stub's reply that nobody waits for any more (its stub was left by an exception)
        if "key" in request:  # sent with the load, before any student code runs
            key = request.pop("key")
            acknowledgement = wire.dumps({"ok": None, "key": key})
            note = wire.dumps({"next": "answer", "key": key})
            here = wire.dumps({"next": "here", "key": key})
        if request["op"] == "load":  # from now on the student's code runs: watch it
            evidence.watch(student_folder(request.get("path", ""), request.get("search_path")))
        framing = wire.Framing()
        try:
            response = worker.answer(request, framing)
        except BaseException as error:  # the student's code may raise anything, SystemExit included
            module_file = getattr(worker.module, "__file__", None)
            response, framing = {"error": describe(error, worker.folder, module_file)}, wire.Framing()
        if _getpid() != me:  # a process the student's code forked came back here: only the worker answers
            _exit(0)
        reap_children()  # nothing the student's code started outlives the request
        behind = worker.queue or worker.inbox.ready()  # another request is here: the trusted side need not wake yet
        if len(response) == 1 and response.get("ok", response) is None:  # most answers: the same bytes each time
            wire.write_all(log_fd if behind else response_fd, acknowledgement)
            continue
        response["key"] = key
        frame = wire.dumps(response, framing.arrays)
        if behind and len(here) + len(frame) <= LOG_WRITE_BYTES:
            wire.write_all(log_fd, here + frame)
            continue
        if behind:
            wire.write_all(log_fd, note)
        wire.write_all(response_fd, frame)


def main(argv=None):
    argv = sys.argv if argv is None else argv
    serve(int(argv[1]), int(argv[2]), int(argv[3]))


if __name__ == "__main__":
    main()
