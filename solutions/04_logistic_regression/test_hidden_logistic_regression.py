"""Hidden tests of 04_logistic_regression: the student's model against the reference on fresh inputs.

The tests set the parameters of the student's model themselves and pin the methods that the
method under test calls to the reference's values for the test's inputs (``forward`` for
``predict``, ``loss``, ``accuracy`` and ``grad_loss``; ``grad_loss`` for ``train``), so one bug
costs the tests of its own method only. Training is judged on a split of the digits that no
public test uses, with the classes renamed, so a model that memorised the public split fails. Inputs and parameters come from ``rng``, seeded per student.

Catalogue bugs these tests kill (``examples/catalogue.py``): every bug of 04_logistic_regression, among
them bug_lr_memorises_public_split (the unseen split, and the training steps) and bug_lr_predict_float_classes.
"""
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from autograder.sandbox.inside.loading import load_module
from autograder.testing.figures import attach, reference_curve, sgd_curve

from autograder.testing import (
    as_array,
    assert_close,
    assert_gradient,
    assert_not_mutated,
    assert_true,
    classifiers,
)

INPUT, CLASSES = 9, 4  # not square, and not the public tests' sizes
HIDDEN_SPLIT_SEED = 101  # digits_split(seed) of the training test; never used by a public test
RENAMED_CLASSES = np.array([3, 7, 0, 9, 5, 1, 8, 2, 6, 4])  # digit d is labelled RENAMED_CLASSES[d]
TRAINING_SEED = 20261123
BAND_SEEDS = (1, 2, 3)  # the reference's training curves drawn as a band behind the student's
CURVE_PIECES = 5  # points of the training curve per epoch
GRADIENT_CHECK_SEED = 4_2026_1123  # the gradient checks' fixed draws (see classifiers.fixed_draws)
# What a failed train test says when a parameter did not change at all.
UNCHANGED_HINT = "train must update the parameter: self.W = self.W - learning_rate * dW (and the same for b)"

INPUT_CASES = ["one sample", "batch", "one-row batch", "list", "huge scores"]


@pytest.fixture
def parameters(rng):
    return {"W": rng.uniform(-1, 1, size=(INPUT, CLASSES)), "b": rng.uniform(-1, 1, size=CLASSES)}


@pytest.fixture
def model(student, parameters):
    """The student's LogisticRegression(9, 4), holding ``parameters``."""
    model = student.LogisticRegression(INPUT, CLASSES)
    model.W, model.b = parameters["W"], parameters["b"]
    return model


@pytest.fixture
def twin(reference, parameters):
    """The reference model holding the very arrays of ``parameters`` (it sees changes made to them in place)."""
    twin = reference.LogisticRegression(INPUT, CLASSES)
    twin.W, twin.b = parameters["W"], parameters["b"]
    return twin


def make_input(rng, case):
    """An input of the kind ``case`` names (one of INPUT_CASES)."""
    return {
        "one sample": lambda: rng.normal(size=INPUT),
        "batch": lambda: rng.normal(size=(6, INPUT)),
        "one-row batch": lambda: rng.normal(size=(1, INPUT)),
        "list": lambda: rng.normal(size=(3, INPUT)).tolist(),
        "huge scores": lambda: rng.normal(scale=1e4, size=(5, INPUT)),
    }[case]()


HINTS = {
    "one sample": "one sample of shape (input_size,) gives probabilities of shape (output_size,)",
    "batch": "one row of probabilities per sample: softmax over the last axis",
    "one-row batch": "a batch of one row stays a batch: shape (1, output_size)",
    "list": "accept Python lists: convert with np.asarray(X)",
    "huge scores": "use the given softmax: it subtracts each row's max, so huge scores do not overflow",
}


def pin_forward(student, model, twin, *inputs):
    """Make ``model.forward`` answer the reference's probabilities for ``inputs``."""
    table = [((np.asarray(X, dtype=float),), {}, twin.forward(np.asarray(X, dtype=float))) for X in inputs]
    student._pin("forward", table, target=model)


@pytest.mark.parametrize("case", INPUT_CASES)
def test_hidden_forward_matches_reference(model, twin, rng, bars, case):
    X = make_input(rng, case)
    assert_close(model.forward(X), twin.forward(np.asarray(X)), f"forward of {case} input", rtol=bars["rtol"],
                 **{"nonfinite_hint" if case == "huge scores" else "hint": HINTS[case]})


@pytest.mark.parametrize("case", ["one sample", "batch", "one-row batch", "list"])
def test_hidden_predict_matches_reference(student, model, twin, rng, case):
    X = make_input(rng, case)
    pin_forward(student, model, twin, X)
    classifiers.check_predict(model, X, twin.forward(np.asarray(X, dtype=float)), f"predict of {case} input")


@pytest.mark.parametrize("case", ["batch", "labels as a list", "one-row batch", "a certain wrong prediction"])
def test_hidden_loss_matches_reference(student, model, twin, rng, bars, case):
    rows = 1 if case == "one-row batch" else 7
    X = rng.normal(scale=1e4 if case == "a certain wrong prediction" else 1.0, size=(rows, INPUT))
    y = rng.integers(0, CLASSES, size=rows)
    if case == "a certain wrong prediction":  # the true class gets probability exactly 0: nll's EPSILON keeps it finite
        y = np.argmin(twin.forward(X), axis=1)
    pin_forward(student, model, twin, X)
    classifiers.check_loss(model, X, y.tolist() if case == "labels as a list" else y, twin.forward(X), bars["rtol"],
                           f"loss on {case}")


@pytest.mark.parametrize("labels_as_list", [False, True], ids=["labels as an array", "labels as a list"])
def test_hidden_accuracy_matches_reference(student, model, twin, rng, labels_as_list):
    X = rng.normal(size=(11, INPUT))
    y = rng.integers(0, CLASSES, size=11)
    pin_forward(student, model, twin, X)
    student._pin("predict", [((X,), {}, twin.predict(X))], target=model)
    classifiers.check_accuracy(model, X, y.tolist() if labels_as_list else y, twin.predict(X))


@pytest.mark.parametrize("name, hint", [
    ("W", "dW = outer(x, dz) with dz = forward(x) - one_hot(y_true), shape (input_size, output_size)"),
    ("b", "db = dz = forward(x) - one_hot(y_true), not zero"),
], ids=["W", "b"])
def test_hidden_grad_loss_gradient_check(student, model, twin, parameters, bars, name, hint):
    x, label = classifiers.fixed_draws(model, parameters, GRADIENT_CHECK_SEED, INPUT), CLASSES - 1
    pin_forward(student, model, twin, x)
    gradients = model.grad_loss(x, label)
    assert_true(isinstance(gradients, dict) and name in gradients,
                f"grad_loss must return a dict with the keys 'W' and 'b', got {type(gradients).__name__}")
    assert_gradient(gradients[name], lambda: -np.log(twin.forward(x)[label]), parameters[name],
                    f"grad_loss(x, y)[{name!r}]", bars["gradient_relative_error"], hint=hint)


@pytest.mark.parametrize("case", ["x as a list", "numpy integer label", "saturated scores"])
def test_hidden_grad_loss_matches_reference(student, model, twin, rng, bars, case):
    x = rng.normal(scale=30.0 if case == "saturated scores" else 1.0, size=INPUT)
    label = np.int64(1) if case == "numpy integer label" else 2
    expected = twin.grad_loss(x, int(label))
    pin_forward(student, model, twin, x)
    gradients = model.grad_loss(x.tolist() if case == "x as a list" else x, label)
    assert_true(isinstance(gradients, dict) and {"W", "b"} <= set(gradients),
                "grad_loss must return a dict with the keys 'W' and 'b'")
    for name in ("W", "b"):
        assert_close(gradients[name], expected[name], f"grad_loss(x, y)[{name!r}] with {case}", rtol=bars["rtol"],
                     hint="dz = forward(x) - one_hot(self.output_size, y_true); dW = outer(x, dz), db = dz")


@pytest.mark.parametrize("method", ["forward", "predict", "loss", "grad_loss"])
def test_hidden_inputs_not_mutated(student, model, twin, rng, method):
    if method == "grad_loss":
        X, arguments, names = rng.normal(size=INPUT), (1,), ["x", "y_true"]
    else:
        X, arguments, names = rng.normal(size=(4, INPUT)), (), ["X", "y"]
        if method == "loss":
            arguments = (np.array([0, 3, 1, 1]),)
    if method != "forward":
        pin_forward(student, model, twin, X)
    _, mutated = getattr(model, method).call_tracking_mutation(X, *arguments)
    assert_not_mutated(mutated, names, method)


@pytest.mark.parametrize("learning_rate, as_list", [(0.5, True), (0.003, False)],
                         ids=["x as a list, learning rate 0.5", "learning rate 0.003"])
def test_hidden_train_matches_reference_step(student, model, twin, parameters, rng, bars, learning_rate, as_list):
    x, label = rng.normal(size=INPUT), 3
    given = x.tolist() if as_list else x  # pinned as given too: train may pass it on to grad_loss unconverted
    classifiers.check_train_step(student, model, parameters, twin.grad_loss(x, label), given, label, learning_rate,
                                 bars["rtol"], UNCHANGED_HINT)


@lru_cache(maxsize=None)
def reference_band(epochs, learning_rate):
    """The reference's test-accuracy curves on the training test's split, one per seed of BAND_SEEDS.

    Computed in the grading process, once per batch and only if a page draws it (autograder.results.bands).
    """
    from backprop_datasets import load_digits_split

    X_train, X_test, y_train, y_test = load_digits_split(HIDDEN_SPLIT_SEED)
    y_train, y_test = RENAMED_CLASSES[y_train], RENAMED_CLASSES[y_test]
    plain = load_module(Path(__file__).with_name("logistic_regression.py"), "band_reference_logistic_regression")
    saved = np.random.get_state()
    curves = []
    try:
        for seed in BAND_SEEDS:
            np.random.seed(seed)
            curves.append(reference_curve(plain.LogisticRegression(64, 10), X_train, y_train, epochs, learning_rate,
                                          lambda model: model.accuracy(X_test, y_test), pieces=CURVE_PIECES))
    finally:
        np.random.set_state(saved)
    return curves



def test_hidden_one_epoch_on_an_unseen_split(student, reference, bars, digits_split):
    X_train, X_test, y_train, y_test = digits_split(HIDDEN_SPLIT_SEED)
    y_train, y_test = RENAMED_CLASSES[y_train], RENAMED_CLASSES[y_test]
    epochs, learning_rate, bar = bars["epochs"], bars["learning_rate"], bars["test_accuracy"]
    student._seed(TRAINING_SEED)
    model = student.LogisticRegression(64, 10)
    trained = reference.LogisticRegression(64, 10)

    def test_accuracy(read):
        """The reference's test accuracy of your model's parameters as read (NaN if they are not finite)."""
        trained.W = as_array(read["W"], "W after training", (64, 10))
        trained.b = as_array(read["b"], "b after training", (10,))
        finite = np.all(np.isfinite(trained.W)) and np.all(np.isfinite(trained.b))
        return trained.accuracy(X_test, y_test) if finite else float("nan")

    curve = sgd_curve(student, model, X_train, y_train, epochs, learning_rate, test_accuracy, pieces=CURVE_PIECES,
                      parameters=("W", "b"))
    attach("curve", "Test accuracy during training, on an unseen split",
           x=np.arange(1, len(curve) + 1) / CURVE_PIECES, student=curve,
           band={"assignment": "04_logistic_regression", "function": "reference_band", "args": [epochs, learning_rate]}, xlabel="epochs", ylabel="test accuracy")
    assert_true(np.all(np.isfinite(trained.W)) and np.all(np.isfinite(trained.b)), "training made W or b NaN or inf")
    accuracy = curve[-1]  # the reference's accuracy of your trained parameters
    assert_true(accuracy >= bar,
                f"on a split of the digits you have not seen, with the classes renamed, {epochs} epoch(s) of SGD at "
                f"learning rate {learning_rate} reach a test accuracy of {accuracy:.3f}, below the bar {bar}",
                hint="learn from the data train is given: no stored weights, nothing specific to the public split")
