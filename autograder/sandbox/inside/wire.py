"""The one channel between the trusted grader and a worker running student code.

A frame is an 8-byte big-endian length, then its body: a 4-byte length, a JSON part, and the
raw bytes of the message's numeric arrays, each behind a small binary header::

    body    = json_length (>I) | JSON | array*
    array   = dtype (4 ASCII bytes, "<f8 ") | ndim (B) | ndim sizes (>Q each) | raw bytes, C order

The JSON part holds plain values (``None``, bools, ints, floats including NaN and infinities,
strings) or tagged objects:

- ``{"__array__": k}``: the k-th array of the frame; ``{"__scalar__": k}``: a numpy scalar (a
  float64, an int32...), sent as the k-th array, of shape ();
- ``{"__tuple__": [...]}``, lists as JSON lists, ``{"__dict__": [[key, value], ...]}``
  with string keys;
- ``{"__handle__": id, "type": name}``: an object that stays in the worker (a :class:`Handle`, defined where its
  methods lead nowhere: :mod:`autograder.sandbox.inside.handles`).

An array's bytes never pass through JSON or base64: encoding is one copy of its buffer, decoding
one ``numpy.ndarray`` over the frame's bytes and a copy. Decoding never runs code: JSON is parsed by :mod:`json`,
raw arrays by ``numpy.ndarray`` with a dtype spelled as a plain byte order, kind and size
(``<f8``; nothing else is even given to numpy); only boolean, integer, unsigned, float and
complex dtypes are accepted, sizes are bounded (a frame's bytes, its arrays, and the JSON values it
may make Python build: :data:`MAX_ELEMENTS`, as a valid 128 MiB frame of empty lists would
otherwise become GiBs of list objects in the trusted process), every array is used exactly once
(two values never share memory) and no byte of a frame is left over. Anything else raises
:class:`WireError`, which the grader counts as a failed test.
"""
import json
import math
import os
import re
import struct
from json.encoder import c_make_encoder as _c_make_encoder, encode_basestring_ascii as _encode_string

import numpy as np

from autograder.sandbox.inside import own_builtins
from autograder.sandbox.inside.articles import with_article
from autograder.sandbox.inside.handles import Handle  # (a module of its own: it may reach graded code)

# Bound before any student code runs: every frame the worker writes, its key included, passes through these, and a
# submission that rebinds os.write, a numpy function or a builtin at import would otherwise read or rewrite each one
# (the sixth red team read the key through a rebound os.write and forged an answer with it).
__builtins__ = own_builtins()
_read, _write = os.read, os.write
_asarray, _ascontiguousarray, _dtype = np.asarray, np.ascontiguousarray, np.dtype
_ndarray, _generic = np.ndarray, np.generic

MAX_MESSAGE_BYTES = 256 * 1024 * 1024
MAX_DEPTH = 32
MAX_ARRAYS = 1 << 16  # per frame: a frame of tiny arrays must not become millions of Python objects
NUMERIC_KINDS = "biufc"
_LENGTH = struct.Struct(">Q")
HEADER_BYTES = _LENGTH.size
_JSON_LENGTH = struct.Struct(">I")
_ARRAY_HEADER = struct.Struct(">4sB")
MAX_DIMENSIONS = 32
MAX_TYPE_NAME_CHARS = 200  # of a handle's type: the name of a class of the student's, quoted in feedback
MAX_ELEMENTS = 1_000_000  # JSON values one frame may hold (an array counts as one)
_PLAIN_DTYPE = re.compile(r"[<>|=][biufc][0-9]{1,2}")
_SHAPES = [struct.Struct(f">{ndim}Q") for ndim in range(MAX_DIMENSIONS + 1)]  # an array's sizes, by its rank
_DTYPES = {}  # array header code -> its dtype, for the codes already found plain (_plain_dtype)
_JSON_DECODER = json.JSONDecoder()
_json_decode, _json_scan = _JSON_DECODER.decode, _JSON_DECODER.scan_once
_PLAIN = frozenset({type(None), bool, int, float, str})  # values that are plain data as they are, by exact type
_STR = frozenset({str})  # a dict's keys are all strings when their types are a subset of this (no generator per dict)
_CODES = {}  # dtype -> its array header code (b"<f8 "): dtype.str builds a new string at every call


class WireError(ValueError):
    """A message that is not a well-formed, plain-data message."""


class Encoding:
    """How :func:`convert` writes each kind of plain data: a subclass writes ``array(value)`` and ``scalar(value)``
    (the wire's is :class:`Framing`)."""

    def handle(self, value):
        return {"__handle__": value.id, "type": value.type}

    def tuple(self, items):
        return {"__tuple__": items}

    def dict(self, items):
        return {"__dict__": items}


class Framing(Encoding):
    """One frame being written: :func:`convert` writes its values as tagged JSON, each array tagged with its place
    among the frame's :attr:`arrays`, which :func:`dumps` writes after the JSON (one frame, one :class:`Framing`)."""

    __slots__ = ("arrays",)

    def __init__(self):
        self.arrays = []

    def array(self, value):
        arrays = self.arrays
        arrays.append(value)
        return {"__array__": len(arrays) - 1}

    def scalar(self, value):
        arrays = self.arrays
        arrays.append(_asarray(value))
        return {"__scalar__": len(arrays) - 1}

    def encode(self, value, register_object=None):
        """``value`` checked to be plain data and written for this frame (see :func:`convert`)."""
        return convert(value, register_object, self)


def convert(value, register_object, form):
    """Check that ``value`` is plain data and write it in ``form`` (an :class:`Encoding`).

    ``register_object(obj) -> Handle`` is called for objects that are not plain
    data (the worker keeps them); without it such objects raise ``TypeError``.
    """
    kind = type(value)
    # The exact types first, by identity, and the items of containers that are plain already without a call
    # for each: every message is made of them, and a frame's cost was mostly calls and isinstance chains.
    # Subclasses, numpy scalars and objects go the long way below.
    if kind in _PLAIN:
        return value
    if kind is list:
        return [item if type(item) in _PLAIN else convert(item, register_object, form) for item in value]
    if kind is _ndarray:
        if value.dtype.kind not in NUMERIC_KINDS:
            raise TypeError(f"an array of dtype {value.dtype} (only numeric arrays can be graded)")
        return form.array(value)
    if kind is dict and _STR.issuperset(map(type, value)):
        return form.dict([[key, item if type(item) in _PLAIN else convert(item, register_object, form)]
                          for key, item in value.items()])
    if kind is tuple:
        return form.tuple([item if type(item) in _PLAIN else convert(item, register_object, form)
                           for item in value])
    if isinstance(value, _ndarray):
        raise TypeError(f"an ndarray subclass ({type(value).__name__}); return a plain numpy array")
    if isinstance(value, _generic):
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
        return form.dict([[key, convert(item, register_object, form)] for key, item in value.items()])
    if register_object is not None:
        return convert(register_object(value), None, form)
    raise TypeError(f"{with_article(type(value).__name__)} (only numbers, strings, numeric arrays and "
                    "tuples, lists or dicts of them can be graded)")


def frame(value, register_object=None):
    """``value`` checked to be plain data (see :func:`convert`) and framed as bytes, the whole of it tagged."""
    framing = Framing()
    return dumps(convert(value, register_object, framing), framing.arrays)


def decode(data, arrays=()):
    """Turn the parts of a frame (:func:`parse_body`) back into values; raise :class:`WireError` on anything else.

    ``data`` is plain data from :func:`json.loads`, ``arrays`` the frame's arrays, which its
    ``__array__`` and ``__scalar__`` tags name by position.
    """
    used = set()
    value = _decode(data, arrays, 0, used)
    if len(used) != len(arrays):
        raise WireError("a message with arrays that no value uses")
    return value


def decode_parts(parts, arrays):
    """``{name: value}`` of a dict whose values share one frame's ``arrays`` (an answer's ``ok``, ``after``...),
    each decoded as an item of a list is by :func:`decode`, every array used exactly once among them all."""
    used = set()
    decoded = {name: parts[name] if type(parts[name]) in _PLAIN else _decode(parts[name], arrays, 1, used)
               for name in sorted(parts)}
    if len(used) != len(arrays):
        raise WireError("a message with arrays that no value uses")
    return decoded


def _take(arrays, index, used):
    if type(index) is not int or not 0 <= index < len(arrays) or index in used:
        raise WireError("a malformed array index")
    used.add(index)
    return arrays[index]


def _decode(data, arrays, depth, used):
    if depth > MAX_DEPTH:
        raise WireError("nested too deeply")
    kind = type(data)
    if kind in _PLAIN:
        return data
    # A container's plain items are taken as they are, without a call each, where they are not too deep.
    inline = _PLAIN if depth < MAX_DEPTH else ()
    if kind is list:
        return [item if type(item) in inline else _decode(item, arrays, depth + 1, used) for item in data]
    if kind is dict:
        # A tagged object has one key (two for a handle): tested by membership, not by building a set of keys.
        if len(data) == 1:
            if "__array__" in data:
                return _take(arrays, data["__array__"], used)
            if "__tuple__" in data and type(data["__tuple__"]) is list:
                return tuple([item if type(item) in inline else _decode(item, arrays, depth + 1, used)
                              for item in data["__tuple__"]])
            if "__dict__" in data and type(data["__dict__"]) is list:
                items = data["__dict__"]
                for item in items:  # (a loop here, not all() of a generator: one frame resumed per item)
                    if type(item) is not list or len(item) != 2 or type(item[0]) is not str:
                        raise WireError("a malformed dict")
                return {key: value if type(value) in inline else _decode(value, arrays, depth + 1, used)
                        for key, value in items}
            if "__scalar__" in data:
                array = _take(arrays, data["__scalar__"], used)
                if array.shape != ():
                    raise WireError("a malformed numpy scalar (its array has a shape)")
                return array[()]
        elif len(data) == 2 and type(data.get("__handle__")) is int and type(data.get("type")) is str:
            return Handle(data["__handle__"], data["type"][:MAX_TYPE_NAME_CHARS])  # a student's class: any length
    raise WireError(f"unexpected {type(data).__name__} in a message")


def dumps(message, arrays=()):
    """Frame ``message``, JSON with arrays already tagged by their place in ``arrays`` (a :class:`Framing`'s), as bytes.

    The JSON is written by one C encoder made once (``json.dumps`` builds a :class:`json.JSONEncoder` and its C
    encoder at every call, which cost more than writing a small frame); anything it cannot write raises ``TypeError``.
    """
    text = _json_text(message)
    parts = [b"", _JSON_LENGTH.pack(len(text)), text]
    size = _JSON_LENGTH.size + len(text)
    for array in arrays:  # (np.ascontiguousarray makes a 0-d array 1-d: its shape is taken before)
        code = _CODES.get(array.dtype)
        if code is None:
            code = _CODES.setdefault(array.dtype, array.dtype.str.encode("ascii").ljust(4))
        parts += [_ARRAY_HEADER.pack(code, array.ndim),
                  _SHAPES[array.ndim].pack(*array.shape), _ascontiguousarray(array).data]
        size += _ARRAY_HEADER.size + 8 * array.ndim + array.nbytes
    parts[0] = _LENGTH.pack(size)
    return b"".join(parts)


def _unframed(value):
    """What the JSON encoder is given for a value it cannot write: a value no :class:`Framing` wrote."""
    raise TypeError(f"{with_article(type(value).__name__)} in a message (write it with a Framing first)")


if _c_make_encoder is not None:
    _ENCODER = _c_make_encoder(None, _unframed, _encode_string, None, ":", ",", False, False, True)

    def _json_text(message):
        return "".join(_ENCODER(message, 0)).encode("utf-8")
else:  # a Python without the json module's C part
    def _json_text(message):
        return json.dumps(message, separators=(",", ":"), default=_unframed).encode("utf-8")


def parse_body(body):
    """Split a frame's body into its JSON data and its arrays; refuse anything that is not a well-formed frame.

    Returns ``(data, arrays)`` for :func:`decode`. The JSON values are counted before they are parsed,
    from the bytes: every container opens with ``[`` or ``{`` and every further value follows a ``,``
    (brackets and commas inside strings count too, which only makes the bound stricter).
    """
    view = memoryview(body)
    if len(view) < _JSON_LENGTH.size:
        raise WireError("a message too short to be a frame")
    (text_length,) = _JSON_LENGTH.unpack_from(view)
    offset = _JSON_LENGTH.size + text_length
    if offset > len(view):
        raise WireError("a message whose JSON part runs past its end")
    text = view[_JSON_LENGTH.size:offset]
    # (no text of MAX_ELEMENTS bytes or fewer holds more: each value counted is a byte of it)
    if len(text) > MAX_ELEMENTS and sum(map(bytes(text).count, (b",", b"[", b"{"))) > MAX_ELEMENTS:
        raise WireError(f"a message of over {MAX_ELEMENTS} values (return numpy arrays, not long lists)")
    try:
        data = _json_value(str(text, "utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise WireError("a message that is not JSON") from None
    arrays = []
    while offset < len(view):
        if len(arrays) == MAX_ARRAYS:
            raise WireError(f"a message of more than {MAX_ARRAYS} arrays")
        array, offset = _read_array(view, offset)
        arrays.append(array)
    return data, arrays


def _json_value(text):
    """``json.loads(text)``: the scanner called directly for the compact JSON both ends write (``decode`` looks for
    whitespace around the value with two regular expressions first); anything else is left to ``decode``."""
    try:
        value, end = _json_scan(text, 0)
    except StopIteration:  # not a value at 0 (whitespace first, say): decode says what it is
        return _json_decode(text)
    return value if end == len(text) else _json_decode(text)


def _read_array(view, offset):
    """The array whose header starts at ``offset``, and the offset after its bytes."""
    if offset + _ARRAY_HEADER.size > len(view):
        raise WireError("a truncated array header")
    code, ndim = _ARRAY_HEADER.unpack_from(view, offset)
    offset += _ARRAY_HEADER.size
    dtype = _DTYPES.get(code)
    if dtype is None:
        dtype = _plain_dtype(code)
    if ndim > MAX_DIMENSIONS:
        raise WireError("not a plain numeric array (a malformed type or shape)")
    if offset + 8 * ndim > len(view):
        raise WireError("a truncated array header")
    shape = _SHAPES[ndim].unpack_from(view, offset)
    offset += 8 * ndim
    count = math.prod(shape)
    size = count * dtype.itemsize
    if size > len(view) - offset:
        raise WireError("not a plain numeric array (its size does not match its type and shape)")
    try:
        array = _ndarray(shape, dtype, view, offset).copy()  # (one numpy call, not frombuffer's and reshape's)
    except ValueError:  # no elements, and a size numpy cannot make ((2**63, 0)): not the wire's to pass on as it is
        raise WireError("not a plain numeric array (a shape numpy cannot make)") from None
    return array, offset + size


def _plain_dtype(code):
    """The numpy dtype an array header's 4-byte ``code`` spells (``<f8 ``), if a plain numeric one; remembered."""
    try:
        name = code.decode("ascii").rstrip(" ")
    except UnicodeDecodeError:
        name = None
    if name is None or not _PLAIN_DTYPE.fullmatch(name):
        raise WireError("not a plain numeric array (a malformed type or shape)")
    try:
        dtype = _dtype(name)
    except TypeError:
        raise WireError("not a plain numeric array (a malformed type)") from None
    if dtype.kind not in NUMERIC_KINDS or dtype.fields is not None:
        raise WireError("not a plain numeric array (a malformed type)")
    _DTYPES[code] = dtype  # at most a few thousand codes fit the pattern
    return dtype


READ_BYTES = 1 << 16  # a pipe's capacity: one read takes whatever is there, several small frames at once


class Inbox:
    """Bytes read from a channel, cut into frames: one read brings in every frame that has arrived.

    A frame costs two reads when read header first (and two waits on the trusted side); the
    answers to requests sent without waiting arrive back to back, and come in with one read here.
    """

    def __init__(self):
        self.data = bytearray()

    def next_body(self):
        """The body of the next complete frame, or None until more bytes come; ``WireError`` if too large."""
        data = self.data
        if len(data) < HEADER_BYTES:
            return None
        (length,) = _LENGTH.unpack_from(data)
        if length > MAX_MESSAGE_BYTES:
            frame_length(bytes(data[:HEADER_BYTES]))  # raises
        end = HEADER_BYTES + length
        if len(data) < end:
            return None
        with memoryview(data) as view:  # one copy of the body, not two (a slice of a bytearray is a copy)
            body = bytes(view[HEADER_BYTES:end])
        del data[:end]
        return body

    def ready(self):
        """Is a whole frame here already (taken without reading again)?"""
        data = self.data
        return len(data) >= HEADER_BYTES and len(data) >= HEADER_BYTES + _LENGTH.unpack_from(data)[0]

    def read(self, fd):
        """Read what ``fd`` has (blocking until something); ``EOFError`` when it is closed."""
        chunk = _read(fd, READ_BYTES)
        if not chunk:
            raise EOFError("the channel closed")
        self.data += chunk

    def clear(self):
        self.data.clear()


def read_frame(fd, inbox):
    """The body of the next frame from a blocking file descriptor; ``EOFError`` if it closes first."""
    while (body := inbox.next_body()) is None:
        inbox.read(fd)
    return body


def write_all(fd, data):
    """Write all of ``data`` to a blocking file descriptor."""
    view = memoryview(data)
    while view:
        view = view[_write(fd, view):]


def frame_length(header):
    """The length of the body that follows ``header``; ``WireError`` beyond :data:`MAX_MESSAGE_BYTES`."""
    (length,) = _LENGTH.unpack(header)
    if length > MAX_MESSAGE_BYTES:
        raise WireError(f"a message of {length} bytes (the limit is {MAX_MESSAGE_BYTES})")
    return length

