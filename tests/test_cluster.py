"""``grade --cluster``: a Dask cluster grades to the very gradebook the local road writes, and resumes alike."""
import json
import logging
import os
import shutil
import sys
import zipfile

import pytest
from conftest import REPO, SANDBOX_KIND, read_gradebook

from autograder.commands.grade import grade

distributed = pytest.importorskip("distributed")

sys.path.insert(0, str(REPO / "benchmarks"))
from synthetic import BUGS, HOSTILE, write_submission  # noqa: E402



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
def cluster(tmp_path_factory):
    # Two worker processes, one thread each, on loopback only. They inherit the environment: the kit
    # they are sent is cached, and their scratch files made, in folders of this test run.
    private = {"XDG_CACHE_HOME": tmp_path_factory.mktemp("worker-cache"), "TMPDIR": tmp_path_factory.mktemp("tmp")}
    saved = {name: os.environ.get(name) for name in private}
    os.environ.update({name: str(path) for name, path in private.items()})
    try:
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                      dashboard_address=None, silence_logs=logging.ERROR) as local:
            local.worker_tmp = private["TMPDIR"]
            yield local
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.mark.slow
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
    finished = {p: p.stat().st_mtime_ns for p in (tmp_path / "remote").glob("*/results.json")}
    (tmp_path / "remote" / "stubs" / "results.json").unlink()
    again = grade(submissions, tmp_path / "remote", REPO, jobs=2, sandbox_kind=SANDBOX_KIND, progress=False,
                  cluster=cluster.scheduler_address)
    assert again == local
    for path, mtime in finished.items():
        if path.parent.name != "stubs":
            assert path.stat().st_mtime_ns == mtime, f"{path.parent.name} was graded again"


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

    monkeypatch.setattr(autograder.sandbox.bubblewrap, "bubblewrap_available", lambda: False)
    with pytest.raises(RuntimeError, match="cannot sandbox student code"):
        run_remote("alice", {"02_softmax/softmax.py": b""}, False, {}, "0" * 64, "bwrap", hidden_seed=0)


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
