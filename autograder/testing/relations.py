"""Relations between a wrong value and the expected one, named in words.

When a comparison fails, the trusted side holds both the student's value and the
expected one, and can often say how they are related: the expected value times
-1 (a sign), times a whole number n or divided by one (a sum where a mean belongs,
or the reverse), times 2 or 1/2, its transpose, shifted by one class, normalised
over the other axis, divided by row sums broadcast along the wrong axis (a
missing ``keepdims``), or zero; and, beyond the factors one can name, the relations that hold
whatever the bug: a log in the other base, one minus the expected value, a constant factor or
shift shared by every entry, a factor of each row's (or column's) own, the right magnitudes with
the sign wrong in some entries, the right values with an axis of length 1 too many or too few,
or one entry too many or too few along an axis with the rest right. :func:`find_relation` names the first relation
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


LN10, LN2 = float(np.log(10.0)), float(np.log(2.0))
MANY = 3  # entries a relation with a free constant needs to hold on, so that it cannot hold by chance


def _log_base(got, expected, rtol, atol):
    """Words for a log taken in base 10 or 2 where the natural log belongs, or the reverse; None otherwise."""
    for factor, words in ((1 / LN10, "a log in base 10 (log10) where the natural log belongs"),
                          (LN10, "the natural log where a log in base 10 belongs"),
                          (1 / LN2, "a log in base 2 (log2) where the natural log belongs")):
        if _close(got, factor * expected, rtol, atol):
            return f"the expected value scaled as {words} would scale it"
    return None


def _probabilities(expected, rtol, atol):
    """Whether ``expected`` holds probabilities along its last axis (each row non-negative, summing to 1)."""
    return expected.ndim >= 1 and expected.shape[-1] > 1 and bool(np.all(expected >= 0)) and \
        bool(np.allclose(expected.sum(axis=-1), 1.0, rtol=rtol, atol=atol))


NOT_NORMALISED = ("the right proportions, but not divided by the sum (each row of probabilities must sum to 1)")


def _free_constant(got, expected, rtol, atol):
    """Words for ``got == c * expected`` or ``got == expected + c`` with one unnamed constant c shared by many
    entries (never said: it would give the expected value away), or ``got == 1 - expected``; None otherwise."""
    if _close(got, 1.0 - expected, rtol, atol):
        return "one minus the expected value: the complement (1 - p) where p belongs, or the reverse"
    nonzero = np.abs(expected) > atol
    if np.count_nonzero(nonzero) < MANY:
        return None
    factor = float(np.dot(got.ravel(), expected.ravel())) / float(np.dot(expected.ravel(), expected.ravel()))
    if factor != 0 and _close(got, factor * expected, rtol, atol):
        if _probabilities(expected, rtol, atol):
            return f"the expected value times one constant factor: {NOT_NORMALISED}"
        return ("the expected value times one constant factor, the same for every entry: a constant multiplies "
                "it that should not, or one is missing (a rate, a 1/n, a scale?)")
    shift = float(np.mean(got - expected))
    if _close(got, expected + shift, rtol, atol):
        return ("the expected value plus one constant, the same for every entry: a constant term is added or "
                "missing (a bias, an epsilon, a 1?)")
    return None


def _own_factors(got, expected, rtol, atol):
    """Words for each row (or column) of a matrix being the expected one times a factor of its own; None otherwise."""
    if expected.ndim != 2 or min(expected.shape) < 2:
        return None
    for axis, part in ((1, "row"), (0, "column")):
        norms = np.sum(expected * expected, axis=axis, keepdims=True)
        if np.any(norms == 0):
            continue
        factors = np.sum(got * expected, axis=axis, keepdims=True) / norms
        if np.ptp(factors) > rtol * np.max(np.abs(factors)) and _close(got, factors * expected, rtol, atol):
            if part == "row" and _probabilities(expected, rtol, atol):
                return f"the expected value with each row times a factor of its own: {NOT_NORMALISED}"
            other = "column" if part == "row" else "row"
            return (f"the expected value with each {part} times a factor of its own: what varies along a {part} "
                    f"is right, what each {part} is scaled by is not (a factor of each {other}?)")
    return None


def _signs_flipped_in_part(got, expected, rtol, atol):
    """Words for the right magnitudes with the sign wrong in some entries (not all); None otherwise."""
    flipped = ~np.isclose(got, expected, rtol=rtol, atol=atol)
    if np.count_nonzero(np.abs(expected) > atol) < MANY or not flipped.any() or flipped.all():
        return None
    if not _close(np.where(flipped, -got, got), expected, rtol, atol):
        return None
    where = "entries"
    if flipped.ndim == 2 and min(flipped.shape) >= 2:
        where = ("columns" if np.all(flipped == flipped[:1]) else "rows" if np.all(flipped == flipped[:, :1])
                 else "entries")
    return f"the expected value with the wrong sign in some {where} but not all: a sign in one of its terms"


def _reshaped(got, expected, rtol, atol):
    """Words for the right values with an axis of length 1 too many or too few, or for one entry too many or too
    few along one axis with the rest right; None otherwise."""
    if got.size == expected.size and got.ndim != expected.ndim and \
            tuple(n for n in got.shape if n != 1) == tuple(n for n in expected.shape if n != 1) and \
            _close(got.reshape(expected.shape), expected, rtol, atol):
        if got.ndim > expected.ndim:
            return ("has the right values but an extra axis of length 1: a reduction kept its axis "
                    "(keepdims=True where it does not belong?)")
        return "has the right values but lost an axis of length 1 (keepdims=True missing, or a squeeze too many?)"
    if got.ndim != expected.ndim or got.ndim == 0:
        return None
    differing = [axis for axis in range(got.ndim) if got.shape[axis] != expected.shape[axis]]
    if len(differing) != 1 or abs(got.shape[differing[0]] - expected.shape[differing[0]]) != 1:
        return None
    axis = differing[0]
    short, long = (got, expected) if got.shape[axis] < expected.shape[axis] else (expected, got)
    kept = short.shape[axis]
    if short.size < 2:
        return None  # one number agreeing is too little to call the rest right
    name = {0: "row", 1: "column"}[axis] if got.ndim == 2 else "entry" if got.ndim == 1 else f"entry along axis {axis}"
    for end, start in (("last", 0), ("first", 1)):
        if _close(np.take(long, range(start, start + kept), axis=axis), short, rtol, atol):
            if long is got:
                return f"has one {name} too many (the {end} one), and the others are right: check the size"
            return f"lacks one {name} (the {end} one), and the others are right: check the size or the range"
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
        return _reshaped(got, expected, rtol, atol)
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
    for relation in (_log_base, _free_constant, _signs_flipped_in_part, _own_factors):
        if (words := relation(got, expected, rtol, atol)) is not None:
            return f"is {words}"
    return None
