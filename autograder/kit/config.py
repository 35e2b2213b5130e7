"""Points, thresholds and manual rubric items: one readable TOML file per assignment.

``solutions/<folder>/grading.toml`` holds ``[assignment]`` (``module``, ``title``, ``order``: what the
assignment is, :mod:`autograder.kit.assignments`), ``[points]`` (per test function, public and hidden;
a parametrized test's points are split evenly over its cases), ``[thresholds]`` (accuracy bars,
gradient-check bars, time limits) and, optionally, ``[manual]`` (rubric items graded by a person,
``item = points``, scored from the kit's ``manual.csv``). The ``[assignment]`` table and the thresholds
are public: ``autograder generate`` copies them into ``assignments/<folder>/thresholds.toml`` for the
student release.
"""
from pathlib import Path

from autograder.kit.assignments import ASSIGNMENT_TABLE, GRADING_FILE, THRESHOLDS_FILE
from autograder.kit.toml_parser import tomllib

KNOWN_BUGS_FILE = "known_bugs.json"  # per assignment, in solutions/: generated from examples/catalogue.py
__all__ = ["GRADING_FILE", "KNOWN_BUGS_FILE", "THRESHOLDS_FILE", "load_points", "load_manual_items", "load_thresholds",
           "render_thresholds"]


def read_toml(path):
    with open(path, "rb") as file:
        return tomllib.load(file)


def load_points(solutions_root, assignment):
    """``{test function name: points}`` for the assignment."""
    return dict(read_toml(Path(solutions_root) / assignment.folder / GRADING_FILE).get("points", {}))


def load_manual_items(solutions_root, assignment):
    """``{rubric item: points}`` of the assignment's ``[manual]`` table (empty when it has none)."""
    return dict(read_toml(Path(solutions_root) / assignment.folder / GRADING_FILE).get("manual", {}))


def load_thresholds(folder):
    """The thresholds for the tests in ``folder``: its thresholds.toml, or the [thresholds] of its grading.toml."""
    folder = Path(folder)
    if (folder / THRESHOLDS_FILE).is_file():
        thresholds = read_toml(folder / THRESHOLDS_FILE)
        thresholds.pop(ASSIGNMENT_TABLE, None)  # what the folder is, not a bar
        return thresholds
    return dict(read_toml(folder / GRADING_FILE).get("thresholds", {}))


def render_thresholds(solutions_root, assignment):
    """The generated thresholds.toml of the student release, from the solution's grading.toml."""
    grading = read_toml(Path(solutions_root) / assignment.folder / GRADING_FILE)
    lines = [f"# Generated from solutions/{assignment.folder}/{GRADING_FILE} by `autograder generate`; do not edit.",
             "# The bars your code must clear; the same ones are used at grading."]
    lines += [f"{name} = {value!r}" for name, value in grading.get("thresholds", {}).items()]
    lines += ["", "# Which assignment this folder holds.", f"[{ASSIGNMENT_TABLE}]"]
    lines += [f"{key} = {_toml_value(value)}" for key, value in grading.get(ASSIGNMENT_TABLE, {}).items()]
    return "\n".join(lines) + "\n"


def _toml_value(value):
    """A TOML literal for a string or a number (what ``[assignment]`` holds)."""
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)
