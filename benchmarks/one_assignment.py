"""What grading one assignment costs next to grading all of them: ``grade --assignment 02_softmax`` / ``grade``.

    .venv/bin/python benchmarks/one_assignment.py [--students 20] [--jobs 2] [--assignment 02_softmax]

builds a synthetic class (``synthetic.py``: correct and buggy submissions, no hostile ones, whose
timeouts would measure the limits rather than the grading) and grades it with the ``autograder``
command twice, into fresh folders: every assignment, then ``--assignment`` only. It prints both wall
times, the CPU time of all processes and the ratios. Like ``run.py`` it asserts nothing.
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from synthetic import KIT, make_class


def timed(command):
    """Wall and CPU seconds (all child processes) of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return time.monotonic() - started, cpu


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--assignment", default="02_softmax")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="one-assignment-") as scratch:
        scratch = Path(scratch)
        make_class(scratch / "class", args.students, mix=(0.7, 0.3, 0.0))
        command = [str(Path(sys.executable).parent / "autograder"), "grade", str(scratch / "class"), "--root", str(KIT),
                   "--jobs", str(args.jobs), "--quiet"]
        full = timed([*command, "--out", str(scratch / "all")])
        one = timed([*command, "--out", str(scratch / "one"), "--assignment", args.assignment])
    print(f"class of {args.students}, --jobs {args.jobs}, {os.cpu_count()} cores")
    print(f"every assignment: {full[0]:.1f} s wall, {full[1]:.1f} s CPU")
    print(f"--assignment {args.assignment}: {one[0]:.1f} s wall, {one[1]:.1f} s CPU")
    print(f"ratio: {one[0] / full[0]:.2f} of the wall time, {one[1] / full[1]:.2f} of the CPU time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
