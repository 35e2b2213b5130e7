"""Hidden tests of 07_training: the student's functions and network against the reference on fresh inputs.

Generators are made in the worker (``student._rng(seed)``) and the reference gets its own, seeded
alike, so the tests compare what both draw. The tests set the parameters of the student's network
themselves and pin what the function under test calls to the reference's values (``relu``,
``relu_prime`` and ``dropout`` for ``forward`` and ``grad_loss``, successive dropout calls getting
successive masks; ``forward`` for ``loss``, ``predict``, ``accuracy``, and for ``grad_loss`` without
dropout), so one bug costs the tests of its own function only. ``fit`` is compared with a replay of
the steps it must take, made here with the student's own helpers (or the formulas, when the
student's fit does not call one); a fit test that fails while a helper or method fit calls is wrong
is retried with those answered by the reference (``autograder.testing.helper_bugs``). Training is
judged on a split of the digits that no public test uses, with the classes renamed, so a network
that memorised the public split fails. Inputs and parameters come from ``rng``, seeded per student,
except in two places: the gradient checks draw from ``GRADIENT_CHECK_SEED`` (every gradient entry
clear of 0), and the data of the ``fit`` scenarios are fixed, so that each stops early where it was
written to.

Catalogue bugs these tests kill (``examples/catalogue.py``): every bug of 07_training, between the public and
the hidden tests (each bug's entry lists its tests).
"""
import itertools

import numpy as np
import pytest

from autograder.testing import (
    CheckFailed,
    a_type,
    as_array,
    as_class_indices,
    assert_close,
    assert_gradient,
    assert_not_mutated,
    assert_true,
)
from autograder.testing.fit_steps import assert_fits_by_its_own_steps
from autograder.testing.helper_bugs import unless_helpers_are_to_blame

INPUT, HIDDEN, CLASSES = 9, 6, 4  # all different, and not the public tests' sizes
NAMES = ("W_h", "b_h", "W_o", "b_o")
HIDDEN_SPLIT_SEED = 202  # digits_split(seed) of the training test; never used by a public test
RENAMED_CLASSES = np.array([6, 2, 9, 0, 4, 8, 1, 7, 3, 5])  # digit d is labelled RENAMED_CLASSES[d]
VALIDATION = 230
RNG_SEED = 2026_1124
# The gradient checks draw from this fixed seed, not from the per-student rng: a relative-error bar of 1e-6 needs
# every entry of the gradient well away from 0, which these inputs are and a fresh draw cannot promise (the
# reference failed the dropout case for 1 student id of 25 tried).
GRADIENT_CHECK_SEED = 7_2026_1124


def draw_parameters(rng):
    """A network's parameters, uniform in [-1, 1]."""
    shapes = {"W_h": (INPUT, HIDDEN), "b_h": (HIDDEN,), "W_o": (HIDDEN, CLASSES), "b_o": (CLASSES,)}
    return {name: rng.uniform(-1, 1, size=shape) for name, shape in shapes.items()}


@pytest.fixture
def parameters(rng):
    return draw_parameters(rng)


def models(student, reference, parameters, l2=0.0, p_drop=0.0):
    """The student's RegularizedMLP(9, 6, 4, l2, p_drop) and the reference's twin, both holding ``parameters``."""
    model = student.RegularizedMLP(INPUT, HIDDEN, CLASSES, l2=l2, p_drop=p_drop)
    twin = reference.RegularizedMLP(INPUT, HIDDEN, CLASSES, l2=l2, p_drop=p_drop)
    for name in NAMES:
        setattr(model, name, parameters[name])
        setattr(twin, name, parameters[name])
    return model, twin


def pin_layers(student, reference, twin, X, mask_seed=None):
    """Make relu, relu_prime and dropout answer the reference's values for the hidden layer of ``X``;
    while training, successive dropout calls get the successive masks of a generator seeded ``mask_seed``."""
    z_h = np.asarray(X, dtype=float) @ twin.W_h + twin.b_h
    hidden = reference.relu(z_h)
    student._pin("relu", [((z_h,), {}, hidden)])
    student._pin("relu_prime", [((z_h,), {}, reference.relu_prime(z_h))])
    identity = [((hidden, twin.p_drop, None, False), {}, (hidden, None))]
    if not twin.p_drop:
        identity.append(((hidden, twin.p_drop, None, True), {}, (hidden, None)))
    student._pin("dropout", identity, ignore=("rng",))
    if mask_seed is not None and twin.p_drop:
        generator = np.random.default_rng(mask_seed)
        table = [((hidden, twin.p_drop, None, True), {}, reference.dropout(hidden, twin.p_drop, generator, True))
                 for _ in range(3)]
        student._pin("dropout", table, ignore=("rng",), once=True)


def pin_forward(student, model, twin, *inputs):
    """Make ``model.forward`` answer the reference's evaluation probabilities for ``inputs``."""
    table = []
    for X in inputs:
        X = np.asarray(X, dtype=float)
        for given in (X, X.tolist()):  # the caller may pass its input on as it came
            table += [((given,), {}, twin.forward(X)), ((given, False), {}, twin.forward(X))]
    student._pin("forward", table, target=model, ignore=("rng",))


def take(result, limit, what):
    if isinstance(result, (list, tuple)):
        return list(result)[:limit]
    assert_true(hasattr(result, "_handle"), f"{what} should yield (X_batch, y_batch) pairs, got {a_type(result)}")
    return list(itertools.islice(iter(result), limit))


def as_pair(item, what):
    assert_true(isinstance(item, (tuple, list)) and len(item) == 2, f"{what} should yield pairs (X_batch, y_batch)")
    return item


# The training test comes first in this file: every pin a later test makes adds a little to each call of the
# pinned function for the rest of the run.


def test_hidden_fit_on_an_unseen_split(student, trusted_helpers, reference, bars, digits_split):
    X_train, X_test, y_train, y_test = digits_split(HIDDEN_SPLIT_SEED)
    y_train, y_test = RENAMED_CLASSES[y_train], RENAMED_CLASSES[y_test]
    hidden = bars["hidden_size"]

    def run():
        model = student.RegularizedMLP(64, hidden, 10, l2=bars["l2"], p_drop=bars["p_drop"], seed=3)
        student.fit.with_timeout(60)(
            model, X_train[:-VALIDATION], y_train[:-VALIDATION], X_train[-VALIDATION:], y_train[-VALIDATION:],
            bars["epochs"], bars["batch_size"], bars["learning_rate"], beta=bars["beta"], patience=bars["patience"],
            seed=5)
        trained = reference.RegularizedMLP(64, hidden, 10)
        shapes = {"W_h": (64, hidden), "b_h": (hidden,), "W_o": (hidden, 10), "b_o": (10,)}
        for name, shape in shapes.items():
            setattr(trained, name, as_array(getattr(model, name), f"{name} after fit", shape))
            assert_true(np.all(np.isfinite(getattr(trained, name))), f"fit made {name} NaN or inf")
        accuracy = trained.accuracy(X_test, y_test)  # the reference's accuracy of your trained parameters
        bar = bars["unseen_split_accuracy"]
        assert_true(accuracy >= bar, f"on a split of the digits you have not seen, with the classes renamed, fit "
                                     f"reaches a test accuracy of {accuracy:.3f}, below the bar {bar}",
                    hint="learn from the data fit is given: no stored weights, nothing specific to the public split")
        # What is graded must be what fit's own steps train: called again in a fresh worker for one epoch, fit must
        # take the steps of the student's grad_loss, minibatches and momentum_step (a refit or stored weights is
        # tamper evidence).
        assert_fits_by_its_own_steps(
            student, (64, hidden, 10), {"l2": bars["l2"], "p_drop": bars["p_drop"]},
            (X_train[:-VALIDATION], y_train[:-VALIDATION], X_train[-VALIDATION:], y_train[-VALIDATION:]),
            {key: bars[key] for key in ("batch_size", "learning_rate", "beta", "patience")})

    unless_helpers_are_to_blame(student, trusted_helpers, run)  # a helper's bug costs its own tests only


MINIBATCH_CASES = {"one batch bigger than the data": (5, 8), "batches of one": (4, 1), "last batch of one": (7, 3),
                   "lists": (6, 4), "float32 rows": (11, 5)}


@pytest.mark.parametrize("case", MINIBATCH_CASES)
def test_hidden_minibatches_match_reference(student, reference, rng, case):
    n_samples, batch_size = MINIBATCH_CASES[case]
    X = rng.normal(size=(n_samples, 3)).astype(np.float32 if case == "float32 rows" else float)
    y = rng.permutation(n_samples) + 100
    generator = student._rng(RNG_SEED)
    given = (X.tolist(), y.tolist()) if case == "lists" else (X, y)
    batches = take(student.minibatches(*given, batch_size, generator), n_samples + 1, "minibatches")
    twin_generator = np.random.default_rng(RNG_SEED)
    expected = list(reference.minibatches(X, y, batch_size, twin_generator))
    seen = sorted(int(label) for item in batches for label in np.ravel(as_pair(item, "minibatches")[1]))
    assert_true(seen == sorted(y.tolist()), f"one minibatches call ({case}) should yield every sample exactly once",
                hint="slices of ONE permutation: no sample skipped, none repeated")
    assert_true(len(batches) == len(expected), f"minibatches ({case}) yields {len(batches)} batches, not the number "
                                               "that batch_size gives (the last one may be smaller)")
    for number, ((X_batch, y_batch), (X_expected, y_expected)) in enumerate(zip(batches, expected)):
        assert_close(X_batch, X_expected, f"X_batch {number} ({case})", rtol=1e-6,
                     hint="the rows of rng.permutation(len(X)), batch_size at a time, in that order")
        assert_close(y_batch, y_expected, f"y_batch {number} ({case})", hint="y_batch = y[rows] for the same rows")
    assert_close(generator.random(size=2), twin_generator.random(size=2),
                 f"what the generator draws after minibatches ({case})",
                 hint="exactly one rng.permutation(len(X)) per call, from the rng given")


@pytest.mark.parametrize("case", ["matrix", "list", "scalar", "zeros and tiny values"])
def test_hidden_relu_and_relu_prime_match_reference(student, reference, rng, case):
    z = {"matrix": rng.normal(scale=3, size=(4, 5)), "list": rng.normal(size=7).tolist(), "scalar": -0.5,
         "zeros and tiny values": np.array([0.0, -0.0, 1e-300, -1e-300, 5e-324, 2.0])}[case]
    assert_close(student.relu(z), reference.relu(z), f"relu of {case}", hint="np.maximum(z, 0.0), the shape of z")
    assert_close(student.relu_prime(z), reference.relu_prime(z), f"relu_prime of {case}",
                 hint="1.0 where z > 0 strictly, 0.0 elsewhere (at 0 too), the shape of z")


MOMENTUM_CASES = {"matrix": ((3, 4), 0.9, 0.05), "vector, beta 0.5": ((6,), 0.5, 0.3), "beta 0": ((2, 2), 0.0, 0.1),
                  "lists": ((5,), 0.99, 0.01), "scalars": ((), 0.9, 0.2)}


@pytest.mark.parametrize("case", MOMENTUM_CASES)
def test_hidden_momentum_step_matches_reference(student, reference, rng, case):
    shape, beta, learning_rate = MOMENTUM_CASES[case]
    param, grad, velocity = (rng.normal(size=shape) for _ in range(3))
    if case == "lists":
        param, grad, velocity = param.tolist(), grad.tolist(), velocity.tolist()
    elif case == "scalars":
        param, grad, velocity = float(param), float(grad), float(velocity)
    expected = reference.momentum_step(param, grad, velocity, learning_rate, beta)
    got = student.momentum_step(param, grad, velocity, learning_rate, beta)
    assert_true(isinstance(got, (tuple, list)) and len(got) == 2, "momentum_step should return (param, velocity)")
    assert_close(got[1], expected[1], f"velocity of momentum_step ({case})",
                 hint="velocity = beta * velocity - learning_rate * grad")
    assert_close(got[0], expected[0], f"param of momentum_step ({case})",
                 hint="param + the NEW velocity (update the velocity first)")


DROPOUT_CASES = {"p 0.5": (0.5, True), "p 0.1, a vector": (0.1, True), "p 0.9": (0.9, True),
                 "evaluation": (0.5, False), "p 0 while training": (0.0, True)}


@pytest.mark.parametrize("case", DROPOUT_CASES)
def test_hidden_dropout_matches_reference(student, reference, rng, case):
    p_drop, training = DROPOUT_CASES[case]
    A = rng.uniform(0.1, 3.0, size=(9,) if "vector" in case else (5, 7))
    generator = student._rng(RNG_SEED)
    twin_generator = np.random.default_rng(RNG_SEED)
    expected = reference.dropout(A, p_drop, twin_generator, training)
    got = student.dropout(A, p_drop, generator, training)
    assert_true(isinstance(got, (tuple, list)) and len(got) == 2, "dropout should return the pair (A_out, mask)")
    if expected[1] is None:
        assert_true(got[1] is None, f"dropout ({case}) should return the mask None: nothing is dropped")
    else:
        assert_close(got[1], expected[1], f"the mask of dropout ({case})", hint="mask = rng.random(A.shape) >= p_drop")
    assert_close(got[0], expected[0], f"A_out of dropout ({case})",
                 hint="A * mask / (1 - p_drop) while training; A itself at evaluation or with p_drop == 0")
    assert_close(generator.random(size=3), twin_generator.random(size=3), f"what the generator draws after dropout ({case})",
                 hint="one rng.random(A.shape) while training with p_drop > 0, nothing otherwise")


@pytest.mark.parametrize("case", ["evaluation", "evaluation with dropout set", "training", "list input", "one row"])
def test_hidden_forward_matches_reference(student, reference, parameters, rng, bars, case):
    p_drop = 0.0 if case == "evaluation" else 0.3
    model, twin = models(student, reference, parameters, p_drop=p_drop)
    X = rng.normal(size=(1 if case == "one row" else 5, INPUT))
    training = case == "training"
    pin_layers(student, reference, twin, X, mask_seed=RNG_SEED)
    expected = twin.forward(X, training, np.random.default_rng(RNG_SEED))
    given = X.tolist() if case == "list input" else X
    got = model.forward(given, True, student._rng(RNG_SEED)) if training else model.forward(given)
    assert_close(got, expected, f"forward ({case})", rtol=bars["rtol"],
                 hint="dropout only while training: at evaluation the network is deterministic (dropout is the "
                      "identity)" if case.startswith("evaluation") else
                 "relu(X @ W_h + b_h), dropout(h, self.p_drop, rng, training), softmax(h @ W_o + b_o)")


@pytest.mark.parametrize("case", ["no L2", "L2 0.05", "L2 2.5", "labels as a list", "a certain wrong prediction"])
def test_hidden_loss_matches_reference(student, reference, parameters, rng, bars, case):
    l2 = {"L2 0.05": 0.05, "L2 2.5": 2.5, "a certain wrong prediction": 0.01}.get(case, 0.0)
    if case == "a certain wrong prediction":
        parameters["W_o"] = parameters["W_o"] * 5000
    model, twin = models(student, reference, parameters, l2=l2, p_drop=0.5)  # dropout set: loss ignores it
    X, y = rng.normal(size=(7, INPUT)), rng.integers(0, CLASSES, size=7)
    if case == "a certain wrong prediction":
        y = np.argmin(twin.forward(X), axis=1)
    pin_forward(student, model, twin, X)
    got = model.loss(X, y.tolist() if case == "labels as a list" else y)
    assert_true(isinstance(got, (float, np.floating)), f"loss should be a float, got {a_type(got)}")
    assert_close(got, twin.loss(X, y), f"loss ({case})", rtol=bars["rtol"],
                 hint="nll of one_hot(y) under forward(X) (no dropout) + 0.5 * l2 * (sum(W_h**2) + sum(W_o**2)); "
                      "the biases are not penalised")


GRADIENT_HINTS = {
    "W_h": "dW_h = X.T @ dz_h + l2 * W_h, dz_h = (dz_o @ W_o.T) * mask / (1 - p_drop) * relu_prime(z_h)",
    "b_h": "db_h = dz_h summed over the rows (no L2 on biases); relu_prime takes the pre-activation z_h",
    "W_o": "dW_o = h.T @ dz_o + l2 * W_o, with h AFTER dropout and dz_o = (Y - one_hot(y)) / n",
    "b_o": "db_o = dz_o summed over the rows, dz_o = (Y - one_hot(y)) / n; no L2 on biases",
}
GRADIENT_CASES = {"plain": (0.0, 0.0), "L2": (0.1, 0.0), "dropout": (0.0, 0.3), "dropout and L2": (0.4, 0.6)}


def away_from_kinks(rng, parameters, rows):
    """Moderate parameters (no saturated softmax: no vanishing gradient whose central difference is all rounding)
    and inputs whose hidden pre-activations stay clear of ReLU's kink at 0 (where no derivative exists)."""
    parameters["W_h"], parameters["W_o"] = parameters["W_h"] * 0.5, parameters["W_o"] * 0.5
    parameters["b_h"] = rng.uniform(0.2, 0.6, size=HIDDEN)
    while True:
        X = rng.normal(size=(rows, INPUT))
        if np.min(np.abs(X @ parameters["W_h"] + parameters["b_h"])) > 0.01:
            return X


def fixed_mask_loss(twin, X, y, mask):
    """The loss grad_loss differentiates, with the dropout mask held fixed (exact log: no EPSILON)."""
    def loss():
        hidden = np.maximum(X @ twin.W_h + twin.b_h, 0.0)
        if mask is not None:
            hidden = hidden * mask / (1 - twin.p_drop)
        scores = hidden @ twin.W_o + twin.b_o
        scores = scores - scores.max(axis=1, keepdims=True)
        log_probabilities = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
        penalty = 0.5 * twin.l2 * (np.sum(twin.W_h ** 2) + np.sum(twin.W_o ** 2))
        return -np.mean(log_probabilities[np.arange(len(y)), y]) + penalty
    return loss


@pytest.mark.parametrize("case", GRADIENT_CASES)
def test_hidden_grad_loss_gradient_check(student, reference, bars, case):
    l2, p_drop = GRADIENT_CASES[case]
    generator = np.random.default_rng(GRADIENT_CHECK_SEED)
    parameters = draw_parameters(generator)
    X, y = away_from_kinks(generator, parameters, 5), np.array([3, 0, 1, 3, 2])
    model, twin = models(student, reference, parameters, l2=l2, p_drop=p_drop)
    pin_layers(student, reference, twin, X, mask_seed=RNG_SEED)
    if not p_drop:
        pin_forward(student, model, twin, X)
    mask = None
    if p_drop:
        mask = reference.dropout(np.ones((5, HIDDEN)), p_drop, np.random.default_rng(RNG_SEED), True)[1]
    gradients = model.grad_loss(X, y, student._rng(RNG_SEED))
    assert_true(isinstance(gradients, dict) and set(NAMES) <= set(gradients),
                f"grad_loss must return a dict with the keys {', '.join(NAMES)}")
    for name in NAMES:
        assert_gradient(gradients[name], fixed_mask_loss(twin, X, y, mask), parameters[name],
                        f"grad_loss(X, y, rng)[{name!r}] ({case})", bars["gradient_relative_error"],
                        hint=GRADIENT_HINTS[name] + ("; draw ONE mask, as forward would, and use it both ways"
                                                     if p_drop else ""))


@pytest.mark.parametrize("case", ["dropout and L2", "X and y as lists", "numpy integer labels", "one row"])
def test_hidden_grad_loss_matches_reference(student, reference, parameters, rng, bars, case):
    model, twin = models(student, reference, parameters, l2=0.02, p_drop=0.0 if case == "one row" else 0.4)
    rows = 1 if case == "one row" else 6
    X, y = rng.normal(size=(rows, INPUT)), rng.integers(0, CLASSES, size=rows)
    expected = twin.grad_loss(X, y, np.random.default_rng(RNG_SEED))
    pin_layers(student, reference, twin, X, mask_seed=RNG_SEED)
    if not twin.p_drop:
        pin_forward(student, model, twin, X)
    given = (X.tolist(), y.tolist()) if case == "X and y as lists" else (X, y)
    gradients = model.grad_loss(*given, student._rng(RNG_SEED))
    assert_true(isinstance(gradients, dict) and set(NAMES) <= set(gradients),
                f"grad_loss must return a dict with the keys {', '.join(NAMES)}")
    for name in NAMES:
        assert_close(gradients[name], expected[name], f"grad_loss(X, y, rng)[{name!r}] ({case})", rtol=bars["rtol"],
                     hint=GRADIENT_HINTS[name])


@pytest.mark.parametrize("case", ["batch", "one-row batch", "list"])
def test_hidden_predict_matches_reference(student, reference, parameters, rng, case):
    model, twin = models(student, reference, parameters, p_drop=0.5)
    X = rng.normal(size=(1 if case == "one-row batch" else 6, INPUT))
    pin_forward(student, model, twin, X)
    expected = np.asarray(twin.predict(X))
    classes = as_class_indices(model.predict(X.tolist() if case == "list" else X), f"predict ({case})", expected.shape)
    assert_true(np.array_equal(classes, expected), f"predict ({case}) is not the most probable class",
                hint="np.argmax(self.forward(X), axis=-1), at evaluation: no dropout")


@pytest.mark.parametrize("labels_as_list", [False, True], ids=["labels as an array", "labels as a list"])
def test_hidden_accuracy_matches_reference(student, reference, parameters, rng, labels_as_list):
    model, twin = models(student, reference, parameters)
    X, y = rng.normal(size=(11, INPUT)), rng.integers(0, CLASSES, size=11)
    pin_forward(student, model, twin, X)
    student._pin("predict", [((X,), {}, twin.predict(X))], target=model)
    got = model.accuracy(X, y.tolist() if labels_as_list else y)
    assert_true(isinstance(got, (float, np.floating)), f"accuracy should be a float, got {a_type(got)}")
    assert_close(got, twin.accuracy(X, y), "accuracy(X, y)", hint="the mean of (self.predict(X) == y)")


@pytest.mark.parametrize("function", ["relu", "relu_prime", "momentum_step", "dropout", "forward", "loss", "grad_loss",
                                      "fit"])
def test_hidden_inputs_not_mutated(student, reference, parameters, rng, function):
    z = rng.normal(size=(4, 5))
    if function in ("relu", "relu_prime"):
        _, mutated = getattr(student, function).call_tracking_mutation(z)
        assert_not_mutated(mutated, ["z"], function)
        return
    if function == "momentum_step":
        _, mutated = student.momentum_step.call_tracking_mutation(z, z * 0.5 + 1, z - 1, 0.1, 0.9)
        assert_not_mutated(mutated, ["param", "grad", "velocity"], function)
        return
    if function == "dropout":
        _, mutated = student.dropout.call_tracking_mutation(z, 0.5, student._rng(RNG_SEED), True)
        assert_not_mutated(mutated, ["A"], function)
        return
    model, twin = models(student, reference, parameters, l2=0.1, p_drop=0.0 if function == "fit" else 0.5)
    X, y = rng.normal(size=(8, INPUT)), rng.integers(0, CLASSES, size=8)
    if function == "fit":
        _, mutated = student.fit.call_tracking_mutation(model, X[:5], y[:5], X[5:], y[5:], 2, 2, 0.1, beta=0.5,
                                                        patience=1, seed=1)
        assert_not_mutated(mutated, ["model", "X_train", "y_train", "X_val", "y_val"], function)
        return
    pin_layers(student, reference, twin, X, mask_seed=RNG_SEED)
    if function == "loss":
        pin_forward(student, model, twin, X)
    arguments = {"forward": (True, student._rng(RNG_SEED)), "loss": (y,), "grad_loss": (y, student._rng(RNG_SEED))}
    _, mutated = getattr(model, function).call_tracking_mutation(X, *arguments[function])
    assert_not_mutated(mutated, ["X", "y" if function != "forward" else "training"], function)


# -- fit ------------------------------------------------------------------------------------------
SCENARIOS = {
    "dropout, L2, patience 2": ({"l2": 0.05, "p_drop": 0.5}, {"epochs": 12, "batch_size": 10, "learning_rate": 0.02,
                                                             "beta": 0.9, "patience": 2, "seed": 11}),
    "no dropout, momentum 0.5, a short run": ({"l2": 0.0, "p_drop": 0.0}, {"epochs": 4, "batch_size": 7,
                                                                          "learning_rate": 0.2, "beta": 0.5,
                                                                          "patience": 5, "seed": 3}),
    "no dropout, patience 1, batches of 8": ({"l2": 0.01, "p_drop": 0.0}, {"epochs": 10, "batch_size": 8,
                                                                          "learning_rate": 0.02, "beta": 0.9,
                                                                          "patience": 1, "seed": 8}),
}


def scenario_data():
    generator = np.random.default_rng(707)
    X = generator.normal(size=(36, INPUT))
    y = np.argmax(X @ generator.normal(size=(INPUT, CLASSES)) + generator.normal(scale=1.5, size=(36, CLASSES)), axis=1)
    start = {"W_h": generator.normal(size=(INPUT, HIDDEN)) * 0.7, "b_h": generator.normal(size=HIDDEN) * 0.1,
             "W_o": generator.normal(size=(HIDDEN, CLASSES)) * 0.7, "b_o": generator.normal(size=CLASSES) * 0.1}
    return (X[:24], y[:24], X[24:], y[24:]), start


def set_parameters(model, parameters):
    for name in NAMES:
        setattr(model, name, parameters[name])


def replay_fit(student, model, start, data, settings, own_batches, own_momentum):
    """What fit must do, step by step, with the student's model methods, and with the student's
    minibatches (``own_batches``) and momentum_step (``own_momentum``) or the formulas."""
    X_train, y_train, X_val, y_val = data
    generator = student._rng(settings["seed"])
    parameters = {name: value.copy() for name, value in start.items()}
    velocity = {name: np.zeros_like(value) for name, value in start.items()}
    history = {"train_loss": [], "val_loss": [], "val_accuracy": [], "best_epoch": 0}
    best, best_parameters, waited = np.inf, parameters, 0
    size = settings["batch_size"]
    for epoch in range(settings["epochs"]):
        if own_batches:  # read lazily, between the grad_loss calls, as fit's loop would
            batches = student.minibatches(X_train, y_train, size, generator)
            batches = itertools.islice(batches if isinstance(batches, (list, tuple)) else iter(batches),
                                       len(X_train) + 1)
        else:
            order = as_array(generator.permutation(len(X_train)), "rng.permutation").astype(int)
            batches = [(X_train[order[i:i + size]], y_train[order[i:i + size]]) for i in range(0, len(X_train), size)]
        for X_batch, y_batch in (as_pair(batch, "minibatches") for batch in batches):
            set_parameters(model, parameters)
            grads = model.grad_loss(X_batch, y_batch, generator)
            assert_true(isinstance(grads, dict) and set(NAMES) <= set(grads), "grad_loss returns no gradients")
            for name in NAMES:
                if own_momentum:
                    step = student.momentum_step(parameters[name], grads[name], velocity[name],
                                                 settings["learning_rate"], settings["beta"])
                    assert_true(isinstance(step, (tuple, list)) and len(step) == 2, "momentum_step returns no pair")
                    parameters[name] = as_array(step[0], name, start[name].shape)
                    velocity[name] = as_array(step[1], name, start[name].shape)
                else:
                    velocity[name] = settings["beta"] * velocity[name] - settings["learning_rate"] * as_array(
                        grads[name], name, start[name].shape)
                    parameters[name] = parameters[name] + velocity[name]
        set_parameters(model, parameters)
        train_loss, val_loss, val_accuracy = student._calls([  # one wait for the worker, not three
            (model.loss, (X_train, y_train), {}), (model.loss, (X_val, y_val), {}), (model.accuracy, (X_val, y_val), {})])
        history["train_loss"].append(train_loss)
        history["val_loss"].append(val_loss)
        history["val_accuracy"].append(val_accuracy)
        if history["val_loss"][-1] < best:
            best, history["best_epoch"], best_parameters, waited = history["val_loss"][-1], epoch, dict(parameters), 0
        else:
            waited += 1
            if waited >= settings["patience"]:
                break
    return history, best_parameters, parameters


def run_fit(student, scenario):
    """The student's fit on the scenario: (history, final parameters, data, start, model settings, fit settings)."""
    model_settings, settings = SCENARIOS[scenario]
    data, start = scenario_data()
    model = student.RegularizedMLP(INPUT, HIDDEN, CLASSES, **model_settings)
    set_parameters(model, start)
    history = student.fit(model, *data, **settings)
    assert_true(isinstance(history, dict), f"fit should return the history dict, got {a_type(history)}")
    for key in ("train_loss", "val_loss", "val_accuracy", "best_epoch"):
        assert_true(key in history, f"the history fit returns has no {key!r}")
    final = {name: as_array(value, f"{name} after fit", start[name].shape)  # read with one wait for the worker
             for name, value in zip(NAMES, model._read_each(*NAMES))}
    return history, final, data, start, model_settings, settings


# (the student's minibatches?, the student's momentum_step?), tried in turn: the formulas first, since for
# correct helpers they give what the helpers give, with far fewer calls into the student's code.
REPLAYS = [(False, False), (True, True), (True, False), (False, True)]


def replays(student, data, start, model_settings, settings):
    """The replays that could be made, in the order of REPLAYS."""
    for own_batches, own_momentum in REPLAYS:
        replica = student.RegularizedMLP(INPUT, HIDDEN, CLASSES, **model_settings)
        try:
            yield replay_fit(student, replica, start, data, settings, own_batches, own_momentum)
        except Exception:  # noqa: BLE001 - a helper of the student's that fails cannot be what fit did
            continue


def judged(check, student, scenario):
    """Pass when ``check(history, final, replay)`` passes for one of the replays; else raise its first failure."""
    history, final, data, start, model_settings, settings = run_fit(student, scenario)
    failures = []
    for replay in replays(student, data, start, model_settings, settings):
        try:
            return check(history, final, replay, settings)
        except CheckFailed as failure:
            failures.append(failure)
    raise failures[0] if failures else CheckFailed("fit could not be compared with the steps it must take")


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_hidden_fit_follows_the_steps_and_keeps_the_best_epoch(student, trusted_helpers, bars, scenario):
    def check(history, final, replay, settings):
        expected, best, last = replay
        ran, should = len(history["val_loss"]), len(expected["val_loss"])
        for key in ("train_loss", "val_loss", "val_accuracy"):
            values = as_array(history[key], f'history["{key}"]')
            assert_true(values.shape == (ran,), f'history["{key}"] should hold one number per epoch run')
            overlap = min(ran, should)
            assert_close(values[:overlap], np.asarray(expected[key][:overlap], dtype=float),
                         f'history["{key}"] ({scenario})', rtol=bars["rtol"],
                         hint="per epoch: one pass of minibatches(..., rng), one grad_loss(X_b, y_b, rng) and one "
                              "momentum_step per parameter per batch, the velocities carried over from batch to batch "
                              "and epoch to epoch; rng = np.random.default_rng(seed), made once")
        assert_true(ran == should, f"fit ran {ran} epoch(s) ({scenario})",
                    hint="stop after `patience` epochs in a row without a new lowest validation loss, not before")
        assert_true(history["best_epoch"] == expected["best_epoch"],
                    f'history["best_epoch"] ({scenario}) is not the epoch, counted from 0, of the lowest validation loss')
        restored = all(np.allclose(final[name], best[name], rtol=bars["rtol"], atol=1e-12) for name in NAMES)
        if not restored and all(np.allclose(final[name], last[name], rtol=bars["rtol"]) for name in NAMES):
            assert_true(False, f"after fit ({scenario}) the model holds the LAST epoch's parameters",
                        hint="keep a copy of the parameters when the validation loss improves; set them back at the end")
        for name in NAMES:
            assert_close(final[name], best[name], f"{name} after fit ({scenario})", rtol=bars["rtol"],
                         hint="the model ends with the best epoch's parameters (copies: later steps must not change "
                              "them)")

    # A helper's bug costs its own tests only; the retry's helpers draw no dropout mask, which could not come from
    # fit's generator (autograder.testing.helper_bugs).
    unless_helpers_are_to_blame(student, trusted_helpers, lambda: judged(check, student, scenario), draw=False)
