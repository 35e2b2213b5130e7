"""The worker: the process that runs a student's code on the grader's behalf.

It is started by :mod:`autograder.sandbox.session` (inside the sandbox when there is
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
that changed an argument in place) or ``{"error": {"type", "message", "traceback"}}``;
an error the grader's limits or sandbox caused is explained in plain words.

Nothing the student's code starts outlives the request that started it: the worker adopts
every orphan of its descendants (it is their subreaper) and kills them all before it answers,
and a forked copy of the worker that returns to its loop exits instead of answering.
"""
import errno
import inspect
import math
import os
import signal
import sys
import traceback

import numpy as np

from autograder.sandbox.inside import wire

GRADER_FOLDER = os.path.dirname(os.path.abspath(__file__)) + os.sep
MAX_TRACEBACK_CHARS = 4000
NETWORK_ERRORS = {errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ECONNRESET, errno.ECONNABORTED,
                  errno.EADDRNOTAVAIL, errno.ENETDOWN, errno.ETIMEDOUT}

# The worker's own judgments (did a call change its argument? does a call match a pin?) use
# these, bound before any student code runs: patching numpy, math or builtins later changes
# what the student's code sees, not what the worker compares with.
_ndarray, _number, _type, _len, _isclose, _zip, _all = np.ndarray, np.number, type, len, math.isclose, zip, all
_dict, _sequences, _scalars, _float, _isinstance = dict, (list, tuple), (int, float, bool), float, isinstance
_tobytes, _tolist, _array_copy = np.ndarray.tobytes, np.ndarray.tolist, np.ndarray.copy


class Worker:
    def __init__(self):
        self.module = None
        self.folder = None  # the student's folder: reading outside it is worth a plain-words message
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
        from autograder.sandbox.inside.loading import load_module

        if search_path:
            # Appended, never prepended: a student's numpy.py cannot shadow the real one.
            sys.path.append(search_path)
        self.folder = search_path or os.path.dirname(path)
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

    pack = staticmethod(wire.encode)  # how an answer's value is written (the benchmark's in-process run copies)

    def answer(self, request):
        op = request.pop("op")
        handler = getattr(self, f"op_{op}", None)
        if handler is None:
            raise ValueError(f"unknown op {op!r}")
        result, mutated = handler(**request) if op == "call" else (handler(**request), [])
        try:
            packed = self.pack(result, self.register)
        except TypeError as error:
            return {"error": {"type": "UngradableResult", "message": f"returned {error}", "traceback": ""}}
        return {"ok": packed, "mutated": mutated}


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


def plain_words(error, folder=None):
    """What the grader's limits or sandbox did to the student's code, in plain words (None: nothing special)."""
    from autograder.sandbox.inside.limits import MEMORY_BYTES, OUTPUT_BYTES

    if isinstance(error, MemoryError):
        return f"ran out of memory (at grading a worker may use {MEMORY_BYTES / 1024**3:g} GiB)"
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


def describe(error, folder=None):
    """The student-facing account of an exception: type, message, and the student's frames."""
    if isinstance(error, SystemExit):
        message = f"the code called sys.exit({error.code!r})"
    else:
        message = str(error)[:1000]
        explained = plain_words(error, folder)
        if explained:
            message = f"{explained} ({message})" if message else explained
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)  # the student's frames, not the grader's
              if not frame.filename.startswith((GRADER_FOLDER, "<frozen importlib"))]
    text = "".join(traceback.format_list(frames)) + "".join(traceback.format_exception_only(type(error), error))
    return {"type": type(error).__name__, "message": message, "traceback": text[-MAX_TRACEBACK_CHARS:]}


def become_subreaper():
    """Adopt whatever the student's code starts and abandons (daemons included), so that it can be killed."""
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def children():
    """The pids of this process's children (its threads' too), from /proc; [] where there is no /proc."""
    pids = []
    try:
        for thread in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{thread}/children") as listing:
                pids += [int(pid) for pid in listing.read().split()]
        return pids
    except FileNotFoundError:  # a kernel without CONFIG_PROC_CHILDREN: every process's parent, then
        pass
    except (OSError, ValueError):
        return []
    me = os.getpid()
    try:
        entries = [entry for entry in os.listdir("/proc") if entry.isdigit()]
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
        os.waitpid(-1, os.WNOHANG)  # one system call, where /proc takes six, to learn the usual answer:
    except ChildProcessError:  # no child at all, alive or not (orphans come to this subreaper too)
        return
    for _ in range(rounds):
        pids = children()
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for pid in pids:
            try:
                os.waitpid(pid, 0)
            except OSError:
                pass


def serve(request_fd, response_fd):
    worker = Worker()
    me = os.getpid()
    become_subreaper()
    while True:
        try:
            header = wire.read_exactly(request_fd, wire.HEADER_BYTES)
        except EOFError:
            return
        request = wire.decode(*wire.parse_body(wire.read_exactly(request_fd, wire.frame_length(header))))
        try:
            response = worker.answer(request)
        except BaseException as error:  # the student's code may raise anything, SystemExit included
            response = {"error": describe(error, worker.folder)}
        if os.getpid() != me:  # a process the student's code forked came back here: only the worker answers
            os._exit(0)
        reap_children()  # nothing the student's code started outlives the request
        wire.write_all(response_fd, wire.dumps(response))


def main(argv=None):
    argv = sys.argv if argv is None else argv
    serve(int(argv[1]), int(argv[2]))


if __name__ == "__main__":
    main()
