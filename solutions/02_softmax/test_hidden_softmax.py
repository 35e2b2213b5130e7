"""Hidden tests of 02_softmax: the student's functions against the reference on fresh inputs."""
import numpy as np
import pytest

from autograder.testing import assert_close, assert_not_mutated


@pytest.fixture
def rng():
    return np.random.default_rng(20261123)


@pytest.mark.parametrize("labels", [7, [2, 0, 5, 5, 1], np.array([6])])
def test_hidden_one_hot_matches_reference(student, reference, labels):
    assert_close(student.one_hot(9, labels), reference.one_hot(9, labels), "one_hot(9, labels)")


@pytest.mark.parametrize("shape, scale", [((7,), 1.0), ((4, 9), 3.0), ((9, 4), 3.0), ((1, 6), 1.0), ((3, 5), 1e5)])
def test_hidden_softmax_matches_reference(student, reference, bars, rng, shape, scale):
    scores = rng.normal(scale=scale, size=shape)
    hint = "normalise each row over the last axis with keepdims=True" if shape[0] != shape[-1] else None
    assert_close(student.softmax(scores), reference.softmax(scores), f"softmax of shape {shape}",
                 rtol=bars["rtol"], hint=hint)


@pytest.mark.parametrize("rows", [1, 6])
def test_hidden_nll_matches_reference(student, reference, bars, rng, rows):
    labels = rng.integers(0, 5, size=rows)
    Y_true = reference.one_hot(5, labels)
    Y_pred = reference.softmax(rng.normal(scale=4, size=(rows, 5)))
    Y_pred[0, labels[0]] = 0.0  # a certain, wrong prediction: EPSILON keeps it finite
    assert_close(student.nll(Y_true, Y_pred), reference.nll(Y_true, Y_pred), f"nll over {rows} row(s)",
                 rtol=bars["rtol"], hint="average over rows and add EPSILON inside the log")


def test_hidden_cross_entropy_matches_reference(student, reference, bars, rng):
    Y = rng.integers(0, 2, size=11)
    P = rng.uniform(0.05, 0.95, size=11)
    assert_close(student.cross_entropy(list(Y), list(P)), reference.cross_entropy(Y, P), "cross_entropy",
                 rtol=bars["rtol"])


@pytest.mark.parametrize("function", ["softmax", "nll"])
def test_hidden_inputs_not_mutated(student, rng, function):
    scores = rng.normal(size=(3, 4))
    if function == "softmax":
        _, mutated = student.softmax.call_tracking_mutation(scores)
        assert_not_mutated(mutated, ["X"], "softmax")
    else:
        _, mutated = student.nll.call_tracking_mutation(np.eye(3, 4), np.abs(scores) / 10)
        assert_not_mutated(mutated, ["Y_true", "Y_pred"], "nll")
