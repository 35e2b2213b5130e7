"""One control group per submission's sandbox: memory and processes bounded as a whole, an equal CPU
share, and CPU time charged to the sandbox alone.

Per-process rlimits bound each process, not the submission: many processes each under the
address-space limit held 13.9 GiB at once, and a submission running many busy processes took
the CPU from the one graded beside it, which then timed out. A control group fixes both: every
process of the sandbox (bwrap, the zygote, the workers and whatever they start) is put into the
group before bwrap starts, so it cannot leave it; the group's memory and pids limits count them
all; every group has the same CPU weight (``cpu.shares`` on cgroup v1, ``cpu.weight`` on v2), so
a busy neighbour gets a core's worth at most of what it shares with us; and the group's CPU time
(``cpuacct.usage`` / ``cpu.stat``) is what the per-call time limits charge
(:class:`autograder.sandbox.session.WorkerSession`), so that a neighbour cannot push a
submission over them; the time its threads waited for a CPU (``/proc/<tid>/schedstat``) tells a call
starved by a neighbour from one that sleeps, which is charged the clock.

Both hierarchies are supported: v2 (one tree, ``/sys/fs/cgroup/cgroup.controllers``) and v1 (one
mount per controller: ``cpu``, ``cpuacct``, ``memory``, ``pids``; several may share a mount). The
groups are made below the grader's own group in each hierarchy, so that limits set on the grader
(a CI job's, a container's) still hold for its sandboxes. Creating one costs a few ``mkdir`` and
writes (about a millisecond). :func:`available` says which version a run uses, or why none (then
the sandbox keeps its rlimits alone, and time limits are wall-clock).

A group is named ``backprop-kit-<pid of the process that made it>-<n>``; :meth:`SandboxGroup.remove`
kills what is left in it and removes it, and :func:`remove_orphans` removes the groups of processes
that died without doing so (a runner killed by its timeout), so nothing is left behind.
"""
import functools
import itertools
import os
import signal
import time
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
PREFIX = "backprop-kit-"
CONTROLLERS_V1 = ("cpu", "cpuacct", "memory", "pids")
CPU_WEIGHT_V1, CPU_WEIGHT_V2 = 1024, 100  # the defaults: every sandbox weighs the same
_counter = itertools.count(1)


class CgroupsUnavailable(OSError):
    """The host gives this process no control groups to manage (not root, not mounted, read-only)."""


def _own_paths():
    """``{hierarchy id or controller list: path}`` of this process's groups, from /proc/self/cgroup."""
    paths = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        number, controllers, path = line.split(":", 2)
        paths[controllers] = path
    return paths


def _mount_points():
    """``{controller: (mount point, controller list of that mount)}`` of the v1 hierarchies."""
    mounts = {}
    for line in Path("/proc/self/mounts").read_text().splitlines():
        fields = line.split()
        if len(fields) < 4 or fields[2] != "cgroup":
            continue
        options = set(fields[3].split(","))
        for controller in CONTROLLERS_V1:
            if controller in options:
                mounts[controller] = Path(fields[1])
    return mounts


@functools.lru_cache(maxsize=None)
def layout():
    """``(version, {controller: parent folder})``: where this process may make its sandboxes' groups.

    Raises :class:`CgroupsUnavailable` with the reason when it may not.
    """
    if os.geteuid() != 0:
        raise CgroupsUnavailable("control groups need root")
    try:
        own = _own_paths()
        if (ROOT / "cgroup.controllers").is_file():
            return "v2", {"": _parent_v2(ROOT / own.get("", "/").lstrip("/"))}
        mounts = _mount_points()
        if not all(controller in mounts for controller in CONTROLLERS_V1):
            raise CgroupsUnavailable("the cpu, cpuacct, memory and pids controllers are not all mounted")
        parents = {}
        for controller, mount in mounts.items():
            listed = next((path for names, path in own.items() if controller in names.split(",")), "/")
            parents[controller] = mount / listed.lstrip("/")
        return "v1", parents
    except OSError as error:
        raise CgroupsUnavailable(f"control groups cannot be used here ({error})") from None


def _parent_v2(own):
    """Where v2 groups with the cpu, memory and pids controllers can be made: this process's group, or the
    nearest group above it that hands those controllers down.

    v2 lets a group hand controllers to its children only while it holds no process itself, and
    the grader's own group holds the grader; so the sandboxes' groups may have to be its siblings
    (or its parent's) under a group that does hand them down (systemd's slices do).
    """
    wanted = {"cpu", "memory", "pids"}
    for folder in (own, *own.parents):
        if not folder.is_relative_to(ROOT):
            break
        enabled = set((folder / "cgroup.subtree_control").read_text().split())
        if wanted <= enabled:
            return folder
        try:  # possible where the group holds no process itself (a container's root, say)
            (folder / "cgroup.subtree_control").write_text(" ".join(f"+{name}" for name in sorted(wanted - enabled)))
            return folder
        except OSError:
            continue
    raise CgroupsUnavailable("no cgroup v2 group here hands down the cpu, memory and pids controllers")


def available():
    """``"cgroup v1"`` or ``"cgroup v2"`` when sandboxes get their own groups, else the reason they do not."""
    try:
        version, _ = layout()
    except CgroupsUnavailable as error:
        return None, str(error)
    return f"cgroup {version}", ""


class SandboxGroup:
    """The control group of one sandbox: made with its limits, joined by the sandbox's first process.

    Parameters
    ----------
    memory_bytes : int
        Memory (and swap) for every process of the sandbox together.
    processes : int
        Processes and threads of the sandbox together.
    """

    def __init__(self, memory_bytes, processes):
        self.version, parents = layout()
        self.name = f"{PREFIX}{os.getpid()}-{next(_counter)}"
        self.folders = []
        try:
            for parent in dict.fromkeys(parents.values()):  # v1 controllers may share a mount
                folder = parent / self.name
                folder.mkdir()
                self.folders.append(folder)
            if self.version == "v2":
                self._write("memory.max", memory_bytes)
                self._write("memory.swap.max", 0, optional=True)
                self._write("pids.max", processes)
                self._write("cpu.weight", CPU_WEIGHT_V2)
            else:
                self._write("memory.limit_in_bytes", memory_bytes)
                self._write("memory.memsw.limit_in_bytes", memory_bytes, optional=True)  # no swapping around it
                self._write("pids.max", processes)
                self._write("cpu.shares", CPU_WEIGHT_V1)
        except OSError as error:
            self.remove()
            raise CgroupsUnavailable(f"could not make a control group for a sandbox ({error})") from None

    def _write(self, name, value, optional=False):
        for folder in self.folders:
            if (folder / name).exists():
                (folder / name).write_text(str(value))
                return
        if not optional:
            raise CgroupsUnavailable(f"no {name} in {self.folders}")

    def join(self):
        """Put the calling process in the group (in a child, before it starts the sandbox: all it starts follows)."""
        for folder in self.folders:
            with open(folder / "cgroup.procs", "w") as procs:
                procs.write("0")

    def cpu_seconds(self):
        """CPU time used so far by every process of the group, dead ones included."""
        for folder in self.folders:
            usage = folder / "cpuacct.usage"
            if usage.exists():
                return int(usage.read_text()) / 1e9
            stat = folder / "cpu.stat"
            if stat.exists() and self.version == "v2":
                for line in stat.read_text().splitlines():
                    key, _, value = line.partition(" ")
                    if key == "usage_usec":
                        return int(value) / 1e6
        return 0.0

    def waiting_seconds(self):
        """Time the group's live threads have spent ready to run but waiting for a CPU, summed; None where the
        kernel does not say (no ``/proc/<tid>/schedstat``).

        What tells a call starved by its neighbours from one that sleeps: both use little CPU, but only the
        starved one waits to run. A thread that has exited takes its wait with it (the sum may drop).
        """
        listing = next((folder / name for folder in self.folders for name in ("cgroup.threads", "tasks")
                        if (folder / name).exists()), None)
        try:
            threads = listing.read_text().split() if listing is not None else []
        except OSError:
            return None
        total, told = 0, False
        for thread in threads:
            try:
                with open(f"/proc/{thread}/schedstat") as schedstat:
                    total += int(schedstat.read().split()[1])  # run time, run delay, time slices (ns)
                told = True
            except (OSError, ValueError, IndexError):  # gone meanwhile
                continue
        return total / 1e9 if told else None

    def pids(self):
        found = set()
        for folder in self.folders:
            try:
                found.update(int(pid) for pid in (folder / "cgroup.procs").read_text().split())
            except (OSError, ValueError):
                pass
        return found

    def remove(self, patience=2.0):
        """Kill whatever is left in the group and remove it (from every hierarchy)."""
        _remove(self.folders, patience)
        self.folders = []


def _remove(folders, patience):
    deadline = time.monotonic() + patience
    for folder in folders:
        kill = folder / "cgroup.kill"
        while True:
            try:
                pids = [int(pid) for pid in (folder / "cgroup.procs").read_text().split()]
            except (OSError, ValueError):
                break  # gone already
            if not pids:
                break
            if kill.exists():
                try:
                    kill.write_text("1")
                except OSError:
                    pass
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
    for folder in reversed(folders):
        for _ in range(100):  # a killed process leaves its group a moment after it dies
            try:
                folder.rmdir()
                break
            except FileNotFoundError:
                break
            except OSError:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.01)


def remove_orphans():
    """Remove the groups whose maker died without removing them (its pid is in their name)."""
    try:
        _, parents = layout()
    except CgroupsUnavailable:
        return
    for parent in dict.fromkeys(parents.values()):
        try:
            names = [entry.name for entry in os.scandir(parent) if entry.name.startswith(PREFIX)]
        except OSError:
            continue
        for name in names:
            maker = name[len(PREFIX):].split("-", 1)[0]
            if maker.isdigit() and not Path(f"/proc/{maker}").exists():
                _remove([parent / name], patience=1.0)


def leftovers(maker=None):
    """The groups of this module's making that exist now (of the process ``maker`` only, if given)."""
    try:
        _, parents = layout()
    except CgroupsUnavailable:
        return []
    prefix = PREFIX if maker is None else f"{PREFIX}{maker}-"
    return [parent / entry.name for parent in dict.fromkeys(parents.values())
            for entry in os.scandir(parent) if entry.name.startswith(prefix)]
