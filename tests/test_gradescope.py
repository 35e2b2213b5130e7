"""``autograder gradescope``: the zip Gradescope runs, run against a fake /autograder tree."""
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile

import pytest
from conftest import REPO, SANDBOX_KIND

from autograder import cli
from autograder.commands.gradescope import PYTHON_VARIABLE, ROOT_VARIABLE
from autograder.kit.config import load_points
from autograder.kit.course import Kit

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


@pytest.mark.parametrize("layout, expected", [("alone", "full"), ("in its folder", "full"), ("stub", "less")])
def test_run_autograder_grades_the_submission_into_results_json(tmp_path, autograder_zip, layout, expected):
    root = fake_autograder(tmp_path, autograder_zip)
    source = REPO / ("assignments" if layout == "stub" else "solutions") / "02_softmax" / "softmax.py"
    target = root / "submission" / ("02_softmax" if layout == "in its folder" else "") / "softmax.py"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    environment = {**os.environ, ROOT_VARIABLE: str(root), PYTHON_VARIABLE: sys.executable}
    done = subprocess.run([str(root / "run_autograder")], cwd=root, env=environment, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    maximum = sum(load_points(REPO / "solutions", Kit.read(REPO).find("02_softmax")).values())
    assert (results["score"] == maximum) == (expected == "full"), results["output"]
    assert results["tests"] and {"name", "score", "max_score", "status", "visibility", "output"} <= set(results["tests"][0])
    hidden = [test for test in results["tests"] if "test_hidden_" in test["name"]]
    assert hidden and all(test["visibility"] == "after_due_date" for test in hidden)
