"""The student stubs are generated from the solutions, complete, and stub every graded body."""
import ast
import inspect
import textwrap

import pytest
from conftest import REPO, load_solution, load_stub

from autograder.generate import stale_files
from autograder.runner.fingerprints import DERIVED
from autograder.generate.module import render_stub_module
from autograder.generate.source import SolutionSource

# What EXERCISES.md asks of each module: the graded names, then the given ones.
GRADED = {
    "perceptron": ["xor", "stepFunction", "prediction", "perceptronStep", "trainPerceptronAlgorithm"],
    "softmax": ["one_hot", "softmax", "nll", "cross_entropy"],
    "gradient_descent": ["sigmoid", "output_formula", "error_formula", "update_weights"],
    "logistic_regression": [f"LogisticRegression.{name}" for name in
                            ["forward", "predict", "grad_loss", "train", "loss", "accuracy"]],
    "mlp": ["sigmoid", "dsigmoid"] + [f"NeuralNet.{name}" for name in
                                      ["forward", "grad_loss", "train", "predict", "loss", "accuracy"]],
    "backprop": ["sigmoid", "sigmoid_prime", "error_term_formula", "backprop_step", "two_layer_gradients",
                 "train_xor", "Sigmoid.__call__", "Sigmoid.diff", "ReLU.__call__", "ReLU.diff",
                 "MSE.__call__", "MSE.diff"],
    "training": ["minibatches", "relu", "relu_prime", "momentum_step", "dropout", "fit"]
                + [f"RegularizedMLP.{name}" for name in ["forward", "loss", "grad_loss", "predict", "accuracy"]],
    "regression": ["NeuralNetwork.run", "NeuralNetwork.train", "deep_gradients", "mse", "r2_score"],
}
GIVEN = {
    "perceptron": ["AND_WEIGHTS", "OR_WEIGHTS", "NOT_WEIGHTS"],
    "softmax": ["EPSILON"],
    "gradient_descent": ["train"],
    "logistic_regression": ["one_hot", "softmax", "nll", "LogisticRegression.__init__"],
    "mlp": ["one_hot", "softmax", "nll", "NeuralNet.__init__"],
    "backprop": [],
    "training": ["EPSILON", "PARAMETERS", "one_hot", "softmax", "nll", "RegularizedMLP.__init__"],
    "regression": ["sigmoid", "relu", "as_rows", "NeuralNetwork.__init__", "train_network", "deep_forward",
                   "train_deep"],
}
TOP_LEVEL_GRADED = {"perceptron": ["AND_WEIGHTS", "OR_WEIGHTS", "NOT_WEIGHTS"]}


def lookup(module, dotted):
    value = module
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


def test_committed_stubs_are_what_the_generator_writes():
    assert stale_files(REPO, derived=DERIVED) == [], "run `autograder generate` and commit the result"


@pytest.mark.parametrize("module", GRADED)
@pytest.mark.parametrize("load", [load_solution, load_stub], ids=["solution", "stub"])
def test_every_contract_name_exists(module, load):
    loaded = load(module)
    for name in GRADED[module] + GIVEN[module]:
        assert callable(lookup(loaded, name)) or name.isupper(), name


@pytest.mark.parametrize("module", GRADED)
def test_solution_regions_are_exactly_the_graded_bodies(module):
    source = SolutionSource.read(load_solution(module).__file__)
    owners = [region.owner for region in source.regions if region.owner]
    assert sorted(owners) == sorted(GRADED[module])
    assigned = [name for region in source.regions if not region.owner for name in region.assigned_names()]
    assert assigned == TOP_LEVEL_GRADED.get(module, [])


@pytest.mark.parametrize("module", GRADED)
def test_every_graded_body_of_the_stub_only_raises_not_implemented(module):
    stub = load_stub(module)
    for name in GRADED[module]:
        body = ast.parse(textwrap.dedent(inspect.getsource(lookup(stub, name)))).body[0].body
        statements = [node for node in body if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
        assert len(statements) == 1 and isinstance(statements[0], ast.Raise), name
        assert statements[0].exc.func.id == "NotImplementedError", name
    for name in TOP_LEVEL_GRADED.get(module, []):
        assert getattr(stub, name) is None


def test_a_stub_raises_with_a_pointer_to_the_work():
    with pytest.raises(NotImplementedError, match=r"softmax: subtract each row's max"):
        load_stub("softmax").softmax([1.0, 2.0])


def write_source(tmp_path, text):
    path = tmp_path / "module.py"
    path.write_text(text)
    return path


def test_module_level_region_becomes_none_assignments(tmp_path):
    source = SolutionSource.read(write_source(tmp_path, "### BEGIN SOLUTION: pick\nA = 1\nB, = (2,)\n### END SOLUTION\n"))
    assert render_stub_module(source) == "# YOUR CODE HERE: pick\nA = None\n"


@pytest.mark.parametrize(
    "text, message",
    [
        ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", "never closed"),
        ("def f():\n    ### END SOLUTION\n    return 1\n", r"module.py:2: ### END SOLUTION without"),
        ("def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n    pass\n", "module.py:3: .* inside"),
    ],
)
def test_unbalanced_markers_are_reported_with_their_line(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        SolutionSource.read(write_source(tmp_path, text))
