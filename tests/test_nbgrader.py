"""nbgrader for real: one grade, two roads.

An nbgrader course is made from the solution notebooks (``nbgrader generate_assignment``),
a reference and a buggy submission are autograded (``nbgrader autograde``), and
``autograder grade`` grades the very same course folder. Four assignments make the round trip
(02, the quickest; 05, the one with the most cells and the longest per-sample training; 07,
whose tests hand the student's code random generators and replay its fit; 08, with the
diabetes data), to keep the suite fast; the others differ only in their lessons, and every
solution notebook runs with full marks in test_notebooks.py. The nbgrader assignments are
named ``week2`` ... ``week8`` on purpose: ``autograder grade`` must find them by their
notebooks.

Both roads run the kit's tests, so equal totals alone would prove little: the verdicts
nbgrader's autograded cells printed (read from the notebooks nbgrader autograded) must be the
grade's, test case by test case; each total must be the points of those verdicts as computed
here from grading.toml; and the bug, a catalogue entry, must fail the tests the catalogue lists.
"""
import csv
import json
import os
import re
import subprocess
import sys
from collections import Counter

import pytest
from conftest import ASSIGNMENTS, REPO, SANDBOX_KIND
from jupyter_kernel import jupyter_environment
from test_release import reference_bodies

from autograder.kit.config import load_points
from autograder.commands.grade import grade

sys.path.insert(0, str(REPO / "examples"))
from catalogue import EXAMPLES  # noqa: E402

BY_FOLDER = {assignment.folder: assignment for assignment in ASSIGNMENTS}
# nbgrader assignment: (our assignment, the catalogue bug of the buggy student: one Replace in one notebook cell)
ROUND_TRIP = {
    "week2": ("02_softmax", "bug_softmax_no_keepdims"),
    "week5": ("05_mlp", "bug_mlp_dsigmoid_of_activation"),
    "week7": ("07_training", "bug_training_fit_patience_plus_one"),
    "week8": ("08_regression", "bug_regression_deep_bias_averaged"),
}
# A line of an autograded cell's output (autograder.notebook.kernel.autograded_tests): one test case's verdict.
VERDICT = re.compile(r"^  (?P<verdict>PASS|FAIL) +\S+ of \S+ +(?P<name>\d\d_\w+: .+)$")
STUDENTS = ("buggy", "reference")
# nbgrader's default cell timeout is 30 s. The slowest cells here are 05's autograded and check cells
# (each runs the kit's runner and trains MLPs): 23.6 s measured on the shared 2-core machine with the
# load average at 23, a few seconds idle. 300 s leaves more than ten times that, so load cannot fail
# the round trip; an endless cell still ends.
CELL_TIMEOUT = 300
pytestmark = pytest.mark.slow


def nbgrader(course, environment, *arguments):
    result = subprocess.run([sys.executable, "-m", "nbgrader", *arguments], cwd=course, env=environment,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def with_bug(notebook, bug):
    """The notebook with the catalogue ``bug``'s replacement made in the one code cell that holds its text."""
    notebook = json.loads(json.dumps(notebook))
    change = EXAMPLES[bug].change
    cells = [cell for cell in notebook["cells"] if change.old in "".join(cell["source"])]
    assert len(cells) == 1, f"{change.old!r} is not in exactly one cell of the reference notebook"
    cells[0]["source"] = "".join(cells[0]["source"]).replace(change.old, change.new)
    return notebook


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The course folder after generate_assignment and autograde; nbgrader's and the kit's scores."""
    root = tmp_path_factory.mktemp("course")
    environment = {**os.environ, **jupyter_environment(tmp_path_factory.mktemp("jupyter"))}
    (root / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "backprop"\n'
                                             f"c.Execute.timeout = {CELL_TIMEOUT}\n")
    for name, (folder, bug) in ROUND_TRIP.items():
        assignment = BY_FOLDER[folder]
        notebook_name = f"{assignment.module}.ipynb"
        reference = json.loads((REPO / "solutions" / assignment.folder / notebook_name).read_text())
        (root / "source" / name).mkdir(parents=True)
        (root / "source" / name / notebook_name).write_text(json.dumps(reference))
        nbgrader(root, environment, "generate_assignment", name)
        for student in STUDENTS:
            submitted = root / "submitted" / student / name
            submitted.mkdir(parents=True)
            notebook = with_bug(reference, bug) if student == "buggy" else reference
            (submitted / notebook_name).write_text(json.dumps(notebook))
        nbgrader(root, environment, "autograde", name)

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        by_nbgrader = {(student, ROUND_TRIP[name][0]): gradebook.find_submission(name, student).score
                       for name in ROUND_TRIP for student in STUDENTS}
    grade(root, root / "kit-out", REPO, jobs=2, sandbox_kind=SANDBOX_KIND, progress=False)
    with open(root / "kit-out" / "gradebook.csv") as file:
        by_kit = {(row["student"], folder): float(row[folder]) for row in csv.DictReader(file)
                  for folder, _ in ROUND_TRIP.values()}
    return root, by_nbgrader, by_kit


def total_points(folder):
    return sum(load_points(REPO / "solutions", BY_FOLDER[folder]).values())


@pytest.mark.parametrize("folder", [folder for folder, _ in ROUND_TRIP.values()])
def test_reference_gets_full_marks_both_ways(course, folder):
    _, by_nbgrader, by_kit = course
    assert by_nbgrader["reference", folder] == by_kit["reference", folder] == total_points(folder)


def nbgrader_verdicts(root, name, student):
    """``{test case: passed}`` as the autograded cells printed them in the notebook nbgrader autograded."""
    assignment = BY_FOLDER[ROUND_TRIP[name][0]]
    notebook = json.loads((root / "autograded" / student / name / f"{assignment.module}.ipynb").read_text())
    lines = [line for cell in notebook["cells"] if cell["metadata"].get("nbgrader", {}).get("grade")
             for output in cell.get("outputs", []) for line in "".join(output.get("text", "")).splitlines()]
    return {match["name"]: match["verdict"] == "PASS" for match in map(VERDICT.match, lines) if match}


def kit_verdicts(root, student, folder):
    """``{test case: passed}`` of ``autograder grade``'s results.json."""
    results = json.loads((root / "kit-out" / student / "results.json").read_text())
    return {test["name"]: test["status"] == "passed" for test in results["tests"] if test["name"].startswith(f"{folder}: ")}


def function_of(case):
    """``02_softmax: test_x[case]`` -> ``test_x``."""
    return case.split(": ", 1)[1].split("[", 1)[0]


def points_of(verdicts, folder):
    """The points of ``verdicts``, computed here: each test function's points split evenly over its cases."""
    points = load_points(REPO / "solutions", BY_FOLDER[folder])
    cases = Counter(function_of(case) for case in verdicts)
    return round(sum(points[function_of(case)] / cases[function_of(case)] for case, passed in verdicts.items()
                     if passed), 4)


@pytest.mark.parametrize("student", STUDENTS)
@pytest.mark.parametrize("name", ROUND_TRIP)
def test_both_roads_give_every_test_case_the_same_verdict(course, name, student):
    root, _, _ = course
    folder = ROUND_TRIP[name][0]
    theirs = nbgrader_verdicts(root, name, student)
    assert theirs and theirs == kit_verdicts(root, student, folder)
    assert {function_of(case) for case in theirs} == set(load_points(REPO / "solutions", BY_FOLDER[folder]))


@pytest.mark.parametrize("student", STUDENTS)
@pytest.mark.parametrize("name", ROUND_TRIP)
def test_each_total_is_the_points_of_those_verdicts(course, name, student):
    root, by_nbgrader, by_kit = course
    folder = ROUND_TRIP[name][0]
    expected = points_of(nbgrader_verdicts(root, name, student), folder)
    assert round(by_nbgrader[student, folder], 4) == expected == by_kit[student, folder]


@pytest.mark.parametrize("name", ROUND_TRIP)
def test_the_bug_fails_what_the_catalogue_lists_on_nbgraders_road(course, name):
    root, _, _ = course
    failed = {function_of(case) for case, passed in nbgrader_verdicts(root, name, "buggy").items() if not passed}
    assert failed == set(EXAMPLES[ROUND_TRIP[name][1]].expect)


@pytest.mark.parametrize("name", ROUND_TRIP)
def test_nbgrader_release_is_the_kit_student_notebook_but_for_the_stubs(course, name):
    root, _, _ = course
    assignment = BY_FOLDER[ROUND_TRIP[name][0]]
    released = json.loads((root / "release" / name / f"{assignment.module}.ipynb").read_text())
    ours = json.loads((REPO / "assignments" / assignment.module_file.with_suffix(".ipynb")).read_text())
    assert len(released["cells"]) == len(ours["cells"])
    for theirs, mine in zip(released["cells"], ours["cells"]):
        metadata = mine["metadata"].get("nbgrader", {})
        assert theirs["metadata"].get("nbgrader", {}).get("grade_id") == metadata.get("grade_id")
        if not metadata.get("solution"):
            assert "".join(theirs["source"]) == "".join(mine["source"])
    flat = " ".join(" ".join("".join(cell["source"]) for cell in released["cells"]).split())
    for label, body in reference_bodies():
        assert body not in flat, f"nbgrader released the reference body of {label}"
