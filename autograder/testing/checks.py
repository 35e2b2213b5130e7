"""Assertions whose failure messages help a student and never reveal an expected value."""
import numpy as np

from autograder.testing.diagnosis import Shape, diagnose, observe, same_values
from autograder.testing.gradcheck import numerical_gradient, relative_error
from autograder.sandbox.inside.articles import with_article
from autograder.sandbox.inside.wire import Handle


# Central differences agree with the true gradient to about 1e-9 here: a relation between a student's gradient
# and the numerical one holds to this tolerance, far tighter than any mistake's effect.
GRADIENT_RTOL, GRADIENT_ATOL = 1e-5, 1e-8


class CheckFailed(AssertionError):
    """A graded check failed; ``str(error)`` is the feedback, ``diagnoses`` the sentences that name the mistake, if
    any (:func:`~autograder.testing.diagnosis.diagnose`'s), and ``diagnosis`` them in one.

    ``quarantined`` is the same account without the numbers the student's output decides (its shape,
    its error's size, where it is largest): what a hidden test shows before the due date, so that a
    submission cannot spell its hidden inputs, or the reference values pinned helpers gave it, in them.
    """

    def __init__(self, message, diagnoses=(), quarantined=None):
        super().__init__(message)
        self.diagnoses = tuple(diagnoses)
        self.diagnosis = "; ".join(self.diagnoses)
        self.quarantined = message if quarantined is None else quarantined


def _fail(message, hint=None, diagnoses=(), quarantined=None):
    """Fail with ``message`` (``quarantined``: without the student's numbers), then the diagnoses when there are
    any, else the ``hint``."""
    quarantined = message if quarantined is None else quarantined
    if diagnoses:
        diagnosis = "; ".join(diagnoses)
        raise CheckFailed(f"{message}. Diagnosis: {diagnosis}", diagnoses, f"{quarantined}. Diagnosis: {diagnosis}")
    if hint:
        raise CheckFailed(f"{message}. Hint: {hint}", quarantined=f"{quarantined}. Hint: {hint}")
    raise CheckFailed(message, quarantined=quarantined)


def assert_true(condition, message, hint=None, diagnosis=None):
    """Fail with ``message`` unless ``condition``; then with ``diagnosis`` when given, else with ``hint``.

    A ``diagnosis`` names the mistake: give one only when the failed condition establishes it (the
    caller has checked that the output is exactly what that mistake gives).
    """
    if not condition:
        _fail(message, hint, [diagnosis] if diagnosis else ())


def a_type(value):
    """``value``'s type as the student is told it: ``a float``; None says where a None usually comes from."""
    if value is None:
        return "None (what a function gives back when it ends without a `return`)"
    return with_article(type(value).__name__)


def _describe(value):
    if isinstance(value, Handle):
        return f"{with_article(value.type)} object"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    return a_type(value)


def as_array(got, what, shape=None):
    """``got`` as a numeric float64 array, failing clearly when it is not numeric or has another shape."""
    if isinstance(got, (list, tuple)) and all(isinstance(item, (int, float, np.number, np.ndarray)) for item in got):
        got = np.asarray(got)
    if isinstance(got, (bool, int, float, np.number)):
        got = np.asarray(got)
    if not isinstance(got, np.ndarray) or got.dtype.kind not in "biuf":
        _fail(f"{what} should be numeric, got {_describe(got)}", quarantined=f"{what} should be numeric")
    got = got.astype(np.float64)
    if shape is not None:
        shape = Shape(shape)
        observe(got, shape, 0.0, 0.0)  # a shape required: `autograder generate` fingerprints the wrong ones
        if got.shape != shape:
            _fail(f"{what} should have shape {shape}, got {got.shape}",
                  diagnoses=diagnose(got, shape, 0.0, 0.0, relations=False),
                  quarantined=f"{what} should have shape {shape}, got another one")
    return got


def assert_close(got, expected, what, rtol=1e-6, atol=1e-9, hint=None, mistakes=(), nonfinite_hint=None):
    """``got`` equals ``expected`` (same shape, finite, within tolerance).

    The message reports shapes, NaN/inf and the largest relative error, never
    the expected values, then the diagnoses that hold
    (:func:`~autograder.testing.diagnosis.diagnose`). Each fixed hint is said only for the
    failure it is written for, and only when no diagnosis explains it: ``hint`` for a wrong
    shape, ``nonfinite_hint`` for NaN or inf (an overflow the test's huge inputs provoke); a
    wrong value gets only diagnoses, never a fixed hint that may not fit the mistake made (a
    NaN from a log of a negative number is not told "sum, do not average").

    Parameters
    ----------
    mistakes : sequence of (str, array_like)
        Known mistakes for these inputs: the words are said when ``got`` equals the value.
    """
    expected_array = np.asarray(expected, dtype=np.float64)
    got = as_array(got, what)
    observe(got, expected, rtol, atol)
    if got.shape != expected_array.shape:
        _fail(f"{what} should have shape {expected_array.shape}, got {got.shape}", hint,
              diagnose(got, expected, rtol, atol, mistakes),
              quarantined=f"{what} should have shape {expected_array.shape}, got another one")
    if not np.all(np.isfinite(got)):
        bad = "NaN" if np.any(np.isnan(got)) else "inf"
        _fail(f"{what} contains {bad}", nonfinite_hint, diagnose(got, expected, rtol, atol, mistakes, relations=False))
    # Equal values first: np.allclose costs six times more, and most values checked are right.
    if not ((got == expected_array).all() or np.allclose(got, expected_array, rtol=rtol, atol=atol)):
        error = np.abs(got - expected_array) / np.maximum(np.abs(expected_array), atol)
        where = np.unravel_index(np.argmax(error), error.shape) if error.ndim else ()
        index = tuple(int(i) for i in where)
        at = f" at index {index[0] if len(index) == 1 else index}" if index else ""  # 3 for a vector, not (3,)
        _fail(f"{what} is off: largest relative error {float(np.max(error)):.2g}{at}", None,
              diagnose(got, expected, rtol, atol, mistakes), quarantined=f"{what} is off")


def assert_equal(got, expected, message, mistakes=()):
    """``got`` equals ``expected`` exactly (a label, a class, a count); else fail with ``message`` and its diagnoses.

    For discrete values only the test's ``mistakes`` and the known bugs can say what went
    wrong: a relation between two labels would be a coincidence.
    """
    got_array = np.asarray(got)
    observe(got_array, expected, 0.0, 0.0)
    if got_array.shape == np.shape(expected) and np.array_equal(got_array, np.asarray(expected)):
        return
    _fail(message, None, diagnose(got_array, expected, 0.0, 0.0, mistakes, relations=False))


def assert_not_mutated(mutated, names, what):
    """``mutated`` (argument positions a call changed in place) is empty."""
    if mutated:
        changed = ", ".join(names[position] if position < len(names) else f"argument {position}"
                            for position in mutated)
        _fail(f"{what} modified its input {changed} in place", "work on a copy, e.g. W = W - step, not W -= step")


def assert_gradient(analytic, loss, parameter, what, bar, h=1e-5, hint=None, mistakes=()):
    """Check ``analytic`` against central differences of ``loss()`` around the float64 array ``parameter``.

    ``loss`` is evaluated with trusted code (the reference, or a formula), so a
    student's gradient is judged against the true derivative. A failure names the
    relation between the student's gradient and the numerical one when one holds
    ("is zero", "is the transpose", "times -1"), or a matching ``mistakes`` entry;
    ``hint`` is said only for a wrong shape that no diagnosis explains (not for NaN or inf).
    """
    numeric = None
    got = as_array(analytic, what)
    if got.shape != parameter.shape:
        numeric = numerical_gradient(lambda: float(loss()), parameter, h)
        _fail(f"{what} should have shape {parameter.shape}, got {got.shape}", hint,
              diagnose(got, numeric, GRADIENT_RTOL, GRADIENT_ATOL, mistakes, relations=True),
              quarantined=f"{what} should have shape {parameter.shape}, got another one")
    if not np.all(np.isfinite(got)):
        _fail(f"{what} contains NaN or inf")
    numeric = numerical_gradient(lambda: float(loss()), parameter, h)
    observe(got, numeric, GRADIENT_RTOL, GRADIENT_ATOL)
    error = relative_error(got, numeric)
    if error >= bar:
        _fail(f"{what} fails the gradient check: relative error {error:.2g} (must be below {bar:g})", None,
              diagnose(got, numeric, GRADIENT_RTOL, GRADIENT_ATOL, mistakes),
              quarantined=f"{what} fails the gradient check (the relative error must be below {bar:g})")


def _right_but_typed(got, expected, typed, wanted):
    """The diagnosis of a value of the wrong type whose values equal ``expected`` exactly; [] when they do not
    (or no ``expected`` is known): "the values are right, but <typed> where <wanted> belongs"."""
    if expected is None or not same_values(got, expected, 0.0, 0.0):
        return []
    return [f"the values are right, but {typed} where {wanted} belongs"]


def _require_type(condition, got, expected, message, typed, wanted, hint):
    """Fail with ``message`` unless ``condition``; diagnosed when the values are ``expected`` in another type."""
    if not condition:
        _fail(message, hint, _right_but_typed(got, expected, typed, wanted))


def assert_dtype(got, kinds, what, hint=None, expected=None):
    """``got`` is a numpy array whose dtype is of one of ``kinds`` (``"f"`` float, ``"iu"`` int), as it came back.

    Checked before any conversion: ``as_array`` makes every number float64, so an int one-hot
    would compare equal to the float one. With the ``expected`` values, a wrong dtype holding
    exactly them is diagnosed as such.
    """
    names = {"f": "float", "i": "int", "u": "unsigned int", "b": "bool"}
    wanted = " or ".join(names[kind] for kind in kinds)
    _require_type(isinstance(got, np.ndarray), got, expected,
                  f"{what} should be a numpy array of {wanted}, got {_describe(got)}", _describe(got),
                  f"a numpy array of {wanted}", hint)
    dtype = f"{with_article(wanted)} dtype"
    _require_type(got.dtype.kind in kinds, got, expected, f"{what} should have {dtype}, got {got.dtype}",
                  f"of dtype {got.dtype}", dtype, hint)


def as_int(got, what, hint=None, expected=None):
    """``got`` as a Python int: it must be an int or a numpy integer (not a bool, not a float).

    With the ``expected`` value, a bool or float equal to it is diagnosed as the right value in the wrong type.
    """
    _require_type(isinstance(got, (int, np.integer)) and not isinstance(got, (bool, np.bool_)), got, expected,
                  f"{what} should be an int, got {_describe(got)}", _describe(got), "an int", hint)
    return int(got)


def as_class_indices(got, what, shape, expected=None, mistakes=()):
    """``got`` as class indices: an int for one sample (``shape == ()``), an integer array of ``shape`` for a batch.

    With the ``expected`` classes, classes of another type equal to them are diagnosed as such; a batch of
    another shape is diagnosed by the ``mistakes`` (``(words, classes)``) it matches.
    """
    if shape == ():
        _require_type(isinstance(got, (int, np.integer)) and not isinstance(got, bool), got, expected,
                      f"{what} should be an int, got {a_type(got)}", _describe(got), "an int",
                      "for one sample return int(np.argmax(probabilities)), not an array")
        return np.asarray(got)
    if mistakes and np.shape(got) != tuple(shape):
        _fail(f"{what} should have shape {tuple(shape)}, got {np.shape(got)}", None,
              diagnose(as_array(got, what), np.zeros(shape), 0.0, 0.0, mistakes, relations=False),
              quarantined=f"{what} should have shape {tuple(shape)}, got another one")
    classes = as_array(got, what, shape)
    _require_type(isinstance(got, np.ndarray) and got.dtype.kind in "iu", got, expected,
                  f"{what} should be an array of int classes",
                  f"of dtype {got.dtype}" if isinstance(got, np.ndarray) else _describe(got), "an array of int classes",
                  "np.argmax over the last axis gives integer class indices; do not return probabilities")
    return classes


def assert_one_sgd_step(got, before, gradient, learning_rate, what, rtol, update_hint):
    """``got`` is ``before`` after exactly one SGD step against ``gradient``; else say which mistake it looks like.

    ``update_hint`` is what to say when the parameter did not change at all.
    """
    got = as_array(got, what, before.shape)
    mistakes = [
        (update_hint, before),
        ("train must step AGAINST the gradient: subtract learning_rate * gradient", before + learning_rate * gradient),
        ("train applies exactly one step: one grad_loss call, one update each", before - 2 * learning_rate * gradient),
        # with a learning rate of 1/2 this is the step above: then neither is named (diagnose's rule)
        ("the step must be scaled by the learning rate: parameter - learning_rate * gradient", before - gradient),
    ]
    assert_close(got, before - learning_rate * gradient, what, rtol=rtol, atol=1e-12, mistakes=mistakes)


def assert_sgd_step(report, learning_rate, what, rtol=1e-5):
    """A step of a training run that the worker reported: every parameter moved by one SGD step.

    ``report`` holds the model's arrays ``before`` and ``after`` the step and the ``gradient``
    dict that the student's own ``grad_loss`` gives at the parameters before it; each
    parameter with a gradient must have become ``before - learning_rate * gradient``. A
    ``train`` that ignores its gradient (fits another way, collects samples) fails here.
    """
    if not isinstance(report, dict) or "gradient" not in report:
        _fail(f"{what}: the training step could not be checked")
    assert_gradient_step(report, report["gradient"], learning_rate, what, rtol,
                         hint="the keys of grad_loss's dict are the names of the parameters, e.g. 'W' and 'b'")


def assert_gradient_step(report, gradient, learning_rate, what, rtol=1e-5, hint=None):
    """A checked step of a training run (``report``: the model's arrays ``before`` and ``after`` it, and its
    ``step``) moved every parameter named in the dict ``gradient`` by ``-learning_rate * gradient``."""
    if not isinstance(report, dict) or not {"step", "before", "after"} <= set(report):
        _fail(f"{what}: the training step could not be checked")
    before, after = report["before"], report["after"]
    step = f"{what} at training step {int(report['step']) + 1}"
    assert_true(isinstance(gradient, dict) and gradient and isinstance(before, dict) and isinstance(after, dict),
                f"{step}: grad_loss(x, y) should return a dict with one gradient per parameter")
    for name, value in gradient.items():
        assert_true(name in before and name in after,
                    f"{step}: a gradient for something that is not an array of the model", hint=hint)
        assert_one_sgd_step(after[name], as_array(before[name], f"self.{name} before the step"),
                            as_array(value, f"the gradient of {name!r}", np.shape(before[name])), learning_rate,
                            f"self.{name} after {step}", rtol,
                            "each step must move every parameter: parameter - learning_rate * gradient, with "
                            "the gradient at the parameters before the step")
