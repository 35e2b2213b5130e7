"""``gradebook.csv``: one row per student, rebuilt from the per-student results after each one.

Columns: ``student``, one per graded assignment (its score, adjustments included), ``total``,
``max_total`` (the graded assignments' points), ``late`` (the assignments handed in late, with how
late and what it cost) and ``status``. With a roster, every roster student has a row: one who
handed nothing in scores 0 with status ``missing``.

Student ids and statuses are student text (a status names the student's files, functions and exception
types), and every CSV the grader writes (this one, ``report.csv``, ``changes.csv``, ``export``'s) passes each
cell through :func:`neutralised` as it enters the file: a spreadsheet runs a cell that starts with ``=``, ``+``,
``-`` or ``@`` (or a tab or carriage return before one) as a formula, so such a cell gets a leading apostrophe, as
OWASP advises against CSV injection; and an instructor's ``cat`` or ``grep`` of the file runs a terminal's
escapes, so no control character is kept but the line break and the tab.
"""
import csv
import io
from pathlib import Path

from autograder.results.files import atomic_write
from autograder.results.scoring import points_text
from autograder.submissions.student_ids import without_controls

FORMULA_LEADS = ("=", "+", "-", "@", "\t")  # a carriage return before one is a control, gone first
MISSING = "missing"
PENDING = "pending"


def gradebook_columns(folders):
    """The gradebook's columns when ``folders`` are graded."""
    return ["student", *folders, "total", "max_total", "late", "status"]


def late_text(scores):
    """The ``late`` cell: ``02_softmax: 2 days late, -20%; ...`` (empty when nothing was late)."""
    return "; ".join(f"{folder}: {lateness.describe()}" for folder, lateness in scores.late.items())


def gradebook_row(student, scores, status):
    row = {"student": student}
    row.update({folder: points_text(value) for folder, value in scores.by_assignment.items()})
    row.update(total=points_text(scores.total), max_total=points_text(scores.max_total), late=late_text(scores),
               status=status)
    return row


def neutralised(value):
    """A CSV cell's text, safe in a spreadsheet and on a terminal: no control character but line breaks and tabs, and
    formula-leading text (once they are gone: ``ESC=1+1`` leads with ``=``) with a leading ``'``."""
    text = without_controls(str(value))
    return "'" + text if text.startswith(FORMULA_LEADS) else text


def missing_row(student, max_by_assignment):
    """The row of a roster student with no submission: 0 everywhere, status ``missing``."""
    row = {"student": student, **{folder: "0" for folder in max_by_assignment}}
    row.update(total="0", max_total=points_text(sum(max_by_assignment.values())), late="", status=MISSING)
    return row


def write_gradebook(out, students, rows, folders):
    """gradebook.csv: one row per student in ``students`` order; unfinished ones say ``pending``."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=gradebook_columns(folders), lineterminator="\n",
                            extrasaction="ignore")
    writer.writeheader()
    for student in students:
        row = rows.get(student) or {"student": student, "status": PENDING}
        writer.writerow({column: neutralised(value) for column, value in row.items()})
    atomic_write(Path(out) / "gradebook.csv", buffer.getvalue())
