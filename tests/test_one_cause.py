"""Two causes named by the failed cases of one test are neither the student's: none is named (issue 14)."""
from autograder.runner.one_cause import one_cause_per_test
from autograder.runner.plugin import TestRecord as Record  # (not a test class)
from autograder.testing.diagnosis import Relation


def failed(test, case, *diagnoses):
    diagnosis = "; ".join(diagnoses)
    message = "mse is off" + (f". Diagnosis: {diagnosis}" if diagnosis else "")
    return Record("08_regression", test, case, "hidden", False, message, diagnosis=diagnosis, diagnoses=diagnoses)


def test_causes_that_differ_between_the_cases_of_a_test_are_dropped_and_relations_kept():
    records = [failed("test_mse", "columns", "mse without the 1/2"),
               failed("test_mse", "lists", Relation("the value is the expected value times 4"),
                      "your `mse` takes np.sum over axis 0"),
               failed("test_mse", "one row", Relation("the value is twice the expected value")),
               failed("test_r2", "a", "r2 of the predictions' mean"), failed("test_r2", "b", "r2 of the predictions' mean")]
    one_cause_per_test(records)
    assert [(record.message, record.diagnosis) for record in records] == [
        ("mse is off", ""),
        ("mse is off. Diagnosis: the value is the expected value times 4", "the value is the expected value times 4"),
        ("mse is off. Diagnosis: the value is twice the expected value", "the value is twice the expected value"),
        ("mse is off. Diagnosis: r2 of the predictions' mean", "r2 of the predictions' mean"),  # one cause: kept
        ("mse is off. Diagnosis: r2 of the predictions' mean", "r2 of the predictions' mean")]


def test_causes_are_told_apart_as_made_not_by_their_words():
    """A cause whose words hold "; " is one cause, and one whose words begin "the value " is no relation (the causes
    were found by splitting the diagnosis on "; " and by how a relation's sentence begins)."""
    records = [failed("test_mse", "a", "sums each row; then halves"), failed("test_mse", "b", "sums each row; then halves"),
               failed("test_r2", "a", "the value of each row, summed"), failed("test_r2", "b", "mse without the 1/2")]
    one_cause_per_test(records)
    assert [record.diagnosis for record in records] == ["sums each row; then halves"] * 2 + ["", ""]
    assert records[0].to_dict().keys() == {"assignment", "test", "case", "visibility", "passed", "message", "details",
                                           "seconds", "problem", "diagnosis", "figures"}  # what leaves the runner


def test_a_cause_another_case_refuted_is_named_in_no_case_and_the_rest_stay():
    records = [failed("test_error", "scalar", "the log-loss with the two logs swapped"), failed("test_error", "vector"),
               failed("test_mse", "a", Relation("the value is twice the expected value"), "mse without the 1/2"),
               failed("test_mse", "b", "mse without the 1/2")]
    refuted = {("08_regression", "test_error"): {"the log-loss with the two logs swapped", "another, never named"},
               ("08_regression", "test_mse"): {"sums over the rows"}}
    one_cause_per_test(records, refuted)
    assert [record.message for record in records] == [
        "mse is off", "mse is off",
        "mse is off. Diagnosis: the value is twice the expected value; mse without the 1/2",
        "mse is off. Diagnosis: mse without the 1/2"]


def test_a_test_one_of_whose_searches_was_cut_short_names_no_cause():
    records = [failed("test_mse", "a", Relation("the value is twice the expected value"), "mse without the 1/2"),
               failed("test_mse", "b", "mse without the 1/2"), failed("test_r2", "a", "r2 of the predictions' mean")]
    one_cause_per_test(records, {}, {("08_regression", "test_mse")})
    assert [record.diagnosis for record in records] == ["the value is twice the expected value", "",
                                                        "r2 of the predictions' mean"]
