"""The channel to student code: plain data only, and a worker that hangs or dies costs one request."""
import base64
import io
import pickle
import tempfile
from pathlib import Path

import numpy as np
import pytest

from autograder.sandbox.inside import wire
from autograder.sandbox.remote import RemoteModule
from autograder.sandbox.process import ChildProcess
from autograder.sandbox.session import StudentCodeFailed, WorkerSession


class Payload:
    """Unpickling this would create a file: the proof that code ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def base64_of(data):
    return base64.b64encode(data).decode()


def npy_bytes(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return base64_of(buffer.getvalue())


@pytest.mark.parametrize("tagged", [
    lambda evil: {"__array__": base64_of(pickle.dumps(evil)), "dtype": "|O", "shape": [1]},
    lambda evil: {"__array__": base64_of(pickle.dumps(evil)), "dtype": "<f8", "shape": [1]},
    lambda evil: {"__scalar__": base64_of(pickle.dumps(evil)), "dtype": "|O8"},
    lambda evil: {"__array__": npy_bytes(evil)},  # a .npy file, as the first versions sent arrays
], ids=["object dtype", "lying dtype", "object scalar", "npy"])
def test_object_array_with_pickle_payload_is_refused_without_running_it(tmp_path, tagged):
    marker = tmp_path / "pwned"
    evil = np.array([Payload(str(marker))], dtype=object)
    message = wire.dumps({"ok": tagged(evil), "mutated": []})
    with pytest.raises(wire.WireError, match="not a plain numeric array|unexpected dict"):
        wire.decode(wire.parse_body(message[wire.HEADER_BYTES:])["ok"])
    assert not marker.exists()


@pytest.mark.parametrize(
    "data",
    [{"__array__": "not base64!", "dtype": "<f8", "shape": [1]}, {"__pickle__": "x"}, {"__tuple__": "x"},
     {"__dict__": [[1, 2]]}, {"a": 1}, {"__array__": base64_of(b"text"), "dtype": "<U4", "shape": [1]},
     {"__array__": base64_of(b"12345678"), "dtype": "<f8", "shape": [2]}],
)
def test_anything_but_plain_data_is_refused(data):
    with pytest.raises(wire.WireError):
        wire.decode(data)


def test_a_raw_pickle_is_not_json():
    with pytest.raises(wire.WireError, match="not JSON"):
        wire.parse_body(pickle.dumps(Payload("/nonexistent")))


def test_values_round_trip():
    value = {"W": np.arange(6.0).reshape(2, 3), "n": np.int32(3), "pair": (1, [2.5, None]), "s": "x"}
    decoded = wire.decode(wire.parse_body(wire.dumps(wire.encode(value))[wire.HEADER_BYTES:]))
    np.testing.assert_array_equal(decoded["W"], value["W"])
    assert decoded["n"].dtype == np.int32 and decoded["pair"] == (1, [2.5, None]) and decoded["s"] == "x"


def test_ndarray_subclasses_are_not_sent():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

    with pytest.raises(TypeError, match="subclass"):
        wire.encode(np.zeros(3).view(Liar))


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

def give_set():
    return {1, 2}
"""


@pytest.fixture
def student(tmp_path):
    (tmp_path / "mod.py").write_text(STUDENT_CODE)
    session = WorkerSession(ChildProcess(), tmp_path / "mod.py", "mod")
    yield RemoteModule(session, "mod")
    session.close()


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


def test_exceptions_are_reported_with_type_and_message(student):
    with pytest.raises(StudentCodeFailed, match="raise_value_error raised ValueError: bad shapes") as error:
        student.raise_value_error()
    assert "mod.py" in error.value.details


def test_mutation_of_an_argument_is_seen(student):
    _, mutated = student.mutate.call_tracking_mutation(np.zeros(3))
    assert mutated == [0]


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
