"""Public tests of 05_mlp: run them with `autograder check`. Hidden tests run at grading.

Each function is tested on parameters set by the test, and the functions it calls answer
trusted values computed here with scipy: ``sigmoid`` while ``dsigmoid`` or ``forward`` is tested,
``forward`` while ``predict``, ``loss`` or ``accuracy`` is tested, ``forward``, ``sigmoid`` and
``dsigmoid`` while ``grad_loss`` is tested, and ``grad_loss`` answers the true gradient while
``train`` is tested. So a bug fails the tests of its own function, and the message points at it.
Gradients are checked against central differences of the loss, in float64.
"""
import numpy as np
import pytest
from scipy.special import expit, log_softmax, softmax

from autograder.testing.gradcheck import numerical_gradient
from autograder.testing import (
    as_array,
    as_class_indices,
    assert_close,
    assert_gradient,
    assert_one_sgd_step,
    assert_true,
)

INPUT, HIDDEN, CLASSES = 7, 5, 3  # all different: a transposed weight matrix shows up as a shape error
NAMES = ("W_h", "b_h", "W_o", "b_o")
EPSILON = 1e-8  # of nll, as the contract defines it
LOG3, LOG9 = np.log(3.0), np.log(9.0)
TRAINING_SEED = 0  # np.random.seed before the model of the training test is made
# What a failed train test says when a parameter did not change at all.
UNCHANGED_HINT = "train must update every parameter: self.W_h = self.W_h - learning_rate * dW_h, and so on"


@pytest.fixture
def rng():
    return np.random.default_rng(505)


@pytest.fixture
def parameters(rng):
    """Parameters of realistic scale, so that no gradient is vanishingly small."""
    shapes = {"W_h": (INPUT, HIDDEN), "b_h": (HIDDEN,), "W_o": (HIDDEN, CLASSES), "b_o": (CLASSES,)}
    return {name: rng.uniform(-1, 1, size=shape) for name, shape in shapes.items()}


@pytest.fixture
def model(student, parameters):
    """The student's NeuralNet(7, 5, 3), holding ``parameters``."""
    model = student.NeuralNet(INPUT, HIDDEN, CLASSES)
    for name in NAMES:
        setattr(model, name, parameters[name])
    return model


def trusted_forward(parameters, X):
    """``(y, h, z_h)`` computed here with scipy, never by the code under test."""
    pre_activations = np.asarray(X, dtype=float) @ parameters["W_h"] + parameters["b_h"]
    hidden = expit(pre_activations)
    return softmax(hidden @ parameters["W_o"] + parameters["b_o"], axis=-1), hidden, pre_activations


def trusted_loss(parameters, x, label):
    """``-log y[label]`` for one sample, computed here; it reads the parameters afresh."""
    return -log_softmax(expit(x @ parameters["W_h"] + parameters["b_h"]) @ parameters["W_o"] + parameters["b_o"])[label]


def pin_sigmoid(student, *pre_activations, derivative=False):
    """Make the module's ``sigmoid`` (and ``dsigmoid`` with ``derivative``) answer trusted values for these inputs.

    Pins stay for the rest of the run and each one adds a little to every later call, so
    only the tests whose function calls sigmoid or dsigmoid pin them.
    """
    student._pin("sigmoid", [((np.asarray(z, dtype=float),), {}, expit(z)) for z in pre_activations])
    if derivative:
        student._pin("dsigmoid", [((np.asarray(z, dtype=float),), {}, expit(z) * expit(-z)) for z in pre_activations])


def pin_forward(student, model, parameters, *inputs):
    """Make ``model.forward`` answer trusted values for ``inputs``, either way keep_activations is passed."""
    table = []
    for X in inputs:
        X = np.asarray(X, dtype=float)
        y, h, z_h = trusted_forward(parameters, X)
        table += [((X,), {}, y), ((X,), {"keep_activations": False}, y), ((X, False), {}, y),
                  ((X,), {"keep_activations": True}, (y, h, z_h)), ((X, True), {}, (y, h, z_h))]
    student._pin("forward", table, target=model)


# The training test comes first in this file: every pin a later test makes adds a little to each call of the
# pinned function for the rest of the run, and training calls sigmoid and dsigmoid ~70,000 times.


def check_init(student, scale):
    """NeuralNet(7, 5, 3): weights uniform in [-scale, scale] drawn from np.random, biases zero."""
    student._seed(TRAINING_SEED)
    first = student.NeuralNet(INPUT, HIDDEN, CLASSES)
    student._seed(TRAINING_SEED)
    second = student.NeuralNet(INPUT, HIDDEN, CLASSES)
    shapes = {"W_h": (INPUT, HIDDEN), "b_h": (HIDDEN,), "W_o": (HIDDEN, CLASSES), "b_o": (CLASSES,)}
    for name, shape in shapes.items():
        value = as_array(getattr(first, name), f"NeuralNet({INPUT}, {HIDDEN}, {CLASSES}).{name}", shape)
        if name.startswith("b"):
            assert_true(np.all(value == 0), f"__init__ must set {name} to zeros")
            continue
        assert_true(np.all(np.abs(value) <= scale) and np.ptp(value) > scale / 4,
                    f"__init__ must draw {name} uniformly in [-{scale}, {scale}]")
        assert_close(getattr(second, name), value, f"{name} of a second model made after the same np.random.seed",
                     hint="draw with np.random.uniform (numpy's global random state), not a Generator of your own")


def test_init_and_fifteen_epochs_fit_and_generalise(student, bars, digits):
    check_init(student, bars["init_scale"])
    X_train, X_test, y_train, y_test = digits
    epochs, learning_rate = bars["epochs"], bars["learning_rate"]
    student._seed(TRAINING_SEED)
    model = student.NeuralNet(64, bars["hidden_size"], 10)
    student._sgd(model, X_train, y_train, epochs, learning_rate)
    shapes = {"W_h": (64, bars["hidden_size"]), "b_h": (bars["hidden_size"],), "W_o": (bars["hidden_size"], 10),
              "b_o": (10,)}
    trained = {name: as_array(getattr(model, name), f"{name} after training", shape) for name, shape in shapes.items()}
    assert_true(all(np.all(np.isfinite(value)) for value in trained.values()), "training made a parameter NaN or inf",
                hint="check grad_loss and train on their own tests first")
    # computed here, not by your forward, loss or accuracy
    training_nll = -np.mean(np.log(EPSILON + trusted_forward(trained, X_train)[0][np.arange(len(y_train)), y_train]))
    accuracy = float(np.mean(np.argmax(trusted_forward(trained, X_test)[0], axis=1) == y_test))
    run = f"{epochs} epochs of SGD at learning rate {learning_rate} from np.random.seed({TRAINING_SEED})"
    assert_true(training_nll <= bars["training_nll"],
                f"after {run}, the training NLL is {training_nll:.3f}, above the bar {bars['training_nll']}",
                hint="make the grad_loss and train tests pass first; train takes one step per sample")
    assert_true(accuracy >= bars["test_accuracy"],
                f"after {run}, the test accuracy is {accuracy:.3f}, below the bar {bars['test_accuracy']}")


@pytest.mark.parametrize("z, expected, written", [
    (0.0, 0.5, "0.0"),
    ([0.0, LOG3, -LOG3], [0.5, 0.75, 0.25], "[0, log 3, -log 3]"),
    ([[0.0, LOG3, -LOG3], [LOG9, -LOG9, 0.0]], [[0.5, 0.75, 0.25], [0.9, 0.1, 0.5]],
     "[[0, log 3, -log 3], [log 9, -log 9, 0]]"),
], ids=["scalar", "vector", "matrix"])
def test_sigmoid_known_values(student, bars, z, expected, written):
    assert_close(student.sigmoid(z), expected, f"sigmoid({written})", rtol=bars["rtol"],
                 hint="1 / (1 + exp(-X)), elementwise, the same shape as X; accept lists")


def test_sigmoid_is_stable_for_huge_inputs(student, bars):
    huge = bars["huge_input"]
    assert_close(student.sigmoid([-huge, -huge / 10, huge / 10, huge]), [0.0, 0.0, 1.0, 1.0],
                 f"sigmoid of inputs of magnitude up to {huge:g}",
                 hint="exp(-X) overflows for X << 0: use np.logaddexp(0, -X), or treat negative X separately")


@pytest.mark.parametrize("case", ["known values", "central differences", "huge inputs"])
def test_dsigmoid_takes_the_pre_activation(student, bars, rng, case):
    if case == "known values":
        z = np.array([[LOG3, 0.0], [-LOG3, 2.0]])
        expected = np.array([[3 / 16, 1 / 4], [3 / 16, expit(2.0) * expit(-2.0)]])
    elif case == "central differences":
        z = rng.normal(scale=3.0, size=(3, 4))
        expected = (expit(z + 1e-5) - expit(z - 1e-5)) / 2e-5  # the slope of the sigmoid at z
    else:
        z = np.array([-bars["huge_input"], bars["huge_input"], -800.0, 800.0, 0.0])
        expected = np.array([0.0, 0.0, 0.0, 0.0, 0.25])
    pin_sigmoid(student, z)  # your sigmoid is tested on its own
    assert_close(student.dsigmoid(z), expected, f"dsigmoid ({case})", rtol=bars["rtol"],
                 mistakes=[("dsigmoid takes the PRE-activation z: sigmoid(z) * (1 - sigmoid(z)), not z * (1 - z)",
                            z * (1 - z))])


INPUT_SHAPES = {"one sample": (INPUT,), "batch": (6, INPUT), "one-row batch": (1, INPUT), "list": (4, INPUT)}


@pytest.mark.parametrize("case", list(INPUT_SHAPES))
def test_forward_matches_a_trusted_computation(student, model, parameters, rng, bars, case):
    X = rng.normal(size=INPUT_SHAPES[case])
    y, _, z_h = trusted_forward(parameters, X)
    pin_sigmoid(student, z_h)
    linear = softmax(z_h @ parameters["W_o"] + parameters["b_o"], axis=-1)  # a hidden layer without its sigmoid
    assert_close(model.forward(X.tolist() if case == "list" else X), y, f"forward of {case} input of shape {X.shape}",
                 rtol=bars["rtol"], hint="h = sigmoid(X @ W_h + b_h), then softmax(h @ W_o + b_o) over the last axis",
                 mistakes=[("the hidden layer has no sigmoid: h = sigmoid(z_h), not z_h", linear)])


@pytest.mark.parametrize("case", ["one sample", "batch"])
def test_forward_keeps_activations(student, model, parameters, rng, bars, case):
    X = rng.normal(size=INPUT_SHAPES[case])
    expected = trusted_forward(parameters, X)
    pin_sigmoid(student, expected[2])
    got = model.forward(X, keep_activations=True)
    assert_true(isinstance(got, (tuple, list)) and len(got) == 3,
                f"forward(X, keep_activations=True) should return the tuple (y, h, z_h), got a {type(got).__name__}")
    for value, expected_value, name in zip(got, expected, ("y", "h", "z_h")):
        assert_close(value, expected_value, f"{name} of forward({case}, keep_activations=True)", rtol=bars["rtol"],
                     hint="return (y, h, z_h): probabilities, h = sigmoid(z_h), z_h = X @ W_h + b_h, in that order")


@pytest.mark.parametrize("case", ["one sample", "batch", "list"])
def test_predict_gives_the_most_probable_class(student, model, parameters, rng, case):
    X = rng.normal(size=INPUT_SHAPES[case])
    pin_forward(student, model, parameters, X)
    expected = np.argmax(trusted_forward(parameters, X)[0], axis=-1)
    classes = as_class_indices(model.predict(X.tolist() if case == "list" else X), f"predict of {case} input", expected.shape)
    assert_true(np.array_equal(classes, expected), f"predict of {case} input is not the most probable class",
                hint="np.argmax(self.forward(X), axis=-1): over the classes, one per sample")


def test_loss_is_the_mean_nll(student, model, parameters, rng, bars):
    X, y = rng.normal(size=(6, INPUT)), [2, 0, 1, 1, 2, 0]
    pin_forward(student, model, parameters, X)
    expected = -np.mean(np.log(EPSILON + trusted_forward(parameters, X)[0][np.arange(6), y]))
    got = model.loss(X, y)
    assert_true(isinstance(got, (float, np.floating)), f"loss(X, y) should be a float, got a {type(got).__name__}",
                hint="the given nll returns a float")
    assert_close(got, expected, "loss(X, y)", rtol=bars["rtol"],
                 hint="the given nll of one-hot targets (output_size classes) under forward(X): the MEAN over samples")


def test_accuracy_is_the_fraction_correct(student, model, parameters, rng):
    X = rng.normal(size=(8, INPUT))
    classes = np.argmax(trusted_forward(parameters, X)[0], axis=-1)
    y = classes.copy()
    y[:2] = (y[:2] + 1) % CLASSES  # two of the eight labels disagree with the prediction
    pin_forward(student, model, parameters, X)
    student._pin("predict", [((X,), {}, classes)], target=model)
    got = model.accuracy(X, y.tolist())
    assert_true(isinstance(got, (float, np.floating)), f"accuracy should be a float, got a {type(got).__name__}")
    assert_close(got, 0.75, "accuracy(X, y) with 6 of 8 predictions right",
                 hint="the mean of (self.predict(X) == y), with y converted by np.asarray")


GRADIENT_HINTS = {
    "W_h": "dW_h = outer(x, dz_h), dz_h = (dz_o @ W_o.T) * dsigmoid(z_h): dsigmoid takes the PRE-activation z_h",
    "b_h": "db_h = dz_h = (dz_o @ W_o.T) * dsigmoid(z_h), not zero; dsigmoid takes the PRE-activation z_h, not h",
    "W_o": "dW_o = outer(h, dz_o) with dz_o = y - one_hot(y_true), shape (hidden_size, output_size)",
    "b_o": "db_o = dz_o = y - one_hot(y_true), not zero",
}


@pytest.mark.parametrize("name", NAMES)
def test_grad_loss_passes_the_gradient_check(student, model, parameters, rng, bars, name):
    x, label = rng.normal(size=INPUT), 1
    pin_forward(student, model, parameters, x)
    pin_sigmoid(student, trusted_forward(parameters, x)[2], derivative=True)
    gradients = model.grad_loss(x, label)
    assert_true(isinstance(gradients, dict) and name in gradients,
                f"grad_loss must return a dict with the keys {', '.join(NAMES)}; {name!r} is missing")
    assert_gradient(gradients[name], lambda: trusted_loss(parameters, x, label), parameters[name],
                    f"grad_loss(x, y)[{name!r}]", bars["gradient_relative_error"], hint=GRADIENT_HINTS[name])


def test_train_takes_one_sgd_step(student, model, parameters, rng, bars):
    x, label, learning_rate = rng.normal(size=INPUT), 2, 0.1
    gradients = {name: numerical_gradient(lambda: trusted_loss(parameters, x, label), parameters[name])
                 for name in NAMES}  # the true gradient, by central differences
    student._pin("grad_loss", [((x, label), {}, gradients), ((x,), {"y_true": label}, gradients)], target=model)
    model.train(x, label, learning_rate)
    for name in NAMES:
        assert_one_sgd_step(getattr(model, name), parameters[name], gradients[name], learning_rate,
                            f"self.{name} after train(x, y, learning_rate={learning_rate})", bars["rtol"],
                            UNCHANGED_HINT)
