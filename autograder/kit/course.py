"""A kit as one object: its assignments, the course that uses them, and the students' extensions.

:class:`Kit` is read from the kit's root (``Kit.read(root)``):

- the assignments, discovered from ``solutions/*/grading.toml`` (:mod:`autograder.kit.assignments`);
- ``course.toml`` (optional), the course: which assignments it uses and when each is due, and the
  late policy (:mod:`autograder.kit.late`)::

      [assignments.01_perceptron]
      due = 2026-09-07T23:59:00+02:00      # ISO 8601 with an offset (a TOML time or a string)
      [assignments.02_softmax]
      due = "2026-09-14T23:59:00Z"

      [late]
      policy = "percent"                   # none, zero or percent
      percent_per_day = 10                 # per day or part of a day
      cap = 50                             # percent, at most
      grace_minutes = 15

  Without it, the course is every assignment of the kit, none due (so nothing is late and feedback
  shows everything);
- ``extensions.csv`` (optional, beside ``course.toml``): ``student,assignment,due`` moves one
  student's due time for one assignment.

Before an assignment's due time (the student's own, extensions included) feedback shows hidden
tests only as a count (:meth:`Kit.before_due`); grading and the feedback page share that notion.
"""
from dataclasses import dataclass, field
from pathlib import Path

from autograder.kit.assignments import discover_assignments
from autograder.kit.errors import KitError
from autograder.kit.late import LatePolicy
from autograder.kit.tables import parse_time, read_table
from autograder.kit.toml_parser import tomllib

COURSE_FILE = "course.toml"
EXTENSIONS_FILE = "extensions.csv"


def line_of(text, needle, after=0):
    """The number of the first line of ``text`` after line ``after`` holding ``needle`` (else ``after`` or 1):
    tomllib reports no lines for values it parsed, and an error message names one."""
    for number, line in enumerate(text.splitlines(), start=1):
        if number > after and needle in line:
            return number
    return after or 1


@dataclass(frozen=True)
class Course:
    """Which assignments a course uses (folders, in order), their due times, and its late policy."""

    assignments: tuple
    due: dict = field(default_factory=dict)
    late: LatePolicy = LatePolicy()


@dataclass(frozen=True)
class Kit:
    root: Path
    assignments: tuple
    course: Course
    extensions: dict = field(default_factory=dict)  # {(student, folder): due}
    extension_lines: dict = field(default_factory=dict)  # {(student, folder): "extensions.csv:3"}, for errors

    @classmethod
    def read(cls, root):
        """The kit at ``root``, with its ``course.toml`` and ``extensions.csv`` when they are there."""
        root = Path(root)
        assignments = discover_assignments(root)
        if not assignments:
            raise KitError(f"{root}: no assignments (no solutions/*/grading.toml with an [assignment] table)")
        kit = cls(root, assignments, Course(tuple(a.folder for a in assignments)))
        if (root / COURSE_FILE).is_file():
            kit = cls(root, assignments, read_course(root / COURSE_FILE, assignments))
        if (root / EXTENSIONS_FILE).is_file():
            kit = cls(root, assignments, kit.course, *read_extensions(root / EXTENSIONS_FILE, kit))
        return kit

    def check_students(self, students):
        """Raise :class:`KitError` for an extension of a student who is neither on the roster nor handed anything in."""
        for (student, _), where in self.extension_lines.items():
            if student not in students:
                raise KitError(f"{where}: unknown student {student!r} (no submission and not on the roster); fix "
                               "the id or delete the line")

    def by_folder(self, folder):
        return next(a for a in self.assignments if a.folder == folder)

    def find(self, name, where=None):
        """The assignment named by folder or module; unknown names raise :class:`KitError` (``where`` starts it)."""
        for assignment in self.assignments:
            if assignment.named(name):
                return assignment
        known = ", ".join(a.folder for a in self.assignments)
        raise KitError(f"{where + ': ' if where else ''}unknown assignment {name!r}; the kit has {known}")

    def select(self, names=None):
        """The assignments to grade: those named (folder or module), else every one of the course."""
        if names:
            chosen = {self.find(name).folder for name in names}
        else:
            chosen = set(self.course.assignments)
        return tuple(a for a in self.assignments if a.folder in chosen)

    def due(self, student, folder):
        """The student's due time for the assignment (an extension's, else the course's), or None."""
        return self.extensions.get((student, folder), self.course.due.get(folder))

    def before_due(self, student, folder, now):
        """True when ``now`` is before the student's due time for the assignment (never when none is set)."""
        due = self.due(student, folder)
        return due is not None and now < due


def read_course(path, assignments):
    """The :class:`Course` of a ``course.toml``; every problem is a :class:`KitError` with its line."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise KitError(f"{path}: {error}; fix the TOML syntax") from None
    unknown = set(data) - {"assignments", "late"}
    if unknown:
        name = sorted(unknown)[0]
        raise KitError(f"{path}:{line_of(text, name)}: unknown table {name!r}; course.toml has [assignments.<name>] "
                       "and [late]")
    table = data.get("assignments")
    if not isinstance(table, dict) or not table:
        raise KitError(f"{path}:1: no [assignments.<folder>] tables; add one per assignment the course uses, "
                       "with its due time")
    folders = {a.folder: a for a in assignments}
    modules = {a.module: a.folder for a in assignments}
    due, used = {}, set()
    for name, settings in table.items():
        where = f"{path}:{line_of(text, name)}"
        folder = name if name in folders else modules.get(name)
        if folder is None:
            raise KitError(f"{where}: unknown assignment {name!r}; the kit has {', '.join(folders)}")
        if not isinstance(settings, dict) or set(settings) - {"due"}:
            raise KitError(f"{where}: [assignments.{name}] takes one key, due")
        used.add(folder)
        if "due" in settings:
            due[folder] = parse_time(settings["due"], f"{path}:{line_of(text, 'due', line_of(text, name))}")
    late = LatePolicy.from_table(data.get("late", {}), f"{path}:{line_of(text, '[late]')}")
    used = tuple(a.folder for a in assignments if a.folder in used)
    return Course(used, due, late)


def read_extensions(path, kit):
    """``{(student, folder): due}`` from ``extensions.csv`` (``student,assignment,due``), and each one's line."""
    extensions, lines = {}, {}
    for line, row in read_table(path, ["student", "assignment", "due"]):
        where = f"{path}:{line}"
        folder = kit.find(row["assignment"], where).folder
        if folder not in kit.course.assignments:
            raise KitError(f"{where}: {folder} is not an assignment of the course (course.toml); remove the line "
                           "or add the assignment")
        key = (row["student"], folder)
        if key in extensions:
            raise KitError(f"{where}: a second extension for {row['student']} in {folder} (the first is at "
                           f"{lines[key]}); keep one line")
        extensions[key], lines[key] = parse_time(row["due"], where), where
    return extensions, lines
