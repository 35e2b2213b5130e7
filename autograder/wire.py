"""The one channel between the trusted grader and a worker running student code.

Messages are length-prefixed JSON. Values are plain JSON (``None``, bools, ints,
floats including NaN and infinities, strings) or tagged objects:

- ``{"__array__": <base64 of .npy bytes>}``: a numeric ndarray;
- ``{"__scalar__": <base64 of .npy bytes>}``: a numpy scalar (a float64, an int32...);
- ``{"__tuple__": [...]}``, lists as JSON lists, ``{"__dict__": [[key, value], ...]}``
  with string keys;
- ``{"__handle__": id, "type": name}``: an object that stays in the worker.

Decoding never runs code: JSON is parsed by :mod:`json` and arrays by
``numpy.load(allow_pickle=False)``; only boolean, integer, unsigned, float and
complex dtypes are accepted, and sizes are bounded. Anything else raises
:class:`WireError`, which the grader counts as a failed test.
"""
import base64
import io
import json
import os
import struct

import numpy as np

MAX_MESSAGE_BYTES = 256 * 1024 * 1024
MAX_DEPTH = 32
NUMERIC_KINDS = "biufc"
_LENGTH = struct.Struct(">Q")


class WireError(ValueError):
    """A message that is not a well-formed, plain-data message."""


class Handle:
    """A reference to an object that lives in the worker (a student's model, say)."""

    __slots__ = ("id", "type")

    def __init__(self, id, type):
        self.id, self.type = id, type

    def __repr__(self):
        return f"<{self.type} object in the worker, handle {self.id}>"


def _encode_array(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _decode_array(text):
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
        array = np.load(io.BytesIO(raw), allow_pickle=False)
    except Exception as error:
        raise WireError(f"not a plain numeric array ({type(error).__name__})") from None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in NUMERIC_KINDS:
        raise WireError(f"an array of dtype {getattr(array, 'dtype', '?')} is not a plain numeric array")
    return array


def encode(value, register_object=None):
    """Turn ``value`` into JSON-ready plain data.

    ``register_object(obj) -> Handle`` is called for objects that are not plain
    data (the worker keeps them); without it such objects raise ``TypeError``.
    """
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, np.ndarray):
        if type(value) is not np.ndarray:
            raise TypeError(f"an ndarray subclass ({type(value).__name__}); return a plain numpy array")
        if value.dtype.kind not in NUMERIC_KINDS:
            raise TypeError(f"an array of dtype {value.dtype} (only numeric arrays can be graded)")
        return {"__array__": _encode_array(value)}
    if isinstance(value, np.generic):
        if value.dtype.kind not in NUMERIC_KINDS:
            raise TypeError(f"a numpy scalar of dtype {value.dtype}")
        return {"__scalar__": _encode_array(np.asarray(value))}
    if isinstance(value, Handle):
        return {"__handle__": value.id, "type": value.type}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(item, register_object) for item in value]}
    if isinstance(value, list):
        return [encode(item, register_object) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("a dict with keys that are not strings")
        return {"__dict__": [[key, encode(item, register_object)] for key, item in value.items()]}
    if register_object is not None:
        return encode(register_object(value))
    raise TypeError(f"a {type(value).__name__} (only numbers, strings, numeric arrays and "
                    "tuples, lists or dicts of them can be graded)")


def decode(data, depth=0):
    """Turn plain data from :func:`json.loads` back into values; raise :class:`WireError` on anything else."""
    if depth > MAX_DEPTH:
        raise WireError("nested too deeply")
    if data is None or type(data) in (bool, int, float, str):
        return data
    if type(data) is list:
        return [decode(item, depth + 1) for item in data]
    if type(data) is dict:
        if set(data) == {"__array__"} and type(data["__array__"]) is str:
            return _decode_array(data["__array__"])
        if set(data) == {"__scalar__"} and type(data["__scalar__"]) is str:
            array = _decode_array(data["__scalar__"])
            if array.shape != ():
                raise WireError("a scalar with a shape")
            return array[()]
        if set(data) == {"__tuple__"} and type(data["__tuple__"]) is list:
            return tuple(decode(item, depth + 1) for item in data["__tuple__"])
        if set(data) == {"__dict__"} and type(data["__dict__"]) is list:
            items = data["__dict__"]
            if not all(type(item) is list and len(item) == 2 and type(item[0]) is str for item in items):
                raise WireError("a malformed dict")
            return {key: decode(value, depth + 1) for key, value in items}
        if set(data) == {"__handle__", "type"} and type(data["__handle__"]) is int and type(data["type"]) is str:
            return Handle(data["__handle__"], data["type"])
    raise WireError(f"unexpected {type(data).__name__} in a message")


def dumps(message):
    """Frame an already-encoded message as bytes."""
    body = json.dumps(message, separators=(",", ":")).encode("utf-8")
    return _LENGTH.pack(len(body)) + body


def parse_body(body):
    """Parse a frame's body into plain data, refusing anything that is not JSON."""
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise WireError("a message that is not JSON") from None


def read_exactly(fd, size):
    """Read ``size`` bytes from a blocking file descriptor; ``EOFError`` if it closes first."""
    chunks, remaining = [], size
    while remaining:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise EOFError("the channel closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def frame_length(header):
    (length,) = _LENGTH.unpack(header)
    if length > MAX_MESSAGE_BYTES:
        raise WireError(f"a message of {length} bytes (the limit is {MAX_MESSAGE_BYTES})")
    return length


HEADER_BYTES = _LENGTH.size
