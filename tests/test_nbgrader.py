"""nbgrader for real: one grade, two roads.

An nbgrader course is made from the solution notebooks (``nbgrader generate_assignment``),
a reference and a buggy submission are autograded (``nbgrader autograde``), and
``autograder grade`` grades the very same course folder: per assignment, the scores
must be equal. Four assignments make the round trip (02, the quickest; 05, the one
with the most cells and the longest per-sample training; 07, whose tests hand the
student's code random generators and replay its fit; 08, with the diabetes data), to
keep the suite fast; the others differ only in their lessons, and every solution
notebook runs with full marks in test_notebooks.py. The nbgrader assignments are
named ``week2`` ... ``week8`` on purpose: ``autograder grade`` must find them by
their notebooks.
"""
import csv
import json
import os
import subprocess
import sys

import pytest
from conftest import ASSIGNMENTS, REPO, SANDBOX_KIND
from jupyter_kernel import jupyter_environment
from test_release import reference_bodies

from autograder.kit.config import load_points
from autograder.commands.grade import grade

BY_FOLDER = {assignment.folder: assignment for assignment in ASSIGNMENTS}
# nbgrader assignment: (our assignment, (text of the reference, the bug that replaces it))
ROUND_TRIP = {
    "week2": ("02_softmax", ("return exp / np.sum(exp, axis=-1, keepdims=True)", "return exp / np.sum(exp, axis=-1)")),
    "week5": ("05_mlp", ("grad_z_h = grad_h * dsigmoid(z_h)", "grad_z_h = grad_h * dsigmoid(h)")),
    "week7": ("07_training", ("            if waited >= patience:", "            if waited > patience:")),
    "week8": ("08_regression", ("grads_b[layer] = np.sum(delta, axis=0)", "grads_b[layer] = np.mean(delta, axis=0)")),
}
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


def with_bug(notebook, original, replacement):
    """The notebook with ``original`` replaced by ``replacement`` in the one code cell that holds it."""
    notebook = json.loads(json.dumps(notebook))
    cells = [cell for cell in notebook["cells"] if original in "".join(cell["source"])]
    assert len(cells) == 1, f"{original!r} is not in exactly one cell of the reference notebook"
    cells[0]["source"] = "".join(cells[0]["source"]).replace(original, replacement)
    return notebook


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The course folder after generate_assignment and autograde; nbgrader's and the kit's scores."""
    root = tmp_path_factory.mktemp("course")
    environment = {**os.environ, **jupyter_environment(tmp_path_factory.mktemp("jupyter"))}
    (root / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "backprop"\n'
                                             f"c.Execute.timeout = {CELL_TIMEOUT}\n")
    for name, (folder, (original, replacement)) in ROUND_TRIP.items():
        assignment = BY_FOLDER[folder]
        notebook_name = f"{assignment.module}.ipynb"
        reference = json.loads((REPO / "solutions" / assignment.folder / notebook_name).read_text())
        (root / "source" / name).mkdir(parents=True)
        (root / "source" / name / notebook_name).write_text(json.dumps(reference))
        nbgrader(root, environment, "generate_assignment", name)
        for student in STUDENTS:
            submitted = root / "submitted" / student / name
            submitted.mkdir(parents=True)
            notebook = with_bug(reference, original, replacement) if student == "buggy" else reference
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


@pytest.mark.parametrize("folder", [folder for folder, _ in ROUND_TRIP.values()])
def test_a_bug_costs_the_same_points_both_ways(course, folder):
    _, by_nbgrader, by_kit = course
    assert by_kit["buggy", folder] < total_points(folder)
    assert round(by_nbgrader["buggy", folder], 4) == by_kit["buggy", folder]


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
