"""The class roster (``grade --roster FILE``, ``export --roster FILE``): who is in the course.

A CSV file with a ``student`` column (the id a submission is named by) and, when known, ``name``,
``email`` and ``sis_id`` (what an LMS matches students by). Every roster student gets a gradebook
row, submitted or not.
"""
from dataclasses import dataclass

from autograder.kit.errors import KitError
from autograder.kit.tables import read_table

ROSTER_COLUMNS = ("name", "email", "sis_id")


@dataclass(frozen=True)
class Student:
    student: str
    name: str = ""
    email: str = ""
    sis_id: str = ""


def read_roster(path):
    """``{student id: Student}`` in the file's order; a student listed twice is a :class:`KitError`."""
    roster = {}
    for line, row in read_table(path, ["student"], ROSTER_COLUMNS):
        if row["student"] in roster:
            raise KitError(f"{path}:{line}: student {row['student']!r} is listed twice; keep one line")
        roster[row["student"]] = Student(row["student"], row["name"], row["email"], row["sis_id"])
    return roster
