"""The zygote's inner half: the warm process inside a submission's sandbox that forks its workers.

It runs as the student, so it knows nothing of tests, solutions or results: it imports numpy and
the worker, then only ever forks, waits for and kills workers on the grader's request (the outer
half, :mod:`autograder.sandbox.zygote`, explains the design). It never runs a line of student code.

Control messages are JSON on the SOCK_SEQPACKET socket whose descriptor is ``argv[1]``; the
worker's pipes and output file arrive with ``spawn`` as SCM_RIGHTS. Ops: ``ready``, ``spawn``
(answer: the worker's pid), ``wait`` (its exit status, or None on timeout) and ``kill``. When the
grader hangs up, everything the zygote started is killed and it exits.
"""
import _socket  # socket.py's own import (its enums, selectors) took 3-6 ms of every sandbox's start: the C module does
import array
import functools
import json
import os
import signal
import sys
import time

from autograder.sandbox.inside.forked import live_and_exit

def _fork_worker(control, fds, cwd):
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        for fd in fds:
            os.close(fd)  # a later worker must not hold this one's pipes open
        return pid
    live_and_exit(functools.partial(_worker_life, control, fds, cwd))


def _worker_life(control, fds, cwd):
    *channel, output_fd = fds  # the request, answer and log pipes (autograder.sandbox.inside.worker.serve)
    os.setsid()
    control.close()
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    os.close(output_fd)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.chdir(cwd)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a freshly started worker
    from autograder.sandbox.inside.worker import serve

    serve(*channel)
    return 0


def _receive(control, size=65536, most_fds=8):
    """A control message and the descriptors that came with it, as ``socket.recv_fds`` gives them."""
    fds = array.array("i")
    data, ancillary, _, _ = control.recvmsg(size, _socket.CMSG_LEN(most_fds * fds.itemsize))
    for level, kind, payload in ancillary:
        if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
            fds.frombytes(payload[:len(payload) - len(payload) % fds.itemsize])
    return data, list(fds)


def _status(pid, timeout):
    """The worker's exit status as Popen reports it (negative: killed by that signal), or None."""
    deadline = None if timeout is None else time.monotonic() + timeout
    delay = 0.0005
    while True:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return -signal.SIGKILL
        if done:
            return os.waitstatus_to_exitcode(status)
        if deadline is not None and time.monotonic() >= deadline:
            return None
        time.sleep(delay)
        delay = min(delay * 2, 0.02)


def _sweep(live):
    """Kill every process of the sandbox but its init, the zygote and the live workers' sessions."""
    spare = {1, os.getpid()}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in spare:
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            if int(fields[3]) not in live:  # the session id
                os.kill(int(entry), signal.SIGKILL)
        except (OSError, ValueError, IndexError):
            pass


def _empty(folder):
    """Whether ``folder`` holds nothing (False when it cannot be read: find is asked then)."""
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is None
    except OSError:
        return False


def _wipe_tmp():
    """Empty /tmp and /dev/shm (the sandbox's own tmpfs): nothing a worker leaves there reaches the next one.

    ``find -delete`` walks without recursion and never follows a link, however deep the student's tree.
    Most workers leave nothing there: then no process is started for it.
    """
    if all(map(_empty, ("/tmp", "/dev/shm"))):
        return
    import subprocess

    try:
        subprocess.run(["find", "/tmp", "/dev/shm", "-xdev", "-mindepth", "1", "-delete"], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        pass


def warm_up():
    """What every worker shares, done once here before any fork: numpy and the worker imported, with every module the
    worker's set-up (:func:`autograder.sandbox.inside.worker.serve`) needs, so that a worker imports none before the
    student's (a module imported after the fork costs each worker its loading and the pages it writes: ~1 ms each
    start for the placeholders' and the signal guard's); and this process's memory made unreadable (a worker's child
    must not trace or read its zygote)."""
    import numpy  # noqa: F401 - the point of it all: every worker starts with numpy imported

    import autograder.sandbox.inside.loading  # noqa: F401
    import autograder.sandbox.inside.worker  # noqa: F401 - imported once here, shared by every fork (numpy.random too)

    autograder.sandbox.inside.worker.forbid_memory_reads()


def main(private=False):
    """The zygote: warm up, then fork workers on request until the grader hangs up."""
    import gc

    warm_up()
    gc.freeze()  # the workers share these pages: a collection in a worker must not write to (copy) them all
    gc.enable()  # off while importing (the boot turns it off): every worker starts with it on, as Python does
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    control = _socket.socket(fileno=int(sys.argv[1]))
    live = set()
    while True:
        try:
            data, fds = _receive(control)
        except OSError:
            data = b""
        if not data:  # the grader hung up: nothing it started may outlive it
            for pid in live:
                for kill in (os.killpg, os.kill):
                    try:
                        kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
            for pid in live:
                _status(pid, 1.0)
            os._exit(0)
        op = None
        try:
            message = json.loads(data)
            op = message["op"]
            if op == "ready":
                answer = True
            elif op == "spawn":
                answer = _fork_worker(control, fds, message["cwd"])
                fds = []
                live.add(answer)
            elif op == "wait":
                answer = _status(message["pid"], message["timeout"])
                if answer is not None:
                    live.discard(message["pid"])
            elif op == "kill":
                pid = message["pid"]
                for kill in (os.killpg, os.kill):
                    try:
                        kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
                answer = _status(pid, None)
                live.discard(pid)
                if private:
                    _sweep(live)
                    _wipe_tmp()
            else:
                raise ValueError(f"unknown op {op!r}")
            reply = {"ok": answer}
        except Exception as error:  # noqa: BLE001 - told to the grader, which starts workers afresh
            reply = {"error": f"{type(error).__name__}: {error}"}
        for fd in fds:
            os.close(fd)
        control.send(json.dumps(reply).encode())
