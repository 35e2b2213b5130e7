"""Public tests of 04_logistic_regression: run them with `autograder check`. Hidden tests run at grading.

Each method is tested on parameters set by the test, and the methods it calls answer trusted
values: ``forward`` answers scipy's softmax while ``predict``, ``loss``, ``accuracy`` or
``grad_loss`` is tested, and ``grad_loss`` answers the true gradient while ``train`` is tested.
So a bug fails the tests of its own method, and the message points at it. Gradients are checked
against central differences of the loss, in float64.

Catalogue bugs these tests kill (``examples/catalogue.py``): bug_lr_bias_gradient_zero, bug_lr_gradient_sign,
bug_lr_train_ascends, bug_lr_gradient_transposed, bug_lr_forward_without_bias, bug_lr_predict_over_samples,
bug_lr_accuracy_counts, bug_lr_predict_float_classes.
"""
import numpy as np
import pytest
from scipy.special import log_softmax, softmax

from autograder.testing import as_array, assert_close, assert_gradient, assert_true, classifiers
from autograder.testing.gradcheck import numerical_gradient

INPUT, CLASSES = 5, 3  # not square: a transposed W shows up as a shape error
TRAINING_SEED = 0  # np.random.seed before the model of the training test is made
# What a failed train test says when a parameter did not change at all.
UNCHANGED_HINT = "train must update the parameter: self.W = self.W - learning_rate * dW (and the same for b)"


@pytest.fixture
def rng():
    return np.random.default_rng(404)


@pytest.fixture
def parameters(rng):
    """W and b of realistic scale, so that no gradient is vanishingly small."""
    return {"W": rng.uniform(-1, 1, size=(INPUT, CLASSES)), "b": rng.uniform(-1, 1, size=CLASSES)}


@pytest.fixture
def model(student, parameters):
    """The student's LogisticRegression(5, 3), holding ``parameters``."""
    model = student.LogisticRegression(INPUT, CLASSES)
    model.W, model.b = parameters["W"], parameters["b"]
    return model


def trusted_probabilities(parameters, X):
    """Class probabilities computed here with scipy, never by the code under test."""
    return softmax(np.asarray(X, dtype=float) @ parameters["W"] + parameters["b"], axis=-1)


def pin_forward(student, model, parameters, *inputs):
    """Make ``model.forward`` answer trusted probabilities for ``inputs``."""
    table = [((np.asarray(X, dtype=float),), {}, trusted_probabilities(parameters, X)) for X in inputs]
    student._pin("forward", table, target=model)


@pytest.mark.parametrize("shape", [(INPUT,), (4, INPUT), (1, INPUT)], ids=["one sample", "batch", "one-row batch"])
def test_forward_rows_are_probabilities(model, rng, shape):
    X = rng.normal(size=shape)
    probabilities = as_array(model.forward(X), f"forward of an input of shape {shape}", shape[:-1] + (CLASSES,))
    assert_true(np.all(probabilities > 0), "forward must return probabilities, all positive",
                hint="apply softmax to the scores X @ W + b")
    assert_close(probabilities.sum(axis=-1), np.ones(shape[:-1]), f"the class sum of forward(X) for shape {shape}",
                 hint="one row of probabilities per sample: softmax over the last axis, not over the samples")


def test_forward_known_values(model, bars):
    W = np.zeros((INPUT, CLASSES))
    W[0] = [0.0, np.log(3.0), 0.0]
    model.W, model.b = W, np.array([0.0, 0.0, np.log(4.0)])
    x = [1.0, 0.0, 0.0, 0.0, 0.0]
    # scores x @ W + b = [0, log 3, log 4], so the probabilities are [1, 3, 4] / 8; the zero input scores b alone
    without_bias = [("forward forgets the bias: softmax(X @ W + b)", [1 / 5, 3 / 5, 1 / 5])]
    assert_close(model.forward(x), [1 / 8, 3 / 8, 4 / 8], "forward of the list [1, 0, 0, 0, 0]", rtol=bars["rtol"],
                 hint="forward is softmax(X @ W + b); convert a list with np.asarray", mistakes=without_bias)
    without_bias = [("forward forgets the bias: softmax(X @ W + b)", [[1 / 5, 3 / 5, 1 / 5], [1 / 3, 1 / 3, 1 / 3]])]
    assert_close(model.forward([x, [0.0] * INPUT]), [[1 / 8, 3 / 8, 4 / 8], [1 / 6, 1 / 6, 4 / 6]],
                 "forward of the batch [[1, 0, 0, 0, 0], [0, 0, 0, 0, 0]]", rtol=bars["rtol"],
                 hint="add b to every row's scores, and normalise each row over the classes", mistakes=without_bias)


@pytest.mark.parametrize("rows, as_list", [(None, False), (6, False), (1, False), (4, True)],
                         ids=["one sample", "batch", "one-row batch", "list"])
def test_predict_gives_the_most_probable_class(student, model, parameters, rng, rows, as_list):
    X = rng.normal(size=(INPUT,) if rows is None else (rows, INPUT))
    pin_forward(student, model, parameters, X)
    what = f"predict of {'a list of' if as_list else 'an input of shape'} {X.shape}"
    classifiers.check_predict(model, X.tolist() if as_list else X, trusted_probabilities(parameters, X), what)


def test_loss_is_the_mean_nll(student, model, parameters, rng, bars):
    X, y = rng.normal(size=(6, INPUT)), [2, 0, 1, 1, 2, 0]
    pin_forward(student, model, parameters, X)
    classifiers.check_loss(model, X, y, trusted_probabilities(parameters, X), bars["rtol"])


def test_accuracy_is_the_fraction_correct(student, model, parameters, rng):
    X = rng.normal(size=(8, INPUT))
    classes = np.argmax(trusted_probabilities(parameters, X), axis=-1)
    y = classes.copy()
    y[:2] = (y[:2] + 1) % CLASSES  # two of the eight labels disagree with the prediction
    pin_forward(student, model, parameters, X)
    student._pin("predict", [((X,), {}, classes)], target=model)
    classifiers.check_accuracy(model, X, y.tolist(), classes, "accuracy(X, y) with 6 of 8 predictions right")


@pytest.mark.parametrize("name, hint", [
    ("W", "dW = outer(x, dz) with dz = forward(x) - one_hot(y_true), shape (input_size, output_size)"),
    ("b", "db = dz = forward(x) - one_hot(y_true), not zero"),
], ids=["W", "b"])
def test_grad_loss_passes_the_gradient_check(student, model, parameters, rng, bars, name, hint):
    x, label = rng.normal(size=INPUT), 1
    pin_forward(student, model, parameters, x)
    gradients = model.grad_loss(x, label)
    assert_true(isinstance(gradients, dict) and name in gradients,
                f"grad_loss must return a dict with the keys 'W' and 'b', got {type(gradients).__name__}")

    def loss():  # -log softmax(x @ W + b)[label], computed here; it reads the parameters afresh
        return -log_softmax(x @ parameters["W"] + parameters["b"])[label]

    assert_gradient(gradients[name], loss, parameters[name], f"grad_loss(x, y)[{name!r}]",
                    bars["gradient_relative_error"], hint=hint)


def test_train_takes_one_sgd_step(student, model, parameters, rng, bars):
    x, label, learning_rate = rng.normal(size=INPUT), 2, 0.1

    def loss():
        return -log_softmax(x @ parameters["W"] + parameters["b"])[label]

    gradients = {name: numerical_gradient(loss, value) for name, value in parameters.items()}  # the true gradient
    classifiers.check_train_step(student, model, parameters, gradients, x, label, learning_rate, bars["rtol"],
                                 UNCHANGED_HINT)


def test_init_and_one_epoch_of_sgd_reach_the_accuracy_bar(student, bars, digits):
    scale = bars["init_scale"]
    classifiers.check_init(student, lambda: student.LogisticRegression(INPUT, CLASSES),
                           {"W": ((INPUT, CLASSES), "uniform"), "b": ((CLASSES,), "uniform")}, scale, TRAINING_SEED,
                           spread={"W": scale / 2})  # 15 uniform draws spread out; 3 need not
    X_train, X_test, y_train, y_test = digits
    epochs, learning_rate, bar = bars["epochs"], bars["learning_rate"], bars["test_accuracy"]
    trained = classifiers.train_on(student, lambda: student.LogisticRegression(64, 10), X_train, y_train, epochs,
                                   learning_rate, TRAINING_SEED, {"W": (64, 10), "b": (10,)})
    accuracy = float(np.mean(np.argmax(trusted_probabilities(trained, X_test), axis=1) == y_test))  # not your predict
    run = f"{epochs} epoch(s) of SGD at learning rate {learning_rate} from np.random.seed({TRAINING_SEED})"
    assert_true(accuracy >= bar, f"after {run}, the test accuracy is {accuracy:.3f}, below the bar {bar}",
                hint="make the grad_loss and train tests pass first; train takes one step per sample")
