"""Every analytic gradient of the reference passes a float64 central-difference check."""
import numpy as np
import pytest
from conftest import load_solution

from autograder.testing.gradcheck import numerical_gradient, relative_error

BAR = 1e-6


def gradient_cases():
    """Yield ``(case id, analytic gradients, loss(), parameters)``; loss reads the parameters afresh."""
    rng = np.random.default_rng(0)

    gradient_descent = load_solution("gradient_descent")
    x, y, weights, bias, learnrate = rng.normal(size=3), 1, rng.normal(size=3), np.array(0.3), 0.1
    new_weights, new_bias = gradient_descent.update_weights(x, y, weights.copy(), float(bias), learnrate)
    yield (
        "update_weights",
        {"weights": (weights - new_weights) / learnrate, "bias": (bias - new_bias) / learnrate},
        lambda x=x, weights=weights, bias=bias: gradient_descent.error_formula(
            y, gradient_descent.output_formula(x, weights, bias)
        ),
        {"weights": weights, "bias": bias},
    )

    for module_name, class_name, sizes in [
        ("logistic_regression", "LogisticRegression", (7, 4)),
        ("mlp", "NeuralNet", (7, 5, 4)),
    ]:
        module = load_solution(module_name)
        np.random.seed(1)
        model = getattr(module, class_name)(*sizes)
        parameters = {name: rng.uniform(-1, 1, size=value.shape) for name, value in vars(model).items()
                      if isinstance(value, np.ndarray)}
        vars(model).update(parameters)
        x, label = rng.normal(size=sizes[0]), 2
        yield (
            f"{class_name}.grad_loss",
            model.grad_loss(x, label),
            lambda model=model, x=x, label=label: -np.log(model.forward(x)[label]),
            parameters,
        )

    backprop = load_solution("backprop")
    x, target, learnrate = rng.normal(size=3), 0.7, 0.5
    w_i_h, w_h_o = rng.normal(size=(3, 4)), rng.normal(size=4)
    delta_w_i_h, delta_w_h_o = backprop.backprop_step(x, target, w_i_h, w_h_o, learnrate)

    def squared_error():
        output = backprop.sigmoid(backprop.sigmoid(x @ w_i_h) @ w_h_o)
        return 0.5 * (target - output) ** 2

    yield (
        "backprop_step",
        {"w_i_h": -delta_w_i_h / learnrate, "w_h_o": -delta_w_h_o / learnrate},
        squared_error,
        {"w_i_h": w_i_h, "w_h_o": w_h_o},
    )

    X, Y = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
    parameters = {"W1": rng.normal(size=(3, 4)), "b1": rng.normal(size=4),
                  "W2": rng.normal(size=(4, 2)), "b2": rng.normal(size=2)}

    def batch_squared_error():
        hidden = backprop.sigmoid(X @ parameters["W1"] + parameters["b1"])
        output = backprop.sigmoid(hidden @ parameters["W2"] + parameters["b2"])
        return 0.5 * np.sum((output - Y) ** 2) / len(X)

    yield "two_layer_gradients", backprop.two_layer_gradients(X, Y, **parameters), batch_squared_error, parameters

    true, pred = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    yield "MSE.diff", {"pred": backprop.MSE().diff(true, pred)}, lambda: backprop.MSE()(true, pred), {"pred": pred}

    mlp = load_solution("mlp")
    z = rng.normal(scale=3, size=(4, 3))
    z[np.abs(z) < 0.1] = 0.5  # ReLU has no derivative at 0
    for name, function, derivative in [
        ("mlp.dsigmoid", mlp.sigmoid, mlp.dsigmoid),
        ("backprop.sigmoid_prime", backprop.sigmoid, backprop.sigmoid_prime),
        ("Sigmoid.diff", backprop.Sigmoid(), backprop.Sigmoid().diff),
        ("ReLU.diff", backprop.ReLU(), backprop.ReLU().diff),
        ("training.relu_prime", load_solution("training").relu, load_solution("training").relu_prime),
    ]:
        yield name, {"z": derivative(z)}, lambda function=function, z=z: np.sum(function(z)), {"z": z}


def regularized_mlp_cases(rng):
    """RegularizedMLP.grad_loss without and with L2, and with a dropout mask drawn by a seeded generator."""
    training = load_solution("training")
    for l2, p_drop in [(0.0, 0.0), (0.3, 0.0), (0.3, 0.5)]:
        model = training.RegularizedMLP(6, 5, 4, l2=l2, p_drop=p_drop)
        parameters = {"W_h": rng.normal(scale=0.5, size=(6, 5)), "b_h": rng.uniform(0.2, 0.6, size=5),
                      "W_o": rng.normal(scale=0.5, size=(5, 4)), "b_o": rng.normal(size=4)}
        vars(model).update(parameters)
        while True:  # inputs whose hidden pre-activations keep clear of ReLU's kink
            X = rng.normal(size=(7, 6))
            if np.min(np.abs(X @ parameters["W_h"] + parameters["b_h"])) > 0.01:
                break
        y = rng.integers(0, 4, size=7)
        mask = np.random.default_rng(11).random((7, 5)) >= p_drop if p_drop else None

        def loss(model=model, X=X, y=y, mask=mask):
            hidden = np.maximum(X @ model.W_h + model.b_h, 0.0)
            if mask is not None:
                hidden = hidden * mask / (1 - model.p_drop)
            scores = hidden @ model.W_o + model.b_o
            log_probabilities = scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))
            penalty = 0.5 * model.l2 * (np.sum(model.W_h ** 2) + np.sum(model.W_o ** 2))
            return -np.mean(log_probabilities[np.arange(len(y)), y]) + penalty

        yield (f"RegularizedMLP.grad_loss[l2={l2:g}, p_drop={p_drop:g}]",
               model.grad_loss(X, y, np.random.default_rng(11)), loss, parameters)


def regression_cases(rng):
    """deep_gradients at one to four hidden layers, and the bike-sharing network's step as a gradient."""
    regression = load_solution("regression")
    for depth in range(1, 5):
        sizes = [4] + [5] * depth + [2]
        weights = [rng.normal(scale=np.sqrt(2 / m), size=(m, k)) for m, k in zip(sizes, sizes[1:])]
        biases = [rng.uniform(0.1, 0.5, size=k) for k in sizes[1:]]
        while True:
            X = rng.normal(size=(6, sizes[0]))
            activation, clear = X, True
            for layer, (W, b) in enumerate(zip(weights, biases)):
                z = activation @ W + b
                clear = clear and (layer == depth or np.min(np.abs(z)) > 0.01)
                activation = np.maximum(z, 0.0)
            if clear:
                break
        Y = rng.normal(size=(6, 2))
        grads_w, grads_b = regression.deep_gradients(X, Y, weights, biases)
        parameters = {**{f"W{layer}": W for layer, W in enumerate(weights)},
                      **{f"b{layer}": b for layer, b in enumerate(biases)}}
        analytic = {**{f"W{layer}": g for layer, g in enumerate(grads_w)},
                    **{f"b{layer}": g for layer, g in enumerate(grads_b)}}
        yield (f"deep_gradients[{depth} hidden layers]", analytic,
               lambda X=X, Y=Y, weights=weights, biases=biases: regression.mse(
                   Y, regression.deep_forward(X, weights, biases)), parameters)

    network = regression.NeuralNetwork(4, 3, 2, 0.5)
    parameters = {"w_i_h": rng.normal(size=(4, 3)), "w_h_o": rng.normal(size=(3, 2))}
    network.weights_input_to_hidden, network.weights_hidden_to_output = parameters["w_i_h"], parameters["w_h_o"]
    X, targets = rng.normal(size=(5, 4)), rng.normal(size=(5, 2))
    network.train(X, targets)  # assigns new arrays: the parameters above stay as they were
    yield ("NeuralNetwork.train",
           {"w_i_h": (parameters["w_i_h"] - network.weights_input_to_hidden) / 0.5,
            "w_h_o": (parameters["w_h_o"] - network.weights_hidden_to_output) / 0.5},
           lambda: regression.mse(targets, regression.sigmoid(X @ parameters["w_i_h"]) @ parameters["w_h_o"]),
           parameters)


CASES = list(gradient_cases()) + list(regularized_mlp_cases(np.random.default_rng(7))) + list(
    regression_cases(np.random.default_rng(8)))


@pytest.mark.parametrize("name, analytic, loss, parameters", CASES, ids=[case[0] for case in CASES])
def test_analytic_gradient_matches_central_differences(name, analytic, loss, parameters):
    assert set(analytic) == set(parameters)
    for parameter, value in parameters.items():
        numeric = numerical_gradient(lambda: float(loss()), value)
        assert np.shape(analytic[parameter]) == value.shape, parameter
        error = relative_error(analytic[parameter], numeric)
        assert error < BAR, f"{name}: d/d{parameter} relative error {error:.2e}"


def test_gradient_check_catches_a_wrong_gradient():
    x = np.array([1.0, -2.0, 3.0])
    numeric = numerical_gradient(lambda: float(np.sum(x**2)), x)
    assert relative_error(2 * x, numeric) < BAR
    assert relative_error(x, numeric) > 0.1


def test_gradient_check_leaves_the_point_as_it_was_when_the_loss_raises():
    x = np.array([1.0, -2.0, 3.0])

    def loss():
        if x[1] != -2.0:
            raise ValueError("the loss cannot take this point")
        return float(np.sum(x**2))

    with pytest.raises(ValueError):
        numerical_gradient(loss, x)
    assert x.tolist() == [1.0, -2.0, 3.0]
