"""Training judged without the bugs of the helpers it calls: one bug costs points once.

A training test runs the student's whole chain: 03's ``train`` calls ``update_weights``, which
calls ``output_formula`` and ``sigmoid``; 05's ``train`` calls ``sigmoid`` and ``dsigmoid``
through ``forward`` and ``grad_loss``; 06's ``train_xor`` calls ``sigmoid`` and
``sigmoid_prime``. Those helpers have tests of their own, which charge their bugs. So a training
test that fails is run again with the helpers answered on the trusted side by the trusted
formulas below (:meth:`autograder.sandbox.remote.RemoteModule._pin_computed`), and fails only if
that run fails too: a broken ``sigmoid`` costs its own tests, and a broken ``update_weights``
still fails training.

Only a failed run whose helpers are wrong is retried. Pinned, every call of a helper is a round
trip to the trusted side (tens of thousands in 05's fifteen epochs), which a passing run never
pays. Helpers that give their formulas' values at the :data:`PROBES` (a few direct calls, their
warnings judged as in the helpers' own tests) are taken as right and the failure stands: a retry
would mostly repeat the run (a helper wrong only elsewhere is still charged in training). A run
that timed out or could not start is not retried: the helpers' values do not make it end sooner.
The formulas are computed with ``tanh`` (:mod:`autograder.testing.sigmoid`) and say no more than
the lessons do; the reference's own functions would be recorded call by call for the known-bug
replay.
"""
import numpy as np

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


def helpers_are_right(student, folder):
    """Do the student's helpers of ``folder`` give their formulas' values at every probe (no error, no warning)?"""
    for name, formula in HELPERS[folder].items():
        for args in PROBES[name]:
            try:
                got = getattr(student, name)(*args)
            except StudentCodeFailed:
                return False
            if not same_value(got, formula(*args), rtol=RTOL):
                return False
    return True


def unless_helpers_are_to_blame(student, folder, run):
    """``run()``; if it fails, ``run()`` again with the helpers of ``folder`` pinned to their formulas.

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
    return run()
