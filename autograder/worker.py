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

Answers are ``{"ok": value}`` (with ``"mutated": [argument positions]`` for calls
that changed an argument in place) or ``{"error": {"type", "message", "traceback"}}``.
"""
import sys
import traceback

import numpy as np

from autograder import wire

WORKER_FILE = __file__
MAX_TRACEBACK_CHARS = 4000


class Worker:
    def __init__(self):
        self.module = None
        self.objects = {}

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
        before = [np.copy(arg) if isinstance(arg, np.ndarray) else None for arg in args]
        result = function(*args, **(kwargs or {}))
        mutated = [
            position
            for position, (arg, copy) in enumerate(zip(args, before))
            if copy is not None and not (arg.shape == copy.shape and np.array_equal(arg, copy, equal_nan=True))
        ]
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
        setattr(owner, attribute, pinned(getattr(owner, attribute), table))

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


def pinned(original, table):
    """``original``, except that for arguments in ``table`` it returns the tabled output.

    Arguments match when they have the same structure and allclose numbers
    (the student may compute them in another order); anything else falls
    through to ``original``.
    """

    def same(given, tabled):
        if isinstance(tabled, (list, tuple)):
            return (isinstance(given, (list, tuple)) and len(given) == len(tabled)
                    and all(same(a, b) for a, b in zip(given, tabled)))
        try:
            given, tabled = np.asarray(given), np.asarray(tabled)
            return given.shape == tabled.shape and np.allclose(given, tabled, rtol=1e-9, atol=1e-12)
        except (TypeError, ValueError):
            return False

    def function(*args, **kwargs):
        for inputs, kwargs_tabled, output in table:
            if kwargs == kwargs_tabled and same(list(args), inputs):
                return np.copy(output) if isinstance(output, np.ndarray) else output
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
