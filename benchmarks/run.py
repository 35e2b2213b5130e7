"""Grading at class scale, measured: one command, one table.

    .venv/bin/python benchmarks/run.py [--students 40] [--reps 7] [--quick] [--no-nbgrader] [--only PART...] [--json FILE]

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
   says what each side does), side by side;
6. takes one correct submission's CPU time apart (``where_cpu_goes``: the sandbox's start,
   its workers, the wire on both sides, pytest, the tests, data shipped, writing results);
7. grades the class with diagnosis by known bugs and without (a copy of the kit without its
   ``solutions/*/known_bugs.json``: nothing recorded, nothing replayed; relations between values
   stay, they cost next to nothing), alternately with ``--jobs 2``, up to three times each (no more
   than ``--reps``): the ratio of the median CPU times.

CPU time counts every process, the sandbox's by a cgroup each measured command joins (as root).
It prints the headline first (CPU-time ratios, wall time beside them, the previous full run's
figures from ``benchmarks/last_run.json``, which a full run rewrites), then the full table.
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

from autograder.kit.assignments import discover_assignments  # noqa: E402

ASSIGNMENTS = discover_assignments(KIT)  # every assignment of the kit, in course order

PYTHON = sys.executable
MiB = 1024**2
PARTS = ["class", "startup", "overhead", "profile", "one-core", "nbgrader", "diagnosis"]
DIAGNOSIS_COST = 1.10  # diagnosis may add at most 10% to the CPU time of grading a class
DIAGNOSIS_PAIRS = 3  # gradings each way (at most --reps): a single grading of a class is too noisy
LAST_RUN = HERE / "last_run.json"  # the headline figures of the last full run, for the next one to compare with


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


def counted_cpu(launch, then=None):
    """``launch(preexec_fn)``'s result, and the CPU seconds of the command it starts and of everything that starts.

    Counted by a cgroup (root, cgroup v1 cpuacct) that the command joins before it runs, so that killed and
    sandboxed processes count too; else by the rusage of waited-for children. ``then`` runs after joining.
    """
    from where_cpu_goes import CGROUP_ROOT, CpuGroup

    if os.geteuid() != 0 or not CGROUP_ROOT.is_dir():
        before = children_cpu()
        result = launch(then)
        return result, children_cpu() - before
    group = CpuGroup()

    def join():
        group.join()
        if then is not None:
            then()

    try:
        result = launch(join)
        time.sleep(0.2)  # the command's last processes leave
        return result, group.seconds()
    finally:
        group.remove()


def grade_command(submissions, out, jobs, root=KIT, one_core=False):
    """Run ``autograder grade`` as an instructor does; return (wall seconds, CPU seconds, MemoryWatch)."""
    command = [PYTHON, "-m", "autograder.cli", "grade", str(submissions), "--out", str(out), "--jobs", str(jobs),
               "--root", str(root), "--quiet"]

    def launch(preexec):
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=preexec,
                                   cwd=KIT)
        with MemoryWatch(process.pid) as watch:
            _, stderr = process.communicate()
        if process.returncode:
            raise RuntimeError(f"autograder grade failed ({process.returncode}):\n{stderr.decode()[-3000:]}")
        return time.perf_counter() - started, watch

    (seconds, watch), cpu = counted_cpu(launch, (lambda: os.sched_setaffinity(0, {0})) if one_core else None)
    return seconds, cpu, watch


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


def warm_runner():
    """This process made like a fork server's child: everything imported and loaded, collected objects frozen."""
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    import gc

    from autograder.kit.assignments import test_files
    from autograder.runner.forkserver import warm_up

    files = test_files(KIT)
    warm_up(files, KIT / "solutions")
    gc.collect()
    gc.freeze()
    return files


def measure_overhead(reps):
    """The reference's full test run through the sandbox (as ``grade`` runs it) and in-process, alternately.

    CPU time counts every process: the sandbox's from a cgroup when one can be made (root, cgroup v1
    cpuacct), else those that were waited for (a sandbox's killed processes may be missed then).
    """
    from autograder.runner.run import run_tests
    from autograder.sandbox.kinds import make_sandbox
    from inprocess import InProcess
    from where_cpu_goes import CGROUP_ROOT, CpuGroup, counted

    files = warm_runner()
    group = CpuGroup() if os.geteuid() == 0 and CGROUP_ROOT.is_dir() else None
    try:
        with tempfile.TemporaryDirectory() as folder:
            submission = synthetic.write_submission(Path(folder) / "reference")
            kind = "bwrap" if make_sandbox("auto").secure else "process"
            times = {kind: [], "inprocess": []}
            cpu = {kind: [], "inprocess": []}
            for _ in range(reps):
                for name in times:
                    sandbox = InProcess() if name == "inprocess" else make_sandbox(name)
                    if group is not None and name != "inprocess":
                        sandbox = counted(sandbox, group)
                    sandbox_cpu = group.seconds() if group else 0.0
                    started, used = time.perf_counter(), cpu_seconds(children=group is None)
                    records = run_tests(submission, files, sandbox, KIT / "solutions")
                    times[name].append(time.perf_counter() - started)
                    if group is not None:
                        time.sleep(0.1)  # the sandbox's last processes leave
                    cpu[name].append(cpu_seconds(children=group is None) - used
                                     + (group.seconds() - sandbox_cpu if group else 0.0))
                    failed = [(r.test, r.case, r.message) for r in records if not r.passed]
                    if failed:
                        raise RuntimeError(f"the reference failed {failed[:3]} with {name}")
    finally:
        if group is not None:
            group.remove()
    return {"sandbox": kind, "times": times, "ratio": median(times[kind]) / median(times["inprocess"]),
            "cpu": cpu, "cpu_ratio": median(cpu[kind]) / median(cpu["inprocess"]),
            "cpu_source": "cgroup" if group is not None else "rusage"}


def measure_profile(reps):
    """Where one correct submission's CPU goes (``where_cpu_goes``)."""
    import where_cpu_goes

    files = warm_runner()
    with tempfile.TemporaryDirectory() as folder:
        submission = synthetic.write_submission(Path(folder) / "reference")
        return where_cpu_goes.measure(KIT, submission, files)


def cpu_seconds(children=True):
    """CPU time of this process and (``children``) of every descendant it (or they) waited for."""
    import resource

    whose = (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN) if children else (resource.RUSAGE_SELF,)
    return sum(getattr(resource.getrusage(who), field) for who in whose for field in ("ru_utime", "ru_stime"))


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
        if "profile" in args.parts:
            say("profiling one correct submission")
            results["profile"] = in_child("profile", 1)

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
        if "diagnosis" in args.parts:
            say("grading the class without diagnosis by known bugs, then with it")
            results["diagnosis"] = measure_diagnosis(work, min(args.reps, DIAGNOSIS_PAIRS))
        results["machine"]["load_at_end"] = os.getloadavg()
    finally:
        if args.keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return results


def kit_without_known_bugs(target):
    """A copy of the kit (no virtual environment, no git) without its known bugs: grading it diagnoses by relations only."""
    shutil.copytree(KIT, target, symlinks=True,
                    ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.egg-info", "out", "known_bugs.json"))
    return target


def measure_diagnosis(work, pairs):
    """CPU and wall time of grading the same class (``--jobs 2``) without and with diagnosis by known bugs.

    ``pairs`` gradings each way, alternately, and the ratio of the medians: one grading of a class moves by
    10-20% from one run to the next on this machine (main measured 1.23x, 1.15x, 0.97x and 0.99x in four
    single pairs within 20 minutes, quiet), more than the 10% the bar allows.
    """
    bare = kit_without_known_bugs(work / "kit-without-known-bugs")
    runs = {"off": [], "on": []}
    for pair in range(pairs):
        for name, root in (("off", bare), ("on", KIT)):
            seconds, cpu, _ = grade_command(work / "class", work / f"out-diagnosis-{name}-{pair}", 2, root=root)
            runs[name].append({"wall": seconds, "cpu": cpu})
    measured = {name: {"wall": statistics.median(run["wall"] for run in done),
                       "cpu": statistics.median(run["cpu"] for run in done)} for name, done in runs.items()}
    measured["cpu_ratio"] = measured["on"]["cpu"] / measured["off"]["cpu"]
    measured["pair_ratios"] = [on["cpu"] / off["cpu"] for off, on in zip(runs["off"], runs["on"])]
    return measured


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
        started = time.perf_counter()
        done, nbgrader_cpu = counted_cpu(lambda join: nbgrader_course.autograde(course, then=join))
        nbgrader_seconds = time.perf_counter() - started
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
        row(f"reference, all {len(ASSIGNMENTS)} assignments: through the sandbox ({o['sandbox']}); in-process, no isolation "
            "(medians: wall; CPU of all processes)",
            f"{median(t[o['sandbox']]):.2f} s; {median(t['inprocess']):.2f} s (CPU {median(cpu[o['sandbox']]):.2f} s; "
            f"{median(cpu['inprocess']):.2f} s)")
        row(f"overhead ratio (sandboxed / in-process): CPU ({o.get('cpu_source', 'rusage')}); wall",
            f"{o['cpu_ratio']:.2f}; {o['ratio']:.2f}", "<= 1.2 by CPU", o["cpu_ratio"] <= 1.2)
    if "one_core" in results:
        c = results["one_core"]
        row(f"one correct submission, all {len(ASSIGNMENTS)} assignments, one core: in a batch (median)", f"{c['warm_median']:.2f} s",
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
        by_cpu = n["nbgrader_cpu"] / n["autograder_cpu_jobs1"]
        row(f"rate over nbgrader's ({group}): by CPU time; wall `--jobs 1`; wall `--jobs 2`",
            f"{by_cpu:.1f}x; {theirs / ours:.1f}x; {n['nbgrader'] / n['autograder_jobs2']:.1f}x",
            ">= 5x by CPU" if group == "correct and buggy" else "", by_cpu >= 5 if group == "correct and buggy" else None)
    if "diagnosis" in results:
        d = results["diagnosis"]
        row(f"the class, `--jobs 2`, diagnosis by known bugs off; on: CPU (wall), medians of {len(d['pair_ratios'])} "
            "alternated gradings each",
            f"{d['off']['cpu']:.1f} s ({d['off']['wall']:.1f} s); {d['on']['cpu']:.1f} s ({d['on']['wall']:.1f} s)")
        row("... the ratio of each pair, in order", ", ".join(f"{ratio:.3f}x" for ratio in d["pair_ratios"]))
        row("CPU time with diagnosis / without", f"{d['cpu_ratio']:.3f}x", f"<= {DIAGNOSIS_COST:.2f}x",
            d["cpu_ratio"] <= DIAGNOSIS_COST)
    lines += ["", *profile_table(results.get("profile"))]
    return "\n".join(lines)


def headline(results):
    """The portable figures, CPU-time ratios first: {key: (what, value, how it prints, target, met or None)}."""
    figures = {}
    if "overhead" in results:
        o = results["overhead"]
        wall = f"wall {o['ratio']:.2f}x ({median(o['times'][o['sandbox']]):.2f} s / {median(o['times']['inprocess']):.2f} s)"
        cpu = f"{median(o['cpu'][o['sandbox']]):.2f} s / {median(o['cpu']['inprocess']):.2f} s"
        figures["overhead_cpu"] = ("the reference, every assignment: CPU through the sandbox / in-process",
                                   o["cpu_ratio"], f"{o['cpu_ratio']:.2f}x ({cpu}); {wall}", "<= 1.2x",
                                   o["cpu_ratio"] <= 1.2)
    n = results.get("nbgrader", {}).get("correct and buggy")
    if n and "autograder_jobs1" in n:
        ratio = n["nbgrader_cpu"] / n["autograder_cpu_jobs1"]
        ours, theirs = n["autograder_cpu_jobs1"] / n["notebooks"], n["nbgrader_cpu"] / n["notebooks"]
        figures["nbgrader_cpu"] = ("02 notebooks: nbgrader's CPU / ours, per notebook (`--jobs 1`)", ratio,
                                   f"{ratio:.1f}x ({theirs:.3f} s / {ours:.3f} s); wall "
                                   f"{n['nbgrader'] / n['autograder_jobs1']:.1f}x", ">= 5x", ratio >= 5)
    if "one_core" in results:
        c = results["one_core"]
        figures["cold_cpu"] = ("a cold `grade` of a class of one (one core): CPU; wall", c["cold_cpu"],
                               f"{c['cold_cpu']:.2f} s; {c['cold_command']:.2f} s", "< 3 s", c["cold_cpu"] < 3)
        figures["batch_cpu"] = ("one correct submission in a batch (one core): CPU; wall",
                                c["batch_cpu_per_submission"],
                                f"{c['batch_cpu_per_submission']:.2f} s; {c['warm_median']:.2f} s", "", None)
    if "diagnosis" in results:
        d = results["diagnosis"]
        figures["diagnosis_cpu"] = ("the class with diagnosis / without, CPU (`--jobs 2`)", d["cpu_ratio"],
                                    f"{d['cpu_ratio']:.3f}x ({d['on']['cpu']:.1f} s / {d['off']['cpu']:.1f} s)",
                                    f"<= {DIAGNOSIS_COST:.2f}x", d["cpu_ratio"] <= DIAGNOSIS_COST)
    if "profile" in results:
        p = results["profile"]
        figures["sandboxed_cpu"] = ("one correct submission's tests, warm: CPU of the trusted runner + the sandbox",
                                    p["trusted total"] + p["sandbox total"],
                                    f"{p['trusted total'] + p['sandbox total']:.2f} s", "", None)
    return figures


def headline_table(results, previous):
    """The headline figures, with those of the previous run (``previous``: last_run.json's content) beside."""
    before = (previous or {}).get("figures", {})
    when = (previous or {}).get("date", "none kept")
    lines = [f"Headline (CPU time is what to compare across machines and loads; previous run: {when})", "",
             "| measure | this run | target | met | previous run |", "| --- | --- | --- | --- | --- |"]
    for key, (what, value, shown, target, met) in headline(results).items():
        old = before.get(key)
        lines.append(f"| {what} | {shown} | {target} | {'' if met is None else ('yes' if met else 'NO')} | "
                     f"{'' if old is None else f'{old:.2f}'} |")
    return lines


def save_headline(results, path=LAST_RUN):
    """Keep this run's headline figures for the next run to compare with."""
    m = results["machine"]
    path.write_text(json.dumps({
        "date": m["date"], "machine": f"{m['cpu']}, {m['cores']} cores",
        "load": {"start": m["load_at_start"], "end": m.get("load_at_end")},
        "figures": {key: round(value, 4) for key, (_, value, _, _, _) in headline(results).items()},
    }, indent=1) + "\n")


def profile_table(p):
    """Where one correct submission's CPU goes (``where_cpu_goes``), as a table."""
    if not p:
        return []
    student = p["in-process in requests (student code and the worker's logic)"]
    inprocess_rest = p["in-process total"] - student
    zygote = p["zygote start and first worker"]
    forks = p["worker starts after the first (fork and import)"]
    worker_wire = p["worker wire: decoding requests"] + p["worker wire: encoding answers"]
    loop = p["sandbox in exchanges"] - student - worker_wire
    sandbox_rest = p["sandbox total, timed run"] - p["sandbox in exchanges"] - zygote - forks
    trusted = p["trusted total"]
    total = trusted + p["sandbox total"]
    rows = [
        ("the student's code and the worker's logic (the same requests in-process)", student),
        ("the sandbox: zygote start to its first answer (bubblewrap, Python, numpy, one import)", zygote),
        (f"the sandbox: the {p['workers started after the first']} other workers' fork and import", forks),
        ("the sandbox: the wire in the worker (decoding requests, encoding answers; replayed)", worker_wire),
        ("the sandbox: the worker's loop, pipes, wake-ups, pages copied after fork (rest of its exchanges)", loop),
        ("the sandbox: outside exchanges (requests sent without waiting, tear-down)", sandbox_rest),
    ]
    rows += [(f"the trusted runner: {name}", trusted * share) for name, share in p["trusted shares"].items()]
    lines = [f"Where one correct submission's CPU goes (the reference, every assignment, warm; "
             f"{total:.2f} s through the sandbox, {p['in-process total']:.2f} s in-process, where pytest, the "
             f"tests and the reference take {inprocess_rest:.2f} s)", "",
             "| part | CPU | share |", "| --- | --- | --- |"]
    lines += [f"| {name} | {seconds * 1000:.0f} ms | {100 * seconds / total:.0f}% |" for name, seconds in rows]
    lines += [f"| writing results.json, feedback.html and the gradebook row (grade's coordinator) | "
              f"{p['writing results.json, feedback.html, gradebook row'] * 1000:.0f} ms | |",
              "", f"The trusted runner took {trusted:.2f} s through the sandbox, where pytest, the tests and the reference "
              f"took {inprocess_rest:.2f} s in-process: {trusted - inprocess_rest:.2f} s more, for the wire, the channel "
              f"and a colder interpreter after each of its {p['trusted runner waits (voluntary context switches)']} "
              "waits for a worker (its caches and those of the other processes the machine runs meanwhile).",
              "", f"Data shipped: {p['frames to the worker']} frames to the workers ({p['bytes to the worker'] / 1e6:.2f} MB, "
              f"of which arrays {p['array bytes to the worker'] / 1e6:.2f} MB; {p['digits training sets sent']} of them "
              f"carry a digits training set), {p['frames back']} back ({p['bytes back'] / 1e6:.2f} MB); "
              f"{p['exchanges']} exchanges."]
    return lines


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
    parser.add_argument("--measure", choices=list(MEASURES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(MEASURES[args.measure](args.reps)))
        return 0
    if args.quick:
        args.students, args.reps = 10, 3
    results = run(args)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))
    previous = json.loads(LAST_RUN.read_text()) if LAST_RUN.is_file() else None
    print("\n".join(headline_table(results, previous)))
    print()
    print(table(results))
    if set(args.parts) == set(PARTS) and not args.quick:
        save_headline(results)  # only a full run's figures are the next one's comparison
    return 0


MEASURES = {"startup": measure_startup, "overhead": measure_overhead, "profile": measure_profile}

if __name__ == "__main__":
    sys.exit(main())
