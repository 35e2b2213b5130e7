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
    # The module, which counts for the folder, does not pass: as the command runs it, in a process of its own.
    folder = subprocess.run([sys.executable, "-m", "autograder.cli", "check", str(bundle)], capture_output=True,
                            text=True, timeout=300)
    assert folder.returncode == 1 and "02_softmax: checked softmax.py" in folder.stdout, folder.stdout + folder.stderr


def test_two_checks_in_one_process_each_test_their_own_folder(tmp_path, capsys):
    """pytest keeps a test module by its bare name: the second folder's check ran the first folder's tests."""
    solved, started = tmp_path / "solved", tmp_path / "started"
    for folder in (solved, started):
        shutil.copytree(REPO / "assignments" / SOFTMAX.folder, folder / SOFTMAX.folder)
    shutil.copy(REPO / "solutions" / SOFTMAX.module_file, solved / SOFTMAX.module_file)
    module = started / SOFTMAX.module_file
    module.write_text(module.read_text().replace("# YOUR CODE HERE", "return None  # started in the editor"))
    (solved / SOFTMAX.folder / "test_softmax.py").write_text(
        (solved / SOFTMAX.folder / "test_softmax.py").read_text() + "\n\ndef test_only_in_the_solved_copy():\n    pass\n")
    solved_passes = check(solved, SOFTMAX.folder)
    assert solved_passes and "test_only_in_the_solved_copy" in capsys.readouterr().out
    assert not check(started, SOFTMAX.folder)
    assert "test_only_in_the_solved_copy" not in capsys.readouterr().out


def test_a_wrong_name_is_told_with_the_assignments_there_are(tmp_path, monkeypatch):
    from autograder.commands.check import resolve

    shutil.copytree(REPO / "assignments" / SOFTMAX.folder, tmp_path / SOFTMAX.folder)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"03_gradient_descent does not exist; the assignments here: "
                                                r"02_softmax \(or softmax\)"):
        resolve("03_gradient_descent")  # not released yet
    with pytest.raises(ValueError, match=r"unknown assignment '02_sofmax'; the assignments here: 02_softmax"):
        resolve(".", "02_sofmax")
