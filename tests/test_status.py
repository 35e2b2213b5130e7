"""Statuses that say what happened, and one message per cause: in the gradebook, the table, feedback and check."""
import html
import re
import shutil
import unicodedata
from types import SimpleNamespace

import pytest
from conftest import ASSIGNMENTS, REPO, SANDBOX_KIND, read_gradebook
from test_submissions import write_environment

from autograder.cli import print_gradebook
from autograder.commands.check import report
from autograder.commands.grade import grade
from autograder.kit.config import load_points
from autograder.results.feedback import feedback_html
from autograder.results.scoring import score
from autograder.submissions.progress import absent_message, progress

FOLDERS = [assignment.folder for assignment in ASSIGNMENTS]
SYNTAX_ERROR = "def softmax(X:\n    return X\n"


def release_copy(folder, solved=(), partly=None):
    """The student release in ``folder``, with the reference for the assignments ``solved``; ``partly``
    is the folder of one assignment where only the first graded function is written."""
    for assignment in ASSIGNMENTS:
        target = folder / assignment.module_file
        target.parent.mkdir(parents=True, exist_ok=True)
        source = "solutions" if assignment.folder in solved else "assignments"
        shutil.copy(REPO / source / assignment.module_file, target)
    if partly:
        softmax = folder / "02_softmax" / "softmax.py"
        reference = (REPO / "solutions" / "02_softmax" / "softmax.py").read_text()
        stub = softmax.read_text()
        first = reference[reference.index("def one_hot"):reference.index("def softmax")]
        softmax.write_text(stub[:stub.index("def one_hot")] + first + stub[stub.index("def softmax"):])
    return folder


def test_untouched_stubs_are_not_started(tmp_path):
    assert progress(release_copy(tmp_path / "alice"), REPO) == "not started"


def test_the_notebooks_of_the_release_are_not_started_either(tmp_path):
    """The release's notebooks beside untouched stubs: the notebooks count, and they are stubs too."""
    for assignment in ASSIGNMENTS:
        shutil.copytree(REPO / "assignments" / assignment.folder, tmp_path / "alice" / assignment.folder)
    assert progress(tmp_path / "alice", REPO) == "not started"


def test_some_work_is_partly_done_and_says_what_is_left(tmp_path):
    status = progress(release_copy(tmp_path / "alice", solved={"01_perceptron"}, partly="02_softmax"), REPO)
    assert status.startswith("partly done (not started: 03_gradient_descent, 04_logistic_regression, 05_mlp, "
                             "06_backprop, 07_training, 08_regression; 02_softmax still to write: softmax, nll, "
                             "cross_entropy)"), status


def test_finished_work_has_no_progress_to_report(tmp_path):
    assert progress(release_copy(tmp_path / "alice", solved=set(FOLDERS)), REPO) == ""


@pytest.mark.parametrize("change, absent", [
    (lambda source: "", "one_hot, softmax, nll, cross_entropy"),  # an empty file
    (lambda source: source.replace("def nll(", "def NLL("), "nll"),  # renamed
    (lambda source: source, ""),
    (lambda source: source.replace("def nll(", "def NLL(") + "\nnll = NLL\n", ""),  # bound another way
    (lambda source: "from helpers import *\n", ""),  # could define anything: nothing is claimed
])
def test_a_graded_definition_missing_altogether_is_named(tmp_path, change, absent):
    folder = release_copy(tmp_path / "alice", solved={"02_softmax"})
    module = folder / "02_softmax" / "softmax.py"
    module.write_text(change(module.read_text()))
    message = absent_message(folder, REPO, next(a for a in ASSIGNMENTS if a.folder == "02_softmax"))
    assert message == (f"02_softmax: softmax.py defines no {absent}: keep the released stub's definitions, with "
                       "their names, and fill them in" if absent else ""), message


def test_every_graded_definition_of_every_stub_counts_as_defined(tmp_path):
    """Classes' methods, constants and functions alike: an untouched release lacks nothing."""
    folder = release_copy(tmp_path / "alice")
    assert [absent_message(folder, REPO, assignment) for assignment in ASSIGNMENTS] == [""] * len(ASSIGNMENTS)


def test_the_printed_table_wraps_long_statuses_and_cuts_nothing(capsys):
    status = "partly done (not started: 01_perceptron; " + "; ".join(f"reason number {i}" for i in range(30)) + ")"
    print_gradebook([{"student": "alice", "total": "1", "max_total": "2", "status": status},
                     {"student": "bob", "total": "2", "max_total": "2", "status": "ok"}])
    lines = capsys.readouterr().out.splitlines()
    start = lines[0].index("status")
    assert len(lines) > 3, "a long status takes several lines"
    printed = " ".join(line[start:].strip() for line in lines[1:-1])
    assert printed == status
    assert lines[-1].split() == ["bob", "2", "2", "ok"]


def test_the_printed_table_lines_up_wide_and_combined_characters(capsys):
    """A terminal gives 李 two columns and a combining accent none: padding by characters pushed the columns off."""
    print_gradebook([{"student": "李 雷", "total": "13", "max_total": "13", "status": "ok"},
                     {"student": "Jose\u0301 Garci\u0301a", "total": "13", "max_total": "13", "status": "ok"},
                     {"student": "alice", "total": "2.25", "max_total": "13", "status": "ok"}])
    lines = capsys.readouterr().out.splitlines()
    header = lines[0]
    for line in lines[1:]:
        shown = "".join(character * (2 if unicodedata.east_asian_width(character) == "W" else
                                     0 if unicodedata.combining(character) else 1) for character in line)
        assert shown.index(" ok") + 1 == header.index("status"), line


def records(message, details, count, test="test_softmax", passed=False):
    return [dict(assignment="02_softmax", test=test, case=f"case{index}", visibility="public", passed=passed,
                 message=message, details=details, seconds=0.0, problem="") for index in range(count)]


def test_feedback_tells_one_cause_once_with_its_count():
    failing = (records("could not import softmax.py: SyntaxError", "Traceback: line 1", 7)
               + records("nll raised ValueError", "", 2, test="test_nll_published_values")
               + records("cross_entropy is not written yet", "", 1, test="test_cross_entropy_known_value"))
    points = {"02_softmax": {"test_softmax": 7, "test_nll_published_values": 2, "test_cross_entropy_known_value": 1}}
    page = html.unescape(feedback_html("alice", score(failing, points), "ok"))
    assert page.count("could not import softmax.py: SyntaxError") == 1
    assert page.count("Traceback: line 1") == 1
    assert "the same error in 7 tests" in page and "the same error in 2 tests" in page
    assert page.count("nll raised ValueError") == 1 and "cross_entropy is not written yet" in page
    assert "0 / 7" in page, "the row of a cause carries the points of all its tests"


def test_check_tells_one_cause_once_with_its_count():
    rows = [SimpleNamespace(**record) for record in
            records("could not import softmax.py: SyntaxError", "Traceback: line 1", 5)
            + records("", "", 2, test="test_nll_published_values", passed=True)]
    lines = []
    assert report(rows, lines.append) == (2, 7)
    text = "\n".join(lines)
    assert text.count("could not import softmax.py: SyntaxError") == 1 and text.count("Traceback: line 1") == 1
    assert "FAIL the same error in 5 tests: test_softmax (5 cases)" in text
    assert text.count("PASS test_nll_published_values") == 2


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A small class: untouched stubs, one assignment done, a syntax error; graded once."""
    base = tmp_path_factory.mktemp("status")
    release_copy(base / "submissions" / "stubs")
    release_copy(base / "submissions" / "one_done", solved={"02_softmax"})
    broken = release_copy(base / "submissions" / "syntax_error", solved=set(FOLDERS))
    (broken / "02_softmax" / "softmax.py").write_text(SYNTAX_ERROR)
    with_junk = release_copy(base / "submissions" / "with_junk", solved=set(FOLDERS))
    write_environment(with_junk / ".venv", "venv")
    (with_junk / "02_softmax" / "__pycache__").mkdir()
    rows = grade(base / "submissions", base / "out", REPO, jobs=2, sandbox_kind=SANDBOX_KIND, progress=False)
    return base / "out", {row["student"]: row for row in rows}


@pytest.mark.slow
def test_statuses_in_the_gradebook(graded):
    out, rows = graded
    assert rows["stubs"]["status"] == "not started" and rows["stubs"]["total"] == "0"
    others = ", ".join(a.folder for a in ASSIGNMENTS if a.folder != "02_softmax")  # every other one of the kit
    assert rows["one_done"]["status"] == f"partly done (not started: {others})"
    assert rows["syntax_error"]["status"].startswith("02_softmax: could not import softmax.py")
    assert read_gradebook(out) == list(rows.values())


@pytest.mark.slow
def test_what_was_set_aside_is_said_in_the_feedback_not_the_status(graded):
    out, rows = graded
    assert rows["with_junk"]["status"] == "ok" and rows["with_junk"]["total"] == rows["with_junk"]["max_total"]
    page = html.unescape((out / "with_junk" / "feedback.html").read_text())
    assert re.search(r"Ignored, as not part of your work .*\.venv/ \(a Python environment\)", page), page[:2000]
    assert "02_softmax/__pycache__/" in page


@pytest.mark.slow
def test_no_empty_log_files(graded):
    out, _ = graded
    logs = list(out.glob("*/grader.log"))
    assert all(log.stat().st_size > 0 for log in logs), [str(log) for log in logs]


@pytest.mark.slow
def test_a_syntax_error_is_told_once_in_the_feedback(graded):
    out, _ = graded
    page = html.unescape((out / "syntax_error" / "feedback.html").read_text())
    page = page[page.index("<h2>"):]  # the tables, below the status line
    tests = sum(1 for _ in re.finditer(r"could not import softmax\.py", page))
    assert tests == 1, f"the import error appears {tests} times"
    total = len(load_points(REPO / "solutions", ASSIGNMENTS[1]))
    match = re.search(r"the same error in (\d+) tests", page)
    assert match and int(match[1]) >= total, page[:3000]


def test_the_pages_keep_no_terminal_escapes_of_the_students_text():
    """An exception's message, an exit code's repr or printed output may carry escapes (a window title, a cleared
    screen, a carriage return that hides the line before it): HTML ignores them, but an instructor's grep or cat of
    the pages prints them on a terminal. The line breaks stay."""
    hostile = "title\x1b]0;owned\x07 cleared\x1b[2J hidden\r\u202eyes\x9b31m"
    page = feedback_html("alice", score(records(f"softmax raised ValueError: {hostile}", f"line one\n\t{hostile}", 1),
                                        {"02_softmax": {"test_softmax": 1}}), "ok")
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]", page)
    assert "title]0;owned cleared[2J hiddenyes31m" in page and "line one\n\ttitle" in page
