"""A notebook's definitions are extracted once per grading of it, by ``grade``, and read by its run.

``grade`` reads every notebook's definitions anyway (progress, absent definitions, the similarity pass); the run, a
process forked afresh per submission, extracted them again (~2.5 ms of CPU a 02 notebook). ``run_submission`` now
writes them into the run's scratch folder (the trusted side's, never bound into a sandbox) and the run reads them.
"""
import json
import shutil
from pathlib import Path

from conftest import ASSIGNMENTS, REPO, SANDBOX_KIND, read_gradebook

from autograder.runner import run
from autograder.runner import submission as submission_runner
from autograder.submissions.discover import Submission
from autograder.submissions.locate import locate_module, write_definitions
from autograder.submissions.notebook_code import extract_definitions

SOFTMAX = next(assignment for assignment in ASSIGNMENTS if assignment.folder == "02_softmax")
NOTEBOOK = REPO / "solutions" / "02_softmax" / "softmax.ipynb"


def notebook_submission(folder):
    (folder / "02_softmax").mkdir(parents=True)
    shutil.copy(NOTEBOOK, folder / "02_softmax" / "softmax.ipynb")
    return folder


def test_the_definitions_written_for_the_run_are_the_notebooks_and_the_run_writes_the_same_module(tmp_path):
    student = notebook_submission(tmp_path / "alice")
    write_definitions(student, [SOFTMAX], tmp_path / "definitions")
    written = (tmp_path / "definitions" / "02_softmax" / "softmax.py").read_bytes()
    assert written == extract_definitions(student / "02_softmax" / "softmax.ipynb").encode("utf-8")
    handed, problem = locate_module(student, SOFTMAX, tmp_path / "handed", tmp_path / "definitions")
    extracted, _ = locate_module(student, SOFTMAX, tmp_path / "extracted")
    assert problem == "" and handed.read_bytes() == extracted.read_bytes() and b"def softmax" in handed.read_bytes()


def test_nothing_is_written_for_a_module_or_a_notebook_that_cannot_be_read_and_the_run_says_why(tmp_path):
    module = tmp_path / "bob" / "02_softmax"
    module.mkdir(parents=True)
    shutil.copy(REPO / "solutions" / "02_softmax" / "softmax.py", module / "softmax.py")
    broken = tmp_path / "carol" / "02_softmax"
    broken.mkdir(parents=True)
    (broken / "softmax.ipynb").write_text('{"cells": [')
    for student in ("bob", "carol"):
        write_definitions(tmp_path / student, [SOFTMAX], tmp_path / student / "definitions")
        assert not (tmp_path / student / "definitions").exists()
    path, problem = locate_module(tmp_path / "carol", SOFTMAX, tmp_path / "scratch", tmp_path / "carol" / "definitions")
    assert path is None and "not a readable Jupyter notebook" in problem


def test_run_submission_hands_its_run_the_notebooks_definitions_in_its_own_scratch_folder(tmp_path):
    student = notebook_submission(tmp_path / "alice")
    seen = {}

    class Runner:
        def run(self, args, log_path, cwd, timeout):
            handed = Path(run.parse_arguments(args).definitions)
            seen.update(cwd=Path(cwd), handed=handed, text=(handed / "02_softmax" / "softmax.py").read_text())
            (Path(cwd) / "records.json").write_text("[]")
            return "done"

    tests = [REPO / "assignments" / "02_softmax" / "test_softmax.py"]
    (tmp_path / "work").mkdir()
    assert submission_runner.run_submission(Submission("alice", student), REPO, "process", tmp_path / "log", Runner(),
                                            tmp_path / "work", "5eed", tests=tests, notebooks_of=[SOFTMAX]) == ([], "")
    assert seen["handed"].parent == seen["cwd"] and not seen["handed"].name.startswith("autograder-")
    assert seen["text"] == extract_definitions(student / "02_softmax" / "softmax.ipynb")
    assert not seen["cwd"].exists()  # removed with the run's scratch folder


def test_a_graded_notebook_is_run_as_the_definitions_grade_handed_its_run(tmp_path, monkeypatch):
    """Through grade's own road (a fork server's child): what the run grades is what grade wrote for it. Here grade
    writes a softmax of its own that returns zeros: had the run extracted the notebook again, it would pass."""
    kit = tmp_path / "kit"
    for side in ("assignments", "solutions"):
        shutil.copytree(REPO / side / "02_softmax", kit / side / "02_softmax",
                        ignore=shutil.ignore_patterns("__pycache__"))
    submissions = tmp_path / "submissions"
    notebook_submission(submissions / "alice")
    real = submission_runner.write_definitions

    def zeros(root, assignments, folder):
        real(root, assignments, folder)
        module = Path(folder) / "02_softmax" / "softmax.py"
        module.write_text(module.read_text() + "\n\ndef softmax(X):\n    return np.zeros_like(np.asarray(X, float))\n")

    from autograder.commands.grade import grade

    grade(submissions, tmp_path / "honest", kit, 1, SANDBOX_KIND, progress=False)
    monkeypatch.setattr(submission_runner, "write_definitions", zeros)
    grade(submissions, tmp_path / "zeros", kit, 1, SANDBOX_KIND, progress=False)
    honest, zeroed = (read_gradebook(tmp_path / out)[0] for out in ("honest", "zeros"))
    assert honest["02_softmax"] == honest["max_total"] and float(zeroed["02_softmax"]) < float(honest["02_softmax"])
    failed = [test["name"] for test in json.loads((tmp_path / "zeros" / "alice" / "results.json").read_text())["tests"]
              if test["status"] == "failed"]
    assert failed and all("softmax" in name for name in failed)
