"""The example class of ``examples/catalogue.py``, built and graded once per test session.

Grading it is the expensive part of the suite (every submission runs the public and hidden
tests of all six assignments), so ``conftest.graded_class`` does it once, in one batch, the way
an instructor would: bugs, correct variants and attacks side by side, a job per core. Around the
batch it sets traps and takes stock of what grading could leave behind: a listener on
127.0.0.1 that no submission may reach, a secret in the grader's environment that no
submission may read, a private temporary folder that must end up empty, and the processes,
site-packages and /tmp files that must be as they were.
"""
import hashlib
import html
import os
import secrets
import socket
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy
from conftest import REPO, SANDBOX, SANDBOX_KIND, processes_about

from autograder.sandbox import cgroups
from autograder.sandbox.bubblewrap import FIRST_UID
from autograder.commands.grade import WORK_FOLDER, grade

sys.path.insert(0, str(REPO / "examples"))

from build_examples import build, selected  # noqa: E402
from catalogue import CANARY, PWNED, Context  # noqa: E402
from judge import Graded  # noqa: E402

JOBS = max(2, os.cpu_count() or 2)  # as `grade` does by default
SITE_PACKAGES = Path(numpy.__file__).resolve().parent.parent
HOST_TRACES = [Path("/tmp/daemon-heartbeat")]  # what a hostile submission would leave on the host if it escaped


@dataclass
class GradedClass:
    base: Path             # submissions/ and out/
    graded: Graded         # what `grade` wrote
    names: list            # the students, as built
    seconds: float         # wall-clock time of the batch
    reached_listener: int  # connections a submission made to the loopback listener
    canary: str            # the secret in the grader's environment
    traces: list           # what grading left behind (nothing, if all is well)

    @property
    def out(self):
        return self.base / "out"

    @property
    def rows(self):
        return self.graded.rows


def leaked_hidden_lines(page):
    """The lines of hidden tests that the feedback page ``page`` (HTML) shows, compared as the reader sees them."""
    text = html.unescape(page)
    return [line for _, line in hidden_source_lines() if line in text]


def hidden_source_lines():
    """The lines of the hidden tests that would give them away (what no feedback may show), with their file."""
    for hidden in (REPO / "solutions").glob("*/test_hidden_*.py"):
        for line in hidden.read_text().splitlines():
            line = line.strip()
            if len(line) > 30 and not line.startswith(("def ", "#", '"""', "@pytest", "import", "from")):
                yield hidden.name, line


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _stock():
    """The things on the machine that no submission may change."""
    return {"site-packages": sorted(os.listdir(SITE_PACKAGES)), "numpy": _digest(Path(numpy.__file__))}


def abandoned_groups():
    """Control groups of the sandboxes' (autograder.sandbox.cgroups) whose maker is gone: nobody will remove them.

    Once ``grade`` has returned, every runner of the batch has exited; a group whose maker still runs
    belongs to another grader on this machine, not to this batch.
    """
    return [path for path in cgroups.leftovers()
            if not Path("/proc", path.name[len(cgroups.PREFIX):].split("-", 1)[0]).exists()]


def sandbox_files():
    """Files in the host's temporary folders that belong to a sandbox's user (none can write there)."""
    found = []
    for folder in ("/tmp", "/var/tmp", "/dev/shm"):
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if FIRST_UID <= entry.stat(follow_symlinks=False).st_uid < FIRST_UID + 100000:
                    found.append(entry.path)
            except OSError:
                pass
    return found


def leftovers(base, private_tmp, stock):
    """Everything grading left behind that it should not have."""
    deadline = time.monotonic() + 10
    while processes_about(base) and time.monotonic() < deadline:  # a killed sandbox takes a moment to go
        time.sleep(0.2)
    traces = processes_about(base)
    traces += [f"left in the temporary folder: {path.name}" for path in Path(private_tmp).iterdir()]
    traces += [f"left in {WORK_FOLDER}: {path.name}" for path in (base / "out" / WORK_FOLDER).glob("autograder-*")]
    traces += [f"{name} changed" for name, value in _stock().items() if value != stock[name]]
    traces += [f"found {path}" for path in [*Path(PWNED).parent.glob(Path(PWNED).name + "*"), *HOST_TRACES]
               if path.exists()]
    traces += [f"found {path}" for path in (base.parent / "escaped-from-zip.py", base / "escaped-from-zip.py")
               if path.exists()]
    traces += [f"a sandbox's file on the host: {path}" for path in sandbox_files()]
    traces += [f"a control group left behind: {path}" for path in abandoned_groups()]
    return traces


def grade_class(base, jobs=JOBS):
    """Build every example (those a missing sandbox cannot hold left out) into ``base`` and grade them in one batch."""
    base = Path(base)
    examples = selected(sandboxed=SANDBOX.secure)
    for path in [*Path(PWNED).parent.glob(Path(PWNED).name + "*"), *HOST_TRACES]:
        path.unlink(missing_ok=True)  # from an earlier, broken run: they must not pass for this run's
    listener = socket.create_server(("127.0.0.1", 0), backlog=16)
    listener.setblocking(False)
    canary = secrets.token_hex(16)
    private_tmp = base / "tmp"
    private_tmp.mkdir(parents=True)
    saved = {name: os.environ.get(name) for name in (CANARY, "TMPDIR")}
    saved_tempdir, stock = tempfile.tempdir, _stock()
    try:
        submissions = build(base / "submissions", examples, Context(listener_port=listener.getsockname()[1]))
        os.environ.update({CANARY: canary, "TMPDIR": str(private_tmp)})
        tempfile.tempdir = str(private_tmp)
        started = time.monotonic()
        grade(submissions, base / "out", REPO, jobs=jobs, sandbox_kind=SANDBOX_KIND, progress=False)
        seconds = time.monotonic() - started
    finally:
        tempfile.tempdir = saved_tempdir
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    reached = 0
    while True:
        try:
            connection, _ = listener.accept()
        except BlockingIOError:
            break
        connection.close()
        reached += 1
    listener.close()
    names = ["reference", "stubs", *(example.name for example in examples)]
    return GradedClass(base, Graded(base / "out"), names, seconds, reached, canary,
                       leftovers(base, private_tmp, stock))
