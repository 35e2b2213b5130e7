"""``gradebook.csv``: one row per submission, rebuilt from the per-student results after each one."""
import csv
import io
from pathlib import Path

from autograder.kit.assignments import ASSIGNMENTS
from autograder.results.files import atomic_write
from autograder.results.scoring import points_text

GRADEBOOK_COLUMNS = ["student", *(a.folder for a in ASSIGNMENTS), "total", "max_total", "status"]


def gradebook_row(student, scores, status):
    row = {"student": student}
    row.update({folder: points_text(value) for folder, value in scores.by_assignment.items()})
    row.update(total=points_text(scores.total), max_total=points_text(scores.max_total), status=status)
    return row


def write_gradebook(out, submissions, rows):
    """gradebook.csv: one row per submission, in student order; unfinished ones say ``pending``."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=GRADEBOOK_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for submission in submissions:
        writer.writerow(rows.get(submission.student) or {"student": submission.student, "status": "pending"})
    atomic_write(Path(out) / "gradebook.csv", buffer.getvalue())
