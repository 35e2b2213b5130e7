"""Crash and resume: ``autograder grade`` killed with SIGKILL in the middle of a batch, then started again.

The gradebook must hold every student exactly once after the kill and after the resumed run,
work finished before the kill must not be redone, nothing of the killed run may go on working,
and the scores must be those of an uninterrupted run (the session's grading of the class).
"""
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from conftest import REPO, read_gradebook
from conftest import assert_not_graded_again, finished_results, processes_about
from example_class import SANDBOX_KIND

from autograder.commands.grade import WORK_FOLDER
from autograder.runner.submission import SCRATCH_PREFIX

pytestmark = pytest.mark.slow

# A batch with a bit of everything, the slow timeouts of an infinite loop included.
STUDENTS = ["bug_gd_step_sign", "bug_mlp_dsigmoid_of_activation", "bug_softmax_no_keepdims", "hostile_exit_at_import",
            "hostile_infinite_loop", "reference", "stubs", "variant_loops", "variant_zip"]


def grade_command(submissions, out):
    command = [sys.executable, "-m", "autograder.cli", "grade", str(submissions), "--out", str(out), "--jobs", "2",
               "--quiet", "--root", str(REPO), "--sandbox", "bwrap" if SANDBOX_KIND == "bwrap" else "process"]
    return command if SANDBOX_KIND == "bwrap" else [*command, "--no-sandbox"]


def copy_submissions(graded_class, target):
    for student in STUDENTS:
        source = graded_class.base / "submissions" / student
        if source.is_dir():
            shutil.copytree(source, target / student)
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source.with_suffix(".zip"), target / f"{student}.zip")


def test_a_killed_grader_resumes_without_losing_or_redoing_work(graded_class, tmp_path):
    submissions, out, private_tmp = tmp_path / "submissions", tmp_path / "out", tmp_path / "tmp"
    copy_submissions(graded_class, submissions)
    private_tmp.mkdir()
    environment = {**os.environ, "TMPDIR": str(private_tmp)}
    grader = subprocess.Popen(grade_command(submissions, out), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env=environment)
    deadline = time.monotonic() + 600
    try:
        while len(list(out.glob("*/results.json"))) < 3:  # in the middle of the batch: some done, some not
            assert grader.poll() is None, "the grader ended before it could be killed"
            assert time.monotonic() < deadline, "the grader finished nothing in 10 minutes"
            time.sleep(0.02)
    finally:
        grader.send_signal(signal.SIGKILL)
        grader.wait()
    finished = finished_results(out)
    assert 3 <= len(finished) < len(STUDENTS)

    # Nothing of the killed run goes on working (its runners and sandboxes stop with it).
    deadline = time.monotonic() + 15
    while processes_about(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_about(tmp_path) == []
    rows = read_gradebook(out)
    assert [row["student"] for row in rows] == STUDENTS  # every student exactly once, even now
    assert all(row["status"] == "pending" for row in rows if row["student"] not in finished)

    result = subprocess.run(grade_command(submissions, out), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            env=environment, timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
    rows = read_gradebook(out)
    assert [row["student"] for row in rows] == STUDENTS
    assert_not_graded_again(out, finished)
    assert rows == [graded_class.rows[student] for student in STUDENTS]  # as in an uninterrupted run
    assert processes_about(tmp_path) == []
    assert list(private_tmp.iterdir()) == []
    assert list((out / WORK_FOLDER).glob(f"{SCRATCH_PREFIX}*")) == []
