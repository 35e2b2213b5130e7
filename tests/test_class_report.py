"""The example class, graded once: its feedback names the catalogued bugs, and its class report matches the gradebook."""
import csv
import html
import json
import statistics
import sys

import pytest
from check_runs import feedback_diagnoses
from conftest import ASSIGNMENTS, REPO, read_gradebook

from autograder.kit.config import load_points
from autograder.results.report import status_kind

sys.path.insert(0, str(REPO / "examples"))

from catalogue import BUG, EXAMPLES  # noqa: E402

pytestmark = pytest.mark.slow
DIAGNOSED_SHARE = 0.8  # the bar: at least 80% of the catalogued bugs get their diagnosis


def report_rows(out):
    with open(out / "report.csv") as file:
        return list(csv.DictReader(file))


def test_most_bugs_get_their_diagnosis_in_the_feedback(graded_class):
    bugs = [EXAMPLES[name] for name in graded_class.names if name in EXAMPLES and EXAMPLES[name].kind == BUG]
    missed = [bug.name for bug in bugs
              if not bug.diagnosed_by(feedback_diagnoses((graded_class.out / bug.name / "feedback.html").read_text()))]
    share = 1 - len(missed) / len(bugs)
    assert share >= DIAGNOSED_SHARE, f"{share:.0%} of the bugs diagnosed; not: {missed}"


def test_no_correct_submission_gets_a_diagnosis(graded_class):
    correct = ["reference", *(name for name in graded_class.names if name.startswith("variant_"))]
    assert len(correct) > 5
    for name in correct:
        assert feedback_diagnoses((graded_class.out / name / "feedback.html").read_text()) == [], name


def test_the_report_figures_match_the_gradebook(graded_class):
    out = graded_class.out
    gradebook = read_gradebook(out)
    rows = report_rows(out)
    by = {}
    for row in rows:
        by.setdefault((row["section"], row["assignment"], row["item"]), []).append(row)
    for assignment in ASSIGNMENTS:
        folder = assignment.folder
        scores = [float(row[folder]) for row in gradebook]
        top = float(sum(load_points(REPO / "solutions", assignment).values()))
        assert float(by["score", folder, "mean"][0]["value"]) == pytest.approx(statistics.fmean(scores), abs=1e-4)
        assert float(by["score", folder, "median"][0]["value"]) == pytest.approx(statistics.median(scores), abs=1e-4)
        assert int(by["score", folder, "full marks"][0]["value"]) == sum(score == top for score in scores)
        histogram = [row for row in rows if row["section"] == "histogram" and row["assignment"] == folder]
        assert sum(int(row["value"]) for row in histogram) == len(gradebook)
        low = [row for row in histogram if float(row["item"].split("-")[1]) <= top / 2]
        assert sum(int(row["value"]) for row in low) == sum(score < top / 2 for score in scores)
    failed, hung, died = {}, set(), set()
    for row in gradebook:
        for test in json.loads((out / row["student"] / "results.json").read_text())["tests"]:
            if test["status"] != "passed":
                failed.setdefault(test["name"], set()).add(row["student"])
                (hung if test["output"].startswith("timed out after") else
                 died if test["output"].startswith("the worker died") else set()).add(row["student"])
    tests = [row for row in rows if row["section"] == "test"]
    assert tests and all(set(row["students"].splitlines()) == failed.get(row["item"], set()) for row in tests)
    troubled = {row["students"]: row["item"] for row in rows if row["section"] == "status"}
    for row in gradebook:  # the status's kind, unless a test hung or died (the worst kind first)
        kinds = {status_kind(row["status"])} | ({"timed out"} if row["student"] in hung else set()) | (
            {"crashed"} if row["student"] in died else set())
        expected = next((kind for kind in ("flagged", "timed out", "crashed", "problem") if kind in kinds), None)
        assert troubled.get(row["student"]) == expected, row
    assert hung, "the example class has a function that hangs"
    mistakes = [row for row in rows if row["section"] == "mistake"]
    assert [int(row["value"]) for row in mistakes] == sorted((int(row["value"]) for row in mistakes), reverse=True)
    for row in mistakes:  # each student named has that diagnosis in their feedback
        for student in row["students"].splitlines():
            assert row["item"] in html.unescape((out / student / "feedback.html").read_text())
    page = (out / "report.html").read_text()
    assert page.count("<svg") >= len(ASSIGNMENTS) and "Diagnosed mistakes" in page and "Near-identical" in page
