"""One run of ``grade`` in a course's term: what is graded, for whom, and what applies on top of the tests.

:func:`read_term` reads and checks every input file before anything is graded (the kit's
``course.toml`` and ``extensions.csv``, the roster, ``submitted.csv`` / ``timestamp.txt``, the
overrides, ``manual.csv``, and each graded assignment's ``grading.toml``: :mod:`autograder.kit.grading_checks`):
a malformed one stops the run with a one-line error, and nothing is graded on a guess.
"""
from dataclasses import dataclass, field
from datetime import datetime, timezone

from autograder.kit.errors import KitError
from autograder.kit.grading_checks import check_grading
from autograder.kit.secret import course_secret
from autograder.kit.roster import read_roster
from autograder.results.adjustments import manual_items_of, read_manual_file, read_overrides
from autograder.results.resume import kit_fingerprint
from autograder.submissions.times import submission_times

FEEDBACK_CHOICES = ("before", "after")


@dataclass(frozen=True)
class Term:
    kit: object  # the Kit (autograder.kit.course)
    assignments: tuple
    points: dict
    roster: dict = None
    times: dict = field(default_factory=dict)
    overrides: dict = field(default_factory=dict)
    manual_items: dict = field(default_factory=dict)
    manual: dict = field(default_factory=dict)
    feedback: str = None
    now: datetime = None
    forced: frozenset = frozenset()
    force_all: bool = False
    kit_prints: dict = field(default_factory=dict)
    time_problems: dict = field(default_factory=dict)  # student -> why the submission's time cannot be known

    @property
    def folders(self):
        return [assignment.folder for assignment in self.assignments]

    def lateness(self, student, folder):
        """The :class:`~autograder.kit.late.Lateness` of the student's assignment, or None (on time, or unknown)."""
        return self.kit.course.late.lateness(self.times.get((student, folder)), self.kit.due(student, folder))

    def shows_hidden(self, student, folder):
        """Whether the feedback may name the hidden tests: after the due time, or as ``--feedback`` says."""
        if self.feedback is not None:
            return self.feedback == "after"
        return not self.kit.before_due(student, folder, self.now)

    def is_forced(self, student):
        return self.force_all or student in self.forced

    def max_by_assignment(self):
        """Each graded assignment's points: its tests' and its manual items'."""
        return {folder: round(sum(self.points[folder].values()) + sum(self.manual_items.get(folder, {}).values()), 4)
                for folder in self.folders}


def read_term(kit, submissions_dir, submissions, names=(), roster=None, overrides=None, force=False,
              students=(), feedback=None, now=None):
    """The :class:`Term` of a ``grade`` run; raises :class:`~autograder.kit.errors.KitError` on a bad input file."""
    assignments = kit.select(names)
    roster_students = read_roster(roster) if roster else None
    known = {s.student for s in submissions} | set(roster_students or {})
    kit.check_students(known)
    for student in students:
        if student not in known:
            raise KitError(f"--student {student}: no such student (no submission and not on the roster)")
    if feedback is not None and feedback not in FEEDBACK_CHOICES:
        raise KitError(f"--feedback {feedback}: use before or after")
    points = {a.folder: dict(check_grading(kit.root, a).get("points", {})) for a in assignments}
    items = manual_items_of(kit, assignments)
    times, time_problems = submission_times(submissions_dir, submissions, kit, assignments, known)
    return Term(
        kit, assignments, points, roster_students,
        times=times, time_problems=time_problems,
        overrides=read_overrides(overrides, kit, known, points) if overrides else {},
        manual_items=items,
        manual=read_manual_file(kit, known, items),
        feedback=feedback,
        now=now or datetime.now(timezone.utc),
        forced=frozenset(students), force_all=force,
        kit_prints={a.folder: kit_fingerprint(kit.root, a, course_secret(kit.root)) for a in assignments},
    )
