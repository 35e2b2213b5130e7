"""What a failed comparison says about the mistake behind it: the diagnoses a check attaches.

Three sources, all on the trusted side, each named only when it holds within the
comparison's tolerance (a wrong diagnosis is worse than none), a mistake only when it also accounts for
nearly all of the student's deviation from the expected value (:func:`explains`):

- the test's own ``mistakes``: ``(words, value)`` pairs, the value a known mistake gives on
  the test's inputs, computed by the test with trusted code;
- the catalogue's known bugs: at grading, the runner attaches a matcher
  (:func:`attached`) that runs one-change variants of the reference on the inputs of the
  reference call that produced the expected value and names the bug whose output the
  student's matches (:mod:`autograder.runner.known_bugs`);
- a relation between the two values (:func:`~autograder.testing.relations.find_relation`);
- last, when none of these named the failure or only a relation did, matchers marked ``last_resort`` (at grading,
  the one-change mutants of the reference: :mod:`autograder.runner.mutants`): beside a relation, the one change
  whose whole result is the student's says the cause of what the relation says.

None of them ever puts an expected value into words.
"""
from contextlib import contextmanager

import numpy as np

from autograder.testing.relations import find_relation

class Shape(tuple):
    """The shape a check required, where it had no expected value but that (``as_array``'s ``shape``): passed to the
    matchers as the expected value. Only a wrong answer's fingerprint (`check`) can name a value of another shape from
    it; a matcher that replays the reference needs an expected value to find its call, and names nothing."""


class Relation(str):
    """A diagnosis that says how a value is off ("the value is the transpose"), not why: it holds of its own case's
    values whatever the mistake (:mod:`autograder.runner.one_cause` keeps it where it drops causes)."""


_matchers = []  # callables (got, expected, rtol, atol) -> list of diagnoses; attached for one test at a time
_observers = []  # callables (got, expected, rtol, atol) told of every comparison, passed or not


@contextmanager
def _listed(callables, item):
    """``item`` in the list ``callables`` for the block."""
    callables.append(item)
    try:
        yield item
    finally:
        callables.remove(item)


def observing(observer):
    """Tell ``observer(got, expected, rtol, atol)`` of every comparison a check makes inside the block.

    ``autograder generate`` records so what the public tests compare on the reference
    (:mod:`autograder.runner.fingerprints`); a run of the tests observes nothing.
    """
    return _listed(_observers, observer)


def observe(got, expected, rtol, atol):
    """One comparison a check is about to make (``got`` as the check converted it)."""
    for observer in _observers:
        observer(got, expected, rtol, atol)


def attached(matcher):
    """Let every check inside the block also ask ``matcher(got, expected, rtol, atol)`` for diagnoses."""
    return _listed(_matchers, matcher)


def same_values(a, b, rtol, atol):
    """``a`` and ``b`` have one shape and agree within tolerance, NaN and inf in the same places."""
    try:
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))


SEPARATION = 1e-5  # the most of the student's deviation from the expected value a mistake named may leave unexplained


def explains(got, value, expected, rtol, atol):
    """Whether a mistake whose value on the test's inputs is ``value`` explains the student's ``got``: the two agree
    within the comparison's tolerance, ``value`` is not the expected one, and ``value`` accounts for all but
    :data:`SEPARATION` of how far ``got`` is from ``expected`` (:func:`unexplained`).

    The tolerance alone is not enough: it is relative to the values, and where a mistake moves them by little (a step
    of learning rate 1e-3 whose factor is 0.008) every value near the input agrees with every other within it, so
    that a change far from the student's (one that barely steps at all) fits as well as theirs. The mistake made
    gives the student's value to the last digits, so it leaves nothing of the deviation unexplained.
    """
    return (same_values(got, value, rtol, atol) and not same_values(value, expected, rtol, atol)
            and not unexplained(got, value, expected))


def unexplained(got, value, expected):
    """Whether more than :data:`SEPARATION` of ``got``'s largest deviation from ``expected`` is left when ``value`` is
    taken for it, over the entries finite in all three (False where the three are not of one shape, or ``got`` is off
    only where it is not finite: the mismatch, which the tolerance's comparison matched exactly, tells them apart)."""
    try:
        got, value, expected = (np.asarray(each, dtype=np.float64) for each in (got, value, expected))
    except (TypeError, ValueError):
        return False
    if not got.shape == value.shape == expected.shape:
        return False
    finite = np.isfinite(got) & np.isfinite(value) & np.isfinite(expected)
    if not finite.any():
        return False
    deviation = np.max(np.abs(got - expected)[finite])  # 0 where got is off only where it is NaN or inf
    return bool(deviation > 0 and np.max(np.abs(got - value)[finite]) > SEPARATION * deviation)


def diagnose(got, expected, rtol, atol, mistakes=(), relations=True):
    """The diagnoses of a wrong ``got`` (already an array) against ``expected``: a list of sentences, maybe empty.

    Parameters
    ----------
    got : ndarray
        The student's value.
    expected : object
        The expected value as the test passed it (the matchers recognise the reference's result by it).
    rtol, atol : float
        The failed comparison's tolerance.
    mistakes : sequence of (str, array_like)
        The test's known mistakes: the words are said when ``got`` matches the value, and it is the only
        mistake that does (two that give the same value here cannot be told apart: neither is named).
    relations : bool
        Also look for a relation between the two values.
    """
    found = list(dict.fromkeys(words for words, value in mistakes if explains(got, value, expected, rtol, atol)))
    found = found if len(found) == 1 else []
    for matcher in [matcher for matcher in _matchers if not getattr(matcher, "last_resort", False)]:
        found += [words for words in matcher(got, expected, rtol, atol) if words not in found]
    related = False
    if relations and not found:
        try:
            relation = find_relation(got, np.asarray(expected, dtype=np.float64), rtol, atol)
        except (TypeError, ValueError):
            relation = None
        if relation:
            found.append(Relation(f"the value {relation}"))
            related = True
    for matcher in [matcher for matcher in _matchers if getattr(matcher, "last_resort", False)]:
        # A mutant of the reference speaks only when nothing named the failure, or only a relation did: a relation
        # says how the value is off, the one change whose whole result is the student's says why (both hold).
        if not found or (related and len(found) == 1):
            found += matcher(got, expected, rtol, atol)
    return found
