"""Public tests of 06_backprop: run them with `autograder check`. Hidden tests run at grading.

Functions that call other graded ones (``sigmoid_prime``, ``backprop_step``,
``two_layer_gradients`` and the ``Sigmoid`` class call ``sigmoid``, ``sigmoid_prime``
or ``error_term_formula``) are tested with those answering known-correct values, so
each bug shows up in the test of the function that has it. Gradients are checked
against central differences of the loss, computed here from its formula. The sigmoid's checks are
those of every sigmoid of the kit (``autograder.testing.sigmoid``): an overflow warning fails them.

Catalogue bugs these tests kill (``examples/catalogue.py``): bug_backprop_no_learnrate,
bug_backprop_missing_hidden_derivative, bug_backprop_bias_gradient_averaged, bug_backprop_gradient_sign,
bug_backprop_hidden_bias_gradient_zero, bug_backprop_train_ascends, bug_sigmoid_prime_of_activation,
bug_error_term_sign, bug_mse_summed, bug_mse_diff_without_two, bug_backprop_sigmoid_naive,
bug_sigmoid_class_naive, bug_relu_diff_one_at_zero.
"""
import numpy as np
import pytest

from autograder.testing.gradcheck import numerical_gradient
from autograder.testing import as_array, assert_close, assert_gradient, assert_true
from autograder.testing import sigmoid as sigmoid_checks
from autograder.testing.chain_rule import slope_mistakes
from autograder.testing.helper_bugs import unless_helpers_are_to_blame
from autograder.testing.one_call_training import assert_trains_by_its_own_gradient

LOG3 = np.log(3.0)
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_LABELS = np.array([0, 1, 1, 0])
XOR_Y = XOR_LABELS[:, None].astype(float)


logistic, logistic_slope = sigmoid_checks.logistic, sigmoid_checks.logistic_slope  # trusted values, computed here


def pin_sigmoid(student, *pre_activations):
    """Make ``sigmoid`` answer known-correct values at these pre-activations."""
    student._pin("sigmoid", [((z,), {}, logistic(z)) for z in pre_activations])


def pin_units(student, *pre_activations):
    """Make ``sigmoid`` and ``sigmoid_prime`` answer known-correct values at these pre-activations."""
    pin_sigmoid(student, *pre_activations)
    student._pin("sigmoid_prime", [((z,), {}, logistic_slope(z)) for z in pre_activations])


def method(student, obj, cls, name, *args):
    """``obj.name(*args)`` for an object of the class ``cls`` in the worker (also for ``__call__``)."""
    return getattr(student, f"{cls}.{name}")(obj, *args)


def scale_hint(analytic, numeric, candidates, default):
    """The hint of the first ``(factor, hint)`` such that ``analytic`` is ``factor`` times the true gradient."""
    for factor, hint in candidates:
        if np.allclose(analytic, factor * numeric, rtol=1e-4, atol=1e-12):
            return hint
    return default


# Training comes first: it calls two_layer_gradients 2000 times, quicker before other tests pin functions.
# At grading, a bug of sigmoid or sigmoid_prime fails their own tests, not this one (autograder.testing.helper_bugs).
def test_train_xor_solves_xor(student, trusted_helpers):
    def run():
        result = student.train_xor()
        assert_true(isinstance(result, (tuple, list)) and len(result) == 4, "train_xor should return (W1, b1, W2, b2)")
        W1, b1 = as_array(result[0], "W1", (2, 4)), as_array(result[1], "b1", (4,))
        W2, b2 = as_array(result[2], "W2", (4, 1)), as_array(result[3], "b2", (1,))
        output = logistic(logistic(XOR_X @ W1 + b1) @ W2 + b2)[:, 0]
        wrong = [tuple(int(v) for v in point)
                 for point, out, label in zip(XOR_X, output, XOR_LABELS) if (out > 0.5) != label]
        assert_true(not wrong, f"the trained network misclassifies the XOR points {wrong}",
                    hint="check two_layer_gradients first; then step every parameter against its gradient, "
                         "parameter - learning_rate * gradient, for all epochs")
        # What is graded must be what its own gradient trains: called again in a fresh worker, train_xor must take
        # steps of the student's two_layer_gradients (a refit or a memorised network is tamper evidence).
        assert_trains_by_its_own_gradient(student, "train_xor", {}, ("W1", "b1", "W2", "b2"), trained_by_two_layer_gradients,
                                          "two_layer_gradients")

    unless_helpers_are_to_blame(student, trusted_helpers, run)


def trained_by_two_layer_gradients(module, parameters):
    """The student's two_layer_gradients on the four XOR points (computed here, not read off the module) at
    ``parameters``, asked of ``module``."""
    return module.two_layer_gradients(XOR_X, XOR_Y, *parameters)


@pytest.mark.parametrize("case", sigmoid_checks.KNOWN_VALUES)
def test_sigmoid_known_values(student, bars, case):
    sigmoid_checks.check_known_values(student.sigmoid, case, bars["rtol"])


@pytest.mark.parametrize("shape", sigmoid_checks.EXTREME_SHAPES)
@pytest.mark.parametrize("sign", [1, -1], ids=["positive", "negative"])
def test_sigmoid_is_finite_for_extreme_inputs(student, bars, sign, shape):
    sigmoid_checks.check_extreme_inputs(student.sigmoid, bars["sigmoid_extreme"], sign, shape)


@pytest.mark.parametrize("z", [[-3.0, -0.5, 0.0, LOG3, 4.0], [[-1000.0, 1000.0], [2.0, -2.0]]],
                         ids=["moderate", "with-extremes"])
def test_sigmoid_prime_is_the_slope_of_sigmoid(student, bars, z):
    pin_sigmoid(student, np.array(z))
    z_array = np.asarray(z, dtype=float)
    assert_close(student.sigmoid_prime(z), logistic_slope(z), f"sigmoid_prime of shape {np.shape(z)}",
                 rtol=bars["rtol"], mistakes=[("the derivative takes the PRE-activation z: "
                                               "sigmoid(z) * (1 - sigmoid(z)), not z * (1 - z)", z_array * (1 - z_array))])


@pytest.mark.parametrize("y, output, expected", [
    (1.0, 0.5, 0.125),
    (0.0, 0.8, -0.128),
    ([1.0, 0.0, 0.25], [0.5, 0.8, 0.75], [0.125, -0.128, -0.09375]),
    ([[1.0, 0.0, 1.0], [0.5, 0.5, 0.0]], [[0.5, 0.5, 0.8], [0.5, 0.8, 0.2]],
     [[0.125, -0.125, 0.032], [0.0, -0.048, -0.032]]),
], ids=["target-1", "target-0", "vector", "matrix"])
def test_error_term_formula_known_values(student, bars, y, output, expected):
    assert_close(student.error_term_formula(y, output), expected, f"error_term_formula for {np.size(y)} output(s)",
                 rtol=bars["rtol"], hint="(y - output) times the sigmoid's slope written with its output, "
                                         "output * (1 - output); elementwise")


# One sample of 3 inputs, 2 hidden units, one output unit.
STEP_X, STEP_TARGET, STEP_RATE = np.array([0.5, -0.2, 0.1]), 0.6, 0.5
STEP_W1 = np.array([[0.1, -0.4], [0.3, 0.2], [-0.5, 0.6]])
STEP_W2 = np.array([0.7, -0.3])


@pytest.mark.parametrize("which", ["weights_input_hidden", "weights_hidden_output"])
def test_backprop_step_gradient_check(student, bars, which):
    hidden_in = STEP_X @ STEP_W1
    output_in = logistic(hidden_in) @ STEP_W2
    pin_units(student, hidden_in, output_in)
    output = logistic(output_in)
    error_term = (STEP_TARGET - output) * logistic_slope(output_in)
    student._pin("error_term_formula", [((STEP_TARGET, output), {}, error_term)])
    result = student.backprop_step(STEP_X, STEP_TARGET, STEP_W1, STEP_W2, STEP_RATE)
    assert_true(isinstance(result, (tuple, list)) and len(result) == 2,
                "backprop_step should return (delta_w_i_h, delta_w_h_o)")
    weights = {"weights_input_hidden": STEP_W1.copy(), "weights_hidden_output": STEP_W2.copy()}
    change = as_array(result[0 if which == "weights_input_hidden" else 1], f"the change of {which}",
                      weights[which].shape)

    def loss():
        out = logistic(logistic(STEP_X @ weights["weights_input_hidden"]) @ weights["weights_hidden_output"])
        return 0.5 * (STEP_TARGET - out) ** 2

    numeric = numerical_gradient(loss, weights[which])
    hint = scale_hint(change, numeric, [(-1.0, "the weight changes include the learning rate: learnrate * error term "
                                                "* input"),
                                        (STEP_RATE, "the weight changes go downhill, against the gradient: use "
                                                    "(y - output), not (output - y)")],
                      "the hidden error term is the output error term times the outgoing weight times the sigmoid's "
                      "slope at the hidden unit; each change is learnrate * error term * input"
                      if which == "weights_input_hidden" else
                      "the change of an output weight is learnrate * output error term * that hidden unit's output")

    def descent(slope_of):  # -delta_w_i_h / learnrate, with slope_of(hidden_in) at the hidden units: computed here
        return -np.outer(STEP_X, STEP_W2 * error_term * slope_of(hidden_in))

    slips = slope_mistakes(descent, logistic, logistic_slope) if which == "weights_input_hidden" else ()
    assert_gradient(-change / STEP_RATE, loss, weights[which], f"the change of {which} (divided by -learnrate)",
                    bars["gradient_relative_error"], hint=hint, mistakes=slips)


# A batch of 5 samples, 3 inputs, 4 hidden units, 2 outputs: no two sizes alike.
BATCH = np.random.default_rng(6).normal(size=5 * 3 + 5 * 2 + 3 * 4 + 4 + 4 * 2 + 2)
SHAPES = {"X": (5, 3), "Y": (5, 2), "W1": (3, 4), "b1": (4,), "W2": (4, 2), "b2": (2,)}


def batch_arrays():
    arrays, start = {}, 0
    for name, shape in SHAPES.items():
        size = int(np.prod(shape))
        arrays[name], start = BATCH[start:start + size].reshape(shape), start + size
    arrays["Y"] = logistic(3 * arrays["Y"])  # targets in (0, 1)
    return arrays


@pytest.mark.parametrize("parameter", ["W1", "b1", "W2", "b2"])
def test_two_layer_gradients_gradient_check(student, bars, parameter):
    a = batch_arrays()
    Z1 = a["X"] @ a["W1"] + a["b1"]
    pin_units(student, Z1, logistic(Z1) @ a["W2"] + a["b2"])
    grads = student.two_layer_gradients(a["X"], a["Y"], a["W1"], a["b1"], a["W2"], a["b2"])
    assert_true(isinstance(grads, dict) and parameter in grads,
                f"two_layer_gradients should return a dict with the keys W1, b1, W2, b2 ({parameter} is missing)")
    analytic = as_array(grads[parameter], f"the gradient of {parameter}", SHAPES[parameter])

    def loss():
        output = logistic(logistic(a["X"] @ a["W1"] + a["b1"]) @ a["W2"] + a["b2"])
        return 0.5 * np.sum((output - a["Y"]) ** 2) / len(a["X"])

    numeric = numerical_gradient(loss, a[parameter])
    n = len(a["X"])
    hint = scale_hint(analytic, numeric, [(n, "divide by the number of samples n (the loss is a mean over the batch)"),
                                          (1 / n, "divide by n exactly once: dZ2 already holds the 1/n, so the "
                                                  "biases' gradients SUM over the rows, they do not average"),
                                          (-1.0, "a sign: the error is (output - Y)")],
                      {"W1": "back through the hidden layer: (dZ2 @ W2.T) times the sigmoid's slope at Z1",
                       "b1": "the bias gradient sums the hidden layer's dZ1 over the samples (rows)",
                       "W2": "dW2 = A1.T @ dZ2, with dZ2 the output error times the sigmoid's slope at Z2",
                       "b2": "the bias gradient sums dZ2 over the samples (rows)"}[parameter])
    assert_gradient(analytic, loss, a[parameter], f"the gradient of {parameter}", bars["gradient_relative_error"], hint=hint)


ACTIVATION_INPUT = [[-2.0, 0.0, -0.5], [0.5, 0.0, 3.0]]  # 2 x 3, with the kink at 0 where ReLU.diff is 0
ACTIVATION_CASES = {
    "__call__": ([[0.0, 0.0, 0.0], [0.5, 0.0, 3.0]], "ReLU()(x)", "max(0, x) elementwise: np.maximum, not max"),
    "diff": ([[0.0, 0.0, 0.0], [1.0, 0.0, 1.0]], "ReLU().diff(x)",
             "the slope at the input x: 1 where x > 0, else 0 (0 at 0 too: x > 0, not x >= 0)"),
}


@pytest.mark.parametrize("name", ["__call__", "diff"])
def test_relu_values_and_slopes(student, bars, name):
    expected, what, hint = ACTIVATION_CASES[name]
    kink = [("the slope at exactly 0 is 1 where the contract says 0: x > 0, not x >= 0",
             (np.asarray(ACTIVATION_INPUT) >= 0).astype(float))] if name == "diff" else ()
    assert_close(method(student, student.ReLU(), "ReLU", name, ACTIVATION_INPUT), expected, what, rtol=bars["rtol"],
                 hint=hint, mistakes=kink)


@pytest.mark.parametrize("inputs", ["known", "extreme"])
@pytest.mark.parametrize("name", ["__call__", "diff"])
def test_sigmoid_class_values_and_slopes(student, bars, name, inputs):
    z = ([[0.0, LOG3, 2 * LOG3], [-LOG3, 2 * LOG3, 0.0]] if inputs == "known"
         else sigmoid_checks.extreme_inputs(bars["sigmoid_extreme"], 0, "matrix").tolist())
    pin_units(student, np.array(z))
    expected = logistic(z) if name == "__call__" else logistic_slope(z)
    if name == "__call__":
        what, hint = "Sigmoid()(x)", "the sigmoid of x, elementwise, with no overflow for extreme x"
    else:
        what, hint = "Sigmoid().diff(x)", "the slope at the INPUT x: sigmoid(x) * (1 - sigmoid(x)), not x * (1 - x)"
    assert_close(method(student, student.Sigmoid(), "Sigmoid", name, z), expected, f"{what} ({inputs} x)",
                 rtol=bars["rtol"], hint=hint)


@pytest.mark.parametrize("true, pred, expected", [
    ([1.0, 2.0, 3.0], [1.0, 2.0, 5.0], 4.0 / 3.0),
    ([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0]], [[0.5, 0.5, 0.0], [0.0, 1.0, 1.0]], 2.5 / 6),
], ids=["vector", "matrix"])
def test_mse_value(student, bars, true, pred, expected):
    assert_close(method(student, student.MSE(), "MSE", "__call__", true, pred), expected, "MSE()(true, pred)",
                 rtol=bars["rtol"], hint="the mean (not the sum) of the squared differences, over every entry")


def test_mse_diff_gradient_check(student, bars):
    rng = np.random.default_rng(12)
    true, pred = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    gradient = method(student, student.MSE(), "MSE", "diff", true, pred)
    assert_gradient(gradient, lambda: np.mean((pred - true) ** 2), pred, "MSE().diff(true, pred)",
                    bars["gradient_relative_error"],
                    hint="the gradient with respect to pred: 2 * (pred - true) divided by the number of entries")
