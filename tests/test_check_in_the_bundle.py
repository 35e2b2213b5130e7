"""``check`` in a copy of the student release tests the file it says it checks, whatever the bundle's conftest.py.

The bundle's ``conftest.py`` (:data:`autograder.runner.standalone.RELEASE_CONFTEST`) gives plain ``pytest`` the
grading fixtures on the bundle's folder; the runner must not pick it up, or a named notebook (and the check
cell's kernel code) would be tested by the module on disk.
"""
import json
import shutil
import subprocess
import tempfile
import sys

import pytest

from conftest import ASSIGNMENTS, REPO, SANDBOX
from autograder.commands.check import check
from autograder.runner.run import run_tests
from autograder.sandbox.process import ChildProcess
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


def test_an_assignment_is_named_by_its_module_as_the_list_offers(tmp_path, monkeypatch):
    """"the assignments here: 02_softmax (or softmax)": ``autograder check softmax`` is one of them."""
    from autograder.commands.check import resolve

    for assignment in ASSIGNMENTS[:2]:
        shutil.copytree(REPO / "assignments" / assignment.folder, tmp_path / assignment.folder)
    monkeypatch.chdir(tmp_path)
    assert resolve(SOFTMAX.module) == (tmp_path, [SOFTMAX])
    assert resolve(SOFTMAX.folder) == (tmp_path, [SOFTMAX])


def test_a_file_that_is_no_module_or_notebook_is_told_not_imported(tmp_path):
    """``autograder check submission.zip`` (what a student is about to hand in) imported the zip as softmax and said
    "importing sub.zip raised AttributeError: 'NoneType' object has no attribute 'loader'" for every test."""
    from autograder.commands.check import resolve

    shutil.copytree(REPO / "assignments" / SOFTMAX.folder, tmp_path / SOFTMAX.folder)
    (tmp_path / "submission.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    with pytest.raises(ValueError, match=r"submission.zip is not a module or notebook: .* \(unzip it into a folder, "
                                         r"then check that folder\)"):
        resolve(tmp_path / "submission.zip")


def test_an_assignment_is_named_from_inside_an_assignments_folder(tmp_path, monkeypatch):
    """In ``02_softmax/``, ``autograder check softmax`` was "softmax does not exist; use a folder like 02_softmax
    or a module like softmax": the very name it was given. Names are looked up beside the folder one stands in."""
    from autograder.commands.check import resolve

    for assignment in ASSIGNMENTS[:2]:
        shutil.copytree(REPO / "assignments" / assignment.folder, tmp_path / assignment.folder)
    monkeypatch.chdir(tmp_path / SOFTMAX.folder)
    assert resolve(SOFTMAX.module) == (tmp_path, [SOFTMAX])
    assert resolve(ASSIGNMENTS[0].module) == (tmp_path, [ASSIGNMENTS[0]])
    with pytest.raises(FileNotFoundError, match=r"mlp does not exist; the assignments here: 01_perceptron \(or "
                                                r"perceptron\), 02_softmax \(or softmax\)"):
        resolve("mlp")


def test_an_assignment_named_from_inside_its_folder_is_that_folder_not_a_copy_beside_it(tmp_path, monkeypatch):
    """A student with a backup copy beside their work (``02_softmax_old/``) who ran ``autograder check softmax`` in
    ``02_softmax/`` was told the backup's results (the first folder found holding softmax). The folder one stands in
    is the one named; from the release's folder, a name two folders hold asks which."""
    from autograder.commands.check import resolve

    for folder in (SOFTMAX.folder, SOFTMAX.folder + "_old", ASSIGNMENTS[0].folder):
        shutil.copytree(REPO / "assignments" / SOFTMAX.folder if "softmax" in folder
                        else REPO / "assignments" / folder, tmp_path / folder)
    for folder in (SOFTMAX.folder, SOFTMAX.folder + "_old"):
        monkeypatch.chdir(tmp_path / folder)
        root, (chosen,) = resolve(SOFTMAX.module)
        assert (root, chosen.folder) == (tmp_path, folder)
    monkeypatch.chdir(tmp_path / ASSIGNMENTS[0].folder)
    with pytest.raises(ValueError, match=r"softmax names 2 folders here \(02_softmax, 02_softmax_old\): name the "
                                         r"folder to check"):
        resolve(SOFTMAX.module)


def test_a_function_the_module_lacks_is_named_with_its_file(tmp_path, capsys):
    """Not the worker's "module 'softmax' has no attribute 'softmax'", which says nothing of why."""
    module = tmp_path / SOFTMAX.module_file
    shutil.copytree(REPO / "assignments" / SOFTMAX.folder, module.parent)
    module.write_text((REPO / "solutions" / SOFTMAX.module_file).read_text().replace("def softmax(", "def soft_max("))
    assert not check(module)
    out = capsys.readouterr().out
    assert "softmax is not defined in softmax.py: the tests use the name the stub gives it (renamed or deleted?)" in out
    assert "has no attribute" not in out


@pytest.mark.parametrize("step, named, not_named", [
    ("return 1 if t > 0 else 0", "the boundary t = 0 counts as 1", "swapped"),
    ("return 0 if t >= 0 else 1", "the two sides' labels are swapped", "counts as 1"),
    ("return 0", None, "Diagnosis"),  # wrong on one side too: no one mistake
])
def test_a_wrong_step_function_is_named_by_its_labels_on_both_sides_not_by_the_boundary_alone(tmp_path, capsys, step,
                                                                                               named, not_named):
    """0 at t = 0 was "the boundary t = 0 counts as 1 (t >= 0, not t > 0)" whatever the other labels: a
    stepFunction with its two sides swapped (0 for t >= 0, 1 below: HELD_OUT_10's) was told a fix that leaves it
    wrong everywhere but at 0."""
    perceptron = next(a for a in ASSIGNMENTS if a.folder == "01_perceptron")
    module = tmp_path / perceptron.module_file
    shutil.copytree(REPO / "assignments" / perceptron.folder, module.parent)
    reference = (REPO / "solutions" / perceptron.module_file).read_text()
    assert reference.count("return 1 if t >= 0 else 0") == 1
    module.write_text(reference.replace("return 1 if t >= 0 else 0", step))
    assert not check(module)
    boundary = next(line for line in capsys.readouterr().out.split("\n") if "stepFunction(0.0) should be 1" in line)
    assert (named is None or named in boundary) and not_named not in boundary, boundary


def test_a_raise_that_cannot_be_shown_fails_its_tests_and_the_worker_lives_on(tmp_path, capsys):
    """An exception whose __str__ raises ended the worker: 'the worker died in softmax: it exited with status 1
    (sys.exit or os._exit in the student's code?)', with the grader's own traceback, a wrong word and a crash."""
    module = tmp_path / SOFTMAX.module_file
    shutil.copytree(REPO / "assignments" / SOFTMAX.folder, module.parent)
    reference = (REPO / "solutions" / SOFTMAX.module_file).read_text()
    hostile = ("class Unshowable(Exception):\n    def __str__(self):\n        raise RuntimeError('no text')\n\n\n"
               "def softmax(X):\n    raise Unshowable()\n\n\ndef _softmax_unused(")
    module.write_text(reference.replace("def softmax(", hostile, 1))
    assert not check(module)
    out = capsys.readouterr().out
    assert "softmax raised Unshowable: an exception that cannot be shown" in out, out
    assert "died" not in out and "status 1" not in out and "worker.py" not in out, out
    assert "PASS test_nll_published_values" in out, out  # the other functions still graded


def test_a_notebook_cell_left_out_for_a_syntax_error_is_named_with_its_line(tmp_path, capsys):
    """A cell that is not valid Python is left out of a notebook's definitions: the function it defines is missing,
    and the student is told which cell and where, not that the module has no such attribute."""
    notebook = tmp_path / SOFTMAX.folder / f"{SOFTMAX.module}.ipynb"
    shutil.copytree(REPO / "assignments" / SOFTMAX.folder, notebook.parent)
    (tmp_path / SOFTMAX.module_file).unlink()  # the notebook counts
    content = json.loads((REPO / "solutions" / SOFTMAX.folder / notebook.name).read_text())
    cell = next(cell for cell in content["cells"] if "".join(cell["source"]).startswith("def softmax("))
    lines = "".join(cell["source"]).split("\n")
    broken = next(number for number, line in enumerate(lines) if "return exp /" in line)
    lines[broken] = lines[broken].replace("keepdims=True)", "keepdims=True")  # a parenthesis left open
    cell["source"] = "\n".join(lines)
    notebook.write_text(json.dumps(content))
    assert not check(tmp_path, SOFTMAX.folder)
    out = capsys.readouterr().out
    assert (f"softmax is not defined in softmax.ipynb: the tests use the name the stub gives it, and the cell that "
            f"defines it is not valid Python (a syntax error at line {broken + 1} of that cell)") in out, out
    assert "has no attribute" not in out and "nll is not defined" not in out


def notebook_raising_in_softmax(folder):
    """The solution notebook of 02 in ``folder``, with softmax dividing by a name it never defines; returns the
    notebook's code cells and the line of the softmax cell (from 1) that raises."""
    content = json.loads((REPO / "solutions" / SOFTMAX.folder / f"{SOFTMAX.module}.ipynb").read_text())
    cell = next(cell for cell in content["cells"] if "".join(cell["source"]).startswith("def softmax("))
    lines = "".join(cell["source"]).split("\n")
    raising = next(number for number, line in enumerate(lines) if "return exp /" in line)
    lines[raising] = lines[raising].replace("return exp /", "return exp / undefined_total /")
    cell["source"] = "\n".join(lines)
    (folder / f"{SOFTMAX.module}.ipynb").write_text(json.dumps(content))
    sources = ["".join(cell["source"]) for cell in content["cells"] if cell["cell_type"] == "code"]
    return sources, raising + 1


def test_a_traceback_through_a_notebook_names_its_cell_not_a_scratch_module(tmp_path, capsys):
    """The notebook's definitions are graded as a module in a scratch folder the student never sees."""
    shutil.copytree(REPO / "assignments" / SOFTMAX.folder, tmp_path / SOFTMAX.folder)
    (tmp_path / SOFTMAX.module_file).unlink()
    _, line = notebook_raising_in_softmax(tmp_path / SOFTMAX.folder)
    assert not check(tmp_path, SOFTMAX.folder)
    out = capsys.readouterr().out
    assert f'File "softmax.ipynb", line {line} of the cell that defines softmax, in softmax' in out, out
    assert "softmax.py" not in out and str(tempfile.gettempdir()) not in out


def test_grading_a_notebook_names_its_cell_in_public_and_quarantined_hidden_feedback(tmp_path):
    """What ``grade`` tells about a notebook's failure: its cell and line, also where a hidden test names only a line."""
    submission = tmp_path / "student"
    (submission / SOFTMAX.folder).mkdir(parents=True)
    _, line = notebook_raising_in_softmax(submission / SOFTMAX.folder)
    tests = sorted((REPO / "assignments" / SOFTMAX.folder).glob("test_*.py")) + sorted(
        (REPO / "solutions" / SOFTMAX.folder).glob("test_hidden_*.py"))
    records = [record for record in run_tests(submission, tests, ChildProcess(), solutions_root=REPO / "solutions")
               if not record.passed]
    public = [record for record in records if record.visibility == "public"]
    hidden = [record for record in records if record.visibility == "hidden"]
    assert public and hidden
    for record in public:
        assert f'File "softmax.ipynb", line {line} of the cell that defines softmax, in softmax' in record.details
        assert "softmax.py" not in record.details
    for record in hidden:  # before the due date: the exception's type and where, no text of the student's
        assert record.message == f"softmax raised NameError at line {line} of the cell that defines softmax in " \
                                 "softmax.ipynb", record.message


@pytest.mark.parametrize("sandbox", [SANDBOX, ChildProcess()], ids=["sandbox", "child process"])
def test_grading_a_module_names_its_files_not_where_the_worker_sees_them(tmp_path, sandbox):
    """A module's traceback said ``/submission/files/02_softmax/softmax.py``, the sandbox's path, or the grader's scratch
    folder; the student handed in ``softmax.py`` (and here ``helpers.py`` beside it)."""
    folder = tmp_path / "student" / SOFTMAX.folder
    folder.mkdir(parents=True)
    source = (REPO / "solutions" / SOFTMAX.module_file).read_text()
    (folder / "helpers.py").write_text("def total(values):\n    raise ValueError('no total')\n")
    (folder / f"{SOFTMAX.module}.py").write_text("import helpers\n" + source.replace("return exp /",
                                                                                     "return exp / helpers.total(exp) /"))
    tests = sorted((REPO / "assignments" / SOFTMAX.folder).glob("test_*.py"))
    records = [record for record in run_tests(folder.parent, tests, sandbox) if "no total" in record.message]
    assert records
    for record in records:
        assert 'File "softmax.py", line ' in record.details and 'File "helpers.py", line 2, in total' in record.details
        assert record.details.count('File "') == 2, record.details  # no frame of the grader's


def test_the_check_cell_names_cells_as_ipython_does(tmp_path, monkeypatch):
    """``Cell In[4], line 17``: where the kernel ran the definition (its own tracebacks say the same)."""
    from autograder.notebook import kernel
    from autograder.submissions import notebook_code

    shutil.copytree(REPO / "assignments" / SOFTMAX.folder, tmp_path / SOFTMAX.folder)
    sources, line = notebook_raising_in_softmax(tmp_path / SOFTMAX.folder)
    ran = ["import numpy as np", *sources]  # In[1] imports numpy, then the cells in order
    for module in (kernel, notebook_code):
        monkeypatch.setattr(module, "kernel_cells", lambda: ran)
    monkeypatch.chdir(tmp_path / SOFTMAX.folder)
    said = []
    assert not kernel.check_notebook(SOFTMAX.module, write=said.append)
    cell = next(number for number, source in enumerate(ran, 1) if source.startswith("def softmax("))
    text = "\n".join(said)
    assert f"Cell In[{cell}], line {line}, in softmax" in text and "softmax.py" not in text, text


def test_the_check_cell_names_a_missing_function_as_the_cells_it_ran(tmp_path, monkeypatch):
    """The kernel's cells are tested as a scratch module: a name none of them defines is told as the cells', not as
    a file the student never sees (``softmax.py``)."""
    from autograder.notebook import kernel
    from autograder.submissions import notebook_code

    shutil.copytree(REPO / "assignments" / SOFTMAX.folder, tmp_path / SOFTMAX.folder)
    sources, _ = notebook_raising_in_softmax(tmp_path / SOFTMAX.folder)
    ran = [source.replace("def nll(", "def negative_log_likelihood(") for source in sources]  # renamed in its cell
    for module in (kernel, notebook_code):
        monkeypatch.setattr(module, "kernel_cells", lambda: ran)
    monkeypatch.chdir(tmp_path / SOFTMAX.folder)
    said = []
    assert not kernel.check_notebook(SOFTMAX.module, write=said.append)
    text = "\n".join(said)
    assert ("nll is not defined by any cell this notebook has run: the tests use the name the stub gives it (renamed, "
            "deleted, or its cell not run yet?)") in text, text
    assert "softmax.py" not in text, text


def test_an_import_that_times_out_points_at_the_modules_top_level(tmp_path, capsys, monkeypatch):
    """A training run at the module's top level runs at every import, and the import times out: the usual cause of
    "could not import", said with where such work belongs."""
    from autograder.sandbox import session

    monkeypatch.setattr(session, "DEFAULT_TIMEOUT", 1.0)  # an import's bound, as long as a test need wait
    module = tmp_path / SOFTMAX.module_file
    shutil.copytree(REPO / "assignments" / SOFTMAX.folder, module.parent)
    module.write_text((REPO / "solutions" / SOFTMAX.module_file).read_text() + "\nwhile True:  # my experiment\n"
                      "    softmax([1.0, 2.0])\n")
    assert not check(module)
    out = capsys.readouterr().out
    assert "could not import softmax.py: timed out after 1 s in importing softmax.py. Hint: the module's top level " \
           "runs when it is imported; put your own experiments" in out, out


def test_data_loaded_at_the_modules_top_level_is_told_as_out_of_the_contract(tmp_path, capsys):
    """The digits are scikit-learn's files, which graded code may not reach: not "pip install scikit-learn" to a
    student who has it installed."""
    module = tmp_path / "05_mlp" / "mlp.py"
    shutil.copytree(REPO / "assignments" / "05_mlp", module.parent)
    module.write_text((REPO / "solutions" / "05_mlp" / "mlp.py").read_text()
                      + "\nfrom backprop_datasets import load_digits_split\n\nX_train, _, y_train, _ = load_digits_split()\n")
    assert not check(module)
    out = capsys.readouterr().out
    assert ("could not import mlp.py: importing mlp.py raised ModuleNotFoundError: imports sklearn, which is neither "
            "in the submission nor available at grading (graded code may use numpy and the standard library only)") \
        in out, out
