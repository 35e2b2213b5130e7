"""Training judged without the bugs of the helpers it calls: one bug costs points once.

A training test runs the student's whole chain: 03's ``train`` calls ``update_weights``, which calls
``output_formula`` and ``sigmoid``; 05's ``train`` calls ``sigmoid`` and ``dsigmoid`` through
``forward`` and ``grad_loss``; 06's ``train_xor`` calls ``sigmoid`` and ``sigmoid_prime``; 07's
``fit`` calls ``momentum_step`` and the network's ``grad_loss``, ``loss`` and ``accuracy``, which
call ``forward``, ``predict``, ``relu``, ``relu_prime`` and ``dropout``; 08's ``train`` may call
``run``. Those helpers, and the methods (05's ``NeuralNet.forward``, 07's ``RegularizedMLP``
methods, 08's ``NeuralNetwork.run``), have tests of their own, which charge their bugs. So a
training test that fails is run again with the wrong helpers answered on the trusted side
(:meth:`autograder.sandbox.remote.RemoteModule._pin_computed`), and fails only if that run fails
too: a broken ``sigmoid`` or ``forward`` costs its own tests, and a broken ``update_weights`` or
``fit`` still fails training. A method is answered for every object of its class from the
attributes it reads, as the object holds them at each call (:data:`METHODS`: a model's
parameters, which training moves).

The answers are the reference solution's (:class:`TrustedHelpers`), which only the grader has:
the runner's ``trusted_helpers`` fixture gives them at grading and gives None in the student
bundle (``autograder check``, ``pytest`` there), where no retry is made and a failure stands. This
module ships in the student wheel, so it holds the probes and the retry, never a graded formula
(``tests/test_release.py`` checks the wheel by behaviour).

Only a failed run whose helpers are wrong is retried, with those pinned. Pinned, every call of a
helper is a round trip to the trusted side (tens of thousands in 05's fifteen epochs), which a
passing run never pays. Helpers that give the reference's values at the :data:`PROBES` (a few
direct calls, their warnings judged as in the helpers' own tests; a method on an object made and
given known attributes here) are taken as right: a helper wrong only elsewhere is still charged
in training. A run that timed out or could not start is not retried: the helpers' values do not
make it end sooner. 07's ``minibatches`` is not pinned: its batches come from the student's
generator, and 07's training tests replay ``fit`` with the student's own ``minibatches`` or
without it.

Dropout while training needs a mask, which the contract draws from the student's generator in the
worker: no value computed here can come from it. A pin told it may draw (``draw=True``) hands the
reference a generator seeded by a digest of the call's other arguments (the same call gets the
same mask, so that ``fit`` and its replay, both pinned, take the same steps); otherwise a call that
would draw is left to the student's own code (:func:`drawing`).
"""
import copy
import hashlib
import inspect
from dataclasses import dataclass

import numpy as np

from autograder.sandbox.session import StudentCodeFailed
from autograder.sandbox.pins import same_value
from autograder.testing import figures
from autograder.testing.sigmoid import KNOWN_VALUES

#: The helpers each assignment's training calls and tests on their own.
HELPERS = {
    "03_gradient_descent": ("sigmoid", "output_formula"),
    "05_mlp": ("sigmoid", "dsigmoid"),
    "06_backprop": ("sigmoid", "sigmoid_prime"),
    "07_training": ("relu", "relu_prime", "momentum_step", "dropout"),
}
#: The argument of the helpers and methods that is no number (07's generators): a pinned call passes it on.
GENERATOR = "rng"

_UNITS = [(inputs,) for inputs, _ in KNOWN_VALUES.values()] + [(np.linspace(-30.0, 30.0, 7),)]
#: The calls at which a helper is compared with the reference's: lists, scalars and arrays, as training makes them.
PROBES = {
    "sigmoid": _UNITS, "dsigmoid": _UNITS, "sigmoid_prime": _UNITS,
    "output_formula": [(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.array([-1.1, 1.1]), 1.1),
                       (np.array([0.5, -2.0]), [0.25, 0.75], -0.5)],
    "relu": _UNITS, "relu_prime": _UNITS,
    "momentum_step": [(np.linspace(-1.0, 1.0, 6).reshape(2, 3), [[0.5, -0.25, 2.0], [1.0, 0.0, -3.0]],
                       np.full((2, 3), 0.125), 0.1, 0.9), (1.5, -2.0, 0.25, 0.5, 0.0)],
    # at evaluation, and with nothing to drop: no mask, so nothing drawn from a generator
    "dropout": [(np.linspace(-2.0, 2.0, 12).reshape(3, 4), 0.5, None, False),
                ([[1.0, 2.0], [3.0, 4.0]], 0.0, None, True)],
}
RTOL = 1e-6  # the helpers' own tests' tolerance


@dataclass(frozen=True)
class Method:
    """A method training calls and tests on its own, and its probe.

    The probe makes an object as ``Class(*sizes)``, gives it the ``attributes`` (``{name: value}``:
    every attribute the method reads) and makes the ``calls``, ``[(args, kwargs)]``.
    """

    sizes: tuple
    attributes: dict
    calls: list

    @property
    def reads(self):
        return tuple(self.attributes)


_DRAWS = np.random.default_rng(20261206)  # known values of moderate scale: every hidden unit off its linear part
_MLP_X, _MLP_BATCH = _DRAWS.normal(scale=1.5, size=3), _DRAWS.normal(scale=1.5, size=(5, 3))
_NETWORK_DRAWS = np.random.default_rng(7_20261206)  # 07's: some hidden units on, some off, for every row
_NETWORK = {"W_h": _NETWORK_DRAWS.uniform(-1, 1, (3, 4)), "b_h": _NETWORK_DRAWS.uniform(-0.5, 0.5, 4),
            "W_o": _NETWORK_DRAWS.uniform(-2, 2, (4, 2)), "b_o": _NETWORK_DRAWS.uniform(-1, 1, 2),
            "output_size": 2}
_TRAINING_X, _TRAINING_Y = _NETWORK_DRAWS.normal(size=(6, 3)), np.array([0, 1, 1, 0, 1, 0])


def _network_method(settings, labels):
    """A probe of a 07 ``RegularizedMLP`` method on a batch (with each of ``labels`` after it), ``settings`` set.

    The probe draws no dropout mask (evaluation, or ``p_drop`` 0): the trusted side cannot see the draws of a
    generator of the worker. ``settings`` are the attributes besides the parameters that the method reads.
    """
    return Method((3, 4, 2), {**_NETWORK, **settings},
                  [((_TRAINING_X.tolist() if number else _TRAINING_X, *given), {})
                   for number, given in enumerate(labels)])


#: The methods each assignment's training calls and tests on their own: ``{"Class.method": Method}``.
METHODS = {
    "05_mlp": {"NeuralNet.forward": Method(
        (3, 4, 2),
        {"W_h": _DRAWS.uniform(-2, 2, (3, 4)), "b_h": _DRAWS.uniform(-1, 1, 4),
         "W_o": _DRAWS.uniform(-2, 2, (4, 2)), "b_o": _DRAWS.uniform(-1, 1, 2)},
        [((_MLP_X,), {}), ((_MLP_BATCH,), {}), ((_MLP_X,), {"keep_activations": True}),
         ((_MLP_BATCH,), {"keep_activations": True})])},
    "07_training": {
        "RegularizedMLP.forward": _network_method({"p_drop": 0.5}, [(), ()]),
        "RegularizedMLP.loss": _network_method({"l2": 0.25}, [(_TRAINING_Y,), (_TRAINING_Y.tolist(),)]),
        "RegularizedMLP.grad_loss": _network_method({"l2": 0.25, "p_drop": 0.0}, [(_TRAINING_Y,)]),
        "RegularizedMLP.predict": _network_method({}, [()]),
        "RegularizedMLP.accuracy": _network_method({}, [(_TRAINING_Y,)]),
    },
    # a train of 08 may take its outputs from run (the reference's computes them itself)
    "08_regression": {"NeuralNetwork.run": Method(
        (3, 4, 2, 0.5),
        {"weights_input_to_hidden": _NETWORK_DRAWS.normal(size=(3, 4)),
         "weights_hidden_to_output": _NETWORK_DRAWS.normal(size=(4, 2))},
        [((_TRAINING_X,), {}), ((_TRAINING_X.tolist(),), {})])},
}


class _NoDraws:
    """A generator no mask may be drawn from: the trusted side cannot draw from the student's."""

    def __getattr__(self, name):
        raise LookupError("a dropout mask is drawn from the student's generator")


def _digest(values):
    """A seed from the numbers ``values`` (in float32: a replay equal up to rounding gets the same seed)."""
    digest = hashlib.sha256()
    for value in values:
        for part in (value.values() if isinstance(value, dict) else [value]):
            array = np.asarray(part, dtype=np.float32)
            digest.update(repr(array.shape).encode() + array.tobytes())
    return int.from_bytes(digest.digest()[:16], "little")


def drawing(function, draw):
    """``function`` with its generator argument (if given) replaced: see the module's docstring.

    With ``draw``, by a generator seeded by a digest of the call's other arguments; without, by one
    that raises when drawn from, so that the pin leaves the call to the student's own code.
    """
    signature = inspect.signature(function)
    if GENERATOR not in signature.parameters:
        return function

    def answered(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        if bound.arguments.get(GENERATOR) is not None:
            others = [value for name, value in bound.arguments.items() if name != GENERATOR]
            bound.arguments[GENERATOR] = np.random.default_rng(_digest(others)) if draw else _NoDraws()
        return function(*bound.args, **bound.kwargs)

    answered.__signature__ = signature
    return answered


class TrustedHelpers:
    """The helpers and methods of one assignment's training, answered by its reference solution.

    Built on the grading side only (the runner's ``trusted_helpers`` fixture), from the reference
    module it imports there: nothing here computes a graded function by itself.
    """

    def __init__(self, reference, folder):
        self.reference = reference
        self.folder = folder
        self._made = {}

    @property
    def names(self):
        return [*HELPERS.get(self.folder, ()), *METHODS.get(self.folder, {})]

    def formula(self, name, draw=False):
        """The reference's ``name``: a function's, or a method's as ``formula(attributes, *args, **kwargs)``."""
        if "." not in name:
            return drawing(getattr(self.reference, name), draw)
        class_name, method_name = name.split(".")
        method = getattr(getattr(self.reference, class_name), method_name)
        template = self._template(class_name, METHODS[self.folder][name].sizes)

        def on_object(attributes, /, *args, **kwargs):
            model = copy.copy(template)
            vars(model).update(attributes)
            return method(model, *args, **kwargs)

        parameters = list(inspect.signature(method).parameters.values())[1:]
        attributes = inspect.Parameter("attributes", inspect.Parameter.POSITIONAL_ONLY)
        on_object.__signature__ = inspect.Signature([attributes, *parameters])
        return drawing(on_object, draw)

    def _template(self, class_name, sizes):
        """An object of the reference's class, made once; its attributes besides those read are the reference's."""
        if class_name not in self._made:
            state = np.random.get_state()  # a constructor drawing from numpy's global generator leaves it as it was
            try:
                self._made[class_name] = getattr(self.reference, class_name)(*sizes)
            finally:
                np.random.set_state(state)
        return self._made[class_name]


def wrong_helpers(student, trusted):
    """The names of the student's helpers and methods that do not give the ``trusted`` values at every probe
    (an error or a warning counts as wrong)."""
    wrong = []
    for name in trusted.names:
        expected = trusted.formula(name)
        right = (lambda: method_is_right(student, name, METHODS[trusted.folder][name], expected)) if "." in name \
            else (lambda: all(same_value(getattr(student, name)(*args), expected(*args), rtol=RTOL)
                              for args in PROBES[name]))
        if not _probed(right):
            wrong.append(name)
    return wrong


def _probed(check):
    """``check()``, False if the student's code failed on the way."""
    try:
        return check()
    except StudentCodeFailed:
        return False


def method_is_right(student, name, method, formula):
    """Does ``name`` (``"Class.method"``) give ``formula``'s values at ``method``'s probe? Raises StudentCodeFailed."""
    class_name, method_name = name.split(".")
    probed = getattr(student, class_name)(*method.sizes)
    for attribute, value in method.attributes.items():
        setattr(probed, attribute, value)
    return all(same_value(getattr(probed, method_name)(*args, **kwargs),
                          formula(method.attributes, *args, **kwargs), rtol=RTOL)
               for args, kwargs in method.calls)


def unless_helpers_are_to_blame(student, trusted, run, draw=True):
    """``run()``; if it fails, ``run()`` again with the wrong helpers and methods answered by ``trusted``.

    ``trusted`` is the ``trusted_helpers`` fixture's :class:`TrustedHelpers`; None (the student
    bundle) makes no retry. ``run`` does the whole training test (seeding included) and raises when
    it fails. The second run's failure is the one raised: it is the failure of the student's chain
    with its helpers right. ``draw=False`` for a run that checks what the student's code draws from
    its generators: a pinned helper then leaves a call that draws a dropout mask to the student's
    own code, since a mask drawn here would not come from the student's generator (a ``fit`` that
    gives its helpers another generator would pass unseen).
    """
    try:
        return run()
    except (AssertionError, StudentCodeFailed) as error:
        if trusted is None or getattr(error, "timed_out", False) or getattr(error, "problem", False):
            raise
        wrong = wrong_helpers(student, trusted)
        if not wrong:
            raise
    figures.take()  # the first run's curves: the feedback shows those of the run judged
    for name in wrong:
        reads = METHODS[trusted.folder][name].reads if "." in name else ()
        student._pin_computed(name, trusted.formula(name, draw), reads=reads, ignore=(GENERATOR,))
    return run()
