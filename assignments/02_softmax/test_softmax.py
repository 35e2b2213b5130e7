"""Public tests of 02_softmax: run them with `autograder check`. Hidden tests run at grading.

Each function is tried on a batch of several rows, not square, as well as on one vector: a
mistake that only shows on one of them (an axis, a sum over the rows, a max over the whole
batch) fails here before it costs points at grading.

Catalogue bugs these tests kill (``examples/catalogue.py``): bug_one_hot_labels_from_one,
bug_one_hot_int_dtype, bug_one_hot_bool_dtype, bug_softmax_wrong_axis, bug_softmax_no_max_shift,
bug_softmax_no_keepdims, bug_softmax_total_sum, bug_softmax_stable_only_for_batches,
bug_softmax_global_max, bug_nll_sum_not_mean, bug_nll_without_epsilon, bug_nll_sign,
bug_nll_log_of_max, bug_cross_entropy_averaged.
"""
import numpy as np
import pytest
from scipy.special import softmax as scipy_softmax

from autograder.testing import as_array, assert_close, assert_dtype, assert_true

EPSILON = 1e-8  # of nll, as the contract defines it


@pytest.mark.parametrize("labels, shape", [(2, (4,)), ([0, 3, 1], (3, 4)), (np.array([1, 1]), (2, 4))])
def test_one_hot_shapes_and_values(student, labels, shape):
    got = student.one_hot(4, labels)
    assert_dtype(got, "f", f"one_hot(4, {labels!r})", hint="one-hot rows are float: np.zeros(...) is float already",
                 expected=np.eye(4)[labels])
    encoded = as_array(got, f"one_hot(4, {labels!r})", shape)
    rows = encoded.reshape(-1, 4)
    assert_true(np.all(rows.sum(axis=1) == 1) and set(np.unique(rows)) <= {0.0, 1.0},
                "one_hot rows must hold a single 1.0 and zeros elsewhere")
    assert_close(encoded, np.eye(4)[labels], f"one_hot(4, {labels!r})")  # the 1.0 in the label's column


@pytest.mark.parametrize("shape", [(5,), (3, 5), (5, 3), (4, 4)])
def test_softmax_rows_are_probabilities(student, bars, shape):
    scores = np.random.default_rng(0).normal(size=shape)
    probabilities = as_array(student.softmax(scores), f"softmax of shape {shape}", shape)
    assert_true(np.all(probabilities > 0), "softmax outputs must be positive")
    # Against a trusted softmax first: a wrong axis, a total sum or a lost axis then gets named.
    assert_close(probabilities, scipy_softmax(scores, axis=-1), f"softmax of shape {shape}", rtol=bars["rtol"],
                 hint="normalise over the last axis (axis=-1, keepdims=True)")
    assert_close(probabilities.sum(axis=-1), np.ones(shape[:-1]), "the sum of each row of softmax",
                 hint="normalise over the last axis (axis=-1, keepdims=True)")


def test_softmax_known_values(student, bars):
    assert_close(student.softmax([0.0, np.log(3.0)]), [0.25, 0.75], "softmax([0, log 3])", rtol=bars["rtol"])


# Huge scores, for one vector as for a batch (3 rows of 2: not square), where exp overflows or underflows.
HUGE_CASES = {
    "vector": (lambda huge: [huge, 0.0, -huge], [1.0, 0.0, 0.0]),
    "vector-all-negative": (lambda huge: [-huge, -huge, -huge - 1.0], [1 / (2 + np.exp(-1)), 1 / (2 + np.exp(-1)),
                                                                      np.exp(-1) / (2 + np.exp(-1))]),
    "matrix": (lambda huge: [[huge, 0.0], [-huge, -huge], [0.0, huge]], [[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]),
}


@pytest.mark.parametrize("case", HUGE_CASES)
def test_softmax_is_stable_for_huge_scores(student, bars, case):
    huge = bars["huge_score"]
    scores, expected = HUGE_CASES[case]
    scores = np.array(scores(huge))
    with np.errstate(all="ignore"):  # what exp without the max shift gives: inf / inf and 0 / 0
        unshifted = np.exp(scores) / np.exp(scores).sum(axis=-1, keepdims=True)
        shifted_by_all = np.exp(scores - np.max(scores))  # by the batch's max (a column's gives the same here)
        shifted_by_all = shifted_by_all / shifted_by_all.sum(axis=-1, keepdims=True)
    assert_close(student.softmax(scores.tolist()), expected, f"softmax of scores of magnitude {huge:g} ({case})",
                 nonfinite_hint="softmax overflows: subtract each row's own max (axis=-1, keepdims=True) before "
                                "exponentiating, for a single vector too",
                 mistakes=[("exp overflows without the max shift: subtract each row's max before exponentiating",
                            unshifted),
                           ("the max subtracted is not each row's own (the batch's, or a column's): a row far below "
                            "it underflows to 0 / 0", shifted_by_all)])


def trusted_nll(Y_true, Y_pred):
    """The contract's formula, computed here: -mean over rows of sum(Y_true * log(EPSILON + Y_pred))."""
    Y_true, Y_pred = np.atleast_2d(Y_true), np.atleast_2d(Y_pred)
    return float(-np.mean(np.sum(Y_true * np.log(EPSILON + Y_pred), axis=1)))


# (Y_true, Y_pred, what): the published facts, then a batch of 3 rows of 4 classes (not square) whose last row
# is certain and wrong: the true class has probability 1e-9, where log(EPSILON + p) and log(max(p, EPSILON)) differ.
NLL_CASES = {
    "certain-and-right": ([1, 0, 0], [0.99, 0.01, 0], 0.01005),
    "unsure": ([1, 0, 0], [0.01, 0.01, 0.98], 4.60517),
    "three-rows": ([[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]],
                   [[0.1, 0.7, 0.1, 0.1], [0.25, 0.25, 0.25, 0.25], [0.5, 0.3, 0.2, 0.0]], None),
    "certain-and-wrong": ([[0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0]],
                          [[0.1, 0.7, 0.1, 0.1], [0.2, 0.1, 0.6, 0.1], [1e-9, 1.0 - 1e-9, 0.0, 0.0]], None),
}


@pytest.mark.parametrize("case", NLL_CASES)
def test_nll_published_values(student, case):
    Y_true, Y_pred, published = NLL_CASES[case]
    expected = trusted_nll(np.array(Y_true, dtype=float), np.array(Y_pred)) if published is None else published
    rtol = {"certain-and-right": 1e-3, "unsure": 1e-5}.get(case, 1e-6)  # the published facts have 4 or 6 digits
    mistakes = [("log(0) is -inf, and 0 * -inf is NaN: add EPSILON inside the log, log(EPSILON + Y_pred)", np.nan)]
    if case == "certain-and-wrong":  # EPSILON as a floor (np.maximum or a clip) gives log(EPSILON) for p = 1e-9
        Y_floor = np.maximum(np.array(Y_pred, dtype=float), EPSILON)
        mistakes = [("EPSILON is used as a floor (np.maximum or a clip) instead of being added: log(EPSILON + Y_pred)",
                     float(-np.mean(np.sum(np.array(Y_true) * np.log(Y_floor), axis=1))))]
    assert_close(student.nll(Y_true, Y_pred), expected, f"nll of {len(np.atleast_2d(Y_true))} row(s) ({case})", rtol=rtol,
                 hint="-mean over the rows of sum(Y_true * log(EPSILON + Y_pred)): the MEAN over rows, not the sum",
                 nonfinite_hint="log(0) is -inf: add EPSILON inside the log, log(EPSILON + Y_pred) (not a clip)",
                 mistakes=mistakes if case in ("certain-and-right", "certain-and-wrong") else ())


@pytest.mark.parametrize("Y, P, expected", [
    ([1, 0], [0.5, 0.5], 2 * np.log(2)),
    ([1, 0, 1, 1, 0], [0.9, 0.2, 0.5, 0.8, 0.1], -np.log(0.9) - np.log(0.8) - np.log(0.5) - np.log(0.8) - np.log(0.9)),
], ids=["two-entries", "five-entries"])
def test_cross_entropy_known_value(student, Y, P, expected):
    assert_close(student.cross_entropy(Y, P), expected, f"cross_entropy of {len(Y)} entries",
                 hint="sum over the entries, do not average")
