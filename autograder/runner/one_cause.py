"""One cause per test: a cause is named only where it explains every failed case of the test it was tried on.

A student's function has one mistake, as a rule, and that mistake explains every case of a test that fails: a
diagnosis that names a cause (a known bug, a mutant, a test's own known mistake) is one change that gives the student's
value on that case's inputs. Two checks hold it to that:

- **Refuted elsewhere.** A cause replayed on another failed case of the same test that did not give the student's value
  there (``refuted``: gathered by :class:`~autograder.runner.known_bugs.KnownBugMatcher` as it replays) is not the
  student's: their code gives their values on every case. It is dropped from every case of the test. The log-loss with
  its two logs swapped gives ``-log(1 - output)`` at label 1, as a first term of ``log(1 - output)`` does: a one-point
  case with label 1 cannot tell them apart, and the test's other cases, whose labels 0 the two changes treat apart,
  say which it is not.
- **Two causes.** Where two cases of one test name two different causes, each was a change that happens
  to give the same value on its case's inputs as the student's (0.5 * a sum over rows of a mean over outputs is "mse
  without the 1/2" on two rows of one output, "np.sum over axis 0" on one column, "averages over every entry" on one
  row), and naming any of them would be naming a cause that is not the student's. So none is named, in any case of
  that test.

And a test one of whose searches ran out of its CPU budget (``cut_short``) names no cause: what its cases refute
would then hang on the budget. A relation ("the value is the expected value times 4") holds of its own case's values
whatever the cause, and stays.
"""
from collections import defaultdict

from autograder.testing.diagnosis import Relation

DIAGNOSIS = ". Diagnosis: "  # how a check's message introduces its diagnoses (autograder.testing.checks._fail)


def causes(diagnoses):
    """The sentences of ``diagnoses`` that name a cause, not a relation."""
    return {said for said in diagnoses if not isinstance(said, Relation)}


def one_cause_per_test(records, refuted=None, cut_short=()):
    """Drop, in place, the causes named by the failed cases of each test that another case refutes, or all of them
    where its cases name more than one cause or a search of it was cut short.

    Parameters
    ----------
    records : list of TestRecord
        One submission's records (``assignment``, ``test``, ``passed``, ``message`` and ``diagnoses`` are read;
        ``message``, ``diagnosis`` and ``diagnoses`` rewritten where causes are dropped).
    refuted : dict, optional
        ``{(assignment, test): {sentence}}``: the causes replayed on a failed case of the test that did not give the
        student's value there.
    cut_short : collection, optional
        The ``(assignment, test)`` pairs one of whose diagnoses' searches ran out of its budget.
    """
    refuted = refuted or {}
    named = defaultdict(set)
    for record in records:
        if not record.passed:
            named[record.assignment, record.test] |= causes(record.diagnoses)
    for record in records:
        key = (record.assignment, record.test)
        if record.passed or not causes(record.diagnoses):
            continue
        dropped = named[key] if len(named[key]) > 1 or key in cut_short else named[key] & refuted.get(key, set())
        if not dropped & causes(record.diagnoses):
            continue
        kept = tuple(said for said in record.diagnoses if said not in dropped or isinstance(said, Relation))
        told = record.message.removesuffix(f"{DIAGNOSIS}{record.diagnosis}")
        if told != record.message:  # the diagnoses close the message, as a check and the plugin write them
            record.message = f"{told}{DIAGNOSIS}{'; '.join(kept)}" if kept else told
        record.diagnoses, record.diagnosis = kept, "; ".join(kept)
