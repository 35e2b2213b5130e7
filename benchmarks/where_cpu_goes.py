"""Where one correct submission's CPU goes, measured: the profile part of ``benchmarks/run.py``.

The reference submission's full test run (every assignment, public and hidden), warm, as a
fork server's child runs it, taken apart:

- **the sandbox's processes** (bubblewrap, the zygote, the workers): their CPU time from a
  cgroup (cpuacct, v1) that every process the sandbox starts joins before it drops its
  privileges; read around every exchange with a worker, around the zygote's start (measured
  apart, to its first answer) and around each worker's fork and import;
- **the trusted runner**: its own CPU time (``time.process_time``), split into pytest, the
  tests and the reference, the wire and the channel by a cProfile run (CPU-time clock) whose
  shares are applied to the unprofiled total (cProfile slows Python calls unevenly, so only
  its shares are used);
- **the wire inside the worker**: the frames of the run, recorded, then decoded and encoded
  again here as the worker does, timed;
- **the student's code**: the same requests answered in-process (``inprocess``: no wire, no
  process), timed per request; the sandbox's CPU in exchanges beyond that is the price of the
  worker's loop, its wire and its pipes;
- **data shipped**: frames and bytes each way, the arrays' share, and the digits' share;
- **writing results**: ``results.json``, ``feedback.html`` and the gradebook row for its records.

Needs root (bubblewrap and cgroups); without cgroup v1's cpuacct it says so and leaves the
sandbox's split out. Run it through ``run.py --only profile``.
"""
import cProfile
import collections
import functools
import gc
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup/cpuacct")


class CpuGroup:
    """A cpuacct cgroup that the sandbox's processes join: their CPU time, live processes included.

    A sandbox with a control group of its own (``cpu_seconds``: the grader's per-sandbox groups)
    moves its processes there right after they join this one; its time is added, live and after
    it is closed (see :func:`counted`). Each process's time is thus counted once, wherever it ran.
    """

    def __init__(self):
        self.path = CGROUP_ROOT / f"backprop-bench-{os.getpid()}"
        self.path.mkdir()
        self.sandboxes = []  # counted sandboxes with control groups of their own
        self.closed = 0.0  # the CPU seconds of their groups already removed

    def seconds(self):
        live = sum(sandbox.cpu_seconds() or 0.0 for sandbox in self.sandboxes)
        return int((self.path / "cpuacct.usage").read_text()) / 1e9 + self.closed + live

    def join(self):
        (self.path / "tasks").write_text(str(os.getpid()))

    def remove(self):
        """Remove the group; a process still in it after 5 s (a worker being reaped) moves to the root group."""
        for attempt in range(51):  # the last processes of a closed sandbox may take a moment to leave
            if attempt == 50:
                for pid in (self.path / "tasks").read_text().split():
                    try:
                        (CGROUP_ROOT / "tasks").write_text(pid)
                    except OSError:
                        pass  # it exited meanwhile
            try:
                self.path.rmdir()
                return
            except OSError:
                time.sleep(0.1)
        print(f"warning: could not remove the cgroup {self.path}; remove it with rmdir", file=sys.stderr)


def counted(sandbox, group):
    """``sandbox``, whose processes join ``group`` first thing in the child (still root, before bwrap)."""
    command = sandbox.worker_command

    def worker_command(*args, **kwargs):
        argv, options = command(*args, **kwargs)
        enter = options.get("preexec_fn")

        def join_then_enter():
            group.join()
            if enter:
                enter()

        options["preexec_fn"] = join_then_enter
        return argv, options

    sandbox.worker_command = worker_command
    if hasattr(sandbox, "cpu_seconds"):  # its own control group: counted before close removes it
        group.sandboxes.append(sandbox)
        close = sandbox.close

        def close_counted():
            group.closed += sandbox.cpu_seconds() or 0.0
            close()

        sandbox.close = close_counted
    return sandbox


class Tally:
    """Per-(assignment, op) counts and CPU seconds of the exchanges with workers."""

    def __init__(self):
        self.by_key = collections.defaultdict(lambda: [0, 0.0, 0.0])

    def add(self, key, sandbox, trusted):
        entry = self.by_key[key]
        entry[0] += 1
        entry[1] += sandbox
        entry[2] += trusted

    def total(self, column):
        return sum(entry[column] for entry in self.by_key.values())


def patched(owner, name, make):
    """Replace ``owner.name`` by ``make(original)``; return a function that undoes it."""
    original = getattr(owner, name)
    setattr(owner, name, make(original))
    return lambda: setattr(owner, name, original)


def measure(kit, submission, files):
    """The breakdown, as a dict of CPU seconds (and byte counts); see the module's docstring."""
    from autograder.commands.grade import Job
    from autograder.kit.assignments import discover_assignments
    from autograder.kit.course import Kit
    from autograder.results.term import read_term
    from autograder.runner.run import run_tests
    from autograder.sandbox import session as channel
    from autograder.sandbox import zygote
    from autograder.sandbox.inside import wire
    from autograder.sandbox.kinds import make_sandbox
    from autograder.submissions.discover import discover
    from inprocess import InProcess, InProcessSession

    solutions = kit / "solutions"
    figures = {}
    group = CpuGroup()
    undo = []
    try:
        run_tests(submission, files, InProcess(), solutions)  # warm: the reference modules' first calls

        tally, frames, starts = Tally(), {"requests": [], "answers": []}, []

        def exchange(original):
            @functools.wraps(original)
            def timed(self, message, timeout, what):
                key = (self.module_name, message.get("op") if message else "acknowledgement")
                sandbox, trusted = group.seconds(), time.process_time()
                try:
                    return original(self, message, timeout, what)
                finally:
                    tally.add(key, group.seconds() - sandbox, time.process_time() - trusted)
            return timed

        def start(original):
            @functools.wraps(original)
            def timed(self):
                sandbox = group.seconds()
                try:
                    return original(self)
                finally:
                    starts.append(group.seconds() - sandbox)
            return timed

        def recording(original, kind):
            def record(fd, data):
                data, start = bytes(data), 0
                while start < len(data):  # one write may carry several frames (the session's outbox)
                    end = start + wire.HEADER_BYTES + wire.frame_length(data[start:start + wire.HEADER_BYTES])
                    frames[kind].append(data[start:end])
                    start = end
                return original(fd, data)
            return record

        # 1. The sandboxed run as it is: the sandbox's CPU by cgroup, the trusted side's by its own clock.
        before_sandbox, before_trusted, waits = group.seconds(), time.process_time(), waits_so_far()
        records = run_tests(submission, files, counted(make_sandbox("bwrap"), group), solutions)
        figures["trusted total"] = time.process_time() - before_trusted
        figures["trusted runner waits (voluntary context switches)"] = waits_so_far() - waits
        time.sleep(0.2)  # the zygote's last processes leave
        figures["sandbox total"] = group.seconds() - before_sandbox

        # 2. Again, timing every exchange with a worker and every worker's start (the timing costs CPU too,
        # so the totals above come from the run without it).
        undo.append(patched(channel.WorkerSession, "_exchange", exchange))
        undo.append(patched(channel.WorkerSession, "_start", start))
        before_sandbox = group.seconds()
        run_tests(submission, files, counted(make_sandbox("bwrap"), group), solutions)
        time.sleep(0.2)
        figures["sandbox total, timed run"] = group.seconds() - before_sandbox
        figures["sandbox in exchanges"] = tally.total(1)
        figures["trusted in exchanges"] = tally.total(2)
        figures["exchanges"] = tally.total(0)
        figures["worker starts after the first (fork and import)"] = sum(starts[1:])  # the first: the zygote's
        figures["workers started after the first"] = len(starts) - 1
        figures["failed"] = sum(not record.passed for record in records)
        while undo:
            undo.pop()()

        # 3. The zygote alone, to its first answer: bubblewrap, Python, numpy, the worker, one import.
        with tempfile.TemporaryDirectory() as scratch:
            module = submission / discover_assignments(kit)[1].module_file
            before = group.seconds()
            workers = zygote.wrap(counted(make_sandbox("bwrap"), group), submission, scratch)
            first = channel.WorkerSession(workers, module, discover_assignments(kit)[1].module)
            first.request({"op": "getattr", "name": "__name__", "target": None})
            figures["zygote start and first worker"] = group.seconds() - before
            first.close()
            workers.close()

        # 4. The frames of a run: recorded (trusted side), then the worker's share of the wire replayed here.
        undo.append(patched(channel.wire, "write_all", lambda original: recording(original, "requests")))
        def read_frame(original):
            def record(self, deadline):
                body = original(self, deadline)
                frames["answers"].append(body)
                return body
            return record

        undo.append(patched(channel.WorkerSession, "_read_frame", read_frame))
        run_tests(submission, files, make_sandbox("bwrap"), solutions)
        while undo:
            undo.pop()()
        figures.update(replay_worker_wire(frames, wire))

        # 5. The same tests in-process: what the student's code and the worker's logic cost without isolation.
        inprocess = Tally()

        def inprocess_exchange(original):
            @functools.wraps(original)
            def timed(self, message, timeout, what):
                before = time.process_time()
                try:
                    return original(self, message, timeout, what)
                finally:
                    inprocess.add(None, 0.0, time.process_time() - before)
            return timed

        undo.append(patched(InProcessSession, "_exchange", inprocess_exchange))
        before = time.process_time()
        run_tests(submission, files, InProcess(), solutions)
        figures["in-process total"] = time.process_time() - before
        figures["in-process in requests (student code and the worker's logic)"] = inprocess.total(2)
        while undo:
            undo.pop()()

        # 6. The trusted side, profiled by CPU time: its shares.
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        run_tests(submission, files, make_sandbox("bwrap"), solutions)
        profile.disable()
        figures["trusted shares"] = trusted_shares(pstats.Stats(profile), kit)

        # 7. Writing the results of the run.
        with tempfile.TemporaryDirectory() as out:
            found = discover(submission.parent, Path(out) / ".work")
            term = read_term(Kit.read(kit), submission.parent, found)
            dicts = [record.to_dict() for record in records]
            before = time.process_time()
            for _ in range(5):
                Job(found[0], out, term).finish(out, term, dicts, "", 1.0)
            figures["writing results.json, feedback.html, gradebook row"] = (time.process_time() - before) / 5
    finally:
        while undo:
            undo.pop()()
        gc.collect()
        group.remove()
    return figures


def waits_so_far():
    """How many times this process has waited (voluntary context switches): for a worker's answer, mostly."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_nvcsw


def replay_worker_wire(frames, wire):
    """The worker's share of the wire for the recorded frames: decoding requests, encoding answers, timed here."""
    requests = [frame[wire.HEADER_BYTES:] for frame in frames["requests"]]
    answers = []
    for body in frames["answers"]:
        data, arrays = wire.parse_body(body)
        if isinstance(data, dict) and "ok" in data:  # errors and callbacks: small, and not the worker's answers
            answers.append(wire.decode_parts(data, arrays))  # the parts share the frame's arrays, as the session's
    rounds = 3
    before = time.process_time()
    for _ in range(rounds):
        for body in requests:
            wire.decode(*wire.parse_body(body))
    decoding = (time.process_time() - before) / rounds
    before = time.process_time()
    for _ in range(rounds):
        for answer in answers:
            framing = wire.Framing()
            wire.dumps({key: framing.encode(value) for key, value in answer.items()}, framing.arrays)
    encoding = (time.process_time() - before) / rounds
    array_bytes = {kind: sum(array.nbytes for body in (frame[wire.HEADER_BYTES:] if kind == "requests" else frame
                                                        for frame in frames[kind])
                             for array in wire.parse_body(body)[1])
                   for kind in ("requests", "answers")}
    digits_rows = 1527 * 64 * 4  # the standard training split, float32
    return {"worker wire: decoding requests": decoding, "worker wire: encoding answers": encoding,
            "frames to the worker": len(requests), "frames back": len(frames["answers"]),
            "bytes to the worker": sum(len(frame) for frame in frames["requests"]),
            "bytes back": sum(len(frame) for frame in frames["answers"]),
            "array bytes to the worker": array_bytes["requests"], "array bytes back": array_bytes["answers"],
            "digits training sets sent": sum(1 for frame in frames["requests"] if len(frame) >= digits_rows)}


STANDARD_GLUE = {"inspect.py", "pathlib.py", "enum.py", "contextlib.py", "functools.py", "warnings.py", "<frozen abc>",
                 "<frozen _collections_abc>", "<frozen os>", "<frozen posixpath>", "dataclasses.py"}
CATEGORIES = [  # (name, test on a profiled function's file) in order: the first that matches takes it
    ("the wire (encode, decode)", lambda f: f.endswith("sandbox/inside/wire.py") or "/json/" in f),
    ("the channel (pipes, waiting for answers, proxies)",
     lambda f: f.endswith(("sandbox/session.py", "sandbox/remote.py")) or f in ("~select", "~posix")),
    ("sandbox start and stop (trusted side)",
     lambda f: f.endswith(("sandbox/zygote.py", "sandbox/bubblewrap.py", "sandbox/process.py", "subprocess.py",
                           "socket.py", "tempfile.py", "shutil.py"))),
    ("pytest and the grading plugin (hooks, fixtures, reports, and the standard library they call)",
     lambda f: "/_pytest/" in f or "/pluggy/" in f or f.endswith(("runner/plugin.py", "runner/run.py"))
     or f.rsplit("/", 1)[-1] in STANDARD_GLUE),
    ("the tests, the reference, the checks", lambda f: "/solutions/" in f or "/assignments/" in f
     or "/autograder/testing/" in f or "/numpy/" in f or f == "~numpy"),
]


def trusted_shares(stats, kit):
    """Shares of the trusted runner's CPU by category (the function's own time, its file's category)."""
    totals = collections.Counter()
    for (filename, _, function), (_, _, own, _, _) in stats.stats.items():
        if filename == "~":
            filename = "~" + (function.split(" ")[-1].split(".")[0].strip("<>'") if "method" in function else "")
        name = next((category for category, test in CATEGORIES if test(filename)), "other (builtins called from all of the above)")
        totals[name] += own
    whole = sum(totals.values()) or 1.0
    return {name: seconds / whole for name, seconds in totals.most_common()}
