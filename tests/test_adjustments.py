"""Overrides, manual points, late penalties and hidden-test visibility, on hand-made records (no grading)."""
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from autograder.kit.late import LatePolicy
from autograder.results.adjustments import Override, adjust
from autograder.results.feedback import feedback_html
from autograder.results.gradebook import gradebook_row
from autograder.results.gradescope import gradescope_results
from autograder.results.scoring import score

UTC = timezone.utc
DUE = datetime(2026, 9, 14, 22, tzinfo=UTC)
POINTS = {"02_softmax": {"test_public": 2, "test_hidden_values": 4}}


def record(test, visibility, passed, case="", message=""):
    return {"assignment": "02_softmax", "test": test, "case": case, "visibility": visibility, "passed": passed,
            "message": message, "details": ""}


RECORDS = [record("test_public", "public", True), record("test_hidden_values", "hidden", True, "0"),
           record("test_hidden_values", "hidden", False, "1", "secret hint about row 3")]


def term(submitted=None, overrides=(), manual=None, policy=LatePolicy("percent", 10, 50)):
    """What :func:`adjust` reads of a Term."""
    kit = SimpleNamespace(course=SimpleNamespace(late=policy), due=lambda student, folder: DUE)
    return SimpleNamespace(
        overrides={("bob", "02_softmax"): list(overrides)}, manual_items={"02_softmax": {"plots": 2.0}},
        manual=manual or {}, lateness=lambda student, folder: policy.lateness(submitted, DUE), kit=kit)


def test_the_order_is_tests_manual_late_then_the_assignment_override():
    scores = adjust(score(RECORDS, POINTS), "bob", term(
        submitted=DUE + timedelta(hours=30), manual={("bob", "02_softmax", "plots"): (1.0, "axes unlabelled")},
        overrides=[Override("test_hidden_values", 4.0, "case 1 was ambiguous")]))
    lines = {test.name: test.score for test in scores.tests}
    assert lines["02_softmax: test_hidden_values[1]"] == 2.0  # 4 points over its 2 cases
    assert lines["02_softmax: manual: plots"] == 1.0
    assert lines["02_softmax: late penalty"] == pytest.approx(-(2 + 4 + 1) * 0.2)  # 2 days (a part counts)
    assert scores.by_assignment == {"02_softmax": 5.6} and scores.max_by_assignment == {"02_softmax": 8.0}
    row = gradebook_row("bob", scores, "ok")
    assert row["late"] == "02_softmax: 2 days late, -20%" and row["02_softmax"] == "5.6"
    final = adjust(score(RECORDS, POINTS), "bob", term(overrides=[Override("", 7.5, "appeal upheld")]))
    assert final.by_assignment == {"02_softmax": 7.5}
    output = gradescope_results(final, 1.0, "ok")["tests"]
    assert any(test["name"] == "02_softmax: override" and "appeal upheld" in test["output"] for test in output)


def test_an_ungraded_manual_item_is_worth_nothing_and_says_so():
    scores = adjust(score(RECORDS, POINTS), "bob", term())
    manual = next(test for test in scores.tests if test.name == "02_softmax: manual: plots")
    assert manual.score == 0 and manual.max_score == 2 and manual.record["message"] == "not graded yet"


def test_before_the_due_time_hidden_tests_are_a_count_without_names_or_messages():
    scores = adjust(score(RECORDS, POINTS), "bob", term())
    before = feedback_html("bob", scores, "ok", shows_hidden={"02_softmax": False})
    after = feedback_html("bob", scores, "ok", shows_hidden={"02_softmax": True})
    assert "test_hidden_values" not in before and "secret hint" not in before
    assert "Hidden tests: 2 of 4 points; 1 of 2 failed." in before and "test_public" in before
    assert "test_hidden_values" in after and "secret hint" in after and "Hidden tests:" not in after


def test_a_penalty_that_grows_with_a_regraded_score_is_not_a_change_of_lateness():
    from autograder.results.adjustments import lines_by_kind

    late = term(submitted=DUE + timedelta(hours=30))
    before = adjust(score(RECORDS[:2], POINTS), "bob", late)
    after = adjust(score(RECORDS[:1], POINTS), "bob", late)  # a regrade: another score, the same lateness
    assert before.by_assignment != after.by_assignment
    assert lines_by_kind(before) == lines_by_kind(after)
    assert lines_by_kind(adjust(score(RECORDS[:1], POINTS), "bob", term(submitted=DUE + timedelta(hours=60)))) != \
        lines_by_kind(after)


def test_a_rescored_result_that_did_not_change_keeps_its_file(tmp_path):
    from autograder.results.files import write_if_changed

    path = tmp_path / "results.json"
    write_if_changed(path, "{}")
    before = path.stat().st_mtime_ns, path.stat().st_ino
    write_if_changed(path, "{}")
    assert (path.stat().st_mtime_ns, path.stat().st_ino) == before
    write_if_changed(path, "{ }")
    assert path.read_text() == "{ }"
