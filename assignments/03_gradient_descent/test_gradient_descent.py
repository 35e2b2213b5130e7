"""Public tests of 03_gradient_descent: run them with `autograder check`. Hidden tests run at grading.

``output_formula`` and ``update_weights`` are tested with the functions they call
(``sigmoid``, ``output_formula``) answering known-correct values, so each bug shows
up in the test of the function that has it. ``update_weights`` is checked against
central differences of the log-loss, computed here from its formula.
"""
import numpy as np
import pytest

from autograder.testing import as_array, assert_close, assert_gradient, assert_true
from backprop_datasets import load_points

LOG3 = np.log(3.0)


def logistic(score):
    """The logistic function, written with tanh (no overflow)."""
    return 0.5 * (1.0 + np.tanh(np.asarray(score, dtype=float) / 2.0))


def log_loss(y, score):
    """Log-loss of one point of label ``y`` whose score is ``score``: -log P(label y)."""
    return float(np.logaddexp(0.0, -score if y == 1 else score))


# Training comes first: it calls update_weights 10,000 times, quicker before other tests pin functions.
def test_train_reaches_accuracy(student, bars):
    X, y = load_points("gradient_descent")
    student._seed(0)
    result = student.train(X, y, 100, 0.01)
    assert_true(isinstance(result, (tuple, list)) and len(result) == 2, "train should return (weights, bias)")
    weights, bias = as_array(result[0], "the trained weights", (2,)), as_array(result[1], "the trained bias", ())
    accuracy = float(np.mean((X @ weights + bias > 0) == y))
    assert_true(accuracy >= bars["train_accuracy"],
                f"train (100 epochs at learning rate 0.01, your update_weights) reaches accuracy {accuracy:.2f}, "
                f"below {bars['train_accuracy']}", hint="check update_weights: the sign of the step, and the bias")


@pytest.mark.parametrize("x, expected", [
    (0.0, 0.5),
    ([LOG3, -LOG3, 0.0], [0.75, 0.25, 0.5]),
    ([[0.0, LOG3, 2 * LOG3], [-2 * LOG3, -LOG3, 0.0]], [[0.5, 0.75, 0.9], [0.1, 0.25, 0.5]]),
    ([[-LOG3], [2 * LOG3], [0.0]], [[0.25], [0.9], [0.5]]),
], ids=["scalar", "vector", "matrix", "column"])
def test_sigmoid_known_values(student, bars, x, expected):
    flipped = 1 / (1 + np.exp(np.asarray(x, dtype=float)))  # sigmoid(-x)
    assert_close(student.sigmoid(x), expected, f"sigmoid of shape {np.shape(x)}", rtol=bars["rtol"],
                 hint="elementwise 1 / (1 + exp(-x)), keeping the input's shape",
                 mistakes=[("this is sigmoid(-x), 1 / (1 + exp(x)): the exponent takes -x", flipped)])


@pytest.mark.parametrize("sign", [1, -1], ids=["positive", "negative"])
def test_sigmoid_is_finite_for_extreme_inputs(student, bars, sign):
    x = sign * np.array([bars["sigmoid_extreme"], 50.0, 100 * bars["sigmoid_extreme"]])
    assert_close(student.sigmoid(x), logistic(x), f"sigmoid of {'large' if sign > 0 else 'very negative'} inputs",
                 hint="exp overflows for large |x|: use np.logaddexp, or exp of -|x| only")


# weights (-log 3, log 3) and bias log 3 give the four corners of the unit square the scores
# log 3, 0, 2 log 3 and log 3, so the probabilities 0.75, 0.5, 0.9 and 0.75.
WEIGHTS, BIAS = [-LOG3, LOG3], LOG3
CORNERS = [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
CORNER_SCORES, CORNER_OUTPUTS = [LOG3, 0.0, 2 * LOG3, LOG3], [0.75, 0.5, 0.9, 0.75]


@pytest.mark.parametrize("points", [[2], [0, 1, 2, 3]], ids=["one-point", "batch"])
def test_output_formula_known_values(student, bars, points):
    one = len(points) == 1
    scores, expected = (CORNER_SCORES[points[0]], CORNER_OUTPUTS[points[0]]) if one else (CORNER_SCORES, CORNER_OUTPUTS)
    student._pin("sigmoid", [((np.array(scores),), {}, np.array(expected))])
    features = np.array(CORNERS)[points[0]] if one else np.array(CORNERS)
    without_bias = 1 / (1 + np.exp(-(features @ np.array(WEIGHTS))))  # what a forgotten bias gives
    assert_close(student.output_formula(features, np.array(WEIGHTS), BIAS), expected,
                 f"output_formula ({'one point' if one else 'a batch of 4 points'})", rtol=bars["rtol"],
                 hint="sigmoid(features @ weights + bias): one probability per point",
                 mistakes=[("output_formula forgets the bias: sigmoid(features @ weights + bias)", without_bias)])


@pytest.mark.parametrize("y, output, expected", [
    (1, 0.5, np.log(2.0)),
    (0, 0.75, np.log(4.0)),
    ([1, 0, 1, 0], [0.5, 0.75, 0.9, 0.1], [np.log(2.0), np.log(4.0), -np.log(0.9), -np.log(0.9)]),
    ([[1, 0], [0, 1]], [[0.25, 0.5], [0.5, 0.75]],
     [[np.log(4.0), np.log(2.0)], [np.log(2.0), np.log(4.0) - np.log(3.0)]]),
], ids=["label-1", "label-0", "vector", "matrix"])
def test_error_formula_known_values(student, bars, y, output, expected):
    assert_close(student.error_formula(y, output), expected, f"error_formula for {np.size(y)} point(s)",
                 rtol=bars["rtol"], hint="-y*log(output) - (1-y)*log(1-output), elementwise with np.log (it must "
                                         "work on arrays)")


@pytest.mark.parametrize("label", [1, 0])
@pytest.mark.parametrize("parameter", ["weights", "bias"])
def test_update_weights_gradient_check(student, bars, parameter, label):
    x, weights, bias, learnrate = np.array([0.4, -1.2, 0.9]), np.array([0.3, -0.7, 0.5]), 0.2, 0.1
    student._pin("output_formula", [((x, weights, bias), {}, float(logistic(x @ weights + bias)))])
    result = student.update_weights(x, label, weights, bias, learnrate)
    assert_true(isinstance(result, (tuple, list)) and len(result) == 2, "update_weights should return (weights, bias)")
    new_weights = as_array(result[0], "the new weights", weights.shape)
    new_bias = as_array(result[1], "the new bias", ())
    # update_weights takes one step of -learnrate * gradient: the gradient is -(new - old) / learnrate.
    params = {"weights": weights.copy(), "bias": np.array([bias])}
    step = {"weights": new_weights - weights, "bias": np.reshape(new_bias - bias, (1,))}[parameter]
    assert_gradient(-step / learnrate, lambda: log_loss(label, x @ params["weights"] + params["bias"][0]),
                    params[parameter], f"the step of update_weights on the {parameter} (label {label})",
                    bars["gradient_relative_error"],
                    hint="the bias must be updated too, by learnrate * (y - output)" if parameter == "bias" else
                    "the new weights are weights + learnrate * (y - output) * x, with output = output_formula(x, ...)")
