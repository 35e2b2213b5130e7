"""Pins, answered on the trusted side: reference values for the functions a tested function calls.

A test of ``predict`` pins ``forward`` to the reference's probabilities for the test's input,
so that a bug in ``forward`` costs the tests of ``forward`` only. The table of a pin never
leaves the trusted process: the worker replaces the student's function by a stub that sends the
arguments it is actually called with (and, for a method, the attributes of its object that the
test set) and runs the student's own function unless the pin answers (see
:mod:`autograder.sandbox.inside.worker`).

A call matches an entry when, bound to the student's signature with its defaults, every
argument equals the entry's BY VALUE: numbers, numpy scalars, lists, tuples and arrays alike
(``[1, 2]``, ``(1, 2)`` and ``np.array([1., 2.])`` are one value), within a relative tolerance
(the student may compute an argument in another order, or in float32). A method's pin answers
only while its object still holds the state the test gave it: a ``train`` that asks
``grad_loss`` again after moving the weights gets its own ``grad_loss``, not the answer for the
old weights. A pin may leave arguments out of the match (``ignore``: a Generator, which reaches
this side as a handle), and may answer each entry once (``once``): identical calls then get the
matching entries' outputs in turn, as successive random draws would differ.

A pin may also answer EVERY call whose arguments are plain numbers by a trusted function run here
(``compute``: the reference, or a formula of the test's): a training run calls its helpers
thousands of times with values no table can foresee, and a test that retries it with the helpers
pinned so judges the rest of the student's chain (:mod:`autograder.testing.helper_bugs`). A
method so pinned on its class (``reads``) answers for whichever object it is called on: the stub
sends the attributes named in ``reads`` of that object at each call (a model's parameters, which
training moves), and the function is given them first. The function's value leaves this process as
an answer to the call asked, never as code.
"""
import inspect
import warnings
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

RTOL, ATOL = 1e-6, 1e-12
_OPAQUE = object()  # a default that is not plain data: a call relying on it matches nothing
_NUMERIC_KINDS = "biuf"


def numeric(value):
    """``value`` as a float64 array if it is a number or a (nested) sequence of numbers, else None."""
    if isinstance(value, (bool, int, float, np.number, np.bool_)):
        return np.asarray(value, dtype=np.float64)
    if isinstance(value, np.ndarray):
        return value.astype(np.float64) if value.dtype.kind in _NUMERIC_KINDS else None
    if isinstance(value, (list, tuple)):
        try:
            array = np.asarray(value)
        except (ValueError, TypeError):  # ragged
            return None
        return array.astype(np.float64) if array.dtype.kind in _NUMERIC_KINDS else None
    return None


def same_value(given, expected, rtol=RTOL, atol=ATOL):
    """Do ``given`` and ``expected`` hold the same value (see the module's docstring)?"""
    if isinstance(expected, dict) or isinstance(given, dict):
        return (isinstance(given, dict) and isinstance(expected, dict) and given.keys() == expected.keys()
                and all(same_value(given[key], expected[key], rtol, atol) for key in expected))
    a, b = numeric(given), numeric(expected)
    if a is not None and b is not None:
        # Equal values first: most calls a pin sees are the test's own arguments, and np.isclose costs six times more.
        return a.shape == b.shape and (bool((a == b).all())
                                       or bool(np.all(np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=True))))
    if isinstance(expected, (list, tuple)) and isinstance(given, (list, tuple)):
        return len(given) == len(expected) and all(same_value(g, e, rtol, atol) for g, e in zip(given, expected))
    if a is not None or b is not None:
        return False
    return type(given) is type(expected) and given == expected


def _size(value):
    """How many numbers ``value`` holds (0 for what is not numbers): the cost of comparing it."""
    array = numeric(value)
    return 0 if array is None else array.size


def signature_from(parameters):
    """An :class:`inspect.Signature` from the worker's plain description (see ``parameters_of``); None if none."""
    if parameters is None:
        return None
    try:
        return inspect.Signature([
            inspect.Parameter(name, inspect._ParameterKind(kind),
                              default=default["value"] if "value" in default
                              else _OPAQUE if default else inspect.Parameter.empty)
            for name, kind, default in parameters
        ])
    except (TypeError, ValueError, KeyError):
        return None


@dataclass
class Pin:
    """One pinned function for one test: its table ``[(args, kwargs, output)]`` and the object's ``state``.

    ``parameters`` is the student's signature, as the worker described it when the pin was set;
    ``ignore`` names arguments left out of the match; with ``once``, an entry answers one call only;
    ``compute``, a trusted function, answers any call of plain numbers (the table is not read then);
    with ``reads``, it is a method's, called as ``compute(attributes, *args, **kwargs)`` with the
    attributes of those names that the call's object holds.
    """

    name: str
    table: list
    state: dict = field(default_factory=dict)
    parameters: object = None
    ignore: tuple = ()
    once: bool = False
    compute: object = None
    reads: tuple = ()

    def bind(self, args, kwargs):
        """The call's arguments by name, defaults applied (positional ones as a list without a signature)."""
        signature = self._signature
        if signature is None:
            return {"*args": list(args), **kwargs}
        try:
            binding = signature.bind(*args, **kwargs)
        except TypeError:
            return None
        binding.apply_defaults()
        return {name: value for name, value in binding.arguments.items() if name not in self.ignore}

    @cached_property
    def _signature(self):
        """The student's signature, built once (the worker described it before any call could be asked about)."""
        return signature_from(self.parameters)

    @cached_property
    def _compute_signature(self):
        """The signature of ``compute``, read once: a computed pin binds calls by the helper's contract."""
        return inspect.signature(self.compute)

    @cached_property
    def _entries(self):
        """The table's entries bound to the signature, once: ``[(arguments, output, names)]``.

        ``names`` are the entry's arguments, the smallest values first: a call is compared with every entry
        in turn until one matches, and entries along a training path (01's ``perceptronStep``, 25 epochs)
        share the data and differ in the parameters, so those are what tells most of them apart, cheaply.
        """
        bound = [(self.bind(args, kwargs), output) for args, kwargs, output in self.table]
        return [(call, output, sorted(call, key=lambda name: _size(call[name])))
                for call, output in bound if call is not None]

    def answer(self, question):
        """``(output,)`` when the stub's ``question`` matches an entry and the object's state, else None."""
        if not isinstance(question, dict) or not isinstance(question.get("args"), list):
            return None
        kwargs, state = question.get("kwargs"), question.get("state")
        if not isinstance(kwargs, dict) or not isinstance(state, dict):
            return None
        if self.state and not same_value(state, self.state):
            return None
        if self.compute is not None:
            return self.computed(question["args"], kwargs, state)
        call = self.bind(question["args"], kwargs)
        if call is None or any(value is _OPAQUE for value in call.values()):
            return None
        for number, (entry, output, names) in enumerate(self._entries):
            # same_value(call, entry), its arguments in the entry's order
            if call.keys() == entry.keys() and all(same_value(call[name], entry[name]) for name in names):
                if self.once:
                    del self._entries[number]
                return (output,)
        return None

    def computed(self, args, kwargs, state):
        """``(compute(*args, **kwargs),)`` when every argument is a number or an array of them, else None.

        With ``reads``, ``compute(attributes, *args, **kwargs)``, when the object's ``state`` holds
        numbers for each of those names too. The call is passed on as the student's code made it (the
        helper's contract fixes its parameters, which ``compute``'s signature names); the arguments
        named in ``ignore`` may be anything (a Generator reaches this side as a handle, None stays None)
        and are passed on as they came. A call the function cannot answer runs the student's own.
        """
        if self.reads and set(state) != set(self.reads):
            return None
        attributes = [state[name] for name in self.reads]
        first = (dict(zip(self.reads, attributes)),) if self.reads else ()
        try:
            arguments = list(self._compute_signature.bind(*first, *args, **kwargs).arguments.items())[len(first):]
        except TypeError:
            return None
        given = [value for name, value in arguments if name not in self.ignore]
        if not all(numeric(value) is not None for value in [*given, *attributes]):
            return None
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                return (self.compute(*first, *args, **kwargs),)
        except Exception:  # noqa: BLE001 - arguments the helper's contract does not allow: the student's own runs
            return None
