"""07's ``fit`` graded by its outcome, checked against the steps of the student's own helpers (issue 12).

The tests that grade what ``fit`` trained on the digits see its outcome only: a ``fit`` that trains by its own steps
on the contract tests' few rows and refits (a closed-form least squares) or answers stored weights on the graded
data keeps its outcome points. So, once such a test has passed, ``fit`` is called again in a fresh worker (the worker
that trained is ended first: nothing it did, kept or started can answer there) for ONE epoch on the test's own
data, with the test's settings and a seed drawn under the course secret, on a model made by the student's own
``RegularizedMLP`` with the test's arguments. The epoch is replayed here, batch by batch, with the student's own
``grad_loss`` and, in turn, the student's ``minibatches`` or the contract's permutation, the student's
``momentum_step`` or the contract's formula (each graded by its own tests; :data:`REPLAYS`): the parameters ``fit``
leaves must be those of one of the replays.

One epoch, because early stopping and carrying the velocity from one epoch to the next cannot show in it: the
catalogued bugs of ``fit``'s loop over epochs leave it as it should be. A mismatch alone is no evidence: an honest
``fit`` with a bug of its own step (a velocity reset every batch, a generator made again per batch, its own
gradient by hand with a slip) mismatches too, and its contract tests charge that bug. So the same check is made
again on a few rows of the same data (:data:`FEW_ROWS`, the size of the contract tests' scenarios: several
batches, the last smaller), with a batch size drawn for them: a ``fit`` that takes its own steps there but not
on the graded data behaves by the size or the identity of its data, which no honest bug does, and is tamper
evidence (``needs review``) failing the test. A ``fit`` that mismatches on both passes this check: what it
does wrong is the same on any data, and its contract tests fail. Nor is a ``fit`` that raises or times out here
compared: the check fails no test but by its evidence.

Cost: a worker's start, one epoch of ``fit`` and its replay (one ``grad_loss`` call per batch, ~21 on the
digits), only after the graded outcome passed; the few rows' check only when the graded data's mismatched. What a
forger must still do (README's trust section): train honestly for one epoch (branching on the epoch count, or on
the graded seed) and otherwise refit; or refit on every call, few rows included, which fails every contract test
of ``fit`` (those replay it step by step) while its outcome tests pass. The calls here are the grader's, kept out
of diagnosis and fingerprints (:meth:`autograder.sandbox.remote.RemoteModule._in_a_fresh_worker`).
"""
import itertools

import numpy as np

from autograder.sandbox.session import StudentCodeFailed
from autograder.testing.checks import as_array, assert_true

NAMES = ("W_h", "b_h", "W_o", "b_o")
#: (the student's minibatches?, the student's momentum_step?), tried in turn: the formulas first, which for correct
#: helpers give what the helpers give, with the fewest calls into the student's code.
REPLAYS = [(False, False), (True, True), (True, False), (False, True)]
#: The few rows of the second check, and the batch sizes drawn for them: as the contract tests' scenarios have.
FEW_ROWS, FEW_BATCH_SIZES = (20, 30), (6, 10)
#: How close fit's parameters must be to a replay's: rounding only (the same code on the same numbers).
RTOL, ATOL = 1e-6, 1e-9
NOT_ITS_OWN_STEPS = ("the training's own steps: fit took the steps of its own helpers on {few} rows of the graded "
                     "data but not on the graded data itself")


def assert_fits_by_its_own_steps(student, model_args, model_kwargs, data, settings):
    """Check, in a fresh worker, that the student's ``fit`` trains the graded data by its own helpers' steps.

    Parameters
    ----------
    student : autograder.sandbox.remote.RemoteModule
        The student's module (its training worker is ended: call this once the test is done with it).
    model_args, model_kwargs : tuple, dict
        The test's ``RegularizedMLP`` arguments (its ``seed`` is drawn here).
    data : tuple
        ``(X_train, y_train, X_val, y_val)`` as the test gave them to ``fit``.
    settings : dict
        The test's ``batch_size``, ``learning_rate``, ``beta`` and ``patience`` (``epochs`` is 1, ``seed`` drawn).

    Raises
    ------
    CheckFailed
        When ``fit`` takes its own helpers' steps on a few rows of the data but not on the graded data (told as
        tamper evidence).
    """
    draws = student._draws()
    seed, model_seed = draws.randrange(2 ** 31), draws.randrange(2 ** 31)
    X_train, y_train, X_val, y_val = (np.asarray(value) for value in data)
    rows = np.sort(draws.sample(range(len(X_train)), draws.randint(*FEW_ROWS)))
    few_batch = draws.randint(*FEW_BATCH_SIZES)
    if len(rows) % few_batch == 0:  # a last batch smaller than the others, as the graded data's may be
        few_batch += 1
    kwargs = dict(model_kwargs, seed=model_seed)
    with student._in_a_fresh_worker() as fresh:
        def follows(X, y, batch_size):
            """True or False; None when fit and its model cannot be compared (it raised, or timed out)."""
            try:
                model = fresh.RegularizedMLP(*model_args, **kwargs)
                start = read(model, "after RegularizedMLP(...)")
                fresh.fit(model, X, y, X_val, y_val, 1, batch_size, settings["learning_rate"], beta=settings["beta"],
                          patience=settings["patience"], seed=seed)
                after = read(model, "after fit")
            except (AssertionError, StudentCodeFailed):
                return None
            replica = fresh.RegularizedMLP(*model_args, **kwargs)
            step = dict(settings, batch_size=batch_size, seed=seed)
            return any(same(after, expected) for expected in replays(fresh, replica, start, X, y, step))

        # Only a mismatch is told, never a raise: a fit that raises for one epoch or a drawn seed is no evidence, and
        # this check fails no test an honest fit passed (the graded outcome stands).
        if follows(X_train, y_train, settings["batch_size"]) is not False:
            return
        if not follows(X_train[rows], y_train[rows], few_batch):
            return  # the same on any data: a bug of fit's own, which its contract tests charge
        # Failed inside the block, so that the fresh worker is ended with the check (one that passes stays the
        # session's worker for the next test: RemoteModule._in_a_fresh_worker).
        words = NOT_ITS_OWN_STEPS.format(few=len(rows))
        student._tampered(words)
        assert_true(False, "fit did not train the graded data by steps of your grad_loss, minibatches and "
                           "momentum_step", diagnosis=words)


def read(model, what):
    """The model's parameters, read with one wait for the worker, as float arrays."""
    return {name: as_array(value, f"{name} {what}") for name, value in zip(NAMES, model._read(*NAMES))}


def same(after, expected):
    """Are the parameters ``after`` fit those ``expected`` by a replay (rounding aside)?"""
    return all(after[name].shape == expected[name].shape
               and np.allclose(after[name], expected[name], rtol=RTOL, atol=ATOL) for name in NAMES)


def replays(module, model, start, X, y, settings):
    """The parameters after one epoch of each replay of :data:`REPLAYS` that can be made, in turn (lazily: the
    first that matches ends the check)."""
    for own_batches, own_momentum in REPLAYS:
        try:
            yield epoch(module, model, start, X, y, settings, own_batches, own_momentum)
        except Exception:  # noqa: BLE001 - a helper of the student's that fails cannot be what fit did
            continue


def epoch(module, model, start, X, y, settings, own_batches, own_momentum):
    """One epoch of what ``fit`` must do, from ``start``, with the student's ``grad_loss`` on ``model`` and the
    student's ``minibatches`` (``own_batches``) and ``momentum_step`` (``own_momentum``), or the formulas."""
    generator = module._rng(settings["seed"])
    size, rate, beta = settings["batch_size"], settings["learning_rate"], settings["beta"]
    parameters = dict(start)
    velocity = {name: np.zeros_like(value) for name, value in start.items()}
    if own_batches:  # read lazily, between the grad_loss calls, as fit's loop would
        batches = module.minibatches(X, y, size, generator)
        batches = itertools.islice(batches if isinstance(batches, (list, tuple)) else iter(batches), len(X) + 1)
    else:
        order = as_array(generator.permutation(len(X)), "rng.permutation").astype(int)
        batches = [(X[order[i:i + size]], y[order[i:i + size]]) for i in range(0, len(X), size)]
    for batch in batches:
        assert_true(isinstance(batch, (tuple, list)) and len(batch) == 2, "minibatches yields no pairs")
        for name in NAMES:
            setattr(model, name, parameters[name])
        grads = model.grad_loss(batch[0], batch[1], generator)
        assert_true(isinstance(grads, dict) and set(NAMES) <= set(grads), "grad_loss returns no gradients")
        grads = {name: as_array(grads[name], name, start[name].shape) for name in NAMES}
        if own_momentum:  # the four steps with one wait for the worker
            steps = module._calls([(module.momentum_step, (parameters[name], grads[name], velocity[name], rate, beta),
                                    {}) for name in NAMES])
            for name, step in zip(NAMES, steps):
                assert_true(isinstance(step, (tuple, list)) and len(step) == 2, "momentum_step returns no pair")
                parameters[name] = as_array(step[0], name, start[name].shape)
                velocity[name] = as_array(step[1], name, start[name].shape)
        else:
            for name in NAMES:
                velocity[name] = beta * velocity[name] - rate * grads[name]
                parameters[name] = parameters[name] + velocity[name]
    return parameters
