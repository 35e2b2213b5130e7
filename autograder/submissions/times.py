"""When each assignment was handed in: ``submitted.csv`` beside the submissions, else nbgrader's ``timestamp.txt``.

``SUBMISSIONS/submitted.csv`` (``student,assignment,submitted_at``, ISO 8601 with an offset) is the
instructor's record and wins. Otherwise, in an nbgrader course folder only, ``nbgrader collect``
leaves ``timestamp.txt`` in ``submitted/<student>/<assignment>/``: its time is read from the folder
that holds the assignment's notebook or module, or from the student's folder. A ``timestamp.txt``
inside a plain folder or zip is the student's own file and is ignored. nbgrader writes it with its
``Exchange.timestamp_format`` (``%Y-%m-%d %H:%M:%S.%f %Z``) in its ``Exchange.timezone`` (UTC unless
configured); a zone given by name (``UTC``, ``Europe/Berlin``) or as an offset (``+0200``) is read,
and so is ISO 8601 with an offset. An abbreviation such as ``CEST`` names no single zone and is
refused, as is anything else unreadable: nothing is graded late (or on time) on a guess.
"""
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from autograder.kit.errors import KitError
from autograder.kit.tables import parse_time, student_rows
from autograder.submissions.locate import assignment_folder

SUBMITTED_FILE = "submitted.csv"
TIMESTAMP_FILE = "timestamp.txt"
UTC_NAMES = {"UTC", "GMT", "Z"}


def read_submitted(path, kit, students):
    """``{(student, folder): time}`` from ``submitted.csv``; unknown students and assignments are errors."""
    times = {}
    for where, row, folder in student_rows(path, kit, students, ["submitted_at"]):
        if (row["student"], folder) in times:
            raise KitError(f"{where}: {row['student']} has a second time for {folder}; keep the one that counts")
        times[(row["student"], folder)] = parse_time(row["submitted_at"], where)
    return times


def parse_nbgrader_timestamp(text, where):
    """A ``timestamp.txt`` time: nbgrader's ``date time zone``, or ISO 8601 with an offset."""
    text = text.strip()
    parts = text.split()
    if len(parts) == 3:
        moment, zone = f"{parts[0]}T{parts[1]}", parts[2]
        try:
            naive = datetime.fromisoformat(moment)
        except ValueError:
            raise KitError(f"{where}: {text!r} is not a time nbgrader writes (like 2026-09-07 21:59:00.000000 "
                           "UTC); fix it, or give the time in submitted.csv") from None
        if zone.upper() in UTC_NAMES:
            return naive.replace(tzinfo=timezone.utc)
        if zone[:1] in "+-" and zone[1:].isdigit() and len(zone) == 5:
            return parse_time(f"{moment}{zone[:3]}:{zone[3:]}", where)
        try:
            return naive.replace(tzinfo=ZoneInfo(zone))
        except (ZoneInfoNotFoundError, ValueError):
            raise KitError(f"{where}: the time zone {zone!r} names no single zone; give the time in submitted.csv "
                           "with an offset, or set nbgrader's Exchange.timezone to a zone name") from None
    return parse_time(text, where)


def timestamp_of(submission, assignment):
    """The time in the ``timestamp.txt`` of the submission's assignment folder (or its root), or None."""
    root = Path(submission.path)
    if root.is_file():
        return None
    folder = assignment_folder(root, assignment)
    for candidate in ([folder] if folder is not None else []) + [root]:
        path = candidate / TIMESTAMP_FILE
        if path.is_file() and not path.is_symlink():
            with open(path, "rb") as file:  # a timestamp is one short line: the rest is never read
                text = file.read(200).decode("utf-8", "replace")
            return parse_nbgrader_timestamp(text, f"{path}:1")
    return None


def is_nbgrader_course(folder):
    """True for an nbgrader course folder (``source/`` and ``submitted/``), as :func:`discover` reads it."""
    return (Path(folder) / "submitted").is_dir() and (Path(folder) / "source").is_dir()


def submission_times(submissions_dir, submissions, kit, assignments, students):
    """``({(student, folder): time}, {student: problem})``: the time of every submitted assignment whose time is
    known, and why a student's submission cannot be graded: a ``timestamp.txt`` that is unreadable (nothing is
    graded late, or on time, on a guess) and that ``submitted.csv`` does not stand in for.

    nbgrader's ``timestamp.txt`` comes from the student's side of its exchange: one student's unreadable file
    is that student's status, never the batch's end.
    """
    times, unreadable = {}, {}
    for submission in submissions if is_nbgrader_course(submissions_dir) else ():
        for assignment in assignments:
            try:
                moment = timestamp_of(submission, assignment)
            except KitError as error:
                unreadable[(submission.student, assignment.folder)] = str(error)
                continue
            if moment is not None:
                times[(submission.student, assignment.folder)] = moment
    path = Path(submissions_dir) / SUBMITTED_FILE
    if path.is_file():
        times.update(read_submitted(path, kit, students))  # the instructor's record wins
    problems = {}
    for (student, folder), error in unreadable.items():
        if (student, folder) not in times:
            problems.setdefault(student, f"{error}; nothing of this submission was graded")
    return times, problems
