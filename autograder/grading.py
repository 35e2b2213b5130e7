"""``autograder grade``: a whole class, in parallel, resumable.

Each submission is graded by its own trusted child process (``python -m
autograder.runner``), which starts the sandboxed workers; so a submission that
brings its grader process down costs only its own row. Results are written per
student, atomically, and the gradebook is rebuilt from them after every
submission: killing the grader and starting it again loses nothing and redoes
nothing that had finished.
"""
import csv
import hashlib
import io
import json
import os
import shutil
import stat
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from autograder import __version__
from autograder.assignments import ASSIGNMENTS
from autograder.config import load_points
from autograder.reports import feedback_html, gradescope_results
from autograder.scoring import points_text, score

SUBMISSION_TIMEOUT = 900
MAX_ZIP_BYTES = 64 * 1024**2
MAX_ZIP_FILES = 2000
WORK_FOLDER = ".work"
SCRATCH_PREFIX = "autograder-grade-"


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path
    problem: str = ""


def atomic_write(path, text):
    """Write ``text`` to ``path`` so that a reader (or a crash) never sees half of it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


def safe_unzip(archive, destination):
    """Unpack ``archive`` into ``destination``, refusing path tricks, links and zip bombs.

    Returns the folder that holds the assignment folders (a single wrapping folder is looked through).
    """
    destination = Path(destination)
    with zipfile.ZipFile(archive) as bundle:
        members = bundle.infolist()
        if len(members) > MAX_ZIP_FILES or sum(m.file_size for m in members) > MAX_ZIP_BYTES:
            raise ValueError(f"{archive.name} is too large to grade (over {MAX_ZIP_FILES} files or "
                             f"{MAX_ZIP_BYTES // 1024**2} MiB unpacked)")
        for member in members:
            name = Path(member.filename)
            if name.is_absolute() or ".." in name.parts:
                raise ValueError(f"{archive.name} contains an unsafe path: {member.filename}")
            if stat.S_ISLNK(member.external_attr >> 16):
                raise ValueError(f"{archive.name} contains a symbolic link: {member.filename}")
        for member in members:
            target = destination / member.filename
            if member.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with bundle.open(member) as source:
                target.write_bytes(source.read(MAX_ZIP_BYTES + 1)[:MAX_ZIP_BYTES])
    entries = [entry for entry in destination.iterdir() if entry.name != "__MACOSX"]
    folders = {assignment.folder for assignment in ASSIGNMENTS}
    if len(entries) == 1 and entries[0].is_dir() and entries[0].name not in folders:
        return entries[0]
    return destination


def folder_problem(folder):
    """Why the submission folder cannot be graded ("" when it can): the rules a zip follows.

    A symbolic link would let the grader bind or read whatever it points to (the reference
    solution, say) as the student's work, and a folder of any size costs time to fingerprint.
    """
    count = size = 0
    for top, folders, files in os.walk(folder):
        for name in folders + files:
            if os.path.islink(os.path.join(top, name)):
                link = Path(top, name).relative_to(folder)
                return f"{folder.name} contains a symbolic link: {link} (submit the file itself)"
        count += len(files)
        size += sum(os.stat(os.path.join(top, name)).st_size for name in files)
        if count > MAX_ZIP_FILES or size > MAX_ZIP_BYTES:
            return (f"{folder.name} is too large to grade (over {MAX_ZIP_FILES} files or "
                    f"{MAX_ZIP_BYTES // 1024**2} MiB)")
    return ""


def discover(submissions, work):
    """Every submission in the folder, sorted by student id: sub-folders, zips and notebooks.

    An nbgrader course folder (with ``source/`` and ``submitted/``) stands for its
    ``submitted/<student>/<assignment>/``; its assignments are found by notebook name
    (:func:`~autograder.submission.assignment_folder`), whatever nbgrader calls them.
    """
    found = {}
    if (Path(submissions) / "submitted").is_dir() and (Path(submissions) / "source").is_dir():
        submissions = Path(submissions) / "submitted"
    for entry in sorted(Path(submissions).iterdir()):
        if entry.name.startswith("."):
            continue
        student = entry.stem if entry.is_file() else entry.name
        if student in found:
            continue  # alice/ and alice.zip: the first one, alphabetically, counts
        if entry.is_dir():
            found[student] = Submission(student, entry, folder_problem(entry))
        elif entry.suffix == ".zip":
            destination = Path(work) / student
            try:
                if destination.exists():
                    shutil.rmtree(destination)
                destination.mkdir(parents=True)
                found[student] = Submission(student, safe_unzip(entry, destination))
            except (ValueError, zipfile.BadZipFile, OSError) as error:
                reason = str(error) if isinstance(error, ValueError) else f"{entry.name} is not a readable zip"
                found[student] = Submission(student, entry, reason)
        elif entry.suffix == ".ipynb":
            found[student] = Submission(student, entry)
    return list(found.values())


def fingerprint(submission):
    """A digest of the submission's files and the grader's version: what a finished result was made from."""
    digest = hashlib.sha256(__version__.encode())
    paths = [submission.path] if submission.path.is_file() else sorted(
        path for path in submission.path.rglob("*") if path.is_file() and not path.is_symlink()
    )
    for path in paths:
        digest.update(str(path.relative_to(submission.path.parent)).encode())
        size = path.stat().st_size
        if size > MAX_ZIP_BYTES:  # too large to grade anyway: its size and time stand for its bytes
            digest.update(f"{size}:{path.stat().st_mtime_ns}".encode())
            continue
        with open(path, "rb") as file:
            for block in iter(lambda: file.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def test_files(root):
    """The public and hidden test files of every assignment, in assignment order."""
    files = []
    for assignment in ASSIGNMENTS:
        files += sorted((root / "assignments" / assignment.folder).glob("test_*.py"))
        files += sorted((root / "solutions" / assignment.folder).glob("test_*.py"))
    return files


def problems_of(records):
    """The submission-level problems: missing or unimportable assignments, worker deaths."""
    seen = []
    for record in records:
        if record.get("problem") and record["problem"] not in seen:
            seen.append(record["problem"])
    return seen


def run_submission(submission, root, sandbox_kind, log_path, runner=None, scratch_root=None):
    """Grade one submission in a child process; return its test records and a problem ("" if none).

    ``runner`` starts that process (:mod:`autograder.forkserver`): forked from a warm server
    (:class:`~autograder.forkserver.RunnerPool`, what ``grade`` uses) or started afresh (the
    default). Raises :class:`~autograder.forkserver.Interrupted` when the grader is stopping.
    Its scratch folder goes in ``scratch_root`` (default: the system's temporary folder).
    """
    from autograder.forkserver import ColdRunner

    if submission.problem:
        return [], submission.problem
    with tempfile.TemporaryDirectory(prefix=SCRATCH_PREFIX, dir=scratch_root) as scratch:
        raw = Path(scratch) / "records.json"
        arguments = [str(submission.path), str(raw), "--solutions", str(root / "solutions"),
                     "--sandbox", sandbox_kind, *map(str, test_files(root))]
        if (runner or ColdRunner()).run(arguments, log_path, scratch, SUBMISSION_TIMEOUT) == "timed out":
            return [], f"grading took longer than {SUBMISSION_TIMEOUT} s and was stopped"
        if not raw.is_file():
            return [], "the grader failed on this submission (see grader.log)"
        return json.loads(raw.read_text()), ""


def grade_submission(submission, root, out, sandbox_kind, points, runner=None):
    """Grade one submission and write its results.json and feedback.html; return its gradebook row."""
    started = time.monotonic()
    folder = Path(out) / submission.student
    folder.mkdir(parents=True, exist_ok=True)
    scratch_root = Path(out) / WORK_FOLDER  # where a grader killed mid-run leaves it, for the next run to clear
    scratch_root.mkdir(exist_ok=True)
    records, failure = run_submission(submission, root, sandbox_kind, folder / "grader.log", runner, scratch_root)
    return write_results(submission, out, points, records, failure, time.monotonic() - started)


def write_results(submission, out, points, records, failure, seconds):
    """Score ``records`` and write the submission's feedback.html and results.json; return its gradebook row."""
    folder = Path(out) / submission.student
    folder.mkdir(parents=True, exist_ok=True)
    scores = score(records, points)
    problems = ([failure] if failure else []) + problems_of(records)
    status = "ok" if not problems else "; ".join(problems)
    row = gradebook_row(submission.student, scores, status)
    results = gradescope_results(scores, seconds, status)
    results["extra_data"] = {"fingerprint": fingerprint(submission), "gradebook_row": row}
    atomic_write(folder / "feedback.html", feedback_html(submission.student, scores, status))
    atomic_write(folder / "results.json", json.dumps(results, indent=2))  # last: it marks the work done
    return row


def gradebook_row(student, scores, status):
    row = {"student": student}
    row.update({folder: points_text(value) for folder, value in scores.by_assignment.items()})
    row.update(total=points_text(scores.total), max_total=points_text(scores.max_total), status=status)
    return row


def finished_row(submission, out):
    """The gradebook row of a finished result for this very submission, or None."""
    path = Path(out) / submission.student / "results.json"
    try:
        extra = json.loads(path.read_text())["extra_data"]
        if extra["fingerprint"] == fingerprint(submission):
            return extra["gradebook_row"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


GRADEBOOK_COLUMNS = ["student", *(a.folder for a in ASSIGNMENTS), "total", "max_total", "status"]


def write_gradebook(out, submissions, rows):
    """gradebook.csv: one row per submission, in student order; unfinished ones say ``pending``."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=GRADEBOOK_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for submission in submissions:
        writer.writerow(rows.get(submission.student) or {"student": submission.student, "status": "pending"})
    atomic_write(Path(out) / "gradebook.csv", buffer.getvalue())


def grade(submissions_dir, out, root, jobs, sandbox_kind, progress=True, cluster=None):
    """Grade every submission in ``submissions_dir`` into ``out``; return the gradebook rows.

    Locally with ``jobs`` submissions at once, or on the Dask cluster at the address
    ``cluster`` (:mod:`autograder.cluster`); the results are written here either way.
    Interrupted (Ctrl-C), it stops every runner, writes nothing unfinished and raises
    ``KeyboardInterrupt``; the next run resumes.
    """
    from tqdm import tqdm

    out = Path(out).resolve()  # the per-submission processes run elsewhere: no relative paths
    out.mkdir(parents=True, exist_ok=True)
    for stale in (out / WORK_FOLDER).glob(f"{SCRATCH_PREFIX}*"):  # a killed run's (see grade_submission)
        shutil.rmtree(stale, ignore_errors=True)
    submissions = discover(Path(submissions_dir).resolve(), out / WORK_FOLDER)
    points = {a.folder: load_points(root / "solutions", a) for a in ASSIGNMENTS}
    rows = {s.student: row for s in submissions if (row := finished_row(s, out))}
    todo = [s for s in submissions if s.student not in rows]
    write_gradebook(out, submissions, rows)
    bar = tqdm(total=len(submissions), initial=len(rows), unit="submission", disable=not progress,
               desc="grading", file=sys.stderr, dynamic_ncols=True)

    def finished(student, row):
        rows[student] = row
        write_gradebook(out, submissions, rows)
        bar.update()

    try:
        if cluster is not None:
            from autograder.cluster import grade_on_cluster

            grade_on_cluster(cluster, todo, root, out, sandbox_kind, points, finished)
        elif todo:
            grade_locally(todo, root, out, jobs, sandbox_kind, points, finished)
    finally:
        bar.close()
    return [rows[s.student] for s in submissions]


def grade_locally(todo, root, out, jobs, sandbox_kind, points, finished):
    """Grade ``todo`` with ``jobs`` warm runners at once; call ``finished(student, row)`` as each one ends."""
    from autograder.forkserver import RunnerPool

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
