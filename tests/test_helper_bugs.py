"""A helper's bug costs its own tests, not training: computed pins and the retry of a failed run.

Small student modules in a real worker: a pin computed on the trusted side answers every call of
plain numbers (lists, scalars, arrays) by a trusted formula, and
:func:`autograder.testing.helper_bugs.unless_helpers_are_to_blame` retries a failed training run
with the helpers so pinned only when they are wrong, so that the run is judged on the rest of the
student's chain. A method (05's ``NeuralNet.forward``) is so pinned for every object of its class,
from each object's parameters at each call: the catalogue's 05 bugs run in 05's reference module.
(End to end, on the catalogue's sigmoid bugs: ``tests/test_one_bug_once.py``.)
"""
import shutil
import sys

import numpy as np
import pytest
from conftest import REPO

from autograder.sandbox.inside.loading import load_module
from autograder.sandbox.process import ChildProcess
from autograder.sandbox.remote import RemoteModule
from autograder.sandbox.session import WorkerSession
from autograder.testing import assert_true
from autograder.testing.helper_bugs import (HELPERS, METHODS, PROBES, helpers_are_right, mlp_forward,
                                            unless_helpers_are_to_blame)
from autograder.testing.sigmoid import logistic

sys.path.insert(0, str(REPO / "examples"))
from catalogue import EXAMPLES, MODULES, P05, Context  # noqa: E402

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
    assert not helpers_are_right(student, "06_backprop")
    runs = []
    unless_helpers_are_to_blame(student, "06_backprop", run_counted(student, runs))
    assert len(runs) == 2


@pytest.mark.parametrize("student", [(FLIPPED_SIGMOID, WRONG_STEP)], indirect=True)
def test_a_run_that_fails_with_its_helpers_right_too_fails(student):
    runs = []
    with pytest.raises(AssertionError, match="does not reach"):
        unless_helpers_are_to_blame(student, "06_backprop", run_counted(student, runs))
    assert len(runs) == 2


@pytest.mark.parametrize("student", [(RIGHT_SIGMOID, WRONG_STEP)], indirect=True)
def test_a_failed_run_whose_helpers_are_right_is_not_retried(student):
    assert helpers_are_right(student, "06_backprop")
    runs = []
    with pytest.raises(AssertionError, match="does not reach"):
        unless_helpers_are_to_blame(student, "06_backprop", run_counted(student, runs))
    assert len(runs) == 1


@pytest.mark.parametrize("student", [(RIGHT_SIGMOID, STEP)], indirect=True)
def test_a_passing_run_is_run_once_and_pins_nothing(student):
    runs = []
    unless_helpers_are_to_blame(student, "06_backprop", run_counted(student, runs))
    assert len(runs) == 1 and student._session.pins == {}


def test_the_probes_call_every_helper_with_lists_scalars_and_arrays():
    for name in {name for helpers in HELPERS.values() for name in helpers}:
        kinds = {type(argument) for args in PROBES[name] for argument in args}
        assert {list, np.ndarray} <= kinds and kinds & {float, int}, name


MLP_NAMES = METHODS[P05]["NeuralNet.forward"].reads  # W_h, b_h, W_o, b_o
FORWARD_BUGS = [name for name, example in EXAMPLES.items()  # the catalogue's 05 bugs that forward's tests charge
                if example.assignment == P05 and isinstance(example.expect, tuple)
                and any("forward" in test for test in example.expect)]


@pytest.fixture
def mlp(request, tmp_path):
    """05's reference module in a real worker, changed as the catalogue's example ``request.param`` (None: as it is)."""
    shutil.copytree(REPO / "solutions" / P05, tmp_path / P05)
    if request.param is not None:
        EXAMPLES[request.param].apply(tmp_path, Context())
    path = tmp_path / MODULES[P05]
    session = WorkerSession(ChildProcess(), path, "mlp")
    yield RemoteModule(session, "mlp")
    session.close()


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
    assert not helpers_are_right(mlp, P05)
    runs = []
    unless_helpers_are_to_blame(mlp, P05, mlp_training(mlp, runs))
    assert len(runs) == 2


@pytest.mark.parametrize("mlp", ["bug_mlp_output_gradient_sign", "bug_mlp_missing_hidden_derivative"], indirect=True)
def test_a_grad_loss_bug_still_fails_training_unretried(mlp):
    assert helpers_are_right(mlp, P05)  # forward, sigmoid and dsigmoid are right: the failure is grad_loss's
    runs = []
    with pytest.raises(AssertionError, match="another"):
        unless_helpers_are_to_blame(mlp, P05, mlp_training(mlp, runs))
    assert len(runs) == 1


@pytest.mark.parametrize("mlp", [None], indirect=True)
def test_a_passing_05_run_is_run_once_and_pins_nothing(mlp):
    runs = []
    unless_helpers_are_to_blame(mlp, P05, mlp_training(mlp, runs))
    assert len(runs) == 1 and mlp._session.pins == {}


@pytest.mark.parametrize("mlp", ["bug_mlp_forward_without_sigmoid"], indirect=True)
def test_a_computed_method_pin_answers_each_object_from_its_parameters_at_the_call(mlp):
    method = METHODS[P05]["NeuralNet.forward"]
    mlp._pin_computed("NeuralNet.forward", method.formula, reads=method.reads)
    X = np.random.default_rng(4).normal(size=(5, 3))
    models = [mlp.NeuralNet(3, 4, 2) for _ in range(2)]
    for scale, model in zip([1.0, -3.0], models):
        for name, value in method.attributes.items():
            setattr(model, name, scale * value)
    mlp._sgd(models[1], X, np.arange(5) % 2, 1, 0.5)  # its parameters move in the worker, not by the test
    for model in models:
        parameters = {name: np.asarray(getattr(model, name)) for name in MLP_NAMES}
        np.testing.assert_allclose(model.forward(X), mlp_forward(parameters, X), rtol=1e-12)
        for got, expected in zip(model.forward(X, keep_activations=True), mlp_forward(parameters, X, True)):
            np.testing.assert_allclose(got, expected, rtol=1e-12)
