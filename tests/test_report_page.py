"""The class report from a small graded OUT written by hand: its figures, its ranking, and ids that stay inert."""
import csv
import json

import pytest

from autograder.results.report import status_kind, trouble, write_report

MAXIMA = {"02_softmax": 4.0}


def graded(out, student, score, status, failed=(), diagnoses=(), seconds=1.0, outputs=None):
    """A student's results.json; ``outputs`` maps a failed test to its output."""
    folder = out / student
    folder.mkdir(parents=True)
    tests = [{"name": f"02_softmax: {name}", "score": 0.0 if name in failed else 2.0, "max_score": 2.0,
              "status": "failed" if name in failed else "passed", "tags": ["02_softmax"],
              "output": (outputs or {}).get(name, "")}
             for name in dict.fromkeys(("test_a", "test_b", *(outputs or {})))]
    extra = {"diagnoses": [{"assignment": "02_softmax", "test": "02_softmax: test_a", "diagnosis": words}
                           for words in diagnoses]}
    (folder / "results.json").write_text(json.dumps({"score": score, "execution_time": seconds, "tests": tests,
                                                     "extra_data": extra}))
    return {"student": student, "02_softmax": str(score), "status": status}


def test_the_report_counts_what_the_results_say(tmp_path):
    hostile = "javascript:alert(1)<b>"
    rows = [graded(tmp_path, "ada", 4, "ok", seconds=3.5),
            graded(tmp_path, "bob", 2, "ok", failed=["test_a"], diagnoses=["the value is the expected value times -1"]),
            graded(tmp_path, hostile, 0, "02_softmax: timed out after 60 s in softmax", failed=["test_a", "test_b"],
                   diagnoses=["the value is the expected value times -1", "rows normalised over the first axis"]),
            {"student": "late", "status": "pending"}]
    figures = write_report(tmp_path, rows, MAXIMA)
    with open(tmp_path / "report.csv") as file:
        assert list(csv.DictReader(file)) == [{key: str(value) for key, value in row.items()} for row in figures]
    by = {(row["section"], row["item"]): row for row in figures}
    assert by["score", "mean"]["value"] == "2" and by["score", "full marks"]["value"] == 1
    assert sum(row["value"] for row in figures if row["section"] == "histogram") == 3
    assert (by["test", "02_softmax: test_a"]["value"], by["test", "02_softmax: test_a"]["of"]) == (2, 3)
    mistakes = [row for row in figures if row["section"] == "mistake"]
    assert [(row["item"], row["value"]) for row in mistakes] == [("the value is the expected value times -1", 2),
                                                                 ("rows normalised over the first axis", 1)]
    assert by["status", "timed out"]["students"] == hostile
    assert [row["item"] for row in figures if row["section"] == "slowest"][0] == "ada"
    page = (tmp_path / "report.html").read_text()
    assert "<b>" not in page and "href='javascript" not in page and "./javascript%3Aalert" in page


def test_each_id_in_a_cell_of_report_csv_is_read_back_whole(tmp_path):
    """Ids may hold spaces (a folder named "carol bob"): report.csv must not read as two students carol and bob."""
    rows = [graded(tmp_path, name, 2, "ok", failed=["test_a"]) for name in ("carol bob", "ada")]
    write_report(tmp_path, rows, MAXIMA)
    with open(tmp_path / "report.csv", newline="") as file:
        failed = next(row for row in csv.DictReader(file) if row["item"] == "02_softmax: test_a")
    assert failed["students"].splitlines() == ["carol bob", "ada"]


def test_statuses_are_sorted_into_kinds():
    assert [status_kind(text) for text in ("ok", "02_softmax: timed out after 60 s", "needs review: patched numpy",
                                           "05_mlp: the worker died in forward: crashed", "01_perceptron: missing",
                                           "partly done (softmax)", "not started; 02_softmax: timed out")] \
        == ["", "timed out", "flagged", "crashed", "problem", "", "timed out"]


def test_the_report_page_keeps_no_terminal_escapes(tmp_path):
    """A status may quote student text (a file name, an exit): an instructor's grep of the page prints it."""
    rows = [graded(tmp_path, "ada", 0, "02_softmax: found soft\x1b]0;owned\x07max.py\r, rename it", failed=["test_a"])]
    write_report(tmp_path, rows, MAXIMA)
    page = (tmp_path / "report.html").read_text()
    assert "found soft]0;ownedmax.py, rename it" in page and not any(char in page for char in "\x1b\x07\r")


@pytest.mark.parametrize("status, outputs, kind, shown", [
    ("ok", {"test_a": "timed out after 10 s in one_hot", "test_b": "one_hot timed out earlier; not run again"},
     "timed out", "02_softmax: timed out after 10 s in one_hot"),
    ("01_perceptron: missing", {"test_a": "the worker died in softmax: it crashed (segmentation fault)\ndetails"},
     "crashed", "01_perceptron: missing; 02_softmax: the worker died in softmax: it crashed (segmentation fault)"),
    ("needs review: patched numpy", {"test_a": "timed out after 10 s in softmax"},
     "flagged", "needs review: patched numpy; 02_softmax: timed out after 10 s in softmax"),
    ("ok", {"test_a": "softmax raised ValueError"}, None, None),
    # hostile_os_exit: one os._exit in train, in four wordings over four tests, each a line of the trouble table
    ("ok", {"test_a": "the worker died in LogisticRegression.train: it exited with status 0",
            "test_b": "the worker died in training LogisticRegression (1 epoch(s) of LogisticRegression.train): it "
                      "exited with status 0",
            "test_hidden_c": "the worker died in LogisticRegression.train: it exited",
            "test_d": "timed out after 10 s in softmax",
            "test_hidden_e": "the worker died in training LogisticRegression (1 epoch(s) of LogisticRegression.train): "
                             "it exited"},
     "timed out", "02_softmax: the worker died in LogisticRegression.train: it exited with status 0 (and 3 more tests that "
                "crashed); 02_softmax: timed out after 10 s in softmax"),
])
def test_a_function_that_hangs_or_dies_is_listed_though_the_status_does_not_say(tmp_path, status, outputs, kind,
                                                                               shown):
    """A hang or a worker's death costs only its tests; the status says how far the work got, not that."""
    rows = [graded(tmp_path, "ike", 2, status, failed=list(outputs), outputs=outputs)]
    listed = [(row["item"], row["value"]) for row in write_report(tmp_path, rows, MAXIMA) if row["section"] == "status"]
    assert listed == ([(kind, shown)] if kind else [])
    assert trouble(status, {}) == (status_kind(status), "" if status == "ok" else status)


def test_the_headline_counts_submissions_not_roster_students_who_handed_nothing_in(tmp_path):
    rows = [graded(tmp_path, "ada", 4, "ok"), {"student": "kim", "02_softmax": "0", "status": "missing"}]
    write_report(tmp_path, rows, MAXIMA)
    page = (tmp_path / "report.html").read_text()
    assert "1 submission(s) graded; 1 roster student(s) handed nothing in" in page


def test_the_failure_rates_are_of_tests_not_of_the_lines_adjustments_add(tmp_path):
    """A late penalty taken read as the class's most failed test (its line's status is "failed")."""
    rows = [graded(tmp_path, "ada", 3.2, "ok"), graded(tmp_path, "bob", 2, "ok", failed=["test_a"])]
    results = json.loads((tmp_path / "ada" / "results.json").read_text())
    results["tests"] += [{"name": "02_softmax: late penalty", "score": -0.8, "max_score": 0.0, "status": "failed",
                          "tags": ["02_softmax"], "extra_data": {"kind": "late"}, "output": "submitted 1 day late"},
                         {"name": "02_softmax: manual: style", "score": 0.0, "max_score": 1.0, "status": "failed",
                          "tags": ["02_softmax"], "extra_data": {"kind": "manual"}, "output": "not graded yet"},
                         {"name": "02_softmax: override", "score": 0.0, "max_score": 0.0, "status": "passed",
                          "tags": ["02_softmax"], "extra_data": {"kind": "override"}, "output": "score set to 3.2"}]
    results["tests"][1] |= {"extra_data": {"kind": "override"}}  # an override of a test: still a test
    (tmp_path / "ada" / "results.json").write_text(json.dumps(results))
    figures = write_report(tmp_path, rows, MAXIMA)
    assert {row["item"]: (row["value"], row["of"]) for row in figures if row["section"] == "test"} == {
        "02_softmax: test_a": (1, 2), "02_softmax: test_b": (0, 2)}


def test_a_failure_rate_reads_on_one_line_under_its_assignment(tmp_path):
    """Seen in headless Chromium on the example class's report: '31 of' above '192', and every test named
    '02_softmax: test_...' in the column beside the one that says 02_softmax."""
    rows = [graded(tmp_path, "ada", 2, "ok", failed=["test_a"]), graded(tmp_path, "bob", 4, "ok")]
    write_report(tmp_path, rows, MAXIMA)
    page = (tmp_path / "report.html").read_text()
    assert ("<tr><td>02_softmax</td><td><code>test_a</code></td><td class='count'>1 of 2</td>" in page
            and ".count{white-space:nowrap}" in page)
