import csv
import gc
import os
from pathlib import Path

import pytest

from autograder.kit.assignments import discover_assignments
from autograder.sandbox.inside.loading import load_module
from autograder.sandbox.kinds import make_sandbox

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENTS = discover_assignments(REPO)  # every assignment of the kit, in course order
MODULES = {assignment.module: assignment for assignment in ASSIGNMENTS}
SANDBOX = make_sandbox("auto")
SANDBOX_KIND = "bwrap" if SANDBOX.secure else "process"  # what the tests that grade grade with
CI = bool(os.environ.get("CI"))
# Under CI a test of the grader's promises never skips: what it needs missing is a failure (it fails in it).
needs_sandbox = pytest.mark.skipif(not SANDBOX.secure and not CI, reason="needs bubblewrap (CI always has it)")


def load_solution(module):
    """The reference solution module named ``module`` (e.g. ``"softmax"``), freshly imported."""
    return load_module(REPO / "solutions" / MODULES[module].module_file, f"reference_{module}")


def load_stub(module):
    """The generated student stub named ``module``, freshly imported."""
    return load_module(REPO / "assignments" / MODULES[module].module_file, f"stub_{module}")


def read_gradebook(out):
    """The rows of ``out/gradebook.csv``, as dicts."""
    with open(Path(out) / "gradebook.csv") as file:
        return list(csv.DictReader(file))


def finished_results(out):
    """``{student: (modification time, bytes)}`` of every results.json in ``out``: what a resume must not redo."""
    return {path.parent.name: (path.stat().st_mtime_ns, path.read_bytes()) for path in Path(out).glob("*/results.json")}


def assert_not_graded_again(out, finished, regraded=()):
    """Every result of ``finished`` (:func:`finished_results`) but those of ``regraded`` is still the very same file."""
    for student, (mtime, content) in finished.items():
        if student not in regraded:
            path = Path(out) / student / "results.json"
            assert (path.stat().st_mtime_ns, path.read_bytes()) == (mtime, content), f"{student} was graded again"


def processes_about(path, marker=None):
    """Processes (not this one) whose command line names ``path``, whose working folder is inside it, or whose
    environment holds ``marker``: what a grading run under ``path`` started (a sandbox's bwrap binds the
    submission; the grader and its runners inherit the marker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(entry / "cwd")
            environment = (entry / "environ").read_bytes() if marker else b""
        except OSError:
            continue
        if str(path) in command or cwd.startswith(str(path)) or (marker and marker.encode() in environment):
            found.append(f"process {entry.name}: {command[:120]}")
    return found


# What a library opens once and keeps for the process, whichever test first asks: not a test's leak.
PROCESS_CACHES = ("/mpl-data/fonts/",)  # matplotlib's font cache (font_manager._get_font keeps FT2Font objects)


def open_descriptors():
    """``{descriptor: what it is open on}`` of this process (``/proc/self/fd``'s links)."""
    found = {}
    for name in os.listdir("/proc/self/fd"):
        try:
            found[int(name)] = os.readlink(f"/proc/self/fd/{name}")
        except OSError:  # the listing's own descriptor, closed since
            pass
    return found


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        item.failed_its_call = True
    return report


@pytest.fixture(autouse=True)
def no_descriptor_leaks(request):
    """Each test closes what it opens: a test that ends with more descriptors open than it started with fails,
    naming them.

    A leak is harmless one test at a time and not over a suite: test_verdicts.py's channel test once failed in a
    full CI run only, the process then holding ~70 descriptors (sandboxes' uid leases, workers' output files) out of
    the student code's reach. Fixtures of a wider scope are set up before this one and torn down after it; what is
    only garbage is collected before judging. A test that keeps something open on purpose (a library's loop for the
    process) says why with ``@pytest.mark.keeps_descriptors(reason)``.
    """
    if not os.path.isdir("/proc/self/fd") or request.node.get_closest_marker("keeps_descriptors"):
        yield
        return
    before = open_descriptors()
    yield
    if getattr(request.node, "failed_its_call", False):
        return  # its traceback holds the test's frames, and what they opened: the failure is the news
    after = open_descriptors()
    if len(after) > len(before):
        gc.collect()  # a cycle still holding a file is garbage, not a leak
        after = open_descriptors()
    leaked = {fd: target for fd, target in after.items()
              if before.get(fd) != target and not any(cache in target for cache in PROCESS_CACHES)}
    closed = [fd for fd, target in before.items() if after.get(fd) != target]
    if len(leaked) > len(closed):
        pytest.fail(f"{request.node.nodeid} left {len(leaked) - len(closed)} more descriptor(s) open than it found: "
                    + ", ".join(f"{fd} -> {target}" for fd, target in sorted(leaked.items()))
                    + ". Close what the test opens (a WorkerSession's or a zygote's close(), a Bubblewrap's release(),"
                    " a fixture with a teardown)", pytrace=False)


@pytest.fixture(scope="session")
def digits():
    from backprop_datasets import load_digits_split

    return load_digits_split()


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """The whole example class of ``examples/catalogue.py``, graded once for the session (minutes; see example_class)."""
    from example_class import grade_class

    if CI and not SANDBOX.secure:  # the attacks that only a sandbox can hold would be left out, silently
        pytest.fail("CI is set but bubblewrap cannot sandbox here: the example class must be graded in the sandbox")
    return grade_class(tmp_path_factory.mktemp("class"))


@pytest.fixture(scope="session")
def released_bundle(tmp_path_factory):
    """``autograder release`` of every assignment, built once for the session."""
    from autograder.commands.release import build_release
    from autograder.kit.secret import course_secret

    course_secret(REPO)  # as after the term's first grade: the kit has its course secret, which must not ship
    return build_release(REPO, tmp_path_factory.mktemp("release") / "bundle")


@pytest.fixture(scope="session")
def student_machine(released_bundle, tmp_path_factory):
    """A machine that has never seen the checkout: one fresh venv for the session, holding the bundle's wheel.

    See :mod:`student_machine`: a copy of the bundle and a new virtual environment with the wheel (and
    ipykernel for the notebooks, dask and bubblewrap for a cluster worker), no editable install, no ``PYTHONPATH``,
    no ``BACKPROP_KIT_ROOT``, every command run from a folder outside the repository.
    """
    from student_machine import StudentMachine

    return StudentMachine.create(released_bundle, tmp_path_factory.mktemp("student"))
