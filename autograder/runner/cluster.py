"""``autograder grade --cluster ADDRESS``: the same per-submission grading, on a Dask cluster.

The grader (this process) stays the coordinator: it finds the submissions,
skips the finished ones, and writes every result itself, atomically, exactly as
a local run does (:func:`autograder.results.write.write_results`), so the gradebook,
the feedback and the resume guarantees are the same. What runs on the cluster
is the middle step only, :func:`autograder.runner.submission.run_submission`: on a Dask
worker, a trusted runner process per submission (forked from a warm server,
:mod:`autograder.runner.forkserver`) that sandboxes the student's code in its workers,
exactly as on one machine.

What travels: each submission's files (so the workers need no access to the
submissions folder), and once per worker the kit's tests, thresholds, points
and reference solutions (so the workers need no checkout of the kit, only the
``backprop-kit`` package installed in the same version), kept in the worker's
``~/.cache/backprop-kit/kits/<digest>``. The cluster therefore
sees the hidden tests and the solutions: use one you control. Results come
back as plain test records; nothing is written on the workers but scratch
files. Workers must be able to sandbox (root and bubblewrap) unless the grader
was told ``--no-sandbox``.

A worker that cannot sandbox stops the batch with its reason; Ctrl-C cancels
what has not started and writes nothing unfinished (tasks already running on
a worker run to their end, and their results are dropped). Either way the next
run resumes.
"""
import hashlib
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path

KIT_FOLDERS = ("assignments", "solutions")
CONNECT_SECONDS = 30


class ClusterError(RuntimeError):
    """The cluster cannot grade: its scheduler is out of reach, or a worker failed outside student code."""

_kits = {}  # on a Dask worker: digest of a kit -> the folder it was unpacked into
_runners = {}  # on a Dask worker: kit folder -> its RunnerPool


def pack_kit(root):
    """The files of the kit a runner needs (tests, thresholds, points, references), by relative path."""
    root = Path(root)
    files = {}
    for folder in KIT_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and not path.is_symlink():
                files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def pack_submission(submission):
    """A submission's files, by path relative to its folder (a single notebook: by its name); no junk travels."""
    from autograder.submissions.junk import kept_files

    path = Path(submission.path)
    if path.is_file():
        return {path.name: path.read_bytes()}
    return {p.relative_to(path).as_posix(): p.read_bytes()
            for p in kept_files(path)[0] if p.is_file() and not p.is_symlink()}


def digest_of(files):
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


def unpack(files, folder):
    folder = Path(folder)
    for name, data in files.items():
        target = (folder / name).resolve()
        if not target.is_relative_to(folder.resolve()):
            raise ValueError(f"unsafe path in a packed file: {name}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return folder


def kit_cache():
    """Where a worker keeps the kits it was sent: in its user's cache, which nobody else may change."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "backprop-kit" / "kits"
    cache.mkdir(mode=0o700, parents=True, exist_ok=True)
    return cache


def _kit_folder(kit, digest):
    """On a worker: the kit, unpacked once per machine and version (its digest names the folder)."""
    if digest not in _kits:
        folder = kit_cache() / digest
        if not folder.is_dir():
            staging = Path(tempfile.mkdtemp(prefix=f".{digest}-", dir=folder.parent))
            unpack(kit, staging)
            try:
                os.rename(staging, folder)  # atomic: another worker of this machine may do the same
            except OSError:
                shutil.rmtree(staging, ignore_errors=True)
        _kits[digest] = folder
    return _kits[digest]


def run_remote(student, files, single_file, kit, digest, sandbox_kind, hidden_seed, folders=None):
    """On a Dask worker: grade one submission's assignments ``folders`` (default: all); return (records, problem,
    log, seconds).

    ``hidden_seed`` comes from the coordinator: the course secret never leaves it.
    """
    from autograder.runner.forkserver import RunnerPool
    from autograder.kit.assignments import read_assignment, test_files
    from autograder.runner.submission import run_submission
    from autograder.submissions.discover import Submission
    from autograder.results.files import tidy_log

    started = time.monotonic()
    if sandbox_kind == "bwrap":
        from autograder.sandbox.bubblewrap import bubblewrap_problem

        if problem := bubblewrap_problem():  # else each student's code would seem to exit at import
            raise RuntimeError(f"the Dask worker on {os.uname().nodename} cannot sandbox student code ({problem})")
    root = _kit_folder(kit, digest)
    tests = test_files(root, None if folders is None else [read_assignment(root / "solutions" / f) for f in folders])
    if (root, folders) not in _runners:
        _runners[(root, folders)] = RunnerPool(tests, root / "solutions")
    with tempfile.TemporaryDirectory(prefix="autograder-cluster-") as scratch:
        path = unpack(files, Path(scratch) / "submission")
        if single_file:
            path = path / next(iter(files))
        log = Path(scratch) / "grader.log"
        log.touch()
        records, problem = run_submission(Submission(student, path), root, sandbox_kind, log,
                                          _runners[(root, folders)], hidden_seed=hidden_seed, tests=tests)
        return records, problem, tidy_log(log), time.monotonic() - started


def grade_on_cluster(address, todo, root, out, term, sandbox_kind, finished):
    """Grade ``todo`` (:class:`~autograder.commands.grade.Job`) on the Dask cluster at ``address``; write
    each result here as it comes back."""
    from distributed import Client, as_completed

    from autograder.results.files import atomic_write
    from autograder.runner.submission import student_seed

    try:
        client = Client(address, set_as_default=False, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError) as error:
        raise ClusterError(f"could not reach a Dask scheduler at {address} ({error}). Start one with "
                           "'dask scheduler' and pass the address it prints, like tcp://HOST:8786") from None
    futures = {}
    try:
        kit = pack_kit(root)
        digest = digest_of(kit)
        [kit_future] = client.scatter([kit], broadcast=True, hash=False)
        for job in todo:
            submission = job.submission
            if submission.problem:  # an unreadable zip: nothing to run anywhere
                finished(submission.student, job.finish(out, term, failure=submission.problem))
                continue
            future = client.submit(run_remote, submission.student, pack_submission(submission),
                                   Path(submission.path).is_file(), kit_future, digest, sandbox_kind,
                                   student_seed(root, submission.student), job.folders(term),
                                   key=f"grade-{submission.student}-{uuid.uuid4().hex}", pure=False, retries=0)
            futures[future] = job
        for future in as_completed(futures, loop=client.loop):
            job = futures.pop(future)
            submission = job.submission
            try:
                records, problem, log, seconds = future.result()
            except Exception as error:  # the worker's, not the student's: student code fails inside run_remote
                raise ClusterError(f"grading {submission.student} failed on its Dask worker: {error}") from error
            log_path = Path(out) / submission.student / "grader.log"
            if log:
                atomic_write(log_path, log)
            else:  # the runner had nothing to say: no empty file (nor an earlier run's)
                log_path.unlink(missing_ok=True)
            finished(submission.student, job.finish(out, term, records, problem, seconds))
    finally:
        if futures:
            client.cancel(list(futures), force=True)
        client.close()
