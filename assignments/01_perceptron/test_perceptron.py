"""Public tests of 01_perceptron: run them with `autograder check`. Hidden tests run at grading.

A function that calls another graded one (``xor`` calls ``gate`` with your weights,
``prediction`` calls ``stepFunction``, ``perceptronStep`` calls ``prediction``) is
tested with that callee answering known-correct values, so each bug shows up in
the test of the function that has it. Labels are ints: True, False or 1.0 are not.

Catalogue bugs these tests kill (``examples/catalogue.py``): bug_perceptron_update_sign,
bug_perceptron_batch_update, bug_step_strict_boundary, bug_step_returns_bool, bug_step_returns_float,
bug_and_gate_weights, bug_not_gate_reads_x1, bug_xor_or_on_top, bug_prediction_without_bias,
bug_train_ignores_learn_rate, bug_train_draws_bias_first.
"""
import itertools

import numpy as np
import pytest

from autograder.testing import as_array, as_int, assert_close, assert_true
from autograder.testing.relations import two_bit_function
from backprop_datasets import load_points

BITS = list(itertools.product([0, 1], repeat=2))
GATES = {
    "AND_WEIGHTS": lambda x1, x2: x1 & x2,
    "OR_WEIGHTS": lambda x1, x2: x1 | x2,
    "NOT_WEIGHTS": lambda x1, x2: 1 - x2,
}
GATE_NAMES = {"AND_WEIGHTS": "AND", "OR_WEIGHTS": "OR", "NOT_WEIGHTS": "NOT x2"}  # as two_bit_function names them


def computes(what, inputs, outputs, wanted):
    """A diagnosis when ``outputs`` on ``inputs`` are those of another known function of two bits than ``wanted``."""
    found = two_bit_function(inputs, outputs)
    return f"{what} computes {found} where {wanted} belongs" if found and found != wanted else None


def pin_gates(student):
    """Make the given ``gate`` answer the true AND, OR and NOT for your three weight tuples."""
    table = []
    for name, truth in GATES.items():
        weights = getattr(student, name)
        if np.size(weights) == 3:
            table += [((weights, x1, x2), {}, truth(x1, x2)) for x1, x2 in BITS]
    if table:
        student._pin("gate", table)


def pin_step_function(student, steps):
    """Make ``stepFunction`` answer ``steps[score]``, whether the score comes as a float or a 1-element array."""
    student._pin("stepFunction", [((form,), {}, step) for score, step in steps.items()
                                  for form in (score, np.array([score]), np.array([[score]]))])


def as_lines(got, what, count):
    """The returned boundary lines as a (count, 2) array of (slope, intercept)."""
    try:
        lines = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        lines = np.zeros(0)
    assert_true(lines.size == 2 * count, f"{what} should be a list of {count} (slope, intercept) pairs, one per epoch")
    return lines.reshape(count, 2)


# Training comes first: it calls perceptronStep many times, quicker before other tests pin functions.
@pytest.mark.parametrize("learn_rate, num_epochs", [(None, None), (0.1, 6)], ids=["defaults", "rate-0.1-6-epochs"])
def test_train_perceptron_follows_perceptron_step(student, bars, learn_rate, num_epochs):
    X, y = load_points("perceptron")
    X, y = X[::3], y[::3]  # a third of the points, both classes, keeps the test quick
    options = {key: value for key, value in [("learn_rate", learn_rate), ("num_epochs", num_epochs)] if value}
    epochs, rate = num_epochs or 25, learn_rate or 0.01
    student._seed(5)
    lines = as_lines(student.trainPerceptronAlgorithm(X, y, **options), "trainPerceptronAlgorithm's result", epochs)
    # The same start drawn here, then your own perceptronStep, epoch after epoch.
    np.random.seed(5)
    weights = np.random.rand(2, 1)
    bias = np.random.rand() + X[:, 0].max()
    for epoch in range(1, epochs + 1):
        weights, bias = student.perceptronStep(X, y, weights, bias, rate)
        weights = as_array(weights, "perceptronStep's W")
        assert_true(weights.size == 2, "perceptronStep should return W of shape (2, 1)")
        weights, bias = weights.reshape(2, 1), float(as_array(bias, "perceptronStep's b", ()))
        slope, intercept = -weights[0, 0] / weights[1, 0], -bias / weights[1, 0]
        assert_close(lines[epoch - 1], [slope, intercept], f"the boundary line after epoch {epoch}", rtol=bars["rtol"],
                     hint="draw the weights with np.random.rand(2, 1) first, then the bias as np.random.rand() + "
                          "max(X[:, 0]); run one perceptronStep per epoch with learn_rate; record "
                          "(-W[0]/W[1], -b/W[1])")


@pytest.mark.parametrize("name", GATES)
def test_gate_weights_truth_tables(student, name):
    weight1, weight2, bias = as_array(getattr(student, name), name, (3,))
    outputs = [int(weight1 * x1 + weight2 * x2 + bias >= 0) for x1, x2 in BITS]
    wrong = [(x1, x2) for (x1, x2), output in zip(BITS, outputs) if output != GATES[name](x1, x2)]
    assert_true(not wrong, f"the perceptron with {name} gives the wrong output for the inputs (x1, x2) in {wrong}",
                hint="a score of exactly 0 outputs 1; NOT looks at x2 only" if name == "NOT_WEIGHTS"
                else "a score of exactly 0 outputs 1",
                diagnosis=computes(f"the perceptron with {name}", BITS, outputs, GATE_NAMES[name]))


def test_xor_truth_table(student):
    pin_gates(student)
    outputs = [as_int(student.xor(x1, x2), f"xor({x1}, {x2})", hint="return the last gate's int")
               for x1, x2 in BITS]
    wrong = [bits for bits, output in zip(BITS, outputs) if output != (bits[0] ^ bits[1])]
    layer = [(1 - (x1 & x2), x1 | x2) for x1, x2 in BITS]  # what the first layer gives the last gate
    assert_true(not wrong, f"xor gives the wrong output for the inputs (x1, x2) in {wrong}",
                hint="XOR(a, b) = AND(NAND(a, b), OR(a, b)), and NAND is NOT applied to AND",
                diagnosis=computes("xor's last gate, given NAND(x1, x2) and OR(x1, x2),", layer, outputs, "AND"))


# stepFunction is called by keyword here: other tests pin its positional calls to known values.
@pytest.mark.parametrize("t, expected", [(-2.5, 0), (-1e-9, 0), (0.0, 1), (1e-9, 1), (7, 1)],
                         ids=["negative", "just-below-0", "boundary", "just-above-0", "positive-int"])
def test_step_function_values(student, t, expected):
    got = as_int(student.stepFunction(t=t), f"stepFunction({t!r})", hint="return 1 or 0, not True/False or 1.0",
                 expected=expected)
    assert_true(got == expected, f"stepFunction({t!r}) should be {expected}, got {got:g}",
                diagnosis=_step_function_mistake(student) if got != expected else None)


def _step_function_mistake(student):
    """What a wrong stepFunction did, read off its labels on both sides and on the boundary (None when no one
    mistake gives them all): a wrong label alone names no cause, as 0 at t = 0 is both t > 0 and the sides swapped."""
    labels = tuple(student.stepFunction(t=t) for t in (-1.0, 0.0, 1.0))
    if any(np.ndim(label) for label in labels):  # an array's == is no label's
        return None
    if labels == (0, 0, 1):
        return "a score of exactly 0 gives 0: the boundary t = 0 counts as 1 (t >= 0, not t > 0)"
    if labels == (1, 0, 0):
        return "the two sides' labels are swapped: a score below 0 gives 1 and a score >= 0 gives 0 (1 for t >= 0)"
    return None


@pytest.mark.parametrize("X, W, b, score, expected", [
    ([1.0, 2.0], [[0.5], [-1.0]], 1.0, -0.5, 0),
    ([1.0, 2.0], [[0.5], [-1.0]], 2.0, 0.5, 1),
    ([2.0, 1.0], [[1.0], [1.0]], -3.0, 0.0, 1),
    ([3.0, -1.0], [[0.25], [1.0]], 0.0, -0.25, 0),
], ids=["below", "above", "on-the-line", "no-bias"])
def test_prediction_known_points(student, X, W, b, score, expected):
    pin_step_function(student, {score: expected})
    got = as_int(student.prediction(np.array(X), np.array(W), b), "prediction(X, W, b)",
                 hint="return stepFunction's int as it is", expected=expected)
    assert_true(got == expected, f"prediction of the point {X} with W = {W}, b = {b} (score {score:g}) should be "
                f"{expected}, got {got:g}", hint="predict stepFunction(X @ W + b), a point on the line counts as 1")


# A hand-worked pass over three points, from W = [[1], [1]] and b = -2:
#   (1, 1), label 1: score 0, on the line, predicted 1: correct, nothing changes;
#   (2, 0), label 0: score 0, predicted 1: wrong, move away: W -= rate * (2, 0), b -= rate;
#   (1, 2), label 1: with rate 0.5, the MOVED line gives score -0.5, predicted 0: wrong, move towards it
#           (the line before the move would have predicted 1); with rate 0.01 it is predicted 1: correct.
# Each case: learn_rate (None: the default), the predictions of a correct pass as (point, W, b, predicted),
# and the W and b it returns.
KNOWN_PASS = {
    "learn_rate=0.5": (0.5, [((1, 1), [[1], [1]], -2.0, 1), ((2, 0), [[1], [1]], -2.0, 1),
                             ((1, 2), [[0], [1]], -2.5, 0)], [[0.5], [2.0]], -2.0),
    "default-learn_rate": (None, [((1, 1), [[1], [1]], -2.0, 1), ((2, 0), [[1], [1]], -2.0, 1),
                                  ((1, 2), [[0.98], [1]], -2.01, 1)], [[0.98], [1.0]], -2.01),
}


def trusted_pass(X, y, W, b, rate, directions=(1.0, 1.0), predict_first=False):
    """``(W, b)`` after one perceptron pass, computed here; ``directions`` -1 reverses the move for a misclassified
    point labelled 1 (first) or 0 (second), and ``predict_first`` predicts every point with the line from before the
    pass (the slips a check may name)."""
    W = np.array(W, dtype=float)
    before = [int(x @ W[:, 0] + b >= 0) for x in X]
    for x, label, early in zip(X, y, before):
        error = label - (early if predict_first else int(x @ W[:, 0] + b >= 0))
        direction = directions[0] if error > 0 else directions[1]
        W[:, 0] += direction * error * rate * x
        b += direction * error * rate
    return W, b


# Every way the two moves can go, so that a slip is named only where the pass tells it from the others: on points
# where only a point labelled 0 is misclassified, moving every line the wrong way and always moving it towards the
# point give the same line (diagnose names neither of two mistakes that give one value).
PASS_SLIPS = {"each update moves the line the wrong way: towards a point labelled 0, away from one labelled 1":
              {"directions": (-1.0, -1.0)},
              "the line always moves towards the misclassified point: a point labelled 0 must push it away":
              {"directions": (1.0, -1.0)},
              "the line always moves away from the misclassified point: a point labelled 1 must pull it closer":
              {"directions": (-1.0, 1.0)},
              "every point is predicted with the line from before the pass: update right after each misclassified "
              "point, before predicting the next": {"predict_first": True}}


def whole_slips(slips, result, rtol):
    """The ``slips`` (words -> (W, b)) whose W and b are both the student's ``result``'s: W or b alone may be another
    mistake's (a pass that moves only the bias away from a point labelled 1 gives the bias of one that moves the
    whole line away)."""
    def same(got, value):
        try:
            got = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            return False
        return got.shape == np.shape(value) and bool(np.allclose(got, value, rtol=rtol))
    return {words: (W, b) for words, (W, b) in slips.items() if same(result[0], W) and same(result[1], b)}


@pytest.mark.parametrize("case", KNOWN_PASS)
def test_perceptron_step_known_pass(student, bars, case):
    learn_rate, predictions, expected_W, expected_b = KNOWN_PASS[case]
    student._pin("prediction", [((np.array(point, dtype=float), np.array(W, dtype=float), b), {}, predicted)
                                for point, W, b, predicted in predictions])
    X, y = np.array([[1.0, 1.0], [2.0, 0.0], [1.0, 2.0]]), np.array([1, 0, 1])
    rate = {} if learn_rate is None else {"learn_rate": learn_rate}
    result = student.perceptronStep(X, y, np.array([[1.0], [1.0]]), -2.0, **rate)
    assert_true(isinstance(result, (tuple, list)) and len(result) == 2, "perceptronStep should return the pair (W, b)")
    hint = ("visit the points in order and update W and b right after each misclassified point, before predicting "
            "the next one; move by learn_rate (default 0.01) times the point")
    slips = whole_slips({words: trusted_pass(X, y, [[1.0], [1.0]], -2.0, learn_rate or 0.01, **options)
                         for words, options in PASS_SLIPS.items()}, result, bars["rtol"])
    assert_close(result[0], expected_W, f"W after one pass ({case})", rtol=bars["rtol"], hint=hint,
                 mistakes=[(words, W) for words, (W, _) in slips.items()])
    assert_close(result[1], expected_b, f"b after one pass ({case})", rtol=bars["rtol"], hint=hint,
                 mistakes=[(words, b) for words, (_, b) in slips.items()])
