"""The worker: the process that runs a student's code on the grader's behalf.

It is started by :mod:`autograder.session` (inside the sandbox when there is
one) with two pipe file descriptors, reads requests from one, answers on the
other, and never decides anything: the trusted side compares and scores. Its
own stdout and stderr belong to the student's prints.

Requests are dicts with an ``"op"``:

``load``     import the student's module from ``path``.
``call``     call ``name`` (dotted) on the module or on a worker object ``target``.
``getattr``  read an attribute; callables come back as ``{"callable": true}``.
``setattr``  set an attribute of a worker object (a model's ``W``, say).
``seed``     ``np.random.seed(seed)``.
``sgd``      per-sample SGD: ``epochs`` passes of ``target.train(x, y, learning_rate)``,
             in order; training loops stay here so that only results cross the channel.
``pin``      make ``name`` answer from a table of (inputs, output) the grader computed with
             the reference, so a function is tested on reference values of the functions it
             calls, and one bug costs points once.
``unpin``    undo every pin (the grader does after each test).

Answers are ``{"ok": value}`` (with ``"mutated": [argument positions]`` for calls
that changed an argument in place) or ``{"error": {"type", "message", "traceback"}}``.
"""
import inspect
import math
import sys
import traceback

import numpy as np

from autograder import wire

WORKER_FILE = __file__
MAX_TRACEBACK_CHARS = 4000

# The worker's own judgments (did a call change its argument? does a call match a pin?) use
# these, bound before any student code runs: patching numpy, math or builtins later changes
# what the student's code sees, not what the worker compares with.
_ndarray, _number, _type, _len, _isclose, _zip, _all = np.ndarray, np.number, type, len, math.isclose, zip, all
_dict, _sequences, _scalars, _float, _isinstance = dict, (list, tuple), (int, float, bool), float, isinstance
_tobytes, _tolist, _array_copy = np.ndarray.tobytes, np.ndarray.tolist, np.ndarray.copy


class Worker:
    def __init__(self):
        self.module = None
        self.objects = {}
        self.pins = []

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

    @staticmethod
    def lookup(owner, dotted):
        for part in dotted.split("."):
            owner = getattr(owner, part)
        return owner

    def op_load(self, path, name, search_path=None):
        from autograder.loading import load_module

        if search_path:
            # Appended, never prepended: a student's numpy.py cannot shadow the real one.
            sys.path.append(search_path)
        self.module = load_module(path, name)
        return sorted(attribute for attribute in vars(self.module) if not attribute.startswith("_"))

    def op_call(self, name, args=(), kwargs=None, target=None):
        function = self.lookup(self.resolve(target), name)
        args = [self.objects[arg.id] if isinstance(arg, wire.Handle) else arg for arg in args]
        before = [fingerprint(arg) for arg in args]
        result = function(*args, **(kwargs or {}))
        mutated = [position for position, (arg, seen) in enumerate(_zip(args, before))
                   if seen is not None and fingerprint(arg) != seen]
        return result, mutated

    def op_getattr(self, name, target=None):
        value = self.lookup(self.resolve(target), name)
        if callable(value) and not isinstance(value, np.ndarray):
            return {"callable": True}
        return value

    def op_setattr(self, name, value, target):
        setattr(self.resolve(target), name, value)

    def op_seed(self, seed):
        np.random.seed(seed)

    def op_sgd(self, target, X, y, epochs, learning_rate):
        model = self.resolve(target)
        for _ in range(epochs):
            for x, label in zip(X, y):
                model.train(x, label, learning_rate)

    def op_pin(self, name, table, target=None):
        owner = self.resolve(target)
        *path, attribute = name.split(".")
        owner = self.lookup(owner, ".".join(path)) if path else owner
        had_own = attribute in vars(owner) if hasattr(owner, "__dict__") else True
        original = getattr(owner, attribute)
        self.pins.append((owner, attribute, original, had_own))
        setattr(owner, attribute, pinned(original, table))

    def op_unpin(self):
        """Undo every pin, newest first: pins last for one test only."""
        while self.pins:
            owner, attribute, original, had_own = self.pins.pop()
            if had_own:
                setattr(owner, attribute, original)
            else:
                delattr(owner, attribute)  # a pinned method of an instance: the class's one shows again

    def answer(self, request):
        op = request.pop("op")
        handler = getattr(self, f"op_{op}", None)
        if handler is None:
            raise ValueError(f"unknown op {op!r}")
        result, mutated = handler(**request) if op == "call" else (handler(**request), [])
        try:
            encoded = wire.encode(result, self.register)
        except TypeError as error:
            return {"error": {"type": "UngradableResult", "message": f"returned {error}", "traceback": ""}}
        return {"ok": encoded, "mutated": mutated}


def fingerprint(value):
    """Shape, dtype and bytes of an array (None for anything else), from the primitives bound above."""
    if _type(value) is not _ndarray:
        return None
    return (value.shape, value.dtype.str, _tobytes(value))


def _same(given, tabled):
    """Do the arguments of a call match a pin's? Numbers within 1e-9 relative, structure exactly."""
    if _type(tabled) is _dict:
        return (_type(given) is _dict and _len(given) == _len(tabled)
                and _all(key in given and _same(given[key], tabled[key]) for key in tabled))
    if _type(tabled) in _sequences:
        return (_type(given) in _sequences and _len(given) == _len(tabled)
                and _all(_same(a, b) for a, b in _zip(given, tabled)))
    if _type(tabled) is _ndarray or _type(given) is _ndarray:
        if not (_type(tabled) is _ndarray and _type(given) is _ndarray and given.shape == tabled.shape):
            return False
        return _same(_tolist(given), _tolist(tabled)) if given.shape else _same(given[()], tabled[()])
    if _type(tabled) in _scalars or _isinstance(tabled, _number):
        try:
            return _isclose(_float(given), _float(tabled), rel_tol=1e-9, abs_tol=1e-12)
        except (TypeError, ValueError):
            return False
    return given is tabled or (_type(given) is _type(tabled) and given == tabled)


def pinned(original, table):
    """``original``, except that for arguments in ``table`` it returns the tabled output.

    Calls are compared by the arguments they bind to ``original``'s signature,
    defaults included, so ``f(x, 0.01)``, ``f(x, rate=0.01)`` and ``f(x)`` match
    alike. Numbers match when allclose (the student may compute them in another
    order); anything else falls through to ``original``.
    """
    try:
        signature = inspect.signature(original)
    except (TypeError, ValueError):
        signature = None

    def bound(args, kwargs):
        if signature is None:
            return {"args": list(args), **kwargs}
        try:
            binding = signature.bind(*args, **kwargs)
        except TypeError:
            return None
        binding.apply_defaults()
        return dict(binding.arguments)

    entries = [(bound(args, kwargs), output) for args, kwargs, output in table]

    def function(*args, **kwargs):
        call = bound(args, kwargs)
        if call is not None:
            for arguments, output in entries:
                if arguments is not None and _same(call, arguments):
                    return _array_copy(output) if _type(output) is _ndarray else output
        return original(*args, **kwargs)

    return function


def describe(error):
    """The student-facing account of an exception: type, message, and the student's frames."""
    if isinstance(error, SystemExit):
        message = f"the code called sys.exit({error.code!r})"
    else:
        message = str(error)[:1000]
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if frame.filename not in (WORKER_FILE, wire.__file__)]
    text = "".join(traceback.format_list(frames)) + "".join(traceback.format_exception_only(type(error), error))
    return {"type": type(error).__name__, "message": message, "traceback": text[-MAX_TRACEBACK_CHARS:]}


def serve(request_fd, response_fd):
    worker = Worker()
    while True:
        try:
            header = wire.read_exactly(request_fd, wire.HEADER_BYTES)
        except EOFError:
            return
        request = wire.decode(wire.parse_body(wire.read_exactly(request_fd, wire.frame_length(header))))
        try:
            response = worker.answer(request)
        except BaseException as error:  # the student's code may raise anything, SystemExit included
            response = {"error": describe(error)}
        wire.write_all(response_fd, wire.dumps(response))


def main(argv=None):
    argv = sys.argv if argv is None else argv
    serve(int(argv[1]), int(argv[2]))


if __name__ == "__main__":
    main()
