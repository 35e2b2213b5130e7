"""Hidden tests of 08_regression: the student's functions and networks against the reference on fresh inputs.

Weights are set by the tests; while ``train`` is tested, ``run`` answers the reference's outputs,
so a bug in ``run`` costs run's tests only (the other functions call only given helpers). The
training test uses a split of the diabetes data that no public test uses, and compares with
least-squares linear regression on that split. ``deep_gradients`` is checked at every depth
from one to four hidden layers (sizes the public tests do not use, several outputs) and against
the reference on the awkward cases: no hidden layer, a vector of targets, lists, a dead unit.
Inputs and weights come from ``rng``, seeded per student, except in the gradient checks, which draw from
``GRADIENT_CHECK_SEED`` (every gradient entry clear of 0).

Catalogue bugs these tests kill (``examples/catalogue.py``): every bug of 08_regression, between the public and
the hidden tests (each bug's entry lists its tests).
"""
import numpy as np
import pytest

from autograder.testing import a_type, as_array, assert_close, assert_gradient, assert_not_mutated, assert_true
from autograder.testing.helper_bugs import unless_helpers_are_to_blame

INPUT, HIDDEN, OUTPUT = 6, 3, 4  # not the public tests' sizes
HIDDEN_SPLIT_SEED = 101  # diabetes_split(seed) of the training test; never used by a public test
TRAINING_SEED = 2026_1124
# The gradient checks draw from this fixed seed, not from the per-student rng: a relative-error bar of 1e-6 needs
# every entry of the gradient well away from 0, which these inputs are and a fresh draw cannot promise (the
# reference failed the 2-hidden-layer case for 1 student id of 56 tried).
GRADIENT_CHECK_SEED = 8_2026_1124
NAMES = ("weights_input_to_hidden", "weights_hidden_to_output")


def networks(student, reference, rng, outputs=OUTPUT, learning_rate=0.5, scale=1.0):
    """The student's NeuralNetwork and the reference's twin, holding the same fresh weights."""
    weights = (rng.normal(scale=scale, size=(INPUT, HIDDEN)), rng.normal(size=(HIDDEN, outputs)))
    model = student.NeuralNetwork(INPUT, HIDDEN, outputs, learning_rate)
    twin = reference.NeuralNetwork(INPUT, HIDDEN, outputs, learning_rate)
    for name, value in zip(NAMES, weights):
        setattr(model, name, value)
        setattr(twin, name, value.copy())
    return model, twin


def test_hidden_training_on_an_unseen_split(student, trusted_helpers, reference, bars, diabetes_split):
    X_train, X_test, y_train, y_test = diabetes_split(HIDDEN_SPLIT_SEED)
    hidden, rate, iterations = bars["hidden_nodes"], bars["learning_rate"], bars["iterations"]

    def run():
        student._seed(TRAINING_SEED)
        model = student.NeuralNetwork(X_train.shape[1], hidden, 1, rate)
        twin = reference.NeuralNetwork(X_train.shape[1], hidden, 1, rate)

        def one_reference_step(report):
            """At steps drawn at random, train's change must be the reference's one step from the same weights."""
            before, after = report["before"], report["after"]
            assert_true(all(name in before and name in after for name in NAMES),
                        "train must keep the weights in weights_input_to_hidden and weights_hidden_to_output")
            for name in NAMES:
                setattr(twin, name, as_array(before[name], f"{name} before a step of training"))
            twin.train(X_train, y_train)
            for name in NAMES:
                assert_close(after[name], getattr(twin, name),
                             f"{name} after step {int(report['step']) + 1} of training", rtol=1e-5,
                             hint="each call of train takes one full-batch gradient step, nothing else")

        student._repeat(model, "train", (X_train, y_train), iterations, one_reference_step)
        trained = reference.NeuralNetwork(X_train.shape[1], hidden, 1, rate)
        for name, shape in zip(NAMES, [(X_train.shape[1], hidden), (hidden, 1)]):
            setattr(trained, name, as_array(getattr(model, name), f"{name} after training", shape))
            assert_true(np.all(np.isfinite(getattr(trained, name))), f"training made {name} NaN or inf")
        r2 = reference.r2_score(y_test, trained.run(X_test))  # the reference's R² of your trained weights
        design = np.column_stack([X_train, np.ones(len(X_train))])
        coefficients = np.linalg.lstsq(design, y_train, rcond=None)[0]
        baseline = reference.r2_score(y_test, np.column_stack([X_test, np.ones(len(X_test))]) @ coefficients)
        assert_true(r2 >= baseline - bars["r2_margin"],
                    f"on a split of the diabetes data you have not seen, {iterations} steps of train reach a test "
                    f"R² of {r2:.3f}, more than {bars['r2_margin']} below linear regression's",
                    hint="learn from the data train is given: nothing specific to the public split")

    unless_helpers_are_to_blame(student, trusted_helpers, run)  # a bug of run costs its own tests only


@pytest.mark.parametrize("case", ["batch", "one row", "list", "one output", "saturated hidden units"])
def test_hidden_run_matches_reference(student, reference, rng, bars, case):
    model, twin = networks(student, reference, rng, outputs=1 if case == "one output" else OUTPUT,
                           scale=60.0 if case == "saturated hidden units" else 1.0)
    X = rng.normal(size=(1 if case == "one row" else 5, INPUT))
    got = model.run(X.tolist() if case == "list" else X)
    assert_close(got, twin.run(X), f"run ({case})", rtol=bars["rtol"],
                 hint="sigmoid(features @ weights_input_to_hidden) @ weights_hidden_to_output, no activation on the "
                      "output; the given sigmoid stays finite for huge inputs")


TRAIN_CASES = {"four outputs": (OUTPUT, 0.5), "one output, a vector of targets": (1, 0.1),
               "one output, a column of targets": (1, 2.0), "lists": (2, 0.3), "one record": (OUTPUT, 0.05)}


@pytest.mark.parametrize("case", TRAIN_CASES)
def test_hidden_train_matches_reference_step(student, reference, rng, bars, case):
    outputs, learning_rate = TRAIN_CASES[case]
    model, twin = networks(student, reference, rng, outputs=outputs, learning_rate=learning_rate)
    rows = 1 if case == "one record" else 9
    X = rng.normal(size=(rows, INPUT))
    targets = rng.normal(size=rows) if "vector" in case else rng.normal(size=(rows, outputs))
    student._pin("run", [((X,), {}, twin.run(X))], target=model)
    given = (X.tolist(), targets.tolist()) if case == "lists" else (X, targets)
    model.train(*given)
    twin.train(X, targets)
    for name in NAMES:
        assert_close(getattr(model, name), getattr(twin, name), f"{name} after train ({case})", rtol=bars["rtol"],
                     hint="one full-batch step: weights += lr * (sum of the per-record changes) / n_records, with the "
                          "identity output's error term = error (no sigmoid derivative on the output)")


def deep_network(rng, sizes, rows, bias_low=0.1):
    weights = [rng.normal(scale=np.sqrt(2 / fan_in), size=(fan_in, fan_out)) for fan_in, fan_out in zip(sizes, sizes[1:])]
    biases = [rng.uniform(bias_low, 0.5, size=fan_out) for fan_out in sizes[1:]]
    while True:
        X = rng.normal(size=(rows, sizes[0]))
        if all(np.min(np.abs(z)) > 0.01 for z in pre_activations(X, weights, biases)[:-1]):
            return X, weights, biases


def pre_activations(X, weights, biases):
    activation, found = np.asarray(X, dtype=float), []
    for layer, (W, b) in enumerate(zip(weights, biases)):
        z = activation @ W + b
        found.append(z)
        activation = np.maximum(z, 0.0) if layer < len(weights) - 1 else z
    return found


DEPTHS = {1: [7, 3, 3], 2: [3, 8, 4, 1], 3: [5, 4, 4, 7, 2], 4: [6, 3, 5, 4, 6, 4]}
LAYER_HINT = ("going back one layer: delta = (delta @ W.T) * relu'(z) with z the pre-activation of the layer below "
              "the weights just done; dW = (that layer's input).T @ delta, db = delta summed over the rows")


@pytest.mark.parametrize("depth", DEPTHS, ids=[f"{depth} hidden layer{'s' * (depth > 1)}" for depth in DEPTHS])
def test_hidden_deep_gradients_gradient_check(student, reference, bars, depth):
    sizes = DEPTHS[depth]
    rng = np.random.default_rng(GRADIENT_CHECK_SEED)
    X, weights, biases = deep_network(rng, sizes, rows=5)
    Y = rng.normal(size=(5, sizes[-1]))
    got = student.deep_gradients(X, Y, weights, biases)
    assert_true(isinstance(got, (tuple, list)) and len(got) == 2, "deep_gradients should return (grads_w, grads_b)")
    for what, grads in zip(("grads_w", "grads_b"), got):
        assert_true(isinstance(grads, (tuple, list)) and len(grads) == len(weights),
                    f"{what} should be a list of {len(weights)} arrays, one per layer")

    def loss():
        output = pre_activations(X, weights, biases)[-1]
        return 0.5 * np.mean(np.sum((output - Y) ** 2, axis=1))

    for layer in range(len(weights)):
        for kind, grads, parameters in (("grads_w", got[0], weights), ("grads_b", got[1], biases)):
            assert_gradient(grads[layer], loss, parameters[layer], f"{kind}[{layer}] with {depth} hidden layer(s)",
                            bars["gradient_relative_error"], hint=LAYER_HINT)


DEEP_CASES = ["no hidden layer", "a vector of targets", "lists", "a dead unit", "two hidden layers, one row"]


@pytest.mark.parametrize("case", DEEP_CASES)
def test_hidden_deep_gradients_match_reference(student, reference, rng, bars, case):
    sizes = {"no hidden layer": [4, 3], "a vector of targets": [4, 5, 1], "lists": [3, 4, 2],
             "a dead unit": [4, 6, 5, 2], "two hidden layers, one row": [5, 3, 4, 2]}[case]
    rows = 1 if "one row" in case else 6
    X, weights, biases = deep_network(rng, sizes, rows)
    if case == "a dead unit":  # unit 2 of the first hidden layer is off for every sample: its gradients are 0
        biases[0][2] = -50.0
    Y = rng.normal(size=rows) if "vector" in case else rng.normal(size=(rows, sizes[-1]))
    expected_w, expected_b = reference.deep_gradients(X, Y, weights, biases)
    if case == "lists":
        got = student.deep_gradients(X.tolist(), Y.tolist(), [W.tolist() for W in weights], [b.tolist() for b in biases])
    else:
        got = student.deep_gradients(X, Y, weights, biases)
    assert_true(isinstance(got, (tuple, list)) and len(got) == 2, "deep_gradients should return (grads_w, grads_b)")
    for kind, grads, expected in (("grads_w", got[0], expected_w), ("grads_b", got[1], expected_b)):
        assert_true(isinstance(grads, (tuple, list)) and len(grads) == len(expected),
                    f"{kind} ({case}) should be a list of {len(expected)} arrays, one per layer")
        for layer, (value, wanted) in enumerate(zip(grads, expected)):
            assert_close(value, wanted, f"{kind}[{layer}] ({case})", rtol=bars["rtol"],
                         hint="a network of any depth, including none: the output layer is the identity, every "
                              "hidden layer ReLU; a vector of targets is one target per row")


@pytest.mark.parametrize("case", ["columns", "a vector", "lists", "a column against a column", "one row"])
def test_hidden_mse_matches_reference(student, reference, rng, bars, case):
    shape = {"columns": (6, 3), "a vector": (8,), "lists": (5, 2), "a column against a column": (7, 1),
             "one row": (1, 4)}[case]
    y_true, y_pred = rng.normal(size=shape), rng.normal(size=shape)
    given = (y_true.tolist(), y_pred.tolist()) if case == "lists" else (y_true, y_pred)
    got = student.mse(*given)
    assert_true(isinstance(got, (float, np.floating)), f"mse should return a float, got {a_type(got)}")
    assert_close(got, reference.mse(y_true, y_pred), f"mse ({case})", rtol=bars["rtol"],
                 hint="0.5 * mean over rows of sum over outputs of (y_pred - y_true)**2")


@pytest.mark.parametrize("case", ["a vector", "columns", "lists", "a bad model", "a column"])
def test_hidden_r2_score_matches_reference(student, reference, rng, bars, case):
    shape = {"columns": (6, 3), "a column": (9, 1)}.get(case, (10,))
    y_true = rng.normal(loc=3.0, size=shape)
    y_pred = y_true + rng.normal(scale=3.0 if case == "a bad model" else 0.4, size=shape)
    given = (y_true.tolist(), y_pred.tolist()) if case == "lists" else (y_true, y_pred)
    got = student.r2_score(*given)
    assert_true(isinstance(got, (float, np.floating)), f"r2_score should return a float, got {a_type(got)}")
    assert_close(got, reference.r2_score(y_true, y_pred), f"r2_score ({case})", rtol=bars["rtol"],
                 hint="1 - SSE / SST over all entries; SST around the mean of y_true (not of y_pred); it may be "
                      "negative for a model worse than the mean")


@pytest.mark.parametrize("function", ["run", "train", "deep_gradients", "mse", "r2_score"])
def test_hidden_inputs_not_mutated(student, reference, rng, function):
    if function in ("run", "train"):
        model, twin = networks(student, reference, rng, outputs=2)
        X, targets = rng.normal(size=(5, INPUT)), rng.normal(size=(5, 2))
        arguments = (X,) if function == "run" else (X, targets)
        if function == "train":
            student._pin("run", [((X,), {}, twin.run(X))], target=model)
        _, mutated = getattr(model, function).call_tracking_mutation(*arguments)
        assert_not_mutated(mutated, ["features", "targets"], function)
        return
    if function == "deep_gradients":
        X, weights, biases = deep_network(rng, [3, 5, 4, 2], rows=4)
        _, mutated = student.deep_gradients.call_tracking_mutation(X, rng.normal(size=(4, 2)), weights, biases)
        assert_not_mutated(mutated, ["X", "Y", "weights", "biases"], function)
        return
    y_true, y_pred = rng.normal(size=(6, 2)), rng.normal(size=(6, 2))
    _, mutated = getattr(student, function).call_tracking_mutation(y_true, y_pred)
    assert_not_mutated(mutated, ["y_true", "y_pred"], function)
