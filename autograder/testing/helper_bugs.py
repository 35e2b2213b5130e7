"""Training judged without the bugs of the helpers it calls: one bug costs points once.

A training test runs the student's whole chain: 03's ``train`` calls ``update_weights``, which calls
``output_formula`` and ``sigmoid``; 05's ``train`` calls ``sigmoid`` and ``dsigmoid`` through
``forward`` and ``grad_loss``; 06's ``train_xor`` calls ``sigmoid`` and ``sigmoid_prime``; 07's
``fit`` calls ``momentum_step`` and the network's ``grad_loss``, ``loss`` and ``accuracy``, which
call ``forward``, ``predict``, ``relu``, ``relu_prime`` and ``dropout``; 08's ``train`` may call
``run``. Those helpers, and the methods (05's ``NeuralNet.forward``, 07's ``RegularizedMLP``
methods, 08's ``NeuralNetwork.run``), have tests of their own, which charge their bugs. So a
training test that fails is run again with the wrong helpers answered on the trusted side by the
trusted formulas below (:meth:`autograder.sandbox.remote.RemoteModule._pin_computed`), and fails
only if that run fails too: a broken ``sigmoid`` or ``forward`` costs its own tests, and a broken
``update_weights`` or ``fit`` still fails training. A method is answered for every object of its
class from the attributes its formula reads, as the object holds them at each call (:data:`METHODS`:
a model's parameters, which training moves).

Only a failed run whose helpers are wrong is retried, with those pinned. Pinned, every call of a
helper is a round trip to the trusted side (tens of thousands in 05's fifteen epochs), which a
passing run never pays. Helpers that give their formulas' values at the :data:`PROBES` (a few
direct calls, their warnings judged as in the helpers' own tests; a method on an object made and
given known attributes here) are taken as right: a helper wrong only elsewhere is still charged
in training. A run that timed out or could not start is not retried: the helpers' values do not
make it end sooner. The formulas are computed with ``tanh`` (:mod:`autograder.testing.sigmoid`)
or written out (:mod:`autograder.testing.regularized_mlp`) and say no more than the lessons do;
the reference's own functions would be recorded call by call for the known-bug replay. 07's
``minibatches`` is not pinned: its batches come from the student's generator, and 07's training
tests replay ``fit`` with the student's own ``minibatches`` or without it.
"""
import functools
import inspect
from dataclasses import dataclass

import numpy as np
from scipy.special import softmax

from autograder.sandbox.session import StudentCodeFailed
from autograder.sandbox.pins import same_value
from autograder.testing import figures, regularized_mlp
from autograder.testing.sigmoid import KNOWN_VALUES, logistic, logistic_slope


def logistic_output(features, weights, bias):
    """03's ``output_formula``: the probability of the label 1, ``logistic(features @ weights + bias)``."""
    return logistic(np.dot(np.asarray(features, dtype=float), np.asarray(weights, dtype=float)) + bias)


#: The helpers each assignment's training calls and tests on their own, with their trusted formulas.
HELPERS = {
    "03_gradient_descent": {"sigmoid": logistic, "output_formula": logistic_output},
    "05_mlp": {"sigmoid": logistic, "dsigmoid": logistic_slope},
    "06_backprop": {"sigmoid": logistic, "sigmoid_prime": logistic_slope},
    "07_training": {"relu": regularized_mlp.relu, "relu_prime": regularized_mlp.relu_slope,
                    "momentum_step": regularized_mlp.momentum_step, "dropout": regularized_mlp.dropout},
}
#: Arguments of the helpers and methods that are not numbers (07's generators): a pinned call passes them on.
OPAQUE = ("rng",)


_UNITS = [(inputs,) for inputs, _ in KNOWN_VALUES.values()] + [(np.linspace(-30.0, 30.0, 7),)]
#: The calls at which a helper is compared with its formula: lists, scalars and arrays, as training makes them.
PROBES = {
    "sigmoid": _UNITS, "dsigmoid": _UNITS, "sigmoid_prime": _UNITS,
    "output_formula": [(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.array([-1.1, 1.1]), 1.1),
                       (np.array([0.5, -2.0]), [0.25, 0.75], -0.5)],
    "relu": _UNITS, "relu_prime": _UNITS,
    "momentum_step": [(np.linspace(-1.0, 1.0, 6).reshape(2, 3), [[0.5, -0.25, 2.0], [1.0, 0.0, -3.0]],
                       np.full((2, 3), 0.125), 0.1, 0.9), (1.5, -2.0, 0.25, 0.5, 0.0)],
    # at evaluation, and with nothing to drop: no mask, so nothing drawn from a generator (see regularized_mlp)
    "dropout": [(np.linspace(-2.0, 2.0, 12).reshape(3, 4), 0.5, None, False),
                ([[1.0, 2.0], [3.0, 4.0]], 0.0, None, True)],
}
RTOL = 1e-6  # the helpers' own tests' tolerance


def mlp_forward(parameters, X, keep_activations=False):
    """05's ``NeuralNet.forward`` with ``parameters`` ``W_h, b_h, W_o, b_o``: ``y``, or ``(y, h, z_h)``."""
    weights = {name: np.asarray(value, dtype=float) for name, value in parameters.items()}
    pre_activations = np.asarray(X, dtype=float) @ weights["W_h"] + weights["b_h"]
    hidden = logistic(pre_activations)
    probabilities = softmax(hidden @ weights["W_o"] + weights["b_o"], axis=-1)
    return (probabilities, hidden, pre_activations) if keep_activations else probabilities


def regression_run(parameters, features):
    """08's ``NeuralNetwork.run``: ``logistic(features @ weights_input_to_hidden) @ weights_hidden_to_output``."""
    to_hidden, to_output = (np.asarray(parameters[f"weights_{name}"], dtype=float)
                            for name in ("input_to_hidden", "hidden_to_output"))
    return logistic(np.asarray(features, dtype=float) @ to_hidden) @ to_output


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
_NETWORK_DRAWS = np.random.default_rng(7_20261206)  # 07's: some hidden units on, some off, for every row
_NETWORK = {"W_h": _NETWORK_DRAWS.uniform(-1, 1, (3, 4)), "b_h": _NETWORK_DRAWS.uniform(-0.5, 0.5, 4),
            "W_o": _NETWORK_DRAWS.uniform(-2, 2, (4, 2)), "b_o": _NETWORK_DRAWS.uniform(-1, 1, 2)}
_TRAINING_X, _TRAINING_Y = _NETWORK_DRAWS.normal(size=(6, 3)), np.array([0, 1, 1, 0, 1, 0])


def _network_method(name, settings, labels):
    """07's ``RegularizedMLP.name``, probed on a batch (with each of ``labels`` after it) with ``settings`` set.

    The probe draws no dropout mask (evaluation, or ``p_drop`` 0): the trusted side cannot see the draws of a
    generator of the worker. ``settings`` are the attributes besides the parameters that the formula reads.
    """
    return Method(getattr(regularized_mlp, name), (3, 4, 2), {**_NETWORK, **settings},
                  [((_TRAINING_X.tolist() if number else _TRAINING_X, *given), {})
                   for number, given in enumerate(labels)])


#: The methods each assignment's training calls and tests on their own: ``{"Class.method": Method}``.
METHODS = {
    "05_mlp": {"NeuralNet.forward": Method(
        mlp_forward, (3, 4, 2),
        {"W_h": _DRAWS.uniform(-2, 2, (3, 4)), "b_h": _DRAWS.uniform(-1, 1, 4),
         "W_o": _DRAWS.uniform(-2, 2, (4, 2)), "b_o": _DRAWS.uniform(-1, 1, 2)},
        [((_MLP_X,), {}), ((_MLP_BATCH,), {}), ((_MLP_X,), {"keep_activations": True}),
         ((_MLP_BATCH,), {"keep_activations": True})])},
    "07_training": {
        "RegularizedMLP.forward": _network_method("forward", {"p_drop": 0.5}, [(), ()]),
        "RegularizedMLP.loss": _network_method("loss", {"l2": 0.25}, [(_TRAINING_Y,), (_TRAINING_Y.tolist(),)]),
        "RegularizedMLP.grad_loss": _network_method("grad_loss", {"l2": 0.25, "p_drop": 0.0}, [(_TRAINING_Y,)]),
        "RegularizedMLP.predict": _network_method("predict", {}, [()]),
        "RegularizedMLP.accuracy": _network_method("accuracy", {}, [(_TRAINING_Y,)]),
    },
    # a train of 08 may take its outputs from run (the reference's computes them itself)
    "08_regression": {"NeuralNetwork.run": Method(
        regression_run, (3, 4, 2, 0.5),
        {"weights_input_to_hidden": _NETWORK_DRAWS.normal(size=(3, 4)),
         "weights_hidden_to_output": _NETWORK_DRAWS.normal(size=(4, 2))},
        [((_TRAINING_X,), {}), ((_TRAINING_X.tolist(),), {})])},
}


def wrong_helpers(student, folder):
    """The names of the student's helpers and methods of ``folder`` that do not give their formulas' values at
    every probe (an error or a warning counts as wrong)."""
    wrong = [name for name, formula in HELPERS.get(folder, {}).items()
             if not _probed(lambda: all(same_value(getattr(student, name)(*args), formula(*args), rtol=RTOL)
                                        for args in PROBES[name]))]
    return wrong + [name for name, method in METHODS.get(folder, {}).items()
                    if not _probed(lambda: method_is_right(student, name, method))]


def _probed(check):
    """``check()``, False if the student's code failed on the way."""
    try:
        return check()
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


def pinned_formula(formula, draw):
    """``formula`` as a pin computes it: told whether it may draw dropout masks here, if it is one that could
    (:mod:`autograder.testing.regularized_mlp`)."""
    return functools.partial(formula, draw=draw) if "draw" in inspect.signature(formula).parameters else formula


def unless_helpers_are_to_blame(student, folder, run, draw=True):
    """``run()``; if it fails, ``run()`` again with ``folder``'s wrong helpers and methods pinned to their formulas.

    ``run`` does the whole training test (seeding included) and raises when it fails. The second
    run's failure is the one raised: it is the failure of the student's chain with its helpers right.
    ``draw=False`` for a run that checks what the student's code draws from its generators: a pinned
    helper then leaves a call that draws a dropout mask to the student's own code, since a mask drawn
    here would not come from the student's generator (a ``fit`` that gives its helpers another
    generator would pass unseen).
    """
    try:
        return run()
    except (AssertionError, StudentCodeFailed) as error:
        if getattr(error, "timed_out", False) or getattr(error, "problem", False):
            raise
        wrong = wrong_helpers(student, folder)
        if not wrong:
            raise
    figures.take()  # the first run's curves: the feedback shows those of the run judged
    for name, formula in HELPERS.get(folder, {}).items():
        if name in wrong:
            student._pin_computed(name, pinned_formula(formula, draw), ignore=OPAQUE)
    for name, method in METHODS.get(folder, {}).items():
        if name in wrong:
            student._pin_computed(name, pinned_formula(method.formula, draw), reads=method.reads, ignore=OPAQUE)
    return run()
