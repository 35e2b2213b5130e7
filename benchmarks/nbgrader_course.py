"""The 02_softmax notebooks of a class, for ``nbgrader autograde`` and for ``autograder grade``.

The instructor's notebook (nbgrader's "source" version) has one solution cell
holding the reference ``softmax.py`` (its bodies between nbgrader's solution
markers) and four autograded test cells with plain asserts on one_hot, softmax,
nll and cross_entropy (a point each): the simple notebook nbgrader courses use.
``nbgrader generate_assignment`` makes the student version; each student's
submitted notebook is that version with the solution cell replaced by the
student's own ``02_softmax/softmax.py``.

What each side then does per student:

- ``nbgrader autograde``: copy the notebook, restore the test cells from its
  database, start a Jupyter kernel, run every cell, record the scores in its
  SQLite gradebook.
- ``autograder grade``: extract the notebook's definitions (imports, functions,
  classes, UPPER_CASE constants), and run the kit's public and hidden pytest
  tests of 02_softmax against them in a sandboxed worker; write results.json,
  feedback.html and the gradebook row.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

KIT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "ps02"
NOTEBOOK = "softmax.ipynb"

TEST_CELLS = {
    "test_one_hot": """\
assert np.array_equal(one_hot(3, [0, 2, 1]), [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
assert np.array_equal(one_hot(4, 2), [0, 0, 1, 0])""",
    "test_softmax": """\
P = softmax(np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, 1000.0]]))
assert P.shape == (2, 3) and np.allclose(P.sum(axis=1), 1)
assert np.allclose(P[1], 1 / 3) and np.all(np.diff(P[0]) > 0)""",
    "test_nll": """\
Y = one_hot(3, [0, 2])
assert abs(nll(Y, [[0.5, 0.25, 0.25], [0.25, 0.25, 0.5]]) - np.log(2)) < 1e-6""",
    "test_cross_entropy": """\
assert abs(cross_entropy([1, 0], [0.5, 0.5]) - 2 * np.log(2)) < 1e-6""",
}


def _cell(kind, source, **nbgrader):
    cell = {"cell_type": kind, "id": nbgrader.get("grade_id", f"cell-{abs(hash(source)) % 10**8}"),
            "metadata": {}, "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    if nbgrader:
        cell["metadata"]["nbgrader"] = {"schema_version": 3, "task": False, **nbgrader}
    return cell


def source_notebook(solution_code):
    cells = [
        _cell("markdown", "# 02 softmax (benchmark notebook)"),
        _cell("code", "import numpy as np"),
        _cell("code", solution_code, grade_id="softmax_code", solution=True, grade=False, locked=False),
    ]
    for name, source in TEST_CELLS.items():
        cells.append(_cell("code", source, grade_id=name, solution=False, grade=True, locked=True, points=1))
    return {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                          "language": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def make_course(course, solution_code):
    """An nbgrader course folder with the assignment generated (its cells in nbgrader's database)."""
    course = Path(course)
    (course / "source" / ASSIGNMENT).mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        "c.CourseDirectory.course_id = 'backprop-bench'\n"
    )
    (course / "source" / ASSIGNMENT / NOTEBOOK).write_text(json.dumps(source_notebook(solution_code), indent=1))
    made = subprocess.run(nbgrader_command("generate_assignment", ASSIGNMENT, "--force"), cwd=course,
                          capture_output=True, text=True, env=nbgrader_environment())
    if made.returncode:
        raise RuntimeError(f"nbgrader generate_assignment failed:\n{made.stdout}\n{made.stderr}")
    return course


def student_notebook(course, student_code):
    """The released notebook with the solution cell holding ``student_code``."""
    notebook = json.loads((Path(course) / "release" / ASSIGNMENT / NOTEBOOK).read_text())
    for cell in notebook["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "softmax_code":
            cell["source"] = student_code
    return notebook


def nbgrader_environment():
    """The environment nbgrader expects: its virtual environment's programs on PATH (it runs ``alembic``)."""
    bin_folder = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": bin_folder + os.pathsep + os.environ.get("PATH", ""),
            "PYDEVD_DISABLE_FILE_VALIDATION": "1"}


def nbgrader_command(*args):
    return [str(Path(sys.executable).parent / "nbgrader"), *args]


def submit(course, students, autograder_submissions):
    """Write each student's notebook where nbgrader looks for it and as an ``autograder grade`` submission.

    ``students`` maps a student id to the text of their ``softmax.py``.
    """
    for student, code in students.items():
        notebook = json.dumps(student_notebook(course, code), indent=1)
        for folder in (Path(course) / "submitted" / student / ASSIGNMENT,
                       Path(autograder_submissions) / student / "02_softmax"):
            folder.mkdir(parents=True, exist_ok=True)
            (folder / NOTEBOOK).write_text(notebook)


def softmax_only_kit(root, kit=KIT):
    """A kit folder whose only assignment is 02_softmax: ``autograder grade --root`` it to grade 02 alone, as
    nbgrader grades the one notebook (the other assignments' tests not collected, their columns not written).

    Only 02's folders: another assignment's ``grading.toml`` without its test files is an error ``grade`` now
    reports before grading (its points name tests that are not there).
    """
    root = Path(root)
    for side in ("assignments", "solutions"):
        shutil.copytree(kit / side / "02_softmax", root / side / "02_softmax",
                        ignore=shutil.ignore_patterns("__pycache__", "*.ipynb"))
    return root


def memory_limited(limit_bytes):
    """A preexec_fn capping the address space: nbgrader runs student code without any limit."""
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))
    return limit


def autograde(course, limit_bytes=8 * 1024**3, then=None):
    """``nbgrader autograde`` every submission of the course; return the completed process.

    ``then`` runs in the child before nbgrader (the benchmark counts its CPU time with it).
    """
    limit = memory_limited(limit_bytes)

    def prepare():
        limit()
        if then is not None:
            then()

    return subprocess.run(nbgrader_command("autograde", ASSIGNMENT, "--force"), cwd=course, capture_output=True,
                          text=True, env=nbgrader_environment(), preexec_fn=prepare)


def nbgrader_scores(course):
    """{student: score} from nbgrader's gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{Path(course) / 'gradebook.db'}") as gradebook:
        return {submission.student.id: submission.score
                for submission in gradebook.assignment_submissions(ASSIGNMENT)}
