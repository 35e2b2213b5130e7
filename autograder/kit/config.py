"""Points and thresholds: one readable TOML file per assignment.

``solutions/<folder>/grading.toml`` holds ``[points]`` (per test function, public
and hidden; a parametrized test's points are split evenly over its cases) and
``[thresholds]`` (accuracy bars, gradient-check bars, time limits). The
thresholds are public: ``autograder generate`` copies them into
``assignments/<folder>/thresholds.toml`` for the student release.
"""
import tomllib
from pathlib import Path

GRADING_FILE = "grading.toml"
THRESHOLDS_FILE = "thresholds.toml"
KNOWN_BUGS_FILE = "known_bugs.json"  # per assignment, in solutions/: generated from examples/catalogue.py


def read_toml(path):
    with open(path, "rb") as file:
        return tomllib.load(file)


def load_points(solutions_root, assignment):
    """``{test function name: points}`` for the assignment."""
    return dict(read_toml(Path(solutions_root) / assignment.folder / GRADING_FILE).get("points", {}))


def load_thresholds(folder):
    """The thresholds for the tests in ``folder``: its thresholds.toml, or the [thresholds] of its grading.toml."""
    folder = Path(folder)
    if (folder / THRESHOLDS_FILE).is_file():
        return read_toml(folder / THRESHOLDS_FILE)
    return dict(read_toml(folder / GRADING_FILE).get("thresholds", {}))


def render_thresholds(solutions_root, assignment):
    """The generated thresholds.toml of the student release, from the solution's grading.toml."""
    thresholds = read_toml(Path(solutions_root) / assignment.folder / GRADING_FILE).get("thresholds", {})
    lines = [f"# Generated from solutions/{assignment.folder}/{GRADING_FILE} by `autograder generate`; do not edit.",
             "# The bars your code must clear; the same ones are used at grading."]
    lines += [f"{name} = {value!r}" for name, value in thresholds.items()]
    return "\n".join(lines) + "\n"
