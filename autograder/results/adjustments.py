"""What a person adds to the tests' verdicts: overrides, manual rubric points, late penalties.

Each is a line of its own in the submission's scores, so ``results.json``, ``feedback.html`` and
the gradebook show it with its reason. Per assignment, in this order:

1. the tests' points; an override naming a test (``test_softmax_known_values``, or one case of
   it, ``test_x[3]``) sets that test's points, split evenly over its cases;
2. the ``[manual]`` rubric items of its ``grading.toml``, scored from the kit's ``manual.csv``
   (``student,assignment,item,points[,comment]``); an item not scored yet is worth 0, and says so;
3. the late penalty (:mod:`autograder.kit.late`): a share of the points so far;
4. an override with an empty ``test``: the assignment's score, whatever came before.

Overrides come from ``grade --overrides FILE`` (``student,assignment,test,points,reason``). Every
line of either file is checked (known student, assignment, test or item; points a number) and a bad
one stops the run with a one-line error naming the file and line.
"""
from dataclasses import dataclass, replace
from pathlib import Path

from autograder.kit.config import load_manual_items
from autograder.kit.errors import KitError
from autograder.kit.tables import number, student_rows
from autograder.results.scoring import Scores, ScoredTest, points_text

MANUAL_FILE = "manual.csv"
LATE, MANUAL, OVERRIDE = "late", "manual", "override"


@dataclass(frozen=True)
class Override:
    test: str
    points: float
    reason: str


def read_overrides(path, kit, students, points):
    """``{(student, folder): [Override]}`` from an overrides file; ``points`` are the graded assignments'."""
    overrides = {}
    for where, row, folder in student_rows(path, kit, students, ["points", "reason"], ["test"]):
        test = row["test"]
        if test and folder in points and test.split("[", 1)[0] not in points[folder]:
            raise KitError(f"{where}: {folder} has no test {test!r}; use a test function's name from its "
                           "grading.toml [points], or leave test empty for the whole assignment")
        given = overrides.setdefault((row["student"], folder), [])
        if any(override.test == test for override in given):
            raise KitError(f"{where}: a second override of {test or 'the whole assignment'} for {row['student']} in "
                           f"{folder}; keep the one that counts")
        given.append(Override(test, number(row["points"], where), row["reason"]))
    return overrides


def read_manual(path, kit, students, items):
    """``{(student, folder, item): (points, comment)}`` from ``manual.csv``; ``items`` per folder from ``[manual]``."""
    scores = {}
    for where, row, folder in student_rows(path, kit, students, ["item", "points"], ["comment"]):
        available = items.get(folder) or load_manual_items(kit.root / "solutions", kit.by_folder(folder))
        if row["item"] not in available:
            raise KitError(f"{where}: {folder} has no manual item {row['item']!r}; its grading.toml [manual] has "
                           f"{', '.join(available) or 'none'}")
        value = number(row["points"], where)
        if not 0 <= value <= available[row["item"]]:
            raise KitError(f"{where}: {value:g} points is outside 0..{available[row['item']]:g} for {row['item']}")
        scores[(row["student"], folder, row["item"])] = (value, row["comment"])
    return scores


def _line(folder, name, kind, cause, score, max_score, message, passed=True):
    """An adjustment's line; ``cause`` is what it was made from (a rubric score, a lateness, an override)."""
    record = {"assignment": folder, "test": name, "case": "", "visibility": "public", "passed": passed,
              "message": message, "details": "", "kind": kind, "cause": cause}
    return ScoredTest(record, round(score, 4), round(max_score, 4))


def _override_tests(tests, overrides):
    """The tests with each test override applied (its points split evenly over the cases it names)."""
    for override in overrides:
        if not override.test:
            continue
        named = [t for t in tests if override.test in (t.record["test"], t.name.split(": ", 1)[1])]
        share = override.points / len(named) if named else 0.0
        tests = [replace(t, score=round(share, 4), record={**t.record, "kind": OVERRIDE,
                                                           "cause": f"{override.points:g}: {override.reason}", "message": (
                 f"overridden: {override.reason}" + (f" (was: {t.record['message']})" if t.record["message"] else ""))})
                 if t in named else t for t in tests]
    return tests


def adjust(scores, student, term):
    """``scores`` with the student's overrides, manual points and late penalty added, each as a line."""
    tests, by_assignment, max_by_assignment, late = [], {}, {}, {}
    for folder in scores.by_assignment:
        overrides = term.overrides.get((student, folder), [])
        own = _override_tests([t for t in scores.tests if t.record["assignment"] == folder], overrides)
        for item, available in term.manual_items.get(folder, {}).items():
            value, comment = term.manual.get((student, folder, item), (None, ""))
            message = (comment or "graded by hand") if value is not None else "not graded yet"
            own.append(_line(folder, f"manual: {item}", MANUAL, f"{value}: {comment}", value or 0.0, available, message,
                             value is not None))
        subtotal = sum(t.score for t in own)
        lateness = term.lateness(student, folder)
        if lateness is not None:
            late[folder] = lateness
            penalty = subtotal * lateness.fraction
            own.append(_line(folder, "late penalty", LATE, lateness.describe(), -penalty, 0.0,
                             f"submitted {lateness.describe()} ({points_text(penalty)} points)", not penalty))
            subtotal -= penalty
        for override in (o for o in overrides if not o.test):
            own.append(_line(folder, "override", OVERRIDE, f"{override.points:g}: {override.reason}",
                             override.points - subtotal, 0.0,
                             f"score set to {points_text(override.points)}: {override.reason}"))
            subtotal = override.points
        tests += own
        by_assignment[folder] = round(subtotal, 4)
        max_by_assignment[folder] = round(scores.max_by_assignment[folder]
                                          + sum(term.manual_items.get(folder, {}).values()), 4)
    return Scores(tests, by_assignment, max_by_assignment, late)


def lines_by_kind(scores):
    """``{folder: {kind: [[name, cause]]}}``: what the adjustments were made from, to tell why a score changed.

    Causes, not amounts: a late penalty that grows because a regrade raised the score it is taken from
    did not change; the lateness did not."""
    found = {}
    for test in scores.tests:
        kind = test.record.get("kind")
        if kind:
            found.setdefault(test.record["assignment"], {}).setdefault(kind, []).append([test.name, test.record["cause"]])
    return found


def manual_items_of(kit, assignments):
    """``{folder: {item: points}}`` of the assignments' ``[manual]`` tables (points checked: numbers, at least 0)."""
    found = {}
    for assignment in assignments:
        items = load_manual_items(kit.root / "solutions", assignment)
        for item, points in items.items():
            if isinstance(points, bool) or not isinstance(points, (int, float)) or points < 0:
                raise KitError(f"{kit.root / 'solutions' / assignment.folder / 'grading.toml'}: [manual] {item} = "
                               f"{points!r}; give the item's points, a number like 2")
        if items:
            found[assignment.folder] = {item: float(points) for item, points in items.items()}
    return found


def read_manual_file(kit, students, items):
    """The kit's ``manual.csv`` (none: no manual points given yet)."""
    path = Path(kit.root) / MANUAL_FILE
    return read_manual(path, kit, students, items) if path.is_file() else {}

