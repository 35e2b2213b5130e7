"""`autograder check` run on built examples, each in a copy of the release: what a student would be told.

Each example is built (``examples/build_examples.py``), the public tests and thresholds are copied
beside its work as the student release has them, and ``autograder check`` runs on it, niced, once
per example: on its own assignment only (``only``), or on all of them. :func:`graded` grades examples the
same way (`autograder grade`), for their feedback pages.
"""
import html
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ASSIGNMENTS, REPO

sys.path.insert(0, str(REPO / "examples"))

from build_examples import build  # noqa: E402
from catalogue import BUG  # noqa: E402

COMMAND = Path(sys.executable).with_name("autograder")


def public_tests_beside(folder, assignment):
    """Copy ``assignment``'s public tests, thresholds and fingerprints into the submission's ``folder``, as in the
    release."""
    for public in (REPO / "assignments" / assignment).glob("*"):
        if folder.is_dir() and (public.name.startswith("test_") or public.name in ("thresholds.toml",
                                                                                   "fingerprints.json")):
            shutil.copy(public, folder / public.name)


def check_output(submission, only=None):
    """What ``autograder check`` prints for ``submission`` (one assignment when ``only`` names it)."""
    return subprocess.run(["nice", "-n", "19", str(COMMAND), "check", str(submission), *([only] if only else [])],
                          capture_output=True, text=True, timeout=600).stdout


def checked(base, examples, own_assignment_only=True):
    """``{name: check's output}`` for the reference and each of ``examples``, built under ``base``."""
    build(base, examples)
    printed = {}
    for name, assignment in [("reference", None), *((example.name, example.assignment) for example in examples)]:
        for each in ASSIGNMENTS:
            public_tests_beside(base / name / each.folder, each.folder)
        printed[name] = check_output(base / name, assignment if own_assignment_only else None)
    return printed


def diagnoses(printed):
    """The diagnoses a check's output states."""
    return [line.split("Diagnosis: ", 1)[1] for line in printed.splitlines() if "Diagnosis: " in line]


def seen_in_public(example):
    """A bug that some public test fails: the ones `check` can see at all."""
    return example.kind == BUG and any(not test.startswith("test_hidden_") for test in example.expect)


def feedback_diagnoses(page):
    """The diagnoses a feedback page (HTML) states, unescaped."""
    text = html.unescape(page)
    return [line.split("Diagnosis: ", 1)[1].split("</div>")[0] for line in text.splitlines() if "Diagnosis: " in line]


def graded(base, examples, secret=None):
    """Grade the reference and ``examples`` (built under ``base``), niced, with `autograder grade`; return the out
    folder, which holds each one's ``feedback.html``. ``secret``: the course secret to draw hidden inputs under
    (else the checkout's own)."""
    build(base / "submissions", examples)
    shutil.rmtree(base / "submissions" / "stubs")
    env = {**os.environ, "BACKPROP_KIT_SECRET": secret} if secret else None
    subprocess.run(["nice", "-n", "19", str(COMMAND), "grade", str(base / "submissions"), "--out", str(base / "out")],
                   capture_output=True, text=True, timeout=1800, check=True, env=env)
    return base / "out"
