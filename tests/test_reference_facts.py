"""The measured facts of EXERCISES.md, reproduced by the reference solutions."""
import itertools

import numpy as np
import pytest
from conftest import load_solution

from backprop_datasets import load_points

BITS = list(itertools.product([0, 1], repeat=2))


@pytest.fixture(scope="module")
def perceptron():
    return load_solution("perceptron")


@pytest.mark.parametrize(
    "name, truth",
    [
        ("AND_WEIGHTS", lambda x1, x2: x1 & x2),
        ("OR_WEIGHTS", lambda x1, x2: x1 | x2),
        ("NOT_WEIGHTS", lambda x1, x2: 1 - x2),
    ],
)
def test_gate_weights_compute_their_gate(perceptron, name, truth):
    w1, w2, bias = getattr(perceptron, name)
    for x1, x2 in BITS:
        assert int(w1 * x1 + w2 * x2 + bias >= 0) == truth(x1, x2), (name, x1, x2)


def test_two_layer_perceptron_computes_xor(perceptron):
    assert [perceptron.xor(x1, x2) for x1, x2 in BITS] == [0, 1, 1, 0]


def test_step_function_counts_the_boundary_as_one(perceptron):
    assert [perceptron.stepFunction(t) for t in (-1e-12, 0.0, 0.0 * -1, 3.0)] == [0, 1, 1, 1]


@pytest.mark.parametrize("seed", range(3))
def test_perceptron_trick_separates_its_data(perceptron, seed):
    X, y = load_points("perceptron")
    np.random.seed(seed)
    W, b = np.random.rand(2, 1), np.random.rand() + X[:, 0].max()
    for _ in range(25):
        W, b = perceptron.perceptronStep(X, y, W, b, 0.01)
    assert [perceptron.prediction(x, W, b) for x in X] == list(y)


@pytest.mark.parametrize("seed", range(3))
def test_trained_boundary_line_separates_the_classes(perceptron, seed):
    X, y = load_points("perceptron")
    np.random.seed(seed)
    lines = perceptron.trainPerceptronAlgorithm(X, y)
    assert len(lines) == 25
    slope, intercept = lines[-1]
    above = X[:, 1] >= slope * X[:, 0] + intercept
    assert np.all(above == y.astype(bool)) or np.all(above != y.astype(bool))


def test_nll_gives_the_published_values():
    softmax = load_solution("softmax")
    assert softmax.nll([1, 0, 0], [0.99, 0.01, 0]) == pytest.approx(0.01005, abs=1e-5)
    assert softmax.nll([1, 0, 0], [0.01, 0.01, 0.98]) == pytest.approx(4.60517, abs=1e-5)


def test_softmax_is_stable_for_huge_scores():
    softmax = load_solution("softmax")
    probabilities = softmax.softmax(np.array([[1e4, 0.0, -1e4], [-1e5, -1e5, -1e5]]))
    np.testing.assert_allclose(probabilities, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]])


@pytest.mark.parametrize("seed", range(3))
def test_logistic_regression_on_points_reaches_0_9(seed):
    gradient_descent = load_solution("gradient_descent")
    X, y = load_points("gradient_descent")
    np.random.seed(seed)
    weights, bias = gradient_descent.train(X, y, epochs=100, learnrate=0.01)
    accuracy = np.mean((gradient_descent.output_formula(X, weights, bias) > 0.5) == y)
    assert accuracy >= 0.9


@pytest.mark.parametrize("seed", range(3))
def test_softmax_regression_one_epoch_reaches_0_93(digits, seed):
    X_train, X_test, y_train, y_test = digits
    logistic_regression = load_solution("logistic_regression")
    np.random.seed(seed)
    model = logistic_regression.LogisticRegression(64, 10)
    for x, label in zip(X_train, y_train):
        model.train(x, label, 0.01)
    assert model.accuracy(X_test, y_test) >= 0.93


@pytest.mark.parametrize("seed", range(2))
def test_mlp_15_epochs_fits_and_generalises(digits, seed):
    X_train, X_test, y_train, y_test = digits
    mlp = load_solution("mlp")
    np.random.seed(seed)
    model = mlp.NeuralNet(64, 10, 10)
    for _ in range(15):
        for x, label in zip(X_train, y_train):
            model.train(x, label, 0.1)
    assert model.loss(X_train, y_train) <= 0.05
    assert model.accuracy(X_test, y_test) >= 0.93


@pytest.mark.parametrize("seed", range(10))
def test_train_xor_solves_xor(seed):
    backprop = load_solution("backprop")
    W1, b1, W2, b2 = backprop.train_xor(seed=seed)
    output = backprop.sigmoid(backprop.sigmoid(backprop.XOR_X @ W1 + b1) @ W2 + b2)
    np.testing.assert_array_equal(output > 0.5, backprop.XOR_Y > 0.5)
