"""Public tests of 07_training: run them with `autograder check`. Hidden tests run at grading.

Random generators are made where your code runs (``np.random.default_rng(seed)``), so the tests
can see what your functions draw from them: exactly one ``rng.permutation`` per ``minibatches``
call, one ``rng.random(A.shape)`` per ``dropout`` while training and none at evaluation.

Each function is tested on parameters set by the test, and the graded functions it calls answer
trusted values computed here: ``relu``, ``relu_prime`` and ``dropout`` while ``forward`` and
``grad_loss`` are tested (successive dropout calls get successive masks), ``forward`` while
``loss``, ``predict`` and ``accuracy`` are. ``fit`` is judged against the steps it must take,
replayed here one call at a time with your own ``minibatches``, ``grad_loss``, ``momentum_step``,
``loss`` and ``accuracy`` (or the formulas, when your ``fit`` does not call a helper): a bug in a
helper costs the helper's tests, not fit's. At grading, a fit test that fails while a helper or
method it calls is wrong runs again with those answered by the reference solution, and fails only if
that run fails too (``autograder.testing.helper_bugs``); ``autograder check`` has no reference, so
there the failure stands. Gradients are checked against central differences of
the loss, in float64, with the dropout mask held fixed.

Catalogue bugs these tests kill (``examples/catalogue.py``): every bug of 07_training, between the public and
the hidden tests (each bug's entry lists its tests).
"""
import itertools

import numpy as np
import pytest
from scipy.special import log_softmax, softmax

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

INPUT, HIDDEN, CLASSES = 7, 5, 3  # all different: a transposed weight matrix shows up as a shape error
NAMES = ("W_h", "b_h", "W_o", "b_o")
EPSILON = 1e-8  # of nll, as the contract defines it
RNG_SEED = 707  # of the generators made where your code runs
VALIDATION = 230  # the last rows of the digits' training part are the validation set of the training test


@pytest.fixture
def rng():
    return np.random.default_rng(507)


@pytest.fixture
def parameters(rng):
    """Parameters of realistic scale, so that no gradient is vanishingly small and some hidden units are off."""
    shapes = {"W_h": (INPUT, HIDDEN), "b_h": (HIDDEN,), "W_o": (HIDDEN, CLASSES), "b_o": (CLASSES,)}
    return {name: rng.uniform(-1, 1, size=shape) for name, shape in shapes.items()}


def make_model(student, parameters, l2=0.0, p_drop=0.0):
    """The student's RegularizedMLP(7, 5, 3, l2, p_drop), holding ``parameters``."""
    model = student.RegularizedMLP(INPUT, HIDDEN, CLASSES, l2=l2, p_drop=p_drop)
    set_parameters(model, parameters)
    return model


def set_parameters(model, parameters):
    for name in NAMES:
        setattr(model, name, parameters[name])


def masks(seed, shape, p_drop, count=3):
    """The first ``count`` dropout masks a generator seeded ``seed`` draws for activations of ``shape``."""
    generator = np.random.default_rng(seed)
    return [generator.random(shape) >= p_drop for _ in range(count)]


def away_from_kinks(rng, parameters, rows):
    """Moderate parameters (no saturated softmax: no vanishing gradient whose central difference is all rounding)
    and inputs whose hidden pre-activations stay clear of ReLU's kink at 0 (where no derivative exists)."""
    parameters["W_h"], parameters["W_o"] = parameters["W_h"] * 0.5, parameters["W_o"] * 0.5
    parameters["b_h"] = rng.uniform(0.2, 0.6, size=HIDDEN)
    while True:
        X = rng.normal(size=(rows, INPUT))
        if np.min(np.abs(X @ parameters["W_h"] + parameters["b_h"])) > 0.01:
            return X


def trusted_forward(parameters, X, mask=None, p_drop=0.0):
    """``(probabilities, h, z_h)`` computed here, never by the code under test (``h`` after dropout)."""
    z_h = np.asarray(X, dtype=float) @ parameters["W_h"] + parameters["b_h"]
    hidden = np.maximum(z_h, 0.0)
    if mask is not None:
        hidden = hidden * mask / (1 - p_drop)
    return softmax(hidden @ parameters["W_o"] + parameters["b_o"], axis=-1), hidden, z_h


def trusted_loss(parameters, X, y, l2=0.0, mask=None, p_drop=0.0, epsilon=0.0):
    """Mean NLL (no EPSILON unless given: the gradient is that of the exact log) plus the L2 penalty."""
    probabilities = trusted_forward(parameters, X, mask, p_drop)[0]
    if epsilon:
        nll = -np.mean(np.log(epsilon + probabilities[np.arange(len(y)), y]))
    else:
        z_h = np.asarray(X, dtype=float) @ parameters["W_h"] + parameters["b_h"]
        hidden = np.maximum(z_h, 0.0) * (1.0 if mask is None else mask / (1 - p_drop))
        nll = -np.mean(log_softmax(hidden @ parameters["W_o"] + parameters["b_o"], axis=-1)[np.arange(len(y)), y])
    return nll + 0.5 * l2 * (np.sum(parameters["W_h"] ** 2) + np.sum(parameters["W_o"] ** 2))


def trusted_gradients(parameters, X, y, l2, p_drop, forward_mask, backward_mask):
    """The gradients of ``trusted_loss`` by back-propagation, computed here, with the dropout mask of the forward
    pass (the probabilities) and that of the backward pass (h for dW_o, and the error reaching the hidden layer;
    None: no mask) given apart, for the slips a check may name. The right gradient has one mask both ways."""
    def kept(mask):  # what dropout multiplies the activations by
        return 1.0 if mask is None else mask / (1 - p_drop)

    z_h = np.asarray(X, dtype=float) @ parameters["W_h"] + parameters["b_h"]
    probabilities = softmax(np.maximum(z_h, 0.0) * kept(forward_mask) @ parameters["W_o"] + parameters["b_o"], axis=-1)
    hidden = np.maximum(z_h, 0.0) * kept(backward_mask)
    dz_o = (probabilities - np.eye(CLASSES)[y]) / len(z_h)
    dz_h = (dz_o @ parameters["W_o"].T) * kept(backward_mask) * (z_h > 0)
    return {"W_h": X.T @ dz_h + l2 * parameters["W_h"], "b_h": dz_h.sum(axis=0),
            "W_o": hidden.T @ dz_o + l2 * parameters["W_o"], "b_o": dz_o.sum(axis=0)}


def pin_layers(student, parameters, X, p_drop=0.0, mask_seed=None):
    """Make relu, relu_prime and dropout answer trusted values for the hidden layer of ``X``.

    While training, successive dropout calls get the masks a generator seeded ``mask_seed`` draws
    in turn (as real calls would), so code that draws a second mask is not covered up.
    """
    z_h = np.asarray(X, dtype=float) @ parameters["W_h"] + parameters["b_h"]
    hidden = np.maximum(z_h, 0.0)
    student._pin("relu", [((z_h,), {}, hidden)])
    student._pin("relu_prime", [((z_h,), {}, (z_h > 0).astype(float))])
    identity = [((hidden, p_drop, None, False), {}, (hidden, None))]
    if not p_drop:
        identity.append(((hidden, p_drop, None, True), {}, (hidden, None)))
    student._pin("dropout", identity, ignore=("rng",))
    if mask_seed is not None:
        student._pin("dropout", [((hidden, p_drop, None, True), {}, (hidden * mask / (1 - p_drop), mask))
                                 for mask in masks(mask_seed, hidden.shape, p_drop)], ignore=("rng",), once=True)


def pin_forward(student, model, parameters, X):
    """Make ``model.forward`` answer trusted probabilities for ``X`` at evaluation, however it is called."""
    X = np.asarray(X, dtype=float)
    probabilities = trusted_forward(parameters, X)[0]
    student._pin("forward", [((X,), {}, probabilities), ((X, False), {}, probabilities)], target=model,
                 ignore=("rng",))


def take(result, limit, what):
    """The items of what a student's function returned (a list, or a generator read one item at a time)."""
    if isinstance(result, (list, tuple)):
        return list(result)[:limit]
    assert_true(hasattr(result, "_handle"), f"{what} should yield (X_batch, y_batch) pairs, got {a_type(result)}",
                hint="a generator function: `yield X[rows], y[rows]` for each batch")
    return list(itertools.islice(iter(result), limit))


def as_pair(item, what):
    assert_true(isinstance(item, (tuple, list)) and len(item) == 2,
                f"{what} should be pairs (X_batch, y_batch), got {a_type(item)}",
                hint="yield X[rows], y[rows]")
    return item


# -- training on the digits: the bar (first in the file: pins made later slow every call down) ----
def test_fit_beats_the_plain_mlp_on_the_digits(student, trusted_helpers, bars, digits):
    X_train, X_test, y_train, y_test = digits
    hidden = bars["hidden_size"]

    def fit_and_generalise():
        model = student.RegularizedMLP(64, hidden, 10, l2=bars["l2"], p_drop=bars["p_drop"], seed=0)
        history = student.fit.with_timeout(60)(
            model, X_train[:-VALIDATION], y_train[:-VALIDATION], X_train[-VALIDATION:], y_train[-VALIDATION:],
            bars["epochs"], bars["batch_size"], bars["learning_rate"], beta=bars["beta"], patience=bars["patience"],
            seed=0)
        assert_true(isinstance(history, dict), f"fit should return the history dict, got {a_type(history)}")
        shapes = {"W_h": (64, hidden), "b_h": (hidden,), "W_o": (hidden, 10), "b_o": (10,)}
        trained = {name: as_array(getattr(model, name), f"{name} after fit", shape) for name, shape in shapes.items()}
        assert_true(all(np.all(np.isfinite(value)) for value in trained.values()), "fit made a parameter NaN or inf",
                    hint="check grad_loss and momentum_step on their own tests first")
        accuracy = float(np.mean(np.argmax(trusted_forward(trained, X_test)[0], axis=1) == y_test))  # computed here
        assert_true(accuracy >= bars["test_accuracy"],
                    f"after fit ({bars['epochs']} epochs at most, batches of {bars['batch_size']}, learning rate "
                    f"{bars['learning_rate']}, momentum {bars['beta']}, l2 {bars['l2']}, dropout {bars['p_drop']}), "
                    f"the test accuracy is {accuracy:.3f}, below the bar {bars['test_accuracy']} (05's plain MLP "
                    "reaches about 0.967 on this split)", hint="make the tests of the other functions pass first")
        # What is graded must be what fit's own steps train: called again in a fresh worker for one epoch, fit must
        # take the steps of your grad_loss, minibatches and momentum_step (a refit or stored weights is tamper
        # evidence).
        assert_fits_by_its_own_steps(
            student, (64, hidden, 10), {"l2": bars["l2"], "p_drop": bars["p_drop"]},
            (X_train[:-VALIDATION], y_train[:-VALIDATION], X_train[-VALIDATION:], y_train[-VALIDATION:]),
            {key: bars[key] for key in ("batch_size", "learning_rate", "beta", "patience")})

    # At grading, a bug of a helper or method fit calls fails its own tests, not this one
    # (autograder.testing.helper_bugs).
    unless_helpers_are_to_blame(student, trusted_helpers, fit_and_generalise)


# -- minibatches ----------------------------------------------------------------------------------
@pytest.mark.parametrize("n_samples, batch_size", [(10, 4), (9, 3)], ids=["last batch smaller", "equal batches"])
def test_minibatches_follow_one_permutation(student, n_samples, batch_size):
    X = np.arange(2.0 * n_samples).reshape(n_samples, 2)
    y = np.arange(n_samples) * 10
    generator = student._rng(RNG_SEED)
    batches = take(student.minibatches(X, y, batch_size, generator), n_samples + 1, "minibatches")
    trusted = np.random.default_rng(RNG_SEED)
    order = trusted.permutation(n_samples)
    seen = np.concatenate([as_array(as_pair(item, "minibatches")[1], "y_batch").ravel() for item in batches]) // 10
    assert_true(sorted(seen.astype(int).tolist()) == list(range(n_samples)),
                f"the batches of one minibatches call should hold every one of the {n_samples} samples exactly once",
                hint="slice one permutation: rows = order[start:start + batch_size] for start in "
                     "range(0, n, batch_size)", diagnosis=batches_missing(seen.astype(int).tolist(), order, batch_size))
    expected = [order[start:start + batch_size] for start in range(0, n_samples, batch_size)]
    assert_true(len(batches) == len(expected), f"{n_samples} samples in batches of {batch_size} make "
                                               f"{len(expected)} batches, got {len(batches)}")
    for number, ((X_batch, y_batch), rows) in enumerate(zip(batches, expected)):
        assert_close(X_batch, X[rows], f"X_batch {number}", hint="batches follow order = rng.permutation(len(X)), "
                                                                 "in order: the first batch_size rows of it first")
        assert_close(y_batch, y[rows], f"y_batch {number}", hint="y_batch = y[rows], the same rows as X_batch")
    assert_close(generator.random(), trusted.random(), "the next number the generator draws after minibatches",
                 hint="draw exactly one rng.permutation(len(X)) per call, from the rng given (not np.random)")


def batches_missing(seen, order, batch_size):
    """What is wrong with the samples ``seen`` in one pass of batches, when they are not each sample once and the
    fault has a name: samples repeated while others are left out, or the last, smaller batch left out."""
    left_out = set(range(len(order))) - set(seen)
    if len(seen) != len(set(seen)) and left_out:
        return ("some samples come twice and others never in one pass: the rows must be one permutation, sliced "
                "(not drawn with replacement)")
    tail = len(order) % batch_size
    if len(seen) == len(set(seen)) and tail and left_out == set(order[-tail:].tolist()):
        return "the last, smaller batch is left out: range(0, n, batch_size) keeps it"
    return None


# -- relu, relu_prime, momentum_step, dropout -----------------------------------------------------
def test_relu_and_its_derivative(student):
    z = [[-2.0, 0.0, 3.5], [1e-9, -1e-9, 7.0]]
    assert_close(student.relu(z), [[0.0, 0.0, 3.5], [1e-9, 0.0, 7.0]], "relu of a 2x3 list",
                 hint="np.maximum(z, 0), elementwise, lists accepted")
    assert_close(student.relu_prime(z), [[0.0, 0.0, 1.0], [1.0, 0.0, 1.0]], "relu_prime of a 2x3 list",
                 hint="1.0 where z > 0, else 0.0: at exactly 0 the derivative counts as 0",
                 mistakes=[("the slope at exactly 0 is 1 where the contract says 0: z > 0, not z >= 0",
                            (np.asarray(z) >= 0).astype(float))])


@pytest.mark.parametrize("beta", [0.9, 0.0], ids=["momentum 0.9", "momentum 0 (plain SGD)"])
def test_momentum_step_known_values(student, rng, beta):
    param, grad, velocity = rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    learning_rate = 0.1
    new_velocity = beta * velocity - learning_rate * grad
    got, mutated = student.momentum_step.call_tracking_mutation(param, grad, velocity, learning_rate, beta)
    assert_not_mutated(mutated, ["param", "grad", "velocity"], "momentum_step")
    assert_true(isinstance(got, (tuple, list)) and len(got) == 2,
                "momentum_step should return the pair (param, velocity)")
    got_param, got_velocity = got
    fix = ": velocity = beta * velocity - learning_rate * grad"
    assert_close(got_velocity, new_velocity, "the velocity momentum_step returns", hint=fix[2:],
                 mistakes=[("the velocity is beta * v + learning_rate * grad" + fix,
                            beta * velocity + learning_rate * grad),
                           ("the velocity is velocity - learning_rate * grad, without beta" + fix,
                            velocity - learning_rate * grad)])
    assert_close(got_param, param + new_velocity, "the parameter momentum_step returns",
                 hint="param + velocity, with the new velocity",
                 mistakes=[("momentum_step moves the parameter by the OLD velocity: update the velocity first, then "
                            "param + velocity with the new one", param + velocity)])


def test_dropout_keeps_rescales_and_draws_once_while_training(student, rng):
    A, p_drop = rng.uniform(0.5, 2.0, size=(4, 6)), 0.25
    generator = student._rng(RNG_SEED)
    got = student.dropout(A, p_drop, generator, True)
    assert_true(isinstance(got, (tuple, list)) and len(got) == 2, "dropout should return the pair (A_out, mask)")
    trusted = np.random.default_rng(RNG_SEED)
    mask = trusted.random(A.shape) >= p_drop
    assert_close(got[1], mask, "the mask of dropout(A, 0.25, rng, training=True)",
                 hint="mask = rng.random(A.shape) >= p_drop: True keeps a unit, with probability 1 - p_drop")
    assert_close(got[0], A * mask / (1 - p_drop), "A_out of dropout(A, 0.25, rng, training=True)",
                 hint="inverted dropout: A * mask / (1 - p_drop), so that the expected activation is unchanged",
                 mistakes=[("the kept units are not scaled up by 1 / (1 - p_drop): A * mask / (1 - p_drop)", A * mask)])
    assert_close(generator.random(), trusted.random(), "the next number the generator draws after dropout",
                 hint="one rng.random(A.shape) per call while training, from the rng given")


@pytest.mark.parametrize("p_drop, training", [(0.5, False), (0.0, True)], ids=["evaluation", "p_drop 0 while training"])
def test_dropout_is_the_identity_at_evaluation(student, rng, p_drop, training):
    A = rng.normal(size=(3, 5))
    generator = student._rng(RNG_SEED)
    got = student.dropout(A, p_drop, generator, training)
    assert_true(isinstance(got, (tuple, list)) and len(got) == 2, "dropout should return the pair (A_out, mask)")
    assert_close(got[0], A, f"A_out of dropout(A, {p_drop}, rng, training={training})",
                 hint="at evaluation (or with p_drop == 0) dropout returns A unchanged: no mask, no rescaling")
    assert_true(got[1] is None, f"the mask of dropout(A, {p_drop}, rng, training={training}) should be None")
    assert_close(generator.random(), np.random.default_rng(RNG_SEED).random(),
                 "the first number the generator draws after dropout", hint="draw no random number when not dropping")


# -- the network ----------------------------------------------------------------------------------
@pytest.mark.parametrize("training", [False, True], ids=["evaluation", "training with dropout"])
def test_forward_matches_a_trusted_computation(student, parameters, rng, training):
    p_drop = 0.4
    model = make_model(student, parameters, p_drop=p_drop)
    X = rng.normal(size=(6, INPUT))
    pin_layers(student, parameters, X, p_drop, mask_seed=RNG_SEED)
    mask = masks(RNG_SEED, (6, HIDDEN), p_drop)[0] if training else None
    expected = trusted_forward(parameters, X, mask, p_drop)[0]
    got = model.forward(X.tolist(), training, student._rng(RNG_SEED)) if training else model.forward(X.tolist())
    assert_close(got, expected, f"forward ({'training' if training else 'evaluation'})",
                 hint="h = relu(X @ W_h + b_h); h, _ = dropout(h, self.p_drop, rng, training); softmax(h @ W_o + b_o)"
                 if training else "at evaluation there is no dropout: softmax(relu(X @ W_h + b_h) @ W_o + b_o)")


def test_loss_adds_half_the_l2_penalty_of_the_weights(student, parameters, rng):
    l2 = 0.3
    model = make_model(student, parameters, l2=l2)
    X, y = rng.normal(size=(6, INPUT)), [2, 0, 1, 1, 2, 0]
    pin_forward(student, model, parameters, X)
    got = model.loss(X, y)
    assert_true(isinstance(got, (float, np.floating)), f"loss(X, y) should be a float, got {a_type(got)}")
    nll = trusted_loss(parameters, X, np.array(y), epsilon=EPSILON)
    squares = {name: np.sum(parameters[name] ** 2) for name in NAMES}
    assert_close(got, trusted_loss(parameters, X, np.array(y), l2, epsilon=EPSILON), "loss(X, y) with l2 = 0.3",
                 mistakes=[("the L2 penalty lacks its 1/2: 0.5 * l2 * (sum(W_h**2) + sum(W_o**2))",
                            nll + l2 * (squares["W_h"] + squares["W_o"])),
                           ("the L2 penalty includes the biases: only the weights W_h and W_o are penalised",
                            nll + 0.5 * l2 * sum(squares.values()))],
                 hint="the given nll of one_hot(y) under forward(X), plus 0.5 * l2 * (sum(W_h**2) + sum(W_o**2)): "
                      "the biases are not penalised")


GRADIENT_HINTS = {
    "W_h": "dW_h = X.T @ dz_h + l2 * W_h, dz_h = (dz_o @ W_o.T) * mask / (1 - p_drop) * relu_prime(z_h)",
    "b_h": "db_h = dz_h summed over the rows (no L2 on biases); relu_prime takes the pre-activation z_h",
    "W_o": "dW_o = h.T @ dz_o + l2 * W_o, with h AFTER dropout and dz_o = (Y - one_hot(y)) / n",
    "b_o": "db_o = dz_o summed over the rows, dz_o = (Y - one_hot(y)) / n; no L2 on biases",
}
GRADIENT_CASES = {"plain": (0.0, 0.0), "L2": (0.2, 0.0), "dropout and L2": (0.2, 0.5)}


@pytest.mark.parametrize("case", GRADIENT_CASES)
def test_grad_loss_passes_the_gradient_check(student, parameters, rng, bars, case):
    l2, p_drop = GRADIENT_CASES[case]
    X, y = away_from_kinks(rng, parameters, 6), np.array([1, 0, 2, 2, 1, 0])
    model = make_model(student, parameters, l2=l2, p_drop=p_drop)
    drawn = masks(RNG_SEED, (6, HIDDEN), p_drop) if p_drop else [None, None]
    mask = drawn[0]
    slips = [("the backward pass ignores the dropout mask: the error reaching the hidden layer is multiplied by "
              "mask / (1 - p_drop), as the activations were", (mask, None)),
             ("the backward pass uses a second dropout mask, not the one the forward pass drew: draw ONE mask and "
              "use it both ways", (mask, drawn[1]))] if p_drop else []
    pin_layers(student, parameters, X, p_drop, mask_seed=RNG_SEED if p_drop else None)
    if not p_drop:  # with dropout, forward cannot give the mask: code that calls it draws a second one
        pin_forward(student, model, parameters, X)
    gradients = model.grad_loss(X, y, student._rng(RNG_SEED))
    assert_true(isinstance(gradients, dict) and set(NAMES) <= set(gradients),
                f"grad_loss must return a dict with the keys {', '.join(NAMES)}")
    for name in NAMES:
        assert_gradient(gradients[name], lambda: trusted_loss(parameters, X, y, l2, mask, p_drop), parameters[name],
                        f"grad_loss(X, y, rng)[{name!r}] ({case})", bars["gradient_relative_error"],
                        hint=GRADIENT_HINTS[name] + ("; draw ONE mask, as forward would, and use it both ways"
                                                     if p_drop else ""),
                        mistakes=[(words, trusted_gradients(parameters, X, y, l2, p_drop, *pair)[name])
                                  for words, pair in slips])


def test_predict_and_accuracy(student, parameters, rng):
    model = make_model(student, parameters)
    X = rng.normal(size=(8, INPUT))
    classes = np.argmax(trusted_forward(parameters, X)[0], axis=-1)
    pin_forward(student, model, parameters, X)
    predicted = as_class_indices(model.predict(X), "predict of a batch", classes.shape)
    assert_true(np.array_equal(predicted, classes), "predict is not the most probable class",
                hint="np.argmax(self.forward(X), axis=-1): over the classes, one per sample")
    y = classes.copy()
    y[:2] = (y[:2] + 1) % CLASSES  # two of the eight labels disagree with the prediction
    student._pin("predict", [((X,), {}, classes)], target=model)
    got = model.accuracy(X, y.tolist())
    assert_true(isinstance(got, (float, np.floating)), f"accuracy should be a float, got {a_type(got)}")
    assert_close(got, 0.75, "accuracy(X, y) with 6 of 8 predictions right", hint="the mean of (self.predict(X) == y)")


# -- fit ------------------------------------------------------------------------------------------
def fit_scenario():
    """A small problem on which early stopping stops: training and validation data, and fit's settings."""
    generator = np.random.default_rng(505)
    X = generator.normal(size=(36, INPUT))
    y = np.argmax(X @ generator.normal(size=(INPUT, CLASSES)) + generator.normal(scale=1.5, size=(36, CLASSES)), axis=1)
    start = {"W_h": generator.normal(size=(INPUT, HIDDEN)) * 0.7, "b_h": np.zeros(HIDDEN),
             "W_o": generator.normal(size=(HIDDEN, CLASSES)) * 0.7, "b_o": np.zeros(CLASSES)}
    settings = {"epochs": 12, "batch_size": 10, "learning_rate": 0.1, "beta": 0.9, "patience": 2, "seed": 11}
    return (X[:24], y[:24], X[24:], y[24:]), start, settings


def replay_fit(student, model, start, data, settings, own_batches, own_momentum):
    """What fit must do, step by step, with the student's model methods, and with the student's
    minibatches (``own_batches``) and momentum_step (``own_momentum``) or the formulas. Returns the history, the best
    epoch's parameters and the last epoch's; raises CheckFailed or StudentCodeFailed if a call fails."""
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


# The replays tried in turn, until one matches: (your minibatches?, your momentum_step?). The formulas first:
# for correct helpers they are what the helpers compute, with far fewer calls into your code.
REPLAYS = [(False, False), (True, True), (True, False), (False, True)]


def check_fit(student, data, start, model_settings, settings, bars):
    """Run the student's fit and compare it with the replays: the first that matches passes."""
    model = student.RegularizedMLP(INPUT, HIDDEN, CLASSES, **model_settings)
    set_parameters(model, start)
    history = student.fit(model, *data, **settings)
    assert_true(isinstance(history, dict), f"fit should return the history dict, got {a_type(history)}")
    for key in ("train_loss", "val_loss", "val_accuracy", "best_epoch"):
        assert_true(key in history, f"the history fit returns has no {key!r}")
    final = {name: as_array(value, f"{name} after fit", start[name].shape)  # read with one wait for the worker
             for name, value in zip(NAMES, model._read_each(*NAMES))}
    verdicts = []
    for own_batches, own_momentum in REPLAYS:  # your fit may call your helpers, or do their work itself
        replica = student.RegularizedMLP(INPUT, HIDDEN, CLASSES, **model_settings)
        try:
            expected, best, last = replay_fit(student, replica, start, data, settings, own_batches, own_momentum)
        except Exception:  # noqa: BLE001 - a helper of yours that fails cannot be what fit did
            continue
        try:
            compare_fit(history, final, expected, best, last, settings, bars)
            return
        except CheckFailed as failure:
            verdicts.append(failure)
    raise verdicts[0] if verdicts else CheckFailed("fit could not be compared with the steps it must take")


def compare_fit(history, final, expected, best, last, settings, bars):
    ran, should = len(history["val_loss"]), len(expected["val_loss"])
    for key in ("train_loss", "val_loss", "val_accuracy"):
        values = as_array(history[key], f'history["{key}"]')
        assert_true(values.shape == (len(history["val_loss"]),),
                    f'history["{key}"] should hold one number per epoch run, got shape {values.shape}')
        overlap = min(ran, should)
        assert_close(values[:overlap], np.asarray(expected[key][:overlap], dtype=float), f'history["{key}"]',
                     rtol=bars["rtol"], hint="per epoch: one pass of minibatches(..., rng) with one grad_loss(X_b, y_b, "
                     "rng) and one momentum_step per parameter per batch, the velocities carried over (zero only at "
                     "the start), rng = np.random.default_rng(seed) made once; then model.loss and model.accuracy")
    assert_true(ran == should, f"fit ran {ran} epoch(s) of at most {settings['epochs']}, with patience "
                f"{settings['patience']}", hint="stop after `patience` epochs in a row without a new lowest "
                "validation loss (not before, not after)")
    assert_true(history["best_epoch"] == expected["best_epoch"],
                'history["best_epoch"] is not the epoch (counted from 0) with the lowest validation loss')
    restored = all(np.allclose(final[name], best[name], rtol=bars["rtol"], atol=1e-12) for name in NAMES)
    last_epoch = "after fit the model holds the LAST epoch's parameters: keep a copy of the parameters whenever the " \
                 "validation loss improves, and set them back at the end"
    for name in NAMES:  # the last epoch is named only when every parameter is the last epoch's
        assert_close(final[name], best[name], f"{name} after fit", rtol=bars["rtol"],
                     hint="after fit the model holds the best epoch's parameters (copies: later steps must not "
                          "change them)", mistakes=[(last_epoch, last[name])] if not restored and all(
                         np.allclose(final[other], last[other], rtol=bars["rtol"]) for other in NAMES) else ())


@pytest.mark.parametrize("p_drop", [0.25, 0.0], ids=["dropout and L2", "L2 only"])
def test_fit_follows_the_contract(student, trusted_helpers, bars, p_drop):
    data, start, settings = fit_scenario()
    # At grading, a bug of a helper fit calls fails its own tests, not this one; the retry's helpers draw no
    # dropout mask, which could not come from fit's generator (autograder.testing.helper_bugs).
    unless_helpers_are_to_blame(student, trusted_helpers,
                                lambda: check_fit(student, data, start, {"l2": 0.01, "p_drop": p_drop}, settings, bars),
                                draw=False)
