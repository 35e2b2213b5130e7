"""The checks every sigmoid of the kit must pass (03's, 05's, 06's ``sigmoid`` and the ``Sigmoid`` class).

The contract asks the same of all of them: elementwise, the input's shape, lists accepted, and
finite with no overflow warning for any finite input of either sign, for a vector as for a
matrix (the worker reports warnings and the session fails a call that raised one). Their
derivatives (``dsigmoid``, ``sigmoid_prime``, ``Sigmoid.diff``) take the PRE-activation. The
expected values here are computed with ``tanh``, which cannot overflow, never by the code
under test.

A test passes the function under test as a callable (``student.sigmoid``, or a bound method of
a ``Sigmoid`` object) and the assignment's bar; the inputs are chosen here, once for all.
"""
import numpy as np

from autograder.testing.checks import assert_close

LOG3 = np.log(3.0)

#: Known values: the sigmoid of 0, +-log 3 and +-2 log 3 is 1/2, 3/4 and 1/4, 9/10 and 1/10.
KNOWN_VALUES = {
    "scalar": (0.0, 0.5),
    "vector": ([LOG3, -LOG3, 0.0], [0.75, 0.25, 0.5]),
    "matrix": ([[0.0, LOG3, 2 * LOG3], [-2 * LOG3, -LOG3, 0.0]], [[0.5, 0.75, 0.9], [0.1, 0.25, 0.5]]),
    "column": ([[-LOG3], [2 * LOG3], [0.0]], [[0.25], [0.9], [0.5]]),
}
KNOWN_HINT = "elementwise 1 / (1 + exp(-x)), keeping the input's shape; accept lists"
EXTREME_HINT = ("exp overflows for large |x| (an overflow warning counts, even when the value comes out right): "
                "use np.logaddexp(0, -x), or exp of -|x| only")
PRE_ACTIVATION_HINT = "the derivative takes the PRE-activation z: sigmoid(z) * (1 - sigmoid(z)), not z * (1 - z)"
#: Shapes of the extreme-input cases: a vector and a matrix (not square), of one sign or both.
EXTREME_SHAPES = ("vector", "matrix")


def logistic(z):
    """The logistic function, written with tanh (no overflow, no warning)."""
    return 0.5 * (1.0 + np.tanh(np.asarray(z, dtype=float) / 2.0))


def logistic_slope(z):
    """The logistic function's derivative at ``z`` (no overflow, no warning)."""
    return logistic(z) * logistic(-np.asarray(z, dtype=float))


def extreme_inputs(big, sign, shape):
    """Inputs of magnitude up to ``100 * big``, all of ``sign`` (+1, -1; 0: both signs), as a vector or a 2x3 matrix."""
    magnitudes = np.array([big, 50.0, 100 * big, 745.5, 37.0, big / 2])
    signs = np.array([1, -1, 1, -1, -1, 1]) if sign == 0 else np.full(6, sign)
    values = signs * magnitudes
    return values if shape == "vector" else values.reshape(2, 3)


def check_known_values(sigmoid, case, rtol, name="sigmoid"):
    """``sigmoid`` gives the known values of ``KNOWN_VALUES[case]``; sigmoid(-x), the usual slip, is named."""
    x, expected = KNOWN_VALUES[case]
    flipped = logistic(-np.asarray(x, dtype=float))
    assert_close(sigmoid(x), expected, f"{name} of shape {np.shape(x)} ({case})", rtol=rtol, hint=KNOWN_HINT,
                 mistakes=[("this is sigmoid(-x), 1 / (1 + exp(x)): the exponent takes -x", flipped)])


def check_extreme_inputs(sigmoid, big, sign, shape, name="sigmoid"):
    """``sigmoid`` is finite, right and warning-free on ``extreme_inputs(big, sign, shape)``."""
    x = extreme_inputs(big, sign, shape)
    which = {1: "large", -1: "very negative", 0: "extreme"}[sign]
    assert_close(sigmoid(x), logistic(x), f"{name} of {which} inputs ({shape})", nonfinite_hint=EXTREME_HINT)


def check_slope(derivative, z, rtol, name):
    """``derivative`` is the sigmoid's slope at the pre-activation ``z`` (also for extreme ``z``)."""
    assert_close(derivative(z), logistic_slope(z), f"{name} of shape {np.shape(z)}", rtol=rtol,
                 hint=PRE_ACTIVATION_HINT)


def fresh_inputs(rng, case, big, scale=3.0):
    """Fresh inputs for comparing a sigmoid (or its slope) with the reference: ``case`` is one of
    ``FRESH_CASES``; the extreme ones mix both signs up to ``100 * big``."""
    if case == "vector":
        return rng.normal(scale=scale, size=7)
    if case == "matrix":
        return rng.normal(scale=scale * 3, size=(3, 5))
    if case == "list":
        return rng.normal(scale=scale, size=4).tolist()
    if case == "python-float":
        return float(rng.normal(scale=scale))
    values = np.concatenate([[-big, big, -100 * big, 100 * big, -745.5, 709.9], rng.normal(scale=big, size=4)])
    return values if case == "extreme-vector" else values.reshape(2, 5)


FRESH_CASES = ("vector", "matrix", "list", "python-float", "extreme-vector", "extreme-matrix")


def mutation_input(rng):
    """An input a clip (to +-500, say) or any other in-place work would change: a matrix with entries beyond
    +-500, but none beyond +-700, where exp (in a naive sigmoid, or either branch of np.where) would overflow:
    the in-place test judges the input alone, the warning is the extreme-input tests' business."""
    x = rng.normal(scale=3.0, size=(3, 4))
    x[0, 0], x[1, 2], x[2, 3] = 600.0, -600.0, -650.0
    return x
