"""Hidden tests of 01_perceptron: the student's functions against the reference on fresh inputs.

Each function is tested with the graded functions it calls pinned to the reference
(``gate`` for ``xor``, ``stepFunction`` for ``prediction``, ``prediction`` for
``perceptronStep``, ``perceptronStep`` for ``trainPerceptronAlgorithm``), so one bug
costs points once. Random inputs come from ``rng``, seeded per student.

Catalogue bugs these tests kill (``examples/catalogue.py``): every bug of 01_perceptron but the gate
weights' (the public test's), bug_step_returns_bool and bug_step_returns_float among them. The in-place
test has no catalogue bug of its own yet: a prediction or a pass that changes X in place also breaks the
training test, so none is a bug of one test.
"""
import itertools

import numpy as np
import pytest

from autograder.testing import as_int, assert_close, assert_equal, assert_not_mutated, assert_true
from autograder.testing.figures import attach
from backprop_datasets import load_points

BITS = list(itertools.product([0, 1], repeat=2))
GATES = {
    "AND_WEIGHTS": lambda x1, x2: x1 & x2,
    "OR_WEIGHTS": lambda x1, x2: x1 | x2,
    "NOT_WEIGHTS": lambda x1, x2: 1 - x2,
}
STEP_HINT = "follow the points in order and update W and b right after each misclassified point, so that the " \
            "next prediction sees the update; move by learn_rate times the point (and learn_rate for b)"


def separable_points(rng, n):
    """``n`` points of the unit square, labelled by a random line through its middle."""
    X = rng.uniform(0, 1, size=(n, 2))
    return X, ((X - 0.5) @ rng.normal(size=2) > 0).astype(int)


def as_lines(got, what, count):
    try:
        lines = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        lines = np.zeros(0)
    assert_true(lines.size == 2 * count, f"{what} should be a list of {count} (slope, intercept) pairs, one per epoch")
    return lines.reshape(count, 2)


def test_hidden_xor_with_numpy_inputs(student):
    table = []
    for name, truth in GATES.items():
        weights = getattr(student, name)
        if np.size(weights) == 3:
            table += [((weights, x1, x2), {}, truth(x1, x2)) for x1, x2 in BITS]
    if table:
        student._pin("gate", table)
    for x1, x2 in BITS:
        got = as_int(student.xor(np.int64(x1), np.int64(x2)), "xor of numpy integers")
        assert_true(got == (x1 ^ x2), "xor is wrong for numpy integer inputs",
                    hint="build it only from gate(...) calls with the three weight tuples")


# Called by keyword: other tests pin stepFunction's positional calls to reference values.
@pytest.mark.parametrize("t", [-3.25, -1e-7, -0.0, 0.0, 2e-12, 4, -7, np.float64(0.5)],
                         ids=["negative", "tiny-negative", "negative-zero", "zero", "tiny-positive", "int",
                              "negative-int", "numpy-float"])
def test_hidden_step_function_matches_reference(student, reference, t):
    got = as_int(student.stepFunction(t=t), "stepFunction(t)", hint="return 1 or 0, not True/False or 1.0")
    assert_equal(got, reference.stepFunction(t), f"stepFunction gives the wrong label for t = {t!r}")


PREDICTION_CASES = {
    "random-point": None,
    "lists": None,
    "on-the-line": ([0.75, 0.5], [[2.0], [-3.0]], 0.0),
    "on-the-line-with-bias": ([0.5, 0.25], [[4.0], [-4.0]], -1.0),
    "just-below-the-line": ([1.0, 0.0], [[0.5], [0.0]], -0.500000001),
}


@pytest.mark.parametrize("case", PREDICTION_CASES)
def test_hidden_prediction_matches_reference(student, reference, rng, case):
    if PREDICTION_CASES[case] is None:
        X, W, b = rng.normal(size=2), rng.normal(size=(2, 1)), float(rng.normal())
        if case == "lists":
            X, W, b = X.tolist(), W.tolist(), np.float64(b)
    else:
        X, W, b = (np.array(value) if isinstance(value, list) else value for value in PREDICTION_CASES[case])
    score = float(np.dot(np.asarray(X, dtype=float), np.asarray(W, dtype=float))[0] + b)
    step = reference.stepFunction(score)
    student._pin("stepFunction", [((form,), {}, step) for form in (score, np.array([score]), np.array([[score]]))])
    got = as_int(student.prediction(X, W, b), f"prediction ({case})")
    assert_equal(got, reference.prediction(X, W, b), f"prediction gives the wrong label ({case})")


def pin_predictions(student, reference, X, y, W, b, learn_rate):
    """Pin ``prediction`` to the reference for every call of a correct, in-order pass."""
    table = []
    for k in range(len(y)):
        W_k, b_k = reference.perceptronStep(X[:k], y[:k], W.copy(), b, learn_rate)
        x = np.asarray(X[k], dtype=float)
        table.append(((x, W_k, b_k), {}, reference.prediction(x, W_k, b_k)))
    student._pin("prediction", table)


def step_case(rng, case):
    """(X, y, W, b, learn_rate or None for the default) of a perceptronStep case."""
    if case == "order-and-boundary":
        # (0.5, 0.5) lies on the start line and is labelled 0, so the line moves away from it; (0.6, 0.5) is
        # right for the start line and wrong for the moved one: a batch update misses it.
        X = np.array([[0.5, 0.5], [0.6, 0.5], [0.2, 0.9], [0.9, 0.3], [0.3, 0.1]])
        return X, np.array([0, 1, 1, 0, 1]), np.array([[1.0], [-1.0]]), 0.0, 0.25
    n, learn_rate = {"rate-0.1": (14, 0.1), "default-rate": (10, None), "lists": (12, 0.05)}[case]
    X, y = separable_points(rng, n)
    W, b = rng.uniform(-1, 1, size=(2, 1)), float(rng.uniform(-0.5, 0.5))
    if case == "lists":
        return X.tolist(), y.tolist(), W, b, learn_rate
    return X, y, W, b, learn_rate


@pytest.mark.parametrize("case", ["rate-0.1", "default-rate", "lists", "order-and-boundary"])
def test_hidden_perceptron_step_matches_reference(student, reference, bars, rng, case):
    X, y, W, b, learn_rate = step_case(rng, case)
    pin_predictions(student, reference, X, y, W, b, 0.01 if learn_rate is None else learn_rate)
    rate = {} if learn_rate is None else {"learn_rate": learn_rate}
    result = student.perceptronStep(X, y, W.copy(), b, **rate)
    expected_W, expected_b = reference.perceptronStep(X, y, W.copy(), b, **rate)
    assert_true(isinstance(result, (tuple, list)) and len(result) == 2, "perceptronStep should return the pair (W, b)")
    assert_close(result[0], expected_W, f"W after one pass ({case})", rtol=bars["rtol"], hint=STEP_HINT)
    assert_close(result[1], expected_b, f"b after one pass ({case})", rtol=bars["rtol"], hint=STEP_HINT)


def pin_perceptron_steps(student, reference, X, y, seed, learn_rate, epochs):
    """Pin ``perceptronStep`` to the reference along the path of a correct training run from ``seed``."""
    np.random.seed(seed)
    W = np.random.rand(2, 1)
    b = np.random.rand() + max(X[:, 0])
    table = []
    for _ in range(epochs):
        step = reference.perceptronStep(X, y, W.copy(), b, learn_rate)
        table += [((X, y, W, b, learn_rate), {}, step), ((X, y, W, b), {"learn_rate": learn_rate}, step)]
        if learn_rate == 0.01:
            table.append(((X, y, W, b), {}, step))
        W, b = step
    student._pin("perceptronStep", table)


@pytest.mark.parametrize("case", ["shipped-data-defaults", "fresh-data-rate-0.1"])
def test_hidden_train_perceptron_matches_reference(student, reference, bars, rng, case):
    if case == "shipped-data-defaults":
        (X, y), seed, options = load_points("perceptron"), 3, {}
    else:
        (X, y), seed, options = separable_points(rng, 30), 11, {"learn_rate": 0.1, "num_epochs": 8}
    epochs = options.get("num_epochs", 25)
    pin_perceptron_steps(student, reference, X, y, seed, options.get("learn_rate", 0.01), epochs)
    student._seed(seed)
    lines = as_lines(student.trainPerceptronAlgorithm(X, y, **options), "trainPerceptronAlgorithm's result", epochs)
    if case == "shipped-data-defaults":  # the points every student has: draw their lines over them
        attach("boundary", "Your boundary after each epoch (last: black)", points=X, labels=y, lines=lines)
    np.random.seed(seed)
    expected = np.asarray(reference.trainPerceptronAlgorithm(X, y, **options), dtype=float)
    assert_close(lines, expected, f"the boundary lines ({case})", rtol=bars["rtol"],
                 hint="start from W = np.random.rand(2, 1) and then b = np.random.rand() + max(X[:, 0]), in that "
                      "order; pass learn_rate on to perceptronStep; record (-W[0]/W[1], -b/W[1]) after each epoch")


@pytest.mark.parametrize("function", ["prediction", "perceptronStep", "trainPerceptronAlgorithm"])
def test_hidden_inputs_not_mutated(student, reference, rng, function):
    """The points and labels stay as given (perceptronStep alone may update W in place, as the classic one does)."""
    X, y = separable_points(rng, 12)
    W, b = rng.uniform(-1, 1, size=(2, 1)), float(rng.uniform(-0.5, 0.5))
    if function == "prediction":
        x = X[0] * 40  # far from the unit square: a normalisation or clip in place would change it
        score = float(x @ W[:, 0] + b)
        student._pin("stepFunction", [((form,), {}, reference.stepFunction(score))
                                      for form in (score, np.array([score]), np.array([[score]]))])
        arguments, names, checked = (x, W, b), ["X", "W", "b"], {0, 1}
    elif function == "perceptronStep":
        pin_predictions(student, reference, X, y, W, b, 0.1)
        arguments, names, checked = (X, y, W, b, 0.1), ["X", "y", "W", "b", "learn_rate"], {0, 1}
    else:
        student._seed(4)
        arguments, names, checked = (X, y, 0.1, 3), ["X", "y", "learn_rate", "num_epochs"], {0, 1}
    _, mutated = getattr(student, function).call_tracking_mutation(*arguments)
    assert_not_mutated([position for position in mutated if position in checked], names, function)
