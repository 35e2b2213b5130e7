"""Resuming a batch: a finished result records what it was made from, and counts only for that."""
import hashlib
import json
from pathlib import Path

from autograder.submissions.discover import MAX_ZIP_BYTES
from autograder.version import __version__


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
