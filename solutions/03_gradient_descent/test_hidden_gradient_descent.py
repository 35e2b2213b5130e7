"""Hidden tests of 03_gradient_descent: the student's functions against the reference on fresh inputs.

``output_formula`` is tested with ``sigmoid`` pinned to the reference, ``update_weights``
with ``output_formula`` and ``sigmoid`` pinned, so one bug costs points once. The step of
``update_weights`` is also checked against central differences of the reference log-loss.
Inputs come from ``rng``, seeded per student; the blobs of the training test are fixed, so that
the bar means the same for everyone.

Catalogue bugs these tests kill (``examples/catalogue.py``): every bug of 03_gradient_descent, among them
bug_gd_weights_in_place, bug_gd_sigmoid_clips_in_place and
bug_error_formula_clips_in_place (only the in-place test sees these) and the sigmoids that warn.
"""
import numpy as np
import pytest

from autograder.testing import as_array, assert_close, assert_gradient, assert_not_mutated, assert_true
from autograder.testing import sigmoid as sigmoid_checks
from autograder.testing.helper_bugs import unless_helpers_are_to_blame
from backprop_datasets import load_points

UPDATE_HINTS = {
    "weights": "the new weights are weights + learnrate * (y - output) * x, with output = output_formula(x, weights, "
               "bias); return a new array",
    "bias": "the bias must be updated too: bias + learnrate * (y - output)",
}


def pin_sigmoid(student, reference, scores):
    student._pin("sigmoid", [((score,), {}, reference.sigmoid(score)) for score in scores])


# Training comes first: it calls update_weights 10,000 times, quicker before other tests pin functions.
def blobs(rng, n):
    """``n`` points in two overlapping Gaussian blobs, labels 0 and 1, shuffled."""
    X = np.vstack([rng.normal([-1.0, -1.0], 0.7, (n // 2, 2)), rng.normal([1.0, 0.8], 0.7, (n - n // 2, 2))])
    y = np.repeat([0, 1], [n // 2, n - n // 2])
    order = rng.permutation(n)
    return X[order], y[order]


@pytest.mark.parametrize("case", ["shipped-points-seed-1", "fresh-points-seed-2"])
def test_hidden_train_reaches_accuracy(student, trusted_helpers, reference, bars, case):
    # The blobs are the same for every student: the accuracy bar was measured on them.
    X, y = load_points("gradient_descent") if case.startswith("shipped") else blobs(np.random.default_rng(20261211), 60)

    def run():
        student._seed(int(case[-1]))
        result = student.train(X, y, 100, 0.01)
        assert_true(isinstance(result, (tuple, list)) and len(result) == 2, "train should return (weights, bias)")
        weights, bias = as_array(result[0], "the trained weights", (2,)), as_array(result[1], "the trained bias", ())
        accuracy = float(np.mean((reference.output_formula(X, weights, float(bias)) > 0.5) == y))
        assert_true(accuracy >= bars["train_accuracy"],
                    f"train (100 epochs at learning rate 0.01, your update_weights) does not reach accuracy "
                    f"{bars['train_accuracy']} ({case})", hint="check update_weights: the sign of the step, and the bias")

    unless_helpers_are_to_blame(student, trusted_helpers, run)  # a helper's bug costs its own tests only


@pytest.mark.parametrize("case", sigmoid_checks.FRESH_CASES)
def test_hidden_sigmoid_matches_reference(student, reference, bars, rng, case):
    x = sigmoid_checks.fresh_inputs(rng, case, bars["sigmoid_extreme"])
    assert_close(student.sigmoid(x), reference.sigmoid(x), f"sigmoid ({case})", rtol=bars["rtol"],
                 hint=sigmoid_checks.KNOWN_HINT,
                 nonfinite_hint=sigmoid_checks.EXTREME_HINT if case.startswith("extreme") else None)


@pytest.mark.parametrize("case", ["one-point", "batch", "lists", "batch-of-one"])
def test_hidden_output_formula_matches_reference(student, reference, bars, rng, case):
    rows = {"one-point": None, "batch": 6, "lists": 5, "batch-of-one": 1}[case]
    features = rng.normal(size=3 if rows is None else (rows, 3))
    weights, bias = rng.normal(size=3), float(rng.normal())
    score = features @ weights + bias
    pin_sigmoid(student, reference, [score])
    if case == "lists":
        features, weights = features.tolist(), weights.tolist()
    assert_close(student.output_formula(features, weights, bias), reference.output_formula(features, weights, bias),
                 f"output_formula ({case})", rtol=bars["rtol"],
                 hint="sigmoid(features @ weights + bias): a float for one point, one probability per row for a batch")


@pytest.mark.parametrize("case", ["scalar", "vector", "lists", "float-labels"])
def test_hidden_error_formula_matches_reference(student, reference, bars, rng, case):
    y = rng.integers(0, 2, size=8)
    output = rng.uniform(0.02, 0.98, size=8)
    if case == "scalar":
        y, output = int(y[0]), float(output[0])
    elif case == "lists":
        y, output = y.tolist(), output.tolist()
    elif case == "float-labels":
        y = y.astype(float)
    assert_close(student.error_formula(y, output), reference.error_formula(y, output), f"error_formula ({case})",
                 rtol=bars["rtol"], hint="-y*log(output) - (1-y)*log(1-output), elementwise with np.log")


def update_case(rng, case):
    """(x, y, weights, bias, learnrate) of an update_weights case."""
    n_features, label, learnrate = {"label-1": (3, 1, 0.1), "label-0-lists": (5, 0, 0.01), "tiny-rate": (6, 1, 1e-3),
                                    "numpy-bias": (3, 0, 0.5), "gradient": (4, 1, 0.05)}[case]
    x, weights, bias = rng.normal(size=n_features), rng.normal(size=n_features), float(rng.normal())
    return x, label, weights, (np.float64(bias) if case == "numpy-bias" else bias), learnrate


def pin_output(student, reference, x, weights, bias):
    """Pin output_formula at this point to the reference (with 3 or more features, so that the 2-feature calls of
    the training tests skip the pin at once)."""
    student._pin("output_formula", [((x, weights, bias), {}, reference.output_formula(x, weights, bias))])


def call_update(student, x, y, weights, bias, learnrate, lists=False):
    args = (x.tolist(), y, weights.tolist()) if lists else (x, y, weights)
    result = student.update_weights(*args, bias, learnrate)
    assert_true(isinstance(result, (tuple, list)) and len(result) == 2, "update_weights should return (weights, bias)")
    return as_array(result[0], "the new weights", weights.shape), as_array(result[1], "the new bias", ())


@pytest.mark.parametrize("case", ["label-1", "label-0-lists", "numpy-bias", "tiny-rate"])
def test_hidden_update_weights_matches_reference(student, reference, bars, rng, case):
    x, y, weights, bias, learnrate = update_case(rng, case)
    pin_output(student, reference, x, weights, bias)
    new_weights, new_bias = call_update(student, x, y, weights, bias, learnrate, lists=case.endswith("lists"))
    expected_weights, expected_bias = reference.update_weights(x, y, weights.copy(), bias, learnrate)
    assert_close(new_weights, expected_weights, f"the new weights ({case})", rtol=bars["rtol"],
                 hint=UPDATE_HINTS["weights"])
    assert_close(new_bias, expected_bias, f"the new bias ({case})", rtol=bars["rtol"], hint=UPDATE_HINTS["bias"])


@pytest.mark.parametrize("parameter", ["weights", "bias"])
def test_hidden_update_weights_gradient_check(student, reference, bars, parameter):
    # A fixed draw, not the per-student rng: the 1e-6 bar needs no entry of the gradient near 0 (see 06's tests).
    x, y, weights, bias, learnrate = update_case(np.random.default_rng(20261211), "gradient")
    pin_output(student, reference, x, weights, bias)
    new_weights, new_bias = call_update(student, x, y, weights, bias, learnrate)
    params = {"weights": weights.copy(), "bias": np.array([bias])}
    step = {"weights": new_weights - weights, "bias": np.reshape(new_bias - bias, (1,))}[parameter]

    def loss():
        return reference.error_formula(y, reference.output_formula(x, params["weights"], params["bias"][0]))

    assert_gradient(-step / learnrate, loss, params[parameter], f"the step of update_weights on the {parameter}",
                    bars["gradient_relative_error"], hint=UPDATE_HINTS[parameter])


@pytest.mark.parametrize("function", ["sigmoid", "output_formula", "error_formula", "update_weights"])
def test_hidden_inputs_not_mutated(student, reference, rng, function):
    """Inputs a clip (of huge scores, of probabilities near 0 and 1), a normalisation or an update in place
    would change."""
    if function == "sigmoid":
        arguments, names = (sigmoid_checks.mutation_input(rng),), ["x"]
    elif function == "output_formula":
        features, weights = rng.normal(size=(4, 3)) * 300, rng.normal(size=3)
        pin_sigmoid(student, reference, [features @ weights + 0.5])
        arguments, names = (features, weights, 0.5), ["features", "weights", "bias"]
    elif function == "error_formula":
        y, output = np.array([1.0, 0.0, 1.0, 0.0]), np.array([1e-12, 1 - 1e-12, 0.7, 0.2])
        arguments, names = (y, output), ["y", "output"]
    else:
        x, y, weights, bias, learnrate = update_case(rng, "numpy-bias")
        x, weights = x + 1.0, weights - 1.0  # not the inputs pinned by another test
        pin_output(student, reference, x, weights, bias)
        arguments, names = (x, y, weights, bias, learnrate), ["x", "y", "weights", "bias", "learnrate"]
    _, mutated = getattr(student, function).call_tracking_mutation(*arguments)
    assert_not_mutated(mutated, names, function)
