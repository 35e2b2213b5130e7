"""Reading the instructor's CSV files and times: every problem is a :class:`KitError` naming file and line.

The CSV files (roster, ``extensions.csv``, ``submitted.csv``, overrides, ``manual.csv``) are read
with :mod:`csv`, header first; a column may be added but none of the required ones left out.
Times are ISO 8601 with an offset (``2026-09-07T23:59:00+02:00``, or ``Z`` for UTC): a time without
one is refused, as the grader cannot know which time zone was meant.
"""
import csv
from datetime import datetime
from pathlib import Path

from autograder.kit.errors import KitError


def read_table(path, required, optional=()):
    """The rows of the CSV file at ``path`` as ``(line number, row dict)`` pairs.

    Parameters
    ----------
    path : path-like
        The file; its first line is the header.
    required : sequence of str
        Columns that must be in the header and filled in on every row.
    optional : sequence of str
        Columns that may be there (missing ones read as ``""``).

    Raises
    ------
    KitError
        A missing file or column, an empty required cell, a row with too many cells.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # a spreadsheet's byte-order mark is no column name
    except OSError as error:
        raise KitError(f"{path}: cannot read it ({error.strerror}); check the path") from None
    reader = csv.DictReader(text.splitlines())
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in required if name not in header]
    if missing:
        raise KitError(f"{path}:1: the header has no {', '.join(missing)} column; the first line must name "
                       f"the columns {','.join([*required, *optional])}")
    reader.fieldnames = header
    rows = []
    for row in reader:
        line = reader.line_num
        if None in row:
            raise KitError(f"{path}:{line}: more cells than the header has columns; quote a value that holds a comma")
        row = {name: (value or "").strip() for name, value in row.items()}
        if not any(row.values()):
            continue
        empty = [name for name in required if not row.get(name)]
        if empty:
            raise KitError(f"{path}:{line}: no {', '.join(empty)} on this line; fill it in or delete the line")
        rows.append((line, {**{name: "" for name in optional}, **row}))
    return rows


def student_rows(path, kit, students, required, optional=()):
    """The rows of a per-student CSV file (``student,assignment,...``) as ``(where, row, folder)``.

    Every row's student must be in ``students`` and its assignment (folder or module) in ``kit``;
    ``where`` is ``path:line`` for the caller's own checks.
    """
    for line, row in read_table(path, ["student", "assignment", *required], optional):
        where = f"{path}:{line}"
        if row["student"] not in students:
            raise KitError(f"{where}: unknown student {row['student']!r} (no submission and not on the roster); "
                           "fix the id or delete the line")
        yield where, row, kit.find(row["assignment"], where).folder


def parse_time(text, where):
    """An ISO 8601 time with an offset, as an aware datetime.

    ``where`` (``"course.toml:12"``) starts the error message.

    Raises
    ------
    KitError
        When ``text`` is not such a time, or has no offset.
    """
    if isinstance(text, datetime):
        value = text
    else:
        text = str(text).strip()
        try:
            value = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
        except ValueError:
            raise KitError(f"{where}: {text!r} is not a time; write it as ISO 8601 with an offset, "
                           "like 2026-09-07T23:59:00+02:00") from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise KitError(f"{where}: the time {str(text)!r} has no offset; add one, like "
                       f"{value.isoformat(timespec='minutes')}+00:00 (or Z for UTC)")
    return value


def number(text, where, what="points"):
    """A float from a CSV cell, or a :class:`KitError` saying which cell."""
    try:
        return float(text)
    except ValueError:
        raise KitError(f"{where}: {what} {text!r} is not a number; write it like 2 or 1.5") from None
