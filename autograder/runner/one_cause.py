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

DIAGNOSIS = ". Diagnosis: "  # how a check's message introduces its diagnoses (autograder.testing.checks._fail)
RELATION = "the value "     # how a relation's sentence begins (autograder.testing.diagnosis.diagnose)


def causes(diagnosis):
    """The sentences of ``diagnosis`` (joined by "; ") that name a cause, not a relation."""
    return {part for part in diagnosis.split("; ") if part and not part.startswith(RELATION)}


def one_cause_per_test(records):
    """Drop, in place, the causes named by the failed cases of each test whose cases name more than one cause.

    Parameters
    ----------
    records : list of TestRecord
        One submission's records (``assignment``, ``test``, ``passed``, ``message`` and ``diagnosis`` are read; the
        last two rewritten where causes are dropped).
    """
    named = defaultdict(set)
    for record in records:
        if not record.passed and record.diagnosis:
            named[record.assignment, record.test] |= causes(record.diagnosis)
    for record in records:
        if record.passed or not record.diagnosis or len(named[record.assignment, record.test]) < 2:
            continue
        kept = [part for part in record.diagnosis.split("; ") if part.startswith(RELATION)]
        head, said, tail = record.message.rpartition(DIAGNOSIS)
        if said and tail == record.diagnosis:
            record.message = f"{head}{DIAGNOSIS}{'; '.join(kept)}" if kept else head
        record.diagnosis = "; ".join(kept)
