"""Hidden tests of 06_backprop: the student's functions against the reference on fresh inputs.

``sigmoid_prime``, ``backprop_step``, ``two_layer_gradients`` and the ``Sigmoid`` class
are tested with ``sigmoid``, ``sigmoid_prime`` and ``error_term_formula`` pinned to the
reference, so one bug costs points once. Every gradient (both weight matrices of
``backprop_step``, all four parameters of ``two_layer_gradients``, ``MSE.diff``) is
also checked against central differences of the reference's loss, on shapes where
no two sizes are alike. Inputs come from ``rng``, seeded per student.

Catalogue bugs these tests kill (``examples/catalogue.py``): every bug of 06_backprop, among them
bug_relu_in_place, bug_relu_diff_in_place, bug_backprop_sigmoid_clips_in_place, bug_mse_diff_in_place and
bug_backprop_step_scales_x_in_place (only the in-place test sees these), bug_train_xor_ignores_seed (only the
seed test sees it) and bug_train_xor_ignores_hidden_size.
"""
import numpy as np
import pytest

from autograder.testing.gradcheck import numerical_gradient
from autograder.testing import as_array, assert_close, assert_gradient, assert_not_mutated, assert_true
from autograder.testing import sigmoid as sigmoid_checks
from autograder.testing.helper_bugs import unless_helpers_are_to_blame
from autograder.testing.one_call_training import assert_trains_by_its_own_gradient

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_LABELS = np.array([0, 1, 1, 0])
XOR_Y = XOR_LABELS[:, None].astype(float)
# The gradient checks draw from this fixed seed, not from the per-student rng: a relative-error bar of 1e-6
# needs every entry of the gradient well away from 0 (a sum over samples can come arbitrarily close to it, and
# central differences are off by ~1e-11), which these inputs are and a fresh draw cannot promise.
GRADIENT_CHECK_SEED = 20261219
PRE_ACTIVATION_HINT = "the derivative takes the PRE-activation z: sigmoid(z) * (1 - sigmoid(z)), not z * (1 - z)"


def method(student, obj, cls, name, *args):
    """``obj.name(*args)`` for an object of the class ``cls`` in the worker (also for ``__call__``)."""
    return getattr(student, f"{cls}.{name}")(obj, *args)


def pin_units(student, reference, *pre_activations, derivative=True):
    """Pin ``sigmoid`` (and ``sigmoid_prime``) at these pre-activations to the reference."""
    student._pin("sigmoid", [((z,), {}, reference.sigmoid(z)) for z in pre_activations])
    if derivative:
        student._pin("sigmoid_prime", [((z,), {}, reference.sigmoid_prime(z)) for z in pre_activations])


def scale_hint(analytic, numeric, candidates, default):
    """The hint of the first ``(factor, hint)`` such that ``analytic`` is ``factor`` times the true gradient."""
    analytic = np.asarray(analytic, dtype=float)
    for factor, hint in candidates:
        if analytic.shape == numeric.shape and np.allclose(analytic, factor * numeric, rtol=1e-4, atol=1e-12):
            return hint
    return default


# Training comes first: it calls two_layer_gradients 2000 times, quicker before other tests pin functions.
@pytest.mark.parametrize("options", [{"seed": 1}, {"seed": 2, "hidden_size": 3}], ids=["seed-1", "seed-2-3-hidden"])
def test_hidden_train_xor_solves_xor(student, trusted_helpers, reference, options):
    hidden = options.get("hidden_size", 4)

    def run():
        result = student.train_xor(**options)
        assert_true(isinstance(result, (tuple, list)) and len(result) == 4, "train_xor should return (W1, b1, W2, b2)")
        W1, b1 = as_array(result[0], "W1", (2, hidden)), as_array(result[1], "b1", (hidden,))
        W2, b2 = as_array(result[2], "W2", (hidden, 1)), as_array(result[3], "b2", (1,))
        output = reference.sigmoid(reference.sigmoid(XOR_X @ W1 + b1) @ W2 + b2)[:, 0]
        assert_true(np.all(np.isfinite(output)) and np.array_equal(output > 0.5, XOR_LABELS == 1),
                    f"the network trained by train_xor({', '.join(f'{k}={v}' for k, v in options.items())}) does not "
                    "classify all four XOR points", hint="use hidden_size and seed; step every parameter against its "
                                                         "gradient, parameter - learning_rate * gradient")
        # What is graded must be what its own gradient trains: called again in a fresh worker, train_xor must take
        # steps of the student's two_layer_gradients (a refit or a memorised network is tamper evidence).
        network = {key: value for key, value in options.items() if key != "seed"}  # (the check draws its own seed)
        assert_trains_by_its_own_gradient(student, "train_xor", network, ("W1", "b1", "W2", "b2"),
                                          trained_by_two_layer_gradients, "two_layer_gradients")

    unless_helpers_are_to_blame(student, trusted_helpers, run)  # a helper's bug costs its own tests only


def trained_by_two_layer_gradients(module, parameters):
    """The student's two_layer_gradients on the four XOR points (computed here, not read off the module) at
    ``parameters``, asked of ``module``."""
    return module.two_layer_gradients(XOR_X, XOR_Y, *parameters)


# The seed decides the initial weights, which a few epochs show as well as the default 2,000 (three whole
# trainings cost more than all of 06's other tests together); training to a solution is the tests above.
SEED_TEST_EPOCHS = 10


def test_hidden_train_xor_uses_its_seed(student):
    """The same seed gives the same network, another seed another one (the contract: default_rng(seed))."""
    first, again, other = (student.train_xor(seed=seed, epochs=SEED_TEST_EPOCHS) for seed in (5, 5, 6))
    for result in (first, again, other):
        assert_true(isinstance(result, (tuple, list)) and len(result) == 4, "train_xor should return (W1, b1, W2, b2)")
    W1, W1_again, W1_other = (as_array(result[0], "W1", (2, 4)) for result in (first, again, other))
    call = f"train_xor(seed=5, epochs={SEED_TEST_EPOCHS})"
    assert_true(np.array_equal(W1, W1_again), f"{call} gave two different networks",
                hint="draw the initial weights from np.random.default_rng(seed) only")
    assert_true(not np.allclose(W1, W1_other), f"{call} and train_xor(seed=6, epochs={SEED_TEST_EPOCHS}) gave the "
                "same network", hint="seed the initial weights with np.random.default_rng(seed), the seed passed in")


@pytest.mark.parametrize("case", sigmoid_checks.FRESH_CASES)
def test_hidden_sigmoid_matches_reference(student, reference, bars, rng, case):
    x = sigmoid_checks.fresh_inputs(rng, case, bars["sigmoid_extreme"])
    assert_close(student.sigmoid(x), reference.sigmoid(x), f"sigmoid ({case})", rtol=bars["rtol"],
                 hint=sigmoid_checks.KNOWN_HINT,
                 nonfinite_hint=sigmoid_checks.EXTREME_HINT if case.startswith("extreme") else None)


@pytest.mark.parametrize("case", ["vector", "matrix", "list", "extreme"])
def test_hidden_sigmoid_prime_matches_reference(student, reference, bars, rng, case):
    big = bars["sigmoid_extreme"]
    x = {
        "vector": rng.normal(scale=2, size=7),
        "matrix": rng.normal(scale=4, size=(3, 5)),
        "list": rng.normal(size=4).tolist(),
        "extreme": np.array([-big, big, -30.0, 30.0]),
    }[case]
    pin_units(student, reference, np.asarray(x), derivative=False)
    assert_close(student.sigmoid_prime(x), reference.sigmoid_prime(x), f"sigmoid_prime ({case})", rtol=bars["rtol"],
                 hint=PRE_ACTIVATION_HINT)


@pytest.mark.parametrize("case", ["scalar", "vector", "lists", "matrix"])
def test_hidden_error_term_formula_matches_reference(student, reference, bars, rng, case):
    y, output = rng.uniform(0, 1, size=6).round(), rng.uniform(0.01, 0.99, size=6)
    if case == "scalar":
        y, output = float(y[0]), float(output[0])
    elif case == "lists":
        y, output = y.tolist(), output.tolist()
    elif case == "matrix":
        y, output = y.reshape(2, 3), output.reshape(2, 3)
    assert_close(student.error_term_formula(y, output), reference.error_term_formula(y, output),
                 f"error_term_formula ({case})", rtol=bars["rtol"],
                 hint="(y - output) * output * (1 - output), elementwise")


def step_case(rng, case):
    """(x, target, weights_input_hidden, weights_hidden_output, learnrate) of a backprop_step case."""
    n_in, n_hidden, target, learnrate = {"5-in-3-hidden": (5, 3, 0.8, 0.5), "2-in-6-hidden-lists": (2, 6, 0.1, 0.1),
                                         "4-in-4-hidden-target-0": (4, 4, 0.0, 2.0), "1-in-5-hidden": (1, 5, 0.9, 1.0),
                                         "gradient": (5, 3, 0.3, 0.25), "mutation": (3, 2, 1.0, 0.5)}[case]
    return (rng.normal(size=n_in), target, rng.normal(scale=0.8, size=(n_in, n_hidden)),
            rng.normal(scale=0.8, size=n_hidden), learnrate)


def pin_step(student, reference, x, target, W1, W2):
    """Pin sigmoid, sigmoid_prime and error_term_formula along a correct backprop_step to the reference."""
    hidden_in = x @ W1
    output_in = reference.sigmoid(hidden_in) @ W2
    pin_units(student, reference, hidden_in, output_in)
    output = reference.sigmoid(output_in)
    student._pin("error_term_formula", [((target, output), {}, reference.error_term_formula(target, output))])


def call_step(student, x, target, W1, W2, learnrate, lists=False):
    args = (x.tolist(), target, W1.tolist(), W2.tolist()) if lists else (x, target, W1, W2)
    result = student.backprop_step(*args, learnrate)
    assert_true(isinstance(result, (tuple, list)) and len(result) == 2,
                "backprop_step should return (delta_w_i_h, delta_w_h_o)")
    return as_array(result[0], "delta_w_i_h", W1.shape), as_array(result[1], "delta_w_h_o", W2.shape)


@pytest.mark.parametrize("case", ["5-in-3-hidden", "2-in-6-hidden-lists", "4-in-4-hidden-target-0", "1-in-5-hidden"])
def test_hidden_backprop_step_matches_reference(student, reference, bars, rng, case):
    x, target, W1, W2, learnrate = step_case(rng, case)
    pin_step(student, reference, x, target, W1, W2)
    changes = call_step(student, x, target, W1, W2, learnrate, lists=case.endswith("lists"))
    expected = reference.backprop_step(x, target, W1, W2, learnrate)
    hints = ["the hidden error term is the output error term times the outgoing weight times the sigmoid's slope at "
             "the hidden unit; delta_w_i_h = learnrate * outer(x, hidden error term)",
             "delta_w_h_o = learnrate * output error term * hidden outputs"]
    for name, change, wanted, hint in zip(["delta_w_i_h", "delta_w_h_o"], changes, expected, hints):
        assert_close(change, wanted, f"{name} ({case})", rtol=bars["rtol"], hint=hint)


@pytest.mark.parametrize("which", ["weights_input_hidden", "weights_hidden_output"])
def test_hidden_backprop_step_gradient_check(student, reference, bars, which):
    x, target, W1, W2, learnrate = step_case(np.random.default_rng(GRADIENT_CHECK_SEED), "gradient")
    pin_step(student, reference, x, target, W1, W2)
    changes = call_step(student, x, target, W1, W2, learnrate)
    weights = {"weights_input_hidden": W1.copy(), "weights_hidden_output": W2.copy()}
    change = changes[0 if which == "weights_input_hidden" else 1]

    def loss():
        output = reference.sigmoid(reference.sigmoid(x @ weights["weights_input_hidden"])
                                   @ weights["weights_hidden_output"])
        return 0.5 * (target - output) ** 2

    numeric = numerical_gradient(loss, weights[which])
    hint = scale_hint(change, numeric, [(-1.0, "the weight changes include the learning rate: learnrate * error term "
                                               "* input"),
                                        (learnrate, "the weight changes go downhill, against the gradient")],
                      "forward through both layers, then the output error term, the hidden error terms (times the "
                      "sigmoid's slope at each hidden unit), and learnrate * error term * input")
    assert_gradient(-change / learnrate, loss, weights[which], f"the change of {which} (divided by -learnrate)",
                    bars["gradient_relative_error"], hint=hint)


def batch_case(rng, n, d, h, k):
    X, W1, b1 = rng.normal(size=(n, d)), rng.normal(size=(d, h)), rng.normal(scale=0.5, size=h)
    W2, b2 = rng.normal(size=(h, k)), rng.normal(scale=0.5, size=k)
    return {"X": X, "Y": rng.uniform(0, 1, size=(n, k)), "W1": W1, "b1": b1, "W2": W2, "b2": b2}


def pin_batch(student, reference, a):
    Z1 = a["X"] @ a["W1"] + a["b1"]
    pin_units(student, reference, Z1, reference.sigmoid(Z1) @ a["W2"] + a["b2"])


def call_gradients(student, a, lists=False):
    names = ["X", "Y", "W1", "b1", "W2", "b2"]
    grads = student.two_layer_gradients(*(a[name].tolist() if lists else a[name] for name in names))
    assert_true(isinstance(grads, dict) and {"W1", "b1", "W2", "b2"} <= set(grads),
                "two_layer_gradients should return a dict with the keys W1, b1, W2, b2")
    return grads


BATCH_HINTS = {
    "W1": "back through the hidden layer: dZ1 = (dZ2 @ W2.T) times the sigmoid's slope at Z1, then X.T @ dZ1",
    "b1": "the bias gradient sums dZ1 over the samples (rows)",
    "W2": "dW2 = A1.T @ dZ2, with dZ2 = (A2 - Y) / n times the sigmoid's slope at Z2",
    "b2": "the bias gradient sums dZ2 over the samples (rows)",
}


@pytest.mark.parametrize("case", ["7-samples", "one-sample", "lists", "wide-input"])
def test_hidden_two_layer_gradients_matches_reference(student, reference, bars, rng, case):
    a = batch_case(rng, *{"7-samples": (7, 3, 5, 2), "one-sample": (1, 4, 3, 2), "lists": (4, 2, 3, 1),
                               "wide-input": (3, 8, 2, 4)}[case])
    pin_batch(student, reference, a)
    grads = call_gradients(student, a, lists=case == "lists")
    expected = reference.two_layer_gradients(a["X"], a["Y"], a["W1"], a["b1"], a["W2"], a["b2"])
    for name in ["W2", "b2", "W1", "b1"]:
        assert_close(grads[name], expected[name], f"the gradient of {name} ({case})", rtol=bars["rtol"],
                     hint=BATCH_HINTS[name])


@pytest.mark.parametrize("parameter", ["W1", "b1", "W2", "b2"])
def test_hidden_two_layer_gradients_gradient_check(student, reference, bars, parameter):
    a = batch_case(np.random.default_rng(GRADIENT_CHECK_SEED), 6, 3, 5, 2)
    pin_batch(student, reference, a)
    analytic = as_array(call_gradients(student, a)[parameter], f"the gradient of {parameter}", a[parameter].shape)
    n = len(a["X"])

    def loss():
        output = reference.sigmoid(reference.sigmoid(a["X"] @ a["W1"] + a["b1"]) @ a["W2"] + a["b2"])
        return 0.5 * np.sum((output - a["Y"]) ** 2) / n

    numeric = numerical_gradient(loss, a[parameter])
    hint = scale_hint(analytic, numeric, [(n, "divide by the number of samples n (the loss is a mean over the batch)"),
                                          (1 / n, "divide by n exactly once: dZ2 already holds the 1/n, so the "
                                                  "biases' gradients SUM over the rows, they do not average"),
                                          (-1.0, "a sign: the error is (A2 - Y)")],
                      BATCH_HINTS[parameter])
    assert_gradient(analytic, loss, a[parameter], f"the gradient of {parameter}", bars["gradient_relative_error"], hint=hint)


@pytest.mark.parametrize("function", ["backprop_step", "two_layer_gradients", "sigmoid", "sigmoid_prime",
                                      "error_term_formula", "ReLU.__call__", "ReLU.diff", "Sigmoid.__call__",
                                      "Sigmoid.diff", "MSE.__call__", "MSE.diff"])
def test_hidden_inputs_not_mutated(student, reference, rng, function):
    """Inputs a clip (of huge pre-activations, of outputs near 0 and 1), a ReLU or a subtraction done in
    place would change."""
    if function == "sigmoid":
        z = sigmoid_checks.mutation_input(rng)
        _, mutated = student.sigmoid.call_tracking_mutation(z)
        names = ["x"]
    elif function == "error_term_formula":
        y, output = np.array([1.0, 0.0, 1.0, 0.0]), np.array([1e-12, 1 - 1e-12, 0.7, 0.2])
        _, mutated = student.error_term_formula.call_tracking_mutation(y, output)
        names = ["y", "output"]
    elif function == "backprop_step":
        x, target, W1, W2, learnrate = step_case(rng, "mutation")
        pin_step(student, reference, x, target, W1, W2)
        _, mutated = student.backprop_step.call_tracking_mutation(x, target, W1, W2, learnrate)
        names = ["x", "target", "weights_input_hidden", "weights_hidden_output", "learnrate"]
    elif function == "two_layer_gradients":
        a = batch_case(rng, 3, 2, 4, 1)
        pin_batch(student, reference, a)
        names = ["X", "Y", "W1", "b1", "W2", "b2"]
        _, mutated = student.two_layer_gradients.call_tracking_mutation(*(a[name] for name in names))
    elif function == "sigmoid_prime":
        z = rng.normal(size=(2, 3))
        pin_units(student, reference, z, derivative=False)
        _, mutated = student.sigmoid_prime.call_tracking_mutation(z)
        names = ["x"]
    else:  # a method, called through its class with the object first
        cls = function.split(".")[0]
        args = [rng.normal(size=(3, 2)) for _ in range(2 if cls == "MSE" else 1)]
        if cls == "Sigmoid":
            args = [sigmoid_checks.mutation_input(rng)]
            pin_units(student, reference, args[0])
        elif cls == "ReLU":
            # A zero, a negative and a positive entry whatever the draw (all five drawn entries are positive
            # once in 32 draws): a ReLU or its slope written in place changes the caller's array.
            args[0][0] = (0.0, -abs(args[0][0, 1]) - 0.5)
            args[0][1, 0] = abs(args[0][1, 0]) + 0.5
        _, mutated = getattr(student, function).call_tracking_mutation(getattr(student, cls)(), *args)
        names = ["self", "true", "pred"] if cls == "MSE" else ["self", "x"]
    assert_not_mutated(mutated, names, function)


@pytest.mark.parametrize("cls, name", [("ReLU", "__call__"), ("ReLU", "diff"), ("Sigmoid", "__call__"),
                                       ("Sigmoid", "diff")])
@pytest.mark.parametrize("kind", ["matrix", "list"])
def test_hidden_activation_classes_match_reference(student, reference, bars, rng, cls, name, kind):
    x = rng.normal(scale=3, size=(3, 5))
    x[0, 1] = x[2, 2] = 0.0  # the kink of ReLU, where its slope is 0
    if cls == "Sigmoid":
        x[1, 0], x[1, 3] = -100 * bars["sigmoid_extreme"], 100 * bars["sigmoid_extreme"]
    if cls == "Sigmoid":
        pin_units(student, reference, x)
    if kind == "list":
        x = x.tolist()
    got = method(student, getattr(student, cls)(), cls, name, x)
    expected = getattr(getattr(reference, cls)(), name)(x)
    hints = {("ReLU", "__call__"): "max(0, x) elementwise (np.maximum)",
             ("ReLU", "diff"): "the slope at the input x: 1 where x > 0, else 0",
             ("Sigmoid", "__call__"): "the sigmoid of x, elementwise",
             ("Sigmoid", "diff"): "the slope at the INPUT x: sigmoid(x) * (1 - sigmoid(x)), not x * (1 - x)"}
    what = f"{cls}()(x)" if name == "__call__" else f"{cls}().{name}(x)"
    assert_close(got, expected, f"{what} ({kind})", rtol=bars["rtol"], hint=hints[cls, name])


@pytest.mark.parametrize("shape, kind", [((4, 3), "array"), ((6,), "list")], ids=["matrix", "list"])
def test_hidden_mse_matches_reference(student, reference, bars, rng, shape, kind):
    true, pred = rng.normal(size=shape), rng.normal(size=shape)
    if kind == "list":
        true, pred = true.tolist(), pred.tolist()
    assert_close(method(student, student.MSE(), "MSE", "__call__", true, pred), reference.MSE()(true, pred),
                 f"MSE()(true, pred) ({kind})", rtol=bars["rtol"],
                 hint="the mean (not the sum) of the squared differences, over every entry")


def test_hidden_mse_diff_gradient_check(student, reference, bars):
    rng = np.random.default_rng(GRADIENT_CHECK_SEED)  # fixed, as every gradient check's (see GRADIENT_CHECK_SEED)
    true, pred = rng.normal(size=(2, 5)), rng.normal(size=(2, 5))
    gradient = method(student, student.MSE(), "MSE", "diff", true, pred)
    assert_gradient(gradient, lambda: reference.MSE()(true, pred), pred, "MSE().diff(true, pred)",
                    bars["gradient_relative_error"],
                    hint="the gradient with respect to pred: 2 * (pred - true) divided by the number of entries")
