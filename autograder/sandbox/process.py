"""How a worker process is started, confined and killed.

Two kinds:

- :class:`ChildProcess`: a plain child process in its own session, with
  resource limits. It isolates crashes, hangs and floods of output, but it is
  NOT a security sandbox: the code can read what the user can read.
- :class:`Bubblewrap` (see :mod:`autograder.sandbox.bubblewrap`): the same, run as an
  unprivileged user inside bubblewrap with no network, a private /tmp and only
  the submission and the Python runtime visible.
"""
import os
import resource
import signal
import sys
from pathlib import Path

from autograder.sandbox.inside.limits import CPU_SECONDS, MEMORY_BYTES, OPEN_FILES, OUTPUT_BYTES

PACKAGE_PARENT = Path(__file__).resolve().parents[2]  # the folder holding the autograder package
# The worker's main() is called, not bound in __main__: the student's code reads sys.modules["__main__"], and a function
# of the worker's there leads to the worker's names through its __globals__ (the wire every keyed frame passes through).
# ``{data}`` is where a sandbox makes the kit's data package importable (an empty string elsewhere: data_boot).
BOOT = ("import sys; sys.path.insert(0, {parent!r}); {data}"
        "__import__('autograder.sandbox.inside.worker', fromlist=['main']).main()")
PASSED_ENVIRONMENT = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LANG", "LC_ALL")


def worker_environment(home):
    """A small, fixed environment: one BLAS thread (workers run in parallel), no user settings."""
    environment = {name: os.environ[name] for name in PASSED_ENVIRONMENT if name in os.environ}
    environment.update(
        PATH="/usr/local/bin:/usr/bin:/bin", HOME=str(home), MPLBACKEND="Agg",
        OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONHASHSEED="0",
    )
    return environment


def limit_resources(processes=None):
    """Apply the worker's rlimits in the child, before it runs anything else."""
    limits = [
        (resource.RLIMIT_AS, MEMORY_BYTES),
        (resource.RLIMIT_CPU, CPU_SECONDS),
        (resource.RLIMIT_FSIZE, OUTPUT_BYTES),
        (resource.RLIMIT_NOFILE, OPEN_FILES),
        (resource.RLIMIT_CORE, 0),
    ]
    if processes is not None:
        limits.append((resource.RLIMIT_NPROC, processes))
    for kind, value in limits:
        resource.setrlimit(kind, (value, value))


class ChildProcess:
    """A worker in a plain child process (crash and timeout isolation, no security)."""

    name = "child process (it isolates crashes and timeouts, but it is NOT a security sandbox)"
    secure = False

    def __init__(self, python=sys.executable, scratch="/tmp"):
        self.python = python
        self.scratch = scratch

    def path_inside(self, path):
        return Path(path)

    def worker_command(self, submission_folder, fds, boot=BOOT):
        argv = [self.python, "-I", "-c", boot.format(parent=str(PACKAGE_PARENT), data=""), *map(str, fds)]
        return argv, dict(cwd=str(submission_folder), env=worker_environment(self.scratch),
                          start_new_session=True, preexec_fn=limit_resources)

    def started(self, process):
        """Nothing to remember about a plain child."""

    def kill(self, process):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
