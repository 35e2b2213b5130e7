"""Workers forked from a warm process: one sandbox per submission, one fresh process per assignment.

Starting a worker costs about 0.1 s, nearly all of it Python and numpy starting up,
and a submission of six assignments needs six (more after a crash or a timeout).
A *zygote* pays that once per submission: a process started inside the sandbox
exactly as a worker is (the same bubblewrap, user, rlimits), that imports numpy
and the worker and then only ever forks. Each worker is a fresh child of it,
in a session of its own, running the usual :func:`autograder.sandbox.inside.worker.serve`; it
starts in a few milliseconds. The zygote never runs a line of student code.

What changes for the student's code: its sandbox shows the whole submission
read-only at /submission/files (and the definitions extracted from its
notebooks at /submission/from-notebooks), not just the one assignment's folder;
the assignments' workers share the pid namespace and the private /tmp, which
is wiped whenever a worker is killed. Nothing outside the
submission becomes visible, and another submission never shares a zygote.

Killing a worker kills its process group; inside bubblewrap, every other process
that is not the zygote or a live worker's session (a daemon that escaped its
group) is killed too. When the zygote itself dies (student code may kill it:
same user), the next worker starts a new one; when it cannot, :meth:`Zygote.spawn`
answers None and the session starts the worker the old way.

Control messages are JSON on a SOCK_SEQPACKET socket, the worker's pipes and
output file travel with ``spawn`` as SCM_RIGHTS.
"""
import json
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path


INSIDE_SUBMISSION = Path("/submission/files")
INSIDE_EXTRACTED = Path("/submission/from-notebooks")
CONTROL_TIMEOUT = 20.0


class ZygoteDied(Exception):
    pass


def wrap(sandbox, submission_root, scratch, folders=()):
    """``sandbox`` with workers forked from a zygote, when it can (Linux, a sandbox that starts processes).

    ``folders`` are the assignment folders graded: the definitions extracted from their notebooks are
    bound in (none are without them).
    """
    if sys.platform != "linux" or not hasattr(sandbox, "worker_command") or hasattr(sandbox, "spawn"):
        return sandbox
    return Zygote(sandbox, submission_root, scratch, folders)


class ZygoteWorker:
    """A worker forked by the zygote, seen from the grader like a :class:`subprocess.Popen`."""

    def __init__(self, zygote, pid, generation):
        self.zygote, self.pid, self.generation, self.returncode = zygote, pid, generation, None

    def wait(self, timeout=None):
        if self.returncode is None:
            try:
                status = self.zygote.control({"op": "wait", "pid": self.pid, "timeout": timeout}, self,
                                             timeout=None if timeout is None else timeout + CONTROL_TIMEOUT)
            except ZygoteDied:
                status = None  # nobody can tell any more
            if status is None:
                raise subprocess.TimeoutExpired(f"worker {self.pid}", timeout)
            self.returncode = status
        return self.returncode

    def poll(self):
        try:
            return self.wait(0)
        except subprocess.TimeoutExpired:
            return None


class Zygote:
    """A sandbox (:class:`~autograder.sandbox.process.ChildProcess` or :class:`~autograder.sandbox.bubblewrap.Bubblewrap`)
    whose workers are forked from one warm process started in it."""

    def __init__(self, base, submission_root, scratch, folders=()):
        self.base = base
        self.name, self.secure = base.name, base.secure
        self.binds = {}
        root = Path(submission_root).resolve()
        if root.is_dir():
            self.binds[root] = INSIDE_SUBMISSION
        # Notebooks' definitions are extracted to scratch/<assignment folder>/ (autograder.submissions.locate).
        # Each such folder is bound, not the scratch folder itself (mode 0700: the sandbox's user could
        # not enter it); they are made now, as the zygote's bubblewrap cannot bind them later.
        for name in sorted(set(folders)):
            folder = Path(scratch).resolve() / name
            folder.mkdir(mode=0o755, exist_ok=True)
            self.binds[folder] = INSIDE_EXTRACTED / name
        self.process = self.socket = self.output = None
        self.generation = 0
        self.ready = False

    def prestart(self):
        """Start the zygote now, without waiting for it: it warms up while the tests are collected."""
        if self.process is None:
            try:
                self._launch()
            except OSError:
                self.close()

    # -- the sandbox interface -------------------------------------------------------------------
    def path_inside(self, module_path):
        return self._inside(module_path) or self.base.path_inside(module_path)

    def worker_command(self, submission_folder, fds):
        return self.base.worker_command(submission_folder, fds)

    def started(self, process):
        self.base.started(process)

    def cpu_seconds(self):
        """The sandbox's CPU time (None when its kind cannot tell): what the time limits charge."""
        return getattr(self.base, "cpu_seconds", lambda: None)()

    def waiting_seconds(self):
        """The time the sandbox's threads waited for a CPU (None when its kind cannot tell)."""
        return getattr(self.base, "waiting_seconds", lambda: None)()

    def spawn(self, folder, fds, output_file):
        """Fork a worker for the module folder ``folder``; None when this zygote cannot."""
        inside = self._inside(folder)
        if inside is None:
            return None
        cwd = "/tmp" if self.secure else str(inside)
        for _ in range(2):
            try:
                if self.process is None:
                    self._launch()
                if not self.ready:
                    self.control({"op": "ready"})
                    self.ready = True
                pid = self.control({"op": "spawn", "cwd": cwd}, fds=[*fds, output_file.fileno()])
                return ZygoteWorker(self, pid, self.generation)
            except (ZygoteDied, OSError, ValueError):
                self.close()
        return None

    def kill(self, process):
        if not isinstance(process, ZygoteWorker):
            self.base.kill(process)
            return
        if process.returncode is None and process.generation != self.generation:
            process.returncode = -signal.SIGKILL  # its zygote's sandbox was torn down, and it with it
        if process.returncode is None:
            try:
                process.returncode = self.control({"op": "kill", "pid": process.pid}, process)
            except ZygoteDied:
                # No zygote to ask: tear its sandbox down, and with it every worker it forked.
                self.close()
                process.returncode = -signal.SIGKILL

    def close(self):
        """Stop the zygote and everything in its sandbox."""
        if self.socket is not None:
            self.socket.close()  # the zygote kills what it still runs and exits, and its sandbox with it
            self.socket = None
        if self.process is not None:
            try:
                self.process.wait(timeout=1)  # a graceful end, so that its processes' CPU time is accounted for
            except subprocess.TimeoutExpired:
                pass
            self.base.kill(self.process)
            self.process = None
        if self.output is not None:
            self.output.close()
            self.output = None
        self.ready = False
        if hasattr(self.base, "close"):
            self.base.close()  # the sandbox's control group, and anything left in it

    def release(self):
        """Close the zygote and its sandbox for good (a bubblewrap sandbox gives its uid back: ``Bubblewrap.release``)."""
        self.close()
        if hasattr(self.base, "release"):
            self.base.release()

    # -- the zygote ------------------------------------------------------------------------------
    def _inside(self, path):
        path = Path(path).resolve()
        for outside, inside in self.binds.items():
            if path == outside or path.is_relative_to(outside):
                return inside / path.relative_to(outside) if self.secure else path
        return None

    def _launch(self):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        folder = dict(self.binds) if self.secure else next(iter(self.binds))
        # The collector is off while the zygote imports (numpy's import alone makes ~50 collections of garbage-free
        # objects, 3-4 ms of every submission's sandbox); main() freezes what was imported and turns it on again
        # before the first worker is forked. Nothing of the grader is bound in __main__, which the student's code reads.
        boot = ("import gc; gc.disable(); import sys; sys.path.insert(0, {parent!r}); {data}"
                f"__import__('autograder.sandbox.inside.zygote', fromlist=['main']).main(private={bool(self.secure)!r})")
        try:
            argv, options = self.base.worker_command(folder, (theirs.fileno(),), boot=boot)
            options.setdefault("pass_fds", (theirs.fileno(),))
            self.output = tempfile.TemporaryFile()
            self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.output,
                                            stderr=subprocess.STDOUT, **options)
            self.base.started(self.process)
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.socket = ours
        self.generation += 1

    def control(self, message, worker=None, fds=(), timeout=CONTROL_TIMEOUT):
        """Send one control message and return the zygote's answer."""
        if worker is not None and worker.generation != self.generation:
            raise ZygoteDied  # that worker's zygote is gone, and its sandbox with it
        if self.socket is None:
            raise ZygoteDied
        try:
            self.socket.settimeout(timeout)
            socket.send_fds(self.socket, [json.dumps(message).encode()], list(fds))
            answer = self.socket.recv(65536)
        except (OSError, socket.timeout):
            raise ZygoteDied from None
        if not answer:
            raise ZygoteDied
        answer = json.loads(answer)
        if "error" in answer:
            raise ZygoteDied(answer["error"])
        return answer["ok"]
