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
import subprocess
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


def discover(submissions, work):
    """Every submission in the folder, sorted by student id: sub-folders, zips and notebooks."""
    found = {}
    for entry in sorted(Path(submissions).iterdir()):
        if entry.name.startswith("."):
            continue
        student = entry.stem if entry.is_file() else entry.name
        if student in found:
            continue  # alice/ and alice.zip: the first one, alphabetically, counts
        if entry.is_dir():
            found[student] = Submission(student, entry)
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
        digest.update(path.read_bytes())
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


def run_submission(submission, root, sandbox_kind, log_path):
    """Grade one submission in a child process; return its test records and a problem ("" if none)."""
    if submission.problem:
        return [], submission.problem
    with tempfile.TemporaryDirectory(prefix="autograder-grade-") as scratch:
        raw = Path(scratch) / "records.json"
        command = [sys.executable, "-m", "autograder.runner", str(submission.path), str(raw),
                   "--solutions", str(root / "solutions"), "--sandbox", sandbox_kind,
                   *map(str, test_files(root))]
        with open(log_path, "w") as log:
            try:
                subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               timeout=SUBMISSION_TIMEOUT, check=False, cwd=scratch)
            except subprocess.TimeoutExpired:
                return [], f"grading took longer than {SUBMISSION_TIMEOUT} s and was stopped"
        if not raw.is_file():
            return [], "the grader failed on this submission (see grader.log)"
        return json.loads(raw.read_text()), ""


def grade_submission(submission, root, out, sandbox_kind, points):
    """Grade one submission and write its results.json and feedback.html; return its gradebook row."""
    started = time.monotonic()
    folder = Path(out) / submission.student
    folder.mkdir(parents=True, exist_ok=True)
    records, failure = run_submission(submission, root, sandbox_kind, folder / "grader.log")
    scores = score(records, points)
    problems = ([failure] if failure else []) + problems_of(records)
    status = "ok" if not problems else "; ".join(problems)
    row = gradebook_row(submission.student, scores, status)
    results = gradescope_results(scores, time.monotonic() - started, status)
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


def grade(submissions_dir, out, root, jobs, sandbox_kind, progress=True):
    """Grade every submission in ``submissions_dir`` into ``out``; return the gradebook rows."""
    from tqdm import tqdm

    out = Path(out).resolve()  # the per-submission processes run elsewhere: no relative paths
    out.mkdir(parents=True, exist_ok=True)
    submissions = discover(Path(submissions_dir).resolve(), out / WORK_FOLDER)
    points = {a.folder: load_points(root / "solutions", a) for a in ASSIGNMENTS}
    rows = {s.student: row for s in submissions if (row := finished_row(s, out))}
    todo = [s for s in submissions if s.student not in rows]
    write_gradebook(out, submissions, rows)
    bar = tqdm(total=len(submissions), initial=len(rows), unit="submission", disable=not progress,
               desc="grading", file=sys.stderr)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(grade_submission, s, root, out, sandbox_kind, points): s for s in todo}
        try:
            for future in as_completed(futures):
                rows[futures[future].student] = future.result()
                write_gradebook(out, submissions, rows)
                bar.update()
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    bar.close()
    return [rows[s.student] for s in submissions]
