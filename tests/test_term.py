"""A simulated term: 30 students, three assignments due a week apart, a roster with two who never
submit, three late submissions (one with an extension), an override, a manual rubric item, a point
value changed mid-term and regraded. The gradebook, changes.csv and a Canvas export are checked
cell by cell.

To keep it fast the students' work is the reference (or nothing) for three cheap assignments, and
it is graded with the child-process sandbox (``process``): this test is about the term's
bookkeeping, which is the same under bubblewrap (tests/test_grading.py grades with it).
"""
import csv
import shutil
from datetime import datetime, timedelta, timezone

import pytest
from conftest import ASSIGNMENTS, REPO, read_gradebook

from autograder import cli
from autograder.commands import grade as grade_command
from autograder.kit.config import load_points
from autograder.results.scoring import points_text

pytestmark = pytest.mark.slow

UTC = timezone.utc
A1, A2, A3 = (assignment.folder for assignment in ASSIGNMENTS[:3])
DUE = {A1: datetime(2026, 9, 7, 21, 59, tzinfo=UTC), A2: datetime(2026, 9, 14, 21, 59, tzinfo=UTC),
       A3: datetime(2026, 9, 21, 21, 59, tzinfo=UTC)}
STUDENTS = [f"s{number:02}" for number in range(1, 33)]  # s31 and s32 never submit
SUBMITTERS = STUDENTS[:30]
NOT_HANDED_IN = {("s04", A2), ("s06", A3)}
LATE = {("s03", A2): timedelta(days=1, hours=2),  # 2 days (a part of a day counts): -20%
        ("s07", A3): timedelta(hours=3),  # 1 day: -10%
        ("s11", A1): timedelta(days=2)}  # but s11 has an extension of 3 days: on time
MANUAL = {"s01": 2.0, "s02": 1.5}
OVERRIDE = ("s05", A2, 10.0)
CHANGED_TEST = "test_hidden_softmax_matches_reference"


def kit_copy(root):
    """The first three assignments of the kit, a course.toml, an extension and a manual rubric item."""
    for side in ("solutions", "assignments"):
        for assignment in ASSIGNMENTS[:3]:
            shutil.copytree(REPO / side / assignment.folder, root / side / assignment.folder,
                            ignore=shutil.ignore_patterns("*.ipynb", "__pycache__"))
    grading = root / "solutions" / A3 / "grading.toml"
    grading.write_text(grading.read_text() + "\n[manual]\nplot_explained = 2\n")
    (root / "course.toml").write_text(
        "".join(f"[assignments.{folder}]\ndue = {due.isoformat()}\n" for folder, due in DUE.items())
        + '[late]\npolicy = "percent"\npercent_per_day = 10\ncap = 50\ngrace_minutes = 15\n')
    (root / "extensions.csv").write_text(f"student,assignment,due\ns11,{A1},{(DUE[A1] + timedelta(days=3)).isoformat()}\n")
    (root / "manual.csv").write_text("student,assignment,item,points,comment\n" + "".join(
        f"{student},{A3},plot_explained,{points},clear axes\n" for student, points in MANUAL.items()))
    return root


def class_of_thirty(folder):
    times = ["student,assignment,submitted_at"]
    for student in SUBMITTERS:
        for assignment in ASSIGNMENTS[:3]:
            if (student, assignment.folder) in NOT_HANDED_IN:
                continue
            target = folder / student / assignment.module_file
            target.parent.mkdir(parents=True)
            shutil.copy2(REPO / "solutions" / assignment.module_file, target)
            when = DUE[assignment.folder] + LATE.get((student, assignment.folder), -timedelta(days=1))
            times.append(f"{student},{assignment.folder},{when.isoformat()}")
    (folder / "submitted.csv").write_text("\n".join(times) + "\n")
    return folder


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    """The term, graded three times: before the third due time, after a point change, and after a
    forced regrade of one student with one more override. Records what each run ran."""
    base = tmp_path_factory.mktemp("term")
    kit = kit_copy(base / "kit")
    submissions = class_of_thirty(base / "submissions")
    (base / "roster.csv").write_text("student,name,email,sis_id\n" + "".join(
        f"{s},Student {s[1:]},{s}@uni.example,9{s[1:]}\n" for s in STUDENTS))
    overrides = base / "overrides.csv"
    overrides.write_text(f"student,assignment,test,points,reason\n{OVERRIDE[0]},{OVERRIDE[1]},,{OVERRIDE[2]},"
                         "regrade request: partial credit agreed\n")
    out = base / "out"
    ran = []
    real = grade_command.run_submission

    def spy(submission, *args, tests=None, **kwargs):
        ran.append((submission.student, tuple(sorted({path.parent.name for path in tests}))))
        return real(submission, *args, tests=tests, **kwargs)

    runs = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(grade_command, "run_submission", spy)
        options = dict(roster=base / "roster.csv", overrides=overrides)
        grade_command.grade(submissions, out, kit, 2, "process", progress=False, now=datetime(2026, 9, 18, tzinfo=UTC),
                            **options)
        runs.append((list(ran), read_gradebook(out), (out / "s01" / "feedback.html").read_text()))
        points_file = kit / "solutions" / A2 / "grading.toml"  # mid-term: a hidden test is worth more
        points_file.write_text(points_file.read_text().replace(f"{CHANGED_TEST} = 2", f"{CHANGED_TEST} = 4"))
        ran.clear()
        grade_command.grade(submissions, out, kit, 2, "process", progress=False, now=datetime(2026, 9, 25, tzinfo=UTC),
                            **options)
        runs.append((list(ran), read_gradebook(out), (out / "s01" / "feedback.html").read_text()))
        untouched = (out / "s09" / "results.json").stat().st_mtime_ns
        with open(overrides, "a") as file:
            file.write(f"s08,{A1},,5,plagiarism hearing: half marks\n")
        ran.clear()
        grade_command.grade(submissions, out, kit, 2, "process", progress=False, now=datetime(2026, 9, 25, tzinfo=UTC),
                            students=["s02"], **options)
        runs.append((list(ran), read_gradebook(out), (out / "s09" / "results.json").stat().st_mtime_ns == untouched))
    return base, kit, out, runs


def maxima(kit):
    return {folder: sum(load_points(kit / "solutions", assignment).values())
            for folder, assignment in zip((A1, A2, A3), ASSIGNMENTS[:3])}


def expected_gradebook(kit, s08_override=False):
    """Every cell of the gradebook, from the scenario's rules."""
    full = maxima(kit)
    max_total = points_text(full[A1] + full[A2] + full[A3] + 2)
    rows = []
    for student in STUDENTS:
        if student not in SUBMITTERS:
            rows.append({"student": student, A1: "0", A2: "0", A3: "0", "total": "0", "max_total": max_total,
                         "late": "", "status": "missing"})
            continue
        scores = {folder: (0.0 if (student, folder) in NOT_HANDED_IN else full[folder]) for folder in (A1, A2, A3)}
        scores[A3] += MANUAL.get(student, 0.0)
        late = []
        if student == "s03":
            scores[A2] *= 0.8
            late.append(f"{A2}: 2 days late, -20%")
        if student == "s07":
            scores[A3] *= 0.9
            late.append(f"{A3}: 1 day late, -10%")
        if student == OVERRIDE[0]:
            scores[A2] = OVERRIDE[2]
        if student == "s08" and s08_override:
            scores[A1] = 5.0
        rows.append({"student": student, **{f: points_text(v) for f, v in scores.items()},
                     "total": points_text(sum(round(v, 4) for v in scores.values())), "max_total": max_total,
                     "late": "; ".join(late), "status": "ok"})
    return rows


def check_gradebook(actual, expected):
    for got, want in zip(actual, expected, strict=True):
        if (want["student"], A2) in NOT_HANDED_IN or (want["student"], A3) in NOT_HANDED_IN:
            folder = A2 if (want["student"], A2) in NOT_HANDED_IN else A3
            assert got["status"] != "ok" and folder in got["status"], got  # the runner's own words for it
            got = {**got, "status": "ok"}
        assert got == want


def test_the_first_run_grades_everyone_once_and_lists_the_roster(term):
    base, kit, out, runs = term
    ran, gradebook, _ = runs[0]
    assert sorted(ran) == [(student, (A1, A2, A3)) for student in SUBMITTERS]
    before_change = kit.parent / "before"  # the points as they were during the first run
    shutil.copytree(kit, before_change)
    grading = before_change / "solutions" / A2 / "grading.toml"
    grading.write_text(grading.read_text().replace(f"{CHANGED_TEST} = 4", f"{CHANGED_TEST} = 2"))
    check_gradebook(gradebook, expected_gradebook(before_change))


def test_feedback_hides_hidden_tests_until_the_due_time(term):
    _, _, _, runs = term
    before, after = runs[0][2], runs[1][2]
    assert "test_hidden_softmax" in before  # 02 was due: everything
    assert "test_hidden_output_formula" not in before and "Hidden tests:" in before  # 03 was not yet
    assert "test_hidden_output_formula" in after and "Hidden tests:" not in after
    assert "manual: plot_explained" in after and "clear axes" in after


def test_a_changed_point_value_regrades_that_assignment_only_and_says_so(term):
    base, kit, out, runs = term
    ran, gradebook, _ = runs[1]
    assert sorted(ran) == [(student, (A2,)) for student in SUBMITTERS]
    check_gradebook(gradebook, expected_gradebook(kit))
    with open(out / "changes.csv") as file:
        changes = list(csv.DictReader(file))
    full = maxima(kit)
    old, new = full[A2] - 2, full[A2]
    expected = [{"student": s, "assignment": A2, "old": points_text(old * (0.8 if s == "s03" else 1)),
                 "new": points_text(new * (0.8 if s == "s03" else 1)), "reason": "kit changed"}
                for s in SUBMITTERS if s not in ("s04", OVERRIDE[0])]  # 0 stays 0; the override stands
    expected.append({"student": "s08", "assignment": A1, "old": points_text(full[A1]), "new": "5",
                     "reason": "override"})
    assert sorted(changes, key=lambda row: (row["student"], row["assignment"])) == sorted(
        expected, key=lambda row: (row["student"], row["assignment"]))


def test_forcing_one_student_runs_only_theirs_and_an_override_needs_no_run(term):
    base, kit, out, runs = term
    ran, gradebook, s09_untouched = runs[2]
    assert ran == [("s02", (A1, A2, A3))]
    assert s09_untouched  # nothing of s09 changed: its result was not rewritten
    check_gradebook(gradebook, expected_gradebook(kit, s08_override=True))
    results = (out / "s08" / "feedback.html").read_text()
    assert "plagiarism hearing: half marks" in results


def test_the_canvas_export_has_one_column_per_assignment_and_the_roster_ids(term):
    base, kit, out, runs = term
    target = base / "canvas.csv"
    assert cli.main(["export", str(out), "--to", "canvas", "--out", str(target), "--roster",
                     str(base / "roster.csv")]) == 0
    with open(target) as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", A1, A2, A3]
    expected = expected_gradebook(kit, s08_override=True)
    assert rows[1:] == [[f"Student {row['student'][1:]}", "", f"9{row['student'][1:]}", "", "",
                         row[A1], row[A2], row[A3]] for row in expected]
