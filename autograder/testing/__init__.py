"""What the public and hidden tests are written with.

Tests receive the fixtures of :mod:`autograder.runner.plugin` (``student``,
``reference``, ``bars``, ``digits``) and assert with :mod:`autograder.testing.checks`,
whose messages say what is wrong (shapes, dtypes, NaN, relative error, a hint)
without ever showing an expected value.
"""
from autograder.testing.checks import (
    CheckFailed,
    a_type,
    as_class_indices,
    as_int,
    assert_close,
    assert_dtype,
    assert_equal,
    assert_gradient,
    assert_gradient_step,
    assert_not_mutated,
    assert_one_sgd_step,
    assert_sgd_step,
    assert_true,
    as_array,
)

__all__ = ["CheckFailed", "a_type", "as_array", "as_class_indices", "as_int", "assert_close", "assert_dtype", "assert_equal",
           "assert_gradient", "assert_not_mutated", "assert_one_sgd_step", "assert_sgd_step", "assert_true"]
