"""Two causes named by the failed cases of one test are neither the student's: none is named (issue 14)."""
from autograder.runner.one_cause import one_cause_per_test
from autograder.runner.plugin import TestRecord as Record  # (not a test class)


def failed(test, case, diagnosis):
    message = "mse is off" + (f". Diagnosis: {diagnosis}" if diagnosis else "")
    return Record("08_regression", test, case, "hidden", False, message, diagnosis=diagnosis)


def test_causes_that_differ_between_the_cases_of_a_test_are_dropped_and_relations_kept():
    records = [failed("test_mse", "columns", "mse without the 1/2"),
               failed("test_mse", "lists", "the value is the expected value times 4; your `mse` takes np.sum over axis 0"),
               failed("test_mse", "one row", "the value is twice the expected value"),
               failed("test_r2", "a", "r2 of the predictions' mean"), failed("test_r2", "b", "r2 of the predictions' mean")]
    one_cause_per_test(records)
    assert [(record.message, record.diagnosis) for record in records] == [
        ("mse is off", ""),
        ("mse is off. Diagnosis: the value is the expected value times 4", "the value is the expected value times 4"),
        ("mse is off. Diagnosis: the value is twice the expected value", "the value is twice the expected value"),
        ("mse is off. Diagnosis: r2 of the predictions' mean", "r2 of the predictions' mean"),  # one cause: kept
        ("mse is off. Diagnosis: r2 of the predictions' mean", "r2 of the predictions' mean")]
