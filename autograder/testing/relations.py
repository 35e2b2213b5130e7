"""Relations between a wrong value and the expected one, named in words.

When a comparison fails, the trusted side holds both the student's value and the
expected one, and can often say how they are related: the expected value times
-1 (a sign), times a whole number n or divided by one (a sum where a mean belongs,
or the reverse), times 2 or 1/2, its transpose, shifted by one class, normalised
over the other axis, divided by row sums broadcast along the wrong axis (a
missing ``keepdims``), or zero. :func:`find_relation` names the first relation
that holds within the comparison's own tolerance, and none otherwise: a relation
is named only when it is true, and the words never contain an expected value.

Relations that need the inputs as well (the bias or epsilon left out, a derivative
taken at the activation) are found by running the catalogue's known bugs
(:mod:`autograder.testing.diagnosis`), or by a test's own ``mistakes``.
"""
import numpy as np

LARGEST_COUNT = 10_000  # a whole-number factor above this is no count of anything in these tests


def _close(a, b, rtol, atol):
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _whole(value):
    """``value`` as an int when it is a whole number from 3 to LARGEST_COUNT (to 1e-9), else None."""
    count = round(value)
    return count if 3 <= count <= LARGEST_COUNT and abs(value - count) <= 1e-9 * count else None


def _scale(got, expected, rtol, atol):
    """Words for ``got == c * expected`` with c one of -1, 2, 1/2, n, 1/n; None if no such c holds."""
    norm = float(np.dot(expected.ravel(), expected.ravel()))
    if norm == 0.0:
        return None
    factor = float(np.dot(got.ravel(), expected.ravel())) / norm
    named = {-1.0: "the expected value times -1: check the sign",
             2.0: "twice the expected value: a factor 2 too many",
             0.5: "half the expected value: a factor 2 is missing"}
    for constant, words in named.items():
        if _close(got, constant * expected, rtol, atol):
            return words
    if factor > 1 and (count := _whole(factor)) and _close(got, count * expected, rtol, atol):
        return (f"the expected value times {count}, a whole number: a factor you should not multiply by "
                "(a sum where a mean belongs?)")
    if 0 < factor < 1 and (count := _whole(1 / factor)) and _close(got, expected / count, rtol, atol):
        return (f"the expected value divided by {count}, a whole number: a division that does not belong "
                "(a mean where a sum belongs?)")
    return None


def _normalised_elsewhere(got, expected, rtol, atol):
    """Words for rows normalised the wrong way: over the other axis, over everything, or without keepdims."""
    if got.ndim != 2 or got.shape != expected.shape or min(got.shape) < 2 or np.any(expected <= 0):
        return None
    if not np.allclose(expected.sum(axis=-1), 1.0, rtol=rtol, atol=atol):
        return None  # only probabilities per row have a "right axis" to normalise over
    ratio = got / expected
    rank_one = np.outer(ratio[:, 0], ratio[0, :] / ratio[0, 0])
    if not np.allclose(ratio, rank_one, rtol=max(rtol, 1e-9), atol=0):
        return None  # not the same exponentials over other sums
    if np.allclose(got.sum(axis=0), 1.0, rtol=rtol, atol=atol):
        return "normalised over the first axis (the samples) instead of the last (the classes of each row)"
    if np.isclose(got.sum(), 1.0, rtol=rtol, atol=atol):
        return "normalised by the sum over the whole array instead of each row's own sum"
    if got.shape[0] == got.shape[1] and np.allclose(np.diag(ratio), 1.0, rtol=rtol, atol=atol):
        return ("divided by the row sums broadcast along the wrong axis: the sum lost its axis "
                "(keepdims=True is missing)")
    return None


#: The functions of two bits a perceptron gate or a network of them may compute, by name.
TWO_BIT_FUNCTIONS = {
    "AND": lambda a, b: a & b, "OR": lambda a, b: a | b, "NAND": lambda a, b: 1 - (a & b),
    "NOR": lambda a, b: 1 - (a | b), "XOR": lambda a, b: a ^ b, "XNOR": lambda a, b: 1 - (a ^ b),
    "x1 alone": lambda a, b: a, "x2 alone": lambda a, b: b, "NOT x1": lambda a, b: 1 - a, "NOT x2": lambda a, b: 1 - b,
}


def two_bit_function(inputs, outputs):
    """The name of the one function of :data:`TWO_BIT_FUNCTIONS` that gives ``outputs`` on ``inputs`` (pairs of
    bits), or None when none does or several do (the inputs seen cannot tell them apart)."""
    fitting = [name for name, function in TWO_BIT_FUNCTIONS.items()
               if all(function(a, b) == output for (a, b), output in zip(inputs, outputs))]
    return fitting[0] if len(fitting) == 1 else None


def find_relation(got, expected, rtol=1e-6, atol=1e-9):
    """How the wrong ``got`` relates to ``expected``, in words ("is ..."), or None when no relation holds.

    Parameters
    ----------
    got, expected : ndarray of float64
        The student's value and the expected one; shapes may differ (a transpose).
    rtol, atol : float
        The tolerance of the failed comparison: a relation is named only when it holds within it.

    Returns
    -------
    str or None
        A phrase to follow the value's name, e.g. ``"is the expected value times -1: check the sign"``.
    """
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if not (np.all(np.isfinite(got)) and np.all(np.isfinite(expected))) or expected.size == 0:
        return None
    if _close(got, expected, rtol, atol):
        return None  # not wrong: nothing to explain
    if expected.ndim == 2 and got.shape == expected.shape[::-1] and _close(got.T, expected, rtol, atol):
        return "is the transpose of the expected array: swap the order of the factors (or the axes)"
    if got.shape != expected.shape:
        return None
    if np.all(got == 0) and np.any(np.abs(expected) > atol):
        return "is zero, where it should not be: it is never computed"
    if (words := _scale(got, expected, rtol, atol)) is not None:
        return f"is {words}"
    if expected.ndim == 2 and expected.shape[0] == expected.shape[1] and _close(got, expected.T, rtol, atol):
        return "is the transpose of the expected array: swap the order of the factors (or the axes)"
    if expected.ndim >= 1 and expected.shape[-1] > 1:
        for shift, words in ((-1, "one class too low"), (1, "one class too high")):
            rolled = np.roll(expected, shift, axis=-1)
            if _close(got, rolled, rtol, atol) and not _close(rolled, expected, rtol, atol):
                return f"is the expected value shifted by one class ({words}): labels count from 0"
    if (words := _normalised_elsewhere(got, expected, rtol, atol)) is not None:
        return f"is {words}"
    return None
