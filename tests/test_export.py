"""``autograder export``: a gradebook as Canvas, Moodle or a plain CSV imports it (no grading needed)."""
import csv

import pytest

from autograder import cli
from autograder.commands.export import export
from autograder.kit.errors import KitError

GRADEBOOK = """student,01_perceptron,02_softmax,total,max_total,late,status
alice,18,13,31,31,,ok
bob,9,0,9,31,"02_softmax: 1 day late, -10%",ok
"""
ROSTER = "student,name,email,sis_id\nalice,\"Doe, Alice\",Alice@uni.example,1001\nbob,Bob,bob@uni.example,\n"


@pytest.fixture
def graded(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "gradebook.csv").write_text(GRADEBOOK)
    (tmp_path / "roster.csv").write_text(ROSTER)
    return tmp_path


def rows(path):
    with open(path, newline="") as file:
        return list(csv.reader(file))


def test_moodle_gets_id_number_and_email_then_one_column_per_assignment(graded):
    assert cli.main(["export", str(graded / "out"), "--to", "moodle", "--out", str(graded / "m.csv"),
                     "--roster", str(graded / "roster.csv")]) == 0
    assert rows(graded / "m.csv") == [["ID number", "Email address", "01_perceptron", "02_softmax"],
                                      ["1001", "Alice@uni.example", "18", "13"], ["", "bob@uni.example", "9", "0"]]


def test_the_plain_csv_keeps_the_roster_and_the_total(graded):
    export(graded / "out", "csv", graded / "c.csv", graded / "roster.csv")
    assert rows(graded / "c.csv")[1] == ["alice", "Doe, Alice", "Alice@uni.example", "1001", "18", "13", "31"]


def test_canvas_needs_every_students_sis_id(graded):
    with pytest.raises(KitError, match=r"roster.csv: bob has no sis_id, which the LMS matches students on"):
        export(graded / "out", "canvas", graded / "x.csv", graded / "roster.csv")


@pytest.mark.parametrize("gradebook, roster, message", [
    (GRADEBOOK + "carol,,,,,,pending\n", ROSTER, r"gradebook.csv:4: carol is still pending"),
    (GRADEBOOK, ROSTER.replace("bob,Bob", "rob,Bob"), r"gradebook.csv:3: bob is not on the roster"),
    ("student,total\n", ROSTER, None),
    ("name,total\n", ROSTER, r"gradebook.csv:1: not a gradebook"),
])
def test_nothing_is_exported_on_a_guess(graded, gradebook, roster, message):
    (graded / "out" / "gradebook.csv").write_text(gradebook)
    (graded / "roster.csv").write_text(roster)
    if message is None:
        assert export(graded / "out", "moodle", graded / "m.csv", graded / "roster.csv") == 0
        return
    with pytest.raises(KitError, match=message):
        export(graded / "out", "moodle", graded / "m.csv", graded / "roster.csv")
    assert not (graded / "m.csv").exists()


def test_an_lms_format_needs_the_roster(graded):
    with pytest.raises(KitError, match=r"--to canvas needs --roster FILE"):
        export(graded / "out", "canvas", graded / "x.csv")


def test_roster_students_without_a_row_are_named_on_stderr(graded, capsys):
    (graded / "roster.csv").write_text(ROSTER + "dave,Dave,dave@uni.example,1004\n")
    assert cli.main(["export", str(graded / "out"), "--to", "csv", "--out", str(graded / "c.csv"),
                     "--roster", str(graded / "roster.csv")]) == 0
    said = capsys.readouterr().err
    assert "1 roster student(s) have no row in the gradebook" in said and ": dave." in said
    assert [row[0] for row in rows(graded / "c.csv")] == ["student", "alice", "bob"]


def test_a_full_roster_exports_without_a_warning(graded, capsys):
    assert cli.main(["export", str(graded / "out"), "--to", "csv", "--out", str(graded / "c.csv"),
                     "--roster", str(graded / "roster.csv")]) == 0
    assert capsys.readouterr().err == ""


def test_a_flagged_student_is_named_on_stderr(graded, capsys):
    """A needs-review submission's flagged assignment counts nothing: the LMS would get a 0 nobody decided on."""
    flagged = "carol,0,13,13,31,,needs review: 01_perceptron reached for the grader's frames\n"
    (graded / "out" / "gradebook.csv").write_text(GRADEBOOK + flagged)
    (graded / "roster.csv").write_text(ROSTER + "carol,Carol,carol@uni.example,1003\n")
    assert cli.main(["export", str(graded / "out"), "--to", "csv", "--out", str(graded / "c.csv"),
                     "--roster", str(graded / "roster.csv")]) == 0
    said = capsys.readouterr().err
    assert "1 student(s) need review" in said and ": carol." in said and "--overrides" in said
    assert [row[0] for row in rows(graded / "c.csv")] == ["student", "alice", "bob", "carol"]
