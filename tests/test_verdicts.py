"""Verdicts the student's code cannot forge: every judgment is made on the trusted side.

Each attack of issue 12 as a small student module run in a real worker: pins answered by the
trusted side by value and state (no table in the worker to read), mutation judged from what was
sent and what came back, training checked step by step, and tamper evidence that cannot be
taken back.
"""
from contextlib import contextmanager

import numpy as np
import pytest

from autograder.sandbox.process import ChildProcess
from autograder.sandbox.remote import RemoteModule
from autograder.sandbox.session import StudentCodeFailed, WorkerSession
from autograder.testing import CheckFailed, assert_sgd_step

SECRET = 424242.125  # a "reference value": the student's code must never see it unless the pin answers it

STUDENT_CODE = """
import sys
import numpy as np

def helper(x, scale=1.0):
    return -1.0  # the student's own (wrong) helper

def use_helper(x):
    return helper(x)

def use_helper_twice(x, y):
    return [helper(x), helper(y)]

def mutate(x):
    x += 1
    return 0

def mutate_inner(x):
    x[0] += 1
    return 0

def mutate_first(x):
    x[0][0] = 9.0
    return 0

def mutate_list(values):
    values.sort()
    return 0

def keep(x):
    return float(np.sum(x))

def search(value, seen=None, depth=0):
    '''Is SECRET anywhere reachable from value (closures, globals, attributes, containers)?'''
    seen = set() if seen is None else seen
    if id(value) in seen or depth > 8:
        return False
    seen.add(id(value))
    if isinstance(value, float) and value == 424242.125:
        return True
    if isinstance(value, np.ndarray):
        return value.dtype.kind == "f" and bool(np.any(value == 424242.125))
    children = []
    if isinstance(value, dict):
        children = list(value.values())
    elif isinstance(value, (list, tuple, set)):
        children = list(value)
    elif callable(value) and hasattr(value, "__closure__"):
        children = [cell.cell_contents for cell in (value.__closure__ or ()) if cell.cell_contents is not value]
    elif hasattr(value, "__dict__") and not isinstance(value, type(sys)):
        children = list(vars(value).values())
    return any(search(child, seen, depth + 1) for child in children)

def peek_at_the_pin():
    return search(helper)

def what_the_stub_leads_to():
    return leads_to(helper)

def what_a_nested_argument_leads_to(items):
    return leads_to(items)

def what_main_leads_to():
    return leads_to(vars(sys.modules["__main__"]))

def graders_classes():
    todo, found = [object], set()
    while todo:
        cls = todo.pop()
        if str(vars(cls).get("__module__", "")).startswith("autograder"):
            found.add(cls.__name__)
        todo += type.__subclasses__(cls) if isinstance(cls, type) else []
    return sorted(found)

def leads_to(start):
    # The modules and classes ``start`` leads to through what Python does not audit.
    import types

    seen, todo, found = set(), [start], set()
    while todo:
        item = todo.pop()
        if id(item) in seen or isinstance(item, (types.ModuleType, str, bytes, int, float)) or item is None:
            continue
        seen.add(id(item))
        if isinstance(item, types.FunctionType):
            found.add(item.__globals__.get("__name__"))
            todo += [item.__globals__, getattr(item, "__wrapped__", None)]
            todo += [cell.cell_contents for cell in item.__closure__ or ()]
        elif isinstance(item, (types.MethodType, types.BuiltinMethodType)):
            todo.append(getattr(item, "__self__", None))
        elif isinstance(item, dict):
            todo += list(item.values())
        elif isinstance(item, (list, tuple)):
            todo += list(item)
        elif isinstance(item, type):
            found.add(item.__module__)
            todo += list(vars(item).values())
        else:
            found.add(type(item).__module__)
            todo += [type(item), getattr(item, "__dict__", None)]
    return sorted(name for name in found if isinstance(name, str))

class Model:
    def __init__(self):
        self.w = np.zeros(2)

    def grad_loss(self, x, y):
        return {"w": np.full(2, 100.0)}  # the student's own gradient: far from the pinned one

    def train_twice_asking(self, x, y, learning_rate):
        self.w = self.w - learning_rate * self.grad_loss(x, y)["w"]
        self.second = self.grad_loss(x, y)["w"]  # asked again after moving the weights
        return self.second

    def kind_of_peer(self):
        return type(self.peer).__name__


def kind_of(x, other=None):
    return type(other).__name__
"""


@contextmanager
def running(folder, code, name="mod"):
    """``code`` as the student's module ``name``, in a worker (its session as ``._session``), as the grader runs it."""
    (folder / f"{name}.py").write_text(code)
    session = WorkerSession(ChildProcess(), folder / f"{name}.py", name)
    try:
        yield RemoteModule(session, name, judge_step=assert_sgd_step)
    finally:
        session.close()


@pytest.fixture
def student(tmp_path):
    with running(tmp_path, STUDENT_CODE) as module:
        yield module


def pin_helper(student, key):
    student._pin("helper", [((key,), {}, SECRET)])


@pytest.mark.parametrize("key, given", [
    (np.array([1.0, 2.0]), [1, 2]),                  # a pin keyed on an array, called with a list
    (np.array([1.0, 2.0]), (1.0, 2.0)),
    ([1.0, 2.0], np.array([1.0, 2.0])),
    (np.float64(0.5), 0.5),                          # a numpy scalar key, a float call
    (0.5, np.array(0.5)),
    (np.array(0.5), np.float32(0.5)),
    (np.array([[1.0, 2.0]]), [[1.0, 2.0 + 1e-12]]),  # computed in another order
], ids=["list", "tuple", "array for list key", "float", "0-d array", "float32 scalar", "nearly equal"])
def test_a_pin_matches_by_value_whatever_the_container(student, key, given):
    pin_helper(student, key)
    assert student.use_helper(given) == SECRET


@pytest.mark.parametrize("given", [[1.0, 2.5], [[1.0, 2.0]], [1.0, 2.0, 3.0], "x"])
def test_a_pin_does_not_answer_other_values(student, given):
    pin_helper(student, np.array([1.0, 2.0]))
    assert student.use_helper(given) == -1.0


def test_a_pin_answers_calls_bound_alike_defaults_included(student):
    student._pin("helper", [((np.ones(2),), {"scale": 1.0}, SECRET)])
    assert student.use_helper([1.0, 1.0]) == SECRET  # helper(x) binds scale=1.0 by default


# The grader's modules graded code may reach (each holds its stand-ins alone, and leads nowhere): a stub's, a handle's
# class's, and the guards' (type.__subclasses__ is one: every walk through the builtins finds it).
LEAVES = {"autograder.sandbox.inside.stubs", "autograder.sandbox.inside.handles", "autograder.sandbox.inside.guards"}


def graders(reached):
    return {name for name in reached if name.startswith("autograder")}


def test_a_pinned_stub_leads_to_nothing_of_the_worker(student):
    """Through ``__globals__``, ``__closure__``, ``__self__`` and ``__wrapped__`` (none of them audited) a stub led to the
    worker, its class, its modules' globals (the wire every keyed frame passed through) and the audit hook's module."""
    pin_helper(student, np.array([1.0, 2.0]))
    reached = student.what_the_stub_leads_to()
    assert "autograder.sandbox.inside.stubs" in graders(reached) and graders(reached) <= LEAVES, reached


def test_a_handle_nested_in_an_argument_leads_to_nothing_of_the_worker(student):
    """A handle in a list or a dict reaches the student as it was sent: its class, defined in a module of its own, leads
    neither to the wire (whose names every keyed frame passes through) nor to anything else of the worker."""
    handle = student.Model()._handle
    reached = student.what_a_nested_argument_leads_to([handle, {"model": handle}])
    assert "autograder.sandbox.inside.handles" in graders(reached) and graders(reached) <= LEAVES, reached


def test_the_graders_classes_are_not_listed_and_listing_them_is_a_reach(student):
    """``object.__subclasses__()`` led to the worker's classes, and their methods' ``__globals__`` to its names."""
    assert student.graders_classes() == []
    assert student._session.evidence == ["the grader's classes (object.__subclasses__)"]


def test_the_main_module_leads_to_nothing_of_the_worker(student):
    assert graders(student.what_main_leads_to()) <= LEAVES


def test_an_object_of_the_worker_reaches_the_student_as_itself_never_as_a_handle(student):
    """A handle's class is the wire's: its methods' ``__globals__`` lead to the names every keyed frame goes through.
    Passed by position, by keyword or set as an attribute, the student gets the object the handle names."""
    model = student.Model()
    assert student.kind_of(1, model) == "Model"
    assert student.kind_of(1, other=model) == "Model"
    peer = student.Model()
    peer.peer = model
    assert peer.kind_of_peer() == "Model"


def test_several_calls_of_one_request_each_get_their_answer(student):
    student._pin("helper", [((np.ones(2),), {}, SECRET), ((np.zeros(2),), {}, 7.0)])
    assert student.use_helper_twice([1, 1], [0, 0]) == [SECRET, 7.0]


def test_no_pin_table_is_in_the_worker_to_read(student):
    """Reading a pin table through ``__closure__`` (or any attribute) finds nothing: it never left the grader."""
    pin_helper(student, np.array([1.0, 2.0]))
    assert student.peek_at_the_pin() is False
    assert student.use_helper([1.0, 2.0]) == SECRET  # the pin is there all the same


def test_a_helper_the_student_does_not_have_is_not_pinned(student):
    student._pin("gate", [((1, 0), {}, 1)])  # not in the student's module: no pin, and no failure
    student._pin("helper", [((np.ones(2),), {}, SECRET)])
    assert student.use_helper([1, 1]) == SECRET
    assert student._session.pins.keys() == {2}


def test_a_pinned_method_answers_only_for_the_state_the_test_set(student):
    """A ``train`` that asks ``grad_loss`` again after moving the weights gets its own gradient, not the pinned one."""
    model = student.Model()
    model.w = np.array([0.5, -0.5])
    pinned = np.array([1.0, 2.0])
    student._pin("grad_loss", [((np.ones(2), 1), {}, {"w": pinned})], target=model)
    second = model.train_twice_asking([1.0, 1.0], 1, 0.1)
    np.testing.assert_allclose(model.w, [0.5 - 0.1, -0.5 - 0.2])  # the first call: the pinned gradient
    np.testing.assert_allclose(second, [100.0, 100.0])  # the second, after the step: the student's own


def test_pins_last_one_test(student):
    pin_helper(student, np.array([1.0, 2.0]))
    student._unpin()
    assert student.use_helper([1.0, 2.0]) == -1.0


@pytest.mark.parametrize("function, argument", [
    ("mutate", np.zeros(3)), ("mutate_inner", [np.zeros(2)]), ("mutate_list", [3, 1, 2]),
    ("mutate_first", (np.zeros(2),)), ("mutate_inner", [1.0, 2.0]),
], ids=["array", "array in a list", "list sorted in place", "array in a tuple", "list item"])
def test_mutation_is_judged_from_what_was_sent(student, function, argument):
    _, mutated = getattr(student, function).call_tracking_mutation(argument)
    assert mutated == [0]


def test_an_untouched_argument_is_not_mutated(student):
    _, mutated = student.keep.call_tracking_mutation(np.arange(3.0))
    assert mutated == []


REBIND_THE_WORKER = """
import sys
for name, module in list(sys.modules.items()):
    if name.startswith("autograder"):
        for attribute in ("fingerprint", "changed", "_MUTABLE", "arrays_of"):
            if hasattr(module, attribute):
                setattr(module, attribute, (lambda *args: None) if attribute != "_MUTABLE" else ())
"""


def test_rebinding_a_worker_global_does_not_hide_an_in_place_change(tmp_path):
    with running(tmp_path, REBIND_THE_WORKER + STUDENT_CODE) as student:
        _, mutated = student.mutate.call_tracking_mutation(np.zeros(3))
    assert mutated == [0]


TRAINING_CODE = """
import numpy as np

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


class Refit(Linear):
    '''Ignores its gradient: collects the samples and refits by least squares.'''

    def train(self, x, y, learning_rate):
        self.seen.append((np.array(x), y))
        X = np.array([[*sample, 1.0] for sample, _ in self.seen])
        solution = np.linalg.lstsq(X, np.array([label for _, label in self.seen]), rcond=None)[0]
        self.W, self.b = solution[:3], solution[3:]


class LateFailure(Linear):
    '''Right steps, then an exception at the 80th sample (the last step of two epochs of 40).'''

    def train(self, x, y, learning_rate):
        self.seen.append(1)
        if len(self.seen) == 80:
            raise ValueError("late")
        super().train(x, y, learning_rate)


class RefitThenLateFailure(Refit):
    def train(self, x, y, learning_rate):
        if len(self.seen) == 79:
            raise ValueError("late")
        super().train(x, y, learning_rate)


class Scribbler(Linear):
    '''Right steps, but it zeroes each sample it is given, and notes what it saw.'''

    def train(self, x, y, learning_rate):
        self.seen.append(float(np.abs(x).sum()))
        super().train(x, y, learning_rate)
        x[...] = 0
"""


@pytest.fixture
def trainer(tmp_path):
    with running(tmp_path, TRAINING_CODE, "train") as module:
        yield module


@pytest.fixture
def regression():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    noise = rng.normal(scale=0.5, size=40)  # noisy: a refit keeps moving, and its gradient is never zero
    return X, X @ np.array([1.0, -2.0, 0.5]) + 0.3 + noise


def test_training_with_the_students_own_gradient_passes_the_step_checks(trainer, regression):
    model = trainer.Linear()
    trainer._sgd(model, *regression, epochs=2, learning_rate=0.05)
    assert np.all(np.isfinite(model.W))


def test_a_train_that_refits_instead_of_stepping_fails(trainer, regression):
    model = trainer.Refit()
    with pytest.raises(CheckFailed, match="training step .*is off|is not one SGD step"):
        trainer._sgd(model, *regression, epochs=2, learning_rate=0.05)


def test_training_checks_steps_the_worker_cannot_foresee(trainer, regression):
    """Two runs check different steps (drawn at random here), and always the last one."""
    steps = []
    for _ in range(2):
        model = trainer.Linear()
        reports = []
        object.__setattr__(trainer, "_judge_step", lambda report, rate, what: reports.append(report["step"]))
        trainer._sgd(model, *regression, epochs=2, learning_rate=0.05)
        steps.append(reports)
    assert steps[0][-1] == steps[1][-1] == 79 and len(steps[0]) == 7
    assert steps[0] != steps[1]


TAMPERING = {
    "stack frames": "import sys\nsys._getframe(1)\n",
    "the garbage collector's object graph": "import gc\ngc.get_referrers(print)\n",
    "ctypes": "import ctypes\nctypes.CDLL(None)\n",
    # Raw memory through ctypes by the routes CPython raises an event for (the worker imported ctypes: no import event).
    "raw memory through ctypes: a pointer copied from an address's bytes":
        "import ctypes\nctypes.POINTER(ctypes.c_char).from_buffer_copy(id(len).to_bytes(8, 'little'))[0]\n",
    "raw memory through ctypes: an object made from an address": "import _ctypes\n_ctypes.PyObj_FromPtr(id(len))\n",
    "raw memory through ctypes: the code at an address called":
        "import ctypes, _ctypes\ncallback = ctypes.CFUNCTYPE(ctypes.c_int)(lambda: 0)\n"
        "_ctypes.call_function(int.from_bytes(bytes(memoryview(callback)), 'little'), ())\n",
    "raw memory through ctypes: wstring_at": "import ctypes\nctypes.wstring_at(ctypes.create_unicode_buffer('x'), 1)\n",
    # ... and by those it raises none for, which the guards make raise one.
    "raw memory through ctypes: cast": "import ctypes\nctypes.cast(id(len), ctypes.POINTER(ctypes.c_char))[0]\n",
    "raw memory through ctypes: memmove": "import ctypes\nbuffer = ctypes.create_string_buffer(8)\n"
                                          "ctypes.memmove(buffer, id(len), 8)\n",
    "raw memory through ctypes: memset": "import ctypes\nctypes.memset(ctypes.create_string_buffer(8), 0, 8)\n",
    # (A CFUNCTYPE of such an address is that function again.)
    "raw memory through ctypes: ctypes' address of memmove": "import ctypes\ngetattr(ctypes, '_memmove_addr', None)\n",
    "raw memory through ctypes: _ctypes' address of cast": "import _ctypes\ngetattr(_ctypes, '_cast_addr', None)\n",
    "a fresh copy of a module the grader guards through import _ctypes": "import sys\nsys.modules.pop('_ctypes')\nimport _ctypes\n",
    "/proc": "open('/proc/self/status').read()\n",
    "/proc through /dev/fd": "open('/dev/fd/../status').read()\n",  # /dev/fd is a link to /proc/self/fd
    # os.path.realpath looks these up when it runs: rebound, /dev/fd/.. read as /dev
    "/proc through /dev/fd, os.lstat rebound": "import os\nos.lstat = lambda path, **kwargs: os.stat('/')\n"
                                              "open('/dev/fd/../status').read()\n",
    "the grader's module autograder": "import autograder.sandbox.inside.worker\n",
    "the code of a function": "import json\njson.dumps.__code__\n",
    "stack frames (sys._getframe) through exec": "exec('import sys; sys._getframe(0)')\n",
    # A string the standard library runs for its caller: its frames stand between the reach and the student's.
    "stack frames through code.InteractiveInterpreter":
        "import code\ncode.InteractiveInterpreter().runsource('import sys; sys._getframe(0)')\n",
    "stack frames through timeit": "import timeit\ntimeit.timeit('sys._getframe(0)', 'import sys', number=1)\n",
    "code compiled under another file's name through code.replace":
        "def _own():\n    return 1\n_own.__code__.replace(co_filename='/usr/lib/python3/json/__init__.py')\n",
    "stack frames through traceback": "import traceback\n[frame.f_locals for frame, _ in traceback.walk_stack(None)]\n",
    "code compiled under another file's name": "exec(compile('x = 1', '/usr/lib/python3/json/__init__.py', 'exec'))\n",
    # A handler is handed the running frame, whose f_back and f_locals Python does not audit.
    "a signal handler": "import signal\nsignal.signal(signal.SIGUSR1, lambda signum, frame: None)\n",
    "a signal handler through a builtin method": "import signal\nsignal.signal(signal.SIGUSR1, {}.__setitem__)\n",
    "a signal handler through a fresh copy of _signal": "import sys\nsys.modules.pop('_signal')\nimport _signal\n",
    "the defaults of the grader's function": "import _signal\n_signal.signal.__defaults__\n",
    "the grader's function rewritten": "import _signal\n_signal.signal.__code__ = (lambda *args, **kwargs: None).__code__\n",
    # The standard library's debugger and profiler hand the student's subclass every frame, the worker's among them.
    "a trace function through bdb": "import bdb\nbdb.Bdb().runcall(len, [])\n",
    "a profile function through profile": "import profile\nprofile.Profile().runcall(len, [])\n",
    # An audit hook of the student's is handed every event's arguments: sys._getframe's is a frame (logging's here).
    "an audit hook": "import logging, sys\nsys.addaudithook(lambda event, args: None)\n"
                     "logging.getLogger('x').warning('x', stack_info=True)\n",
    "the grader's classes": "object.__subclasses__()\n",
    "a fresh copy of a module the grader guards": "import sys\nsys.modules.pop('posix')\nimport posix\n",
    # The open event names a path relative to a folder it does not name; a library opening /proc for its caller.
    "/proc through a dir_fd": "import os\nos.read(os.open('proc/self/status', os.O_RDONLY, "
                              "dir_fd=os.open('/', os.O_RDONLY)), 10)\n",
    "/proc through pathlib": "import pathlib\npathlib.Path('/proc/self/status').read_text()\n",
    "/proc through glob": "import glob\nglob.glob('/proc/self/*')\n",
    # A forked copy of the worker holds a copy of its frames (the key among them) and its channel.
    "stack frames through a forked child": "import os, sys\nchild = os.fork()\nif child == 0:\n    sys._getframe(1)\n"
                                      "    os._exit(0)\nos.waitpid(child, 0)\n",
}


@pytest.mark.parametrize("where", ["at import", "in a call"])
@pytest.mark.parametrize("words", sorted(TAMPERING))
def test_reaching_for_the_graders_internals_leaves_evidence(tmp_path, words, where):
    code = TAMPERING[words]
    if where == "in a call":
        code = "def reach():\n" + "".join(f"    {line}\n" for line in code.splitlines()) + "    return 0\n"
    with running(tmp_path, code + "\ndef fine():\n    return 1\n") as student:
        session = student._session
        if where == "in a call":
            assert session.evidence == [] and student.fine() == 1 and session.evidence == []
            student.reach()
        else:
            student.fine()
    assert any(item.startswith(words.split(" through ")[0]) for item in session.evidence), session.evidence


KEPT_TRACEBACK = """
import traceback

KEPT = []


class Kept(Exception):
    def __init__(self):
        KEPT.append(self)


def escape():
    raise Kept()  # caught by the worker, in serve(): its traceback starts at serve's frame


def read_serves_locals():
    summaries = traceback.StackSummary.extract(traceback.walk_tb(KEPT[0].__traceback__), capture_locals=True)
    return sorted(summaries[0].locals)


def read_serves_locals_with_pdb():  # its post-mortem walks the traceback for whoever asks, and runs our commands
    import io, pdb

    out = io.StringIO()
    debugger = pdb.Pdb(stdin=io.StringIO("up\\nup\\nup\\nup\\np sorted(locals())\\nq\\n"), stdout=out)
    debugger.use_rawinput = False
    try:
        debugger.interaction(None, KEPT[0].__traceback__)
    except AttributeError:  # its quit, outside a run of its own
        pass
    return [name for name in ("key", "acknowledgement") if repr(name) in out.getvalue()]
"""


@pytest.mark.parametrize("reader", ["read_serves_locals", "read_serves_locals_with_pdb"])
def test_a_kept_traceback_of_the_workers_frames_leaves_evidence(tmp_path, reader):
    with running(tmp_path, KEPT_TRACEBACK) as student:
        with pytest.raises(StudentCodeFailed):
            student.escape()
        assert student._session.evidence == []
        assert "key" in getattr(student, reader)()
    assert any(item.startswith("stack frames") for item in student._session.evidence), student._session.evidence


BLINDED_HOOK = """
import os
import sys


def reach_blinded():
    opened = []
    for fd in range(3, 4096):  # every descriptor: the channel's number is the test process's, which holds many
        try:
            os.fstat(fd)
            opened.append(fd)
        except OSError:
            pass
    null = os.open(os.devnull, os.O_WRONLY)
    saved = {fd: os.dup(fd) for fd in opened}
    for fd in opened:
        os.dup2(null, fd)
    try:
        sys._getframe(1)
    finally:
        for fd, copy in saved.items():
            os.dup2(copy, fd)
    return 0
"""


def test_evidence_reaches_the_grader_when_the_channel_is_pointed_elsewhere(tmp_path):
    with running(tmp_path, BLINDED_HOOK) as student:
        with pytest.raises(StudentCodeFailed, match="the worker died"):  # what it reached for, it never used
            student.reach_blinded()
    assert any(item.startswith("stack frames") for item in student._session.evidence), student._session.evidence


def test_the_workers_memory_is_not_readable_by_its_own_user(tmp_path):
    code = "import ctypes\n\ndef dumpable():\n    return ctypes.CDLL(None).prctl(3, 0, 0, 0, 0)  # PR_GET_DUMPABLE\n"
    with running(tmp_path, code) as student:
        assert student.dumpable() == 0  # so /proc/<pid>/mem is root's, whatever path opens it


HARMLESS = """
import collections, dataclasses, enum, glob, importlib, inspect, logging, numbers, os, pathlib, signal, traceback
import typing, warnings
import numpy as np

signal.signal(signal.SIGUSR2, signal.SIG_IGN)  # no Python code to hand a frame to
signal.signal(signal.SIGINT, signal.default_int_handler)

Pair = collections.namedtuple("Pair", "a b")

@dataclasses.dataclass
class Point:
    x: float

class Colour(enum.Enum):
    RED = 1

class Base:
    pass

class Child(Base):
    pass

logging.getLogger("student").warning("a student's own log line")

def fine(x):
    try:
        np.asarray(x) / 0
        1 / 0
    except ZeroDivisionError:
        traceback.format_exc()
    logging.getLogger("student").warning("a log line with its stack", stack_info=True)
    warnings.warn("a student's own warning")
    inspect.signature(fine)
    inspect.getsource(fine)
    exec("y = 1")  # code with no file of its own, doing nothing it should not
    importlib.import_module("json.tool")
    assert Base.__subclasses__() == [Child] and isinstance(np.float64(1), numbers.Real)
    assert glob.glob("*.py") and pathlib.Path(__file__).read_text() and list(os.fwalk("."))
    return float(np.sum(np.asarray(x)))
"""


def test_ordinary_code_leaves_no_evidence(tmp_path):
    with running(tmp_path, HARMLESS) as student:
        assert student.fine([1.0, 2.0]) == 3.0
    assert student._session.evidence == []


def test_a_failure_carries_a_quarantined_account_without_the_students_text(tmp_path):
    with running(tmp_path, "def leak(x):\n    print('LEAK printed')\n    raise ValueError('LEAK ' + repr(x))\n") as student:
        with pytest.raises(StudentCodeFailed) as failure:
            student.leak([1.5, 2.5])
    assert "LEAK" in str(failure.value) and "LEAK" in failure.value.details
    assert "LEAK" not in failure.value.quarantined and "2.5" not in failure.value.quarantined
    assert failure.value.quarantined.startswith("leak raised ValueError at line ")


LINE_FORGER = """
def leak(x):
    exec(compile("\\n" * (int(x) - 1) + "raise ValueError", __file__, "exec"))

def blank_line_leak(x):
    exec(compile("\\n" * 6 + "raise ValueError", __file__, "exec"))
"""


@pytest.mark.parametrize("function, line", [("leak", 4242), ("blank_line_leak", 7)])
def test_a_line_the_module_has_no_code_on_is_not_named_in_quarantine(tmp_path, function, line):
    """Code compiled under the module's name reports any line it likes: only lines with code are named."""
    with running(tmp_path, LINE_FORGER + "\n" * 3) as student:
        with pytest.raises(StudentCodeFailed) as failure:
            getattr(student, function)(line)
    assert f"line {line}" in failure.value.details  # the student's own account, shown after the due date, has it
    assert failure.value.quarantined == f"{function} raised ValueError"


def test_a_students_own_exception_class_is_not_named_in_quarantine(tmp_path):
    with running(tmp_path, "def leak(x):\n    raise type('LEAK_' + str(int(x)), (Exception,), {})()\n") as student:
        with pytest.raises(StudentCodeFailed) as failure:
            student.leak(42)
    assert "LEAK" not in failure.value.quarantined and "42" not in failure.value.quarantined


def test_repeated_calls_report_the_arrays_around_calls_drawn_here(trainer, regression):
    """Full-batch training (``_repeat``): the test's judge sees the model before and after the calls checked."""
    X, y = regression
    model = trainer.Linear()
    reports = []
    trainer._repeat(model, "train", (X[0], y[0], 0.05), 30, reports.append)
    assert len(reports) == 7 and reports[-1]["step"] == 29 and len({report["step"] for report in reports}) == 7
    for report in reports:
        assert set(report["before"]) == set(report["after"]) == {"W", "b"}
        assert not np.array_equal(report["before"]["W"], report["after"]["W"])


def test_the_steps_checked_before_a_late_exception_are_judged_first(trainer, regression):
    """One request runs every checked step; an exception after some of them comes after their judgments."""
    judged = []
    object.__setattr__(trainer, "_judge_step", lambda report, rate, what: judged.append(report["step"]))
    with pytest.raises(StudentCodeFailed, match="raised ValueError: late"):
        trainer._sgd(trainer.LateFailure(), *regression, epochs=2, learning_rate=0.05)
    assert len(judged) == 6 and judged == sorted(judged) and judged[-1] < 79


def test_a_wrong_step_is_named_even_when_the_run_raises_later(trainer, regression):
    with pytest.raises(CheckFailed, match="training step .*is off|is not one SGD step"):
        trainer._sgd(trainer.RefitThenLateFailure(), *regression, epochs=2, learning_rate=0.05)


def test_training_data_is_sent_once_and_each_run_trains_on_it_afresh(trainer, regression):
    """The same data again is not sent again, and what a run's train changed in it is gone at the next run."""
    session, sent = trainer._session, []
    request = session.request
    session.request = lambda message, *args, **kwargs: (sent.append(message["op"]), request(message, *args, **kwargs))[1]
    object.__setattr__(trainer, "_judge_step", lambda report, rate, what: None)  # its checked steps' x is zeroed
    model = trainer.Scribbler()
    for _ in range(2):
        trainer._sgd(model, *regression, epochs=1, learning_rate=0.05)
    seen = model.seen
    assert sent.count("keep") == 1 and sent.count("sgd") == 2
    assert len(seen) == 80 and all(total > 0 for total in seen)
    trainer._sgd(model, regression[0][:20], regression[1][:20], epochs=1, learning_rate=0.05)  # other data: sent
    assert sent.count("keep") == 2
