"""``autograder gradescope``: the zip Gradescope runs, run against a fake /autograder tree."""
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, SANDBOX_KIND

from autograder import cli
from autograder.commands import gradescope
from autograder.commands.gradescope import METADATA_FILE, PYTHON_VARIABLE, ROOT_VARIABLE
from autograder.kit.config import load_points
from autograder.kit.course import Kit
from autograder.kit.secret import SECRET_FILE, course_secret
from autograder.runner import submission as submission_runner
from autograder.sandbox import bubblewrap

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory):
    out = tmp_path_factory.mktemp("gradescope") / "autograder.zip"
    arguments = ["gradescope", "--root", str(REPO), "--out", str(out), "02_softmax"]
    assert cli.main(arguments + ([] if SANDBOX_KIND == "bwrap" else ["--no-sandbox"])) == 0
    return out


def fake_autograder(tmp_path, bundle):
    """/autograder as Gradescope lays it out: the zip in source/, run_autograder beside it."""
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    for name in ("setup.sh", "run_autograder"):  # extractall drops the modes the zip records
        mode = archive.getinfo(name).external_attr >> 16
        assert mode & stat.S_IXUSR, f"{name} is not executable in the zip"
        os.chmod(root / "source" / name, mode)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    return root


def test_the_zip_holds_what_gradescope_runs_at_its_root(autograder_zip):
    names = zipfile.ZipFile(autograder_zip).namelist()
    assert {"setup.sh", "run_autograder"} <= set(names)
    assert any(name.startswith("wheels/") and name.endswith(".whl") for name in names)
    assert "kit/solutions/02_softmax/test_hidden_softmax.py" in names
    assert not any("01_perceptron" in name for name in names)  # one assignment's kit only


APT_OF_A_FRESH_IMAGE = """#!/bin/sh
# apt of a fresh Ubuntu image: no package lists until `apt-get update`
echo "apt-get $*" >> "$LOG"
case "$1" in
  update) touch "$LISTS" ;;
  install) [ -e "$LISTS" ] || { echo "E: Unable to locate package $3" >&2; exit 100; } ;;
esac
"""


def test_setup_sh_builds_the_image_from_a_fresh_base_image(tmp_path, autograder_zip):
    """Gradescope's base image is a fresh install: `apt-get install` before `apt-get update` found no package."""
    root = fake_autograder(tmp_path, autograder_zip)
    tools = tmp_path / "bin"
    tools.mkdir()
    for name, script in [("apt-get", APT_OF_A_FRESH_IMAGE), ("python3", '#!/bin/sh\necho "python3 $*" >> "$LOG"\n')]:
        (tools / name).write_text(script)
        (tools / name).chmod(0o755)
    (root / "venv" / "bin").mkdir(parents=True)
    shutil.copy2(tools / "python3", root / "venv" / "bin" / "pip")
    log = tmp_path / "log"
    environment = {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}", ROOT_VARIABLE: str(root),
                   "LOG": str(log), "LISTS": str(tmp_path / "lists")}
    done = subprocess.run([str(root / "source" / "setup.sh")], env=environment, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    ran = log.read_text().splitlines()
    assert ran[:2] == ["apt-get update", "apt-get install -y python3 python3-venv python3-pip bubblewrap"]
    assert ran[-1].startswith("python3 install ") and ran[-1].endswith(".whl")  # the wheel, into $ROOT/venv


LAYOUTS = {"alone": "", "in its folder": "02_softmax", "stub": "",
           "in a wrapping folder": "my work/02_softmax"}  # a zip of the folder holding 02_softmax/, unpacked


@pytest.mark.parametrize("layout, expected", [("alone", "full"), ("in its folder", "full"), ("stub", "less"),
                                              ("in a wrapping folder", "full")])
def test_run_autograder_grades_the_submission_into_results_json(tmp_path, autograder_zip, layout, expected):
    root = fake_autograder(tmp_path, autograder_zip)
    source = REPO / ("assignments" if layout == "stub" else "solutions") / "02_softmax" / "softmax.py"
    target = root / "submission" / LAYOUTS[layout] / "softmax.py"
    if layout == "in a wrapping folder":
        (root / "submission" / "__MACOSX" / "my work").mkdir(parents=True)  # what a Mac's zip adds
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    environment = {**os.environ, ROOT_VARIABLE: str(root), PYTHON_VARIABLE: sys.executable}
    done = subprocess.run([str(root / "run_autograder")], cwd=root, env=environment, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    maximum = sum(load_points(REPO / "solutions", Kit.read(REPO).find("02_softmax")).values())
    assert (results["score"] == maximum) == (expected == "full"), results["output"]
    assert results["output"].endswith("not started" if layout == "stub" else "points. ok")  # the status grade gives
    assert results["tests"] and {"name", "score", "max_score", "status", "visibility", "output"} <= set(results["tests"][0])
    hidden = [test for test in results["tests"] if "test_hidden_" in test["name"]]
    assert hidden and all(test["visibility"] == "after_due_date" for test in hidden)


def test_the_zip_holds_a_secret_of_its_own_never_the_course_secret(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as archive:
        own = archive.read(f"kit/{SECRET_FILE}").decode().strip()
        texts = [archive.read(name) for name in archive.namelist() if not name.endswith(".whl")]
    assert len(own) >= 32 and own != course_secret(REPO)
    assert not any(course_secret(REPO).encode() in text for text in texts)


def seed_drawn(tmp_path, autograder_zip, monkeypatch, users):
    """The hidden seed a fresh container (a fresh tree from the zip) grades the submission of ``users`` with."""
    root = fake_autograder(tmp_path, autograder_zip)
    shutil.copy2(REPO / "solutions" / "02_softmax" / "softmax.py", root / "submission" / "softmax.py")
    if users is not None:
        (root / METADATA_FILE).write_text(json.dumps({"users": [{"id": user, "email": f"{user}@example.edu"}
                                                                 for user in users]}))
    drawn = []

    def run_submission(submission, kit_root, *args, **kwargs):
        drawn.append(submission_runner.student_seed(kit_root, submission.student))
        return [], "not run"

    monkeypatch.setattr(submission_runner, "run_submission", run_submission)
    gradescope.run_in_gradescope(root, "02_softmax", "process")
    return drawn[0]


def test_each_fresh_container_draws_a_students_hidden_inputs_as_the_last_one_did(tmp_path, autograder_zip,
                                                                                  monkeypatch):
    """Gradescope grades every submission in a fresh container: a secret made there is a new one every time."""
    first, regrade = (seed_drawn(tmp_path / run, autograder_zip, monkeypatch, [1234]) for run in ("first", "regrade"))
    assert first == regrade
    assert seed_drawn(tmp_path / "another", autograder_zip, monkeypatch, [5678]) != first
    group = seed_drawn(tmp_path / "group", autograder_zip, monkeypatch, [5678, 1234])
    assert group == seed_drawn(tmp_path / "same group", autograder_zip, monkeypatch, [1234, 5678]) != first


def test_a_container_where_bubblewrap_cannot_sandbox_says_so_instead_of_grading(tmp_path, autograder_zip,
                                                                                 monkeypatch, capsys):
    """Gradescope's container may forbid namespaces: each student's code then seemed to exit at import (0 points,
    'sys.exit in the student's code?'); the check meant for it asked a sandbox that is always 'secure'."""
    root = fake_autograder(tmp_path, autograder_zip)
    shutil.copy2(REPO / "solutions" / "02_softmax" / "softmax.py", root / "submission" / "softmax.py")
    monkeypatch.setattr(bubblewrap, "bubblewrap_problem", lambda: "bwrap cannot make the sandbox's namespaces here")
    assert gradescope.run_in_gradescope(root, "02_softmax", "bwrap") == 0
    results = json.loads((root / "results" / "results.json").read_text())
    assert "ask your instructor to rebuild it with --no-sandbox" in results["output"] and results["tests"] == []
    assert "bwrap cannot make the sandbox's namespaces here" in capsys.readouterr().err  # the instructor's log


def test_the_runners_log_is_left_as_grade_leaves_it(tmp_path, autograder_zip, monkeypatch):
    """results/grader.log is the runner's stderr, whose traceback can quote the student's text: grade's own log keeps
    no terminal control and is removed when it says nothing (65ee3e7); Gradescope's kept both."""
    said = ["Traceback (most recent call last):\nValueError: soft\rmax \x1b]0;pwned\x07\x1b[2J\n", ""]

    def run_submission(submission, kit_root, kind, log, **kwargs):
        Path(log).write_text(said.pop(0))
        return [], ""

    monkeypatch.setattr(submission_runner, "run_submission", run_submission)
    root = fake_autograder(tmp_path, autograder_zip)
    shutil.copy2(REPO / "solutions" / "02_softmax" / "softmax.py", root / "submission" / "softmax.py")
    gradescope.run_in_gradescope(root, "02_softmax", "process")
    log = (root / "results" / "grader.log").read_text()
    assert "ValueError: soft" in log and not any(control in log for control in "\r\x1b\x07"), repr(log)
    gradescope.run_in_gradescope(root, "02_softmax", "process")  # a run whose runner said nothing
    assert not (root / "results" / "grader.log").exists()


LINKS = {  # what a student can hand Gradescope (a zip or a GitHub repository keeps links): each reaches the kit
    "the module, to the reference the zip ships": ("02_softmax/softmax.py", "{kit}/solutions/02_softmax/softmax.py"),
    "the module alone, relative": ("softmax.py", "../source/kit/solutions/02_softmax/softmax.py"),
    "the assignment folder": ("02_softmax", "{kit}/solutions/02_softmax"),
    "a helper beside a copied module": ("02_softmax/helpers.py", "{kit}/solutions/02_softmax/test_hidden_softmax.py"),
}


@pytest.mark.parametrize("what", LINKS)
def test_a_link_in_a_gradescope_submission_is_refused_as_grade_refuses_it(tmp_path, autograder_zip, what):
    """Gradescope's entry point graded /autograder/submission without the vetting `grade` gives every entry: a
    module that was a link to kit/solutions/02_softmax/softmax.py scored 13 of 13 (the reference the zip ships)."""
    root = fake_autograder(tmp_path, autograder_zip)
    name, target = LINKS[what]
    if what == "a helper beside a copied module":
        (root / "submission" / "02_softmax").mkdir()
        shutil.copy2(REPO / "assignments" / "02_softmax" / "softmax.py", root / "submission" / "02_softmax")
    link = root / "submission" / name
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target.format(kit=root / "source" / "kit"))
    assert gradescope.run_in_gradescope(root, "02_softmax", SANDBOX_KIND) == 0
    results = json.loads((root / "results" / "results.json").read_text())
    assert "contains a symbolic link" in results["output"] and "submit the file itself" in results["output"]
    assert all(test["score"] == 0 for test in results["tests"])
