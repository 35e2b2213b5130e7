"""Warm runners: one trusted child process per submission, forked instead of started.

``grade`` still runs each submission in a trusted child process of its own (see
:mod:`autograder.runner.run`), but starting ``python -m autograder.runner`` costs
about a second before the first test runs (Python, pytest, numpy, scipy, the
test modules, the reference solutions, scikit-learn's digits). A *fork server*
pays that once per job: it imports and loads all of it, has pytest collect the
tests (:class:`_CollectedRunner`), never runs a test or a student's line itself,
and forks one child per submission; the child runs the collected tests against
its submission, as ``python -m autograder.runner`` would, with its output in the
submission's ``grader.log``, writes the records and exits. The child's crash,
hang or memory is its own; the server only waits for it. Should the server
itself die, the pool grades the rest the cold way (:class:`ColdRunner`).

Protocol, one JSON object per line: the grader sends ``{"args": [...], "log":
path, "cwd": path, "timeout": seconds}`` on the server's stdin; the server
answers ``{"status": exit status}`` or ``{"status": null, "timed_out": true}``
on its stdout. Closing its stdin stops the server and the child it runs.
The server runs in a session of its own, so a Ctrl-C at the terminal reaches
only the grader, which stops the servers itself (:meth:`RunnerPool.close`).

:class:`ColdRunner` starts a fresh ``python -m autograder.runner`` per submission
(the way it was done before, kept for comparison and as a fallback).
"""
import functools
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from pluggy import HookimplMarker

from autograder.sandbox.inside.forked import live_and_exit

hookimpl = HookimplMarker("pytest")  # pytest.hookimpl, without importing pytest where it is not needed
GRACE_SECONDS = 5.0  # between SIGTERM (the child kills its workers) and SIGKILL


class Interrupted(Exception):
    """The grader is stopping: this submission's grading was abandoned, nothing is to be written."""


def runner_arguments(submission, results, solutions, sandbox_kind, hidden_seed, tests, definitions=None):
    """The runner's command line for one submission: ``python -m autograder.runner``'s, a fork server child's request.

    ``definitions`` is the folder where the caller wrote the submission's notebooks' definitions
    (:func:`autograder.submissions.locate.write_definitions`), if it did.
    """
    return [str(submission), str(results), "--solutions", str(solutions), "--sandbox", sandbox_kind,
            "--hidden-seed", hidden_seed, *(["--definitions", str(definitions)] if definitions is not None else []),
            *map(str, tests)]


def runner_environment():
    """The runner's environment: no pytest plugins from the environment, one BLAS thread per runner."""
    environment = dict(os.environ)
    environment.update(PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
                       MKL_NUM_THREADS="1")
    return environment


class ColdRunner:
    """A fresh ``python -m autograder.runner`` process per submission."""

    def __init__(self):
        self.stopping = threading.Event()
        self.running = set()
        self.lock = threading.Lock()

    def run(self, args, log_path, cwd, timeout):
        """Run the runner on ``args``; return ``"done"`` or ``"timed out"``; raise :class:`Interrupted`."""
        if self.stopping.is_set():
            raise Interrupted
        with open(log_path, "w") as log:
            process = subprocess.Popen([sys.executable, "-m", "autograder.runner", *args], stdout=log,
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=cwd,
                                       env=runner_environment(), start_new_session=True)
        with self.lock:
            self.running.add(process)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            stop_child(process.pid, process.wait)
            return "timed out"
        finally:
            with self.lock:
                self.running.discard(process)
        if self.stopping.is_set():
            raise Interrupted
        return "done"

    def close(self):
        self.stopping.set()
        with self.lock:
            running = list(self.running)
        for process in running:
            stop_child(process.pid, process.wait)


class _Server:
    """One fork server process and the pipe to it (used by one grading thread at a time)."""

    def __init__(self, warm_args):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "autograder.runner.forkserver", *warm_args], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=runner_environment(), start_new_session=True,
        )
        self.replies = self.process.stdout

    def run(self, args, log_path, cwd, timeout):
        request = {"args": list(args), "log": str(log_path), "cwd": str(cwd), "timeout": timeout}
        self.process.stdin.write((json.dumps(request) + "\n").encode())
        self.process.stdin.flush()
        line = self.replies.readline()
        if not line:
            raise EOFError("the fork server stopped")
        return json.loads(line)

    def close(self):
        try:
            self.process.stdin.close()  # the server stops its child (SIGTERM, then SIGKILL) and exits
        except OSError:
            pass
        try:
            self.process.wait(timeout=GRACE_SECONDS + 5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class RunnerPool:
    """Fork servers for ``grade``: one per job, started on first use, warmed with ``test_files``.

    ``runs`` is how many submissions the pool will grade, when known: a pool for one has its server
    build only what every run needs (the known bugs' modules, which only a failed check uses, are
    then built by the run that needs them).
    """

    def __init__(self, test_files, solutions_root, runs=None):
        self.warm_args = ["--solutions", str(solutions_root), *(["--lone"] if runs == 1 else []),
                          *map(str, test_files)]
        self.idle = []
        self.busy = set()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.cold = ColdRunner()
        self.broken = False

    def run(self, args, log_path, cwd, timeout):
        """Run the runner on ``args`` in a forked child; ``"done"`` or ``"timed out"``; raise :class:`Interrupted`."""
        with self.lock:
            if self.stopping.is_set():
                raise Interrupted
            if self.broken:
                server = None
            else:
                server = self.idle.pop() if self.idle else _Server(self.warm_args)
                self.busy.add(server)
        if server is None:
            return self.cold.run(args, log_path, cwd, timeout)
        try:
            reply = server.run(args, log_path, cwd, timeout)
        except (EOFError, OSError, ValueError):
            server.close()
            with self.lock:
                self.busy.discard(server)
                if self.stopping.is_set():
                    raise Interrupted from None
                self.broken = True  # killed from outside, or it could not start: no more servers
            return self.cold.run(args, log_path, cwd, timeout)
        with self.lock:
            self.busy.discard(server)
            if self.stopping.is_set():
                server.close()
                raise Interrupted
            self.idle.append(server)
        return "timed out" if reply.get("timed_out") else "done"

    def close(self):
        """Stop every server and the child it runs; a grading thread waiting on one gets :class:`Interrupted`."""
        self.stopping.set()
        with self.lock:
            servers = self.idle + list(self.busy)
            self.idle = []
        for server in servers:
            server.close()
        self.cold.close()


def stop_child(pid, wait):
    """SIGTERM (the runner kills its workers and exits), then SIGKILL after a grace period."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        wait(timeout=GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        wait()


# -- the server ----------------------------------------------------------------------------------


def warm_up(test_files, solutions_root, lone=False):
    """Import and load what every submission's run needs, so that forked children start warm.

    The known bugs' modules too, unless the server serves a ``lone`` run: each child would need them
    only when a check fails, and only for that assignment.
    """
    import importlib

    import numpy  # noqa: F401
    import pytest  # noqa: F401

    from autograder.runner import plugin
    from autograder.sandbox import kinds, zygote  # noqa: F401 - each child uses them (run)

    warm_child_start(test_files, solutions_root)

    solutions_root = Path(solutions_root).resolve()
    for path in map(Path, test_files):
        # As pytest's default import mode ("prepend") does: the file's folder first on sys.path, the
        # module under its own name. Collection in the child then finds it imported.
        try:
            if str(path.parent) not in sys.path:
                sys.path.insert(0, str(path.parent))
            importlib.import_module(path.stem)
        except Exception:  # noqa: BLE001 - the child's collection reports a broken test file
            sys.modules.pop(path.stem, None)
    assignments = {assignment for path in map(Path, test_files) if (assignment := _assignment_or_none(path.parent))}
    for assignment in sorted(assignments, key=lambda a: a.folder):
        for warm in (lambda: plugin._reference(solutions_root, assignment),
                     lambda: plugin._recording_reference(solutions_root, assignment),
                     lambda: lone or plugin._replayable(solutions_root, assignment)[1].build(),
                     lambda: plugin._thresholds((solutions_root / assignment.folder).resolve()),
                     lambda: plugin._thresholds((solutions_root.parent / "assignments" / assignment.folder).resolve())):
            try:
                warm()
            except Exception:  # noqa: BLE001 - the child meets the same error and reports it
                pass


def warm_child_start(test_files, solutions_root):
    """Make here, once, what every child would otherwise find again before its first test (each is kept per process)."""
    from autograder.runner import run
    from autograder.sandbox import bubblewrap, cgroups

    # Each child parses its request: the parser, and the patterns argparse compiles for the request's arguments
    # (the same for every request of this shape; each child compiled them again, ~0.4 ms), are made here, from a
    # request made as grade makes it: argparse compiles a pattern per arrangement of options and positionals.
    run.parse_arguments(runner_arguments("submission", "records.json", solutions_root, "auto", "0", test_files,
                                         "definitions"))
    bubblewrap.exposed_packages()  # what every sandbox shows
    bubblewrap.site_folders()  # the site folders every sandbox hides (sysconfig's paths: ~2 ms a child)
    bubblewrap.data_boot()  # how every sandbox finds the data package
    bubblewrap.compile_sandbox_modules()
    bubblewrap.python_roots(sys.executable)  # the interpreter's folders, bound into every sandbox
    bubblewrap.find_bwrap()  # the bwrap program, which every child's sandbox asks for
    try:
        cgroups.layout()  # where the sandboxes' control groups go: a child is in this process's groups
    except cgroups.CgroupsUnavailable:
        pass  # each child finds out again, and grades with rlimits alone


def warm_items(items, plugin):
    """Compute here, once, what each child would compute again on an item's first use: its location (pytest's,
    the test's source line), its test file's assignment and its visibility (the plugin's, each kept per file), and
    the standard split of each data set a collected test asks for by its fixture (``digits``, ``diabetes``).

    By the fixtures the items request, not by the test files' text: a comment of 02's saying "digits" had every
    server of a 02 batch load the digits (~17 ms) that no 02 test uses, while 08's ``diabetes`` was loaded again
    by every child.
    """
    from autograder.runner.plugin import STANDARD_SPLITS

    asked = set()
    for item in items:
        try:
            item.location
            plugin.assignment_of(item)
            plugin.visibility_of(item.path)
            asked.update(getattr(item, "fixturenames", ()))
        except Exception:  # noqa: BLE001 - the child's run of that item reports it
            pass
    for name in sorted(asked & STANDARD_SPLITS.keys()):
        try:
            STANDARD_SPLITS[name]()
        except Exception:  # noqa: BLE001 - the child's test that asks for it reports it
            pass


def _assignment_or_none(folder):
    """The assignment of a test folder; None when it cannot be read (the child reports why)."""
    from autograder.kit.assignments import read_assignment

    try:
        return read_assignment(folder)
    except ValueError:
        return None


def _become_runner(request, protocol_fds):
    """In a forked child: the submission's grader.log as output, its scratch folder as working folder."""
    null = os.open(os.devnull, os.O_RDONLY)
    log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(null, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    for fd in (null, log, *protocol_fds):
        os.close(fd)
    os.chdir(request["cwd"])
    from autograder.runner.run import limit_runner_memory

    limit_runner_memory()
    # As ``python -m autograder.runner`` does: what the run writes goes to the folder it is given.
    tempfile.tempdir = request["cwd"]
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _child_life(run, request, protocol_fds):
    _become_runner(request, protocol_fds)
    return run(request)


def _run_cold(request):
    """The whole runner in the child: its own pytest session, collection included."""
    from autograder.runner.run import main

    return main(request["args"])


class _CollectedRunner:
    """Runs one submission on the items this server's pytest session collected, in a forked child.

    The server's pytest session stops at its test loop (:meth:`pytest_runtestloop`) and serves
    requests from there: each child runs the collected items with the plugin pointed at its
    submission, exactly as a session of its own would, without parsing, configuring and
    collecting again (about 40 ms for one assignment, 80 ms for six).
    """

    def __init__(self, plugin, tests, protocol):
        self.plugin, self.protocol = plugin, protocol
        self.given = list(map(str, tests))  # as the pool gives them again with every request
        self.tests = [str(Path(t).resolve()) for t in tests]
        self.served = False

    def collected(self, tests):
        """Whether ``tests`` are the files this server collected (resolved only when not given as before)."""
        return tests == self.given or [str(Path(t).resolve()) for t in tests] == self.tests

    @hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session):
        self.served = True
        warm_items(session.items, self.plugin)
        _freeze()
        # After a collection error a session of its own reports it as such: let each child have one.
        run = _run_cold if session.testsfailed else functools.partial(self.run, session)
        _serve_requests(*self.protocol, run)
        return True

    def run(self, session, request):
        from autograder.runner import run as runner
        from autograder.sandbox import zygote
        from autograder.sandbox.kinds import make_sandbox

        args = runner.parse_arguments(request["args"])
        same_solutions = args.solutions and Path(args.solutions).resolve() == self.plugin.solutions_root
        if not self.collected(args.tests) or not same_solutions:
            return _run_cold(request)  # not what this server collected
        signal.signal(signal.SIGTERM, runner._terminate)
        sandbox = make_sandbox(args.sandbox)
        scratch = Path(tempfile.mkdtemp(prefix="autograder-"))
        workers = zygote.wrap(sandbox, args.submission, scratch, [Path(path).parent.name for path in args.tests])
        if workers is not sandbox:
            workers.prestart()
        plugin = self.plugin
        plugin.submission_root, plugin.sandbox, plugin.scratch = Path(args.submission), workers, scratch
        plugin.sessions, plugin.records, plugin.hidden_seed = {}, [], args.hidden_seed or ""
        plugin.definitions = args.definitions
        runner._running.append(plugin)
        try:
            for index, item in enumerate(session.items):  # pytest's own test loop
                following = session.items[index + 1] if index + 1 < len(session.items) else None
                item.config.hook.pytest_runtest_protocol(item=item, nextitem=following)
        finally:
            plugin.pytest_sessionfinish()
            if workers is not sandbox:
                workers.close()
            shutil.rmtree(scratch, ignore_errors=True)
        Path(args.results).write_text(json.dumps([record.to_dict() for record in plugin.records]))
        return 0


def _reply(replies, message):
    data = (json.dumps(message) + "\n").encode()
    while data:
        data = data[os.write(replies, data):]


def serve(test_files, solutions_root, lone=False):
    """The server: warm up, collect the tests once, then fork one child per request, one request at a time."""
    import gc

    # No collection while importing, warming up and collecting: what is built here lives as long as the server,
    # and the collector, run every few hundred allocations, walked it all again each time (55-100 ms of a
    # server's start, full collections among them); _freeze turns it on again before any child is forked.
    gc.disable()
    import pytest

    from autograder.runner.run import pytest_arguments
    from autograder.runner.plugin import GradingPlugin

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the grader decides when to stop (it closes our stdin)
    protocol = (os.dup(0), os.dup(1))  # requests in, answers out; 0 and 1 become /dev/null for pytest
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    warm_up(test_files, solutions_root, lone)
    plugin = GradingPlugin(".", None, ".", solutions_root)
    collected = _CollectedRunner(plugin, test_files, protocol)
    if test_files:
        rootdir = os.path.commonpath([str(Path(path).resolve().parent) for path in test_files])
        try:
            pytest.main([*pytest_arguments(rootdir), "--capture=no", *map(str, test_files)],
                        plugins=[plugin, collected])
        except Exception:  # noqa: BLE001 - then every child runs a session of its own
            pass
    if not collected.served:
        _freeze()
        _serve_requests(*protocol, _run_cold)


def _freeze():
    """Freeze what the warm-up made: it is never collected, so children neither scan nor copy it; then turn the
    collector (off since :func:`serve` began) on again, so that each child runs with it as Python does.

    Without a full collection first: the garbage the warm-up left is frozen with the rest, kept for as long as the
    server (~700 objects for a single run; for a batch 1,251 with 02 alone, 270 KB, and 6,102 with the whole kit,
    640 KB: cells, functions and tuples the imports made and dropped, pytest's collection's leftovers, no open file
    and no array). Collecting them cost a batch's server ~35 ms of CPU, a full pass over its ~56,000 objects.
    """
    import gc

    gc.freeze()
    gc.enable()


def _serve_requests(requests, replies, run):
    pending = b""
    while True:
        while b"\n" not in pending:
            chunk = os.read(requests, 65536)
            if not chunk:
                return
            pending += chunk
        line, pending = pending.split(b"\n", 1)
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            live_and_exit(functools.partial(_child_life, run, request, (requests, replies)))
        _reply(replies, _wait(pid, request["timeout"], requests))


def _wait(pid, timeout, requests):
    """Wait for the child, stopping it when the timeout passes or when the grader closes our stdin."""
    child = os.pidfd_open(pid)
    deadline = time.monotonic() + timeout
    try:
        while True:
            ready, _, _ = select.select([child, requests], [], [], max(0.0, deadline - time.monotonic()))
            if child in ready:
                return {"status": os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])}
            if requests in ready:
                # The grader only writes while we are idle: readable now means our stdin closed.
                _stop(pid, child)
                os._exit(0)
            if time.monotonic() >= deadline:
                _stop(pid, child)
                return {"status": None, "timed_out": True}
    finally:
        os.close(child)


def _stop(pid, child):
    os.kill(pid, signal.SIGTERM)
    if not select.select([child], [], [], GRACE_SECONDS)[0]:
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(prog="python -m autograder.runner.forkserver")
    parser.add_argument("--solutions", required=True)
    parser.add_argument("--lone", action="store_true", help="it will serve one run (see warm_up)")
    parser.add_argument("tests", nargs="*")
    args = parser.parse_args(argv)
    serve(args.tests, args.solutions, args.lone)
    return 0


if __name__ == "__main__":
    sys.exit(main())
