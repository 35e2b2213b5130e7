"""The one channel between the trusted grader and a worker running student code.

Messages are length-prefixed JSON. Values are plain JSON (``None``, bools, ints,
floats including NaN and infinities, strings) or tagged objects:

- ``{"__array__": <base64 of the raw bytes>, "dtype": "<f8", "shape": [2, 3]}``: a numeric
  ndarray (its bytes in C order);
- ``{"__scalar__": <base64 of the raw bytes>, "dtype": "<i4"}``: a numpy scalar (a float64,
  an int32...);
- ``{"__tuple__": [...]}``, lists as JSON lists, ``{"__dict__": [[key, value], ...]}``
  with string keys;
- ``{"__handle__": id, "type": name}``: an object that stays in the worker.

Decoding never runs code: JSON is parsed by :mod:`json`, raw arrays by
``numpy.frombuffer`` with a dtype spelled as a plain byte order, kind and size
(``<f8``; nothing else is even given to numpy); only boolean, integer, unsigned,
float and complex dtypes are accepted, and sizes are bounded. Anything else raises
:class:`WireError`, which the grader counts as a failed test.
"""
import base64
import json
import math
import os
import re
import struct

import numpy as np

MAX_MESSAGE_BYTES = 256 * 1024 * 1024
MAX_DEPTH = 32
NUMERIC_KINDS = "biufc"
_LENGTH = struct.Struct(">Q")
MAX_DIMENSIONS = 32
_PLAIN_DTYPE = re.compile(r"[<>|=][biufc][0-9]{1,2}")


class WireError(ValueError):
    """A message that is not a well-formed, plain-data message."""


class Handle:
    """A reference to an object that lives in the worker (a student's model, say)."""

    __slots__ = ("id", "type")

    def __init__(self, id, type):
        self.id, self.type = id, type

    def __repr__(self):
        return f"<{self.type} object in the worker, handle {self.id}>"


def _encode_raw(array):
    return base64.b64encode(array.tobytes()).decode("ascii")


def _decode_raw(text, dtype, shape):
    """An array from its raw bytes: ``dtype`` a plain numeric type code, ``shape`` a list of sizes."""
    if (type(dtype) is not str or not _PLAIN_DTYPE.fullmatch(dtype) or type(shape) is not list
            or len(shape) > MAX_DIMENSIONS or not all(type(size) is int and size >= 0 for size in shape)):
        raise WireError("not a plain numeric array (a malformed type or shape)")
    try:
        dtype = np.dtype(dtype)
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (TypeError, ValueError, UnicodeError):
        raise WireError("not a plain numeric array (a malformed type or payload)") from None
    if dtype.kind not in NUMERIC_KINDS or dtype.fields is not None or len(raw) != math.prod(shape) * dtype.itemsize:
        raise WireError("not a plain numeric array (its size does not match its type and shape)")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


class Encoding:
    """How :func:`convert` writes each kind of plain data: here, as the wire's tagged JSON."""

    def array(self, value):
        return {"__array__": _encode_raw(value), "dtype": value.dtype.str, "shape": list(value.shape)}

    def scalar(self, value):
        return {"__scalar__": _encode_raw(np.asarray(value)), "dtype": value.dtype.str}

    def handle(self, value):
        return {"__handle__": value.id, "type": value.type}

    def tuple(self, items):
        return {"__tuple__": items}

    def dict(self, items):
        return {"__dict__": [[key, item] for key, item in items]}


def convert(value, register_object, form):
    """Check that ``value`` is plain data and write it in ``form`` (an :class:`Encoding`).

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
        return form.array(value)
    if isinstance(value, np.generic):
        if value.dtype.kind not in NUMERIC_KINDS:
            raise TypeError(f"a numpy scalar of dtype {value.dtype}")
        return form.scalar(value)
    if isinstance(value, Handle):
        return form.handle(value)
    if isinstance(value, tuple):
        return form.tuple([convert(item, register_object, form) for item in value])
    if isinstance(value, list):
        return [convert(item, register_object, form) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("a dict with keys that are not strings")
        return form.dict([(key, convert(item, register_object, form)) for key, item in value.items()])
    if register_object is not None:
        return convert(register_object(value), None, form)
    raise TypeError(f"a {type(value).__name__} (only numbers, strings, numeric arrays and "
                    "tuples, lists or dicts of them can be graded)")


_ENCODING = Encoding()


def encode(value, register_object=None):
    """Turn ``value`` into JSON-ready plain data (see :func:`convert`)."""
    return convert(value, register_object, _ENCODING)


def decode(data, depth=0):
    """Turn plain data from :func:`json.loads` back into values; raise :class:`WireError` on anything else."""
    if depth > MAX_DEPTH:
        raise WireError("nested too deeply")
    if data is None or type(data) in (bool, int, float, str):
        return data
    if type(data) is list:
        return [decode(item, depth + 1) for item in data]
    if type(data) is dict:
        keys = set(data)
        if keys == {"__array__", "dtype", "shape"} and type(data["__array__"]) is str:
            return _decode_raw(data["__array__"], data["dtype"], data["shape"])
        if keys == {"__scalar__", "dtype"} and type(data["__scalar__"]) is str:
            return _decode_raw(data["__scalar__"], data["dtype"], [])[()]
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
