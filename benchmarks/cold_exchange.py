"""What one round trip with a worker costs in CPU, hot and cold: the price of a wait, taken apart.

    sudo .venv/bin/python benchmarks/cold_exchange.py [--gaps 0 3000] [--rounds 300] [--reps 2]

In a test, round trips are separated by the test's own work (pytest, the checks, the reference),
which evicts what the exchange's code and data had in the CPU's caches, on both sides: the next
round trip then runs cold. Here the trusted side does ``gap`` microseconds of work over ~10 MB
(a busy loop over many small dicts, not counted) before each round trip, and each side's CPU per
round trip is measured: the trusted side's by its own clock, the sandbox's by a cpuacct cgroup
(root, cgroup v1: :class:`where_cpu_goes.CpuGroup`), the worker forked from the submission's
zygote as ``grade`` starts it. Rows:

- ``bare pipe``: two plain Python processes, one byte each way: the floor (system calls, wake-ups);
- ``raw write+read``: the worker's request frame written and its answer read with one system call
  each, nothing parsed on the trusted side: the worker's whole cost, and the trusted side's floor;
- ``exchange``: :meth:`WorkerSession._exchange` of the same frame: the trusted side's channel and
  answer parsing;
- ``getattr``: :meth:`WorkerSession.request` of a read of ``__name__``: the request's encoding too;
- ``call``: a call of ``softmax`` on a 4x3 array, the most common kind of request (an array each
  way, the arguments sent back, warnings recorded);
- ``4 seeds + getattr``: four requests sent without waiting (:meth:`WorkerSession.send`), then a getattr
  behind them: one wait, and four acknowledgements read from the log (as setattrs, pins and seeds are).

The difference between a gap of 0 and of 3,000 us is what running cold costs; the difference
between a row and ``bare pipe`` is the Python (and numpy) of the exchange, which is what a leaner
exchange would save. Figures of 2026-12-06 are in ``benchmarks/README.md`` (the seventh round).
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402

import synthetic  # noqa: E402
from where_cpu_goes import CGROUP_ROOT, CpuGroup, counted  # noqa: E402

EVICTING = [dict.fromkeys(range(start, start + 50)) for start in range(4000)]  # ~10 MB of small dicts


def busy(microseconds):
    """Run ``microseconds`` of work that walks ~10 MB (what a test does between round trips, roughly)."""
    end = time.perf_counter() + microseconds / 1e6
    step = 0
    while time.perf_counter() < end:
        for table in EVICTING[step % 4000:step % 4000 + 40]:
            table.get(step)
        step += 40


def per_round_trip(round_trip, rounds, gap, sandbox_seconds=lambda: 0.0):
    """``(sandbox, trusted)`` CPU microseconds per call of ``round_trip``, each after ``gap`` us of ``busy``."""
    sandbox, trusted, busy_time = sandbox_seconds(), time.process_time(), 0.0
    for _ in range(rounds):
        before = time.process_time()
        busy(gap)
        busy_time += time.process_time() - before
        round_trip()
    trusted = time.process_time() - trusted - busy_time
    return (sandbox_seconds() - sandbox) / rounds * 1e6, trusted / rounds * 1e6


def bare_pipe(rounds, gap):
    """The floor: a one-byte ping-pong with a forked plain Python process, ``(child, parent)`` us per round trip."""
    ping_read, ping_write = os.pipe()
    pong_read, pong_write = os.pipe()
    result_read, result_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        started = time.process_time()
        for _ in range(rounds):
            os.read(ping_read, 1)
            os.write(pong_write, b"x")
        os.write(result_write, repr(time.process_time() - started).encode())
        os._exit(0)

    def round_trip():
        os.write(ping_write, b"x")
        os.read(pong_read, 1)

    _, parent = per_round_trip(round_trip, rounds, gap)
    child = float(os.read(result_read, 64)) / rounds * 1e6
    os.waitpid(pid, 0)
    for fd in (ping_read, ping_write, pong_read, pong_write, result_read, result_write):
        os.close(fd)
    return child, parent


def measure(gaps, rounds, reps):
    """Print a Markdown table: each kind of round trip's CPU per side, for each gap."""
    from autograder.kit.assignments import discover_assignments
    from autograder.sandbox import session as channel, zygote
    from autograder.sandbox.inside import wire
    from autograder.sandbox.kinds import make_sandbox

    softmax = next(assignment for assignment in discover_assignments(synthetic.KIT) if assignment.module == "softmax")
    group = CpuGroup()
    try:
        with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryDirectory() as scratch:
            submission = synthetic.write_submission(Path(folder) / "reference") or Path(folder) / "reference"
            workers = zygote.wrap(counted(make_sandbox("bwrap"), group), submission, scratch)
            session = channel.WorkerSession(workers, submission / softmax.module_file, softmax.module)
            reading = {"op": "getattr", "name": "__name__", "target": None}
            session.request(reading)
            frame = wire.frame(reading)
            X = np.arange(12.0).reshape(4, 3)
            calling = {"op": "call", "name": "softmax", "target": None, "track": True, "args": [X], "kwargs": {}}

            def raw():
                wire.write_all(session.request_fd, frame)
                os.read(session.response_fd, 1 << 16)

            seeding = {"op": "seed", "seed": 0}

            def behind_seeds():
                for _ in range(4):
                    session.send(seeding, "seeding")
                session.request(reading)

            kinds = {"raw write+read": raw, "exchange": lambda: session._exchange(frame, 10.0, "reading"),
                     "getattr": lambda: session.request(reading), "call": lambda: session.request(calling),
                     "4 seeds + getattr": behind_seeds}
            print(f"load average at start {os.getloadavg()[0]:.1f}\n")
            print("| round trip | gap (us) | sandbox (us) | trusted side (us) |\n| --- | ---: | ---: | ---: |")
            for gap in gaps:
                for rep in range(reps):
                    child, parent = bare_pipe(rounds, gap)
                    print(f"| bare pipe | {gap} | {child:.1f} | {parent:.1f} |")
                    for name, round_trip in kinds.items():
                        sandbox, trusted = per_round_trip(round_trip, rounds, gap, group.seconds)
                        print(f"| {name} | {gap} | {sandbox:.1f} | {trusted:.1f} |", flush=True)
            print(f"\nload average at end {os.getloadavg()[0]:.1f}")
            session.close()
            workers.close()
    finally:
        group.remove()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gaps", type=int, nargs="+", default=[0, 3000], help="microseconds of work before each")
    parser.add_argument("--rounds", type=int, default=300, help="round trips per row")
    parser.add_argument("--reps", type=int, default=2, help="rows per kind and gap")
    args = parser.parse_args()
    if os.geteuid() != 0 or not CGROUP_ROOT.is_dir():
        sys.exit("needs root and cgroup v1's cpuacct (the sandbox's CPU is read from a cgroup)")
    measure(args.gaps, args.rounds, args.reps)


if __name__ == "__main__":
    main()
