"""The kit describes itself, and every term file is checked: discovery, course.toml, late policy,
roster, extensions, submission times, overrides and manual points, each bad line a one-line error."""
import shutil
from datetime import datetime, timedelta, timezone

import pytest
from conftest import ASSIGNMENTS, REPO

from autograder.kit.assignments import discover_assignments, read_assignment
from autograder.kit.course import Kit
from autograder.kit.errors import KitError
from autograder.kit.late import LatePolicy
from autograder.kit.roster import read_roster
from autograder.results.adjustments import read_manual, read_overrides
from autograder.submissions.discover import discover
from autograder.submissions.times import parse_nbgrader_timestamp, read_submitted, submission_times

UTC = timezone.utc


@pytest.fixture
def kit_root(tmp_path):
    """A copy of the kit's first three assignments (the grading files are all discovery reads)."""
    for side in ("solutions", "assignments"):
        for assignment in ASSIGNMENTS[:3]:
            shutil.copytree(REPO / side / assignment.folder, tmp_path / side / assignment.folder,
                            ignore=shutil.ignore_patterns("*.ipynb", "__pycache__"))
    return tmp_path


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_the_kit_lists_its_assignments_from_grading_toml_in_course_order():
    assert [a.folder for a in ASSIGNMENTS][:6] == ["01_perceptron", "02_softmax", "03_gradient_descent",
                                                   "04_logistic_regression", "05_mlp", "06_backprop"]
    assert ASSIGNMENTS[1].module == "softmax" and ASSIGNMENTS[1].title
    # the release (no solutions/) knows the same assignments from its generated thresholds.toml
    assert discover_assignments(REPO / "assignments") == ASSIGNMENTS


def test_a_new_assignment_folder_is_discovered_without_code(kit_root):
    folder = kit_root / "solutions" / "00_warmup"
    folder.mkdir()
    write(folder / "grading.toml", '[assignment]\nmodule = "warmup"\ntitle = "Warm-up"\norder = 0\n[points]\n')
    kit = Kit.read(kit_root)
    assert [a.folder for a in kit.assignments] == ["00_warmup", "01_perceptron", "02_softmax", "03_gradient_descent"]
    assert kit.find("warmup").folder == "00_warmup"


def test_a_grading_toml_without_its_assignment_table_says_what_to_add(kit_root):
    path = kit_root / "solutions" / "02_softmax" / "grading.toml"
    write(path, path.read_text().replace('module = "softmax"', ""))
    with pytest.raises(KitError, match=r"02_softmax/grading.toml: no \[assignment\] table with a module name: add"):
        read_assignment(path.parent)


COURSE = """[assignments.01_perceptron]
due = 2026-09-07T23:59:00+02:00
[assignments.softmax]
due = "2026-09-14T21:59:00Z"

[late]
policy = "percent"
percent_per_day = 10
cap = 30
grace_minutes = 15
"""


def test_course_toml_chooses_assignments_due_times_and_policy(kit_root):
    write(kit_root / "course.toml", COURSE)
    kit = Kit.read(kit_root)
    assert kit.course.assignments == ("01_perceptron", "02_softmax")
    assert [a.folder for a in kit.select()] == ["01_perceptron", "02_softmax"]
    assert [a.folder for a in kit.select(["gradient_descent"])] == ["03_gradient_descent"]
    assert kit.due("anyone", "02_softmax") == datetime(2026, 9, 14, 21, 59, tzinfo=UTC)
    assert kit.due("anyone", "01_perceptron") == datetime(2026, 9, 7, 21, 59, tzinfo=UTC)
    assert kit.course.late == LatePolicy("percent", 10.0, 30.0, timedelta(minutes=15))


@pytest.mark.parametrize("text, message", [
    (COURSE.replace("+02:00", ""), r"course.toml:2: the time '2026-09-07 23:59:00' has no offset; add one"),
    (COURSE.replace("softmax]", "softmx]"), r"course.toml:3: unknown assignment 'softmx'; the kit has 01_percep"),
    (COURSE.replace('"percent"', '"half"'), r"course.toml:6: late policy 'half' is not one of none, zero, percent"),
    (COURSE.replace("cap = 30", "cap = -1"), r"course.toml:6: \[late\] cap must be a number of at least 0"),
    (COURSE.replace('"2026-09-14T21:59:00Z"', '"next monday"'), r"course.toml:4: 'next monday' is not a time"),
    ("[assignments]\n", r"course.toml:1: no \[assignments.<folder>\] tables"),
], ids=["no offset", "unknown assignment", "unknown policy", "negative cap", "not a time", "empty"])
def test_a_malformed_course_toml_is_one_line_naming_file_and_line(kit_root, text, message):
    write(kit_root / "course.toml", text)
    with pytest.raises(KitError, match=message) as error:
        Kit.read(kit_root)
    assert "\n" not in str(error.value)


def test_extensions_move_one_students_due_time(kit_root):
    write(kit_root / "course.toml", COURSE)
    write(kit_root / "extensions.csv", "student,assignment,due\nbob,02_softmax,2026-09-16T21:59:00Z\n")
    kit = Kit.read(kit_root)
    assert kit.due("bob", "02_softmax") == datetime(2026, 9, 16, 21, 59, tzinfo=UTC)
    assert kit.due("alice", "02_softmax") == datetime(2026, 9, 14, 21, 59, tzinfo=UTC)
    moment = datetime(2026, 9, 15, tzinfo=UTC)
    assert kit.before_due("bob", "02_softmax", moment) and not kit.before_due("alice", "02_softmax", moment)


@pytest.mark.parametrize("text, message", [
    ("student,due\nbob,2026-09-16T21:59:00Z\n", r"extensions.csv:1: the header has no assignment column"),
    ("student,assignment,due\nbob,02_softmax,2026-09-16 21:59\n", r"extensions.csv:2: the time .* has no offset"),
    ("student,assignment,due\nbob,09_nope,2026-09-16T21:59:00Z\n", r"extensions.csv:2: unknown assignment '09_nope'"),
    ("student,assignment,due\nbob,03_gradient_descent,2026-09-16T21:59:00Z\n",
     r"extensions.csv:2: 03_gradient_descent is not an assignment of the course"),
    ("student,assignment,due\n,02_softmax,2026-09-16T21:59:00Z\n", r"extensions.csv:2: no student on this line"),
])
def test_a_malformed_extension_is_one_line(kit_root, text, message):
    write(kit_root / "course.toml", COURSE)
    write(kit_root / "extensions.csv", text)
    with pytest.raises(KitError, match=message):
        Kit.read(kit_root)


DUE = datetime(2026, 9, 14, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize("policy, late_by, days, fraction", [
    (LatePolicy("percent", 10, 30, timedelta(minutes=15)), timedelta(minutes=15), None, None),  # within grace
    (LatePolicy("percent", 10, 30, timedelta(minutes=15)), timedelta(minutes=16), 1, 0.1),  # a part of a day
    (LatePolicy("percent", 10, 30, timedelta(minutes=15)), timedelta(days=1, seconds=1), 2, 0.2),
    (LatePolicy("percent", 10, 30, timedelta(minutes=15)), timedelta(days=9), 9, 0.3),  # the cap
    (LatePolicy("zero"), timedelta(seconds=1), 1, 1.0),
    (LatePolicy("none"), timedelta(days=3), 3, 0.0),
    (LatePolicy("percent", 10), -timedelta(days=1), None, None),  # early
])
def test_late_policies(policy, late_by, days, fraction):
    lateness = policy.lateness(DUE + late_by, DUE)
    assert (lateness and lateness.days, lateness and lateness.fraction) == (days, fraction)


def test_roster(tmp_path):
    path = write(tmp_path / "roster.csv", "\ufeffstudent,name,email,sis_id\nalice,Alice A,a@x.edu,1\nbob,,,\n")
    roster = read_roster(path)
    assert list(roster) == ["alice", "bob"] and roster["alice"].sis_id == "1" and roster["bob"].email == ""
    with pytest.raises(KitError, match=r"roster.csv:1: the header has no student column"):
        read_roster(write(tmp_path / "roster.csv", "name,email\nAlice,a@x.edu\n"))
    with pytest.raises(KitError, match=r"roster.csv:3: student 'alice' is listed twice"):
        read_roster(write(tmp_path / "roster.csv", "student\nalice\nalice\n"))


def test_submitted_csv(kit_root):
    kit = Kit.read(kit_root)
    path = write(kit_root / "submitted.csv", "student,assignment,submitted_at\nbob,softmax,2026-09-14T22:30:00+00:00\n")
    assert read_submitted(path, kit, {"bob"}) == {("bob", "02_softmax"): datetime(2026, 9, 14, 22, 30, tzinfo=UTC)}
    with pytest.raises(KitError, match=r"submitted.csv:2: unknown student 'bob'"):
        read_submitted(path, kit, {"alice"})
    write(path, "student,assignment,submitted_at\nbob,softmax,2026-09-14T22:30:00\n")
    with pytest.raises(KitError, match=r"submitted.csv:2: the time .* has no offset"):
        read_submitted(path, kit, {"bob"})


@pytest.mark.parametrize("text, expected", [
    ("2026-09-14 21:59:00.123456 UTC", datetime(2026, 9, 14, 21, 59, 0, 123456, tzinfo=UTC)),
    ("2026-09-14 23:59:00.000000 +0200", datetime(2026, 9, 14, 21, 59, tzinfo=UTC)),
    ("2026-09-14 23:59:00.000000 Europe/Berlin", datetime(2026, 9, 14, 21, 59, tzinfo=UTC)),
    ("2026-09-14T21:59:00Z", datetime(2026, 9, 14, 21, 59, tzinfo=UTC)),
])
def test_nbgrader_timestamps(text, expected):
    assert parse_nbgrader_timestamp(text, "timestamp.txt:1") == expected


@pytest.mark.parametrize("text", ["2026-09-14 23:59:00.000000 CEST", "2026-09-14 23:59:00", "yesterday"])
def test_an_nbgrader_timestamp_without_a_definite_zone_is_refused(text):
    with pytest.raises(KitError, match=r"timestamp.txt:1: "):
        parse_nbgrader_timestamp(text, "timestamp.txt:1")


def test_one_students_unreadable_timestamp_is_that_students_problem_not_the_batchs(kit_root, tmp_path):
    # nbgrader's timestamp.txt comes from the student's side of its exchange: one of them once stopped every grading.
    kit = Kit.read(kit_root)
    course = tmp_path / "course"
    (course / "source").mkdir(parents=True)
    stamps = {"alice": "2026-09-14 21:59:00.000000 UTC", "mallory": "2026-09-14 21:59:00.000000 CEST",
              "carol": "yesterday"}
    for student, text in stamps.items():
        write(course / "submitted" / student / "week2" / "softmax.py", "def softmax(X):\n    return X\n")
        write(course / "submitted" / student / "week2" / "timestamp.txt", text)
    write(course / "submitted.csv", "student,assignment,submitted_at\ncarol,softmax,2026-09-14T22:30:00+00:00\n")
    submissions = discover(course, tmp_path / "work")
    times, problems = submission_times(course, submissions, kit, kit.select(["02_softmax"]), set(stamps))
    assert times == {("alice", "02_softmax"): datetime(2026, 9, 14, 21, 59, tzinfo=UTC),
                     ("carol", "02_softmax"): datetime(2026, 9, 14, 22, 30, tzinfo=UTC)}  # submitted.csv stands in
    assert list(problems) == ["mallory"] and "'CEST' names no single zone" in problems["mallory"]


def test_overrides_and_manual_points_are_checked_line_by_line(kit_root):
    kit = Kit.read(kit_root)
    points = {"02_softmax": {"test_softmax_known_values": 1}}
    path = write(kit_root / "overrides.csv", "student,assignment,test,points,reason\n"
                 "bob,02_softmax,test_softmax_known_values,1,regrade request\nbob,02_softmax,,12,late work accepted\n")
    overrides = read_overrides(path, kit, {"bob"}, points)
    assert [(o.test, o.points) for o in overrides[("bob", "02_softmax")]] == [("test_softmax_known_values", 1.0),
                                                                              ("", 12.0)]
    for line, message in [("bob,02_softmax,test_nope,1,x", r"overrides.csv:2: 02_softmax has no test 'test_nope'"),
                          ("eve,02_softmax,,1,x", r"overrides.csv:2: unknown student 'eve'"),
                          ("bob,02_softmax,,lots,x", r"overrides.csv:2: points 'lots' is not a number"),
                          ("bob,02_softmax,,1,", r"overrides.csv:2: no reason on this line"),
                          ("bob,02_softmax,,1,x\nbob,softmax,,2,y", r"overrides.csv:3: a second override of the whole")]:
        write(path, f"student,assignment,test,points,reason\n{line}\n")
        with pytest.raises(KitError, match=message):
            read_overrides(path, kit, {"bob"}, points)
    manual = write(kit_root / "manual.csv", "student,assignment,item,points\nbob,02_softmax,plots,1.5\n")
    items = {"02_softmax": {"plots": 2.0}}
    assert read_manual(manual, kit, {"bob"}, items) == {("bob", "02_softmax", "plots"): (1.5, "")}
    write(manual, "student,assignment,item,points\nbob,02_softmax,plots,3\n")
    with pytest.raises(KitError, match=r"manual.csv:2: 3 points is outside 0..2 for plots"):
        read_manual(manual, kit, {"bob"}, items)
    write(manual, "student,assignment,item,points\nbob,02_softmax,style,1\n")
    with pytest.raises(KitError, match=r"manual.csv:2: 02_softmax has no manual item 'style'"):
        read_manual(manual, kit, {"bob"}, items)


def test_a_second_line_for_the_same_thing_is_refused(kit_root):
    write(kit_root / "extensions.csv", "student,assignment,due\nbob,02_softmax,2026-09-16T21:59:00Z\n"
          "bob,softmax,2026-09-17T21:59:00Z\n")
    with pytest.raises(KitError, match=r"extensions.csv:3: a second extension for bob in 02_softmax \(the first is "
                       r"at .*extensions.csv:2\)"):
        Kit.read(kit_root)
    write(kit_root / "extensions.csv", "student,assignment,due\n")
    path = write(kit_root / "submitted.csv", "student,assignment,submitted_at\nbob,softmax,2026-09-14T22:30:00Z\n"
                 "bob,02_softmax,2026-09-14T22:40:00Z\n")
    with pytest.raises(KitError, match=r"submitted.csv:3: bob has a second time for 02_softmax"):
        read_submitted(path, Kit.read(kit_root), {"bob"})


def test_an_extension_for_an_unknown_student_is_refused(kit_root):
    write(kit_root / "extensions.csv", "student,assignment,due\nbbo,02_softmax,2026-09-16T21:59:00Z\n")
    kit = Kit.read(kit_root)
    kit.check_students({"bbo"})
    with pytest.raises(KitError, match=r"extensions.csv:2: unknown student 'bbo'"):
        kit.check_students({"bob"})
