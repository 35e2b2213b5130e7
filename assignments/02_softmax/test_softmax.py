"""Public tests of 02_softmax: run them with `autograder check`. Hidden tests run at grading."""
import numpy as np
import pytest
from scipy.special import softmax as scipy_softmax

from autograder.testing import as_array, assert_close, assert_true


@pytest.mark.parametrize("labels, shape", [(2, (4,)), ([0, 3, 1], (3, 4)), (np.array([1, 1]), (2, 4))])
def test_one_hot_shapes_and_values(student, labels, shape):
    encoded = as_array(student.one_hot(4, labels), f"one_hot(4, {labels!r})", shape)
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


def test_softmax_is_stable_for_huge_scores(student, bars):
    huge = bars["huge_score"]
    scores = np.array([[huge, 0.0], [-huge, -huge]])
    with np.errstate(all="ignore"):  # what exp without the max shift gives: inf / inf and 0 / 0
        unshifted = np.exp(scores) / np.exp(scores).sum(axis=-1, keepdims=True)
    assert_close(student.softmax(scores.tolist()), [[1.0, 0.0], [0.5, 0.5]],
                 f"softmax of scores of magnitude {huge:g}",
                 hint="softmax overflows: subtract each row's max before exponentiating",
                 mistakes=[("exp overflows without the max shift: subtract each row's max before exponentiating",
                            unshifted)])


def test_nll_published_values(student):
    assert_close(student.nll([1, 0, 0], [0.99, 0.01, 0]), 0.01005, "nll([1,0,0], [.99,.01,0])", rtol=1e-3,
                 mistakes=[("log(0) is -inf, and 0 * -inf is NaN: add EPSILON inside the log, log(EPSILON + Y_pred)",
                            np.nan)])
    assert_close(student.nll([1, 0, 0], [0.01, 0.01, 0.98]), 4.60517, "nll([1,0,0], [.01,.01,.98])", rtol=1e-5,
                 hint="use log(EPSILON + Y_pred), and the mean over rows, not the sum")


def test_cross_entropy_known_value(student):
    assert_close(student.cross_entropy([1, 0], [0.5, 0.5]), 2 * np.log(2), "cross_entropy([1, 0], [.5, .5])",
                 hint="sum over the entries, do not average")
