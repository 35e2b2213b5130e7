"""Hidden tests of 02_softmax: the student's functions against the reference on fresh inputs.

The inputs are drawn from ``rng``, seeded per student (see ``autograder.runner.plugin``): no two
students see the same numbers, and the same student regraded sees the same ones.

Catalogue bugs these tests kill (``examples/catalogue.py``): every bug of 02_softmax, among them
bug_softmax_shifts_input_in_place, bug_softmax_normalises_in_place, bug_nll_adds_epsilon_in_place and
bug_cross_entropy_flips_in_place (only the in-place test sees these), bug_softmax_stable_only_for_batches, bug_nll_log_of_max and the dtype bugs of one_hot.
"""
import numpy as np
import pytest

from autograder.testing import assert_close, assert_dtype, assert_not_mutated


@pytest.mark.parametrize("labels", [7, [2, 0, 5, 5, 1], np.array([6]), np.array([8, 3, 0, 4])])
def test_hidden_one_hot_matches_reference(student, reference, labels):
    got = student.one_hot(9, labels)
    assert_dtype(got, "f", "one_hot(9, labels)", hint="one-hot rows are float")
    assert_close(got, reference.one_hot(9, labels), "one_hot(9, labels)")


@pytest.mark.parametrize("shape, scale", [((7,), 1.0), ((4, 9), 3.0), ((9, 4), 3.0), ((1, 6), 1.0), ((3, 5), 1e5),
                                          ((6,), 1e5)])
def test_hidden_softmax_matches_reference(student, reference, bars, rng, shape, scale):
    scores = rng.normal(scale=scale, size=shape)
    overflow = "subtract each row's own max before exponentiating, for a vector as for a matrix"
    assert_close(student.softmax(scores), reference.softmax(scores), f"softmax of shape {shape}", rtol=bars["rtol"],
                 hint="normalise each row over the last axis with keepdims=True" if shape[0] != shape[-1] else None,
                 nonfinite_hint=overflow if scale > 1e3 else None)


@pytest.mark.parametrize("rows", [1, 6, "vector"])
def test_hidden_nll_matches_reference(student, reference, bars, rng, rows):
    count = 1 if rows == "vector" else rows
    labels = rng.integers(0, 5, size=count)
    Y_true = reference.one_hot(5, labels)
    Y_pred = reference.softmax(rng.normal(scale=4, size=(count, 5)))
    # Certain and wrong: the true class gets a probability far below EPSILON, but not 0, where log(EPSILON + p)
    # differs from log(max(p, EPSILON)) and from a clipped p; a second row gives it exactly 0.
    Y_pred[0, labels[0]] = rng.uniform(0.05, 0.5) * reference.EPSILON
    if count > 1:
        Y_pred[-1, labels[-1]] = 0.0
    if rows == "vector":
        Y_true, Y_pred = Y_true[0], Y_pred[0]
    assert_close(student.nll(Y_true, Y_pred), reference.nll(Y_true, Y_pred), f"nll over {rows} row(s)",
                 rtol=bars["rtol"], hint="average over rows: one number for any number of rows",
                 nonfinite_hint="add EPSILON inside the log (not a clip, not a max): log(0) is -inf")


@pytest.mark.parametrize("kind", ["lists", "arrays"])
def test_hidden_cross_entropy_matches_reference(student, reference, bars, rng, kind):
    Y = rng.integers(0, 2, size=11)
    P = rng.uniform(0.05, 0.95, size=11)
    got = student.cross_entropy(list(Y), list(P)) if kind == "lists" else student.cross_entropy(Y.astype(float), P)
    assert_close(got, reference.cross_entropy(Y, P), f"cross_entropy ({kind})", rtol=bars["rtol"])


def nll_inputs(rng):
    """One-hot targets and predictions a clip, a normalisation or an EPSILON added in place would change:
    zeros, and rows that do not sum to 1."""
    Y_true = np.eye(4)[[2, 0, 3]]
    Y_pred = np.abs(rng.normal(size=(3, 4))) / 10
    Y_pred[0, 1] = Y_pred[2, 3] = 0.0
    return Y_true, Y_pred


@pytest.mark.parametrize("function", ["softmax", "nll", "cross_entropy", "one_hot"])
def test_hidden_inputs_not_mutated(student, rng, function):
    if function == "softmax":  # huge scores: a shift or clip in place changes them
        arguments, names = (rng.normal(scale=1e3, size=(3, 4)),), ["X"]
    elif function == "nll":
        arguments, names = nll_inputs(rng), ["Y_true", "Y_pred"]
    elif function == "cross_entropy":  # float labels and probabilities near 0 and 1: a flip or clip changes them
        Y = np.array([1.0, 0.0, 1.0, 0.0, 1.0])
        arguments, names = (Y, np.array([0.3, 1e-12, 1 - 1e-12, 0.6, 0.8])), ["Y", "P"]
    else:  # unsorted labels with repeats: a sort or unique in place changes them
        arguments, names = (6, np.array([4, 1, 5, 1, 0])), ["n_classes", "y"]
    _, mutated = getattr(student, function).call_tracking_mutation(*arguments)
    assert_not_mutated(mutated, names, function)
