"""Resuming a batch: a finished result records what it was made from, and counts only for that."""
import hashlib
import json
import os
from pathlib import Path

from autograder.submissions.discover import MAX_ZIP_BYTES
from autograder.submissions.junk import kept_files
from autograder.version import __version__


def fingerprint(submission):
    """A digest of the submission's files and the grader's version: what a finished result was made from."""
    digest = hashlib.sha256(__version__.encode())
    if submission.problem:  # refused unread (too deep, a link, not a zip): the reason stands for the files
        digest.update(b"refused:" + submission.problem.encode("utf-8", "replace"))
        return digest.hexdigest()
    paths = [submission.path] if submission.path.is_file() else kept_files(submission.path)[0]
    for path in paths:
        digest.update(os.fsencode(path.relative_to(submission.path.parent)))  # names need not be UTF-8
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
    except (OSError, ValueError, KeyError, TypeError):  # not finished, or not for these files: grade it
        pass
    return None
