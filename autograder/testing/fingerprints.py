"""Fingerprints of wrong answers: how `autograder check` names a mistake with no reference at hand.

At grading, a failed check is replayed on one-change mutants of the reference
(:mod:`autograder.runner.mutants`) and on the catalogue's known bugs. A student's own `check` has no
reference. So ``autograder generate`` (on the grading side, with the reference) runs each
assignment's PUBLIC tests on the reference, replays each call whose result a comparison checked on
the mutants and known bugs of the called function, and writes ``assignments/<folder>/fingerprints.json``
into the student release: for each wrong answer one of them gives there (and no other with other
words gives), a salted hash of that answer, quantised, and its sentence encrypted under a key derived
from the same answer. `check` hashes the student's value on a failed comparison (or the exception a call of
theirs raised, with the call: :func:`raise_context`); when it is listed, the student's value is that
answer, and the very value is the key that decrypts its sentence. The
sentence comes last, as the mutants' do at grading: after the test's own mistakes and the relations.

What ships, and what it tells (why this leaks nothing the public tests do not already tell)
------------------------------------------------------------------------------------------
The file holds a salt and pairs ``(id, ciphertext)``; no expected value, no formula, no list of the
reference's operations, no sentence in the clear (nor its length: each is padded to :data:`PAD` bytes).
Each id is ``SHAKE-256(salt, "id", context)`` and
each key ``SHAKE-256(salt, "key", context)``, the context being the test's name, the called function,
the call's arguments, the expected value (or, where a check required a shape and had no expected value,
that shape), the wrong value compared and the whole wrong result, each quantised (:func:`quantised`). What can a student learn by brute force?

- An expected value: nothing new. Every id is of a WRONG answer, and the public test already tells
  whether any value the student tries is right (run it); an id cannot be matched without knowing the
  expected value anyway (it is part of the context), and the public tests compute it in the clear.
- A wrong answer, by trying values until an id matches, and with it its sentence, without making the
  mistake. Everything in a context but the wrong result is public (the test, its inputs, the expected
  value), and a student who solved the exercise knows the reference's result too. So a wrong result
  that differs from the reference's in one or two numbers could be found by trying every float there
  (six significant digits: about 10^9 tries a number, minutes of hashing): such results are NOT
  fingerprinted (``UNKNOWNS`` in :mod:`autograder.runner.fingerprints`). With three or more unknown
  numbers, 10^27 tries and more: out of reach. What is left is guessing the mistake itself, a program
  one change away from the reference's behaviour; whoever has one can find the reference from it with the
  public test alone (try each one-change variant of it, with the generic operators of
  :mod:`autograder.runner.mutants`, which ship in the wheel anyway), and the fingerprint only saves that
  search. A result that is the reference's times a constant, or another simple function of the
  expected value, is also found by guessing: the relations say as much first ("the value is the
  expected value times 5"), and the sentence adds which operation the factor came from. The sentence
  names a change of the student's own making ("your `nll` adds `Y_pred` where it should subtract
  it"), never the right code.
- The number of entries per test, their ids' count per function: how many one-change mistakes differ
  here. The mutation operators are generic and documented (:mod:`autograder.runner.mutants`); a
  count says nothing about which one is the reference.
- The sentences, decrypted by running each mutant: a student who can write every one-change mutant of
  the reference has the reference. Without it, a sentence is readable only to the value it names.
- Hidden tests: none is fingerprinted. Only the public tests' fixed inputs are, and the
  hashes are of outputs on them; hidden inputs are drawn per student and never appear.

- A raise's sentence (a call that raised where a change of the reference raises on the same public call: the
  exception's type and message are its context, every address in the message left out), by raising that exception
  with that message. It is the error the change makes numpy raise (a shape mismatch, an index out of range), told
  already by the raise itself to whoever made the change: the sentence says which change of the called function
  raises it, as one guess among the one-change mutants would, and nothing of the reference's values.

So the file answers one question a public test's failure raises ("which change did I make?"), and
only for a student whose value is that change's. Quantising is robust to the float order of the
student's own code: entries rounded to six significant digits (a tolerance's worth looser than float
noise), magnitudes below a floor set to zero, every number a float64 whatever its type; a value near a
rounding edge may miss its fingerprint (no diagnosis), never match another one. A correct or
correct-but-different submission passes its comparisons and is never looked up; a wrong value that is
no mutant's matches only if all its context agrees to six digits.
"""
import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

import numpy as np

from autograder.sandbox.inside.wire import Handle
from autograder.testing.diagnosis import Shape

FINGERPRINTS_FILE = "fingerprints.json"
DIGITS = 6        # significant digits kept of each entry
FLOOR = 1e-9      # entries this small, relative to the largest one (or absolutely, below 1), are zero
ID_BYTES = 16
PAD = 64          # a sentence is sealed padded to a multiple of this many bytes: its length says little


def numeric(value):
    return (isinstance(value, (bool, int, float, np.number, np.bool_))
            or (isinstance(value, np.ndarray) and value.dtype.kind in "biuf"))


def entries(array):
    """The entries of the float64 ``array`` as text, each rounded to :data:`DIGITS` significant digits (0 below the
    floor)."""
    finite = np.abs(array[np.isfinite(array)])
    floor = FLOOR * max(1.0, float(finite.max()) if finite.size else 0.0)
    return [f"{x:.{DIGITS - 1}e}" if np.isfinite(x) and abs(x) > floor else ("0" if np.isfinite(x) else str(x))
            for x in array.ravel()]


def quantised(value):
    """``value`` as canonical text: its structure, and each number rounded to :data:`DIGITS` significant digits.

    Tuples and lists are alike, and a list of numbers is the array of them; numbers are float64 whatever their type, objects (a worker's handle or a
    trusted object) only say that they are one: what the wire gives and what a replay gives read the same.
    """
    if isinstance(value, Shape):
        return f"shape{tuple(value)}"
    if isinstance(value, (tuple, list)) and value and all(numeric(item) and np.ndim(item) == 0 for item in value):
        value = np.asarray(value, dtype=np.float64)  # a list of numbers reads as the array of them
    if numeric(value):
        array = np.asarray(value, dtype=np.float64)
        return f"a{array.shape}[{','.join(entries(array))}]"
    if isinstance(value, (tuple, list)):
        return "(" + ",".join(map(quantised, value)) + ")"
    if isinstance(value, dict):
        return "{" + ",".join(f"{key!r}:{quantised(item)}" for key, item in sorted(value.items(), key=repr)) + "}"
    if value is None or isinstance(value, str):
        return repr(value)
    return "object" if isinstance(value, Handle) or not callable(value) else "callable"


def _digest(salt, purpose, context, size):
    return hashlib.shake_256(b"\0".join([bytes.fromhex(salt), purpose, context.encode()])).digest(size)


def seal(salt, context, sentence):
    """``(id, ciphertext)`` (hex) of ``sentence`` under ``context``: only that very context decrypts it."""
    data = sentence.encode()
    data += b"\0" * (-len(data) % PAD)
    stream = _digest(salt, b"key", context, len(data))
    return _digest(salt, b"id", context, ID_BYTES).hex(), bytes(a ^ b for a, b in zip(data, stream)).hex()


def unseal(salt, context, ciphertext):
    data = bytes.fromhex(ciphertext)
    plain = bytes(a ^ b for a, b in zip(data, _digest(salt, b"key", context, len(data))))
    return plain.rstrip(b"\0").decode(errors="replace")


def test_name(item):
    """A test's name in a fingerprint: its file's name and its own, with its case (``test_x.py::test_f[case]``)."""
    return f"{item.path.name}::{item.name}"


def context_of(test, call, expected, got):
    """The text a fingerprint is of: the test, the call (its function, arguments, whole result), the values compared."""
    name = f"{call.target.type}.{call.name}" if isinstance(call.target, Handle) else call.name
    return "\n".join([test, name, quantised((list(call.args), call.kwargs)), quantised(expected), quantised(got),
                      quantised(call.value)])


ADDRESS = re.compile(r"0x[0-9a-fA-F]+")  # where an object's repr puts its address: another at every run


def raise_context(test, call, raised):
    """The text the fingerprint of a call that raised is of: the test, the call (its function and arguments), and
    ``raised``, the exception's type and message (:func:`~autograder.runner.known_bugs.raised_by`).

    Every address in the message (``<object at 0x7f...>``) reads ``0x?``: an address differs from one run to the
    next, so a message holding one gave `autograder generate` another fingerprint at each run (and the student's
    process a third).
    """
    name = f"{call.target.type}.{call.name}" if isinstance(call.target, Handle) else call.name
    kind, message = raised
    return "\n".join([test, name, quantised((list(call.args), call.kwargs)), "raised", kind,
                      ADDRESS.sub("0x?", message)])


def parts(value, path=(), depth=3):
    yield path, value
    if depth and isinstance(value, (tuple, list, dict)):
        for key, item in (value.items() if isinstance(value, dict) else enumerate(value)):
            yield from parts(item, (*path, key), depth - 1)


def _equal(part, got):
    if not numeric(part):
        return False
    part = np.asarray(part, dtype=np.float64)
    return part.shape == got.shape and bool(np.array_equal(part, got, equal_nan=True))


def source_call(calls, got):
    """The latest call of ``calls`` (that did not raise) whose result holds ``got``, and where: (call, path), or
    (None, None). ``got`` is the value a check compared (float64)."""
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return None, None
    for call in reversed(calls):
        if call.error is None:
            path = next((path for path, part in parts(call.value) if _equal(part, got)), None)
            if path is not None:
                return call, path
    return None, None


@lru_cache(maxsize=16)
def _book(path):
    data = json.loads(Path(path).read_text())
    return data["salt"], data["fingerprints"]


class FingerprintMatcher:
    """Names the mistake whose fingerprint a failed comparison's value has (see the module's docstring).

    ``test`` is the test's name (its file, its name with its case), ``calls`` the test's student calls so far.
    Asked last (``last_resort``), as the reference's mutants are at grading.
    """

    last_resort = True

    def __init__(self, path, test, calls):
        self.path, self.test, self.calls = path, test, calls

    def __call__(self, got, expected, rtol, atol):
        call, _ = source_call(self.calls, got)
        if call is None:
            return []
        return self._opened(context_of(self.test, call, expected, got))

    def raised(self, error):
        """The sentence of the change that raises as the student's call did (``error``, a
        :class:`~autograder.sandbox.session.StudentCodeFailed` with what it ``raised``) on that call's arguments, as a
        one-item list, else []."""
        call = next((call for call in reversed(self.calls) if call.error is error), None)
        raised = getattr(error, "raised", None)
        return [] if call is None or raised is None else self._opened(raise_context(self.test, call, raised))

    def _opened(self, context):
        """The sentence sealed under ``context`` as a one-item list, or [] when the book has none (or is unreadable)."""
        try:
            salt, book = _book(str(self.path))
        except (OSError, ValueError, KeyError):
            return []  # an unreadable file names nothing
        found = book.get(seal(salt, context, "")[0])
        return [unseal(salt, context, found)] if found else []
