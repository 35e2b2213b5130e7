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
    ]:
        yield name, {"z": derivative(z)}, lambda function=function, z=z: np.sum(function(z)), {"z": z}


CASES = list(gradient_cases())


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
