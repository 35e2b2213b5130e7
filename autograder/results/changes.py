"""``OUT/changes.csv``: every score a run changed, with why. Appended, never rewritten.

Columns ``student,assignment,old,new,reason``; the reason is ``kit changed`` (its tests, points,
thresholds or reference changed since the old score), ``forced`` (``--force`` or ``--student``),
``submission changed``, ``override``, ``manual points`` or ``late`` (what the instructor's files
changed), several joined by ``; ``. A first grading is no change and is not listed. A student id is
student text: every cell is written as the gradebook writes one (:func:`~autograder.results.gradebook.neutralised`).
"""
import csv
import io
import os
import threading
from pathlib import Path

from autograder.results.gradebook import neutralised

CHANGES_FILE = "changes.csv"
CHANGES_COLUMNS = ["student", "assignment", "old", "new", "reason"]
_lock = threading.Lock()  # grading threads finish submissions concurrently


def append_changes(out, rows):
    """Append ``rows`` (dicts with :data:`CHANGES_COLUMNS`) to ``OUT/changes.csv``, header first if new."""
    if not rows:
        return
    path = Path(out) / CHANGES_FILE
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CHANGES_COLUMNS, lineterminator="\n")
    with _lock:
        if not path.is_file() or path.stat().st_size == 0:
            writer.writeheader()
        writer.writerows([{column: neutralised(value) for column, value in row.items()} for row in rows])
        with open(path, "a", encoding="utf-8") as file:
            file.write(buffer.getvalue())
            file.flush()
            os.fsync(file.fileno())


def read_changes(out):
    """The rows of ``OUT/changes.csv``, oldest first (none before a score has changed)."""
    try:
        with open(Path(out) / CHANGES_FILE, encoding="utf-8", newline="") as file:
            return list(csv.DictReader(file))
    except OSError:  # none yet, or an OUT that is no folder (grade says what to do about that)
        return []
