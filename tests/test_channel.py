"""The channel to student code: plain data only, and a worker that hangs or dies costs one request."""
import base64
import io
import json
import os
import pickle
import select
import struct
import tempfile
from pathlib import Path

import numpy as np
import pytest

from autograder.sandbox import remote
from autograder.sandbox.inside import wire
from autograder.sandbox.remote import RemoteModule
from autograder.sandbox.process import ChildProcess
from autograder.sandbox.session import FORGED_ANSWER, StudentCodeFailed, WorkerSession


class Payload:
    """Unpickling this would create a file: the proof that code ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def frame_body(data, *arrays):
    """A frame's body written by hand: ``data`` as its JSON, then ``arrays`` as (dtype code, shape, raw bytes)."""
    text = json.dumps(data).encode()
    body = struct.pack(">I", len(text)) + text
    for code, shape, raw in arrays:
        body += code.encode().ljust(4) + struct.pack(">B", len(shape)) + struct.pack(f">{len(shape)}Q", *shape) + raw
    return body


def npy_bytes(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def decode_answer(body):
    data, arrays = wire.parse_body(body)
    return wire.decode(data["ok"], arrays)


@pytest.mark.parametrize("body", [
    lambda evil: frame_body({"ok": {"__array__": 0}}, ("|O8", [1], pickle.dumps(evil))),
    lambda evil: frame_body({"ok": {"__array__": 0}}, ("<f8", [1], pickle.dumps(evil))),
    lambda evil: frame_body({"ok": {"__scalar__": 0}}, ("|O8", [], pickle.dumps(evil))),
    lambda evil: frame_body({"ok": {"__array__": 0}}, ("", [], npy_bytes(evil))),  # a .npy file, as the first versions sent arrays
    lambda evil: frame_body({"ok": {"__array__": base64.b64encode(pickle.dumps(evil)).decode(), "dtype": "<f8",
                                    "shape": [1]}}),  # base64 in the JSON, as the version before this one did
], ids=["object dtype", "lying dtype", "object scalar", "npy", "base64 in JSON"])
def test_object_array_with_pickle_payload_is_refused_without_running_it(tmp_path, body):
    marker = tmp_path / "pwned"
    evil = np.array([Payload(str(marker))], dtype=object)
    with pytest.raises(wire.WireError, match="not a plain numeric array|array index|unexpected dict"):
        decode_answer(body(evil))
    assert not marker.exists()


@pytest.mark.parametrize("data, arrays", [
    ({"__pickle__": "x"}, []), ({"__tuple__": "x"}, []), ({"__dict__": [[1, 2]]}, []), ({"a": 1}, []),
    ({"__array__": 0}, []), ({"__array__": "0"}, [np.zeros(1)]), ({"__array__": -1}, [np.zeros(1)]),
    ({"__array__": 0, "dtype": "<f8"}, [np.zeros(1)]),
    ([{"__array__": 0}, {"__array__": 0}], [np.zeros(1)]),  # two values sharing one array's memory
    ([{"__array__": 0}], [np.zeros(1), np.zeros(1)]),  # an array no value uses
    ({"__scalar__": 0}, [np.zeros(2)]),
], ids=["pickle tag", "tuple of a string", "dict with int keys", "plain dict", "missing array", "string index",
        "negative index", "extra key", "array used twice", "unused array", "scalar with a shape"])
def test_anything_but_plain_data_is_refused(data, arrays):
    with pytest.raises(wire.WireError):
        wire.decode(data, arrays)


@pytest.mark.parametrize("body", [
    b"", b"\x00\x00\x00\x09{}", frame_body({}) + b"\x00",
    frame_body({"ok": {"__array__": 0}}, ("<U4", [1], b"text")),
    frame_body({"ok": {"__array__": 0}}, ("<f8", [2], b"12345678")),  # shorter than its shape says
    frame_body({"ok": {"__array__": 0}}, ("<f8", [2**62, 4], b"12345678")),
    frame_body({"ok": {"__array__": 0}}, ("<f8", [1] * 33, b"12345678")),
    frame_body({"ok": {"__array__": 0}}, ("f8", [1], b"12345678")),
    frame_body({"ok": {"__array__": 0}}, ("<V8", [1], b"12345678")),
    frame_body({"ok": 1}, *[("<f8", [0], b"")] * (wire.MAX_ARRAYS + 1)),
    frame_body({"ok": {"__array__": 0}}, ("<f8", [2**63, 0], b"")),  # no bytes, a size numpy cannot make
    frame_body({"ok": {"__array__": 0}}, ("<f8", [0, 2**62], b"")),
], ids=["empty", "JSON past the end", "trailing byte", "string dtype", "short payload", "huge shape",
        "33 dimensions", "no byte order", "void dtype", "too many arrays", "empty of 2**63 rows",
        "empty of 2**62 columns"])
def test_malformed_frames_are_refused(body):
    with pytest.raises(wire.WireError):
        wire.parse_body(body)


def test_a_raw_pickle_is_not_a_frame():
    with pytest.raises(wire.WireError):
        wire.parse_body(pickle.dumps(Payload("/nonexistent")))


def round_trip(value):
    frame = wire.frame(value)
    assert wire.frame_length(frame[:wire.HEADER_BYTES]) == len(frame) - wire.HEADER_BYTES
    return wire.decode(*wire.parse_body(frame[wire.HEADER_BYTES:]))


def test_values_round_trip():
    value = {"W": np.arange(6.0).reshape(2, 3), "n": np.int32(3), "pair": (1, [2.5, None]), "s": "x"}
    decoded = round_trip(value)
    np.testing.assert_array_equal(decoded["W"], value["W"])
    assert decoded["n"].dtype == np.int32 and decoded["pair"] == (1, [2.5, None]) and decoded["s"] == "x"


@pytest.mark.parametrize("array", [
    np.arange(6.0).reshape(2, 3).T, np.zeros((0, 3)), np.array(2.5), np.arange(4, dtype=">i4"),
    np.array([True, False]), np.arange(3, dtype=np.complex64), np.arange(8, dtype=np.float32)[::2],
], ids=["transposed", "empty", "0-d", "big-endian", "bool", "complex", "strided"])
def test_arrays_keep_their_values_dtype_and_shape_and_come_back_writable(array):
    decoded = round_trip([array, array.copy()])
    for copy in decoded:
        assert type(copy) is np.ndarray and copy.dtype == array.dtype and copy.shape == array.shape
        np.testing.assert_array_equal(copy, array)
        assert copy.flags.writeable
    assert not np.shares_memory(decoded[0], decoded[1])


def test_what_a_submission_rebinds_at_import_never_sees_a_frame_written(monkeypatch):
    """os.write, numpy's functions and the builtins, rebound after the worker's modules were imported (as a student's
    module runs after them): the frames written, a key among them, pass through none of them."""
    import builtins

    seen = []

    def spy(function):
        return lambda *args, **kwargs: seen.append(args) or function(*args, **kwargs)

    for owner, name in [(os, "write"), (os, "read"), (builtins, "len"), (builtins, "memoryview"),
                        (builtins, "isinstance"), (np, "ascontiguousarray"), (np, "asarray")]:
        monkeypatch.setattr(owner, name, spy(getattr(owner, name)))
    seen.clear()  # (monkeypatch's own isinstance calls)
    read_fd, write_fd = os.pipe()
    try:
        wire.write_all(write_fd, wire.dumps({"ok": {"__array__": 0}, "key": "k" * 32}, [np.arange(3.0)]))
        body = wire.read_frame(read_fd, wire.Inbox())
    finally:
        os.close(read_fd)
        os.close(write_fd)
    monkeypatch.undo()
    data, arrays = wire.parse_body(body)
    assert data["key"] == "k" * 32 and wire.decode(data["ok"], arrays).tolist() == [0.0, 1.0, 2.0]
    assert seen == [], "the worker's frames went through functions its student's code had rebound"


def test_frames_that_arrived_together_are_taken_with_one_read(monkeypatch):
    frames = [wire.frame(value) for value in ([1], {"x": np.arange(3.0)}, "three")]
    read_fd, write_fd = os.pipe()
    try:
        wire.write_all(write_fd, b"".join(frames))
        reads, read = [], os.read
        monkeypatch.setattr(wire, "_read", lambda fd, size: reads.append(size) or read(fd, size))
        inbox = wire.Inbox()
        bodies = [wire.read_frame(read_fd, inbox) for _ in frames]
    finally:
        os.close(read_fd)
        os.close(write_fd)
    assert bodies == [frame[wire.HEADER_BYTES:] for frame in frames]
    assert len(reads) == 1, "each frame was read on its own (a read, and a wait for the worker, per frame)"


def test_a_frame_split_across_reads_is_put_back_together():
    frame = wire.frame(np.arange(100.0))
    inbox = wire.Inbox()
    for start in range(0, len(frame), 7):
        assert inbox.next_body() is None
        inbox.data += frame[start:start + 7]
    np.testing.assert_array_equal(wire.decode(*wire.parse_body(inbox.next_body())), np.arange(100.0))
    assert inbox.next_body() is None


def test_a_frame_over_the_size_limit_is_refused_from_its_header():
    inbox = wire.Inbox()
    inbox.data += struct.pack(">Q", wire.MAX_MESSAGE_BYTES + 1)
    with pytest.raises(wire.WireError, match="the limit is"):
        inbox.next_body()


def test_array_bytes_travel_raw_not_as_text():
    array = np.arange(1000, dtype=np.float64)
    frame = wire.frame({"X": array})
    assert array.tobytes() in frame and len(frame) < array.nbytes + 64


def test_ndarray_subclasses_are_not_sent():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

    with pytest.raises(TypeError, match="subclass"):
        wire.frame(np.zeros(3).view(Liar))


STUDENT_CODE = """
import os, time
import numpy as np

def double(x):
    return 2 * np.asarray(x)

def hang():
    while True:
        pass

def die():
    os._exit(0)

def raise_value_error():
    raise ValueError("bad shapes")

def mutate(x):
    x += 1
    return x

def forge_answer():
    import json, os, struct

    text = json.dumps({"ok": 42, "after": []}).encode()
    body = struct.pack(">I", len(text)) + text
    for fd in range(3, 4096):
        try:
            os.write(fd, struct.pack(">Q", len(body)) + body)
        except OSError:
            pass
    return 41


def write_part_of_a_frame():
    import os, struct

    for fd in range(3, 4096):  # the answer channel and the log among them (numbered as in the test process)
        try:
            os.write(fd, struct.pack(">Q", 100) + b"abc")
        except OSError:
            pass
    return 1


def give_set():
    return {1, 2}

np.seterr(all="ignore")  # a module that hides numpy's warnings: the worker records them all the same

def sigmoid(x):
    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))

def log_of(x):
    return np.log(np.asarray(x, dtype=float))

def user_warning():
    import warnings
    warnings.warn("just saying")
    return 1

class Frozen:
    def __setattr__(self, name, value):
        raise AttributeError("frozen")

class Box:
    pass

calls = []

def record(x):
    calls.append(x)
    return len(calls)
"""


@pytest.fixture
def student(tmp_path):
    (tmp_path / "mod.py").write_text(STUDENT_CODE)
    session = WorkerSession(ChildProcess(), tmp_path / "mod.py", "mod")
    yield RemoteModule(session, "mod")
    session.close()


@pytest.mark.parametrize("through_a_zygote", [False, True])
def test_a_closed_session_holds_no_descriptor_also_after_its_worker_died(tmp_path, through_a_zygote):
    """A session closed but kept (a test's, a check's) held each worker's output file: ~70 descriptors in a full
    run of the suite's process once put a channel out of a student's reach (test_verdicts.py's). What the
    dead worker printed is still told."""
    from autograder.sandbox import zygote
    from conftest import open_descriptors

    (tmp_path / "submission").mkdir()
    (tmp_path / "scratch").mkdir()
    (tmp_path / "submission" / "mod.py").write_text(STUDENT_CODE + """
def say_and_die():
    print('said before dying', flush=True)
    os._exit(0)
""")
    before = set(open_descriptors())
    sandbox = ChildProcess()
    if through_a_zygote:
        sandbox = zygote.wrap(sandbox, tmp_path / "submission", tmp_path / "scratch")
    session = WorkerSession(sandbox, tmp_path / "submission" / "mod.py", "mod")
    student = RemoteModule(session, "mod")
    with pytest.raises(StudentCodeFailed, match="the worker died in say_and_die") as died:
        student.say_and_die()
    assert "said before dying" in died.value.details
    assert student.double(2) == 4
    session.close()
    if through_a_zygote:
        sandbox.close()
    assert set(open_descriptors()) == before, "the session and its sandbox are closed but hold descriptors"


def test_a_call_returns_the_value(student):
    np.testing.assert_array_equal(student.double([1.0, 2.0]), [2.0, 4.0])


def test_a_hang_times_out_and_the_next_call_works(student):
    with pytest.raises(StudentCodeFailed, match=r"timed out after 0.5 s in hang"):
        student.hang.with_timeout(0.5)()
    with pytest.raises(StudentCodeFailed, match="timed out earlier"):
        student.hang()
    assert student.double(1) == 2


def test_a_dying_worker_costs_one_call(student):
    with pytest.raises(StudentCodeFailed, match="the worker died in die: it exited with status 0"):
        student.die()
    assert student.double(2) == 4


def test_an_answer_the_worker_did_not_write_is_refused_and_flagged(student):
    """Student code that writes a well-formed answer on every descriptor it can (here: ``mutate``'s value, with
    its argument as sent) lacks the worker's key: refused, as evidence for review, and the next call is in step."""
    with pytest.raises(StudentCodeFailed, match="an answer the worker did not write") as failure:
        student.forge_answer()
    assert failure.value.broke_protocol
    assert student._session.evidence == [FORGED_ANSWER]
    assert student.double(3) == 6


def test_part_of_a_frame_on_the_log_is_refused_at_once(student):
    """The worker writes each entry of its log whole (a pipe never splits a write that small): a part of one is the
    student's code's, refused as what a worker never sends, without waiting for the rest; the next call is in step."""
    with pytest.raises(StudentCodeFailed, match="write_part_of_a_frame sent back something that is not plain data"):
        student.write_part_of_a_frame.with_timeout(5)()
    assert student.double(3) == 6


def test_exceptions_are_reported_with_type_and_message(student):
    with pytest.raises(StudentCodeFailed, match="raise_value_error raised ValueError: bad shapes") as error:
        student.raise_value_error()
    assert "mod.py" in error.value.details


def test_mutation_of_an_argument_is_seen(student):
    _, mutated = student.mutate.call_tracking_mutation(np.zeros(3))
    assert mutated == [0]


def test_a_floating_point_warning_fails_a_sigmoid_and_is_named(student):
    np.testing.assert_array_equal(student.sigmoid([0.0]), [0.5])  # no warning: a value
    with pytest.raises(StudentCodeFailed, match="sigmoid raised RuntimeWarning: overflow encountered in exp") as failure:
        student.sigmoid([-1000.0, 0.0])  # the value would be right: the warning alone fails it
    assert "encountered" not in failure.value.quarantined  # a warning's text may be the student's: not in hidden tests
    assert student.user_warning() == 1  # other warnings are not the contract's business
    assert student.log_of([0.0]) == -np.inf  # nor warnings of functions the contract does not name


def test_an_unsupported_value_comes_back_as_a_handle_not_an_object(student):
    assert "set" in repr(student.give_set())


def test_a_missing_module_fails_every_request_with_its_reason():
    session = WorkerSession(ChildProcess(), None, "mod", "01_perceptron/perceptron.py is missing")
    with pytest.raises(StudentCodeFailed, match="perceptron.py is missing"):
        RemoteModule(session, "mod").double(1)


def test_an_import_failure_is_reported_once_and_remembered(tmp_path):
    (tmp_path / "mod.py").write_text("import sys\nsys.exit(3)\n")
    session = WorkerSession(ChildProcess(), tmp_path / "mod.py", "mod")
    for _ in range(2):
        with pytest.raises(StudentCodeFailed, match=r"could not import mod.py: .*sys.exit\(3\)"):
            RemoteModule(session, "mod").double(1)
    assert session.generation == 1


@pytest.mark.parametrize("path, outside", [
    ("/work/kit/solutions/06_backprop/test_hidden_backprop.py", True),
    ("/tmp/a-checkout-of-the-kit/solutions/test_hidden_backprop.py", True),  # its folder is not there
    ("{tmp}/cache.npy", False),  # the code's own scratch file, not written yet
    ("{folder}/data.csv", False),
])
def test_a_missing_file_outside_the_submission_is_named_in_plain_words(tmp_path, path, outside):
    from autograder.sandbox.inside.worker import plain_words

    folder = tmp_path / "submission"
    scratch = Path(tempfile.mkdtemp(dir="/tmp"))
    try:
        error = FileNotFoundError(2, "No such file or directory", path.format(tmp=scratch, folder=folder))
        words = plain_words(error, str(folder))
    finally:
        scratch.rmdir()
    assert (words is not None and "tried to read a file outside its folder" in words) == outside, words


@pytest.mark.parametrize("text", [b"[" + b"[]," * 2_000_000 + b"[]]", b"[" + b"0," * 2_000_000 + b"0]",
                                  b'{"ok":[' + b"{}," * 2_000_000 + b'{}],"mutated":[]}'],
                         ids=["empty lists", "numbers", "empty dicts"])
def test_a_valid_frame_of_countless_values_is_refused_before_it_is_built(text):
    """A valid 128 MiB frame of empty lists once made the trusted runner build 6 GiB of them."""
    import tracemalloc

    body = struct.pack(">I", len(text)) + text  # valid JSON, framed as frame_body would (without a copy of it)
    tracemalloc.start()
    try:
        with pytest.raises(wire.WireError, match="values"):
            wire.parse_body(body)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * len(body)  # the JSON text, copied once at most: not a list per value


def test_a_large_but_plain_answer_still_decodes():
    values = np.arange(200_000, dtype=float)
    framing = wire.Framing()
    answer = wire.dumps({"ok": framing.encode([values, values.tolist()[:100_000]]), "mutated": []}, framing.arrays)
    data, arrays = wire.parse_body(answer[wire.HEADER_BYTES:])
    decoded = wire.decode(data["ok"], arrays)
    assert np.array_equal(decoded[0], values) and len(decoded[1]) == 100_000


def log_traffic(monkeypatch, session):
    """Note in ``log`` each write of the trusted side (``("write", frames in it)``) and each of its reads ("read")."""
    log = []
    write_all, read = wire.write_all, session.inbox.read

    def write(fd, data):
        frames = wire.Inbox()
        frames.data += data
        log.append(("write", sum(1 for _ in iter(frames.next_body, None))))
        write_all(fd, data)

    monkeypatch.setattr(wire, "write_all", write)
    monkeypatch.setattr(session.inbox, "read", lambda fd: (log.append("read"), read(fd))[1])
    return log


def test_a_request_goes_behind_the_acknowledgements_it_would_wait_for(student, monkeypatch):
    box = student.Box()
    log = log_traffic(monkeypatch, student._session)
    box.value = 3
    student._seed(0)
    assert box.value == 3
    # the constructor (sent without waiting), setattr, seed and getattr sent before anything is read: one wait, not two
    assert log[0] == ("write", 4)


def test_an_acknowledged_error_is_raised_and_the_request_behind_it_answers_nothing(student):
    frozen, record = student.Frozen(), student.record
    frozen.value = 1
    with pytest.raises(StudentCodeFailed, match="setting Frozen.value raised AttributeError: frozen"):
        record(1)
    assert record(2) == 2  # the same worker, still in step: the request behind the error ran and was read


def test_a_request_behind_a_failed_unpin_runs_again_in_a_fresh_worker(student):
    session = student._session
    assert student.record(1) == 1
    session.send({"op": "no such op"}, what="undoing pins", restart_on_error=True)
    assert student.record(2) == 1  # a fresh worker: the run in the worker that failed is not the answer


def test_requests_sent_without_waiting_wait_for_the_next_request_to_be_written(student, monkeypatch):
    box = student.Box()
    log = log_traffic(monkeypatch, student._session)
    box.a, box.b = 1, 2
    student._seed(0)
    assert log == []  # nothing written yet: the worker is not woken for an acknowledgement
    assert (box.a, box.b) == (1, 2)
    # the constructor, the three and the first getattr, then one
    assert log[0] == ("write", 5) and log.count(("write", 1)) == 1


def test_acknowledgements_already_read_are_taken_without_an_exchange_each(student, monkeypatch):
    box = student.Box()
    session = student._session
    box.a = 0  # the constructor's answer (a handle) read behind a getattr: the log is read from here on
    assert box.a == 0
    exchanges, exchange, post = [], session._exchange, session._post
    monkeypatch.setattr(session, "_exchange", lambda *args: (exchanges.append(args[0]), exchange(*args))[1])
    # the worker has answered everything before the trusted side reads: the getattr's answer on the answer channel
    # comes after the four acknowledgements on the log
    monkeypatch.setattr(session, "_post", lambda *args: (post(*args), select.select([session.response_fd], [], [], 10)))
    box.a, box.b, box.c = 1, 2, 3
    student._seed(0)
    assert box.a == 1
    # one exchange reads the log (the first acknowledgement), the other three are taken as read; one the getattr's
    assert exchanges == [None, None] and session.log.data == bytearray()
    assert (box.b, box.c) == (2, 3)


def test_an_error_behind_acknowledgements_taken_as_read_is_still_raised(student):
    box, frozen, record = student.Box(), student.Frozen(), student.record
    box.a = 0
    assert box.a == 0
    box.a, box.b = 1, 2
    frozen.value = 1  # its error is on the log behind two acknowledgements
    with pytest.raises(StudentCodeFailed, match="setting Frozen.value raised AttributeError: frozen"):
        record(1)
    assert (box.a, box.b) == (1, 2) and record(2) == 2


def test_what_is_sent_behind_an_unpin_waits_for_nothing_and_reaches_the_fresh_worker_if_it_fails(student, monkeypatch):
    session = student._session
    assert student.record(1) == 1
    log = log_traffic(monkeypatch, session)
    session.send({"op": "no such op"}, what="undoing pins", restart_on_error=True)
    student.value = 5  # sent behind the failing unpin without waiting for it
    assert log == []
    assert student.value == 5  # sent again to the fresh worker, which then answers the getattr
    assert log[0] == ("write", 3)  # the unpin, the setattr and the getattr went together
    assert student.record(2) == 1  # a fresh worker


def test_calls_and_reads_together_are_written_at_once_and_answer_as_one_by_one(student, monkeypatch):
    box = student.Box()
    box.a, box.b = 1, [2.0]
    double, record = student.double, student.record  # known functions since the import: nothing asked
    log = log_traffic(monkeypatch, student._session)
    assert student._calls([(double, ([1.0, 2.0],), {}), (record, ("x",), {}), (double, (), {"x": 3})]) == [
        pytest.approx([2.0, 4.0]), 1, 6]
    assert box._read("a", "b") == [1, [2.0]]
    # one wait each, not eight: the constructor and the two setattrs went with the calls
    assert [entry for entry in log if entry != "read"] == [("write", 6), ("write", 2)]


def test_the_modules_functions_are_called_without_asking_whether_they_are_functions(student, monkeypatch):
    log = log_traffic(monkeypatch, student._session)
    assert student.record(1) == 1 and student.double(2) == 4
    assert [entry for entry in log if entry != "read"] == [("write", 1)] * 3  # the import and the calls alone
    assert student.calls == [1] and log[-2:] == [("write", 1), "read"]  # what is not a function is read, as before


def test_the_first_failure_among_calls_together_is_raised_and_the_worker_stays_in_step(student):
    calls = []
    remote.CALL_OBSERVERS[:] = [calls.append]
    try:
        with pytest.raises(StudentCodeFailed, match="raise_value_error raised ValueError: bad shapes") as failed:
            student._calls([(student.record, (1,), {}), (student.raise_value_error, (), {}), (student.record, (2,), {})])
    finally:
        remote.CALL_OBSERVERS.clear()
    assert failed.value.failed_at == 1
    assert [(call.name, call.value, call.error is not None) for call in calls] == [
        ("record", 1, False), ("raise_value_error", None, True)]  # what the observers saw one by one
    assert student.record(3) == 3  # the call after the failure ran, and its answer was read


def test_a_random_generator_is_made_without_waiting_and_draws_as_numpys(student, monkeypatch):
    student.record(0)  # the worker runs
    log = log_traffic(monkeypatch, student._session)
    generators = [student._rng(3), student._rng(3)]
    assert log == []  # nothing written yet: their handles are named here
    assert [generator.random() for generator in generators] == [np.random.default_rng(3).random()] * 2
    # both made with the first getattr (is random a function?), then the two calls
    assert [entry for entry in log if entry != "read"] == [("write", 3), ("write", 1), ("write", 1)]


def test_reads_one_by_one_are_one_wait_and_a_failed_read_raises_at_its_turn(student, monkeypatch):
    box = student.Box()
    box.a = 1
    log = log_traffic(monkeypatch, student._session)
    values = box._read_each("a", "missing", "a")
    assert next(values) == 1
    with pytest.raises(StudentCodeFailed, match="reading Box.missing raised AttributeError"):
        next(values)
    assert [entry for entry in log if entry != "read"] == [("write", 5)]  # the constructor, the setattr, three reads


def test_acknowledgements_with_a_request_behind_them_go_on_the_log_and_wake_no_one(student, monkeypatch):
    box = student.Box()
    log = log_traffic(monkeypatch, student._session)
    box.a, box.b = 1, 2
    assert student.record(1) == 1
    # written together (the constructor too); what was answered before the call on the log: the answer channel read
    # once, for the call's answer
    assert log == [("write", 4), "read"]
    assert (box.a, box.b) == (1, 2)


def test_a_worker_dying_or_hanging_behind_acknowledged_requests_is_charged_the_request_it_was_in(student):
    """The acknowledgements on the log were written before the worker went on: the requests they answer were done."""
    box = student.Box()
    box.a = 1
    with pytest.raises(StudentCodeFailed, match="the worker died in die: it exited with status 0"):
        student.die()
    box = student.Box()  # (a fresh worker)
    box.a = 1
    with pytest.raises(StudentCodeFailed, match=r"timed out after 0.5 s in hang"):
        student.hang.with_timeout(0.5)()
    assert student.double(2) == 4


def test_answers_with_a_request_behind_them_go_on_the_log_unless_too_large_for_one_write(student, monkeypatch):
    student.record(0)
    log = log_traffic(monkeypatch, student._session)
    assert student._calls([(student.record, ("a",), {}), (student.double, (2,), {})]) == [2, 4]
    assert log == [("write", 2), "read"]  # the first answer on the log: the answer channel read once
    large = np.arange(1000.0)  # its answer too large for one write to the log: announced there, sent on the channel
    doubled, count = student._calls([(student.double, (large,), {}), (student.record, ("b",), {})])
    np.testing.assert_array_equal(doubled, 2 * large)
    assert count == 3


LONG_TEXTS = '''
class _Long(str):
    def __getitem__(self, index):  # what the worker's cut of a message gets
        return "spam " * 200_000


class Loud(ValueError):
    def __str__(self):
        return _Long("no")


class _Exit:
    def __repr__(self):  # what the worker's account of sys.exit quotes
        return "bye " * 250_000


def raise_a_long_message():
    raise Loud()


def exit_with_a_long_repr():
    raise SystemExit(_Exit())


def raise_a_long_class_name():
    raise type("E" * 1_000_000, (ValueError,), {})("no")


def make_a_long_class_name():
    return type("M" * 1_000_000, (), {})()
'''


@pytest.mark.parametrize("name", ["raise_a_long_message", "exit_with_a_long_repr", "raise_a_long_class_name",
                                  "make_a_long_class_name"])
def test_the_student_text_of_an_answer_is_bounded_on_the_trusted_side(tmp_path, name):
    """The worker cuts a message to 1,000 characters, a traceback to 4,000, but the student's code makes those cuts (a
    str of its own slices as it likes; a repr and a class's name have no bound): the trusted side cuts them again
    (hostile_huge_error_report put 30 MB in each failed test's records)."""
    (tmp_path / "mod.py").write_text(LONG_TEXTS)
    session = WorkerSession(ChildProcess(), tmp_path / "mod.py", "mod")
    try:
        try:
            told = repr(getattr(RemoteModule(session, "mod"), name)())
        except StudentCodeFailed as failure:
            told = str(failure) + failure.details + failure.quarantined
        assert 0 < len(told) < 10_000
    finally:
        session.close()
