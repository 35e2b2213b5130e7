"""Running the tests of one submission, in this process (``check``) or as a child of ``grade``.

``python -m autograder.runner SUBMISSION RESULTS_JSON [--solutions DIR] [--sandbox KIND] [--hidden-seed HEX]
[--definitions DIR] TEST_FILE...``
writes the list of test records to RESULTS_JSON; ``grade`` starts one such
process per submission, so a submission can never disturb another one's run.
"""
import argparse
import functools
import json
import os
import resource
import shutil
import signal
import sys
import tempfile
from pathlib import Path

import pytest

from autograder.runner.plugin import GradingPlugin

PYTEST_ARGS = ["-p", "no:cacheprovider", "--assert=plain", "-o", "addopts=", "-c", os.devnull,
               "-p", "no:terminal", "-W", "ignore",
               # The plugin brings every fixture; a conftest.py beside the tests is not the runner's. The student
               # bundle's (autograder.runner.standalone) would otherwise register its own plugin on the bundle's
               # folder, and check a named notebook, or a notebook's kernel code, by the module on disk instead.
               "--noconftest",
               # Plugins a grading run has no use for; unraisableexception alone costs two full garbage
               # collections at the end of every run (0.1 s each with scipy and scikit-learn loaded).
               *[arg for name in ("unraisableexception", "threadexception", "logging", "pastebin", "junitxml",
                                  "doctest", "stepwise", "setuponly", "setupplan") for arg in ("-p", f"no:{name}")]]


def pytest_arguments(rootdir):
    """pytest's options for a grading session of the test files under ``rootdir``.

    ``--confcutdir`` there too: pytest collects an argument's every parent folder up to it, listing each
    one's subfolders (with ``-c /dev/null`` it is /dev, so from /: a kit under /tmp had pytest walk all of
    /tmp, 50 ms of a fork server's start for 500 folders). No conftest.py is read anyway (``--noconftest``).
    """
    return [*PYTEST_ARGS, "--rootdir", rootdir, "--confcutdir", rootdir]


# The trusted runner's own bound (address space): its usual peak is under 400 MiB, and what a worker sends
# it is bounded by the wire format; past this, a MemoryError fails this submission's run, not the machine.
RUNNER_MEMORY_BYTES = 3 * 1024**3


def limit_runner_memory():
    """Bound this runner's memory (its sandboxes set their own, lower, limits when they start)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY or soft > RUNNER_MEMORY_BYTES:
        try:
            resource.setrlimit(resource.RLIMIT_AS, (RUNNER_MEMORY_BYTES, hard))
        except (ValueError, OSError):  # macOS refuses address-space limits: a laptop's check goes unbounded
            pass


_running = []  # the plugins of the runs in progress: their workers die with this process


def _terminate(signum, frame):
    """SIGTERM (the grader stopping or a submission out of time): kill the workers, write nothing, exit."""
    for plugin in _running:
        for session in list(plugin.sessions.values()):
            try:
                session.close()
            except Exception:  # noqa: BLE001 - exiting anyway
                pass
        if hasattr(plugin.sandbox, "close"):
            plugin.sandbox.close()
        shutil.rmtree(plugin.scratch, ignore_errors=True)
    os._exit(128 + signum)


def run_tests(submission_root, test_files, sandbox, solutions_root=None, hidden_seed=None, definitions=None,
              plugins=()):
    """Run ``test_files`` against the submission; return the :class:`TestRecord` list.

    Raises KeyboardInterrupt when the session was interrupted (Ctrl-C), whose records would be a part taken for all.

    ``hidden_seed`` (:func:`autograder.kit.secret.hidden_seed`) seeds the student's hidden inputs; ``definitions`` is
    the folder where the caller wrote the submission's notebooks' definitions, if it did
    (:func:`autograder.submissions.locate.write_definitions`); ``plugins`` are pytest plugins to run beside the
    grading one, each made from it (``autograder generate``'s recording).
    """
    from autograder.sandbox import zygote

    with tempfile.TemporaryDirectory(prefix="autograder-") as scratch:
        # One warm process per submission forks the workers (see autograder.sandbox.zygote).
        workers = zygote.wrap(sandbox, submission_root, scratch, [Path(path).parent.name for path in test_files])
        if workers is not sandbox:
            workers.prestart()
        plugin = GradingPlugin(submission_root, workers, scratch, solutions_root, hidden_seed=hidden_seed)
        plugin.definitions = definitions
        folders = {Path(path).resolve().parent for path in test_files}
        rootdir = os.path.commonpath([str(folder) for folder in folders])
        imported = set(sys.modules)
        _running.append(plugin)
        try:
            ended = pytest.main([*pytest_arguments(rootdir), *map(str, test_files)],
                                plugins=[plugin, *(make(plugin) for make in plugins)])
        finally:
            # pytest imports a test file by its bare name (test_softmax): left in sys.modules, the next run in
            # this process (a second check(), another folder) would run the first folder's copy of the tests.
            # Only modules of the tests' own folders: the grader's own (under the same root in a checkout) stay.
            for name in set(sys.modules) - imported:
                file = getattr(sys.modules[name], "__file__", None)
                if file and Path(file).resolve().parent in folders:
                    del sys.modules[name]
            _running.remove(plugin)
            if workers is not sandbox:
                workers.close()
    if ended == pytest.ExitCode.INTERRUPTED:
        # pytest ends its session at a Ctrl-C and returns: the records are those of the tests before it, which
        # `check` reported as every test ("public: 3 of 3" for 02's 17, exit status 0).
        raise KeyboardInterrupt
    return plugin.records


def parse_arguments(argv=None):
    return _parser().parse_args(argv)


@functools.lru_cache(maxsize=None)
def _parser():
    """The runner's argument parser, built once per process (a fork server's children parse a request each)."""
    parser = argparse.ArgumentParser(prog="python -m autograder.runner")
    parser.add_argument("submission")
    parser.add_argument("results")
    parser.add_argument("tests", nargs="+")
    parser.add_argument("--solutions")
    parser.add_argument("--sandbox", default="auto")
    parser.add_argument("--hidden-seed", default=None, help="the student's seed of hidden inputs (hex)")
    parser.add_argument("--definitions", default=None,
                        help="a folder holding the submission's notebooks' definitions, written by the caller")
    return parser


def main(argv=None):
    from autograder.sandbox.kinds import make_sandbox

    args = parse_arguments(argv)
    limit_runner_memory()
    signal.signal(signal.SIGTERM, _terminate)
    # Whoever starts a runner gives it a scratch folder as its working folder (grade, the notebook kernel) and
    # removes it, also after a crash: what the run writes goes there, not where a killed run would leave it.
    tempfile.tempdir = os.getcwd()
    records = run_tests(args.submission, args.tests, make_sandbox(args.sandbox), args.solutions, args.hidden_seed,
                        args.definitions)
    Path(args.results).write_text(json.dumps([record.to_dict() for record in records]))
    return 0

