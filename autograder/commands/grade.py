"""``autograder grade``: a whole class, in parallel, resumable.

Each submission is graded by its own trusted child process (:mod:`autograder.runner.submission`), which starts the sandboxed workers; so a submission that
brings its grader process down costs only its own row. Results are written per
student, atomically, and the gradebook is rebuilt from them after every
submission: killing the grader and starting it again loses nothing and redoes
nothing that had finished. Once every submission is graded, the class report
(``report.html``, ``report.csv``: :mod:`autograder.results.report`) is written from
those results, with the near-identical pairs of :mod:`autograder.results.similarity`.
"""
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from autograder.kit.assignments import ASSIGNMENTS, test_files
from autograder.kit.config import load_points
from autograder.results.gradebook import gradebook_row, write_gradebook
from autograder.results.report import write_report
from autograder.results.similarity import similar_pairs
from autograder.results.resume import finished_row
from autograder.results.scoring import score
from autograder.results.write import write_results
from autograder.runner.forkserver import Interrupted
from autograder.runner.submission import SCRATCH_PREFIX, run_submission
from autograder.sandbox.cgroups import remove_orphans
from autograder.submissions.discover import discover
from autograder.submissions.tree import remove_tree

WORK_FOLDER = ".work"


def grade_submission(submission, root, out, sandbox_kind, points, runner=None):
    """Grade one submission and write its results.json and feedback.html; return its gradebook row.

    Whatever goes wrong on the way (short of the grader being stopped: :class:`Interrupted`) is this
    submission's status, never the batch's end: see :func:`failed_row`.
    """
    started = time.monotonic()
    try:
        folder = Path(out) / submission.student
        folder.mkdir(parents=True, exist_ok=True)
        scratch_root = Path(out) / WORK_FOLDER  # where a grader killed mid-run leaves it, for the next run to clear
        scratch_root.mkdir(exist_ok=True)
        log = folder / "grader.log"
        records, failure = run_submission(submission, root, sandbox_kind, log, runner, scratch_root)
        if log.is_file() and log.stat().st_size == 0:  # the runner had nothing to say: no empty file to open
            log.unlink()
        return write_results(submission, out, points, records, failure, time.monotonic() - started, root)
    except (Interrupted, KeyboardInterrupt):
        raise
    except Exception as error:  # noqa: BLE001 - the grader's own trouble with one submission
        return failed_row(submission, out, points, error, time.monotonic() - started)


def failed_row(submission, out, points, error, seconds):
    """The row of a submission the grader failed on: written as its result when it can be, so that the
    next run does not try again in vain, and returned in any case, so that the batch goes on."""
    status = f"the grader failed on this submission ({type(error).__name__}: {str(error)[:200]})"
    try:
        return write_results(submission, out, points, [], status, seconds)
    except Exception:  # noqa: BLE001 - nothing can be written for it: its row still counts, for this run
        return gradebook_row(submission.student, score([], points), status)


def grade(submissions_dir, out, root, jobs, sandbox_kind, progress=True, cluster=None):
    """Grade every submission in ``submissions_dir`` into ``out``; return the gradebook rows.

    Locally with ``jobs`` submissions at once, or on the Dask cluster at the address
    ``cluster`` (:mod:`autograder.runner.cluster`); the results are written here either way.
    Interrupted (Ctrl-C), it stops every runner, writes nothing unfinished and raises
    ``KeyboardInterrupt``; the next run resumes.
    """
    from tqdm import tqdm

    out = Path(out).resolve()  # the per-submission processes run elsewhere: no relative paths
    out.mkdir(parents=True, exist_ok=True)
    for stale in (out / WORK_FOLDER).glob(f"{SCRATCH_PREFIX}*"):  # a killed run's (see grade_submission)
        remove_tree(stale)
    submissions = discover(Path(submissions_dir).resolve(), out / WORK_FOLDER)
    points = {a.folder: load_points(root / "solutions", a) for a in ASSIGNMENTS}
    rows = {s.student: row for s in submissions if (row := _finished(s, out))}
    todo = [s for s in submissions if s.student not in rows]
    write_gradebook(out, submissions, rows)
    bar = tqdm(total=len(submissions), initial=len(rows), unit="submission", disable=not progress,
               desc="grading", file=sys.stderr, dynamic_ncols=True)

    def finished(student, row):
        rows[student] = row
        write_gradebook(out, submissions, rows)
        bar.update()

    remove_orphans()  # a killed run's sandboxes' control groups
    try:
        if cluster is not None:
            from autograder.runner.cluster import grade_on_cluster

            grade_on_cluster(cluster, todo, root, out, sandbox_kind, points, finished)
        elif todo:
            grade_locally(todo, root, out, jobs, sandbox_kind, points, finished)
    finally:
        bar.close()
        remove_orphans()  # those of runners killed on their timeout
    graded = [rows[s.student] for s in submissions]
    maxima = {folder: float(sum(by_test.values())) for folder, by_test in points.items()}
    write_report(out, graded, maxima, similar_pairs(submissions, root))
    return graded


def _finished(submission, out):
    """Its finished row, or None: also when reading it fails (it is graded again)."""
    try:
        return finished_row(submission, out)
    except Exception:  # noqa: BLE001 - e.g. its files changed under us while being read
        return None


def grade_locally(todo, root, out, jobs, sandbox_kind, points, finished):
    """Grade ``todo`` with ``jobs`` warm runners at once; call ``finished(student, row)`` as each one ends."""
    from autograder.runner.forkserver import RunnerPool

    runner = RunnerPool(test_files(root), root / "solutions")
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    futures = {}
    try:
        futures = {pool.submit(grade_submission, s, root, out, sandbox_kind, points, runner): s for s in todo}
        for future in as_completed(futures):
            finished(futures[future].student, future.result())
    finally:  # normally nothing is left; after Ctrl-C, the runs in progress are stopped and write nothing
        for future in futures:
            future.cancel()
        runner.close()
        pool.shutdown(wait=True)
