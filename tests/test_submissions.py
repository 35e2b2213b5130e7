"""Reading submissions as students hand them in: junk set aside before any limit, near misses named."""
import json
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from conftest import ASSIGNMENTS, REPO, read_gradebook

from autograder.submissions import discover as discovering
from autograder.submissions.discover import discover
from autograder.submissions.junk import ignored_note
from autograder.submissions.locate import locate_module, overlooked_message

BY_FOLDER = {assignment.folder: assignment for assignment in ASSIGNMENTS}
SOFTMAX = BY_FOLDER["02_softmax"]


def write_environment(folder, kind):
    """A fake Python environment of ``kind`` in ``folder``: what marks one, a symbolic link, and bulk."""
    if kind == "venv":
        (folder / "bin").mkdir(parents=True)
        (folder / "pyvenv.cfg").write_text("home = /usr/bin\n")
        os.symlink(sys.executable, folder / "bin" / "python")
    elif kind == "conda":
        (folder / "conda-meta").mkdir(parents=True)
        (folder / "conda-meta" / "history").write_text("")
    elif kind == "bare interpreter":  # no pyvenv.cfg, e.g. a copied folder: known by bin/python
        (folder / "bin").mkdir(parents=True)
        os.symlink(sys.executable, folder / "bin" / "python3")
    site = folder / "lib" / "site-packages" / "numpy"
    site.mkdir(parents=True)
    for index in range(30):
        (site / f"module_{index}.py").write_bytes(b"x" * 1000)


def student_release(folder):
    """A student's copy of 02, the solution in place of the stub, plus what their tools left behind."""
    # Not the kit's own caches: a grade or a test run writes assignments/*/__pycache__ (autograder.kit.bytecode).
    shutil.copytree(REPO / "assignments" / SOFTMAX.folder, folder / SOFTMAX.folder,
                    ignore=shutil.ignore_patterns("__pycache__"))
    (folder / SOFTMAX.module_file).write_text((REPO / "solutions" / SOFTMAX.module_file).read_text())
    (folder / SOFTMAX.folder / "__pycache__").mkdir()
    (folder / SOFTMAX.folder / "__pycache__" / "softmax.cpython-311.pyc").write_bytes(b"\0" * 100)
    (folder / SOFTMAX.folder / ".ipynb_checkpoints").mkdir()
    (folder / SOFTMAX.folder / ".ipynb_checkpoints" / "softmax-checkpoint.ipynb").write_text("{}")
    (folder / ".DS_Store").write_bytes(b"\0")
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return folder


def zip_folder(folder, archive):
    """Zip ``folder`` as a student's tool would: symbolic links stored as links."""
    with zipfile.ZipFile(archive, "w") as bundle:
        for top, folders, files in os.walk(folder):
            for name in folders + files:
                path = os.path.join(top, name)
                arcname = os.path.relpath(path, folder)
                if os.path.islink(path):
                    info = zipfile.ZipInfo(arcname)
                    info.external_attr = 0o120777 << 16
                    bundle.writestr(info, os.readlink(path))
                elif os.path.isfile(path):
                    bundle.write(path, arcname)
    return archive


@pytest.fixture
def small_limits(monkeypatch):
    """Limits the junk alone would exceed (30 files of 1 kB in each environment), the work alone not.

    The work is 02's released folder with the solution in place (about 30 kB as the notebook and the
    public tests grow): the byte limit sits 10 kB above whatever it is now, so that the junk alone
    always breaks it and the work alone never does.
    """
    work = student_release(Path(tempfile.mkdtemp()) / "work")
    size = sum(path.stat().st_size for path in work.rglob("*") if path.is_file())
    shutil.rmtree(work.parent)
    monkeypatch.setattr(discovering, "MAX_ZIP_FILES", 20)
    monkeypatch.setattr(discovering, "MAX_ZIP_BYTES", size + 10_000)


def test_a_zip_listing_too_many_members_is_refused_before_they_are_read(tmp_path, monkeypatch):
    # Its list of members is made into objects before any limit on members applies: a 1 GiB zip of empty members
    # would be ten million of them in the grader's process. Junk members count here too.
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    with zipfile.ZipFile(submissions / "bob.zip", "w") as bundle:
        bundle.writestr("02_softmax/softmax.py", (REPO / "solutions" / SOFTMAX.module_file).read_text())
        for number in range(300):
            bundle.writestr(f"__MACOSX/{number:0>60}", b"")
    monkeypatch.setattr(discovering, "MAX_MEMBER_LIST_BYTES", 300 * 100)  # ~120 bytes a member
    assert discover(submissions, tmp_path / "work")[0].problem.startswith("bob.zip lists too many files to grade")
    monkeypatch.setattr(discovering, "MAX_MEMBER_LIST_BYTES", 300 * 200)
    assert discover(submissions, tmp_path / "work")[0].problem == ""


@pytest.mark.parametrize("kind", ["venv", "conda", "bare interpreter"])
@pytest.mark.parametrize("name", [".venv", "env", "my project env"])
def test_environments_and_caches_are_set_aside_before_any_limit(tmp_path, small_limits, kind, name):
    submissions = tmp_path / "submissions"
    write_environment(student_release(submissions / "alice") / name, kind)
    write_environment(student_release(tmp_path / "zipped" / "bob") / name, kind)
    zip_folder(tmp_path / "zipped" / "bob", submissions / "bob.zip")
    found = {s.student: s for s in discover(submissions, tmp_path / "work")}
    for student in ("alice", "bob"):
        submission = found[student]
        assert submission.problem == "", submission.problem
        assert f"{name}/ (a Python environment)" in submission.ignored
        assert {"02_softmax/__pycache__/", "02_softmax/.ipynb_checkpoints/", ".DS_Store", ".git/"} <= set(
            submission.ignored), submission.ignored
        assert "def softmax" in (submission.path / SOFTMAX.module_file).read_text()
    unpacked = found["bob"].path
    assert not (unpacked / name).exists() and not (unpacked / SOFTMAX.folder / "__pycache__").exists()
    assert f"{name}/ (a Python environment)" in ignored_note(found["alice"].ignored)


def test_without_the_junk_the_same_submissions_are_still_too_large(tmp_path, small_limits):
    """The limits still bite on the student's own files."""
    submissions = tmp_path / "submissions"
    folder = student_release(submissions / "alice")
    for index in range(30):
        (folder / SOFTMAX.folder / f"data_{index}.csv").write_bytes(b"1" * 1000)
    zip_folder(folder, submissions / "bob.zip")
    found = {s.student: s for s in discover(submissions, tmp_path / "work")}
    assert "too large to grade" in found["alice"].problem and "too large to grade" in found["bob"].problem


def test_a_symbolic_link_outside_an_environment_is_still_refused(tmp_path):
    folder = student_release(tmp_path / "submissions" / "alice")
    os.symlink(REPO / "solutions" / SOFTMAX.module_file, folder / SOFTMAX.folder / "answer.py")
    [submission] = discover(tmp_path / "submissions", tmp_path / "work")
    assert "symbolic link" in submission.problem


MOODLE_FOLDER = "Alice Smith_123456_assignsubmission_file_"  # Moodle's "Download all submissions"


@pytest.mark.parametrize("beside, unpacked", [(None, True), (".DS_Store", True), ("notes.txt", False)])
def test_a_folder_holding_nothing_but_a_zip_is_that_zip(tmp_path, beside, unpacked):
    """A student who uploads a zip to Moodle is a folder holding it in Moodle's download; it was graded as a folder
    with every assignment missing. A folder with more than the zip (junk aside) is a folder as before."""
    folder = tmp_path / "submissions" / MOODLE_FOLDER
    folder.mkdir(parents=True)
    zip_folder(student_release(tmp_path / "release"), folder / "submission.zip")
    if beside:
        (folder / beside).write_text("")
    [submission] = discover(tmp_path / "submissions", tmp_path / "work", [SOFTMAX.folder])
    assert submission.student == MOODLE_FOLDER and submission.problem == ""
    assert submission.path.is_relative_to(tmp_path / "work") == unpacked
    module, problem = locate_module(submission.path, SOFTMAX, tmp_path / "scratch")
    assert (module is not None and problem == "") == unpacked, problem


@pytest.mark.parametrize("wrapped", [False, True])
def test_a_zip_holding_only_a_zip_says_to_unpack_it(tmp_path, wrapped):
    """It is not unpacked in turn (zips may nest without end); every assignment was said to be missing, which sent
    the student looking for files that are there."""
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    zip_folder(student_release(tmp_path / "release"), tmp_path / "work.zip")
    with zipfile.ZipFile(submissions / "alice.zip", "w") as outer:
        outer.write(tmp_path / "work.zip", "my folder/work.zip" if wrapped else "work.zip")
    [submission] = discover(submissions, tmp_path / "unpacked", [SOFTMAX.folder])
    inner = "my folder/work.zip" if wrapped else "work.zip"
    assert submission.problem == (f"alice.zip holds only another zip, {inner}: nothing of it was graded; unzip it and "
                                  "hand in what it holds (or that zip itself)")
    assert not (tmp_path / "unpacked" / "alice").exists()


@pytest.mark.parametrize("wrong, rename", [
    ("02_softmax/softmax (1).py", "02_softmax/softmax.py"),
    ("02_softmax/Softmax.py", "02_softmax/softmax.py"),
    ("02_softmax/softmax.py.txt", "02_softmax/softmax.py"),
    ("02_softmax/soft max - Copy.ipynb", "02_softmax/softmax.ipynb"),
    ("02_softmax/softmax-Copy1.ipynb", "02_softmax/softmax.ipynb"),  # Jupyter's "Duplicate"
    ("softmax.py", "02_softmax/softmax.py"),  # the right name in the wrong place
    ("my work/02_softmax/softmax.py", "02_softmax/softmax.py"),  # a wrapping folder
    ("my work/02_softmax/Softmax (2).ipynb", "02_softmax/softmax.ipynb"),
    ("04_logistic_regression/Logistic_Regression.py", "04_logistic_regression/logistic_regression.py"),
])
def test_a_near_miss_is_named_with_its_fix_and_not_graded(tmp_path, wrong, rename):
    assignment = BY_FOLDER[rename.split("/")[0]]
    root = tmp_path / "alice"
    (root / wrong).parent.mkdir(parents=True, exist_ok=True)
    (root / wrong).write_text("def softmax(X):\n    return X\n")
    module, problem = locate_module(root, assignment, tmp_path / "scratch")
    assert module is None
    assert f"found {wrong}" in problem and f"rename it to {rename}" in problem, problem


@pytest.mark.parametrize("unrelated", ["02_softmax/softmax_old.py", "02_softmax/notes.txt", "02_softmax/mlp.py"])
def test_other_files_are_not_near_misses(tmp_path, unrelated):
    root = tmp_path / "alice"
    (root / unrelated).parent.mkdir(parents=True)
    (root / unrelated).write_text("")
    module, problem = locate_module(root, SOFTMAX, tmp_path / "scratch")
    assert module is None and problem == "02_softmax/softmax.py (or .ipynb) is missing from the submission"


@pytest.mark.parametrize("stub_module", [False, True], ids=["module missing", "module still the stub"])
@pytest.mark.parametrize("wrong", ["02_softmax/softmax (1).py", "02_softmax/softmax-Copy1.ipynb"])
def test_work_under_a_near_name_beside_the_released_notebook_is_named(tmp_path, capsys, wrong, stub_module):
    """The release ships the notebook: with the module misnamed, the untouched notebook counts and must say why."""
    from autograder.commands.check import check

    root = tmp_path / "alice"
    shutil.copytree(REPO / "assignments" / SOFTMAX.folder, root / SOFTMAX.folder)
    work = REPO / "solutions" / (SOFTMAX.module_file if wrong.endswith(".py") else f"{SOFTMAX.folder}/softmax.ipynb")
    shutil.copy(work, root / wrong)
    if not stub_module:
        (root / SOFTMAX.module_file).unlink()
    message = overlooked_message(root, SOFTMAX)
    assert f"found {wrong}: rename it to 02_softmax/softmax.{wrong.rsplit('.', 1)[1]}" in message
    check(root, "02_softmax")
    assert message in capsys.readouterr().out


def test_nothing_is_overlooked_when_the_module_counts(tmp_path):
    root = tmp_path / "alice"
    shutil.copytree(REPO / "assignments" / SOFTMAX.folder, root / SOFTMAX.folder)
    shutil.copy(REPO / "solutions" / SOFTMAX.module_file, root / SOFTMAX.module_file)
    shutil.copy(root / SOFTMAX.module_file, root / "02_softmax" / "softmax (1).py")  # a stray copy of real work
    assert overlooked_message(root, SOFTMAX) == ""


def test_the_grading_threads_parse_submissions_one_at_a_time(monkeypatch):
    """CPython 3.11's AST constructor is not safe in two threads at once (python/cpython#106905): a correct
    submission failed with 'AST constructor recursion depth mismatch' beside another at --jobs 2."""
    import ast

    from autograder.submissions import notebook_code, progress, syntax

    parse, turns = ast.parse, []

    def watched(*args, **kwargs):
        turns.append(syntax._ONE_AT_A_TIME.locked())
        return parse(*args, **kwargs)

    monkeypatch.setattr(ast, "parse", watched)
    progress.defined_names("def softmax(x):\n    raise NotImplementedError\n")
    notebook_code.definitions(["import numpy as np\n\ndef softmax(x):\n    return x\n"])
    notebook_code.unfinished("def softmax(x):\n    raise NotImplementedError\n")
    assert len(turns) == 3 and all(turns)


@pytest.mark.parametrize("handed_in", ["module", "notebook"])
def test_python_too_large_to_parse_is_not_graded_and_never_parsed(tmp_path, monkeypatch, handed_in):
    """A syntax tree costs some 500 times its text: a 6 MB module of zeros took 2.9 GB and 9 s of CPU per parse in
    the grader's own process (hostile_huge_valid_module); one over the bound is named, not parsed, not graded."""
    import ast

    from autograder.results.similarity import written_lines
    from autograder.submissions.progress import absent_message, progress
    from autograder.submissions.syntax import MAX_SOURCE_BYTES

    root = tmp_path / "alice"
    shutil.copytree(REPO / "assignments" / SOFTMAX.folder, root / SOFTMAX.folder)
    padded = (REPO / "solutions" / SOFTMAX.module_file).read_text() + "\n_PADDING = [" + "0," * (MAX_SOURCE_BYTES // 2) + "]\n"
    if handed_in == "module":
        (root / SOFTMAX.module_file).write_text(padded)
    else:
        (root / SOFTMAX.module_file).unlink(missing_ok=True)
        notebook = root / SOFTMAX.folder / f"{SOFTMAX.module}.ipynb"
        notebook.write_text(json.dumps({"cells": [{"cell_type": "code", "source": padded, "metadata": {},
                                                   "outputs": [], "execution_count": None}],
                                        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))

    parse, parsed = ast.parse, []

    def watched(source, *args, **kwargs):
        parsed.append(len(source))
        return parse(source, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", watched)
    path, problem = locate_module(root, SOFTMAX, tmp_path / "scratch")
    assert path is None and "too large to grade" in problem and "at most 1 MiB" in problem
    assert progress(root, REPO, [SOFTMAX]) == "" and absent_message(root, REPO, SOFTMAX) == ""
    assert written_lines(root / (SOFTMAX.module_file if handed_in == "module" else notebook.relative_to(root)),
                         REPO, SOFTMAX) == []
    assert max(parsed, default=0) < MAX_SOURCE_BYTES  # the released stubs may be parsed, the student's source never


def test_a_single_notebook_too_large_is_said_once_and_grade_names_the_class_report_first(tmp_path, capsys):
    """A notebook handed in alone stands for every assignment: its status said "01_perceptron: bob.ipynb's code is
    too large to grade (...)" eight times over, once per assignment, in a 1,500-character gradebook cell."""
    from autograder import cli
    from autograder.submissions.syntax import MAX_SOURCE_BYTES

    submissions = tmp_path / "in"
    submissions.mkdir()
    (submissions / "bob.ipynb").write_text(json.dumps({
        "cells": [{"cell_type": "code", "source": "X = [" + "0," * (MAX_SOURCE_BYTES // 2 + 1) + "]\n", "metadata": {},
                   "outputs": [], "execution_count": None}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    assert cli.main(["grade", str(submissions), "--out", str(tmp_path / "out"), "--root", str(REPO), "--no-sandbox",
                     "--sandbox", "process", "--quiet", "--jobs", "1"]) == 0
    # The last line names the class report first (it named only the gradebook and the per-student files).
    assert capsys.readouterr().out.rstrip().splitlines()[-1].startswith(
        f"wrote {tmp_path / 'out' / 'report.html'} (the class report: open it first), ")
    [row] = read_gradebook(tmp_path / "out")
    assert row["status"].startswith("bob.ipynb's code is too large to grade") and row["status"].count("too large") == 1
    assert not any(assignment.folder in row["status"] for assignment in ASSIGNMENTS), row["status"]


def test_a_problem_of_some_assignments_is_said_once_with_each_of_them():
    from autograder.results.write import problems_of

    records = [{"assignment": folder, "problem": f"{folder}: {words}"}
               for folder, words in [("01_perceptron", "a"), ("02_softmax", "a"), ("02_softmax", "a"),
                                     ("03_gradient_descent", "b")]]
    folders = ["01_perceptron", "02_softmax", "03_gradient_descent"]
    assert problems_of(records, folders) == ["01_perceptron, 02_softmax: a", "03_gradient_descent: b"]
    assert problems_of(records[:3], folders[:2]) == ["a"]
    assert problems_of(records[:1], folders[:1]) == ["01_perceptron: a"]  # one assignment graded: still named


@pytest.mark.parametrize("made, why", [
    (lambda text: text[:len(text) // 2], "its text stops before the notebook ends"),  # cut inside a string
    (lambda text: text.rstrip()[:-1], "its text stops before the notebook ends"),  # the last brace
    (lambda text: "", "the file is empty"),
    (lambda text: text.replace('"cells": [', '"cells": [,', 1), "not JSON from line "),
])
def test_an_unreadable_notebook_says_why_and_what_to_do(tmp_path, made, why):
    """A notebook saved or uploaded in part was 'softmax.ipynb is not a readable Jupyter notebook', and no more."""
    from autograder.submissions.notebook_code import NotebookError, read_notebook

    notebook = tmp_path / f"{SOFTMAX.module}.ipynb"
    text = (REPO / "assignments" / SOFTMAX.folder / notebook.name).read_text(encoding="utf-8")
    notebook.write_text(made(text), encoding="utf-8")
    with pytest.raises(NotebookError) as raised:
        read_notebook(notebook)
    said = str(raised.value)
    assert said.startswith("softmax.ipynb is not a readable Jupyter notebook (") and why in said, said
    assert "save it again in Jupyter" in said


def test_a_notebook_of_too_many_items_is_refused_before_json_builds_them(tmp_path, monkeypatch):
    """What json.loads builds costs up to ~25 times its text: 64 MiB of ``[],`` took 1.5 GB and minutes of CPU in
    the grade process, once per reader (the runner's module for each assignment, progress, similarity...). Every
    reader refuses a notebook of too many items unparsed, and says what to do."""
    from autograder.results.similarity import written_lines
    from autograder.submissions import notebook_code
    from autograder.submissions.notebook_code import MAX_NOTEBOOK_ITEMS, NotebookError, SavedNotebookLines
    from autograder.submissions.progress import absent_message, progress

    root = tmp_path / "alice"
    notebook = root / SOFTMAX.folder / f"{SOFTMAX.module}.ipynb"
    notebook.parent.mkdir(parents=True)
    notebook.write_text('{"cells": [' + "[]," * MAX_NOTEBOOK_ITEMS + "[]]}")  # 3 MB, well under the size bound
    loads, parsed = json.loads, []

    def watched(text, *args, **kwargs):
        parsed.append(len(text))
        return loads(text, *args, **kwargs)

    monkeypatch.setattr(notebook_code.json, "loads", watched)
    path, problem = locate_module(root, SOFTMAX, tmp_path / "scratch")
    assert path is None and "too large to grade" in problem and "clear its outputs" in problem
    assert progress(root, REPO, [SOFTMAX]) == "" and absent_message(root, REPO, SOFTMAX) == ""
    assert written_lines(notebook, REPO, SOFTMAX) == [] and SavedNotebookLines(notebook, SOFTMAX.module_file).origins == {}
    with pytest.raises(NotebookError, match="too large"):
        notebook_code.read_notebook(notebook)
    assert parsed == []


def test_a_notebook_whose_cell_sources_are_not_text_keeps_its_other_cells(tmp_path):
    """nbformat's source is a string or a list of strings: a list of numbers or a dict is no code, never a crash."""
    from autograder.submissions.progress import progress

    root = tmp_path / "alice"
    notebook = root / SOFTMAX.folder / f"{SOFTMAX.module}.ipynb"
    notebook.parent.mkdir(parents=True)
    solution = (REPO / "solutions" / SOFTMAX.module_file).read_text()
    cells = [{"cell_type": "code", "source": source, "metadata": {}, "outputs": []}
             for source in ([1, 2], {"x": 1}, None, 7, solution.splitlines(keepends=True))]
    notebook.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    path, problem = locate_module(root, SOFTMAX, tmp_path / "scratch")
    assert problem == "" and "def softmax" in path.read_text()
    assert progress(root, REPO, [SOFTMAX]) == ""


def test_a_module_too_large_to_parse_is_not_read_whole_either(tmp_path):
    """Every trusted-side reader of a student's module reads at most the parse bound: a 256 MiB module (sparse: no
    room on disk) costs no 256 MiB string in the grade process to be found too large."""
    import tracemalloc

    from autograder.results.similarity import written_lines
    from autograder.submissions.progress import absent_message, progress
    from autograder.submissions.syntax import MAX_SOURCE_BYTES

    root = tmp_path / "alice"
    shutil.copytree(REPO / "assignments" / SOFTMAX.folder, root / SOFTMAX.folder)
    with open(root / SOFTMAX.module_file, "wb") as module:
        module.truncate(256 * 1024**2)
    tracemalloc.start()
    try:
        assert progress(root, REPO, [SOFTMAX]) == "" and absent_message(root, REPO, SOFTMAX) == ""
        assert written_lines(root / SOFTMAX.module_file, REPO, SOFTMAX) == []
        assert locate_module(root, SOFTMAX, tmp_path / "scratch")[0] is None
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * MAX_SOURCE_BYTES
