"""``gradebook.csv``: one row per submission, rebuilt from the per-student results after each one.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return
before one) as a formula, and student ids and statuses are student text: such cells are written
with a leading apostrophe (:func:`neutralised`), as OWASP advises against CSV injection.
"""
import csv
import io
from pathlib import Path

from autograder.kit.assignments import ASSIGNMENTS
from autograder.results.files import atomic_write
from autograder.results.scoring import points_text

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
GRADEBOOK_COLUMNS = ["student", *(a.folder for a in ASSIGNMENTS), "total", "max_total", "status"]


def gradebook_row(student, scores, status):
    row = {"student": student}
    row.update({folder: points_text(value) for folder, value in scores.by_assignment.items()})
    row.update(total=points_text(scores.total), max_total=points_text(scores.max_total), status=status)
    return row


def neutralised(value):
    """A cell's text as a spreadsheet shows it, never runs it: formula-leading text gets a leading ``'``."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_LEADS) else text


def write_gradebook(out, submissions, rows):
    """gradebook.csv: one row per submission, in student order; unfinished ones say ``pending``."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=GRADEBOOK_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for submission in submissions:
        row = rows.get(submission.student) or {"student": submission.student, "status": "pending"}
        writer.writerow({column: neutralised(value) for column, value in row.items()})
    atomic_write(Path(out) / "gradebook.csv", buffer.getvalue())
