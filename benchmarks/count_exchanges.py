"""How often one full reference submission's tests wait for a worker: per test and per kind of request.

    .venv/bin/python benchmarks/count_exchanges.py [--top 25]

A round trip is a request whose answer the trusted side waits for (:meth:`WorkerSession.request`,
several requests sent together count once) or a pinned stub's question the trusted side answers
while the worker waits; a request sent without waiting (a setattr, a pin, a seed) rides with the
next round trip and is counted apart. The reference runs through the sandbox exactly as ``grade``
runs it (``run_tests``), once; the counts are the same in every run but for the worker's restarts.

Then the pairs of successive round trips in one test (a constructor then a call, a call then a read...):
which waits could go together is read there, since a round trip whose request is built from the last
answer (a chain) cannot. Last, the frames the trusted side took from the workers: from the answer channel (each one may
wake it) and from the log (the answers of requests with another one behind them, read without
waiting: :mod:`autograder.sandbox.inside.worker`). Which channel an answer takes depends on whether
the next request had reached the worker yet, so those two vary a little.
"""
import argparse
import collections
import functools
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import synthetic  # noqa: E402
from where_cpu_goes import patched  # noqa: E402


def kind(message):
    """A request's kind, as the table lists it: its op, and for calls and iterations what they run."""
    op = message.get("op")
    if op == "call":
        return f"call {message.get('name')}"
    if op in ("sgd", "repeat"):
        return f"{op} chunk"
    return op


def count(files, kit):
    """``{(test's node id, kind): [round trips, sent without waiting]}`` for one run of the reference,
    ``{"frames": ..., "logged": ...}`` (the frames the trusted side took, and how many of them from the log),
    and ``{test's node id: [kind of each round trip, in order]}``."""
    from autograder.runner.run import run_tests
    from autograder.sandbox import session as channel
    from autograder.sandbox.kinds import make_sandbox

    counts = collections.defaultdict(lambda: [0, 0])
    frames = collections.Counter()
    order = collections.defaultdict(list)

    def test():
        return os.environ.get("PYTEST_CURRENT_TEST", "?").split(" (")[0]

    def counting(column, kind_of):
        def make(original):
            @functools.wraps(original)
            def counted(self, message, *args, **kwargs):
                counts[test(), kind_of(message)][column] += 1
                if column == 0:
                    order[test()].append(kind_of(message))
                return original(self, message, *args, **kwargs)
            return counted
        return make

    def asking(original):
        @functools.wraps(original)
        def counted(self, question):
            counts[test(), "pin question"][0] += 1
            order[test()].append("pin question")
            return original(self, question)
        return counted

    def tallied(name, returned):
        def make(original):
            @functools.wraps(original)
            def counted(self, *args):
                body = original(self, *args)
                frames[name] += returned(body)
                return body
            return counted
        return make

    undo = [patched(channel.WorkerSession, "request", counting(0, kind)),
            patched(channel.WorkerSession, "send", counting(1, kind)),
            patched(channel.WorkerSession, "pin_answer", asking),
            patched(channel.WorkerSession, "_read_frame", tallied("frames", lambda body: 1)),
            patched(channel.WorkerSession, "_logged", tallied("logged", lambda body: body is not None))]
    try:
        with tempfile.TemporaryDirectory() as folder:
            submission = synthetic.write_submission(Path(folder) / "reference")
            records = run_tests(submission, files, make_sandbox("auto"), kit / "solutions")
    finally:
        while undo:
            undo.pop()()
    failed = [record.test for record in records if not record.passed]
    if failed:
        raise RuntimeError(f"the reference failed {failed[:3]}")
    return counts, frames, order


def pairs(order, top):
    """Markdown rows of the pairs of successive round trips in one test, most frequent first."""
    found = collections.Counter((first, then) for kinds in order.values() for first, then in zip(kinds, kinds[1:]))
    lines = ["| round trip | then | times |", "| --- | --- | ---: |"]
    lines += [f"| {first} | {then} | {times} |" for (first, then), times in found.most_common(top)]
    if len(found) > top:
        lines.append(f"| {len(found) - top} more pairs | | {sum(times for _, times in found.most_common()[top:])} |")
    return "\n".join(lines)


def table(counts, key, top):
    """Markdown rows of the round trips (and requests sent without waiting) summed by ``key(test, kind)``."""
    sums = collections.defaultdict(lambda: [0, 0])
    for (test, what), (trips, sent) in counts.items():
        sums[key(test, what)][0] += trips
        sums[key(test, what)][1] += sent
    rows = sorted(sums.items(), key=lambda item: -item[1][0])
    lines = ["| | round trips | sent without waiting |", "| --- | ---: | ---: |"]
    lines += [f"| {name} | {trips} | {sent} |" for name, (trips, sent) in rows[:top]]
    if len(rows) > top:
        rest = [sum(entry[column] for _, entry in rows[top:]) for column in (0, 1)]
        lines.append(f"| {len(rows) - top} more | {rest[0]} | {rest[1]} |")
    lines.append(f"| **all** | **{sum(e[0] for e in sums.values())}** | **{sum(e[1] for e in sums.values())}** |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--top", type=int, default=25, help="rows of each table (the rest summed)")
    args = parser.parse_args()
    from run import KIT, warm_runner

    counts, frames, order = count(warm_runner(), KIT)
    print("By kind of request\n")
    print(table(counts, lambda test, what: what, args.top))
    print("\nBy assignment\n")
    print(table(counts, lambda test, what: Path(test.split("::")[0]).parent.name, args.top))
    print("\nBy test\n")
    print(table(counts, lambda test, what: test.split("::", 1)[-1], args.top))
    print("\nBy pair of successive round trips in one test\n")
    print(pairs(order, args.top))
    print(f"\nFrames taken from the workers: {frames['frames']}, of which {frames['logged']} from the log "
          f"(answers that woke no one) and {frames['frames'] - frames['logged']} from the answer channel")


if __name__ == "__main__":
    main()
