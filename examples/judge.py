"""Did each example of the catalogue get what it deserves? Judged from what ``autograder grade`` wrote.

``judge(example, graded)`` returns the list of ways the grading fell short for one example (empty:
it got exactly what ``examples/catalogue.py`` says it deserves); ``mutation_table(graded)`` counts,
per assignment, the bugs caught in their own assignment with nothing lost elsewhere.
"""
import csv
import html
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from catalogue import BUG, BUGS, EXAMPLES, FULL_MARKS, KIT, REFUSED, ZERO

from autograder.kit.assignments import discover_assignments
from autograder.kit.config import load_points

ASSIGNMENTS = discover_assignments(KIT)  # every assignment of the kit, in course order

FOLDERS = [assignment.folder for assignment in ASSIGNMENTS]


@dataclass
class Graded:
    """The output folder of one ``autograder grade`` run, read lazily."""

    out: Path
    _results: dict = field(default_factory=dict)

    @cached_property
    def gradebook(self):
        with open(Path(self.out) / "gradebook.csv") as file:
            return list(csv.DictReader(file))

    @cached_property
    def rows(self):
        return {row["student"]: row for row in self.gradebook}

    @cached_property
    def folders(self):
        """The assignments this run graded (the gradebook's columns): all of them, or one graded with --assignment."""
        return [folder for folder in FOLDERS if self.gradebook and folder in self.gradebook[0]]

    @cached_property
    def maxima(self):
        return {folder: float(sum(load_points(KIT / "solutions", assignment).values()))
                for folder, assignment in zip(FOLDERS, ASSIGNMENTS)}

    def results(self, student):
        if student not in self._results:
            self._results[student] = json.loads((Path(self.out) / student / "results.json").read_text())
        return self._results[student]

    def feedback(self, student):
        """The feedback page as written (HTML)."""
        return (Path(self.out) / student / "feedback.html").read_text()

    def failed_cases(self, student, folder):
        """The results.json entries of ``folder``'s failed test cases."""
        return [test for test in self.results(student)["tests"]
                if test["status"] == "failed" and folder in test.get("tags", [])]

    def failures(self, student, folder):
        """``name: first line of its output`` of each failed case of ``folder``: what a report of a loss names."""
        try:
            cases = self.failed_cases(student, folder)
        except (OSError, ValueError, KeyError):
            return ["(no results.json)"]
        return [f"{test['name']}: {next(iter((test.get('output') or '').strip().splitlines()), '')[:200]}"
                for test in cases]

    def failed_tests(self, student, folder):
        """The test functions of ``folder`` with at least one failed case."""
        return {test["name"].split(": ", 1)[1].split("[", 1)[0] for test in self.failed_cases(student, folder)}


def _score(row, folder):
    try:
        return float(row[folder])
    except (KeyError, TypeError, ValueError):
        return None


def judge(example, graded):
    """The ways ``example``'s grading differs from what it deserves (an empty list when it got exactly that)."""
    rows = [row for row in graded.gradebook if row["student"] == example.name]
    if len(rows) != 1:
        return [f"{len(rows)} gradebook rows instead of one"]
    row, maxima, problems = rows[0], graded.maxima, []
    expect, own = example.expect, example.assignment
    if expect not in (FULL_MARKS, REFUSED) and own not in graded.folders:
        return [f"{own}, the assignment it is about, was not graded in this run"]
    # A run graded with --assignment has that column alone: the others are not lost, they were not graded.
    keeps = [folder for folder in graded.folders if folder != own or expect in (FULL_MARKS, REFUSED)]
    if expect == REFUSED:
        if any(_score(row, folder) != 0 for folder in graded.folders):
            problems.append("it was graded, not refused")
    else:
        for folder in keeps:
            if _score(row, folder) != maxima[folder]:
                problems.append(f"it lost points in {folder} ({row[folder]} of {maxima[folder]:g}; failed "
                                f"{'; '.join(graded.failures(example.name, folder)) or 'nothing'})")
        if expect == ZERO and _score(row, own) != 0:
            problems.append(f"{own} scored {row[own]}, not 0")
        elif isinstance(expect, tuple):
            score, failed = _score(row, own), graded.failed_tests(example.name, own)
            if score is None or score >= maxima[own]:
                problems.append(f"it lost nothing in {own}")
            passed = [test for test in expect if test not in failed]
            if passed:
                problems.append(f"it passed {', '.join(passed)}")
            extra = sorted(failed - set(expect))
            if extra:  # a bug or an attack fails exactly the tests it lists: more is a bug charged twice
                problems.append(f"it also failed {', '.join(extra)}")
    if expect not in (ZERO, REFUSED) and row["status"] != "ok":
        problems.append(f"its status is {row['status']!r}, not ok")
    page = graded.feedback(example.name)
    text = html.unescape(page)
    problems += [f"its feedback does not say {words!r}" for words in example.feedback
                 if words not in text and words not in row["status"]]
    problems += [f"its feedback contains {words!r}" for words in example.absent if words in page]
    return problems


def mutation_table(graded, bugs=BUGS):
    """``{assignment folder: (bugs, caught, {missed bug: problems})}`` for the bugs that were graded."""
    table = {}
    for folder in graded.folders:
        present = [bug for bug in bugs if bug.assignment == folder and bug.name in graded.rows]
        missed = {bug.name: problems for bug in present if (problems := judge(bug, graded))}
        table[folder] = (len(present), len(present) - len(missed), missed)
    return table


def format_table(table):
    lines = ["mutation score: bugs caught in their own assignment, with nothing lost elsewhere", "",
             f"{'assignment':<24}{'bugs':>6}{'caught':>8}{'score':>8}"]
    for folder, (count, caught, _) in table.items():
        lines.append(f"{folder:<24}{count:>6}{caught:>8}{caught / count if count else 1:>8.0%}")
    count, caught = sum(row[0] for row in table.values()), sum(row[1] for row in table.values())
    lines.append(f"{'all':<24}{count:>6}{caught:>8}{caught / count if count else 1:>8.0%}")
    for folder, (_, _, missed) in table.items():
        for name, problems in missed.items():
            lines.append(f"  missed {name} ({folder}): {'; '.join(problems)}")
    return "\n".join(lines)


def summary(graded, kind):
    """``(examples of this kind that were graded, those that got what they deserve, {name: problems})``."""
    present = [example for example in EXAMPLES.values() if example.kind == kind and example.name in graded.rows]
    wrong = {example.name: problems for example in present if (problems := judge(example, graded))}
    return len(present), len(present) - len(wrong), wrong
