"""Public tests of 03_gradient_descent: run them with `autograder check`. Hidden tests run at grading.

``output_formula`` and ``update_weights`` are tested with the functions they call
(``sigmoid``, ``output_formula``) answering known-correct values, so each bug shows
up in the test of the function that has it. ``update_weights`` is checked against
central differences of the log-loss, computed here from its formula. The sigmoid's checks
are those of every sigmoid of the kit (``autograder.testing.sigmoid``): an overflow warning
fails them even when the values come out right.

Catalogue bugs these tests kill (``examples/catalogue.py``): bug_gd_step_sign, bug_gd_no_bias_update,
bug_gd_without_learnrate, bug_sigmoid_flipped, bug_gd_sigmoid_naive, bug_gd_sigmoid_where_warns,
bug_output_formula_without_bias, bug_error_formula_swapped_logs.
"""
import numpy as np
import pytest

from autograder.testing import as_array, assert_close, assert_gradient, assert_true
from autograder.testing import sigmoid as sigmoid_checks
from autograder.testing.helper_bugs import unless_helpers_are_to_blame
from backprop_datasets import load_points

LOG3 = np.log(3.0)
logistic = sigmoid_checks.logistic  # trusted values, computed here


def log_loss(y, score):
    """Log-loss of one point of label ``y`` whose score is ``score``: -log P(label y)."""
    return float(np.logaddexp(0.0, -score if y == 1 else score))


# Training comes first: it calls update_weights 10,000 times, quicker before other tests pin functions.
# At grading, a bug of sigmoid or output_formula fails their own tests, not this one (autograder.testing.helper_bugs).
def test_train_reaches_accuracy(student, trusted_helpers, bars):
    X, y = load_points("gradient_descent")

    def run():
        student._seed(0)
        result = student.train(X, y, 100, 0.01)
        assert_true(isinstance(result, (tuple, list)) and len(result) == 2, "train should return (weights, bias)")
        weights, bias = as_array(result[0], "the trained weights", (2,)), as_array(result[1], "the trained bias", ())
        accuracy = float(np.mean((X @ weights + bias > 0) == y))
        assert_true(accuracy >= bars["train_accuracy"],
                    f"train (100 epochs at learning rate 0.01, your update_weights) reaches accuracy {accuracy:.2f}, "
                    f"below {bars['train_accuracy']}", hint="check update_weights: the sign of the step, and the bias")

    unless_helpers_are_to_blame(student, trusted_helpers, run)


@pytest.mark.parametrize("case", sigmoid_checks.KNOWN_VALUES)
def test_sigmoid_known_values(student, bars, case):
    sigmoid_checks.check_known_values(student.sigmoid, case, bars["rtol"])


@pytest.mark.parametrize("shape", sigmoid_checks.EXTREME_SHAPES)
@pytest.mark.parametrize("sign", [1, -1], ids=["positive", "negative"])
def test_sigmoid_is_finite_for_extreme_inputs(student, bars, sign, shape):
    sigmoid_checks.check_extreme_inputs(student.sigmoid, bars["sigmoid_extreme"], sign, shape)


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
    y_array, p = np.asarray(y, dtype=float), np.asarray(output, dtype=float)
    swapped = -y_array * np.log(1 - p) - (1 - y_array) * np.log(p)
    assert_close(student.error_formula(y, output), expected, f"error_formula for {np.size(y)} point(s)",
                 rtol=bars["rtol"], hint="-y*log(output) - (1-y)*log(1-output), elementwise with np.log (it must "
                                         "work on arrays)",
                 mistakes=[("the two logs are swapped: y goes with log(output), 1 - y with log(1 - output)", swapped)])


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
