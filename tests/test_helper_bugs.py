"""A helper's bug costs its own tests, not training: computed pins and the retry of a failed run.

Small student modules in a real worker: a pin computed on the trusted side answers every call of
plain numbers (lists, scalars, arrays) by a trusted formula, and
:func:`autograder.testing.helper_bugs.unless_helpers_are_to_blame` retries a failed training run
with the helpers so pinned only when they are wrong, so that the run is judged on the rest of the
student's chain. A method (05's ``NeuralNet.forward``) is so pinned for every object of its class,
from each object's parameters at each call: the catalogue's 05 bugs run in 05's reference module,
its 07 bugs in helpers ``fit`` calls in 07's, and a ``run`` bug of 08 in 08's, whose ``train`` then
takes its outputs from ``run``. (End to end: ``tests/test_one_bug_once.py``.)
"""
import shutil
from functools import lru_cache
import sys

import numpy as np
import pytest
from conftest import REPO

from autograder.sandbox.inside.loading import load_module
from autograder.sandbox.process import ChildProcess
from autograder.sandbox.remote import RemoteModule
from autograder.sandbox.session import WorkerSession
from autograder.testing import assert_true
from autograder.testing.helper_bugs import (GENERATOR, HELPERS, METHODS, PROBES, TrustedHelpers,
                                            unless_helpers_are_to_blame, wrong_helpers)
from autograder.testing.sigmoid import logistic

sys.path.insert(0, str(REPO / "examples"))
from catalogue import BUG, EXAMPLES, MODULES, P05, P06, P07, P08, Context, Example, Replace  # noqa: E402

RIGHT_SIGMOID = "np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))"
FLIPPED_SIGMOID = "np.exp(-np.logaddexp(0.0, np.asarray(x, dtype=float)))"
STEP = "w - 5.0 * (sigmoid(w) - 0.25) * sigmoid_prime(w)"  # descends (sigmoid(w) - 1/4)^2 / 2: sigmoid(w) -> 1/4
WRONG_STEP = "w + 5.0 * (sigmoid(w) - 0.25) * sigmoid_prime(w)"

CODE = """
import numpy as np

def sigmoid(x):
    return {sigmoid}

def sigmoid_prime(x):
    s = sigmoid(x)
    return s * (1 - s)

def fit(steps):
    '''Gradient descent that drives sigmoid(w) to 1/4, one helper call after another (as training does).'''
    w = np.zeros(3)
    for _ in range(steps):
        w = {step}
    return w

def echo(x):
    return sigmoid(x)
"""


@pytest.fixture
def student(request, tmp_path):
    sigmoid, step = request.param
    (tmp_path / "mod.py").write_text(CODE.format(sigmoid=sigmoid, step=step))
    session = WorkerSession(ChildProcess(), tmp_path / "mod.py", "mod")
    yield RemoteModule(session, "mod")
    session.close()


@lru_cache(maxsize=None)
def trusted(folder):
    """``folder``'s helpers answered by its reference, as the runner's ``trusted_helpers`` fixture gives them."""
    return TrustedHelpers(load_module(REPO / "solutions" / MODULES[folder], f"trusted_{folder}"), folder)


def run_counted(student, runs):
    """A training test of ``fit``: it passes when the trained w gives sigmoid(w) = 1/4 (computed here)."""
    def run():
        runs.append(1)
        w = np.asarray(student.fit(200), dtype=float)
        assert_true(np.allclose(logistic(w), 0.25, atol=1e-3), "fit does not reach sigmoid(w) = 1/4")
    return run


@pytest.mark.parametrize("student", [(FLIPPED_SIGMOID, STEP)], indirect=True)
@pytest.mark.parametrize("given", [[-1.0, 0.0, 2.0], 0.75, np.float32(-3.0), np.array([[1.0], [-40.0]])],
                         ids=["list", "float", "numpy scalar", "array"])
def test_a_computed_pin_answers_any_call_of_plain_numbers(student, given):
    student._pin_computed("sigmoid", logistic)
    np.testing.assert_allclose(student.echo(given), logistic(given), rtol=1e-12)


@pytest.mark.parametrize("student", [(FLIPPED_SIGMOID, STEP)], indirect=True)
def test_a_computed_pin_leaves_what_is_not_numbers_to_the_students_own(student):
    student._pin_computed("sigmoid", lambda x: 0.0)
    assert student.echo(True) == 0.0  # a bool is a number
    with pytest.raises(Exception, match="sigmoid|echo"):
        student.echo("text")  # not plain numbers: the student's own sigmoid runs, and raises on a string


@pytest.mark.parametrize("student", [(FLIPPED_SIGMOID, STEP)], indirect=True)
def test_a_run_that_fails_only_by_a_broken_helper_passes_on_its_retry(student):
    assert wrong_helpers(student, trusted(P06)) == ["sigmoid"]
    runs = []
    unless_helpers_are_to_blame(student, trusted(P06), run_counted(student, runs))
    assert len(runs) == 2


@pytest.mark.parametrize("student", [(FLIPPED_SIGMOID, WRONG_STEP)], indirect=True)
def test_a_run_that_fails_with_its_helpers_right_too_fails(student):
    runs = []
    with pytest.raises(AssertionError, match="does not reach"):
        unless_helpers_are_to_blame(student, trusted(P06), run_counted(student, runs))
    assert len(runs) == 2


@pytest.mark.parametrize("student", [(RIGHT_SIGMOID, WRONG_STEP)], indirect=True)
def test_a_failed_run_whose_helpers_are_right_is_not_retried(student):
    assert wrong_helpers(student, trusted(P06)) == []
    runs = []
    with pytest.raises(AssertionError, match="does not reach"):
        unless_helpers_are_to_blame(student, trusted(P06), run_counted(student, runs))
    assert len(runs) == 1


@pytest.mark.parametrize("student", [(FLIPPED_SIGMOID, STEP)], indirect=True)
def test_without_the_trusted_helpers_a_failed_run_stands(student):
    """The student bundle has no reference: its ``trusted_helpers`` is None, and a failure there is not retried."""
    runs = []
    with pytest.raises(AssertionError, match="does not reach"):
        unless_helpers_are_to_blame(student, None, run_counted(student, runs))
    assert len(runs) == 1 and student._session.pins == {}


@pytest.mark.parametrize("student", [(RIGHT_SIGMOID, STEP)], indirect=True)
def test_a_passing_run_is_run_once_and_pins_nothing(student):
    runs = []
    unless_helpers_are_to_blame(student, trusted(P06), run_counted(student, runs))
    assert len(runs) == 1 and student._session.pins == {}


def test_the_probes_call_every_helper_with_lists_scalars_and_arrays():
    for name in {name for helpers in HELPERS.values() for name in helpers}:
        kinds = {type(argument) for args in PROBES[name] for argument in args}
        assert {list, np.ndarray} <= kinds and kinds & {float, int}, name


MLP_NAMES = METHODS[P05]["NeuralNet.forward"].reads  # W_h, b_h, W_o, b_o
FORWARD_BUGS = [name for name, example in EXAMPLES.items()  # the catalogue's 05 bugs that forward's tests charge
                if example.assignment == P05 and isinstance(example.expect, tuple)
                and any("forward" in test for test in example.expect)]


def reference_module(folder, changes, tmp_path):
    """``folder``'s reference module in a real worker, changed by ``changes`` (catalogue examples' changes)."""
    shutil.copytree(REPO / "solutions" / folder, tmp_path / folder)
    Example(BUG, "changed", folder, changes, ()).apply(tmp_path, Context())
    path = tmp_path / MODULES[folder]
    return RemoteModule(WorkerSession(ChildProcess(), path, path.stem), path.stem)


def changes_of(*names):
    """The changes of the catalogue's examples ``names``, together."""
    listed = [EXAMPLES[name].change for name in names]
    return [change for changes in listed for change in (changes if isinstance(changes, list) else [changes])]


@pytest.fixture
def mlp(request, tmp_path):
    """05's reference module in a real worker, changed as the catalogue's example ``request.param`` (None: as it is)."""
    student = reference_module(P05, changes_of(request.param) if request.param else [], tmp_path)
    yield student
    student._session.close()


def mlp_training(student, runs):
    """A 05 training test in small: 2 epochs of SGD in the worker must end at the reference's parameters.

    The reference's steps are taken here, from the student's initial parameters.
    """
    reference = load_module(REPO / "solutions" / MODULES[P05], "trusted_reference_mlp")
    X = np.random.default_rng(3).normal(size=(12, 3))
    y = np.arange(12) % 2

    def run():
        runs.append(1)
        student._seed(0)
        model = student.NeuralNet(3, 4, 2)
        twin = reference.NeuralNet(3, 4, 2)
        for name in MLP_NAMES:
            setattr(twin, name, np.asarray(getattr(model, name), dtype=float))
        student._sgd(model, X, y, 2, 0.5)
        for _ in range(2):
            for x, label in zip(X, y):
                twin.train(x, label, 0.5)
        for name in MLP_NAMES:
            assert_true(np.allclose(getattr(model, name), getattr(twin, name), rtol=1e-6, atol=1e-9),
                        f"training ends at another {name} than the reference's steps")
    return run


def test_the_catalogue_has_a_forward_bug_of_05():
    assert "bug_mlp_forward_without_sigmoid" in FORWARD_BUGS


@pytest.mark.parametrize("mlp", FORWARD_BUGS, indirect=True)
def test_a_forward_bug_costs_only_the_forward_tests(mlp):
    assert "NeuralNet.forward" in wrong_helpers(mlp, trusted(P05))
    runs = []
    unless_helpers_are_to_blame(mlp, trusted(P05), mlp_training(mlp, runs))
    assert len(runs) == 2


@pytest.mark.parametrize("mlp", ["bug_mlp_output_gradient_sign", "bug_mlp_missing_hidden_derivative"], indirect=True)
def test_a_grad_loss_bug_still_fails_training_unretried(mlp):
    assert wrong_helpers(mlp, trusted(P05)) == []  # forward, sigmoid and dsigmoid are right: the failure is grad_loss's
    runs = []
    with pytest.raises(AssertionError, match="another"):
        unless_helpers_are_to_blame(mlp, trusted(P05), mlp_training(mlp, runs))
    assert len(runs) == 1


@pytest.mark.parametrize("mlp", [None], indirect=True)
def test_a_passing_05_run_is_run_once_and_pins_nothing(mlp):
    runs = []
    unless_helpers_are_to_blame(mlp, trusted(P05), mlp_training(mlp, runs))
    assert len(runs) == 1 and mlp._session.pins == {}


@pytest.mark.parametrize("mlp", ["bug_mlp_forward_without_sigmoid"], indirect=True)
def test_a_computed_method_pin_answers_each_object_from_its_parameters_at_the_call(mlp):
    method = METHODS[P05]["NeuralNet.forward"]
    mlp._pin_computed("NeuralNet.forward", trusted(P05).formula("NeuralNet.forward"), reads=method.reads)
    reference = trusted(P05).reference
    X = np.random.default_rng(4).normal(size=(5, 3))
    models = [mlp.NeuralNet(3, 4, 2) for _ in range(2)]
    for scale, model in zip([1.0, -3.0], models):
        for name, value in method.attributes.items():
            setattr(model, name, scale * value)
    mlp._sgd(models[1], X, np.arange(5) % 2, 1, 0.5)  # its parameters move in the worker, not by the test
    for model in models:
        twin = reference.NeuralNet(3, 4, 2)
        for name in MLP_NAMES:
            setattr(twin, name, np.asarray(getattr(model, name)))
        np.testing.assert_allclose(model.forward(X), twin.forward(X), rtol=1e-12)
        for got, expected in zip(model.forward(X, keep_activations=True), twin.forward(X, True)):
            np.testing.assert_allclose(got, expected, rtol=1e-12)


# -- 07: fit, its helpers and the network's methods -------------------------------------------------
TRAINING_NAMES = ("W_h", "b_h", "W_o", "b_o")
# The catalogue's 07 bugs in a helper or method fit calls, each with the dropout of a run that shows it: a bug of
# dropout at evaluation needs p_drop > 0; a run that checks fit's steps leaves masks to the student's own dropout
# (draw=False), so grad_loss is pinned there only without dropout.
FIT_HELPER_BUGS = {"bug_training_momentum_sign": 0.0, "bug_training_gradient_not_averaged": 0.0,
                   "bug_training_dropout_at_evaluation": 0.3}
FIT_BUGS = ["bug_training_fit_keeps_the_last_epoch", "bug_training_fit_patience_plus_one"]
OTHER_GENERATOR = Replace("            grads = model.grad_loss(X_batch, y_batch, rng)\n",
                          "            grads = model.grad_loss(X_batch, y_batch, np.random.default_rng(epoch))\n", P07)


@pytest.fixture
def training(request, tmp_path):
    """07's reference module in a real worker, changed by ``request.param``'s changes."""
    student = reference_module(P07, request.param, tmp_path)
    yield student
    student._session.close()


def fit_training(student, runs, p_drop):
    """A 07 training test in small: fit in the worker must end where the reference's fit, run here, ends.

    Both start from the student's initial parameters and draw from generators of one seed, so they take the same
    steps (and dropout masks).
    """
    reference = load_module(REPO / "solutions" / MODULES[P07], "trusted_reference_training")
    generator = np.random.default_rng(505)  # noisy labels: fit stops early, after its best epoch
    X = generator.normal(size=(36, 4))
    y = np.argmax(X @ generator.normal(size=(4, 3)) + generator.normal(scale=1.5, size=(36, 3)), axis=1)
    data = (X[:24], y[:24], X[24:], y[24:])
    settings = {"epochs": 12, "batch_size": 6, "learning_rate": 0.2, "beta": 0.9, "patience": 2, "seed": 2}

    def run():
        runs.append(1)
        model = student.RegularizedMLP(4, 5, 3, l2=0.01, p_drop=p_drop, seed=1)
        twin = reference.RegularizedMLP(4, 5, 3, l2=0.01, p_drop=p_drop)
        for name in TRAINING_NAMES:
            setattr(twin, name, np.asarray(getattr(model, name), dtype=float))
        history = student.fit(model, *data, **settings)
        expected = reference.fit(twin, *data, **settings)
        losses, expected_losses = np.asarray(history["val_loss"]), np.asarray(expected["val_loss"])
        assert_true(losses.shape == expected_losses.shape and np.allclose(losses, expected_losses, rtol=1e-6),
                    "fit's validation losses differ from the reference's fit")
        for name in TRAINING_NAMES:
            assert_true(np.allclose(getattr(model, name), getattr(twin, name), rtol=1e-6, atol=1e-9),
                        f"fit ends at another {name} than the reference's fit")
    return run


def test_the_catalogue_lists_no_fit_test_for_the_helper_bugs_fit_retries():
    for name in FIT_HELPER_BUGS:
        assert EXAMPLES[name].assignment == P07 and not any("fit" in test for test in EXAMPLES[name].expect), name


@pytest.mark.parametrize("training, p_drop", [(changes_of(name), p_drop) for name, p_drop in FIT_HELPER_BUGS.items()],
                         ids=list(FIT_HELPER_BUGS), indirect=["training"])
def test_a_07_helper_bug_costs_fit_nothing(training, p_drop):
    assert wrong_helpers(training, trusted(P07))
    runs = []
    unless_helpers_are_to_blame(training, trusted(P07), fit_training(training, runs, p_drop), draw=False)
    assert len(runs) == 2


@pytest.mark.parametrize("training", [changes_of(fit, helper) for fit in FIT_BUGS for helper in FIT_HELPER_BUGS],
                         ids=[f"{fit}+{helper}" for fit in FIT_BUGS for helper in FIT_HELPER_BUGS], indirect=True)
def test_a_broken_fit_fails_its_retry_beside_a_helper_bug(training):
    runs = []
    with pytest.raises(AssertionError, match="fit"):
        unless_helpers_are_to_blame(training, trusted(P07), fit_training(training, runs, 0.3), draw=False)
    assert len(runs) == 2


@pytest.mark.parametrize("training", [[OTHER_GENERATOR, *changes_of("bug_training_gradient_not_averaged")]],
                         indirect=True)
def test_a_fit_that_gives_grad_loss_another_generator_fails_its_retry(training):
    """The retry of a run that checks fit's steps draws no mask here, where it could not come from fit's generator."""
    runs = []
    with pytest.raises(AssertionError, match="fit"):
        unless_helpers_are_to_blame(training, trusted(P07), fit_training(training, runs, 0.3), draw=False)
    assert len(runs) == 2


@pytest.mark.parametrize("training", [[]], indirect=True)
def test_a_passing_07_run_is_run_once_and_pins_nothing(training):
    runs = []
    unless_helpers_are_to_blame(training, trusted(P07), fit_training(training, runs, 0.3), draw=False)
    assert len(runs) == 1 and training._session.pins == {}


@pytest.mark.parametrize("training", [changes_of("bug_training_dropout_at_evaluation")], indirect=True)
def test_a_computed_dropout_draws_its_masks_here_only_when_told(training):
    """With draw, a mask drawn here from the activations (the same for the same call, the worker's generator
    untouched); without, a call that drops is the student's own, drawn from its generator; at evaluation, the
    formula's (this student's own dropout fails there)."""
    A = np.random.default_rng(5).uniform(0.5, 2.0, size=(40, 6))
    training._pin_computed("dropout", trusted(P07).formula("dropout", True), ignore=(GENERATOR,))
    generator = training._rng(3)
    first, again = (training.dropout(A, 0.25, generator, True) for _ in range(2))
    np.testing.assert_array_equal(first[1], again[1])
    assert 0.6 < np.mean(first[1]) < 0.9 and not np.array_equal(training.dropout(A + 1, 0.25, generator, True)[1],
                                                                first[1])
    np.testing.assert_allclose(first[0], A * first[1] / 0.75)
    assert generator.random() == np.random.default_rng(3).random()
    np.testing.assert_array_equal(training.dropout(A, 0.25, None, False)[0], A)
    training._unpin()
    training._pin_computed("dropout", trusted(P07).formula("dropout", False), ignore=(GENERATOR,))
    generator = training._rng(3)
    np.testing.assert_array_equal(training.dropout(A, 0.25, generator, True)[1],
                                  np.random.default_rng(3).random(A.shape) >= 0.25)
    np.testing.assert_array_equal(training.dropout(A, 0.25, None, False)[0], A)


# -- 08: a train that takes its outputs from run -----------------------------------------------------
REGRESSION_NAMES = ("weights_input_to_hidden", "weights_hidden_to_output")
# run with a sigmoid on its output (the first change of the catalogue's bug, which puts one in train too), in the
# catalogue's variant whose train takes the network's outputs from run
RUN_BUG = changes_of("variant_regression_output_from_run") + changes_of("bug_regression_sigmoid_output")[:1]


@pytest.fixture
def regression(request, tmp_path):
    """08's reference module in a real worker, changed by ``request.param``'s changes."""
    student = reference_module(P08, request.param, tmp_path)
    yield student
    student._session.close()


def regression_training(student, runs):
    """An 08 training test in small: five steps of train in the worker must end where the reference's five end."""
    reference = load_module(REPO / "solutions" / MODULES[P08], "trusted_reference_regression")
    generator = np.random.default_rng(8)
    X, targets = generator.normal(size=(20, 3)), generator.normal(size=20)

    def run():
        runs.append(1)
        model = student.NeuralNetwork(3, 4, 1, 0.5)
        twin = reference.NeuralNetwork(3, 4, 1, 0.5)
        for name in REGRESSION_NAMES:
            setattr(twin, name, np.asarray(getattr(model, name), dtype=float))
        student._repeat(model, "train", (X, targets), 5, lambda report: None)
        for _ in range(5):
            twin.train(X, targets)
        for name in REGRESSION_NAMES:
            assert_true(np.allclose(getattr(model, name), getattr(twin, name), rtol=1e-6, atol=1e-9),
                        f"training ends at another {name} than the reference's steps")
    return run


@pytest.mark.parametrize("regression", [RUN_BUG], indirect=True)
def test_a_run_bug_costs_08_training_nothing(regression):
    assert wrong_helpers(regression, trusted(P08)) == ["NeuralNetwork.run"]
    runs = []
    unless_helpers_are_to_blame(regression, trusted(P08), regression_training(regression, runs))
    assert len(runs) == 2


@pytest.mark.parametrize("regression", [RUN_BUG + changes_of("bug_regression_changes_summed")], indirect=True)
def test_a_train_bug_beside_a_run_bug_fails_its_retry(regression):
    runs = []
    with pytest.raises(AssertionError, match="another"):
        unless_helpers_are_to_blame(regression, trusted(P08), regression_training(regression, runs))
    assert len(runs) == 2


@pytest.mark.parametrize("regression", [changes_of("variant_regression_output_from_run")], indirect=True)
def test_a_passing_08_run_is_run_once_and_pins_nothing(regression):
    runs = []
    unless_helpers_are_to_blame(regression, trusted(P08), regression_training(regression, runs))
    assert len(runs) == 1 and regression._session.pins == {}
