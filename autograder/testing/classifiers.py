"""The checks 04's ``LogisticRegression`` and 05's ``NeuralNet`` share: both are softmax classifiers.

The contract gives them the same methods (``forward``, ``predict``, ``loss``, ``accuracy``,
``grad_loss``, ``train``), the same initialisation rule (uniform from ``np.random``) and the same
training (per-sample SGD on the digits). A test file pins what the method under test calls
(``forward`` for ``predict``, ``loss`` and ``accuracy``; ``grad_loss`` for ``train``) and hands
these checks the trusted values; the checks call the student's method and judge its answer. The
expected values are computed here or by the caller's trusted code, never by the code under test.
"""
import numpy as np

from autograder.testing.checks import (
    a_type,
    as_array,
    as_class_indices,
    assert_close,
    assert_one_sgd_step,
    assert_true,
)

EPSILON = 1e-8  # of nll, as the contract defines it
PREDICT_HINT = "np.argmax(self.forward(X), axis=-1): over the classes, one per sample"
LOSS_HINT = "use the given nll (mean over samples, EPSILON inside the log) on one-hot targets"


def mean_nll(probabilities, y):
    """The contract's nll of integer labels ``y`` under ``probabilities``, computed here."""
    y = np.asarray(y)
    return float(-np.mean(np.log(EPSILON + np.atleast_2d(probabilities)[np.arange(len(y)), y])))


def check_predict(model, X, probabilities, what):
    """``model.predict(X)`` is the most probable class of ``probabilities`` (one int, or an int array)."""
    expected = np.argmax(probabilities, axis=-1)
    over_samples = np.argmax(probabilities, axis=0)  # the argmax over the wrong axis of a batch
    classes = as_class_indices(model.predict(X), what, expected.shape, expected=expected, mistakes=[
        ("the argmax is taken over the samples (axis 0) instead of the classes of each row (axis -1)", over_samples)]
        if np.ndim(probabilities) == 2 else ())
    assert_true(np.array_equal(classes, expected), f"{what} is not the most probable class", hint=PREDICT_HINT)


def check_loss(model, X, y, probabilities, rtol, what="loss(X, y)"):
    """``model.loss(X, y)`` is a float, the mean nll of ``y`` under ``probabilities``."""
    got = model.loss(X, y)
    assert_true(isinstance(got, (float, np.floating)), f"loss should be a float, got {a_type(got)}",
                hint="the given nll returns a float")
    assert_close(got, mean_nll(probabilities, y), what, rtol=rtol, hint=LOSS_HINT)


def check_accuracy(model, X, y, classes, what="accuracy(X, y)"):
    """``model.accuracy(X, y)`` is a float, the fraction of ``classes`` (the pinned predictions) equal to ``y``."""
    got = model.accuracy(X, y)
    assert_true(isinstance(got, (float, np.floating)), f"accuracy should be a float, got {a_type(got)}")
    assert_close(got, float(np.mean(np.asarray(classes) == np.asarray(y))), what,
                 hint="the mean of (self.predict(X) == y), with y converted by np.asarray")


def check_train_step(student, model, parameters, gradients, given, label, learning_rate, rtol, unchanged_hint):
    """``model.train(given, label, learning_rate)`` moves every parameter by one SGD step against ``gradients``.

    ``grad_loss`` is pinned to ``gradients`` for ``given`` (and its array form), however ``train`` passes
    the label; ``parameters`` holds the values the model had before.
    """
    x = np.asarray(given, dtype=float)
    forms = [x] if given is x else [x, given]
    student._pin("grad_loss", [entry for form in forms for entry in
                               (((form, label), {}, gradients), ((form,), {"y_true": label}, gradients))], target=model)
    model.train(given, label, learning_rate)
    for name, value in zip(gradients, model._read_each(*gradients)):  # one wait for the worker
        assert_one_sgd_step(value, parameters[name], gradients[name], learning_rate,
                            f"self.{name} after train(x, y, learning_rate={learning_rate})", rtol, unchanged_hint)


def check_init(student, make, shapes, scale, seed, spread):
    """A model made by ``make()`` after ``np.random.seed(seed)`` has parameters of the ``shapes``, and the same ones
    again after the same seed.

    ``shapes`` maps each parameter to ``(shape, kind)``: ``"zeros"``, or ``"uniform"`` in [-scale, scale] with its
    draws at least ``spread[name]`` apart (many uniform draws spread out; a few need not).
    """
    student._seed(seed)
    first = make()
    student._seed(seed)
    second = make()
    drawn = [name for name, (_, kind) in shapes.items() if kind != "zeros"]  # the second model's to compare
    firsts, seconds = first._read_each(*shapes), second._read_each(*drawn)  # one wait for the worker each
    for name, (shape, kind) in shapes.items():
        value = as_array(next(firsts), f"{first._label}.{name} of a new model", shape)
        if kind == "zeros":
            assert_true(np.all(value == 0), f"__init__ must set {name} to zeros")
            continue
        assert_true(np.all(np.abs(value) <= scale) and np.ptp(value) > spread.get(name, 0.0),
                    f"__init__ must draw {name} uniformly in [-{scale}, {scale}]")
        assert_close(next(seconds), value, f"{name} of a second model made after the same np.random.seed",
                     hint="draw with np.random.uniform (numpy's global random state), not a Generator of your own")


def train_on(student, make, X_train, y_train, epochs, learning_rate, seed, shapes):
    """Make a model after ``np.random.seed(seed)``, run ``epochs`` of per-sample SGD in the worker; return its
    parameters (``{name: shape}``), checked finite, as float64 arrays for the caller's trusted evaluation.

    The steps checked are checked again in a fresh worker once the parameters are read (which ends the worker
    that trained: :meth:`autograder.sandbox.remote.RemoteModule._check_in_a_fresh_worker`), and what was read
    must be what the last step left.
    """
    student._seed(seed)
    model = make()
    student._sgd(model, X_train, y_train, epochs, learning_rate, tuple(shapes))
    trained = {name: as_array(value, f"{name} after training", shape)  # read with one wait for the worker
               for (name, shape), value in zip(shapes.items(), model._read_each(*shapes))}
    student._check_in_a_fresh_worker(model, trained)
    for name, value in trained.items():
        assert_true(np.all(np.isfinite(value)), f"training made {name} NaN or inf",
                    hint="check grad_loss and train on their own tests first")
    return trained


def fixed_draws(model, parameters, seed, input_size):
    """Give ``model`` (and whatever shares the arrays of ``parameters``) parameters uniform in [-1, 1] from
    ``seed``, in the order of ``parameters``; return a sample uniform in [-2, 2] drawn after them.

    The gradient checks use these, not the per-student rng: a relative-error bar of 1e-6 needs every entry
    of the gradient well away from 0 (central differences are off by ~1e-11), which these are and a fresh
    draw cannot promise.
    """
    fixed = np.random.default_rng(seed)
    for name, array in parameters.items():
        array[...] = fixed.uniform(-1, 1, size=array.shape)
        setattr(model, name, array)
    return fixed.uniform(-2, 2, size=input_size)
