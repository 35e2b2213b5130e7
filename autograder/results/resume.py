"""Resuming and regrading: a finished result records what it was made from, and counts only for that.

``results.json``'s ``extra_data`` keeps, per assignment, the test records and the fingerprint of
the kit they were made with (:func:`kit_fingerprint`: the grader's version and the assignment's
tests, ``grading.toml`` (points, thresholds, manual items), public thresholds and reference
solution, and a keyed digest of the course secret that draws the hidden inputs), and the fingerprint of
the submission's files (:func:`fingerprint`). The next run
reruns an assignment's tests only when one of them changed, or when told to (``--force``,
``--student``); everything else (overrides, manual points, lateness, the feedback's visibility) is
recomputed from the kept records, which costs no test run.
"""
import hashlib
import hmac
import json
import os
from pathlib import Path

from autograder.submissions.discover import MAX_ZIP_BYTES
from autograder.submissions.junk import kept_files
from autograder.version import __version__

KIT_CHANGED, FORCED, SUBMISSION_CHANGED, NEW = "kit changed", "forced", "submission changed", "new"


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


def kit_fingerprint(root, assignment, secret=""):
    """A digest of everything in the kit that decides the assignment's grades, and the grader's version.

    ``secret`` (the course secret, :mod:`autograder.kit.secret`) draws the hidden inputs: another one
    regrades. Only a keyed digest of it enters the fingerprint, which results.json keeps.
    """
    root = Path(root)
    digest = hashlib.sha256(__version__.encode())
    digest.update(hmac.new(secret.encode(), b"kit fingerprint", hashlib.sha256).digest())
    for side in ("solutions", "assignments"):
        folder = root / side / assignment.folder
        for path in sorted(folder.iterdir()) if folder.is_dir() else ():
            if path.is_file() and path.suffix in (".py", ".toml") and (
                    path.name.startswith("test_") or path.suffix == ".toml" or side == "solutions"):
                digest.update(f"{side}/{path.name}\0".encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def read_previous(out, student):
    """The ``extra_data`` of the student's last result (``{}`` when there is none or it cannot be read)."""
    try:
        extra = json.loads((Path(out) / student / "results.json").read_text())["extra_data"]
        return extra if isinstance(extra, dict) else {}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def to_rerun(previous, submission_print, kit_prints, forced):
    """``{folder: reason}`` of the assignments whose tests must run again (reasons as in changes.csv)."""
    kept = previous.get("assignments", {}) if previous.get("fingerprint") == submission_print else {}
    reasons = {}
    for folder, kit_print in kit_prints.items():
        if forced:
            reasons[folder] = FORCED
        elif folder not in kept:
            reasons[folder] = SUBMISSION_CHANGED if folder in previous.get("assignments", {}) else NEW
        elif kept[folder].get("kit") != kit_print:
            reasons[folder] = KIT_CHANGED
    return reasons
