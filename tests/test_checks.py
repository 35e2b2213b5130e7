"""The shared assertions of the public and hidden tests: each failure names the usual mistake."""
import numpy as np
import pytest

from autograder.testing import (CheckFailed, as_array, as_class_indices, as_int, assert_close, assert_dtype,
                                assert_gradient, assert_one_sgd_step)
from autograder.testing import sigmoid as sigmoid_checks
from autograder.testing.classifiers import check_accuracy, check_loss
from autograder.sandbox.inside import wire

BEFORE, GRADIENT, RATE = np.array([1.0, -2.0, 0.5]), np.array([0.3, 0.1, -0.2]), 0.1


@pytest.mark.parametrize("after, words", [
    (BEFORE, "did not move"),
    (BEFORE + RATE * GRADIENT, "AGAINST the gradient"),
    (BEFORE - 2 * RATE * GRADIENT, "exactly one step"),
    (BEFORE - GRADIENT, "scaled by the learning rate"),
    (BEFORE - 0.5 * RATE * GRADIENT, "self.W is off"),  # no mistake it matches: no diagnosis, no hint
    (np.zeros(2), "should have shape (3,)"),
])
def test_a_wrong_sgd_step_is_named(after, words):
    with pytest.raises(CheckFailed, match="^self.W") as failure:
        assert_one_sgd_step(after, BEFORE, GRADIENT, RATE, "self.W", 1e-9, "it did not move")
    assert words in str(failure.value)
    assert ("Diagnosis:" in str(failure.value)) == (words in ("did not move", "AGAINST the gradient", "exactly one step",
                                                               "scaled by the learning rate"))
    assert "Hint:" not in str(failure.value)


def test_a_step_two_mistakes_explain_alike_names_neither():
    """With a learning rate of 1/2, two steps and a step without the rate are one value: neither is named."""
    with pytest.raises(CheckFailed) as failure:
        assert_one_sgd_step(BEFORE - GRADIENT, BEFORE, GRADIENT, 0.5, "self.W", 1e-9, "it did not move")
    assert not failure.value.diagnosis


def test_a_right_sgd_step_passes():
    assert_one_sgd_step(BEFORE - RATE * GRADIENT, BEFORE, GRADIENT, RATE, "self.W", 1e-9, "it did not move")


@pytest.mark.parametrize("got, shape, words", [
    (np.array([0.2, 0.8]), (), "should be an int"),
    (True, (), "should be an int"),
    (np.array([0.0, 1.0]), (2,), "int classes"),
    (np.array([0, 1]), (3,), "should have shape (3,)"),
])
def test_class_indices_must_be_integers_of_the_right_shape(got, shape, words):
    with pytest.raises(CheckFailed, match="predict") as failure:
        as_class_indices(got, "predict", shape)
    assert words in str(failure.value)


@pytest.mark.parametrize("analytic, words", [
    (np.array([-2.0, -4.0]), "(must be below 1e-06). Diagnosis: the value is the expected value times -1"),
    (np.array([2.0, 3.0]), "(must be below 1e-06)"),  # no relation holds: nothing more is said
    (np.array([2.0]), "should have shape (2,), got (1,). Hint: the usual mistake"),
    (np.array([2.0, np.nan]), "contains NaN or inf"),  # the hint is written for a shape: it does not explain a NaN
])
def test_a_gradient_check_names_a_relation_and_keeps_the_hint_for_shapes(analytic, words):
    parameter = np.array([1.0, 2.0])
    with pytest.raises(CheckFailed) as failure:
        assert_gradient(analytic, lambda: float(np.sum(parameter ** 2)), parameter, "dW", 1e-6,
                        hint="the usual mistake")
    assert words in str(failure.value)
    assert str(failure.value).endswith(words) or "Diagnosis" in words  # nothing else said
    assert_gradient(2 * parameter, lambda: float(np.sum(parameter ** 2)), parameter, "dW", 1e-6, hint="unused")


@pytest.mark.parametrize("got, said, unsaid", [
    (np.array([1.0, np.nan]), "contains NaN. Hint: an overflow", "sum over the entries"),
    (np.array([[1.0, 2.0], [3.0, 4.0]]), "got (2, 2). Hint: sum over the entries", "an overflow"),
    (np.array([1.0, 5.0]), "is off", "Hint"),
])
def test_each_fixed_hint_is_said_only_for_the_failure_it_is_written_for(got, said, unsaid):
    """A NaN from a log of a negative number was told "sum over the entries, do not average" (issue 14)."""
    with pytest.raises(CheckFailed) as failure:
        assert_close(got, np.array([1.0, 2.0]), "the value", hint="sum over the entries", nonfinite_hint="an overflow")
    assert said in str(failure.value) and unsaid not in str(failure.value)


@pytest.mark.parametrize("got, words", [
    (True, "should be an int, got a bool"),
    (np.bool_(False), "should be an int"),
    (1.0, "should be an int, got a float"),
    (np.array(1), "should be an int, got an array"),
])
def test_a_label_that_is_not_an_int_is_named(got, words):
    with pytest.raises(CheckFailed, match=words):
        as_int(got, "stepFunction(0.0)")


def test_ints_pass_as_ints():
    assert as_int(np.int64(1), "x") == 1 and as_int(0, "x") == 0


@pytest.mark.parametrize("got, words", [(1, "got an int"), (np.int64(1), "got an int64"), (np.uint8(1), "got a uint8"),
                                         ((), "got a tuple"), (object(), "got an object")])
def test_a_loss_of_another_type_is_named_with_its_article(got, words):
    """A loss that came back as an int was told "loss should be a float, got a int"."""
    model = type("Model", (), {"loss": lambda self, X, y: got})()
    with pytest.raises(CheckFailed) as failure:
        check_loss(model, None, None, None, 1e-6)
    assert f"{words}." in str(failure.value)


def test_an_int_dtype_is_asked_for_with_its_article():
    with pytest.raises(CheckFailed, match="should have an int or unsigned int dtype, got float64"):
        assert_dtype(np.eye(3), "iu", "one_hot(3, y)")


@pytest.mark.parametrize("value, words", [(object(), "an object (only numbers"), ({1, 2}, "a set (only numbers")])
def test_a_value_the_worker_cannot_send_is_named_with_its_article(value, words):
    with pytest.raises(TypeError, match=words.replace("(", r"\(")):
        wire.frame(value)


@pytest.mark.parametrize("got, words", [
    (np.eye(3, dtype=int), "should have a float dtype, got int64"),
    (np.eye(3, dtype=bool), "should have a float dtype, got bool"),
    ([[1.0, 0.0]], "should be a numpy array of float, got a list"),
])
def test_a_dtype_is_checked_before_any_conversion(got, words):
    with pytest.raises(CheckFailed, match=words):
        assert_dtype(got, "f", "one_hot(3, y)")
    assert_dtype(np.eye(3), "f", "one_hot(3, y)")


class ReturnsNothing:
    """A model whose loss and accuracy were started but end without a return."""

    def loss(self, X, y):
        pass

    def accuracy(self, X, y):
        pass


@pytest.mark.parametrize("check", [
    lambda: as_array(None, "nll(Y, P)"),
    lambda: assert_close(None, 0.5, "nll(Y, P)"),
    lambda: assert_dtype(None, "f", "one_hot(3, y)"),
    lambda: as_int(None, "stepFunction(0.0)"),
    lambda: as_class_indices(None, "predict(x)", ()),
    lambda: check_loss(ReturnsNothing(), np.zeros((2, 3)), np.array([0, 1]), np.full((2, 2), 0.5), 1e-6),
    lambda: check_accuracy(ReturnsNothing(), np.zeros((2, 3)), np.array([0, 1]), np.array([0, 1])),
], ids=["numeric", "close", "dtype", "int", "class", "loss", "accuracy"])
def test_none_is_told_as_a_function_that_ends_without_a_return(check):
    """Python's name for it, NoneType, says nothing to a student whose function forgot its return."""
    with pytest.raises(CheckFailed) as failure:
        check()
    assert "got None (what a function gives back when it ends without a `return`)" in str(failure.value)
    assert "NoneType" not in str(failure.value)


def test_the_sigmoid_checks_expect_the_true_values_without_overflow():
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # the trusted values never overflow themselves
        x = sigmoid_checks.extreme_inputs(1e4, 0, "matrix")
        np.testing.assert_allclose(sigmoid_checks.logistic(x), np.exp(-np.logaddexp(0.0, -x)), atol=1e-12)
        np.testing.assert_allclose(sigmoid_checks.logistic_slope([0.0, 2.0, -1e5]), [0.25, 0.104993585, 0.0])
        sigmoid_checks.check_extreme_inputs(lambda z: np.exp(-np.logaddexp(0.0, -np.asarray(z))), 1e4, -1, "vector")
    with pytest.raises(CheckFailed, match="sigmoid of large inputs"):
        sigmoid_checks.check_extreme_inputs(lambda z: np.full(np.shape(z), 0.5), 1e3, 1, "matrix")


PARAMETER = np.array([1.0, 2.0])


@pytest.mark.parametrize("check, numbers", [
    (lambda: assert_close(np.zeros((123, 45)), np.ones(3), "softmax"), ("123", "45")),  # a shape it chose
    (lambda: assert_close(np.array([1.0, 2.0, 4.567]), np.ones(3), "softmax"), ("3.6", "index 2")),  # its error, where
    (lambda: assert_gradient(np.array([7.89, 2.0]), lambda: float(np.sum(PARAMETER ** 2)), PARAMETER, "dW", 1e-6),
     ("0.6",)),
    (lambda: as_class_indices(np.zeros(67, dtype=int), "predict", (3,)), ("67",)),
])
def test_a_quarantined_failure_shows_no_number_the_students_output_decides(check, numbers):
    """Before the due date a hidden test shows ``quarantined``: a submission could spell its hidden inputs (or the
    reference values pinned helpers gave it) in the shape it returns or in the size of its error."""
    with pytest.raises(CheckFailed) as failure:
        check()
    assert all(number in str(failure.value) for number in numbers)  # the public account says it all
    assert not any(number in failure.value.quarantined for number in numbers), failure.value.quarantined
    assert failure.value.quarantined.split()[0] == str(failure.value).split()[0]


def test_a_quarantined_exit_names_no_status_the_student_chose():
    from autograder.sandbox.session import describe_exit

    assert "113" in describe_exit(113) and "113" not in describe_exit(113, quarantined=True)
    assert "SIGUSR1" in describe_exit(-10) and "SIGUSR1" not in describe_exit(-10, quarantined=True)
    assert describe_exit(-9, quarantined=True) == describe_exit(-9)  # the grader's own limits say what they are


def test_where_a_value_is_most_off_is_said_as_numpy_indexes_it():
    """A vector's position is a number ('at index 2'), as a student indexes it; feedback said 'at index (2,)'."""
    with pytest.raises(CheckFailed, match=r"largest relative error 1 at index 2$"):
        assert_close(np.array([1.0, 2.0, 6.0]), [1.0, 2.0, 3.0], "softmax(x)")
    with pytest.raises(CheckFailed, match=r"largest relative error 1 at index \(1, 0\)$"):
        assert_close(np.array([[1.0, 2.0], [6.0, 4.0]]), [[1.0, 2.0], [3.0, 4.0]], "softmax(X)")
