"""One cause per test: a mistake named in one case of a test and another named in another case are neither the cause.

A student's function has one mistake, as a rule, and that mistake explains every case of a test that fails: a
diagnosis that names a cause (a known bug, a mutant, a test's own known mistake) is one change that gives the student's
value on that case's inputs. Where two cases of one test name two different causes, each was a change that happens
to give the same value on its case's inputs as the student's (0.5 * a sum over rows of a mean over outputs is "mse
without the 1/2" on two rows of one output, "np.sum over axis 0" on one column, "averages over every entry" on one
row), and naming any of them would be naming a cause that is not the student's. So none is named, in any case of that
test. A relation ("the value is the expected value times 4") holds of its own case's values whatever the cause, and
stays.
"""
from collections import defaultdict

from autograder.testing.diagnosis import Relation

DIAGNOSIS = ". Diagnosis: "  # how a check's message introduces its diagnoses (autograder.testing.checks._fail)


def causes(diagnoses):
    """The sentences of ``diagnoses`` that name a cause, not a relation."""
    return {said for said in diagnoses if not isinstance(said, Relation)}


def one_cause_per_test(records):
    """Drop, in place, the causes named by the failed cases of each test whose cases name more than one cause.

    Parameters
    ----------
    records : list of TestRecord
        One submission's records (``assignment``, ``test``, ``passed``, ``message`` and ``diagnoses`` are read;
        ``message``, ``diagnosis`` and ``diagnoses`` rewritten where causes are dropped).
    """
    named = defaultdict(set)
    for record in records:
        if not record.passed:
            named[record.assignment, record.test] |= causes(record.diagnoses)
    for record in records:
        if record.passed or not causes(record.diagnoses) or len(named[record.assignment, record.test]) < 2:
            continue
        kept = tuple(said for said in record.diagnoses if isinstance(said, Relation))
        told = record.message.removesuffix(f"{DIAGNOSIS}{record.diagnosis}")
        if told != record.message:  # the diagnoses close the message, as a check and the plugin write them
            record.message = f"{told}{DIAGNOSIS}{'; '.join(kept)}" if kept else told
        record.diagnoses, record.diagnosis = kept, "; ".join(kept)
