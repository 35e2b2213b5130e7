"""Public tests of 05_mlp: run them with `autograder check`. Hidden tests run at grading.

Each function is tested on parameters set by the test, and the functions it calls answer
trusted values computed here with scipy: ``sigmoid`` while ``dsigmoid`` or ``forward`` is tested,
``forward`` while ``predict``, ``loss`` or ``accuracy`` is tested, ``forward``, ``sigmoid`` and
``dsigmoid`` while ``grad_loss`` is tested, and ``grad_loss`` answers the true gradient while
``train`` is tested. So a bug fails the tests of its own function, and the message points at it.
Gradients are checked against central differences of the loss, in float64. The sigmoid's checks are
those of every sigmoid of the kit (``autograder.testing.sigmoid``): an overflow warning fails them.

Catalogue bugs these tests kill (``examples/catalogue.py``): bug_mlp_dsigmoid_of_activation,
bug_mlp_dsigmoid_formula_on_output, bug_mlp_missing_hidden_derivative, bug_mlp_hidden_bias_gradient_zero,
bug_mlp_output_gradient_sign, bug_mlp_output_gradient_of_pre_activation, bug_mlp_train_skips_hidden_bias,
bug_mlp_forward_without_sigmoid, bug_mlp_sigmoid_naive, bug_mlp_dsigmoid_naive, bug_mlp_predict_float_classes.
"""
import numpy as np
import pytest
from scipy.special import expit, log_softmax, softmax

from autograder.testing import a_type, assert_close, assert_gradient, assert_true, classifiers
from autograder.testing import sigmoid as sigmoid_checks
from autograder.testing.chain_rule import PRE_ACTIVATION_AS_INPUT, slope_mistakes
from autograder.testing.helper_bugs import unless_helpers_are_to_blame
from autograder.testing.gradcheck import numerical_gradient

INPUT, HIDDEN, CLASSES = 7, 5, 3  # all different: a transposed weight matrix shows up as a shape error
NAMES = ("W_h", "b_h", "W_o", "b_o")
LOG3 = np.log(3.0)
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


def trusted_gradients(parameters, x, label, slope_of=lambda z: expit(z) * expit(-z), hidden_input=False):
    """The gradients of ``trusted_loss`` by the chain rule, computed here; ``slope_of(z_h)`` multiplies the error
    at the hidden layer, and ``hidden_input`` feeds dW_o the pre-activations (the slips a check may name)."""
    y, h, z_h = trusted_forward(parameters, x)
    dz_o = y - np.eye(CLASSES)[label]
    dz_h = (dz_o @ parameters["W_o"].T) * slope_of(z_h)
    return {"W_h": np.outer(x, dz_h), "b_h": dz_h, "W_o": np.outer(z_h if hidden_input else h, dz_o), "b_o": dz_o}


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


def test_init_and_fifteen_epochs_fit_and_generalise(student, trusted_helpers, bars, digits):
    scale, hidden = bars["init_scale"], bars["hidden_size"]
    classifiers.check_init(student, lambda: student.NeuralNet(INPUT, HIDDEN, CLASSES),
                           {"W_h": ((INPUT, HIDDEN), "uniform"), "b_h": ((HIDDEN,), "zeros"),
                            "W_o": ((HIDDEN, CLASSES), "uniform"), "b_o": ((CLASSES,), "zeros")}, scale, TRAINING_SEED,
                           spread={"W_h": scale / 4, "W_o": scale / 4})
    X_train, X_test, y_train, y_test = digits
    epochs, learning_rate = bars["epochs"], bars["learning_rate"]
    run = f"{epochs} epochs of SGD at learning rate {learning_rate} from np.random.seed({TRAINING_SEED})"

    def fit_and_generalise():
        trained = classifiers.train_on(student, lambda: student.NeuralNet(64, hidden, 10), X_train, y_train, epochs,
                                       learning_rate, TRAINING_SEED,
                                       {"W_h": (64, hidden), "b_h": (hidden,), "W_o": (hidden, 10), "b_o": (10,)})
        # computed here, not by your forward, loss or accuracy
        training_nll = classifiers.mean_nll(trusted_forward(trained, X_train)[0], y_train)
        accuracy = float(np.mean(np.argmax(trusted_forward(trained, X_test)[0], axis=1) == y_test))
        assert_true(training_nll <= bars["training_nll"],
                    f"after {run}, the training NLL is {training_nll:.3f}, above the bar {bars['training_nll']}",
                    hint="make the grad_loss and train tests pass first; train takes one step per sample")
        assert_true(accuracy >= bars["test_accuracy"],
                    f"after {run}, the test accuracy is {accuracy:.3f}, below the bar {bars['test_accuracy']}")

    # At grading, a bug of sigmoid, dsigmoid or forward fails their own tests, not this one
    # (autograder.testing.helper_bugs).
    unless_helpers_are_to_blame(student, trusted_helpers, fit_and_generalise)


@pytest.mark.parametrize("case", sigmoid_checks.KNOWN_VALUES)
def test_sigmoid_known_values(student, bars, case):
    sigmoid_checks.check_known_values(student.sigmoid, case, bars["rtol"])


@pytest.mark.parametrize("shape", sigmoid_checks.EXTREME_SHAPES)
@pytest.mark.parametrize("sign", [1, -1, 0], ids=["positive", "negative", "both-signs"])
def test_sigmoid_is_stable_for_huge_inputs(student, bars, sign, shape):
    sigmoid_checks.check_extreme_inputs(student.sigmoid, bars["huge_input"], sign, shape)


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
    with np.errstate(all="ignore"):  # what the slope written with exp gives: inf / inf for z << 0
        overflowing = np.exp(-z) / (1 + np.exp(-z)) ** 2
    assert_close(student.dsigmoid(z), expected, f"dsigmoid ({case})", rtol=bars["rtol"],
                 mistakes=[("dsigmoid takes the PRE-activation z: sigmoid(z) * (1 - sigmoid(z)), not z * (1 - z)",
                            z * (1 - z)),
                           ("exp(-z) / (1 + exp(-z))**2 overflows to inf / inf for z << 0: write the slope as "
                            "sigmoid(z) * (1 - sigmoid(z))", overflowing)])


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
                f"forward(X, keep_activations=True) should return the tuple (y, h, z_h), got {a_type(got)}")
    for value, expected_value, name in zip(got, expected, ("y", "h", "z_h")):
        assert_close(value, expected_value, f"{name} of forward({case}, keep_activations=True)", rtol=bars["rtol"],
                     hint="return (y, h, z_h): probabilities, h = sigmoid(z_h), z_h = X @ W_h + b_h, in that order")


@pytest.mark.parametrize("case", ["one sample", "batch", "list"])
def test_predict_gives_the_most_probable_class(student, model, parameters, rng, case):
    X = rng.normal(size=INPUT_SHAPES[case])
    pin_forward(student, model, parameters, X)
    classifiers.check_predict(model, X.tolist() if case == "list" else X, trusted_forward(parameters, X)[0],
                              f"predict of {case} input")


def test_loss_is_the_mean_nll(student, model, parameters, rng, bars):
    X, y = rng.normal(size=(6, INPUT)), [2, 0, 1, 1, 2, 0]
    pin_forward(student, model, parameters, X)
    classifiers.check_loss(model, X, y, trusted_forward(parameters, X)[0], bars["rtol"])


def test_accuracy_is_the_fraction_correct(student, model, parameters, rng):
    X = rng.normal(size=(8, INPUT))
    classes = np.argmax(trusted_forward(parameters, X)[0], axis=-1)
    y = classes.copy()
    y[:2] = (y[:2] + 1) % CLASSES  # two of the eight labels disagree with the prediction
    pin_forward(student, model, parameters, X)
    student._pin("predict", [((X,), {}, classes)], target=model)
    classifiers.check_accuracy(model, X, y.tolist(), classes, "accuracy(X, y) with 6 of 8 predictions right")


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
    slips = slope_mistakes(lambda slope_of: trusted_gradients(parameters, x, label, slope_of)[name], expit,
                           lambda z: expit(z) * expit(-z))
    slips.append((PRE_ACTIVATION_AS_INPUT, trusted_gradients(parameters, x, label, hidden_input=True)[name]))
    assert_gradient(gradients[name], lambda: trusted_loss(parameters, x, label), parameters[name],
                    f"grad_loss(x, y)[{name!r}]", bars["gradient_relative_error"], hint=GRADIENT_HINTS[name],
                    mistakes=slips)


def test_train_takes_one_sgd_step(student, model, parameters, rng, bars):
    x, label, learning_rate = rng.normal(size=INPUT), 2, 0.1
    gradients = {name: numerical_gradient(lambda: trusted_loss(parameters, x, label), parameters[name])
                 for name in NAMES}  # the true gradient, by central differences
    classifiers.check_train_step(student, model, parameters, gradients, x, label, learning_rate, bars["rtol"],
                                 UNCHANGED_HINT)
