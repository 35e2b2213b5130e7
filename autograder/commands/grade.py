"""``autograder grade``: a whole class, in parallel, resumable, one term's run at a time.

Each submission is graded by its own trusted child process (:mod:`autograder.runner.submission`),
which starts the sandboxed workers; so a submission that brings its grader process down costs only
its own row. Results are written per student, atomically, and the gradebook is rebuilt from them
after every submission: killing the grader and starting it again loses nothing and redoes nothing
that had finished.

What a run grades is its :class:`~autograder.results.term.Term`: the assignments chosen
(``--assignment``, default every one of the course), the roster's students, submission times
and the late policy, overrides and manual points. A student's assignment is run again only when
its submission or its part of the kit changed, or when forced (``--force``, ``--student``); the
rest is rescored from the kept records (:mod:`autograder.results.resume`), which costs no test run. Once every submission is
graded, the class report (``report.html``, ``report.csv``: :mod:`autograder.results.report`) is
written from those results, with the near-identical pairs of :mod:`autograder.results.similarity`.
"""
import contextlib
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path

from autograder.kit.assignments import test_files
from autograder.kit.course import Kit
from autograder.results.files import tidy_log
from autograder.results.gradebook import gradebook_row, missing_row, write_gradebook
from autograder.results.resume import fingerprint, read_previous, to_rerun
from autograder.results.report import write_report
from autograder.results.similarity import similar_pairs
from autograder.results.scoring import score
from autograder.results.term import read_term
from autograder.results.write import write_results
from autograder.runner.forkserver import Interrupted
from autograder.runner.submission import SCRATCH_PREFIX, run_submission
from autograder.sandbox.cgroups import remove_orphans
from autograder.submissions.discover import discover
from autograder.submissions.folders import check_folders
from autograder.submissions.tree import remove_tree

WORK_FOLDER = ".work"


class Job:
    """One submission to grade in this run: what it was, what to run again, and why."""

    def __init__(self, submission, out, term):
        self.submission = submission
        self.previous = read_previous(out, submission.student)
        try:
            self.print = fingerprint(submission)
        except Exception:  # noqa: BLE001 - e.g. its files changed under us while being read: run it all again
            self.print = ""
        self.rerun = to_rerun(self.previous, self.print, term.kit_prints, term.is_forced(submission.student))

    def folders(self, term):
        """The assignments to run, in course order."""
        return tuple(folder for folder in term.folders if folder in self.rerun)

    def finish(self, out, term, records=(), failure="", seconds=0.0):
        return write_results(self.submission, out, term, self.previous, self.print, self.rerun, list(records),
                             failure, seconds)


def grade_submission(job, root, out, term, sandbox_kind, runner=None):
    """Run the job's assignments for one submission and write its results; return its gradebook row.

    Whatever goes wrong on the way (short of the grader being stopped: :class:`Interrupted`) is this
    submission's status, never the batch's end: see :func:`failed_row`.
    """
    started = time.monotonic()
    folder = Path(out) / job.submission.student
    log = folder / "grader.log"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        scratch_root = Path(out) / WORK_FOLDER  # where a grader killed mid-run leaves it, for the next run to clear
        scratch_root.mkdir(exist_ok=True)
        assignments = [term.kit.by_folder(f) for f in job.folders(term)]
        records, failure = run_submission(job.submission, root, sandbox_kind, log, runner, scratch_root,
                                          tests=test_files(root, assignments), notebooks_of=assignments)
        tidy_log(log)
        return job.finish(out, term, records, failure, time.monotonic() - started)
    except (Interrupted, KeyboardInterrupt):
        # Nothing of an unfinished run is kept: its log says nothing of a result, and a folder made for it
        # alone would read as a student graded.
        with contextlib.suppress(OSError):
            log.unlink(missing_ok=True)
            folder.rmdir()  # only when empty: an earlier result stays
        raise
    except Exception as error:  # noqa: BLE001 - the grader's own trouble with one submission
        return failed_row(job, out, term, error, time.monotonic() - started)


def failed_row(job, out, term, error, seconds):
    """The row of a submission the grader failed on: written as its result when it can be, so that the
    next run does not try again in vain, and returned in any case, so that the batch goes on."""
    status = f"the grader failed on this submission ({type(error).__name__}: {str(error)[:200]})"
    try:
        return job.finish(out, term, failure=status, seconds=seconds)
    except Exception:  # noqa: BLE001 - nothing can be written for it: its row still counts, for this run
        return gradebook_row(job.submission.student, score([], term.points), status)


def grade(submissions_dir, out, root, jobs, sandbox_kind, progress=True, cluster=None, *, assignments=(),
          roster=None, force=False, students=(), overrides=None, feedback=None, now=None, announce=None):
    """Grade every submission in ``submissions_dir`` into ``out``; return the gradebook rows.

    Locally with ``jobs`` submissions at once, or on the Dask cluster at the address
    ``cluster`` (:mod:`autograder.runner.cluster`); the results are written here either way.
    ``assignments`` (names), ``roster``, ``force``, ``students``, ``overrides`` and ``feedback``
    are the options of ``autograder grade``; ``now`` stands for the clock; ``announce(set_aside)``, when
    given, is called once every input is checked, before anything is graded, with a line for each entry of
    ``submissions_dir`` that is not graded and why (:func:`~autograder.submissions.discover.discover`). Interrupted (Ctrl-C),
    it stops every runner, writes nothing unfinished and raises ``KeyboardInterrupt``; the next
    run resumes.
    """
    root = Path(root).resolve()
    out = Path(out).resolve()  # the per-submission processes run elsewhere: no relative paths
    kit = Kit.read(root)
    skip = check_folders(submissions_dir, out, kit.assignments, roster=roster is not None, kit_root=root)
    fresh = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    for stale in (out / WORK_FOLDER).glob(f"{SCRATCH_PREFIX}*"):  # a killed run's (see grade_submission)
        remove_tree(stale)
    set_aside = []
    try:
        submissions = discover(Path(submissions_dir).resolve(), out / WORK_FOLDER,
                               [a.folder for a in kit.assignments], skip, set_aside)
        term = read_term(kit, submissions_dir, submissions, assignments, roster, overrides, force, students,
                         feedback, now)
    except BaseException:  # a term file to fix (or Ctrl-C): no zips left unpacked in OUT, and no OUT a typo made
        remove_tree(out / WORK_FOLDER)
        if fresh:
            with contextlib.suppress(OSError):
                out.rmdir()
        raise
    submissions = [replace(s, problem=term.time_problems[s.student]) if s.student in term.time_problems
                   and not s.problem else s for s in submissions]
    everyone = sorted({s.student for s in submissions} | set(term.roster or {}))
    rows = {student: missing_row(student, term.max_by_assignment())
            for student in everyone if student not in {s.student for s in submissions}}
    if announce is not None:  # before the kept results are rescored: a large class's take a while
        announce(set_aside)
    work = [Job(submission, out, term) for submission in submissions]
    kept = [job for job in work if not job.rerun]
    rescoring = progress_bar(len(kept), 0, "rescoring") if progress and kept else None
    try:
        for job in kept:  # nothing to run: rescored from the kept records (overrides, lateness may differ)
            try:
                rows[job.submission.student] = job.finish(out, term)
            except Exception as error:  # noqa: BLE001 - one submission's trouble is its own row
                rows[job.submission.student] = failed_row(job, out, term, error, 0.0)
            if rescoring is not None:
                rescoring.update()
    finally:
        if rescoring is not None:
            rescoring.close()
    todo = [job for job in work if job.rerun]
    write_gradebook(out, everyone, rows, term.folders)
    bar = progress_bar(len(everyone), len(everyone) - len(todo)) if progress else None

    def finished(student, row):
        rows[student] = row
        write_gradebook(out, everyone, rows, term.folders)
        if bar is not None:
            bar.update()

    remove_orphans()  # a killed run's sandboxes' control groups
    try:
        if cluster is not None:
            from autograder.runner.cluster import grade_on_cluster

            grade_on_cluster(cluster, todo, root, out, term, sandbox_kind, finished)
        elif todo:
            grade_locally(todo, root, out, term, jobs, sandbox_kind, finished)
    finally:
        if bar is not None:
            bar.close()
        remove_orphans()  # those of runners killed on their timeout
    graded = [rows[student] for student in everyone]
    if progress:
        print(f"writing the class report: comparing {len(submissions)} submissions' code", file=sys.stderr)
    write_report(out, graded, term.max_by_assignment(), similar_pairs(submissions, root, assignments=term.assignments))
    return graded


def progress_bar(total, done, what="grading"):
    """The progress bar on stderr; tqdm is imported only when it is shown (25 ms of a quiet run's start)."""
    from tqdm import tqdm

    return tqdm(total=total, initial=done, unit="submission", desc=what, file=sys.stderr, dynamic_ncols=True)


def grade_locally(todo, root, out, term, jobs, sandbox_kind, finished):
    """Grade ``todo`` with ``jobs`` warm runners at once; call ``finished(student, row)`` as each one ends.

    One pool of warm runners per set of assignments to run (a fork server serves the tests it collected).
    """
    from autograder.runner.forkserver import RunnerPool

    runs = Counter(job.folders(term) for job in todo)
    runners = {folders: RunnerPool(test_files(root, [term.kit.by_folder(f) for f in folders]), root / "solutions",
                                   runs=count) for folders, count in runs.items()}
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    futures = {}
    try:
        futures = {pool.submit(grade_submission, job, root, out, term, sandbox_kind, runners[job.folders(term)]): job
                   for job in todo}
        for future in as_completed(futures):
            finished(futures[future].submission.student, future.result())
    finally:  # normally nothing is left; after Ctrl-C, the runs in progress are stopped and write nothing
        for future in futures:
            future.cancel()
        for runner in runners.values():
            runner.close()
        pool.shutdown(wait=True)
