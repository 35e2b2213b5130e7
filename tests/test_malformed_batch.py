"""A batch nothing can stop: every malformed entry of SUBMISSIONS becomes its own status.

Archives ``zipfile`` cannot read, folders nested deeper than any walker should recurse, top-level
symbolic links, names that are not UTF-8 or that name the grader's own files, ids that would run
as spreadsheet formulas or terminal escapes, and an exception in one grading thread: each one
costs only its own row, and the student ids are safe in every file and on the terminal.
"""
import csv
import json
import html
import inspect
import os
import sys
import unicodedata
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import ASSIGNMENTS, REPO, SANDBOX_KIND, read_gradebook

sys.path.insert(0, str(REPO / "examples"))
from catalogue import corrupt_deflate, encrypted, unsupported_compression  # noqa: E402 - the archives the catalogue attacks with

from autograder import cli
from autograder.commands import grade as grade_command
from autograder.results.gradebook import neutralised
from autograder.submissions.discover import discover
from autograder.submissions.student_ids import GRADER_OUTPUT_NAMES, printable, student_id
from autograder.submissions.tree import MAX_DEPTH, files, remove_tree

DEEP = 1100  # folders: ~4 KiB as a zip, and far past Python's recursion limit for a recursive walker
DEEP_FOLDER = MAX_DEPTH + 8  # on disk: deep enough to be refused (deeper only costs the test time)


def reference_files():
    """The reference solution as ``{relative path: bytes}``, laid out as a submission."""
    return {assignment.module_file.as_posix(): (REPO / "solutions" / assignment.module_file).read_bytes()
            for assignment in ASSIGNMENTS}


def write_zip(path, members, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    return path


def patch_zip(path, change):
    """Rewrite the raw bytes of a zip (``change(bytes) -> bytes``): what a broken or hostile tool makes."""
    path.write_bytes(change(path.read_bytes()))
    return path


def corrupt_zip(path):
    return patch_zip(write_zip(path, reference_files()), corrupt_deflate)


def deep_zip(path):
    """1,100 nested folders with one file at the bottom, in a few KiB."""
    members = {"/".join(["d"] * DEEP) + "/softmax.py": b"x = 1\n", **reference_files()}
    return write_zip(path, members)


def deep_folder(path, depth=DEEP_FOLDER):
    """The reference with ``depth`` nested folders beside it."""
    for relative, data in reference_files().items():
        (path / relative).parent.mkdir(parents=True, exist_ok=True)
        (path / relative).write_bytes(data)
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(depth):
            os.mkdir("d", dir_fd=descriptor)
            inner = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=descriptor)
            os.close(descriptor)
            descriptor = inner
    finally:
        os.close(descriptor)
    return path


def reference_folder(path):
    for relative, data in reference_files().items():
        (path / relative).parent.mkdir(parents=True, exist_ok=True)
        (path / relative).write_bytes(data)
    return path


# The malformed entries: the file or folder name, how to make it, and words its status must contain.
MALFORMED = {
    "encrypted.zip": (lambda p: patch_zip(write_zip(p, reference_files()), encrypted), "encrypted"),
    "unsupported.zip": (lambda p: patch_zip(write_zip(p, reference_files()), unsupported_compression),
                        "not a readable zip"),
    "corrupt.zip": (corrupt_zip, "not a readable zip"),
    "notazip.zip": (lambda p: p.write_bytes(b"PK\x03\x04 this is no zip"), "not a readable zip"),
    "deepzip.zip": (deep_zip, "nested too deeply"),
    "deepfolder": (deep_folder, "nested too deeply"),
    # Nothing of the student's: said once, not as eight assignments missing.
    "emptyzip.zip": (lambda p: write_zip(p, {}), "emptyzip.zip holds no files: nothing to grade"),
    "onlyjunk.zip": (lambda p: write_zip(p, {"02_softmax/": b"", "__MACOSX/._softmax.py": b"\0", ".DS_Store": b"\0"}),
                     "holds no files but what is set aside"),
    "emptyfolder": (lambda p: (p / "02_softmax").mkdir(parents=True), "emptyfolder holds no files: nothing to grade"),
}


def build(folder, names=MALFORMED):
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        MALFORMED[name][0](folder / name)
    return folder


def statuses(submissions):
    return {submission.student: submission.problem for submission in submissions}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_each_malformed_entry_becomes_its_own_status(tmp_path, name):
    submissions = build(tmp_path / "in", [name])
    reference_folder(submissions / "alice")
    found = statuses(discover(submissions, tmp_path / "work"))
    student = name.removesuffix(".zip")
    assert MALFORMED[name][1] in found[student]
    assert found["alice"] == ""


@pytest.mark.parametrize("member, reason", [
    ("02_softmax/" + "a" * 300 + ".py", "File name too long"),  # over the 255 bytes a name may have
    ("02_softmax/softmax.py/notes.txt", "File exists"),  # a folder where another member is a file
])
def test_a_zip_member_this_file_system_cannot_hold_is_named_not_the_graders_folders(tmp_path, member, reason):
    """Its status was "not a readable zip (OSError: [Errno 36] File name too long: '<OUT>/.work/...'); submit a plain
    zip (stored or deflated, no password)": the grader's own folders in the student's feedback, and advice that does
    not fit (redteam24, grade --jobs 2 beside the reference)."""
    submissions = tmp_path / "in"
    submissions.mkdir()
    write_zip(submissions / "odd.zip", {**reference_files(), member: b"x = 1\n"})
    status = statuses(discover(submissions, tmp_path / "work"))["odd"]
    assert status.startswith("odd.zip holds a file that cannot be unpacked here, '02_softmax/")
    assert reason in status and "rename it" in status
    assert str(tmp_path) not in status and "Errno" not in status
    assert not (tmp_path / "work" / "odd").exists()  # nothing of it left unpacked


def test_a_top_level_symbolic_link_is_refused(tmp_path):
    """A link to solutions/ would score full marks as the student's own work; a link to a zip alike."""
    submissions = tmp_path / "in"
    submissions.mkdir()
    (submissions / "thief").symlink_to(REPO / "solutions")
    write_zip(tmp_path / "other.zip", reference_files())
    (submissions / "borrower.zip").symlink_to(tmp_path / "other.zip")
    found = statuses(discover(submissions, tmp_path / "work"))
    assert "is a symbolic link" in found["thief"] and "hand in the folder" in found["thief"]
    assert "is a symbolic link" in found["borrower"]


@pytest.mark.parametrize("name", ["pipe.zip", "pipe.ipynb", "pipe"])
def test_a_pipe_in_submissions_does_not_block_and_is_named(tmp_path, name):
    """A named pipe is never opened (reading it would wait forever for a writer), and never left out without a
    word: it had no row and no line on stderr (redteam24), whatever its name."""
    submissions = tmp_path / "in"
    submissions.mkdir()
    os.mkfifo(submissions / name)
    reference_folder(submissions / "alice")
    set_aside = []
    assert statuses(discover(submissions, tmp_path / "work", set_aside=set_aside)) == {"alice": ""}
    assert set_aside == [set_aside[0]] and set_aside[0].startswith(f"{name}: not graded, it is a named pipe")


def test_names_one_file_on_a_case_insensitive_file_system_get_ids_of_their_own(tmp_path):
    # On macOS (and Windows) Alice/ and alice/, or café composed and decomposed, would share OUT/<id>/ and the work
    # folder a zip is unpacked into: one student's results, or files, would be the other's.
    submissions = tmp_path / "in"
    for name in ("Alice", "alice", "caf\u00e9", "cafe\u0301"):
        reference_folder(submissions / name)
    write_zip(submissions / "ALICE.zip", reference_files())
    ids = [submission.student for submission in discover(submissions, tmp_path / "work")]
    assert len({unicodedata.normalize("NFC", student).casefold() for student in ids}) == len(ids) == 5, ids


@pytest.mark.parametrize("raw, expected", [
    ("gradebook.csv", "gradebook.csv_"),
    ("REPORT.HTML", "REPORT.HTML_"),
    ("alice\x1b[31m\x07", "alice[31m"),
    ("bob\u202egnp.exe", "bobgnp.exe"),
    (os.fsdecode(b"caf\xe9"), "caf\ufffd"),
    ("...", "unnamed"),
    ("=HYPERLINK(1)", "=HYPERLINK(1)"),  # a fine file name: neutralised in the CSV, not here
])
def test_student_ids_are_safe_file_names(raw, expected):
    assert student_id(raw) == expected
    assert student_id(raw).lower() not in GRADER_OUTPUT_NAMES
    student_id(raw).encode("utf-8")  # no surrogate left


def test_long_names_fit_a_file_name():
    assert len(student_id(os.fsdecode(b"\xe9" * 255)).encode()) <= 200


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "\x1b=1"])
def test_formula_leading_cells_are_neutralised(value):
    assert neutralised(value) == "'" + value.lstrip("\r\x1b")  # controls go first: what is left leads


def test_printable_leaves_nothing_for_a_terminal():
    assert printable("ok\x1b]0;owned\x07\r\n\u202e") == "ok]0;owned"


@contextmanager
def recursion_room(frames):
    """Python's recursion limit set ``frames`` above the current depth: a walker that recurses would fail."""
    saved = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + frames)
    try:
        yield
    finally:
        sys.setrecursionlimit(saved)


def test_walking_and_removing_a_deep_tree_needs_no_recursion(tmp_path):
    deep_folder(tmp_path / "deep", depth=150)
    (tmp_path / "deep" / "d" / "link").symlink_to(tmp_path / "keep")  # removed, never followed
    (tmp_path / "keep").mkdir()
    (tmp_path / "keep" / "precious").write_text("x")
    with recursion_room(60):
        with pytest.raises(ValueError, match="nested too deeply"):
            files(tmp_path / "deep")
        assert len(files(tmp_path / "deep", max_depth=200)) == len(ASSIGNMENTS)
        remove_tree(tmp_path / "deep")
    assert not (tmp_path / "deep").exists() and (tmp_path / "keep" / "precious").exists()


def hostile_names(submissions):
    """Entries whose names attack the grader's files, the CSV, the HTML and the terminal."""
    names = {
        "gradebook.csv.zip": "zip", ".work.zip": "zip", "report.html": "folder",
        "=HYPERLINK(\"x\")": "folder", "<img src=x onerror=alert(1)>": "folder", "esc\x1b[2Jape": "folder",
    }
    for name, kind in names.items():
        if kind == "zip":
            write_zip(submissions / name, reference_files())
        else:
            reference_folder(submissions / name)
    reference_folder(Path(os.fsdecode(os.fsencode(submissions) + b"/latin1-\xe9")))
    return names


def fake_run(fail_for):
    """A stand-in for a submission's runner: no tests, and an exception for the student ``fail_for``."""
    def run_submission(submission, *args, **kwargs):
        if submission.student == fail_for:
            raise RuntimeError("a bug of the grader's, met on this submission only")
        return [], ""
    return run_submission


def test_one_grading_thread_failing_stops_nothing(tmp_path, monkeypatch, capsys):
    """Names that are grader files, formulas, markup, escapes or not UTF-8, and a thread that raises:
    every row is written once, in every sink safely (the runner is a stand-in: this is about the batch)."""
    submissions = tmp_path / "in"
    submissions.mkdir()
    hostile_names(submissions)
    reference_folder(submissions / "unlucky")
    reference_folder(submissions / "zed")
    monkeypatch.setattr(grade_command, "run_submission", fake_run("unlucky"))
    monkeypatch.setattr(grade_command, "grade_locally", lambda todo, root, out, term, jobs, kind, finished: [
        finished(j.submission.student, grade_command.grade_submission(j, root, out, term, kind)) for j in todo])
    out = tmp_path / "out"
    rows = grade_command.grade(submissions, out, REPO, jobs=2, sandbox_kind=SANDBOX_KIND, progress=False)
    by_student = {row["student"]: row for row in rows}
    assert "the grader failed on this submission (RuntimeError" in by_student["unlucky"]["status"]
    assert by_student["zed"]["status"] == "ok"
    assert len(rows) == 8  # .work.zip is hidden, as every dot-file: not a submission
    assert (out / "gradebook.csv").is_file() and (out / "gradebook.csv_" / "results.json").is_file()
    assert (out / "report.html").is_dir() is False and (out / "report.html_" / "feedback.html").is_file()
    with open(out / "gradebook.csv", encoding="utf-8") as file:
        cells = [cell for row in csv.reader(file) for cell in row]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    assert "'=HYPERLINK(\"x\")" in cells
    assert not any("\x1b" in cell for cell in cells)
    page = (out / "<img src=x onerror=alert(1)>" / "feedback.html").read_text(encoding="utf-8")
    assert "<img" not in page and html.escape("<img src=x onerror=alert(1)>") in page
    cli.print_gradebook(rows)
    printed = capsys.readouterr().out
    assert "\x1b" not in printed and "latin1-\ufffd" in printed and "unlucky" in printed


def test_a_resumed_batch_keeps_refused_and_failed_rows(tmp_path, monkeypatch):
    submissions = build(tmp_path / "in", ["deepfolder", "corrupt.zip"])
    monkeypatch.setattr(grade_command, "run_submission", fake_run(None))
    monkeypatch.setattr(grade_command, "grade_locally", lambda todo, root, out, term, jobs, kind, finished: [
        finished(j.submission.student, grade_command.grade_submission(j, root, out, term, kind)) for j in todo])
    out = tmp_path / "out"
    first = grade_command.grade(submissions, out, REPO, jobs=1, sandbox_kind=SANDBOX_KIND, progress=False)
    monkeypatch.setattr(grade_command, "grade_locally", lambda *args: pytest.fail("finished work was redone"))
    again = grade_command.grade(submissions, out, REPO, jobs=1, sandbox_kind=SANDBOX_KIND, progress=False)
    assert first == again and [row["student"] for row in read_gradebook(out)] == ["corrupt", "deepfolder"]


def test_backslashes_in_a_zip_are_folders_never_a_way_out(tmp_path):
    """Some Windows tools write ``\\`` between folders: the work is found, and ``..\\`` is still refused."""
    submissions = tmp_path / "in"
    submissions.mkdir()
    write_zip(submissions / "windows.zip", {name.replace("/", "\\"): data for name, data in reference_files().items()})
    write_zip(submissions / "escape.zip", {**reference_files(), "..\\..\\escaped.py": b"x = 1\n"})
    found = {submission.student: submission for submission in discover(submissions, tmp_path / "work")}
    assert found["windows"].problem == "" and (found["windows"].path / ASSIGNMENTS[0].module_file).is_file()
    assert "unsafe path" in found["escape"].problem
    assert not list(tmp_path.rglob("escaped.py"))


def test_every_csv_the_grader_writes_neutralises_formulas(tmp_path, monkeypatch):
    """A student id, a status and a changed score reach report.csv (the students of a status, of a failed test, the
    slowest) and changes.csv (a regrade's rows) as well as the gradebook: no cell of any of them runs as a formula."""
    from autograder.results.changes import append_changes

    submissions = tmp_path / "in"
    submissions.mkdir()
    corrupt_zip(submissions / "=1+1.zip")  # refused: its status starts with its id
    reference_folder(submissions / "@SUM(A1)")
    monkeypatch.setattr(grade_command, "run_submission", fake_run(None))
    monkeypatch.setattr(grade_command, "grade_locally", lambda todo, root, out, term, jobs, kind, finished: [
        finished(j.submission.student, grade_command.grade_submission(j, root, out, term, kind)) for j in todo])
    out = tmp_path / "out"
    grade_command.grade(submissions, out, REPO, jobs=1, sandbox_kind=SANDBOX_KIND, progress=False)
    append_changes(out, [{"student": "=1+1", "assignment": "02_softmax", "old": "13", "new": "0",
                          "reason": "submission changed"}])
    cells = {}
    for path in sorted(out.glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as file:
            cells[path.name] = [cell for row in csv.reader(file) for cell in row]
    assert {"gradebook.csv", "report.csv", "changes.csv"} <= cells.keys()
    assert "'=1+1" in cells["report.csv"] and "'=1+1" in cells["changes.csv"]
    assert [(name, cell) for name, found in cells.items() for cell in found
            if cell.startswith(("=", "+", "-", "@", "\t", "\r"))] == []


def strings_in(value):
    """Every string of a decoded JSON value, keys included: what a reader of results.json is shown."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in [key, *strings_in(item)]]
    return [text for item in value for text in strings_in(item)] if isinstance(value, list) else []


CONTROLS = [chr(code) for code in [*range(0x20), *range(0x7f, 0xa0)] if chr(code) not in "\n\t"]


def test_student_text_reaches_no_sink_with_its_controls(tmp_path, monkeypatch, capsys):
    """A file under a near-miss name is named in the status as the student wrote it: ``soft\\rmax\\x0b.py`` is a near
    miss of softmax.py (whitespace is what a near miss drops). Each sink cleans what enters it: gradebook.csv,
    report.csv, changes.csv, results.json, feedback.html, grader.log and the terminal keep no control but line breaks
    and tabs."""
    from autograder.results.changes import append_changes

    submissions = tmp_path / "in"
    student = reference_folder(submissions / "nearmiss")
    softmax = next(assignment for assignment in ASSIGNMENTS if assignment.folder == "02_softmax")
    (student / softmax.module_file).rename(student / softmax.folder / "soft\rmax\x0b.py")
    (student / softmax.folder / f"{softmax.module}.ipynb").write_bytes(
        (REPO / "assignments" / softmax.folder / f"{softmax.module}.ipynb").read_bytes())

    def runner_quoting_student_text(submission, root, kind, log, *args, **kwargs):
        """The runner's log is its stderr: a traceback of its own can quote what the student's code made."""
        Path(log).write_text("Traceback (most recent call last):\nValueError: soft\rmax\x0b \x1b]0;pwned\x07\x1b[2J\n")
        return [], ""

    monkeypatch.setattr(grade_command, "run_submission", runner_quoting_student_text)
    monkeypatch.setattr(grade_command, "grade_locally", lambda todo, root, out, term, jobs, kind, finished: [
        finished(j.submission.student, grade_command.grade_submission(j, root, out, term, kind)) for j in todo])
    out = tmp_path / "out"
    rows = grade_command.grade(submissions, out, REPO, jobs=1, sandbox_kind=SANDBOX_KIND, progress=False)
    assert "soft\\rmax\\x0b.py" in rows[0]["status"]  # spelled so that the student can find the file
    append_changes(out, [{"student": "nearmiss", "assignment": "02_softmax", "old": "13", "new": "0",
                          "reason": rows[0]["status"]}])
    cli.print_gradebook(rows)
    cli.print_set_aside([f"{rows[0]['status']}"])
    printed = capsys.readouterr()
    results = json.loads((out / "nearmiss" / "results.json").read_text(encoding="utf-8"))
    sinks = {path.name: path.read_bytes().decode() for path in [*out.glob("*.csv"), out / "nearmiss" / "feedback.html",
                                                                out / "nearmiss" / "grader.log"]}
    sinks.update({"results.json": "".join(strings_in(results)), "terminal": printed.out + printed.err})
    assert {"gradebook.csv", "report.csv", "changes.csv"} <= sinks.keys()
    assert {sink: sorted({repr(c) for c in text if c in CONTROLS}) for sink, text in sinks.items()} == {
        sink: [] for sink in sinks}
