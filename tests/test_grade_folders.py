"""The instructor's mistakes of where (autograder/submissions/folders.py): a wrong SUBMISSIONS or OUT stops
``grade`` with one sentence saying what to do, before anything is written; OUT inside SUBMISSIONS is not graded."""
import os
import shutil
import stat

import pytest

from conftest import ASSIGNMENTS, REPO, read_gradebook
from autograder import cli
from autograder.sandbox import bubblewrap, kinds
from autograder.sandbox.process import ChildProcess
from autograder.submissions.discover import discover
from autograder.submissions.folders import check_folders

SOFTMAX = next(a for a in ASSIGNMENTS if a.folder == "02_softmax")


@pytest.fixture
def alice(tmp_path):
    """A class of one: ``class/alice/02_softmax/softmax.py``, the reference."""
    folder = tmp_path / "class" / "alice" / SOFTMAX.folder
    folder.mkdir(parents=True)
    shutil.copy(REPO / "solutions" / SOFTMAX.module_file, folder)
    return tmp_path / "class" / "alice"


def grade(capsys, submissions, out):
    """``autograder grade`` on the command line: its exit status and what it said on stderr."""
    status = cli.main(["grade", str(submissions), "--out", str(out), "--root", str(REPO), "--no-sandbox",
                       "--sandbox", "process", "--quiet", "--assignment", SOFTMAX.folder])
    return status, capsys.readouterr().err


@pytest.mark.parametrize("case, expected", [
    ("missing", "no folder"),
    ("a file", "is a file, not a folder of submissions"),
    ("a zip", "if it holds the whole class (an LMS's download), unzip it into a folder and grade that"),
    ("empty", "it is empty"),
    ("only stray files", "it holds only notes.txt"),
    ("one student's folder", "looks like one student's submission (it holds 02_softmax/)"),
    ("out is submissions", "is the submissions folder itself"),
    ("out inside a submission", "is inside alice, an entry of SUBMISSIONS"),
    ("out holds the kit", "holds the kit's checkout"),
    ("out is a file", "is a file: OUT is the folder"),
])
def test_a_wrong_folder_stops_grade_with_what_to_do_and_writes_nothing(tmp_path, capsys, alice, case, expected):
    submissions, out = alice.parent, tmp_path / "graded"
    if case == "missing":
        submissions = tmp_path / "nope"
    elif case == "a file":
        submissions = alice / SOFTMAX.module_file
    elif case == "a zip":
        submissions = tmp_path / "class.zip"
        submissions.write_bytes(b"PK\x05\x06" + bytes(18))  # an empty archive
    elif case in ("empty", "only stray files"):
        submissions = tmp_path / "empty"
        submissions.mkdir()
        if case == "only stray files":
            (submissions / "notes.txt").write_text("grade these\n")
    elif case == "one student's folder":
        submissions = alice
    elif case == "out is submissions":
        out = submissions
    elif case == "out holds the kit":
        out = REPO
    elif case == "out is a file":
        out = tmp_path / "graded.csv"
        out.write_text("an earlier export\n")
    else:
        out = alice / "graded"
    status, said = grade(capsys, submissions, out)
    assert status == 2 and expected in said and "Traceback" not in said and "grading with" not in said
    assert not (out / "gradebook.csv").exists() and not (tmp_path / "graded").exists()
    assert case != "out is a file" or out.read_text() == "an earlier export\n"


def test_an_out_folder_inside_submissions_is_nobodys_submission(tmp_path, alice):
    submissions, out = alice.parent, alice.parent / "graded"
    (out / "bob").mkdir(parents=True)  # what a first run left there: a result folder, not a student
    skip = check_folders(submissions, out, ASSIGNMENTS)
    assert [s.student for s in discover(submissions, tmp_path / "work", skip=skip)] == ["alice"]
    assert [s.student for s in discover(submissions, tmp_path / "work")] == ["alice", "graded"]


def test_an_empty_folder_with_a_roster_is_a_week_nobody_handed_in(tmp_path):
    (tmp_path / "empty").mkdir()
    assert check_folders(tmp_path / "empty", tmp_path / "graded", ASSIGNMENTS, roster=True) == ()


def test_an_entry_that_is_not_graded_is_named_with_the_reason(tmp_path, capsys, alice):
    """A resubmission beside the first (alice.zip beside alice/) and a name taken for hidden are never dropped
    without a word: ``grade`` names each before grading; what tools leave (.git, .DS_Store) is not named."""
    submissions = alice.parent
    shutil.make_archive(str(submissions / "alice"), "zip", alice)
    shutil.copytree(alice, submissions / ".bob")
    (submissions / ".git").mkdir()
    (submissions / ".DS_Store").write_text("")
    set_aside = []
    assert [s.student for s in discover(submissions, tmp_path / "work", set_aside=set_aside)] == ["alice"]
    assert len(set_aside) == 2
    assert set_aside[0].startswith(".bob: its name starts with a dot") and "rename it" in set_aside[0]
    assert set_aside[1].startswith("alice.zip: not graded, alice is already alice's submission")

    status, said = grade(capsys, submissions, tmp_path / "graded")
    assert status == 0
    assert [line for line in said.splitlines() if line.startswith("set aside: ")] == [
        f"set aside: {note}" for note in set_aside]


@pytest.mark.parametrize("name, reason", [
    ("smithbob_1234_5678_softmax.py", "a loose module is nobody's submission"),  # Canvas's flat download
    # Graded under 'smithbob_1234_5678_softmax' as every assignment's notebook, and the student's next as another student
    ("smithbob_1234_5678_softmax.ipynb", "a notebook named as an LMS's download names one file is nobody's"),
    ("smithbob_LATE_1234_5678_mlp-1.ipynb", "a notebook named as an LMS's download names one file is nobody's"),
    # Graded under 'smithbob_1234_5678_submission', not the student's id, and a second upload as a second student
    ("smithbob_1234_5678_submission.zip", "a zip named as an LMS's download names one file is nobody's"),
    ("smithbob_LATE_1234_5678_work-1.ZIP", "a zip named as an LMS's download names one file is nobody's"),
    ("carol.rar", "only .zip archives are read"),
    ("dave.tar.gz", "only .zip archives are read"),
])
def test_a_file_that_looks_handed_in_but_is_not_graded_is_named(tmp_path, alice, name, reason):
    """The instructor's own files beside the submissions (submitted.csv, notes) are not named."""
    submissions = alice.parent
    for own in (name, "submitted.csv", "notes.txt"):
        (submissions / own).write_text("")
    set_aside = []
    assert [s.student for s in discover(submissions, tmp_path / "work", set_aside=set_aside)] == ["alice"]
    assert set_aside == [set_aside[0]] and set_aside[0].startswith(f"{name}: not graded, {reason}")


def test_a_zip_or_notebook_named_in_capitals_is_graded(tmp_path, capsys, alice):
    """Windows and some LMS downloads write extensions in capitals: BOB.ZIP and carol.IPYNB were left out of the
    gradebook without a row or a word, and BOB.PY, a loose module, without its note."""
    submissions = alice.parent
    shutil.make_archive(str(submissions / "BOB"), "zip", alice)
    (submissions / "BOB.zip").rename(submissions / "BOB.ZIP")
    shutil.copy(REPO / "solutions" / SOFTMAX.folder / f"{SOFTMAX.module}.ipynb", submissions / "carol.IPYNB")
    (submissions / "dave.PY").write_text("")
    set_aside = []
    found = discover(submissions, tmp_path / "work", set_aside=set_aside)
    assert [s.student for s in found] == ["BOB", "alice", "carol"] and not any(s.problem for s in found)
    assert len(set_aside) == 1 and set_aside[0].startswith("dave.PY: not graded, a loose module")

    status, said = grade(capsys, submissions, tmp_path / "graded")
    assert status == 0, said
    rows = {row["student"]: row for row in read_gradebook(tmp_path / "graded")}
    full = rows["alice"][SOFTMAX.folder]
    assert float(full) > 0 and rows["BOB"][SOFTMAX.folder] == rows["carol"][SOFTMAX.folder] == full


@pytest.mark.parametrize("mistake, expected", [
    (["--assignment", "09_cnn"], "unknown assignment '09_cnn'"),
    (["--roster", "nope.csv"], "cannot read it"),
    (["--student", "nobody"], "no such student"),
])
def test_a_term_option_to_fix_stops_grade_and_leaves_nothing_behind(tmp_path, capsys, alice, mistake, expected):
    """The term is read once the submissions are found (a zip unpacked into OUT): a typo leaves no OUT of unpacked
    zips behind, and an OUT from an earlier run keeps its results but no copy of the students' work."""
    shutil.make_archive(str(alice.parent / "bob"), "zip", alice)
    arguments = ["grade", str(alice.parent), "--root", str(REPO), "--no-sandbox", "--sandbox", "process", "--quiet",
                 *[str(tmp_path / part) if part.endswith(".csv") else part for part in mistake]]
    assert cli.main([*arguments, "--out", str(tmp_path / "graded")]) == 2
    said = capsys.readouterr().err
    assert expected in said and "Traceback" not in said
    assert not (tmp_path / "graded").exists()
    earlier = tmp_path / "earlier"
    (earlier / "alice").mkdir(parents=True)
    assert cli.main([*arguments, "--out", str(earlier)]) == 2
    assert [path.name for path in earlier.iterdir()] == ["alice"]


def test_a_resumed_run_says_what_it_does_before_rescoring_the_kept_results(tmp_path, capsys, alice):
    """A rerun of a large class rescores every kept result before any test runs: that took minutes on a loaded
    machine with not a word on the terminal (what it grades with was said only after it)."""
    shutil.copytree(alice, alice.parent / "bob")
    arguments = ["grade", str(alice.parent), "--out", str(tmp_path / "graded"), "--root", str(REPO), "--no-sandbox",
                 "--sandbox", "process", "--assignment", SOFTMAX.folder]
    assert cli.main([*arguments, "--quiet"]) == 0
    capsys.readouterr()
    assert cli.main(arguments) == 0
    said = capsys.readouterr().err.replace("\r", "\n").splitlines()
    first = next(index for index, line in enumerate(said) if line.startswith("grading with"))
    rescored = [index for index, line in enumerate(said) if line.startswith("rescoring") and "2/2" in line]
    assert rescored and first < rescored[0]
    assert any(line.startswith("writing the class report") for line in said[rescored[-1]:])


def test_a_run_that_changes_scores_says_which_on_the_terminal(tmp_path, capsys, alice):
    """GRADER.md: a change regrades what it affects and says what changed for whom; changes.csv held it, and the
    terminal said nothing of it."""
    bob = alice.parent / "bob" / SOFTMAX.folder
    bob.mkdir(parents=True)
    shutil.copy(REPO / "assignments" / SOFTMAX.module_file, bob)
    arguments = ["grade", str(alice.parent), "--out", str(tmp_path / "graded"), "--root", str(REPO), "--no-sandbox",
                 "--sandbox", "process", "--quiet", "--assignment", SOFTMAX.folder]
    assert cli.main(arguments) == 0
    assert "changed" not in capsys.readouterr().out  # a first grading changes nothing
    old = {row["student"]: row[SOFTMAX.folder] for row in read_gradebook(tmp_path / "graded")}
    shutil.copy(REPO / "solutions" / SOFTMAX.module_file, bob)  # bob hands in his work
    assert cli.main(arguments) == 0
    said = capsys.readouterr().out
    new = {row["student"]: row[SOFTMAX.folder] for row in read_gradebook(tmp_path / "graded")}
    assert old["bob"] != new["bob"] and old["alice"] == new["alice"]
    assert "1 score(s) changed in this run" in said and "changes.csv" in said
    assert f"  bob, {SOFTMAX.folder}: {old['bob']} -> {new['bob']} (submission changed)" in said.splitlines()


def test_the_files_grade_writes_get_the_mode_the_umask_gives(tmp_path, capsys, alice):
    """Not mkstemp's 0600 (an accident of writing atomically): the gradebook and results.json are an instructor's
    files like changes.csv, readable by whom the umask says."""
    out = tmp_path / "graded"
    old = os.umask(0o027)
    try:
        assert grade(capsys, alice.parent, out)[0] == 0
    finally:
        os.umask(old)
    for written in (out / "gradebook.csv", out / "alice" / "results.json", out / "alice" / "feedback.html"):
        assert stat.S_IMODE(written.stat().st_mode) == 0o640, written


@pytest.fixture
def namespaces_refused(tmp_path, monkeypatch):
    """A machine whose bwrap cannot make namespaces (a Docker container under its default seccomp profile)."""
    fake = tmp_path / "bin" / "bwrap"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'bwrap: Creating new namespace failed: Operation not permitted' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    for cached in (bubblewrap.find_bwrap, bubblewrap.bubblewrap_problem):
        cached.cache_clear()
    yield fake
    for cached in (bubblewrap.find_bwrap, bubblewrap.bubblewrap_problem):
        cached.cache_clear()


def test_auto_chooses_the_child_process_where_bwrap_cannot_make_namespaces(namespaces_refused):
    """One probe decides: auto chose bubblewrap for the program and root alone, so a notebook's check cell run as root
    in a container started a bwrap that failed at every call."""
    assert isinstance(kinds.make_sandbox("auto"), ChildProcess)
    named = kinds.make_sandbox("bwrap")
    named.release()
    assert isinstance(named, bubblewrap.Bubblewrap)  # asked for by name: grade refuses first


def test_a_bwrap_that_cannot_make_namespaces_is_found_before_grading(namespaces_refused):
    problem = bubblewrap.bubblewrap_problem()
    assert problem == ("bwrap cannot make the sandbox's namespaces here (bwrap: Creating new namespace failed: "
                       "Operation not permitted)" if os.geteuid() == 0 else
                       "bubblewrap sandboxes student code only when the grader runs as root")


@pytest.mark.parametrize("options, refused", [([], True), (["--sandbox", "bwrap"], True),
                                              (["--sandbox", "bwrap", "--no-sandbox"], True),
                                              (["--sandbox", "process"], True), (["--no-sandbox"], False)])
def test_grade_stops_when_bubblewrap_cannot_sandbox_here(tmp_path, capsys, monkeypatch, alice, options, refused):
    """Without the check, each student's code seemed to exit at import: a whole class graded 0, blamed on them."""
    said = "bwrap cannot make the sandbox's namespaces here (bwrap: Creating new namespace failed)"
    monkeypatch.setattr(bubblewrap, "bubblewrap_problem", lambda: said)
    out = tmp_path / "graded"
    status = cli.main(["grade", str(alice.parent), "--out", str(out), "--root", str(REPO), "--quiet",
                       "--assignment", SOFTMAX.folder, *options])
    err = capsys.readouterr().err
    if refused:
        assert status == 2 and not out.exists()
        assert (f"no bubblewrap sandbox: {said}" if "process" not in options else "not a security sandbox") in err
        assert "--no-sandbox" in err
    else:  # told to grade without a sandbox: the child process it falls back to grades alice
        assert status == 0 and "NOT a security sandbox" in err
        assert [row["02_softmax"] for row in read_gradebook(out)] == ["13"]
