"""``check`` in a copy of the student release tests the file it says it checks, whatever the bundle's conftest.py.

The bundle's ``conftest.py`` (:data:`autograder.runner.standalone.RELEASE_CONFTEST`) gives plain ``pytest`` the
grading fixtures on the bundle's folder; the runner must not pick it up, or a named notebook (and the check
cell's kernel code) would be tested by the module on disk.
"""
import shutil
import subprocess
import sys

import pytest

from conftest import ASSIGNMENTS, REPO
from autograder.commands.check import check
from autograder.runner.standalone import RELEASE_CONFTEST

SOFTMAX = next(a for a in ASSIGNMENTS if a.folder == "02_softmax")


def test_a_named_notebook_is_checked_not_the_module_beside_it(tmp_path, capsys):
    bundle = tmp_path / "bundle"
    shutil.copytree(REPO / "assignments" / SOFTMAX.folder, bundle / SOFTMAX.folder)
    (bundle / "conftest.py").write_text(RELEASE_CONFTEST)
    module = bundle / SOFTMAX.module_file
    module.write_text(module.read_text().replace("# YOUR CODE HERE", "return None  # started in the editor"))
    shutil.copy(REPO / "solutions" / SOFTMAX.folder / f"{SOFTMAX.module}.ipynb", module.with_suffix(".ipynb"))
    assert check(module.with_suffix(".ipynb")), capsys.readouterr().out  # the notebook holds the reference
    # The module, which counts for the folder, does not pass. In a process of its own: a second check in the same
    # process can report the first one's module (seen from the test suite; the command runs once per process).
    folder = subprocess.run([sys.executable, "-m", "autograder.cli", "check", str(bundle)], capture_output=True,
                            text=True, timeout=300)
    assert folder.returncode == 1 and "02_softmax: checked softmax.py" in folder.stdout, folder.stdout + folder.stderr


def test_a_wrong_name_is_told_with_the_assignments_there_are(tmp_path, monkeypatch):
    from autograder.commands.check import resolve

    shutil.copytree(REPO / "assignments" / SOFTMAX.folder, tmp_path / SOFTMAX.folder)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"03_gradient_descent does not exist; the assignments here: "
                                                r"02_softmax \(or softmax\)"):
        resolve("03_gradient_descent")  # not released yet
    with pytest.raises(ValueError, match=r"unknown assignment '02_sofmax'; the assignments here: 02_softmax"):
        resolve(".", "02_sofmax")
