"""Constructors sent without waiting: the object is named on the trusted side, and every outcome is today's."""
import pytest

from autograder.sandbox import remote
from autograder.sandbox.inside import wire
from autograder.sandbox.inside.wire import Handle
from autograder.sandbox.inside.worker import Worker, plain_class
from autograder.sandbox.process import ChildProcess
from autograder.sandbox.remote import RemoteModule, RemoteObject
from autograder.sandbox.session import StudentCodeFailed, WorkerSession

STUDENT_CODE = """
import os


class Fine:
    def __init__(self, size):
        self.size = size

    def get(self):
        return self.size + self.value


class Raises:
    def __init__(self, size):
        raise ValueError(f"no net of size {size}")

    def get(self):
        return 0


class Hangs:
    def __init__(self, size):
        while True:
            pass


class Exits:
    def __init__(self, size):
        os._exit(3)


class Other:
    def get(self):
        return -self.value


class Becomes:
    def __init__(self, size):
        self.__class__ = Other  # its objects are of another class than its name

    def get(self):
        return self.value


class Five:
    def __new__(cls, size):
        return 5


class Meta(type):
    pass


class WithMeta(metaclass=Meta):
    def get(self):
        return self.value


def Function(size):
    return Fine(size)
"""

KINDS = ["Fine", "Raises", "Hangs", "Exits", "Becomes", "Five", "WithMeta", "Function"]


@pytest.fixture
def make_student(tmp_path):
    (tmp_path / "mod.py").write_text(STUDENT_CODE)
    sessions = []

    def make(deferred):
        session = WorkerSession(ChildProcess(), tmp_path / "mod.py", "mod")
        sessions.append(session)
        session.ensure_started()
        if not deferred:
            session.classes.clear()  # every constructor waited for, as before
        return RemoteModule(session, "mod")

    yield make
    for session in sessions:
        session.close()


def described(value):
    """``value`` as a test sees it, but for the number of a worker object (named here now, there before)."""
    if isinstance(value, Handle):
        return ("handle", value.type)
    if isinstance(value, RemoteObject):
        return ("object", value._label, value._handle.type)
    return value


def run(student, kind, monkeypatch):
    """What a test that makes a ``kind`` and uses it sees: its outcome, and the calls the observers were told of."""
    observed = []
    monkeypatch.setattr(remote, "CALL_OBSERVERS", [observed.append])
    try:
        made = getattr(student, kind).with_timeout(1.0)(2)
        made.value = 3
        got = made.get()
        outcome = ("value", got, described(made), made.value)
    except StudentCodeFailed as error:
        outcome = ("failed", str(error), error.quarantined, getattr(error, "timed_out", False))
    except Exception as error:  # noqa: BLE001 - what the test itself raised (an int has no attribute value)
        outcome = ("error", type(error).__name__)
    try:
        student._session.flush()  # (as the plugin does at the test's end)
    except StudentCodeFailed as error:
        outcome += ("at the end", str(error))
    calls = [(call.name, described(call.value), call.error and str(call.error)) for call in observed]
    # the same worker goes on in step (a fresh one where it died or hung)
    after = student.Fine(4)
    after.value = 1
    return outcome, calls, sorted(student._session.timed_out), after.get()


@pytest.mark.parametrize("kind", KINDS)
def test_a_constructor_sent_without_waiting_ends_as_one_waited_for(make_student, kind, monkeypatch):
    """Whatever the constructor does (returns, raises, hangs, exits, changes its object's class, returns a plain
    value), the test sees what it saw when each constructor was waited for, and so do the known bugs' observers."""
    today = run(make_student(deferred=False), kind, monkeypatch)
    assert run(make_student(deferred=True), kind, monkeypatch) == today


def test_a_plain_class_is_constructed_without_a_wait_and_its_next_request_goes_behind_it(make_student, monkeypatch):
    student = make_student(deferred=True)
    session = student._session
    assert {"Fine", "Raises", "Hangs", "Exits", "Becomes", "Other"} <= session.classes
    assert not {"Five", "WithMeta", "Function", "Meta"} & session.classes  # a call of these may give anything
    writes = []

    def write_all(fd, data, write_all=wire.write_all):
        frames = wire.Inbox()
        frames.data += data
        writes.append(sum(1 for _ in iter(frames.next_body, None)))
        write_all(fd, data)

    monkeypatch.setattr(wire, "write_all", write_all)
    made = student.Fine(2)
    assert writes == [] and made._handle.id < 0  # named here, nothing written yet
    made.value = 5
    assert made.get() == 7
    assert writes == [3, 1]  # the constructor, the setattr and the method's read in one write; then the call


def test_a_constructor_that_raises_fails_at_the_next_request_with_its_own_message(make_student):
    student = make_student(deferred=True)
    made = student.Raises(2)  # no wait: the error comes with the next answer
    with pytest.raises(StudentCodeFailed, match="^Raises raised ValueError: no net of size 2$"):
        made.get()
    assert student.Fine(1).size == 1  # in step


def test_objects_are_kept_under_the_handles_the_trusted_side_names_and_no_other():
    worker = Worker()
    worker.module = type("module", (), {"Fine": type("Fine", (), {})})
    assert worker.answer({"op": "call", "name": "Fine", "bind": -1})["ok"] == {"__handle__": -1, "type": "Fine"}
    assert worker.register(object()).id == 2  # numbered as if the first were kept under 1
    for taken in (-1, 0, 3, "-2", True):
        with pytest.raises(ValueError, match="must be a new negative number"):
            worker.answer({"op": "call", "name": "Fine", "bind": taken})


def test_a_plain_class_is_told_without_running_the_students_code():
    ran = []

    class Sneaky(type):
        def __getattribute__(cls, name):
            ran.append(name)
            return super().__getattribute__(name)

    class Fine:
        pass

    class OwnNew:
        def __new__(cls):
            return 1

    class Child(OwnNew):
        pass

    assert plain_class(Fine, "Fine") and not plain_class(Fine, "Alias")
    assert not plain_class(OwnNew, "OwnNew") and not plain_class(Child, "Child") and not plain_class(dict, "dict")
    assert not plain_class(Sneaky("Odd", (), {}), "Odd") and ran == []
