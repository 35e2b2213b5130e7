"""Bugs the diagnoses were never tuned on (``examples/heldout.py``) get no wrong diagnosis, in `check` or in feedback.

Issue 14's held-out bar: a diagnosis said of a held-out bug must name it (hold one of its ``said``
words or its ``about``): one that does not is a wrong one, and a wrong diagnosis is worse than none.
The share diagnosed is printed (``-s``), for the issue's "comparable rate".
"""
import pytest
from check_runs import checked, diagnoses, feedback_diagnoses, graded

from catalogue import BUG, BUGS, EXAMPLES, Replace  # noqa: E402  (check_runs puts examples/ on the path)
from heldout import HELD_OUT, HELD_OUT_2, TRUE_BUT_UNNAMED  # noqa: E402

pytestmark = pytest.mark.slow
ALL_HELD_OUT = HELD_OUT + HELD_OUT_2  # both sets, graded in one batch each way
HELD = {bug.name: bug for bug in ALL_HELD_OUT}


def wrong_ones(bug, said):
    """The diagnoses among ``said`` that do not name ``bug`` (nor hold of it, as judged: ``TRUE_BUT_UNNAMED``)."""
    return [words for words in said if not bug.diagnosed_by([words])
            and not any(true in words for true in TRUE_BUT_UNNAMED.get(bug.name, ()))]


def share(found):
    return f"{sum(map(bool, found.values()))} of {len(found)}"


@pytest.fixture(scope="module")
def checked_heldout(tmp_path_factory):
    return checked(tmp_path_factory.mktemp("heldout-check"), ALL_HELD_OUT)


@pytest.fixture(scope="module")
def graded_heldout(tmp_path_factory):
    return graded(tmp_path_factory.mktemp("heldout-grade"), ALL_HELD_OUT)


def changes(bug):
    """The (old, new) text replacements that make ``bug``."""
    return {(change.old, change.new) for change in (bug.change if isinstance(bug.change, list) else [bug.change])
            if isinstance(change, Replace)}


def test_heldout_bugs_are_one_change_bugs_outside_the_catalogue():
    catalogued = set().union(*(changes(bug) for bug in BUGS))
    assert len(HELD_OUT) >= 15 and len(HELD_OUT_2) >= 20 and len(HELD) == len(ALL_HELD_OUT)
    assert not HELD.keys() & EXAMPLES.keys()
    assert all(bug.kind == BUG and bug.said and changes(bug) and not changes(bug) & catalogued for bug in ALL_HELD_OUT)
    assert not set().union(*map(changes, HELD_OUT)) & set().union(*map(changes, HELD_OUT_2))


def test_check_names_no_heldout_bug_wrongly(checked_heldout):
    said = {bug.name: diagnoses(checked_heldout[bug.name]) for bug in ALL_HELD_OUT}
    seen = {bug.name: bug.diagnosed_by(said[bug.name]) for bug in ALL_HELD_OUT if "FAIL" in checked_heldout[bug.name]}
    print(f"\ncheck: {share(seen)} held-out bugs that a public test fails are diagnosed")
    assert {bug.name: wrong_ones(bug, said[bug.name]) for bug in ALL_HELD_OUT if wrong_ones(bug, said[bug.name])} == {}


def test_feedback_names_no_heldout_bug_wrongly(graded_heldout):
    said = {bug.name: feedback_diagnoses((graded_heldout / bug.name / "feedback.html").read_text()) for bug in ALL_HELD_OUT}
    print(f"\nfeedback: {share({name: HELD[name].diagnosed_by(found) for name, found in said.items()})} held-out "
          "bugs are diagnosed")
    assert feedback_diagnoses((graded_heldout / "reference" / "feedback.html").read_text()) == []
    assert {bug.name: wrong_ones(bug, said[bug.name]) for bug in ALL_HELD_OUT if wrong_ones(bug, said[bug.name])} == {}

