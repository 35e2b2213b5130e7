"""``grade --cluster``: a Dask cluster grades to the very gradebook the local road writes, and resumes alike.

The workers run from the bundle's wheel in a fresh venv (conftest.student_machine), as on a machine that
never saw the checkout: the kit they grade with is the one the coordinator sends them."""
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import CI, REPO, SANDBOX_KIND, assert_not_graded_again, finished_results, read_gradebook

from autograder.commands.grade import grade

if not CI:  # under CI a missing Dask is a failure (the import below), never a skip
    pytest.importorskip("distributed")
import distributed  # noqa: E402

sys.path.insert(0, str(REPO / "benchmarks"))
from synthetic import BUGS, HOSTILE, write_submission  # noqa: E402

WORKER_START_SECONDS = 300  # two worker processes importing numpy, scipy and dask; it only stops a hang



@pytest.fixture(scope="module")
def submissions(tmp_path_factory):
    chosen = tmp_path_factory.mktemp("cluster") / "submissions"
    write_submission(chosen / "reference")
    write_submission(chosen / "stubs", source=REPO / "assignments")
    write_submission(chosen / "bug_softmax_no_keepdims", BUGS["softmax_no_keepdims"])
    write_submission(chosen / "hostile_exit_at_import", HOSTILE["exit_at_import"])
    write_submission(chosen / "hostile_os_exit", HOSTILE["os_exit"])
    zipped = write_submission(chosen.parent / "zipped", BUGS["nll_sum_not_mean"])
    with zipfile.ZipFile(chosen / "zipped.zip", "w") as bundle:  # a zip travels as its unpacked files
        for path in zipped.rglob("*.py"):
            bundle.write(path, path.relative_to(zipped))
    return chosen


@pytest.fixture(scope="module")
def cluster(student_machine, tmp_path_factory):
    """A scheduler here and two workers (one thread each, loopback only) started from the student machine's venv.

    The workers run what an instructor installs on a worker machine: the bundle's wheel with dask, in a
    fresh venv, from a folder outside the checkout; nothing of the checkout is on their path. The kit
    they are sent is cached, and their scratch files made, in folders of this test run.
    """
    home = tmp_path_factory.mktemp("worker-home")
    private = {"XDG_CACHE_HOME": str(tmp_path_factory.mktemp("worker-cache")), "TMPDIR": str(tmp_path_factory.mktemp("tmp"))}
    with distributed.LocalCluster(n_workers=0, host="127.0.0.1", dashboard_address=None,
                                  silence_logs=logging.ERROR) as scheduler:
        workers = subprocess.Popen(
            [str(student_machine.venv / "bin" / "dask"), "worker", scheduler.scheduler_address, "--nworkers", "2",
             "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard",
             "--local-directory", str(home / "dask")],  # dask's own files: TMPDIR is for the grader's
            cwd=home, env={**student_machine.environment, **private}, stdout=subprocess.DEVNULL,
            stderr=open(home / "workers.log", "w"), start_new_session=True)
        try:
            with distributed.Client(scheduler.scheduler_address) as client:
                client.wait_for_workers(2, timeout=WORKER_START_SECONDS)
                where = client.run(lambda: (__import__("autograder").__file__, __import__("os").getcwd()))
            assert all(path.startswith(str(student_machine.venv)) and cwd == str(home) for path, cwd in where.values()), where
            yield SimpleNamespace(scheduler_address=scheduler.scheduler_address, worker_tmp=Path(private["TMPDIR"]))
        finally:
            os.killpg(workers.pid, signal.SIGTERM)
            try:
                workers.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(workers.pid, signal.SIGKILL)
                workers.wait()


@pytest.mark.slow
@pytest.mark.keeps_descriptors("the process's first Client to a scheduler leaves distributed's pooled connections open "
                               "(2 sockets, for the life of its event loop); later gradings through the same cluster "
                               "add none (test_the_command_line_takes_a_cluster_address passes the check)")
def test_the_cluster_road_writes_the_local_gradebook_and_resumes(submissions, cluster, tmp_path):
    local = grade(submissions, tmp_path / "local", REPO, jobs=2, sandbox_kind=SANDBOX_KIND, progress=False)
    remote = grade(submissions, tmp_path / "remote", REPO, jobs=2, sandbox_kind=SANDBOX_KIND, progress=False,
                   cluster=cluster.scheduler_address)
    assert remote == local
    assert read_gradebook(tmp_path / "remote") == read_gradebook(tmp_path / "local")
    assert list(cluster.worker_tmp.iterdir()) == [], "the workers left scratch files"
    for student in [row["student"] for row in local]:
        ours, theirs = (json.loads((tmp_path / road / student / "results.json").read_text())
                        for road in ("local", "remote"))
        assert [(t["name"], t["score"], t["output"]) for t in ours["tests"]] == \
               [(t["name"], t["score"], t["output"]) for t in theirs["tests"]], student
        assert (tmp_path / "remote" / student / "feedback.html").read_text() == \
               (tmp_path / "local" / student / "feedback.html").read_text()
    # Resume: only the submission whose result is gone is graded again.
    finished = finished_results(tmp_path / "remote")
    (tmp_path / "remote" / "stubs" / "results.json").unlink()
    again = grade(submissions, tmp_path / "remote", REPO, jobs=2, sandbox_kind=SANDBOX_KIND, progress=False,
                  cluster=cluster.scheduler_address)
    assert again == local
    assert_not_graded_again(tmp_path / "remote", finished, regraded=["stubs"])


@pytest.mark.slow
def test_the_command_line_takes_a_cluster_address(submissions, cluster, tmp_path):
    from autograder.cli import main

    only = tmp_path / "one"
    shutil.copytree(submissions / "reference", only / "reference")
    flags = [] if SANDBOX_KIND == "bwrap" else ["--no-sandbox", "--sandbox", "process"]
    code = main(["grade", str(only), "--out", str(tmp_path / "out"), "--root", str(REPO), "--quiet",
                 "--cluster", cluster.scheduler_address, *flags])
    assert code == 0
    [row] = read_gradebook(tmp_path / "out")
    assert row["status"] == "ok" and row["total"] == row["max_total"]


def test_a_worker_that_cannot_sandbox_refuses_to_grade(monkeypatch):
    import autograder.sandbox.bubblewrap
    from autograder.runner.cluster import run_remote

    said = "bwrap cannot make the sandbox's namespaces here (bwrap: Creating new namespace failed)"
    monkeypatch.setattr(autograder.sandbox.bubblewrap, "bubblewrap_problem", lambda: said)
    with pytest.raises(RuntimeError, match=r"cannot sandbox student code \(bwrap cannot make the sandbox's namespaces"):
        run_remote("alice", {"02_softmax/softmax.py": b""}, False, {}, "0" * 64, "bwrap", hidden_seed=0)


@pytest.mark.keeps_descriptors("a distributed Client that cannot connect leaves its event loop running (a thread, a "
                                "socket pair, an epoll: 3 descriptors each time, distributed 2026.11.0); grade exits")
def test_an_unreachable_scheduler_is_a_clear_message_not_a_traceback(submissions, tmp_path, monkeypatch, capsys):
    import socket

    import autograder.runner.cluster
    from autograder.cli import main

    monkeypatch.setattr(autograder.runner.cluster, "CONNECT_SECONDS", 2)
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
    code = main(["grade", str(submissions), "--out", str(tmp_path / "out"), "--root", str(REPO), "--quiet",
                 "--cluster", address, "--no-sandbox", "--sandbox", "process"])
    error = capsys.readouterr().err
    assert code == 1
    assert f"could not reach a Dask scheduler at {address}" in error and "dask scheduler" in error, error
    assert "Traceback" not in error
