"""Training judged without the bugs of the helpers it calls: one bug costs points once.

A training test runs the student's whole chain: 03's ``train`` calls ``update_weights``, which
calls ``output_formula`` and ``sigmoid``; 05's ``train`` calls ``sigmoid`` and ``dsigmoid``
through ``forward`` and ``grad_loss``; 06's ``train_xor`` calls ``sigmoid`` and
``sigmoid_prime``. Those helpers, and 05's method ``NeuralNet.forward``, have tests of their own,
which charge their bugs. So a training test that fails is run again with the helpers answered on
the trusted side by the trusted formulas below (:meth:`autograder.sandbox.remote.RemoteModule._pin_computed`),
and fails only if that run fails too: a broken ``sigmoid`` or ``forward`` costs its own tests, and
a broken ``update_weights`` or ``grad_loss`` still fails training. A method is answered for every
object of its class from the attributes its formula reads, as the object holds them at each call
(:data:`METHODS`: a model's parameters, which training moves).

Only a failed run whose helpers are wrong is retried. Pinned, every call of a helper is a round
trip to the trusted side (tens of thousands in 05's fifteen epochs), which a passing run never
pays. Helpers that give their formulas' values at the :data:`PROBES` (a few direct calls, their
warnings judged as in the helpers' own tests; a method on an object made and given known
attributes here) are taken as right and the failure stands: a retry
would mostly repeat the run (a helper wrong only elsewhere is still charged in training). A run
that timed out or could not start is not retried: the helpers' values do not make it end sooner.
The formulas are computed with ``tanh`` (:mod:`autograder.testing.sigmoid`) and say no more than
the lessons do; the reference's own functions would be recorded call by call for the known-bug
replay.
"""
from dataclasses import dataclass

import numpy as np
from scipy.special import softmax

from autograder.sandbox.session import StudentCodeFailed
from autograder.sandbox.pins import same_value
from autograder.testing import figures
from autograder.testing.sigmoid import KNOWN_VALUES, logistic, logistic_slope


def logistic_output(features, weights, bias):
    """03's ``output_formula``: the probability of the label 1, ``logistic(features @ weights + bias)``."""
    return logistic(np.dot(np.asarray(features, dtype=float), np.asarray(weights, dtype=float)) + bias)


#: The helpers each assignment's training calls and tests on their own, with their trusted formulas.
HELPERS = {
    "03_gradient_descent": {"sigmoid": logistic, "output_formula": logistic_output},
    "05_mlp": {"sigmoid": logistic, "dsigmoid": logistic_slope},
    "06_backprop": {"sigmoid": logistic, "sigmoid_prime": logistic_slope},
}


_UNITS = [(inputs,) for inputs, _ in KNOWN_VALUES.values()] + [(np.linspace(-30.0, 30.0, 7),)]
#: The calls at which a helper is compared with its formula: lists, scalars and arrays, as training makes them.
PROBES = {
    "sigmoid": _UNITS, "dsigmoid": _UNITS, "sigmoid_prime": _UNITS,
    "output_formula": [(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.array([-1.1, 1.1]), 1.1),
                       (np.array([0.5, -2.0]), [0.25, 0.75], -0.5)],
}
RTOL = 1e-6  # the helpers' own tests' tolerance


def mlp_forward(parameters, X, keep_activations=False):
    """05's ``NeuralNet.forward`` with ``parameters`` ``W_h, b_h, W_o, b_o``: ``y``, or ``(y, h, z_h)``."""
    weights = {name: np.asarray(value, dtype=float) for name, value in parameters.items()}
    pre_activations = np.asarray(X, dtype=float) @ weights["W_h"] + weights["b_h"]
    hidden = logistic(pre_activations)
    probabilities = softmax(hidden @ weights["W_o"] + weights["b_o"], axis=-1)
    return (probabilities, hidden, pre_activations) if keep_activations else probabilities


@dataclass(frozen=True)
class Method:
    """A method training calls and tests on its own, with its trusted formula and its probe.

    ``formula(attributes, *args, **kwargs)`` is its value on an object holding ``attributes``
    (``{name: value}``; the names it reads). The probe makes an object as ``Class(*sizes)``, gives
    it the ``attributes`` and makes the ``calls``, ``[(args, kwargs)]``.
    """

    formula: object
    sizes: tuple
    attributes: dict
    calls: list

    @property
    def reads(self):
        return tuple(self.attributes)


_DRAWS = np.random.default_rng(20261206)  # known values of moderate scale: every hidden unit off its linear part
_MLP_X, _MLP_BATCH = _DRAWS.normal(scale=1.5, size=3), _DRAWS.normal(scale=1.5, size=(5, 3))
#: The methods each assignment's training calls and tests on their own: ``{"Class.method": Method}``.
METHODS = {
    "05_mlp": {"NeuralNet.forward": Method(
        mlp_forward, (3, 4, 2),
        {"W_h": _DRAWS.uniform(-2, 2, (3, 4)), "b_h": _DRAWS.uniform(-1, 1, 4),
         "W_o": _DRAWS.uniform(-2, 2, (4, 2)), "b_o": _DRAWS.uniform(-1, 1, 2)},
        [((_MLP_X,), {}), ((_MLP_BATCH,), {}), ((_MLP_X,), {"keep_activations": True}),
         ((_MLP_BATCH,), {"keep_activations": True})])},
}


def helpers_are_right(student, folder):
    """Do the student's helpers and methods of ``folder`` give their formulas' values at every probe (no error,
    no warning)?"""
    try:
        for name, formula in HELPERS[folder].items():
            if not all(same_value(getattr(student, name)(*args), formula(*args), rtol=RTOL) for args in PROBES[name]):
                return False
        return all(method_is_right(student, name, method) for name, method in METHODS.get(folder, {}).items())
    except StudentCodeFailed:
        return False


def method_is_right(student, name, method):
    """Does ``name`` (``"Class.method"``) give ``method``'s formula at its probe? Raises StudentCodeFailed."""
    class_name, method_name = name.split(".")
    probed = getattr(student, class_name)(*method.sizes)
    for attribute, value in method.attributes.items():
        setattr(probed, attribute, value)
    return all(same_value(getattr(probed, method_name)(*args, **kwargs),
                          method.formula(method.attributes, *args, **kwargs), rtol=RTOL)
               for args, kwargs in method.calls)


def unless_helpers_are_to_blame(student, folder, run):
    """``run()``; if it fails, ``run()`` again with the helpers and methods of ``folder`` pinned to their formulas.

    ``run`` does the whole training test (seeding included) and raises when it fails. The second
    run's failure is the one raised: it is the failure of the student's chain with its helpers right.
    """
    try:
        return run()
    except (AssertionError, StudentCodeFailed) as error:
        if getattr(error, "timed_out", False) or getattr(error, "problem", False) or helpers_are_right(student, folder):
            raise
    figures.take()  # the first run's curves: the feedback shows those of the run judged
    for name, formula in HELPERS[folder].items():
        student._pin_computed(name, formula)
    for name, method in METHODS.get(folder, {}).items():
        student._pin_computed(name, method.formula, reads=method.reads)
    return run()
