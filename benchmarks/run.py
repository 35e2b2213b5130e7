"""Grading at class scale, measured: one command, one table.

    .venv/bin/python benchmarks/run.py [--students 40] [--reps 5] [--quick] [--no-nbgrader] [--json FILE]

What it does, in one run on this machine (see benchmarks/README.md for the figures):

1. builds a synthetic class (``benchmarks/synthetic.py``: correct, buggy and hostile
   submissions, 60/30/10) and grades it with ``autograder grade`` (the command, as an
   instructor runs it) with ``--jobs 1`` and then ``--jobs 2``: submissions per minute,
   per-submission median and p95 wall time, peak memory of the grading processes;
2. times the sandbox's start-up: a fresh sandboxed worker, the per-submission zygote,
   a worker forked from it;
3. times the same test work on the reference submission, alternately through the
   sandbox (as ``grade`` runs it) and in-process without any isolation
   (``inprocess``): the overhead ratio, medians of ``--reps`` runs each;
4. grades one correct submission on one core (CPU 0 only): in a warm batch, and as a
   cold command for a class of one;
5. grades the class's 02_softmax notebooks with ``nbgrader autograde`` and with
   ``autograder grade`` restricted to 02_softmax (``benchmarks/nbgrader_course.py``
   says what each side does), side by side.

Nothing here is a test: it only measures, and prints what it measured next to the targets.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
KIT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(KIT))

import nbgrader_course  # noqa: E402
import synthetic  # noqa: E402

PYTHON = sys.executable
MiB = 1024**2
PARTS = ["class", "startup", "overhead", "one-core", "nbgrader"]


# -- measuring -------------------------------------------------------------------------------------

def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "?")
    memory = next(int(line.split()[1]) * 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    import numpy
    import pytest

    from autograder.sandbox.kinds import make_sandbox

    return {"date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"), "cpu": cpu,
            "cores": os.cpu_count(), "memory_gib": round(memory / 1024**3, 1), "kernel": platform.release(),
            "python": platform.python_version(), "numpy": numpy.__version__, "pytest": pytest.__version__,
            "sandbox": make_sandbox("auto").name, "load_at_start": os.getloadavg()}


def median(values):
    return statistics.median(values) if values else float("nan")


def p95(values):
    values = sorted(values)
    return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))] if values else float("nan")


class MemoryWatch:
    """Samples the memory of a process tree: peak total PSS, and peak RSS per kind of process."""

    def __init__(self, root_pid, period=0.1):
        self.root, self.period = root_pid, period
        self.peak_total = 0
        self.peak = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()

    @staticmethod
    def _read(pid):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            rss = pss = 0
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
            return ppid, command, rss, pss
        except (OSError, ValueError, IndexError):
            return None

    def run(self):
        while not self.stop.is_set():
            table = {}
            for entry in os.listdir("/proc"):
                if entry.isdigit():
                    found = self._read(int(entry))
                    if found:
                        table[int(entry)] = found
            tree, frontier = {self.root}, [self.root]
            children = {}
            for pid, (ppid, *_rest) in table.items():
                children.setdefault(ppid, []).append(pid)
            while frontier:
                for child in children.get(frontier.pop(), []):
                    if child not in tree:
                        tree.add(child)
                        frontier.append(child)
            total = 0
            for pid in tree:
                if pid not in table:
                    continue
                ppid, command, rss, pss = table[pid]
                total += pss
                kind = self.kind(pid, ppid, command, table)
                self.peak[kind] = max(self.peak.get(kind, 0), rss)
            self.peak_total = max(self.peak_total, total)
            self.stop.wait(self.period)

    def kind(self, pid, ppid, command, table):
        parent = table.get(ppid, (0, "", 0, 0))[1]
        if pid == self.root:
            return "grader (coordinator)"
        if "autograder.runner.forkserver" in command:
            return "runner (trusted, per submission)" if "autograder.runner.forkserver" in parent else "fork server"
        if "autograder.sandbox.zygote" in command:
            return "student worker" if "autograder.sandbox.zygote" in parent else "zygote"
        if "autograder.sandbox.inside.worker" in command:
            return "student worker"
        if "bwrap" in command:
            return "bubblewrap"
        return "other"


def children_cpu():
    """CPU seconds of the finished child processes of this one, and of their descendants."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def grade_command(submissions, out, jobs, root=KIT, one_core=False):
    """Run ``autograder grade`` as an instructor does; return (wall seconds, CPU seconds, MemoryWatch)."""
    command = [PYTHON, "-m", "autograder.cli", "grade", str(submissions), "--out", str(out), "--jobs", str(jobs),
               "--root", str(root), "--quiet"]
    preexec = (lambda: os.sched_setaffinity(0, {0})) if one_core else None
    started, cpu = time.perf_counter(), children_cpu()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=preexec,
                               cwd=KIT)
    with MemoryWatch(process.pid) as watch:
        _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode:
        raise RuntimeError(f"autograder grade failed ({process.returncode}):\n{stderr.decode()[-3000:]}")
    return seconds, children_cpu() - cpu, watch


def execution_times(out, kinds):
    """{kind: [per-submission seconds]} from the results.json files ("all" for every one)."""
    times = {"all": []}
    for student, kind in kinds.items():
        seconds = json.loads((Path(out) / student / "results.json").read_text())["execution_time"]
        times["all"].append(seconds)
        times.setdefault(kind, []).append(seconds)
    return times


# -- the measurements that run in a child process of their own ---------------------------------------

def measure_startup(reps):
    """Sandbox start-up: a fresh worker, the zygote, a forked worker (each to its first answer)."""
    from autograder.sandbox.kinds import make_sandbox
    from autograder.sandbox.session import WorkerSession
    from autograder.sandbox.zygote import Zygote

    module = KIT / "solutions" / "02_softmax" / "softmax.py"
    results = {}
    kinds = ["bwrap", "process"] if make_sandbox("auto").secure else ["process"]
    for kind in kinds:
        fresh, zygote, forked = [], [], []
        for _ in range(reps):
            session = WorkerSession(make_sandbox(kind), module, "softmax")
            started = time.perf_counter()
            session.request({"op": "getattr", "name": "softmax", "target": None})
            fresh.append(time.perf_counter() - started)
            session.close()
            with tempfile.TemporaryDirectory() as scratch:
                workers = Zygote(make_sandbox(kind), module.parent.parent, scratch)
                started = time.perf_counter()
                first = WorkerSession(workers, module, "softmax")
                first.request({"op": "getattr", "name": "softmax", "target": None})
                zygote.append(time.perf_counter() - started)
                for _ in range(3):
                    started = time.perf_counter()
                    other = WorkerSession(workers, module, "softmax")
                    other.request({"op": "getattr", "name": "softmax", "target": None})
                    forked.append(time.perf_counter() - started)
                    other.close()
                first.close()
                workers.close()
        results[kind] = {"fresh worker": median(fresh), "zygote and first worker": median(zygote),
                         "forked worker": median(forked)}
    return results


def measure_overhead(reps):
    """The reference's full test run through the sandbox (as ``grade`` runs it) and in-process, alternately."""
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    import gc

    from autograder.runner.forkserver import warm_up
    from autograder.kit.assignments import test_files
    from inprocess import InProcess
    from autograder.runner.run import run_tests
    from autograder.sandbox.kinds import make_sandbox

    files = test_files(KIT)
    warm_up(files, KIT / "solutions")
    gc.collect()
    gc.freeze()
    with tempfile.TemporaryDirectory() as folder:
        submission = synthetic.write_submission(Path(folder) / "reference")
        kind = "bwrap" if make_sandbox("auto").secure else "process"
        times = {kind: [], "inprocess": []}
        cpu = {kind: [], "inprocess": []}
        for _ in range(reps):
            for name in times:
                sandbox = InProcess() if name == "inprocess" else make_sandbox(name)
                started, used = time.perf_counter(), cpu_seconds()
                records = run_tests(submission, files, sandbox, KIT / "solutions")
                times[name].append(time.perf_counter() - started)
                cpu[name].append(cpu_seconds() - used)
                failed = [(r.test, r.case, r.message) for r in records if not r.passed]
                if failed:
                    raise RuntimeError(f"the reference failed {failed[:3]} with {name}")
    return {"sandbox": kind, "times": times, "ratio": median(times[kind]) / median(times["inprocess"]),
            "cpu": cpu, "cpu_ratio": median(cpu[kind]) / median(cpu["inprocess"])}


def cpu_seconds():
    """CPU time of this process and of every descendant it (or they) waited for: the sandbox's processes too."""
    import resource

    return sum(getattr(resource.getrusage(who), field) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
               for field in ("ru_utime", "ru_stime"))


def in_child(what, reps):
    output = subprocess.run([PYTHON, __file__, "--measure", what, "--reps", str(reps)], capture_output=True,
                            text=True, cwd=KIT, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    if output.returncode:
        raise RuntimeError(f"measuring {what} failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


# -- the whole run ---------------------------------------------------------------------------------------

def run(args):
    results = {"machine": machine()}
    say = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    work = Path(tempfile.mkdtemp(prefix="backprop-bench-"))
    try:
        say(f"building a class of {args.students} in {work}")
        kinds = synthetic.make_class(work / "class", args.students)
        results["class"] = {kind: sum(1 for k in kinds.values() if k == kind) for kind in ("correct", "buggy", "hostile")}
        results["hostile"] = sorted(s.split("_hostile_")[1] for s, k in kinds.items() if k == "hostile")

        for jobs in (1, 2) if "class" in args.parts else ():
            say(f"grading the class with --jobs {jobs}")
            seconds, cpu, watch = grade_command(work / "class", work / f"out-jobs{jobs}", jobs)
            times = execution_times(work / f"out-jobs{jobs}", kinds)
            results[f"jobs{jobs}"] = {
                "wall": seconds, "per_minute": 60 * len(kinds) / seconds, "cpu": cpu,
                "median": median(times["all"]), "p95": p95(times["all"]),
                "median_correct": median(times.get("correct", [])), "median_hostile": median(times.get("hostile", [])),
                "peak_total_pss": watch.peak_total, "peak_rss": watch.peak,
            }
        if "class" in args.parts:
            results["speedup"] = results["jobs1"]["wall"] / results["jobs2"]["wall"]
            gradebooks = [(work / f"out-jobs{jobs}" / "gradebook.csv").read_text() for jobs in (1, 2)]
            results["same_gradebook"] = gradebooks[0] == gradebooks[1]

        if "startup" in args.parts:
            say("timing the sandbox's start-up")
            results["startup"] = in_child("startup", max(5, args.reps * 2))
        if "overhead" in args.parts:
            say(f"timing the overhead ratio ({args.reps} runs each way)")
            results["overhead"] = in_child("overhead", args.reps)

        if "one-core" in args.parts:
            say("grading one correct submission on one core")
            batch = work / "one-core"
            for index in range(max(3, args.reps)):
                synthetic.write_submission(batch / f"reference{index}")
            _, batch_cpu, _ = grade_command(batch, work / "one-core-out", 1, one_core=True)
            warm = [json.loads((work / "one-core-out" / s.name / "results.json").read_text())["execution_time"]
                    for s in sorted(batch.iterdir())]
            synthetic.write_submission(work / "alone" / "reference")
            cold, cold_cpu, _ = grade_command(work / "alone", work / "alone-out", 1, one_core=True)
            results["one_core"] = {"warm_median": median(warm), "warm": warm, "cold_command": cold,
                                   "batch_cpu_per_submission": batch_cpu / len(warm), "cold_cpu": cold_cpu}

        if "nbgrader" in args.parts and args.nbgrader:
            results["nbgrader"] = compare_with_nbgrader(work, kinds, say)
        results["machine"]["load_at_end"] = os.getloadavg()
    finally:
        if args.keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return results


def compare_with_nbgrader(work, kinds, say):
    """nbgrader autograde and autograder grade on the class's 02_softmax notebooks, everyday and hostile apart."""
    reference = (KIT / "solutions" / "02_softmax" / "softmax.py").read_text()
    kit02 = nbgrader_course.softmax_only_kit(work / "kit02")
    groups = {"correct and buggy": [s for s, k in kinds.items() if k != "hostile"],
              "hostile": [s for s, k in kinds.items() if k == "hostile"]}
    figures = {}
    for group, students in groups.items():
        if not students:
            continue
        tag = group.split()[0]
        course = nbgrader_course.make_course(work / f"course-{tag}", reference)
        codes = {s: synthetic.module_source(work / "class" / s, "02_softmax") for s in students}
        nbgrader_course.submit(course, codes, work / f"notebooks-{tag}")
        say(f"nbgrader autograde: {len(students)} notebooks ({group})")
        started, cpu = time.perf_counter(), children_cpu()
        done = nbgrader_course.autograde(course)
        nbgrader_seconds, nbgrader_cpu = time.perf_counter() - started, children_cpu() - cpu
        if done.returncode:
            raise RuntimeError(f"nbgrader autograde failed:\n{done.stderr[-3000:]}")
        scores = nbgrader_course.nbgrader_scores(course)
        entry = {"notebooks": len(students), "nbgrader": nbgrader_seconds, "nbgrader_cpu": nbgrader_cpu,
                 "nbgrader_full_marks": sum(1 for s in students if scores.get(s) == len(nbgrader_course.TEST_CELLS))}
        for jobs in (1, 2):
            say(f"autograder grade (02_softmax only, --jobs {jobs}): {len(students)} notebooks ({group})")
            seconds, cpu, _ = grade_command(work / f"notebooks-{tag}", work / f"graded-{tag}-{jobs}", jobs,
                                            root=kit02)
            entry[f"autograder_jobs{jobs}"], entry[f"autograder_cpu_jobs{jobs}"] = seconds, cpu
        figures[group] = entry
    return figures


# -- the table -------------------------------------------------------------------------------------------

def table(results):
    m = results["machine"]
    lines = [
        f"Backprop Kit grading benchmark, {m['date']}",
        f"machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, Linux {m['kernel']}; Python {m['python']}, "
        f"numpy {m['numpy']}, pytest {m['pytest']}",
        f"sandbox: {m['sandbox']}",
        "load average (1/5/15 min) at start {:.2f}/{:.2f}/{:.2f}, at end {:.2f}/{:.2f}/{:.2f}".format(
            *m["load_at_start"], *m.get("load_at_end", (float("nan"),) * 3)),
        f"class: {sum(results['class'].values())} submissions: {results['class']['correct']} correct, "
        f"{results['class']['buggy']} buggy, {results['class']['hostile']} hostile ({', '.join(results['hostile'])})",
        "",
        "| measure | value | target | met |",
        "| --- | --- | --- | --- |",
    ]

    def row(measure, value, target="", met=None):
        lines.append(f"| {measure} | {value} | {target} | {'' if met is None else ('yes' if met else 'NO')} |")

    for jobs in (1, 2) if "jobs1" in results else ():
        r = results[f"jobs{jobs}"]
        row(f"class, `--jobs {jobs}`: wall time; submissions per minute; CPU time per submission",
            f"{r['wall']:.1f} s; {r['per_minute']:.1f}/min; {r['cpu'] / sum(results['class'].values()):.2f} s")
        row(f"per submission, `--jobs {jobs}`: median; p95 (correct only: median; hostile: median)",
            f"{r['median']:.2f} s; {r['p95']:.2f} s ({r['median_correct']:.2f} s; {r['median_hostile']:.2f} s)")
    if "speedup" in results:
        row("speed-up of `--jobs 2` over `--jobs 1`", f"{results['speedup']:.2f}x", ">= 1.7x", results["speedup"] >= 1.7)
        row("the two gradebooks are identical", "yes" if results["same_gradebook"] else "NO")
    for jobs in (1, 2) if "jobs1" in results else ():
        r = results[f"jobs{jobs}"]
        peaks = r["peak_rss"]
        row(f"peak memory, `--jobs {jobs}`: all grading processes (sum of PSS)", f"{r['peak_total_pss'] / MiB:.0f} MiB")
        detail = "; ".join(f"{kind} {peaks[kind] / MiB:.0f}" for kind in
                           ("grader (coordinator)", "fork server", "runner (trusted, per submission)", "zygote",
                            "student worker") if kind in peaks)
        row(f"peak RSS per process, `--jobs {jobs}` (MiB)", detail, "worker bounded", True)
    from autograder.sandbox.process import MEMORY_BYTES

    row("memory bound of a student worker", f"{MEMORY_BYTES / 1024**3:g} GiB address space (RLIMIT_AS), 64 MiB /tmp")
    for kind, s in results.get("startup", {}).items():
        row(f"sandbox start-up ({kind}): a fresh worker; the zygote with its first worker; a forked worker",
            f"{1000 * s['fresh worker']:.0f} ms; {1000 * s['zygote and first worker']:.0f} ms; "
            f"{1000 * s['forked worker']:.0f} ms")
    if "overhead" in results:
        o = results["overhead"]
        t, cpu = o["times"], o["cpu"]
        row(f"reference, all six assignments: through the sandbox ({o['sandbox']}); in-process, no isolation "
            "(medians: wall; CPU of all processes)",
            f"{median(t[o['sandbox']]):.2f} s; {median(t['inprocess']):.2f} s (CPU {median(cpu[o['sandbox']]):.2f} s; "
            f"{median(cpu['inprocess']):.2f} s)")
        row("overhead ratio (sandboxed / in-process): wall (CPU)", f"{o['ratio']:.2f} ({o['cpu_ratio']:.2f})",
            "<= 1.3", o["ratio"] <= 1.3)
    if "one_core" in results:
        c = results["one_core"]
        row("one correct submission, all six assignments, one core: in a batch (median)", f"{c['warm_median']:.2f} s",
            "< 3 s", c["warm_median"] < 3)
        row("... its CPU time (all processes; what one otherwise idle core would take)",
            f"{c['batch_cpu_per_submission']:.2f} s")
        row("... the same as a cold command (`grade` of a class of one, start-up included): wall; CPU",
            f"{c['cold_command']:.2f} s; {c['cold_cpu']:.2f} s")
    for group, n in results.get("nbgrader", {}).items():
        if "autograder_jobs1" not in n:
            continue
        count = n["notebooks"]
        ours = n["autograder_jobs1"] / count
        theirs = n["nbgrader"] / count
        row(f"02_softmax notebooks ({group}, {count}): `nbgrader autograde` per notebook: wall (CPU)",
            f"{theirs:.2f} s ({n['nbgrader_cpu'] / count:.2f} s); {60 / theirs:.0f}/min; "
            f"{n['nbgrader_full_marks']} with full marks")
        row(f"02_softmax notebooks ({group}, {count}): `autograder grade` per notebook: `--jobs 1` wall (CPU); "
            "`--jobs 2` wall",
            f"{ours:.2f} s ({n['autograder_cpu_jobs1'] / count:.2f} s); {60 / ours:.0f}/min; "
            f"{n['autograder_jobs2'] / count:.2f} s")
        row(f"rate over nbgrader's ({group}): `--jobs 1`; `--jobs 2`; by CPU time",
            f"{theirs / ours:.1f}x; {n['nbgrader'] / n['autograder_jobs2']:.1f}x; "
            f"{n['nbgrader_cpu'] / n['autograder_cpu_jobs1']:.1f}x",
            ">= 5x" if group == "correct and buggy" else "", theirs / ours >= 5 if group == "correct and buggy" else None)
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=40, help="size of the synthetic class (default 40)")
    parser.add_argument("--reps", type=int, default=7, help="repetitions of the side-by-side timings (default 7)")
    parser.add_argument("--quick", action="store_true", help="a class of 10 and 3 repetitions (a smoke run)")
    parser.add_argument("--no-nbgrader", dest="nbgrader", action="store_false", help="skip the nbgrader comparison")
    parser.add_argument("--json", help="also write the raw figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (class, results)")
    parser.add_argument("--only", dest="parts", nargs="+", default=PARTS, choices=PARTS, metavar="PART",
                        help=f"measure only these parts ({', '.join(PARTS)}; default: all)")
    parser.add_argument("--measure", choices=["startup", "overhead"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure_startup(args.reps) if args.measure == "startup" else measure_overhead(args.reps)))
        return 0
    if args.quick:
        args.students, args.reps = 10, 3
    results = run(args)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
