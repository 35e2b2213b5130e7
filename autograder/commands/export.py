"""``autograder export OUT --to canvas|moodle|csv --out FILE [--roster FILE]``: the gradebook as an LMS imports it.

One column per graded assignment (the gradebook's, headed by the assignment's folder name, so a
second import updates the same LMS columns), one row per student; students are matched to the LMS's
through the roster (``student,name,email,sis_id``). The formats, as their documentation describes
them:

- ``canvas``: Canvas's gradebook import CSV. Canvas needs the columns ``Student`` (name), ``ID``,
  ``SIS User ID``, ``SIS Login ID`` and ``Section`` before the assignment columns, and one of
  name, ID or SIS User ID to identify a student; a column with a new name becomes a new assignment
  (Ohio State's CarmenCanvas guide "Import a CSV file to Carmen Grades",
  https://teaching.resources.osu.edu/toolsets/carmencanvas/guides/calculating-final-grades/import-csv-file-carmen-grades,
  and Instructure's "How do I import grades in the Gradebook?"). The roster's ``sis_id`` fills
  ``SIS User ID``, which Canvas matches on; ``ID`` (Canvas's internal number), ``SIS Login ID`` and
  ``Section`` are left empty, as this kit cannot know them. Every student needs a ``sis_id``.
- ``moodle``: Moodle's CSV grade import (Grades > Import > CSV file; MoodleDocs "Grade import",
  https://docs.moodle.org/en/Grade_import): a header row, one column per grade item, and a user
  column the import maps, "Email address" to ``useremail`` or "ID number" to ``useridnumber``.
  Columns ``ID number`` (the roster's ``sis_id``) and ``Email address`` (its ``email``; Moodle
  compares it case-sensitively, so it is written as the roster has it); every student needs one of them.
- ``csv``: this kit's own: ``student,name,email,sis_id``, the assignments, ``total``.

A student still ``pending`` in the gradebook stops the export (finish grading first); a graded
student the roster lacks, or one the LMS could not match, is an error naming the file and line:
nothing is exported on a guess. A student whose submission is flagged ``needs review`` is exported
with the score the gradebook has (the flagged assignment's tests count nothing) and named on the
terminal (:func:`needing_review`): that score waits for the instructor's reading.
"""
import csv
import io
from pathlib import Path

from autograder.kit.errors import KitError
from autograder.kit.roster import Student, read_roster
from autograder.results.files import atomic_write
from autograder.results.gradebook import PENDING, neutralised
from autograder.results.report import status_kind

FORMATS = ("canvas", "moodle", "csv")
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_COLUMNS = ["ID number", "Email address"]


def read_gradebook(out):
    """``(assignment folders, [(line, row)])`` of ``OUT/gradebook.csv``."""
    path = Path(out) / "gradebook.csv"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise KitError(f"{path}: cannot read it ({error.strerror}); run `autograder grade` into {out} first") from None
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    if "student" not in header or "total" not in header:
        raise KitError(f"{path}:1: not a gradebook (no student and total columns); export the OUT folder of a grade")
    folders = header[header.index("student") + 1:header.index("total")]
    rows = [(reader.line_num, row) for row in reader]
    for line, row in rows:
        if row.get("status") == PENDING:
            raise KitError(f"{path}:{line}: {row['student']} is still pending; run the same grade command again "
                           "to finish it, then export")
    return folders, rows


def _matched(students, roster_path, needs):
    """Check every student has what the LMS matches on; ``needs`` is (what, test) pairs, any one suffices."""
    for student in students:
        if not any(test(student) for _, test in needs):
            what = " or ".join(name for name, _ in needs)
            raise KitError(f"{roster_path}: {student.student} has no {what}, which the LMS matches students on; "
                           "add it to the roster")


def export(out, to, target, roster=None):
    """Write the grade-import file ``target`` for the LMS ``to`` from ``OUT/gradebook.csv``; return its row count."""
    if to not in FORMATS:
        raise KitError(f"--to {to}: use one of {', '.join(FORMATS)}")
    folders, rows = read_gradebook(out)
    people = read_roster(roster) if roster else None
    if people is None and to != "csv":
        raise KitError(f"--to {to} needs --roster FILE (student,name,email,sis_id): the LMS matches students by "
                       "sis_id or email, which the gradebook does not have")
    students = []
    for line, row in rows:
        if people is not None and row["student"] not in people:
            raise KitError(f"{Path(out) / 'gradebook.csv'}:{line}: {row['student']} is not on the roster {roster}; "
                           "add them to it (or remove their submission and grade again)")
        students.append((people or {}).get(row["student"], Student(row["student"])))
    if to == "canvas":
        _matched(students, roster, [("sis_id", lambda s: s.sis_id)])
        header = [*CANVAS_COLUMNS, *folders]
        cells = [[s.name or s.student, "", s.sis_id, "", ""] for s in students]
    elif to == "moodle":
        _matched(students, roster, [("sis_id", lambda s: s.sis_id), ("email", lambda s: s.email)])
        header = [*MOODLE_COLUMNS, *folders]
        cells = [[s.sis_id, s.email] for s in students]
    else:
        header = ["student", "name", "email", "sis_id", *folders, "total"]
        cells = [[s.student, s.name, s.email, s.sis_id] for s in students]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for student_cells, (_, row) in zip(cells, rows):
        scores = [row[folder] for folder in folders] + ([row["total"]] if to == "csv" else [])
        writer.writerow([neutralised(cell) for cell in student_cells] + scores)
    atomic_write(Path(target), buffer.getvalue())
    return len(rows)


def not_in_gradebook(out, roster):
    """The roster's students without a row in ``OUT/gradebook.csv`` (graded without ``--roster``): the LMS keeps
    whatever grade they had, so the instructor is told."""
    _, rows = read_gradebook(out)
    graded = {row["student"] for _, row in rows}
    return [student for student in read_roster(roster) if student not in graded]


def needing_review(out):
    """The students of ``OUT/gradebook.csv`` whose submission is flagged ``needs review``."""
    _, rows = read_gradebook(out)
    return [row["student"] for _, row in rows if status_kind(row.get("status", "")) == "flagged"]
