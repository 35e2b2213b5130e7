"""Fair, bounded resources: a submission's result never depends on what runs beside it.

Each sandbox has a control group of its own (autograder/sandbox/cgroups.py): memory and processes
bounded for the whole sandbox, an equal CPU share, and the per-call time limit charged in the
sandbox's own CPU time (session.CallBudget). So a slow but correct function gets the same answer
alone and beside a neighbour that runs many busy, memory-hungry processes; and no group is left
behind.
"""
import json
import os
import threading
import time

import pytest
from conftest import REPO, needs_sandbox, read_gradebook

from autograder import cli
from autograder.sandbox import cgroups, zygote
from autograder.sandbox.bubblewrap import SANDBOX_MEMORY_BYTES, Bubblewrap
from autograder.sandbox.session import BACKSTOP_FACTOR, CallBudget, StudentCodeFailed, WorkerSession

SLOW = '''
import time

def slow(seconds):
    """Correct, and slow: about ``seconds`` of CPU time."""
    start, total = time.process_time(), 0
    while time.process_time() - start < seconds:
        total += sum(range(1000))
    return 42
'''

HOG = '''
import os, time

def hog(processes, megabytes, seconds):
    """Many busy processes in sessions of their own, each holding memory, for ``seconds``."""
    for _ in range(processes):
        if os.fork() == 0:
            os.setsid()
            try:
                held = bytearray(megabytes * 1024 * 1024)
                held[::4096] = b"x" * len(held[::4096])
            except MemoryError:
                pass
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                pass
            os._exit(0)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    return "done"
'''


requires_cgroups = pytest.mark.skipif(not cgroups.available()[0], reason=cgroups.available()[1] or "no cgroups")


class FakeClock:
    """A sandbox CPU clock and a monotonic clock the test moves by hand."""

    def __init__(self, monkeypatch):
        self.wall = self.cpu = 0.0
        monkeypatch.setattr(time, "monotonic", lambda: self.wall)

    def advance(self, wall, cpu):
        self.wall += wall
        self.cpu += cpu


def test_a_starved_call_is_charged_its_cpu_time_only(monkeypatch):
    clock = FakeClock(monkeypatch)
    budget = CallBudget(2.0, lambda: clock.cpu)
    expired = []
    for _ in range(40):  # 4 s of wall-clock time at a tenth of a core: 0.4 s of CPU
        clock.advance(0.1, 0.01)
        expired.append(budget.expired())
    assert not any(expired)


def test_a_call_that_only_sleeps_is_charged_its_wall_time(monkeypatch):
    clock = FakeClock(monkeypatch)
    budget = CallBudget(2.0, lambda: clock.cpu)
    checks = 0
    while not budget.expired():
        clock.advance(0.1, 0.0)
        checks += 1
    assert 20 <= checks <= 21


def test_a_busy_call_is_charged_all_its_processes_cpu_time(monkeypatch):
    clock = FakeClock(monkeypatch)
    budget = CallBudget(2.0, lambda: clock.cpu)
    checks = 0
    while not budget.expired():
        clock.advance(0.1, 0.4)  # four busy processes
        checks += 1
    assert checks <= 7


def test_a_starved_call_whose_wait_is_told_is_charged_its_cpu_time_only(monkeypatch):
    clock = FakeClock(monkeypatch)
    waited = [0.0]
    budget = CallBudget(2.0, lambda: clock.cpu, lambda: waited[0])
    expired = []
    for _ in range(40):  # 4 s of wall-clock time at a tenth of a core, the rest waiting for one
        clock.advance(0.1, 0.01)
        waited[0] += 0.09
        expired.append(budget.expired())
    assert not any(expired)


def test_a_call_that_runs_a_little_in_every_interval_is_charged_the_clock(monkeypatch):
    """5 ms of CPU in every 100 ms passed the idle share: the call was charged its CPU time alone and held its job
    slot until the wall-clock backstop (44 s against a plain sleep's 14 s for one function of 02)."""
    clock = FakeClock(monkeypatch)
    budget = CallBudget(2.0, lambda: clock.cpu, lambda: 0.0)  # never waiting for a CPU: it sleeps
    checks = 0
    while not budget.expired():
        clock.advance(0.1, 0.005)
        checks += 1
    assert 20 <= checks <= 21


DUTY_CYCLE = '''
import time

def sleepy():
    """Asleep but for 5 ms of CPU in every 100 ms: never under the idle share of a core."""
    while True:
        start = time.process_time()
        while time.process_time() - start < 0.005:
            pass
        time.sleep(0.095)
'''


@needs_sandbox
@requires_cgroups
def test_a_sandboxed_call_that_sleeps_between_short_runs_ends_at_its_time_limit(tmp_path):
    """Cut at its 2 s (a little more on a busy machine, whose waits are not charged), not at the 16 s backstop."""
    (tmp_path / "sleepy").mkdir()
    box, session = session_in_its_own_sandbox(tmp_path / "sleepy", DUTY_CYCLE, "sleepy")
    try:
        session.ensure_started()
        start = time.monotonic()
        with pytest.raises(StudentCodeFailed, match="timed out after 2 s"):
            session.request({"op": "call", "name": "sleepy", "args": [], "kwargs": {}}, timeout=2.0, what="sleepy")
        took = time.monotonic() - start
    finally:
        session.close()
        box.release()
    assert took < 2.0 * BACKSTOP_FACTOR, took


def test_the_wall_clock_backstop_holds(monkeypatch):
    clock = FakeClock(monkeypatch)
    budget = CallBudget(2.0, lambda: clock.cpu)
    clock.advance(0.1, 0.01)
    budget.expired()
    clock.advance(100.0, 0.05)  # one long look: hardly any CPU, but far past any fair wait
    assert budget.expired()


def test_without_a_cpu_clock_the_limit_is_wall_clock(monkeypatch):
    clock = FakeClock(monkeypatch)
    budget = CallBudget(2.0, None)
    clock.advance(1.9, 0.0)
    assert not budget.expired()
    clock.advance(0.2, 0.0)
    assert budget.expired()


def session_in_its_own_sandbox(folder, source, name):
    (folder / f"{name}.py").write_text(source)
    scratch = folder / "scratch"
    scratch.mkdir()
    sandbox = zygote.wrap(Bubblewrap(), folder, scratch)
    return sandbox, WorkerSession(sandbox, folder / f"{name}.py", name)


def slow_result(session):
    try:
        return session.request({"op": "call", "name": "slow", "args": [1.5], "kwargs": {}}, timeout=2.5,
                               what="slow")[0]
    except StudentCodeFailed as error:
        return str(error)


@needs_sandbox
@requires_cgroups
@pytest.mark.slow
def test_a_slow_correct_call_gets_the_same_result_beside_a_cpu_and_memory_hog(tmp_path):
    (tmp_path / "slow").mkdir()
    (tmp_path / "hog").mkdir()
    slow_box, slow_session = session_in_its_own_sandbox(tmp_path / "slow", SLOW, "slow")
    hog_box, hog_session = session_in_its_own_sandbox(tmp_path / "hog", HOG, "hog")
    try:
        alone = slow_result(slow_session)
        hog_session.request({"op": "call", "name": "hog", "args": [0, 1, 0.0], "kwargs": {}}, what="warming up")
        group = hog_box.base.group
        outcome = {}
        hogging = threading.Thread(target=lambda: outcome.update(hog=_hog(hog_session)))
        hogging.start()
        deadline = time.monotonic() + 30
        while processes_of(hog_box.base.uid) < 10 and time.monotonic() < deadline:  # its processes are running
            time.sleep(0.01)
        beside = slow_result(slow_session)
        hogging.join()
        peak = int((next(f for f in group.folders if (f / "memory.max_usage_in_bytes").exists())
                    / "memory.max_usage_in_bytes").read_text()) if group and group.version == "v1" else 0
    finally:
        for session, box in ((slow_session, slow_box), (hog_session, hog_box)):
            session.close()
            box.release()
    assert alone == beside == 42, (alone, beside, outcome)
    assert peak <= SANDBOX_MEMORY_BYTES  # 16 processes x 400 MiB asked; the sandbox as a whole was bounded
    assert not cgroups.leftovers(maker=os.getpid())


def processes_of(uid):
    """How many processes run as ``uid`` (a sandbox's own user)."""
    count = 0
    for entry in os.listdir("/proc"):
        try:
            count += entry.isdigit() and os.stat(f"/proc/{entry}").st_uid == uid
        except OSError:
            pass
    return count


def _hog(session):
    try:
        return session.request({"op": "call", "name": "hog", "args": [16, 400, 6.0], "kwargs": {}}, timeout=8.0,
                               what="hog")[0]
    except StudentCodeFailed as error:
        return str(error)


# Through the real command: a class of two graded two at a time, the hog beside the slow one from start to end.
SLOW_CROSS_ENTROPY = """    import time

    start = time.process_time()
    while time.process_time() - start < 2.0:  # correct, and slow: 2 s of CPU time per call (the limit is 10 s)
        sum(range(1000))
"""
HOGGING_CROSS_ENTROPY = """    import os
    import time

    children = []
    for _ in range(16):  # many busy processes in sessions of their own, each holding 64 MiB and 0.15 s of CPU
        try:
            child = os.fork()
        except OSError:
            break
        if child == 0:
            os.setsid()
            try:
                held = bytearray(64 * 1024 * 1024)
                held[::4096] = b"x" * len(held[::4096])
            except MemoryError:
                pass
            start = time.process_time()
            while time.process_time() - start < 0.15:
                pass
            os._exit(0)
        children.append(child)
    for child in children:
        os.waitpid(child, 0)
"""


def softmax_submission(folder, function, first):
    """The reference 02_softmax whose ``function`` runs the code ``first`` before its own body."""
    text = (REPO / "solutions" / "02_softmax" / "softmax.py").read_text()
    head, _, tail = text.partition(f"def {function}(")
    text = head + f"def {function}(" + tail.replace("    ### BEGIN SOLUTION", first + "    ### BEGIN SOLUTION", 1)
    (folder / "02_softmax").mkdir(parents=True)
    (folder / "02_softmax" / "softmax.py").write_text(text)


def graded_results(submissions, out):
    """``autograder grade SUBMISSIONS --jobs 2`` of 02_softmax; ``{student: results.json}``."""
    assert cli.main(["grade", str(submissions), "--out", str(out), "--jobs", "2", "--assignment", "02_softmax",
                     "--quiet", "--root", str(REPO)]) == 0
    return {path.parent.name: json.loads(path.read_text()) for path in out.glob("*/results.json")}


def scores(results):
    return results["score"], {test["name"]: test["score"] for test in results["tests"]}


@needs_sandbox
@requires_cgroups
@pytest.mark.slow
def test_grade_gives_a_slow_correct_submission_the_same_scores_beside_a_hog(tmp_path):
    """Alone, then in one class with a neighbour whose every cross_entropy forks 16 busy processes holding 1 GiB:
    each call costs more CPU time than one of the slow one's, and both make theirs in the same order (they
    run the same tests), so the hog hogs while the slow one computes."""
    softmax_submission(tmp_path / "alone" / "slow", "cross_entropy", SLOW_CROSS_ENTROPY)
    softmax_submission(tmp_path / "beside" / "slow", "cross_entropy", SLOW_CROSS_ENTROPY)
    softmax_submission(tmp_path / "beside" / "hog", "cross_entropy", HOGGING_CROSS_ENTROPY)
    alone = graded_results(tmp_path / "alone", tmp_path / "graded-alone")["slow"]
    beside = graded_results(tmp_path / "beside", tmp_path / "graded-beside")
    [row] = read_gradebook(tmp_path / "graded-alone")
    assert row["total"] == row["max_total"] and row["status"] == "ok"  # slow, but within every limit
    assert scores(beside["slow"]) == scores(alone)
    # Graded at once, the hog took longer than the slow one: it hogged for the slow one's whole grading.
    assert beside["hog"]["execution_time"] >= beside["slow"]["execution_time"]
    assert not cgroups.leftovers(maker=os.getpid())


@needs_sandbox
@requires_cgroups
def test_a_sandbox_leaves_no_control_group_behind(tmp_path):
    (tmp_path / "slow").mkdir()
    box, session = session_in_its_own_sandbox(tmp_path / "slow", SLOW, "slow")
    try:
        session.request({"op": "getattr", "name": "slow"})
        group = box.base.group
        assert group is not None and group.pids(), "the sandbox runs in its own group"
        assert all(folder.is_dir() for folder in group.folders)
    finally:
        session.close()
        box.release()
    assert not any(folder.exists() for folder in group.folders)
    assert not cgroups.leftovers(maker=os.getpid())


@needs_sandbox
def test_sandbox_uids_are_leased_never_shared():
    """Two sandboxes made by one process (or by two whose pids agree modulo the range) differ; a lease ends
    with its holder."""
    first, second = Bubblewrap(), Bubblewrap()
    try:
        assert first.uid != second.uid
        taken = first.uid
        first.release()  # what the kernel does when its holder exits
        third = Bubblewrap()
        third.release()
        assert third.uid == taken  # the first free uid from where this process starts looking
    finally:
        first.release()
        second.release()


def test_the_trusted_runner_bounds_its_own_memory():
    """``python -m autograder.runner`` (and each forked runner) limits its address space before it runs anything."""
    import subprocess
    import sys

    probe = ("import resource; from autograder.runner import run; "
             "run.run_tests = lambda *args: print(resource.getrlimit(resource.RLIMIT_AS)[0]) or []; "
             "run.main(['submission', '/dev/null', 'test_x.py'])")
    printed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    from autograder.runner.run import RUNNER_MEMORY_BYTES

    assert int(printed) == RUNNER_MEMORY_BYTES


@requires_cgroups
def test_the_groups_of_a_runner_killed_midway_are_removed():
    """A runner killed on its timeout cannot remove its sandbox's group: grade removes it (remove_orphans)."""
    import subprocess
    import sys

    made = subprocess.run([sys.executable, "-c", "from autograder.sandbox import cgroups; "
                           "print(cgroups.SandboxGroup(2**30, 64).name)"], capture_output=True, text=True, check=True)
    name = made.stdout.strip()
    assert any(path.name == name for path in cgroups.leftovers())
    cgroups.remove_orphans()
    assert not any(path.name == name for path in cgroups.leftovers())


@needs_sandbox
def test_grade_says_once_how_resources_are_bounded(tmp_path, capsys):
    """Also for a class with no submission at all and nobody on the roster (its empty table once raised)."""
    (tmp_path / "in").mkdir()
    (tmp_path / "roster.csv").write_text("student,name,email,sis_id\n")
    assert cli.main(["grade", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--quiet", "--root", str(REPO),
                     "--roster", str(tmp_path / "roster.csv")]) == 0
    said = capsys.readouterr().err
    version = cgroups.available()[0]
    expected = f"in a {version} control group of its own" if version else "no control groups"
    assert said.count("resources:") == 1 and expected in said
