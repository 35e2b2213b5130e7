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


# The facts themselves, not the grading bars (0.93 and 0.05 in grading.toml, set below the facts so that a
# correct solution clears them with room to spare): the tests fail when the reference drifts from the facts.
@pytest.mark.parametrize("seed", range(3))
def test_softmax_regression_one_epoch_reaches_0_95_to_0_96(digits, seed):
    X_train, X_test, y_train, y_test = digits
    logistic_regression = load_solution("logistic_regression")
    np.random.seed(seed)
    model = logistic_regression.LogisticRegression(64, 10)
    for x, label in zip(X_train, y_train):
        model.train(x, label, 0.01)
    assert 0.95 <= model.accuracy(X_test, y_test) <= 0.96  # measured: 0.952, 0.956, 0.952


@pytest.mark.parametrize("seed", range(2))
def test_mlp_15_epochs_reaches_nll_about_0_02_and_accuracy_0_95_to_0_97(digits, seed):
    X_train, X_test, y_train, y_test = digits
    mlp = load_solution("mlp")
    np.random.seed(seed)
    model = mlp.NeuralNet(64, 10, 10)
    for _ in range(15):
        for x, label in zip(X_train, y_train):
            model.train(x, label, 0.1)
    assert 0.015 <= model.loss(X_train, y_train) <= 0.025  # "about 0.02"; measured 0.0219 and 0.0195
    # EXERCISES.md says 0.95-0.96; the reference measures 0.967 for both seeds (0.956-0.974 over seeds 0-7, 270
    # test digits: one digit is 0.0037), so the band is the contract's widened by 0.01 above, and no further.
    assert 0.95 <= model.accuracy(X_test, y_test) <= 0.97


@pytest.mark.parametrize("seed", range(10))
def test_train_xor_solves_xor(seed):
    backprop = load_solution("backprop")
    W1, b1, W2, b2 = backprop.train_xor(seed=seed)
    output = backprop.sigmoid(backprop.sigmoid(backprop.XOR_X @ W1 + b1) @ W2 + b2)
    np.testing.assert_array_equal(output > 0.5, backprop.XOR_Y > 0.5)


def fit_like_the_bar(training, digits, seed, **changes):
    """07's fit with the settings of its grading.toml on the standard split (last 230 training digits for validation)."""
    X_train, _, y_train, _ = digits
    settings = {"hidden": 64, "l2": 1e-3, "p_drop": 0.2, "epochs": 10, "batch_size": 64, "learning_rate": 0.05,
                "beta": 0.9, "patience": 3, **changes}
    model = training.RegularizedMLP(64, settings["hidden"], 10, l2=settings["l2"], p_drop=settings["p_drop"], seed=seed)
    history = training.fit(model, X_train[:-230], y_train[:-230], X_train[-230:], y_train[-230:], settings["epochs"],
                           settings["batch_size"], settings["learning_rate"], beta=settings["beta"],
                           patience=settings["patience"], seed=seed)
    return model, history


def test_training_beats_the_plain_mlp_on_the_digits(digits):
    """07 with sensible settings (grading.toml's) beats 05's plain MLP, seed for seed, on the standard split."""
    X_train, X_test, y_train, y_test = digits
    training, mlp = load_solution("training"), load_solution("mlp")
    plain = []
    for seed in range(2):
        np.random.seed(seed)
        model = mlp.NeuralNet(64, 10, 10)
        for _ in range(15):
            for x, label in zip(X_train, y_train):
                model.train(x, label, 0.1)
        plain.append(model.accuracy(X_test, y_test))
    better = [fit_like_the_bar(training, digits, seed)[0].accuracy(X_test, y_test) for seed in range(5)]
    assert min(better) >= 0.97 > max(plain), (better, plain)


@pytest.mark.parametrize("seed", range(3))
def test_l2_shrinks_the_weights(digits, seed):
    training = load_solution("training")
    norms = []
    for l2 in (0.0, 1e-3, 1e-2):
        model, _ = fit_like_the_bar(training, digits, seed, l2=l2, p_drop=0.0, epochs=8, patience=8)
        norms.append(np.sum(model.W_h ** 2) + np.sum(model.W_o ** 2))
    assert norms[0] > norms[1] > norms[2], norms


def test_dropout_at_evaluation_is_the_identity():
    training = load_solution("training")
    rng = np.random.default_rng(0)
    A = rng.normal(size=(5, 7))
    generator = np.random.default_rng(1)
    out, mask = training.dropout(A, 0.5, generator, False)
    assert out is A or np.array_equal(out, A)
    assert mask is None and generator.random() == np.random.default_rng(1).random()  # nothing drawn
    model = training.RegularizedMLP(7, 6, 3, p_drop=0.5, seed=2)
    plain = training.RegularizedMLP(7, 6, 3, p_drop=0.0, seed=2)
    np.testing.assert_array_equal(model.forward(A), plain.forward(A))
    assert not np.allclose(model.forward(A, True, np.random.default_rng(3)), plain.forward(A))


@pytest.mark.parametrize("seed", range(3))
def test_early_stopping_keeps_the_best_epoch(digits, seed):
    training = load_solution("training")
    model, history = fit_like_the_bar(training, digits, seed, epochs=30)
    X_train, _, y_train, _ = digits
    best = history["best_epoch"]
    assert history["val_loss"][best] == min(history["val_loss"])
    assert len(history["val_loss"]) == 30 or len(history["val_loss"]) == best + 1 + 3
    assert model.loss(X_train[-230:], y_train[-230:]) == pytest.approx(history["val_loss"][best], rel=1e-12)


def linear_regression_r2(X_train, X_test, y_train, y_test):
    design = np.column_stack([X_train, np.ones(len(X_train))])
    coefficients = np.linalg.lstsq(design, y_train, rcond=None)[0]
    predictions = np.column_stack([X_test, np.ones(len(X_test))]) @ coefficients
    return 1 - np.sum((y_test - predictions) ** 2) / np.sum((y_test - y_test.mean()) ** 2)


@pytest.mark.parametrize("split", [37, 1, 2, 101])
def test_regression_network_comes_close_to_linear_regression(split):
    """08's network (grading.toml's settings) lands within 0.05 of least squares, on several splits and seeds."""
    from backprop_datasets import load_diabetes_split

    regression = load_solution("regression")
    X_train, X_test, y_train, y_test = load_diabetes_split(split)
    baseline = linear_regression_r2(X_train, X_test, y_train, y_test)
    for seed in range(3):
        np.random.seed(seed)
        network = regression.NeuralNetwork(10, 8, 1, 0.3)
        regression.train_network(network, X_train, y_train, 200)
        assert regression.r2_score(y_test, network.run(X_test)) >= baseline - 0.05, (split, seed)


def test_linear_regression_on_the_standard_diabetes_split():
    from backprop_datasets import load_diabetes_split

    regression = load_solution("regression")
    X_train, X_test, y_train, y_test = load_diabetes_split()
    assert linear_regression_r2(X_train, X_test, y_train, y_test) == pytest.approx(0.509, abs=5e-4)
    np.random.seed(0)
    network = regression.NeuralNetwork(10, 8, 1, 0.3)
    regression.train_network(network, X_train, y_train, 200)
    assert regression.r2_score(y_test, network.run(X_test)) == pytest.approx(0.505, abs=5e-3)
