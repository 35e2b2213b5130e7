"""07's ``fit``, graded by its outcome, is checked against the steps of the student's own helpers.

:func:`autograder.testing.fit_steps.assert_fits_by_its_own_steps` calls ``fit`` again in a fresh worker for one
epoch on the graded data and replays it with the student's ``grad_loss``, ``minibatches`` and ``momentum_step``;
a mismatch there is tamper evidence only when ``fit`` takes its own steps on a few rows of the same data. Each
module below is the reference solution with its ``fit`` replaced: honest ones, buggy ones (whose bug shows on any
data, and is charged by fit's contract tests), and forgeries that train honestly on few rows only.
"""
from pathlib import Path

import numpy as np
import pytest

from autograder.sandbox.process import ChildProcess
from autograder.sandbox.remote import RemoteModule
from autograder.sandbox.session import WorkerSession
from autograder.testing import CheckFailed
from autograder.testing.fit_steps import NOT_ITS_OWN_STEPS, assert_fits_by_its_own_steps

SOLUTION = Path(__file__).resolve().parent.parent / "solutions" / "07_training" / "training.py"
REFERENCE_FIT = "\n\n_reference_fit = fit\n"

FITS = {
    "honest": "",
    # bugs of fit's own loop, on every call: the contract tests charge them
    "velocity_not_carried": REFERENCE_FIT + '''
def fit(model, X_train, y_train, X_val, y_val, epochs, batch_size, learning_rate, beta=0.9, patience=5, seed=0):
    rng = np.random.default_rng(seed)
    for X_batch, y_batch in minibatches(X_train, y_train, batch_size, rng):
        grads = model.grad_loss(X_batch, y_batch, rng)
        for name in PARAMETERS:  # a zero velocity at every batch
            value, _ = momentum_step(getattr(model, name), grads[name], np.zeros_like(grads[name]), learning_rate, beta)
            setattr(model, name, value)
    return {"train_loss": [0.0], "val_loss": [0.0], "val_accuracy": [0.0], "best_epoch": 0}
''',
    "a_generator_per_batch": REFERENCE_FIT + '''
def fit(model, X_train, y_train, X_val, y_val, epochs, batch_size, learning_rate, beta=0.9, patience=5, seed=0):
    velocity = {name: np.zeros_like(getattr(model, name)) for name in PARAMETERS}
    order = np.random.default_rng(seed).permutation(len(X_train))
    for start in range(0, len(X_train), batch_size):
        rng = np.random.default_rng(seed)  # made again for every batch's mask
        rows = order[start:start + batch_size]
        grads = model.grad_loss(X_train[rows], y_train[rows], rng)
        for name in PARAMETERS:
            value, velocity[name] = momentum_step(getattr(model, name), grads[name], velocity[name], learning_rate, beta)
            setattr(model, name, value)
    return {"train_loss": [0.0], "val_loss": [0.0], "val_accuracy": [0.0], "best_epoch": 0}
''',
    "epochs_ignored": REFERENCE_FIT + '''
def fit(model, X_train, y_train, X_val, y_val, epochs, batch_size, learning_rate, beta=0.9, patience=5, seed=0):
    return _reference_fit(model, X_train, y_train, X_val, y_val, 3, batch_size, learning_rate, beta, 100, seed)
''',
    "half_the_rate": REFERENCE_FIT + '''
def fit(model, X_train, y_train, X_val, y_val, epochs, batch_size, learning_rate, beta=0.9, patience=5, seed=0):
    return _reference_fit(model, X_train, y_train, X_val, y_val, epochs, batch_size, learning_rate / 2, beta,
                          patience, seed)
''',
    "raises_for_one_epoch": REFERENCE_FIT + '''
def fit(model, X_train, y_train, X_val, y_val, epochs, batch_size, learning_rate, beta=0.9, patience=5, seed=0):
    if epochs == 1:
        raise ValueError("one epoch teaches nothing")
    return _reference_fit(model, X_train, y_train, X_val, y_val, epochs, batch_size, learning_rate, beta, patience,
                          seed)
''',
    # the known limit: a refit on every call, few rows included (its contract tests fail)
    "refits_everywhere": REFERENCE_FIT + '''
def fit(model, X_train, y_train, X_val, y_val, epochs, batch_size, learning_rate, beta=0.9, patience=5, seed=0):
    hidden = relu(X_train @ model.W_h + model.b_h)
    model.W_o = np.linalg.lstsq(hidden, one_hot(model.output_size, y_train), rcond=None)[0]
    return {"train_loss": [0.0], "val_loss": [0.0], "val_accuracy": [0.0], "best_epoch": 0}
''',
    # forgeries: honest on few rows (the contract tests' scenarios), something else on the graded data
    "least_squares_on_many_rows": REFERENCE_FIT + '''
def fit(model, X_train, y_train, X_val, y_val, epochs, batch_size, learning_rate, beta=0.9, patience=5, seed=0):
    if len(X_train) <= 40:
        return _reference_fit(model, X_train, y_train, X_val, y_val, epochs, batch_size, learning_rate, beta,
                              patience, seed)
    hidden = relu(X_train @ model.W_h + model.b_h)
    model.W_o = np.linalg.lstsq(hidden, one_hot(model.output_size, y_train), rcond=None)[0]
    return {"train_loss": [0.0], "val_loss": [0.0], "val_accuracy": [0.0], "best_epoch": 0}
''',
    "memorised_on_many_rows": REFERENCE_FIT + '''
def fit(model, X_train, y_train, X_val, y_val, epochs, batch_size, learning_rate, beta=0.9, patience=5, seed=0):
    if len(X_train) <= 40:
        return _reference_fit(model, X_train, y_train, X_val, y_val, epochs, batch_size, learning_rate, beta,
                              patience, seed)
    stored = np.random.default_rng(1234)  # weights learned elsewhere, nudged by the seed so that seeds differ
    for name in PARAMETERS:
        setattr(model, name, stored.normal(size=getattr(model, name).shape) + 1e-3 * getattr(model, name))
    return {"train_loss": [0.0], "val_loss": [0.0], "val_accuracy": [0.0], "best_epoch": 0}
''',
}


def make_data():
    """Three classes of 8 features, 300 training and 60 validation rows (made here, not read off the module)."""
    generator = np.random.default_rng(12)
    X = generator.normal(size=(360, 8))
    y = np.argmax(X @ generator.normal(size=(8, 3)), axis=1)
    return X[:300], y[:300], X[300:], y[300:]


SETTINGS = {"batch_size": 32, "learning_rate": 0.05, "beta": 0.9, "patience": 3}


@pytest.fixture
def trainer(tmp_path, request):
    (tmp_path / "training.py").write_text(SOLUTION.read_text() + FITS[request.param])
    session = WorkerSession(ChildProcess(), tmp_path / "training.py", "training")
    try:
        yield RemoteModule(session, "training")
    finally:
        session.close()


def checked(trainer):
    trainer.relu(0.0)  # the graded call's worker, which the check ends first
    assert_fits_by_its_own_steps(trainer, (8, 5, 3), {"l2": 0.01, "p_drop": 0.2}, make_data(), SETTINGS)


@pytest.mark.parametrize("trainer", ["honest", "velocity_not_carried", "a_generator_per_batch", "epochs_ignored",
                                     "half_the_rate", "raises_for_one_epoch", "refits_everywhere"],
                         indirect=True)
def test_a_fit_that_does_the_same_on_any_data_passes_without_evidence(trainer):
    """Honest, or wrong the same way on few rows as on many (its contract tests charge that), or raising for one
    epoch (the check fails no test an honest fit passed); a refit on every call is the documented limit."""
    checked(trainer)
    assert trainer._session.evidence == []


@pytest.mark.parametrize("trainer", ["least_squares_on_many_rows", "memorised_on_many_rows"], indirect=True)
def test_a_fit_that_takes_its_own_steps_on_few_rows_only_fails_and_needs_review(trainer):
    with pytest.raises(CheckFailed, match="fit did not train the graded data by steps of your grad_loss"):
        checked(trainer)
    [words] = trainer._session.evidence
    assert trainer._session.process is None  # the fresh worker that ran the forgery is ended with the check
    few = int(words.split(" rows ")[0].rsplit(" ", 1)[1])
    assert words == NOT_ITS_OWN_STEPS.format(few=few) and 20 <= few <= 30
