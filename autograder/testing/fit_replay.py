"""07's ``fit``, replayed step by step with the student's own methods: shared by the public and hidden tests.

``fit`` is judged against the steps it must take, replayed one call at a time with the student's
``minibatches``, ``grad_loss``, ``momentum_step``, ``loss`` and ``accuracy`` (or the formulas, when
the student's ``fit`` does not call a helper), so that a bug in a helper costs the helper's tests,
not fit's. The public tests ship this module in the student's wheel: it shows nothing they did not
show already (it was their own copy), and no reference value (the replay uses the student's code).
"""
import itertools

import numpy as np

from autograder.testing.checks import as_array, assert_true

NAMES = ("W_h", "b_h", "W_o", "b_o")  # the parameters of a RegularizedMLP


def set_parameters(model, parameters):
    """Give the student's ``model`` the arrays of ``parameters`` (one request per name)."""
    for name in NAMES:
        setattr(model, name, parameters[name])


def take(result, limit, what):
    """The items of what a student's function returned (a list, or a generator read one item at a time)."""
    if isinstance(result, (list, tuple)):
        return list(result)[:limit]
    assert_true(hasattr(result, "_handle"), f"{what} should yield (X_batch, y_batch) pairs, got a {type(result).__name__}",
                hint="a generator function: `yield X[rows], y[rows]` for each batch")
    return list(itertools.islice(iter(result), limit))


def as_pair(item, what):
    assert_true(isinstance(item, (tuple, list)) and len(item) == 2,
                f"{what} should be pairs (X_batch, y_batch), got a {type(item).__name__}",
                hint="yield X[rows], y[rows]")
    return item


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
        history["train_loss"].append(model.loss(X_train, y_train))
        history["val_loss"].append(model.loss(X_val, y_val))
        history["val_accuracy"].append(model.accuracy(X_val, y_val))
        if history["val_loss"][-1] < best:
            best, history["best_epoch"], best_parameters, waited = history["val_loss"][-1], epoch, dict(parameters), 0
        else:
            waited += 1
            if waited >= settings["patience"]:
                break
    return history, best_parameters, parameters


# The replays tried in turn, until one matches: (the student's minibatches?, the student's momentum_step?). The
# formulas first: for correct helpers they are what the helpers compute, with far fewer calls into the student's code.
REPLAYS = [(False, False), (True, True), (True, False), (False, True)]


def replays(student, make_model, start, data, settings):
    """The replays that could be made, in the order of :data:`REPLAYS`, each on a fresh ``make_model()``."""
    for own_batches, own_momentum in REPLAYS:
        try:
            yield replay_fit(student, make_model(), start, data, settings, own_batches, own_momentum)
        except Exception:  # noqa: BLE001 - a helper of the student's that fails cannot be what fit did
            continue
