"""Hidden tests of 05_mlp: the student's functions and network against the reference on fresh inputs.

The tests set the parameters of the student's network themselves and pin what the function
under test calls to the reference's values for the test's inputs (``sigmoid`` for ``dsigmoid``
and ``forward``; ``forward`` for ``predict``, ``loss`` and ``accuracy``; ``forward``, ``sigmoid``
and ``dsigmoid`` for ``grad_loss``; ``grad_loss`` for ``train``), so one bug costs the tests of
its own function only. Training is judged on a split of the digits that no public test uses, with
the classes renamed, so a network that memorised the public split fails. Inputs and parameters come
from ``rng``, seeded per student.

Catalogue bugs these tests kill (``examples/catalogue.py``): every bug of 05_mlp, among them
bug_mlp_sigmoid_clips_in_place (only the in-place test sees it) and bug_mlp_memorises_public_split
(the unseen split, and the training steps).
"""
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from autograder.sandbox.inside.loading import load_module
from autograder.testing import sigmoid as sigmoid_checks
from autograder.testing.helper_bugs import unless_helpers_are_to_blame
from autograder.testing.figures import attach, reference_curve, sgd_curve

from autograder.testing import (
    a_type,
    as_array,
    assert_close,
    assert_gradient,
    assert_not_mutated,
    assert_true,
    classifiers,
)

INPUT, HIDDEN, CLASSES = 9, 6, 4  # all different, and not the public tests' sizes
NAMES = ("W_h", "b_h", "W_o", "b_o")
HIDDEN_SPLIT_SEED = 101  # digits_split(seed) of the training test; never used by a public test
RENAMED_CLASSES = np.array([3, 7, 0, 9, 5, 1, 8, 2, 6, 4])  # digit d is labelled RENAMED_CLASSES[d]
TRAINING_SEED = 20261123
BAND_SEEDS = (1, 2, 3)  # the reference's training curves drawn as a band behind the student's
GRADIENT_CHECK_SEED = 5_2026_1123  # the gradient checks' fixed draws (see classifiers.fixed_draws)
# What a failed train test says when a parameter did not change at all.
UNCHANGED_HINT = "train must update every parameter: self.W_h = self.W_h - learning_rate * dW_h, and so on"

INPUT_CASES = ["one sample", "batch", "one-row batch", "list", "large weights"]
HINTS = {
    "one sample": "one sample of shape (input_size,) gives probabilities of shape (output_size,)",
    "batch": "one row of probabilities per sample: softmax over the last axis",
    "one-row batch": "a batch of one row stays a batch: shape (1, output_size)",
    "list": "accept Python lists: convert with np.asarray(X)",
    "large weights": "use the given softmax, stable for huge scores, and your sigmoid on the pre-activations",
}


@pytest.fixture
def parameters(rng):
    shapes = {"W_h": (INPUT, HIDDEN), "b_h": (HIDDEN,), "W_o": (HIDDEN, CLASSES), "b_o": (CLASSES,)}
    return {name: rng.uniform(-1, 1, size=shape) for name, shape in shapes.items()}


@pytest.fixture
def model(student, parameters):
    """The student's NeuralNet(9, 6, 4), holding ``parameters``."""
    model = student.NeuralNet(INPUT, HIDDEN, CLASSES)
    for name in NAMES:
        setattr(model, name, parameters[name])
    return model


@pytest.fixture
def twin(reference, parameters):
    """The reference network holding the very arrays of ``parameters`` (it sees changes made to them in place)."""
    twin = reference.NeuralNet(INPUT, HIDDEN, CLASSES)
    for name in NAMES:
        setattr(twin, name, parameters[name])
    return twin


def set_parameter(model, parameters, name, value):
    """Give the student's model and the twin (through ``parameters``) a new value of ``name``."""
    parameters[name][...] = value
    setattr(model, name, parameters[name])


def make_input(rng, case):
    """An input of the kind ``case`` names (one of INPUT_CASES)."""
    shape = {"one sample": (INPUT,), "one-row batch": (1, INPUT), "list": (3, INPUT)}.get(case, (6, INPUT))
    X = rng.normal(size=shape)
    return X.tolist() if case == "list" else X


def pin_sigmoid(student, reference, *pre_activations, derivative=False):
    """Make the module's ``sigmoid`` (and ``dsigmoid`` with ``derivative``) answer the reference's values.

    Pins stay for the rest of the run and each one adds a little to every later call, so
    only the tests whose function calls sigmoid or dsigmoid pin them.
    """
    table = [((np.asarray(z, dtype=float),), {}, reference.sigmoid(z)) for z in pre_activations]
    student._pin("sigmoid", table)
    if derivative:
        student._pin("dsigmoid", [((np.asarray(z, dtype=float),), {}, reference.dsigmoid(z)) for z in pre_activations])


def pin_forward(student, model, twin, *inputs):
    """Make ``model.forward`` answer the reference's values for ``inputs``, either way keep_activations is passed."""
    table = []
    for X in inputs:
        X = np.asarray(X, dtype=float)
        y, h, z_h = twin.forward(X, keep_activations=True)
        table += [((X,), {}, y), ((X,), {"keep_activations": False}, y), ((X, False), {}, y),
                  ((X,), {"keep_activations": True}, (y, h, z_h)), ((X, True), {}, (y, h, z_h))]
    student._pin("forward", table, target=model)


# The training test comes first in this file: every pin a later test makes adds a little to each call of the
# pinned function for the rest of the run, and training calls sigmoid and dsigmoid ~40,000 times.


def test_hidden_training_on_an_unseen_split(student, trusted_helpers, reference, bars, digits_split):
    X_train, X_test, y_train, y_test = digits_split(HIDDEN_SPLIT_SEED)
    y_train, y_test = RENAMED_CLASSES[y_train], RENAMED_CLASSES[y_test]
    epochs, learning_rate, hidden, bar = (bars["unseen_split_epochs"], bars["learning_rate"], bars["hidden_size"],
                                          bars["test_accuracy"])
    trained = reference.NeuralNet(64, hidden, 10)
    shapes = {"W_h": (64, hidden), "b_h": (hidden,), "W_o": (hidden, 10), "b_o": (10,)}

    def run():
        student._seed(TRAINING_SEED)
        model = student.NeuralNet(64, hidden, 10)

        def test_accuracy(read):
            """The reference's test accuracy of your network's parameters as read (NaN if they are not finite)."""
            for name, shape in shapes.items():
                setattr(trained, name, as_array(read[name], f"{name} after training", shape))
            finite = all(np.all(np.isfinite(getattr(trained, name))) for name in shapes)
            return trained.accuracy(X_test, y_test) if finite else float("nan")

        curve = sgd_curve(student, model, X_train, y_train, epochs, learning_rate, test_accuracy,
                          parameters=tuple(shapes))
        attach("curve", "Test accuracy per epoch, on an unseen split", x=range(1, epochs + 1),
               student=curve, band={"assignment": "05_mlp", "function": "reference_band", "args": [epochs, learning_rate, hidden]}, xlabel="epoch", ylabel="test accuracy")
        for name in shapes:
            assert_true(np.all(np.isfinite(getattr(trained, name))), f"training made {name} NaN or inf")
        accuracy = curve[-1]  # the reference's accuracy of your trained parameters
        assert_true(accuracy >= bar,
                    f"on a split of the digits you have not seen, with the classes renamed, {epochs} epochs of SGD at "
                    f"learning rate {learning_rate} reach a test accuracy of {accuracy:.3f}, below the bar {bar}",
                    hint="learn from the data train is given: no stored weights, nothing specific to the public split")

    unless_helpers_are_to_blame(student, trusted_helpers, run)  # a bug of a helper or of forward costs its own tests only


@lru_cache(maxsize=None)
def reference_band(epochs, learning_rate, hidden):
    """The reference's test-accuracy curves on the training test's split, one per seed of BAND_SEEDS.

    Computed in the grading process, once per batch and only if a page draws it (autograder.results.bands).
    """
    from backprop_datasets import load_digits_split

    X_train, X_test, y_train, y_test = load_digits_split(HIDDEN_SPLIT_SEED)
    y_train, y_test = RENAMED_CLASSES[y_train], RENAMED_CLASSES[y_test]
    plain = load_module(Path(__file__).with_name("mlp.py"), "band_reference_mlp")  # not the recording fixture
    saved = np.random.get_state()
    curves = []
    try:
        for seed in BAND_SEEDS:
            np.random.seed(seed)
            curves.append(reference_curve(plain.NeuralNet(64, hidden, 10), X_train, y_train, epochs, learning_rate,
                                          lambda net: net.accuracy(X_test, y_test)))
    finally:
        np.random.set_state(saved)
    return curves



@pytest.mark.parametrize("case", sigmoid_checks.FRESH_CASES)
def test_hidden_sigmoid_matches_reference(student, reference, rng, bars, case):
    z = sigmoid_checks.fresh_inputs(rng, case, bars["huge_input"], scale=4.0)
    assert_close(student.sigmoid(z), reference.sigmoid(z), f"sigmoid of {case}", rtol=bars["rtol"],
                 hint=sigmoid_checks.KNOWN_HINT,
                 nonfinite_hint=sigmoid_checks.EXTREME_HINT if case.startswith("extreme") else None)


@pytest.mark.parametrize("case", sigmoid_checks.FRESH_CASES)
def test_hidden_dsigmoid_matches_reference(student, reference, rng, bars, case):
    z = sigmoid_checks.fresh_inputs(rng, case, bars["huge_input"], scale=2.5)
    pin_sigmoid(student, reference, z)  # sigmoid is tested on its own
    assert_close(student.dsigmoid(z), reference.dsigmoid(z), f"dsigmoid of {case}", rtol=bars["rtol"],
                 hint=sigmoid_checks.PRE_ACTIVATION_HINT)


@pytest.mark.parametrize("case", INPUT_CASES)
def test_hidden_forward_matches_reference(student, reference, model, twin, parameters, rng, bars, case):
    if case == "large weights":  # saturated hidden units and output scores in the thousands
        set_parameter(model, parameters, "W_h", parameters["W_h"] * 300)
        set_parameter(model, parameters, "W_o", parameters["W_o"] * 3000)
    X = make_input(rng, case)
    pin_sigmoid(student, reference, twin.forward(np.asarray(X), keep_activations=True)[2])
    assert_close(model.forward(X), twin.forward(np.asarray(X)), f"forward of {case} input", rtol=bars["rtol"],
                 **{"nonfinite_hint" if case == "large weights" else "hint": HINTS[case]})


@pytest.mark.parametrize("case", ["one sample", "batch", "list"])
def test_hidden_forward_keeps_activations(student, reference, model, twin, rng, bars, case):
    X = make_input(rng, case)
    expected = twin.forward(np.asarray(X), keep_activations=True)
    pin_sigmoid(student, reference, expected[2])
    got = model.forward(X, keep_activations=True)
    assert_true(isinstance(got, (tuple, list)) and len(got) == 3,
                f"forward(X, keep_activations=True) should return the tuple (y, h, z_h), got {a_type(got)}")
    for value, expected_value, name in zip(got, expected, ("y", "h", "z_h")):
        assert_close(value, expected_value, f"{name} of forward({case}, keep_activations=True)", rtol=bars["rtol"],
                     hint="return (y, h, z_h): probabilities, h = sigmoid(z_h), z_h = X @ W_h + b_h, in that order")


@pytest.mark.parametrize("case", ["one sample", "batch", "one-row batch", "list"])
def test_hidden_predict_matches_reference(student, reference, model, twin, rng, case):
    X = make_input(rng, case)
    pin_forward(student, model, twin, X)
    classifiers.check_predict(model, X, twin.forward(np.asarray(X, dtype=float)), f"predict of {case} input")


@pytest.mark.parametrize("case", ["batch", "labels as a list", "one-row batch", "a certain wrong prediction"])
def test_hidden_loss_matches_reference(student, reference, model, twin, parameters, rng, bars, case):
    rows = 1 if case == "one-row batch" else 7
    X, y = rng.normal(size=(rows, INPUT)), rng.integers(0, CLASSES, size=rows)
    if case == "a certain wrong prediction":  # the true class gets probability exactly 0: nll's EPSILON keeps it finite
        set_parameter(model, parameters, "W_o", parameters["W_o"] * 5000)
        y = np.argmin(twin.forward(X), axis=1)
    pin_forward(student, model, twin, X)
    classifiers.check_loss(model, X, y.tolist() if case == "labels as a list" else y, twin.forward(X), bars["rtol"],
                           f"loss on {case}")


@pytest.mark.parametrize("labels_as_list", [False, True], ids=["labels as an array", "labels as a list"])
def test_hidden_accuracy_matches_reference(student, reference, model, twin, rng, labels_as_list):
    X, y = rng.normal(size=(11, INPUT)), rng.integers(0, CLASSES, size=11)
    pin_forward(student, model, twin, X)
    student._pin("predict", [((X,), {}, twin.predict(X))], target=model)
    classifiers.check_accuracy(model, X, y.tolist() if labels_as_list else y, twin.predict(X))


GRADIENT_HINTS = {
    "W_h": "dW_h = outer(x, dz_h), dz_h = (dz_o @ W_o.T) * dsigmoid(z_h): dsigmoid takes the PRE-activation z_h",
    "b_h": "db_h = dz_h = (dz_o @ W_o.T) * dsigmoid(z_h), not zero; dsigmoid takes the PRE-activation z_h, not h",
    "W_o": "dW_o = outer(h, dz_o) with dz_o = y - one_hot(y_true), shape (hidden_size, output_size)",
    "b_o": "db_o = dz_o = y - one_hot(y_true), not zero",
}


@pytest.mark.parametrize("name", NAMES)
def test_hidden_grad_loss_gradient_check(student, reference, model, twin, parameters, bars, name):
    x, label = classifiers.fixed_draws(model, parameters, GRADIENT_CHECK_SEED, INPUT), CLASSES - 1
    pin_forward(student, model, twin, x)
    pin_sigmoid(student, reference, twin.forward(x, keep_activations=True)[2], derivative=True)
    gradients = model.grad_loss(x, label)
    assert_true(isinstance(gradients, dict) and name in gradients,
                f"grad_loss must return a dict with the keys {', '.join(NAMES)}; {name!r} is missing")
    assert_gradient(gradients[name], lambda: -np.log(twin.forward(x)[label]), parameters[name],
                    f"grad_loss(x, y)[{name!r}]", bars["gradient_relative_error"], hint=GRADIENT_HINTS[name])


@pytest.mark.parametrize("case", ["x as a list", "numpy integer label", "saturated hidden units"])
def test_hidden_grad_loss_matches_reference(student, reference, model, twin, parameters, rng, bars, case):
    if case == "saturated hidden units":
        set_parameter(model, parameters, "W_h", parameters["W_h"] * 40)
    x = rng.normal(size=INPUT)
    label = np.int64(0) if case == "numpy integer label" else 2
    expected = twin.grad_loss(x, int(label))
    pin_forward(student, model, twin, x)
    pin_sigmoid(student, reference, twin.forward(x, keep_activations=True)[2], derivative=True)
    gradients = model.grad_loss(x.tolist() if case == "x as a list" else x, label)
    assert_true(isinstance(gradients, dict) and set(NAMES) <= set(gradients),
                f"grad_loss must return a dict with the keys {', '.join(NAMES)}")
    for name in NAMES:
        assert_close(gradients[name], expected[name], f"grad_loss(x, y)[{name!r}] with {case}", rtol=bars["rtol"],
                     hint=GRADIENT_HINTS[name])


@pytest.mark.parametrize("function", ["sigmoid", "dsigmoid", "forward", "predict", "loss", "grad_loss"])
def test_hidden_inputs_not_mutated(student, reference, model, twin, rng, function):
    if function in ("sigmoid", "dsigmoid"):  # dsigmoid's naive form overflows beyond -355: moderate inputs for it
        z = sigmoid_checks.mutation_input(rng) if function == "sigmoid" else rng.normal(size=(3, 5))
        if function == "dsigmoid":
            pin_sigmoid(student, reference, z)
        _, mutated = getattr(student, function).call_tracking_mutation(z)
        assert_not_mutated(mutated, ["X"], function)
        return
    X = rng.normal(size=INPUT if function == "grad_loss" else (4, INPUT))
    arguments = {"grad_loss": (1,), "loss": (np.array([0, 3, 1, 1]),)}.get(function, ())
    if function != "forward":
        pin_forward(student, model, twin, X)
    if function in ("forward", "grad_loss"):
        pin_sigmoid(student, reference, twin.forward(X, keep_activations=True)[2], derivative=function == "grad_loss")
    _, mutated = getattr(model, function).call_tracking_mutation(X, *arguments)
    assert_not_mutated(mutated, ["x" if function == "grad_loss" else "X", "y"], function)


@pytest.mark.parametrize("learning_rate, as_list", [(0.5, True), (0.003, False)],
                         ids=["x as a list, learning rate 0.5", "learning rate 0.003"])
def test_hidden_train_matches_reference_step(student, model, twin, parameters, rng, bars, learning_rate, as_list):
    x, label = rng.normal(size=INPUT), 3
    given = x.tolist() if as_list else x  # pinned as given too: train may pass it on to grad_loss unconverted
    classifiers.check_train_step(student, model, parameters, twin.grad_loss(x, label), given, label, learning_rate,
                                 bars["rtol"], UNCHANGED_HINT)