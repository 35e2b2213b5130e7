"""The trusted side of the channel: one worker process per assignment under test.

A :class:`WorkerSession` starts the worker (through a :class:`~autograder.sandbox.process.Sandbox`),
sends it requests, waits for each answer within a time limit (:class:`CallBudget`), and replaces a
worker that hung, crashed or broke the protocol. Only the request that met the
trouble fails; the next request starts a fresh worker and reloads the module.

While a request runs, the session answers the worker's pinned stubs from the pins' tables,
which stay here (:mod:`autograder.sandbox.pins`), and collects the tamper evidence the worker
reports (:mod:`autograder.sandbox.inside.tamper`) in :attr:`WorkerSession.evidence`.

A failure's message may quote the student's code (its exception's message, what it printed);
each :class:`StudentCodeFailed` also carries a ``quarantined`` message written by the grader
alone (the exception's type, if a built-in one, and the line of the student's file), for
feedback that must not show the student's own text.
"""
import builtins
import copy
import fcntl
import functools
import os
import secrets
import select
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from autograder.sandbox.code_lines import code_lines
from autograder.sandbox.inside import wire
from autograder.sandbox.inside.limits import MESSAGE_CHARS, TRACEBACK_CHARS
from autograder.submissions.notebook_code import FRAME, SavedNotebookLines

DEFAULT_TIMEOUT = 10.0
BACKSTOP_FACTOR, BACKSTOP_SECONDS = 3, 10.0  # wall-clock limit of a call charged in CPU time: 3x + 10 s
PIPELINE_BYTES = 32 * 1024  # requests sent without waiting, unread, never fill a pipe (64 KiB at least)
# The requests' and answers' pipes hold this much where the host allows (Linux's default limit): a frame with a
# training set (~0.4 MB) then goes in one write, without waking either side once per 64 KiB (the default size).
PIPE_BYTES = 1024 * 1024
MAX_OUTPUT_CHARS = 2000
# What an error report brings of the student's text, cut here as the worker cuts it (worker.describe: a message to
# MESSAGE_CHARS, with the grader's explanation of it around, which may quote a file's name, and a traceback's last
# TRACEBACK_CHARS): the student's code makes the worker's cuts (a str of its own slices as it likes, and a repr or a
# class's name has no bound at all), and 30 MB in a message once went into each failed test's feedback and
# results.json (hostile_huge_error_report).
MAX_NAME_CHARS, MAX_MESSAGE_CHARS = 200, 2 * MESSAGE_CHARS
MAX_EVIDENCE = 20
# Warnings the worker reports that fail a call: numpy's floating-point errors (overflow, divide by zero,
# invalid value) are RuntimeWarnings, and the contract forbids them in every sigmoid (EXERCISES.md: "finite and
# raises no overflow warning for any finite input"), called as the function under test. Elsewhere a warning
# is not the contract's business (a wrong value fails on its own), nor inside another function's test.
FORBIDDEN_WARNINGS = ("RuntimeWarning",)
WARNING_FREE = ("sigmoid", "Sigmoid.__call__")
# Exception types whose names the grader may repeat: a student's own class name is the student's text.
KNOWN_EXCEPTIONS = {name for name, value in vars(builtins).items()
                    if isinstance(value, type) and issubclass(value, BaseException)} | {"LinAlgError", "AxisError"}


ANSWER_PARTS = frozenset({"ok", "after", "after_kwargs", "warnings"})  # what an answer of a value may hold
# Evidence, in the grader's words, of an answer frame without the worker's key: the student's code wrote it.
FORGED_ANSWER = "the grader's channel: an answer written by the student's code"


class StudentCodeFailed(Exception):
    """The student's code did not produce a value: it raised, hung, crashed or returned junk.

    ``str(error)`` is the message for the student's feedback; ``quarantined`` the same account
    written by the grader alone (no text of the student's), and ``details`` what the student's
    code said (its traceback, its output). ``raised_in``: for an exception the student's code raised, or a
    worker that died, the function called (``softmax``), whose account (type and line, how it died) the
    student's code chose: a hidden test repeats it only where a public test showed it
    (:mod:`autograder.runner.plugin`); else None.
    """

    raised_in = None

    #: True when the failure concerns the whole assignment (missing, unimportable), not one test.
    problem = False
    #: True when the worker broke the protocol: what it sends next cannot be trusted to answer the next request.
    broke_protocol = False

    def __init__(self, message, details="", quarantined=None):
        super().__init__(message)
        self.details = details
        self.quarantined = message if quarantined is None else quarantined


class ForbiddenWarning(StudentCodeFailed):
    """The call returned, but raised a warning the contract forbids it (an overflow in a sigmoid).

    ``diagnosis`` names the mistake when the warning does: numpy's overflow in exp (else "").
    """

    def __init__(self, message, details="", quarantined=None, diagnosis=""):
        super().__init__(message, details, quarantined)
        self.diagnosis = diagnosis


#: What an import that timed out is told: the module's own top level is what an import runs.
TOP_LEVEL_HINT = ("Hint: the module's top level runs when it is imported; put your own experiments (training, "
                  "printing, plotting) under if __name__ == \"__main__\": or in the notebook")


#: numpy's warning of an exp that overflowed, and what it says of the formula that raised it.
EXP_OVERFLOW = "RuntimeWarning: overflow encountered in exp"
EXP_OVERFLOW_DIAGNOSIS = ("exp overflowed on an intermediate value, even where the result comes out right: take exp "
                          "of -|x| only, or use np.logaddexp")


class SubmissionMissing(StudentCodeFailed):
    """The assignment's module is not in the submission."""

    problem = True


class ProtocolBroken(StudentCodeFailed):
    """The worker answered with something the worker never sends (student code wrote on its channel)."""

    broke_protocol = True


class ImportFailed(StudentCodeFailed):
    """The assignment's module could not be imported (syntax error, crash or hang at import)."""

    problem = True


def describe_exit(returncode, quarantined=False):
    """How the worker ended, in words; ``quarantined``: without the status or signal the student's code chose."""
    if returncode is None:
        return "it stopped answering"
    if returncode < 0:
        name = signal.Signals(-returncode).name
        reasons = {"SIGKILL": "killed (a memory, process or time limit, or it killed itself)",
                   "SIGXCPU": "out of CPU time", "SIGXFSZ": "it wrote too much output",
                   "SIGSEGV": "it crashed (segmentation fault; unbounded recursion?)"}
        return reasons.get(name, "killed by a signal" if quarantined else f"killed by {name}")
    if quarantined:
        return "it exited (sys.exit or os._exit in the student's code?)"
    return f"it exited with status {returncode} (sys.exit or os._exit in the student's code?)"


class CallBudget:
    """The time limit of one call, charged in the sandbox's own CPU time where the sandbox can tell it.

    A call's wall-clock time depends on what else runs (a neighbour's busy processes, the other
    graders on the machine); its CPU time does not. So, with ``cpu_seconds`` (the sandbox's CPU
    time, :meth:`autograder.sandbox.bubblewrap.Bubblewrap.cpu_seconds`), the call is charged the
    CPU time its sandbox used, all its processes together, or, when more, the wall-clock time it
    did not spend waiting for a CPU (``waiting_seconds``, the time its threads were ready to run and
    did not: :meth:`autograder.sandbox.cgroups.SandboxGroup.waiting_seconds`). So a call starved by
    a neighbour is charged its CPU time, and one that sleeps the clock, also when it runs a little
    in every interval (5 ms in 100, over :attr:`IDLE_SHARE`, was charged its CPU time alone and held
    its job slot until the backstop: 44 s where a plain sleep took 14). Where the wait is not told,
    the moments it hardly ran at all (under :attr:`IDLE_SHARE` of a core) are charged the clock. A
    generous wall-clock backstop remains. Without a CPU clock (a plain child process, a host without
    control groups) the limit is wall-clock time.
    """

    POLL_SECONDS = 0.1
    IDLE_SHARE = 0.02

    def __init__(self, timeout, cpu_seconds=None, waiting_seconds=None):
        self.timeout, self.cpu_seconds, self.waiting_seconds = timeout, cpu_seconds, waiting_seconds
        self.start = self.last = time.monotonic()
        self.charged, self.last_cpu, self.last_waiting = 0.0, None, None
        wall = timeout * BACKSTOP_FACTOR + BACKSTOP_SECONDS if cpu_seconds else timeout
        self.backstop = self.start + wall

    def resume(self):
        """Start charging again from now: the time since the last look was the grader's own."""
        self.last, self.last_cpu, self.last_waiting = time.monotonic(), None, None

    def wait(self):
        """How long to wait for the worker before :meth:`expired` is asked again."""
        remaining = max(0.0, self.backstop - time.monotonic())
        return min(remaining, self.POLL_SECONDS) if self.cpu_seconds else remaining

    def expired(self):
        """Has the call used up its time? (Asked while no answer is coming.)"""
        now = time.monotonic()
        if now >= self.backstop:
            return True
        if not self.cpu_seconds:
            return False
        used = self.cpu_seconds()
        waiting = self.waiting_seconds() if self.waiting_seconds and used is not None else None
        if used is None:  # the sandbox cannot tell after all: wall-clock time
            self.charged += now - self.last
        elif self.last_cpu is None:
            # The CPU clock is first read here, not when the call starts: most answers come before
            # the first poll, and need no read at all. The first interval is charged in full.
            self.charged += now - self.last
        else:
            interval, spent = now - self.last, max(0.0, used - self.last_cpu)
            if waiting is not None and self.last_waiting is not None:
                self.charged += max(spent, interval - max(0.0, waiting - self.last_waiting))
            else:
                self.charged += interval if spent < self.IDLE_SHARE * interval else spent
        self.last, self.last_cpu, self.last_waiting = now, used, waiting
        return self.charged >= self.timeout


class WorkerSession:
    """A worker running one student module, restarted on demand.

    Parameters
    ----------
    sandbox : autograder.sandbox.process.Sandbox
        How to start the worker process.
    module_path : Path or None
        The student's module; ``None`` when the submission lacks it.
    module_name : str
        Name to import it under.
    missing_message : str
        The message for every request when ``module_path`` is None.
    notebook : Path or None
        The saved notebook whose definitions ``module_path`` holds (a scratch module the student never
        sees): what is said of the module's lines names the notebook's cells instead.
    """

    def __init__(self, sandbox, module_path, module_name, missing_message="", notebook=None):
        self.sandbox = sandbox
        self.module_path = Path(module_path).resolve() if module_path else None
        self.notebook = Path(notebook) if notebook else None
        self.module_name = module_name
        self.missing_message = missing_message
        self.process = None
        self.load_failure = None
        self.timed_out = set()
        self.generation = 0
        self.key = None  # the current worker's key for its answers (made in _start)
        self.acknowledgement = self.acknowledgement_frame = None
        self.output_file = None
        self.pinned = False
        # (key, what, restart_on_error, on_answer, on_error, timeout, frame) of requests sent without waiting (send)
        self.pending = []
        self.pending_bytes = 0
        self.pins = {}  # pin id -> Pin, for the current test (cleared by forget_pins)
        self.next_pin = 0
        self.evidence = []  # what the worker's audit hook reported, in the grader's words
        # (type or None, name) of the attributes the worker answered are functions (or classes), of the module (None)
        # or of objects of that type: a test calls them without reading them first (autograder.sandbox.remote).
        self.callables = set()
        # Objects named here before the worker answers (remote._rng's generators, constructors sent without waiting):
        # their handles are -1, -2...; the worker keeps each under the number it is given.
        self.generators = 0
        self.classes = set()  # the module's classes whose construction need not be waited for (remote.RemoteFunction)
        self.generator_seeds = {}  # handle id -> the seed it was made from: a replay makes its own (known_bugs)
        self.kept = (None, [])  # (worker generation, [(handle, data)]): training data that worker holds (remote._kept)
        self.attributes = {}  # handle id -> {name: value} the grader set on that object (a pin's state)
        # handle id -> (name, args, kwargs) of the module's call that made that object: a fresh worker makes its twin
        # with it (autograder.sandbox.fresh)
        self.made = {}
        self.inbox = wire.Inbox()  # what the worker sent and was read, not yet taken as answers
        # The worker's log (autograder.sandbox.inside.worker): the answers of requests that had another one behind them,
        # and notes that the next answer is on the answer channel. Read without waiting, never waited on.
        self.log_fd = None
        self.log_poll = None  # a poll of log_fd alone: is anything there, asked without a read that raises when not
        self.log = wire.Inbox()
        self.note = self.here = None  # this worker's marks on the log, byte for byte (made in _start)
        self.answer_next = False  # the log's last note is not answered yet: the next answer is on the answer channel
        self.outbox = bytearray()  # frames sent without waiting, not yet written: they go with the next write

    # -- process lifetime -------------------------------------------------
    def _start(self):
        if self.module_path is None:
            raise SubmissionMissing(self.missing_message)
        if self.load_failure is not None:
            raise ImportFailed(*self.load_failure)
        request_read, self.request_fd = os.pipe()
        self.response_fd, response_write = os.pipe()
        self.log_fd, log_write = os.pipe()
        fds = (request_read, response_write, log_write)  # the worker's ends
        os.set_blocking(self.log_fd, False)
        self.log_poll = select.poll()
        self.log_poll.register(self.log_fd, select.POLLIN)
        for fd in (self.request_fd, self.response_fd) if hasattr(fcntl, "F_SETPIPE_SZ") else ():  # (Linux only)
            try:
                fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
            except OSError:  # over the host's limit (fs.pipe-max-size, a user's pipe pages): the default size
                pass
        self.output_file = tempfile.TemporaryFile()
        try:
            # A sandbox that keeps a warm process to fork workers from (autograder.sandbox.zygote) starts
            # them itself; it answers None when it cannot, and then the worker is started afresh.
            spawn = getattr(self.sandbox, "spawn", None)
            self.process = spawn(self.module_path.parent, fds, self.output_file) if spawn else None
            if self.process is None:
                argv, options = self.sandbox.worker_command(self.module_path.parent, fds)
                options.setdefault("pass_fds", fds)
                self.process = subprocess.Popen(
                    argv, stdin=subprocess.DEVNULL, stdout=self.output_file, stderr=subprocess.STDOUT, **options,
                )
                self.sandbox.started(self.process)
        finally:
            for fd in fds:
                os.close(fd)
        self.generation += 1
        self.key = secrets.token_hex(16)  # every answer of this worker must carry it (see _exchange)
        # The body of this worker's answer of None (a setattr's, a pin's...), byte for byte: most answers are
        # this one, and are taken by comparing bytes, not parsed (the same value, key checked, as _unpack gives).
        self.acknowledgement_frame = wire.dumps({"ok": None, "key": self.key})
        self.acknowledgement = self.acknowledgement_frame[wire.HEADER_BYTES:]
        self.note = wire.dumps({"next": "answer", "key": self.key})[wire.HEADER_BYTES:]
        self.here = wire.dumps({"next": "here", "key": self.key})[wire.HEADER_BYTES:]
        self._load(self.sandbox.path_inside(self.module_path), DEFAULT_TIMEOUT)

    def ensure_started(self):
        """Start the worker unless one runs (raising as a request would): its import names the module's functions."""
        if self.process is None:
            self._start()

    def _load(self, path, timeout):
        """Import the student's module, at ``path`` as the worker sees it, in the fresh worker.

        A failure is remembered: every later request fails with the same ImportFailed, unsent.
        """
        load = {"op": "load", "path": str(path), "name": self.module_name, "search_path": str(path.parent),
                "key": self.key}
        try:
            functions, _ = self._exchange(load, timeout, f"importing {self.shown_name}")
        except StudentCodeFailed as error:
            # Work at the module's top level (a training run, a plot) runs at every import: the usual cause.
            why = f". {TOP_LEVEL_HINT}" if getattr(error, "timed_out", False) else ""
            self.load_failure = (f"could not import {self.shown_name}: {error}{why}", error.details,
                                 f"could not import {self.shown_name}: {error.quarantined}{why}")
            self.close()
            raise ImportFailed(*self.load_failure) from None
        if type(functions) is dict and type(functions.get("callables")) is list:
            # the module's functions, as a getattr of each would have said, and the classes among them whose objects a
            # test may name before their constructor's answer (autograder.sandbox.remote): a hint, every answer checked
            self.callables.update((None, name) for name in functions["callables"] if type(name) is str)
            if type(functions.get("classes")) is list:
                self.classes.update(name for name in functions["classes"] if type(name) is str)

    def close(self):
        """Kill the worker and everything it started, and close its output file."""
        self._stop()
        if self.output_file is not None:
            self.output_file.close()  # a session closed but kept (a test's, a check's) held one per worker it ran
            self.output_file = None

    def _stop(self):
        """Kill the worker and everything it started; its output stays readable (:meth:`output`) until :meth:`close`."""
        self.pending.clear()
        self.pending_bytes = 0
        self.inbox.clear()  # the next worker's answers start afresh
        self.log.clear()
        self.answer_next = False
        self.outbox.clear()
        if self.process is not None:
            self.sandbox.kill(self.process)
            for fd in (self.request_fd, self.response_fd, self.log_fd):
                os.close(fd)
            self.process = None
        self.attributes.clear()  # a fresh worker holds no object the grader set anything on
        self.made.clear()

    # -- pins and state ---------------------------------------------------
    def add_pin(self, pin):
        """Register ``pin`` (a :class:`~autograder.sandbox.pins.Pin`) and return its id for the worker."""
        self.next_pin += 1
        self.pins[self.next_pin] = pin
        return self.next_pin

    def forget_pins(self):
        self.pins.clear()

    def remember(self, handle, name, value):
        """Note that the grader set ``name`` of the worker object ``handle`` to ``value`` (a copy is kept)."""
        kept = copy.deepcopy(value) if isinstance(value, (np.ndarray, list, tuple, dict)) else value  # as it is now
        self.attributes.setdefault(handle.id, {})[name] = kept

    def output(self):
        """What the current worker printed so far (the start of it)."""
        if self.output_file is None:
            return ""
        self.output_file.seek(0)
        return self.output_file.read(MAX_OUTPUT_CHARS).decode("utf-8", "replace")

    # -- requests ---------------------------------------------------------
    def request(self, message, timeout=DEFAULT_TIMEOUT, what="the student's code"):
        """Send one request and return its decoded value and the answer's other parts (a dict; see ``call``)."""
        key = (message.get("op"), message.get("name"))
        if key in self.timed_out:
            raise StudentCodeFailed(f"{what} timed out earlier; not run again")
        sent = False
        if self.pending:
            message = wire.frame(message)
            # False: it did not go, or ran in a worker now replaced; it is sent (again) below
            sent = self._send_behind(message, what)
        if self.process is None:
            self._start()
        try:
            return self._exchange(None if sent else message, timeout, what)
        except StudentCodeFailed as error:
            if getattr(error, "timed_out", False):
                self.timed_out.add(key)
            raise

    def _send_behind(self, frame, what):
        """Send a request's ``frame`` behind the requests sent without waiting, then read their answers.

        One wait for the worker instead of two. True when the request stands and its answer is due
        next. False when it must be sent again: it did not fit in the pipe, the worker was gone, or
        an undoing of pins failed (the request ran in a worker that still had them: the worker is
        replaced, the request's run with it). When another acknowledgement carries an error, the
        request's answer is read and dropped, and that error is raised, as :meth:`flush` would.
        """
        if self.process is None or self.pending_bytes + len(frame) > PIPELINE_BYTES:
            self.flush()
            return False
        try:
            self._post(frame)
        except OSError:  # the worker is gone: the acknowledgements say how
            self.flush()
            return False
        first, restart = self._read_pending()
        if restart:  # the worker was replaced: the request ran in the old one
            if first is not None:
                raise first
            return False
        if first is not None:
            if self.process is not None:  # (a timed-out acknowledgement took the worker, and the request, with it)
                try:  # it ran after the failed request, as nothing would have: its answer is not the test's
                    self._exchange(None, DEFAULT_TIMEOUT, what)
                except StudentCodeFailed:
                    pass
            raise first
        return True

    def send(self, message, what="the student's code", restart_on_error=False, on_answer=None,
             timeout=DEFAULT_TIMEOUT, on_error=None):
        """Send a request whose answer is not needed at once (setattr, pin, seed) without waiting.

        The frame waits in an outbox and goes with the next request, in one write (and one wake-up
        of the worker) for all. The answers are read in order before that request's, or by
        :meth:`flush`, and the first error among them is raised then, as it would have been here:
        a wait for the worker saved per request. Large messages are exchanged at once instead. With
        ``restart_on_error`` (undoing pins after a test) an error is not raised: the worker is
        replaced, and what was sent behind it is sent again to the fresh one, before anything else
        runs. ``on_answer(value, parts)`` is called with the answer's value and other parts (see
        :meth:`request`) when it arrives, or ``on_error(error)`` with the :class:`StudentCodeFailed` it ended in
        (before that error is raised); ``timeout`` bounds the request's run, as in :meth:`request`.
        """
        key = (message.get("op"), message.get("name"))
        frame = wire.frame(message)
        deliver = on_answer or (lambda value, parts: None)
        if key in self.timed_out or self.pending_bytes + len(frame) > PIPELINE_BYTES:
            if not restart_on_error:
                try:
                    answer = self.request(message, timeout, what)
                except StudentCodeFailed as error:
                    if on_error is not None:
                        on_error(error)
                    raise
                deliver(*answer)
                return
            try:
                deliver(*self.request(message, timeout, what))
            except StudentCodeFailed:
                self.close()
            return
        if self.process is None:
            self._start()
        self.outbox += frame  # written with the next request: one write, and one wake-up of the worker, for all
        self.pending.append((key, what, restart_on_error, deliver, on_error, timeout, frame))
        self.pending_bytes += len(frame)

    def together(self, requests):
        """Several requests answered in turn with one wait for the worker: ``[(value, parts)]``, as :meth:`request` each.

        ``requests`` are ``(message, what, timeout)``; all but the last are sent without waiting
        (:meth:`send`), the last behind them. An error is raised as the first failing request would
        have raised it on its own (the requests after it have run, their answers unused); its
        ``failed_at`` is that request's position, and ``answered`` the answers of those before it.
        """
        answers = {}
        try:
            for number, (message, what, timeout) in enumerate(requests[:-1]):
                self.send(message, what, on_answer=lambda *answer, number=number: answers.__setitem__(number, answer),
                          timeout=timeout)
            message, what, timeout = requests[-1]
            answers[len(requests) - 1] = self.request(message, timeout, what)
        except StudentCodeFailed as error:
            error.failed_at = min(set(range(len(requests))) - set(answers))
            error.answered = [answers[number] for number in range(error.failed_at)]
            raise
        return [answers[number] for number in range(len(requests))]

    def _post(self, frame=b""):
        """Write the frames waiting in the outbox, then ``frame``, in one write."""
        if self.outbox:
            frame, self.outbox = self.outbox + frame, bytearray()
        if frame:
            wire.write_all(self.request_fd, frame)

    def flush(self, quiet=False):
        """Read the answers of the requests sent without waiting; raise the first error, unless ``quiet``."""
        first, _ = self._read_pending()
        if first is not None and not quiet:
            raise first

    def _read_pending(self):
        """Read the answers of the requests sent without waiting: (the first error or None, was the worker replaced?).

        A request sent with ``restart_on_error`` that fails replaces the worker here, and the
        requests sent behind it are sent again to the fresh one (their answers in the old one
        are not theirs), then read in turn.
        """
        first, restart = None, False
        while self.pending:
            key, what, restart_on_error, deliver, failed, timeout, _ = self.pending.pop(0)
            if self._take_logged_acknowledgement():
                deliver(None, {})
                continue
            behind = list(self.pending)  # a timeout would close the worker, and forget them, before the error
            try:
                deliver(*self._exchange(None, timeout, what))
            except StudentCodeFailed as error:
                if getattr(error, "timed_out", False):
                    self.timed_out.add(key)
                if failed is not None:
                    failed(error)
                if not restart_on_error:
                    first = first or error
                    continue
                restart = True
                self.close()
                if behind:
                    self._start()
                for entry in behind:
                    self.outbox += entry[-1]
                    self.pending.append(entry)
        self.pending_bytes = 0
        return first, restart

    def _take_logged_acknowledgement(self):
        """Take the log's next entry if it is an acknowledgement already read here; True if it was.

        :meth:`_exchange` of an answer already due would return (None, {}) for the same entry, taken in the same
        order (:meth:`_read_frame` looks at the log first), after a budget, a poll and a copy of the frame: ten
        calls or so, for ~800 of the ~1,770 requests a run sends without waiting (the first of a batch still
        reads the log through an exchange). Not when the outbox has frames to write (an exchange writes them
        first) or the log's last note says the next answer is on the answer channel.
        """
        data = self.log.data
        if self.outbox or self.answer_next or not data or not data.startswith(self.acknowledgement_frame):
            return False
        del data[:len(self.acknowledgement_frame)]
        return True

    def _exchange(self, message, timeout, what):
        """Send ``message`` (None: nothing, an answer is due already; bytes: its frame) and return its decoded answer."""
        budget = CallBudget(timeout, getattr(self.sandbox, "cpu_seconds", None),
                            getattr(self.sandbox, "waiting_seconds", None))
        try:
            if message is None:
                self._post()
            else:
                self._post(message if isinstance(message, bytes) else wire.frame(message))
            while True:
                body = self._read_frame(budget)
                if body == self.acknowledgement:
                    self.answer_next = False
                    return None, {}
                answer, arrays = wire.parse_body(body)
                if not self._aside(answer, arrays):
                    break
            self.answer_next = False
            if type(answer) is not dict or answer.pop("key", None) != self.key:
                self.close()  # its genuine answer may still be on the way: only a fresh worker is in step
                if FORGED_ANSWER not in self.evidence:
                    self.evidence.append(FORGED_ANSWER)
                raise ProtocolBroken(f"{what}: an answer the worker did not write ({FORGED_ANSWER})")
        except TimeoutError:
            self.close()
            error = StudentCodeFailed(f"timed out after {timeout:g} s in {what}")
            error.timed_out = True
            raise error from None
        except (EOFError, BrokenPipeError, OSError):
            returncode = self._exit_status()
            self._stop()
            output = self.output()  # all of it: the worker is gone
            self.close()
            died = StudentCodeFailed(f"the worker died in {what}: {describe_exit(returncode)}", output,
                                     f"the worker died in {what}: {describe_exit(returncode, quarantined=True)}")
            died.raised_in = what  # which signal, or an exit, is the student's code's choice too
            raise died from None
        except wire.WireError as error:
            self.close()
            raise StudentCodeFailed(f"{what} sent back something that is not plain data: {error}",
                                    quarantined=f"{what} sent back something that is not plain data") from None
        try:
            return self._unpack(answer, what, arrays)
        except StudentCodeFailed as error:
            if error.broke_protocol:
                self.close()  # its genuine answer may still be on the way: only a fresh worker is in step
            raise

    def _aside(self, frame, arrays):
        """Handle a frame that is not the answer (a stub's question, evidence); False for the answer."""
        if type(frame) is not dict or len(frame) != 1:
            return False
        if "evidence" in frame:
            if not arrays and type(frame["evidence"]) is str and len(self.evidence) < MAX_EVIDENCE:
                # Evidence arrives in the grader's words; anything longer than those is not the worker's.
                # Said once: a worker started again (after a training test, a crash) reports the same reach again.
                if frame["evidence"][:200] not in self.evidence:
                    self.evidence.append(frame["evidence"][:200])
            return True
        if "callback" in frame:
            found = self.pin_answer(wire.decode(frame["callback"], arrays))
            reply = {"answer": found[0]} if found else {"own": True}
            wire.write_all(self.request_fd, wire.frame(reply))  # framed as requests are
            return True
        return False

    def pin_answer(self, question):
        """``(output,)`` if a pin of the current test answers a stub's ``question``, else None (run the student's own)."""
        pin = self.pins.get(question.get("pin")) if type(question) is dict else None
        return pin.answer(question) if pin is not None else None

    def _exit_status(self):
        try:
            code = self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return None
        if getattr(self.process, "signal_as_exit_code", False) and code and 128 < code < 128 + signal.NSIG:
            return 128 - code  # bwrap reports a worker killed by signal N as the exit status 128 + N
        return code

    def _unpack(self, answer, what, arrays=()):
        """The value and the other parts (``after``...) of a parsed answer (``arrays``: its frame's, see
        :func:`wire.parse_body`)."""
        if type(answer) is not dict:
            raise ProtocolBroken(f"{what}: malformed answer from the worker")
        if "error" in answer:
            if arrays:
                raise ProtocolBroken(f"{what}: malformed error report from the worker")
            raise self.failure(answer["error"], what)
        if "ok" not in answer or not answer.keys() <= ANSWER_PARTS:
            raise ProtocolBroken(f"{what}: malformed answer from the worker")
        try:  # the parts share the frame's arrays: decoded together, each array is used once
            decoded = wire.decode_parts(answer, arrays)
        except wire.WireError as error:
            raise ProtocolBroken(f"{what} returned something that is not plain data: {error}",
                                 quarantined=f"{what} returned something that is not plain data") from None
        if "warnings" not in decoded:  # most answers: none raised
            return decoded.pop("ok"), decoded
        warned = decoded.pop("warnings")
        if type(warned) is not list or not all(type(warning) is str for warning in warned):
            raise ProtocolBroken(f"{what}: malformed answer from the worker")
        forbidden = [warning for warning in warned
                     if what in WARNING_FREE and warning.split(":", 1)[0] in FORBIDDEN_WARNINGS]
        if forbidden:
            # numpy's own overflow in exp says which mistake it is: a diagnosis; any other warning gets the hint.
            diagnosis = EXP_OVERFLOW_DIAGNOSIS if forbidden[0] == EXP_OVERFLOW else ""
            advice = ("The contract allows a sigmoid no overflow, division by zero or invalid value, even when the "
                      "result comes out right. " + (f"Diagnosis: {diagnosis}" if diagnosis else
                                                    "Hint: rewrite the formula so that no intermediate value "
                                                    "overflows (exp of -|x| only, or np.logaddexp)"))
            # The warning's text is numpy's (overflow encountered in exp) or, warned by hand, the student's own:
            # hidden tests show the grader's words only.
            raise ForbiddenWarning(f"{what} raised {forbidden[0][:200]}. {advice}",
                                   quarantined=f"{what} raised a RuntimeWarning. {advice}", diagnosis=diagnosis)
        return decoded.pop("ok"), decoded

    def failure(self, error, what):
        """The :class:`StudentCodeFailed` for the worker's error report ``error``."""
        if (type(error) is not dict or not all(type(error.get(k)) is str for k in ("type", "message", "traceback"))
                or type(error.get("line")) not in (int, type(None))):
            return ProtocolBroken(f"{what}: malformed error report from the worker")
        error = {**error, "type": error["type"][:MAX_NAME_CHARS], "message": error["message"][:MAX_MESSAGE_CHARS],
                 "traceback": error["traceback"][-TRACEBACK_CHARS:]}
        kind = error["type"] if error["type"] in KNOWN_EXCEPTIONS else "an exception of its own class"
        where = self._where(error.get("line"))
        if error["type"] == "UngradableResult":
            return StudentCodeFailed(f"{what} {error['message']}",
                                     quarantined=f"{what} returned something that cannot be graded")
        if error["type"] == "NotImplementedError":
            quarantined = f"{what} needs code that is not written yet (NotImplementedError{where})"
            if error["message"].startswith(f"{what}: "):
                failed = StudentCodeFailed(f"{what} is not written yet: {error['message'][len(what) + 2:]}",
                                           quarantined=quarantined)
            else:
                failed = StudentCodeFailed(f"{what} needs code that is not written yet ({error['message']})",
                                           quarantined=quarantined)
            failed.raised_in = what
            return failed
        traceback = (self._notebook_lines.traceback(error["traceback"]) if self.notebook
                     else self._as_handed_in(error["traceback"]))
        failed = StudentCodeFailed(f"{what} raised {error['type']}: {error['message']}", traceback,
                                   quarantined=f"{what} raised {kind}{where}")
        failed.raised = (error["type"], error["message"])  # what a replay on the trusted side must raise to explain it
        failed.raised_in = what
        return failed

    @property
    def shown_name(self):
        """The student's file, as they know it: the module, or the notebook its definitions come from."""
        return self.notebook.name if self.notebook else self.module_path.name

    def _as_handed_in(self, traceback):
        """``traceback`` with the frames of the student's files named as they handed them in (``softmax.py``), not
        where the worker sees them (the sandbox's ``/submission/files/02_softmax/softmax.py``, a grader's scratch
        folder), as :meth:`_where` names a line."""
        folder = f"{self.sandbox.path_inside(self.module_path).parent}/"
        return FRAME.sub(lambda frame: f'File "{frame[1].removeprefix(folder)}", line {frame[2]}', traceback)

    def _where(self, line):
        """`` at line 17 of softmax.py`` (or of the notebook's cell it comes from), for a line of the student's code
        (None or any other number the worker reported: "")."""
        if line is None or self.module_path is None or line not in self._code_lines:
            return ""
        named = self._notebook_lines.line(line) if self.notebook else f"line {line} of {self.module_path.name}"
        return f" at {named}" if named else ""

    @functools.cached_property
    def _code_lines(self):
        """The lines of the student's module that hold code: the only ones a quarantined message names."""
        return code_lines(self.module_path)

    @functools.cached_property
    def _notebook_lines(self):
        """The scratch module's lines named by the notebook's cells (:attr:`notebook` only)."""
        return SavedNotebookLines(self.notebook, f"{self.module_path.parent.name}/{self.module_path.name}")

    def _read_frame(self, budget):
        """The body of the worker's next frame, waiting for it within ``budget`` (:class:`CallBudget`).

        The log's entries come first: the worker writes each before anything it sends later on the
        answer channel, so whatever arrived there, the log already holds what was done before it.
        The answer channel alone is waited on, at most :attr:`CallBudget.POLL_SECONDS` at a time, and
        the log looked at again after each wait: a request that was done counts as done when the
        worker dies or hangs in a later one.
        """
        budget.resume()  # what the grader did since the last frame (answering a pin, say) is not the student's
        log, log_poll = self.log, self.log_poll
        while True:
            # The log is usually empty: one poll says so, without the calls and the read that finds nothing (and
            # when something is there, _logged reads it without asking again).
            if not self.answer_next:
                there = None if log.data else log_poll.poll(0)
                if (log.data or there) and (body := self._logged(there)) is not None:
                    return body
            if (body := self.inbox.next_body()) is not None:
                return body
            if select.select([self.response_fd], [], [], min(budget.wait(), budget.POLL_SECONDS))[0]:
                try:
                    self.inbox.read(self.response_fd)
                except EOFError:  # the worker is gone: what it logged before still counts
                    if self.answer_next or (body := self._logged()) is None:
                        raise
                    return body
            elif budget.expired():  # unless the request was done meanwhile (then the next one's time starts now)
                if self.answer_next or (body := self._logged()) is None:
                    raise TimeoutError
                return body

    def _logged(self, there=None):
        """The log's next answer, or None: none is there, or the next answer is on the answer channel (a note,
        taken). The worker writes nothing else there: its acknowledgement, a note, or its mark with an answer
        behind it in the same write. Any other entry is the student's code's, and dropped (what it wrote on the
        answer channel too is judged there, as before the log). ``there``: a poll just said whether the log
        has something to read (None: not asked)."""
        while self._log_ready(there):
            there = None
            body = self.log.next_body()
            if body == self.acknowledgement:
                return body
            if body == self.note:
                self.answer_next = True
                return None
            if body == self.here:
                if not self.log.ready():
                    raise wire.WireError("a mark on the worker's log without its answer")
                return self.log.next_body()
        return None

    def _log_ready(self, there=None):
        """Is a whole entry of the log here? What the log holds is read first, without waiting.

        The worker writes each entry at once, in one write of less than ``PIPE_BUF`` bytes, which a
        pipe never splits: part of an entry was written by the student's code (``WireError``). ``there``: a poll
        just said whether the log has something to read (None: not asked).
        """
        if not self.log.ready():
            try:
                # (a read of an empty pipe raises BlockingIOError: an exception per look)
                if self.log_poll.poll(0) if there is None else there:
                    self.log.read(self.log_fd)
            except (BlockingIOError, EOFError):
                pass
            if self.log.data and not self.log.ready():
                raise wire.WireError("part of an entry on the worker's log")
        return self.log.ready()
