"""Public tests of 08_regression: run them with `autograder check`. Hidden tests run at grading.

Every expected value is computed here with numpy, never by the code under test: the network's
outputs, the true gradient of the squared error (by central differences, in float64), linear
regression's R² (least squares). While ``train`` is tested, ``run`` answers trusted outputs, so a
bug in ``run`` costs run's tests only; a training run that fails while ``run`` is wrong runs again
with ``run`` answering trusted outputs, for a ``train`` that calls it. ``deep_gradients`` is checked
at every depth from one to four hidden layers, every weight and every bias, on inputs that keep
clear of ReLU's kink at 0.

Catalogue bugs these tests kill (``examples/catalogue.py``): every bug of 08_regression, between the public and
the hidden tests (each bug's entry lists its tests).
"""
import numpy as np
import pytest
from scipy.special import expit

from autograder.testing import (
    a_type,
    as_array,
    assert_close,
    assert_gradient,
    assert_gradient_step,
    assert_not_mutated,
    assert_true,
)
from autograder.testing.chain_rule import slope_mistakes
from autograder.testing.gradcheck import numerical_gradient
from autograder.testing.helper_bugs import unless_helpers_are_to_blame

INPUT, HIDDEN, OUTPUT = 5, 4, 2  # all different: a transposed weight matrix shows up as a shape error
TRAINING_SEED = 0  # np.random.seed before the network of the training test is made


@pytest.fixture
def rng():
    return np.random.default_rng(808)


def trusted_run(w_i_h, w_h_o, X):
    return expit(np.asarray(X, dtype=float) @ w_i_h) @ w_h_o


def sigmoid_slope(z):
    return expit(z) * expit(-z)


def trusted_gradients(weights, X, targets, slope_of=sigmoid_slope):
    """The gradients of the half mean squared error at ``weights`` (the network's two matrices by name), computed here;
    ``slope_of(z)`` multiplies the error at the hidden layer of pre-activation ``z`` (a slip a check may name)."""
    names = ("weights_input_to_hidden", "weights_hidden_to_output")
    if not all(name in weights for name in names):
        return {}  # the model does not hold its weights under the contract's names: the check fails, saying so
    w_i_h, w_h_o = (np.asarray(weights[name], dtype=float) for name in names)
    X = np.asarray(X, dtype=float)
    hidden = expit(X @ w_i_h)
    output = hidden @ w_h_o
    d_output = (output - np.asarray(targets, dtype=float).reshape(output.shape)) / len(X)
    d_hidden = (d_output @ w_h_o.T) * slope_of(X @ w_i_h)
    return {names[0]: X.T @ d_hidden, names[1]: hidden.T @ d_output}


def half_mse(outputs, targets):
    """0.5 * mean over rows of the summed squared errors, computed here."""
    outputs = np.asarray(outputs, dtype=float)
    return 0.5 * np.mean(np.sum((outputs - np.asarray(targets, dtype=float).reshape(outputs.shape)) ** 2, axis=1))


def network(student, w_i_h, w_h_o, learning_rate=0.5):
    """The student's NeuralNetwork holding the given weights."""
    model = student.NeuralNetwork(w_i_h.shape[0], w_i_h.shape[1], w_h_o.shape[1], learning_rate)
    model.weights_input_to_hidden = w_i_h
    model.weights_hidden_to_output = w_h_o
    return model


def linear_regression_r2(X_train, y_train, X_test, y_test):
    """Test R² of least-squares linear regression with an intercept, computed here."""
    design = np.column_stack([X_train, np.ones(len(X_train))])
    coefficients, *_ = np.linalg.lstsq(design, y_train, rcond=None)
    predictions = np.column_stack([X_test, np.ones(len(X_test))]) @ coefficients
    return 1 - np.sum((y_test - predictions) ** 2) / np.sum((y_test - y_test.mean()) ** 2)


def check_init(student, inputs, hidden):
    """NeuralNetwork(inputs, hidden, 1, ...): normal weights of the seed's scales, drawn from np.random."""
    student._seed(TRAINING_SEED)
    first = student.NeuralNetwork(inputs, hidden, 1, 0.1)
    student._seed(TRAINING_SEED)
    second = student.NeuralNetwork(inputs, hidden, 1, 0.1)
    for name, fan_in, shape in (("weights_input_to_hidden", inputs, (inputs, hidden)),
                                ("weights_hidden_to_output", hidden, (hidden, 1))):
        value = as_array(getattr(first, name), f"{name} of a new NeuralNetwork({inputs}, {hidden}, 1, 0.1)", shape)
        spread = np.sqrt(np.mean(value ** 2) * fan_in)  # about 1 for a standard deviation of fan_in**-0.5
        assert_true(0.25 < spread < 2.5, f"__init__ must draw {name} from a normal distribution with standard "
                                         f"deviation {fan_in}**-0.5", hint="keep the given __init__")
        assert_close(getattr(second, name), value, f"{name} of a second network made after the same np.random.seed",
                     hint="draw with np.random (numpy's global random state), not a Generator of your own")


def test_init_and_training_come_close_to_linear_regression(student, trusted_helpers, bars, diabetes):
    X_train, X_test, y_train, y_test = diabetes
    hidden, rate, iterations = bars["hidden_nodes"], bars["learning_rate"], bars["iterations"]
    check_init(student, X_train.shape[1], hidden)

    def train_and_generalise():
        student._seed(TRAINING_SEED)
        model = student.NeuralNetwork(X_train.shape[1], hidden, 1, rate)
        # Every step is train's own: at steps drawn at random, the change must be one gradient step.
        student._repeat(model, "train", (X_train, y_train), iterations, lambda report: assert_gradient_step(
            report, trusted_gradients(report["before"], X_train, y_train), rate, f"{model._label}.train"))
        w_i_h = as_array(model.weights_input_to_hidden, "weights_input_to_hidden after training",
                         (X_train.shape[1], hidden))
        w_h_o = as_array(model.weights_hidden_to_output, "weights_hidden_to_output after training", (hidden, 1))
        assert_true(np.all(np.isfinite(w_i_h)) and np.all(np.isfinite(w_h_o)), "training made a weight NaN or inf",
                    hint="check train on its own test first")
        predictions = trusted_run(w_i_h, w_h_o, X_test).ravel()  # computed here, not by your run
        r2 = 1 - np.sum((y_test - predictions) ** 2) / np.sum((y_test - y_test.mean()) ** 2)
        baseline = linear_regression_r2(X_train, y_train, X_test, y_test)
        assert_true(r2 >= baseline - bars["r2_margin"],
                    f"after {iterations} steps of train at learning rate {rate} ({hidden} hidden units), the test R² "
                    f"is {r2:.3f}; linear regression reaches {baseline:.3f}, and the bar is {bars['r2_margin']} below "
                    "it", hint="make the train test pass first: one full-batch step per call, averaged over the batch")

    # At grading, a bug of run fails its own tests, not this one, when train takes its outputs from run
    # (autograder.testing.helper_bugs).
    unless_helpers_are_to_blame(student, trusted_helpers, train_and_generalise)


@pytest.mark.parametrize("case", ["batch", "one row", "list", "one output"])
def test_run_matches_a_trusted_computation(student, rng, bars, case):
    outputs = 1 if case == "one output" else OUTPUT
    w_i_h, w_h_o = rng.normal(size=(INPUT, HIDDEN)), rng.normal(size=(HIDDEN, outputs))
    X = rng.normal(size=(1 if case == "one row" else 6, INPUT))
    got = network(student, w_i_h, w_h_o).run(X.tolist() if case == "list" else X)
    assert_close(got, trusted_run(w_i_h, w_h_o, X), f"run of a {case} input", rtol=bars["rtol"],
                 mistakes=[("the output unit has a sigmoid: a regression network's output is the identity, "
                            "hidden @ weights_hidden_to_output", expit(trusted_run(w_i_h, w_h_o, X)))],
                 hint="sigmoid(features @ weights_input_to_hidden) @ weights_hidden_to_output: the output unit is the "
                      "identity (a regression network predicts any number, not a probability)")


@pytest.mark.parametrize("case", ["two outputs", "one output, a vector of targets"])
def test_train_takes_one_averaged_gradient_step(student, rng, bars, case):
    outputs = 1 if "one output" in case else OUTPUT
    w_i_h, w_h_o = rng.normal(size=(INPUT, HIDDEN)), rng.normal(size=(HIDDEN, outputs))
    X, learning_rate = rng.normal(size=(7, INPUT)), 0.5
    targets = rng.normal(size=7) if outputs == 1 else rng.normal(size=(7, outputs))
    gradients = [numerical_gradient(lambda: half_mse(trusted_run(w_i_h, w_h_o, X), targets), weights)
                 for weights in (w_i_h, w_h_o)]  # the true gradient of the mean squared error, by central differences
    model = network(student, w_i_h, w_h_o, learning_rate)
    student._pin("run", [((X,), {}, trusted_run(w_i_h, w_h_o, X))], target=model)
    model.train(X, targets)
    for name, before, gradient in zip(("weights_input_to_hidden", "weights_hidden_to_output"), (w_i_h, w_h_o), gradients):
        got = as_array(getattr(model, name), f"{name} after train", before.shape)
        expected = before - learning_rate * gradient
        weights = {"weights_input_to_hidden": w_i_h, "weights_hidden_to_output": w_h_o}
        mistakes = [("train must update both weight matrices", before),
                    ("the weight changes are summed over the batch: divide them by the number of records (average)",
                     before - learning_rate * len(X) * gradient),
                    ("train steps along the gradient: error = targets - output, and weights += lr * (delta averaged "
                     "over the batch)", before + learning_rate * gradient),
                    *slope_mistakes(lambda slope_of: before - learning_rate * trusted_gradients(
                        weights, X, targets, slope_of)[name], expit, sigmoid_slope)]
        assert_close(got, expected, f"{name} after train ({case})", rtol=1e-5,
                     hint="the output unit is the identity: its error term is the error itself (no output * (1 - "
                          "output)); the hidden error term is (error @ W_ho.T) * h * (1 - h)", mistakes=mistakes)


def deep_network(rng, sizes, rows):
    """Weights, biases and inputs of a ReLU network whose hidden pre-activations all keep clear of 0."""
    weights = [rng.normal(scale=np.sqrt(2 / fan_in), size=(fan_in, fan_out)) for fan_in, fan_out in zip(sizes, sizes[1:])]
    biases = [rng.uniform(0.1, 0.5, size=fan_out) for fan_out in sizes[1:]]
    while True:
        X = rng.normal(size=(rows, sizes[0]))
        pre_activations = trusted_layers(X, weights, biases)[1]
        if all(np.min(np.abs(z)) > 0.01 for z in pre_activations[:-1]):
            return X, weights, biases


def trusted_layers(X, weights, biases):
    """(output, pre-activations) of the ReLU network, computed here."""
    activation, pre_activations = np.asarray(X, dtype=float), []
    for layer, (W, b) in enumerate(zip(weights, biases)):
        z = activation @ W + b
        pre_activations.append(z)
        activation = np.maximum(z, 0.0) if layer < len(weights) - 1 else z
    return activation, pre_activations


def trusted_deep_gradients(X, Y, weights, biases, slope_of=lambda z: (z > 0).astype(float)):
    """(grads_w, grads_b) of the half mean squared error, by back-propagation computed here; ``slope_of(z)``
    multiplies the error at each hidden layer of pre-activation ``z`` (a slip a check may name)."""
    inputs = [np.asarray(X, dtype=float)]
    output, pre_activations = trusted_layers(X, weights, biases)
    inputs += [np.maximum(z, 0.0) for z in pre_activations[:-1]]
    delta = (output - np.asarray(Y, dtype=float)) / len(inputs[0])
    grads_w, grads_b = [None] * len(weights), [None] * len(weights)
    for layer in reversed(range(len(weights))):
        grads_w[layer], grads_b[layer] = inputs[layer].T @ delta, delta.sum(axis=0)
        if layer:
            delta = (delta @ weights[layer].T) * slope_of(pre_activations[layer - 1])
    return grads_w, grads_b


DEPTHS = {1: [4, 6, 2], 2: [4, 6, 5, 2], 3: [3, 5, 4, 6, 2], 4: [4, 5, 3, 6, 4, 3]}


@pytest.mark.parametrize("depth", DEPTHS, ids=[f"{depth} hidden layer{'s' * (depth > 1)}" for depth in DEPTHS])
def test_deep_gradients_pass_the_gradient_check(student, rng, bars, depth):
    sizes = DEPTHS[depth]
    X, weights, biases = deep_network(rng, sizes, rows=6)
    Y = rng.normal(size=(6, sizes[-1]))
    got = student.deep_gradients(X, Y, weights, biases)
    assert_true(isinstance(got, (tuple, list)) and len(got) == 2, "deep_gradients should return (grads_w, grads_b)")
    grads_w, grads_b = got
    for what, grads, parameters in (("grads_w", grads_w, weights), ("grads_b", grads_b, biases)):
        assert_true(isinstance(grads, (tuple, list)) and len(grads) == len(parameters),
                    f"{what} should be a list of {len(parameters)} arrays, one per layer")
    loss = lambda: half_mse(trusted_layers(X, weights, biases)[0], Y)  # noqa: E731 - reads the parameters afresh
    def slips(kind, layer):  # the chain rule's slips at the hidden layers, as this layer's gradient shows them
        return slope_mistakes(lambda slope_of: trusted_deep_gradients(X, Y, weights, biases, slope_of)[kind][layer],
                              lambda z: np.maximum(z, 0.0), lambda z: (np.asarray(z) > 0).astype(float))

    for layer in range(len(weights)):
        last = layer == len(weights) - 1
        assert_gradient(grads_w[layer], loss, weights[layer], f"grads_w[{layer}] of a net with {depth} hidden layer(s)",
                        bars["gradient_relative_error"],
                        hint="dW = (the layer's input).T @ delta; delta starts as (output - Y) / n" if last else
                        "going back one layer: delta = (delta @ W.T) * relu'(z) with z the pre-activation of THAT "
                        "layer (the one below the weights just done), then dW = (its input).T @ delta",
                        mistakes=slips(0, layer))
        assert_gradient(grads_b[layer], loss, biases[layer], f"grads_b[{layer}] of a net with {depth} hidden layer(s)",
                        bars["gradient_relative_error"], hint="db = delta summed over the rows (not averaged again: "
                                                              "delta already holds the 1/n)", mistakes=slips(1, layer))


def test_deep_gradients_leave_the_weights_as_they_were(student, rng):
    X, weights, biases = deep_network(rng, DEPTHS[2], rows=4)
    _, mutated = student.deep_gradients.call_tracking_mutation(X, rng.normal(size=(4, 2)), weights, biases)
    assert_not_mutated(mutated, ["X", "Y", "weights", "biases"], "deep_gradients")


@pytest.mark.parametrize("case", ["rows of two outputs", "a vector of targets"])
def test_mse_known_values(student, bars, case):
    if case == "a vector of targets":
        y_true, y_pred, expected = [1.0, 2.0, 3.0, 4.0], [1.5, 2.0, 2.0, 4.0], 0.5 * (0.25 + 1.0) / 4
    else:
        y_true, y_pred, expected = [[1.0, 0.0], [0.0, 2.0]], [[2.0, 0.0], [0.0, 0.0]], 0.5 * (1.0 + 4.0) / 2
    got = student.mse(y_true, y_pred)
    assert_true(isinstance(got, (float, np.floating)), f"mse should return a float, got {a_type(got)}")
    squares = (np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)) ** 2
    assert_close(got, expected, f"mse of {case}", rtol=bars["rtol"],
                 mistakes=[("mse averages over every entry: sum each row's outputs, then average over the rows",
                            0.5 * np.mean(squares))],
                 hint="0.5 * the mean over rows of the sum over outputs of (y_pred - y_true)**2; a vector holds one "
                      "target per row")


@pytest.mark.parametrize("case", ["a perfect fit", "the mean", "known values", "a column"])
def test_r2_score_known_values(student, bars, case):
    y_true = np.array([3.0, -0.5, 2.0, 7.0])
    y_pred = {"a perfect fit": y_true, "the mean": np.full(4, y_true.mean()),
              "known values": np.array([2.5, 0.0, 2.0, 8.0]), "a column": np.array([2.5, 0.0, 2.0, 8.0])}[case]
    expected = {"a perfect fit": 1.0, "the mean": 0.0}.get(case, 1 - 1.5 / 29.1875)
    given = (y_true[:, None], y_pred[:, None]) if case == "a column" else (y_true.tolist(), y_pred.tolist())
    got = student.r2_score(*given)
    assert_true(isinstance(got, (float, np.floating)), f"r2_score should return a float, got {a_type(got)}")
    around_predictions = 1 - np.sum((y_true - y_pred) ** 2) / np.sum((y_true - y_pred.mean()) ** 2)
    assert_close(got, expected, f"r2_score of {case}", rtol=bars["rtol"], atol=1e-12,
                 mistakes=[("SST is taken around the mean of the predictions: it is around the mean of y_true",
                            around_predictions)],
                 hint="1 - SSE / SST with SSE = sum((y_true - y_pred)**2), SST = sum((y_true - mean(y_true))**2)")
