"""Ctrl-C during ``autograder grade``: everything it started stops, nothing half-done is kept, the next run resumes."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid

import pytest
from conftest import REPO, SANDBOX_KIND, read_gradebook
from conftest import assert_not_graded_again, finished_results, processes_about

from autograder.commands.grade import grade

sys.path.insert(0, str(REPO / "benchmarks"))
from synthetic import BUGS, write_submission  # noqa: E402

STUDENTS = ("bug_nll_sum_not_mean", "reference", "stubs", "zz_reference_again")


def test_ctrl_c_during_check_reports_no_part_as_the_whole(tmp_path, monkeypatch, capsys):
    """pytest ends its session at a Ctrl-C and returns what ran: ``autograder check`` of 02 with a loop in softmax,
    interrupted there, printed "public: 3 of 3" (of 17) and exited 0. Now nothing is reported as checked."""
    from autograder import cli
    from autograder.commands import check as checking
    from autograder.runner.run import run_tests
    from autograder.sandbox.process import ChildProcess

    shutil.copytree(REPO / "assignments" / "02_softmax", tmp_path / "02_softmax")  # an assignment's folder
    three = tmp_path / "02_softmax" / "test_three.py"
    three.write_text(
        "def test_before():\n    pass\n\n\ndef test_interrupted():\n    raise KeyboardInterrupt\n\n\n"
        "def test_after():\n    pass\n")
    with pytest.raises(KeyboardInterrupt):
        run_tests(tmp_path, [three], ChildProcess())

    monkeypatch.setattr(checking, "public_test_files", lambda root, assignments: [three])
    assert cli.main(["check", str(tmp_path / "02_softmax")]) == 128 + signal.SIGINT
    said = capsys.readouterr()
    assert "autograder check: interrupted before it finished" in said.err and "Traceback" not in said.err
    assert "public:" not in said.out


@pytest.fixture(scope="module")
def submissions(tmp_path_factory):
    chosen = tmp_path_factory.mktemp("interrupt") / "submissions"
    write_submission(chosen / "bug_nll_sum_not_mean", BUGS["nll_sum_not_mean"])
    write_submission(chosen / "reference")
    write_submission(chosen / "stubs", source=REPO / "assignments")
    write_submission(chosen / "zz_reference_again")
    return chosen


def default_interrupt():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_stops_everything_and_the_next_run_resumes(submissions, tmp_path):
    out = tmp_path / "out"
    marker = f"AUTOGRADER_TEST_RUN={uuid.uuid4().hex}"
    command = [sys.executable, "-m", "autograder.cli", "grade", str(submissions), "--out", str(out),
               "--jobs", "1", "--root", str(REPO), "--sandbox", SANDBOX_KIND, "--no-sandbox"]
    environment = {**os.environ, marker.split("=")[0]: marker.split("=")[1]}
    # A process group of its own, as a terminal runs a command: Ctrl-C sends SIGINT to the whole group. A terminal's
    # foreground job takes SIGINT at its default; this suite may run where it is ignored (started with `&` by a
    # script, or under nohup), which the grader would inherit, and Ctrl-C would then rightly not stop it.
    grader = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              start_new_session=True, preexec_fn=default_interrupt)
    deadline = time.monotonic() + 120
    while not list(out.glob("*/results.json")) and time.monotonic() < deadline and grader.poll() is None:
        time.sleep(0.05)
    time.sleep(0.5)  # well into the next submission
    assert grader.poll() is None, "the batch ended before it could be interrupted"
    os.killpg(grader.pid, signal.SIGINT)
    try:
        _, stderr = grader.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(grader.pid, signal.SIGKILL)
        raise
    assert grader.returncode == 130, stderr.decode()
    assert b"interrupted" in stderr and b"Traceback" not in stderr, stderr.decode()

    deadline = time.monotonic() + 10  # a killed sandbox takes a moment to go
    while processes_about(submissions, marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_about(submissions, marker) == [], "processes of the interrupted run are still alive"
    rows = read_gradebook(out)
    assert [row["student"] for row in rows] == sorted(STUDENTS)
    done = {path.parent.name for path in out.glob("*/results.json")}
    assert done and len(done) < len(STUDENTS)
    for row in rows:
        assert (row["status"] == "pending") == (row["student"] not in done), row
    for student in done:
        json.loads((out / student / "results.json").read_text())  # whole, never half-written
    left = {path.name for path in out.iterdir() if path.is_dir() and not path.name.startswith(".")}
    assert left == done, "an unfinished submission left a folder (its grader.log) in OUT"
    assert not [p for p in out.rglob(".*") if p.name.startswith(".results.json.")], "a temporary file was left"

    finished = finished_results(out)
    again = subprocess.run(command, env=environment, capture_output=True, timeout=600)
    assert again.returncode == 0, again.stderr.decode()
    assert_not_graded_again(out, finished)
    straight = grade(submissions, tmp_path / "straight", REPO, jobs=2, sandbox_kind=SANDBOX_KIND, progress=False)
    assert read_gradebook(out) == straight
