"""The sandbox exposes what the contract allows: numpy and the standard library, and nothing persists.

A module that imports scikit-learn or matplotlib at its top still loads, but a graded call that
uses them fails with a message saying the contract allows numpy only; inside bubblewrap the real
packages are not even there to be reached around the placeholders. Files a worker leaves in /tmp
or /dev/shm are gone before the next assignment's worker starts.
"""
import subprocess
import sys

import pytest
from conftest import REPO, SANDBOX, needs_sandbox

from autograder.sandbox import zygote
from autograder.sandbox.bubblewrap import Bubblewrap
from autograder.sandbox.process import ChildProcess
from autograder.sandbox.session import StudentCodeFailed, WorkerSession

MODULE = '''
import numpy as np
import matplotlib.pyplot as plt
from sklearn.linear_model import LogisticRegression
from sklearn import neighbors


class Model(LogisticRegression):  # subclassing a placeholder is only a name, until it is called
    pass


def fit(X, y):
    return LogisticRegression().fit(X, y).coef_


def fit_neighbours(X, y):
    return neighbors.KNeighborsClassifier(1).fit(X, y)


def plot(X, y=None):
    plt.plot(X)


def model(X=None, y=None):
    return Model()


def mean(X):
    return float(np.mean(X))


def around_the_placeholders(package):
    """Take the placeholder finder out of the way and import the real package."""
    import importlib
    import sys

    sys.meta_path[:] = [finder for finder in sys.meta_path if "Placeholder" not in type(finder).__name__]
    for name in [name for name in sys.modules if name.split(".")[0] == package]:
        del sys.modules[name]
    return importlib.import_module(package).__name__


def site_packages():
    import os
    import sys

    return sorted(name for folder in sys.path if folder.endswith("site-packages") and os.path.isdir(folder)
                  for name in os.listdir(folder) if not name.startswith("__editable__") and name != "__pycache__")


def system_packages(patterns):
    import glob
    import os

    return sorted(f"{folder}/{name}" for pattern in patterns for folder in glob.glob(pattern) if os.path.isdir(folder)
                  for name in os.listdir(folder))


def leave(name, text):
    for folder in ("/tmp", "/dev/shm"):
        with open(f"{folder}/{name}", "w") as file:
            file.write(text)


def find(name):
    import os

    return [folder for folder in ("/tmp", "/dev/shm") if os.path.exists(f"{folder}/{name}")]


def collector():
    import gc

    return gc.isenabled()


def imported(names):
    import sys

    return sorted(name for name in names if name in sys.modules)


def who_and_what(canary):
    """Who the student's code runs as, under which limits, and what of the host's /tmp it sees."""
    import os
    import resource

    refused = []
    for name, act in [("setuid(0)", lambda: os.setuid(0)), ("setgid(0)", lambda: os.setgid(0)),
                      ("chown to root", lambda: (open("/tmp/mine", "w").close(), os.chown("/tmp/mine", 0, 0)))]:
        try:
            act()
        except OSError:  # EPERM, or EINVAL where root is no uid of the sandbox's user namespace
            refused.append(name)
    limits = {name: resource.getrlimit(getattr(resource, name))[0]
              for name in ("RLIMIT_AS", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_CORE", "RLIMIT_NPROC")}
    return {"ids": [os.getuid(), os.geteuid(), os.getgid(), os.getegid()], "groups": os.getgroups(),
            "refused": refused, "limits": limits, "sees_canary": os.path.exists(canary) or
            os.path.basename(canary) in os.listdir("/tmp")}


def data_package_files():
    import backprop_datasets.digits

    return [backprop_datasets.__file__, backprop_datasets.digits.__file__]
'''


def call(session, name, *args):
    return session.request({"op": "call", "name": name, "args": list(args), "kwargs": {}}, what=name)[0]


def make_session(kind, folder):
    (folder / "student.py").write_text(MODULE)
    scratch = folder.parent / "scratch"
    scratch.mkdir()
    sandbox = ChildProcess() if kind == "process" else zygote.wrap(Bubblewrap(), folder, scratch)
    return sandbox, WorkerSession(sandbox, folder / "student.py", "student")


@pytest.fixture(params=["process", pytest.param("bwrap", marks=needs_sandbox)])
def session(request, tmp_path):
    (tmp_path / "submission").mkdir()
    sandbox, session = make_session(request.param, tmp_path / "submission")
    yield session
    session.close()
    if hasattr(sandbox, "release"):
        sandbox.release()


@pytest.mark.parametrize("function, shown", [
    ("fit", "sklearn.linear_model.LogisticRegression (scikit-learn)"),
    ("fit_neighbours", "sklearn.neighbors.KNeighborsClassifier (scikit-learn)"),
    ("plot", "matplotlib.pyplot.plot (matplotlib)"),
    ("model", "sklearn.linear_model.LogisticRegression (scikit-learn)"),
])
def test_a_graded_call_using_a_package_outside_the_contract_fails_and_says_why(session, function, shown):
    with pytest.raises(StudentCodeFailed, match="allows numpy and the standard library only") as failure:
        call(session, function, [[0.0], [1.0]], [0, 1])
    assert shown in str(failure.value)
    assert call(session, "mean", [1.0, 3.0]) == 2.0  # the module loaded, and the rest of it is graded


@needs_sandbox
@pytest.mark.parametrize("package", ["sklearn", "scipy", "matplotlib", "pandas"])
def test_the_real_packages_are_not_in_the_sandbox(tmp_path, package):
    (tmp_path / "submission").mkdir()
    sandbox, session = make_session("bwrap", tmp_path / "submission")
    try:
        with pytest.raises(StudentCodeFailed, match=f"imports {package}, which is neither in the submission nor available at grading"):
            call(session, "around_the_placeholders", package)
        shown = set(call(session, "site_packages"))
        assert "numpy" in shown and shown <= {"numpy", "numpy.libs"}
    finally:
        session.close()
        sandbox.release()


@needs_sandbox
def test_the_distributions_python_packages_under_usr_are_not_in_the_sandbox(tmp_path):
    """/usr is bound for its libraries; apt's python3-* packages under it are as far outside the contract as pip's
    (a student's module could put their folder on sys.path itself)."""
    from autograder.sandbox.bubblewrap import SYSTEM_PACKAGES

    (tmp_path / "submission").mkdir()
    sandbox, session = make_session("bwrap", tmp_path / "submission")
    try:
        assert call(session, "system_packages", list(SYSTEM_PACKAGES)) == []
    finally:
        session.close()
        sandbox.release()


@needs_sandbox
def test_nothing_a_worker_leaves_in_tmp_or_dev_shm_reaches_the_next_one(tmp_path):
    (tmp_path / "submission").mkdir()
    sandbox, first = make_session("bwrap", tmp_path / "submission")
    second = WorkerSession(sandbox, tmp_path / "submission" / "student.py", "student")
    try:
        call(first, "leave", "hidden-inputs", "[0.25, 0.5]")
        assert call(first, "find", "hidden-inputs") == ["/tmp", "/dev/shm"]
        first.close()  # its assignment's tests are over
        assert call(second, "find", "hidden-inputs") == []
    finally:
        first.close()
        second.close()
        sandbox.release()


def test_the_students_code_runs_with_the_garbage_collector_on(session):
    """The zygote imports with the collector off (a faster start); every worker it forks has it on, as Python does."""
    assert call(session, "collector") is True


def test_a_worker_starts_without_the_standard_library_modules_it_does_not_need(session):
    """The placeholders' finder needs none of ``importlib.abc`` (which imports ``importlib.resources``, ``tempfile``,
    ``shutil``, ``bz2`` and ``lzma``): a student's code that wants them imports them, the sandbox's start does not."""
    unneeded = ["importlib.abc", "importlib.resources", "tempfile", "shutil", "bz2", "lzma"]
    assert call(session, "imported", unneeded) == []


def test_the_kits_data_package_is_the_same_files_inside(session):
    """``backprop_datasets`` imports in every kind of sandbox from the folder the grader's comes from (the same
    ``__file__``, so the same lines in a traceback through it), however the kit is installed."""
    import backprop_datasets.digits

    assert call(session, "data_package_files") == [backprop_datasets.__file__, backprop_datasets.digits.__file__]


@needs_sandbox
def test_a_sandbox_starts_without_pathlib(tmp_path):
    """An editable install's finder (setuptools', imported by ``site`` from a ``.pth``) imports ``pathlib`` and
    ``urllib.parse``, 5-7 ms of every sandbox's start: the sandbox hides it and finds the data package itself."""
    (tmp_path / "submission").mkdir()
    sandbox, session = make_session("bwrap", tmp_path / "submission")
    try:
        assert call(session, "imported", ["pathlib", "urllib.parse", "ipaddress"]) == []
    finally:
        session.close()
        sandbox.release()


WORKER_SET_UP = '''
import os
import sys

from autograder.sandbox.inside import zygote

zygote.warm_up()
imported = []
sys.addaudithook(lambda event, args: imported.append(args[0]) if event == "import" else None)
from autograder.sandbox.inside.worker import serve

requests, no_request = os.pipe()
os.close(no_request)  # the end of the channel at once: serve() sets the worker up, reads no request and returns
answers, log = os.pipe()[1], os.pipe()[1]
serve(requests, answers, log)
print(sorted(set(imported)))
'''


def test_a_forked_workers_set_up_imports_nothing_its_zygote_did_not(tmp_path):
    """Every module the worker's set-up needs is imported by the zygote's warm-up, once per sandbox: a module imported
    after the fork costs every worker its loading and the pages it writes (~1 ms a start for the placeholders' and
    the signal guard's, at 15 starts a correct submission)."""
    run = subprocess.run([sys.executable, "-c", WORKER_SET_UP], capture_output=True, text=True, cwd=tmp_path,
                         timeout=120, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "[]"


@needs_sandbox
def test_student_code_runs_as_an_unprivileged_user_under_rlimits_with_a_private_tmp(tmp_path):
    """GRADER.md: "when run as root, student code runs as an unprivileged user inside a sandbox (bubblewrap, with
    rlimits and a private /tmp)": no test said so before (redteam24, checking each promise against its tests)."""
    import os
    import tempfile

    from autograder.sandbox.inside.limits import MEMORY_BYTES, OPEN_FILES, OUTPUT_BYTES

    (tmp_path / "submission").mkdir()
    sandbox, session = make_session("bwrap", tmp_path / "submission")
    try:
        with tempfile.NamedTemporaryFile(dir="/tmp", prefix="grader-canary-") as canary:  # the grader's /tmp
            seen = call(session, "who_and_what", canary.name)
    finally:
        session.close()
        sandbox.release()
    uid = seen["ids"][0]
    assert uid != 0 and seen["ids"] == [uid] * 4 and uid != os.getuid()
    assert seen["groups"] in ([], [uid])  # no supplementary group of the grader's
    assert seen["refused"] == ["setuid(0)", "setgid(0)", "chown to root"]  # no capability left
    assert seen["limits"]["RLIMIT_AS"] == MEMORY_BYTES and seen["limits"]["RLIMIT_FSIZE"] == OUTPUT_BYTES
    assert seen["limits"]["RLIMIT_NOFILE"] == OPEN_FILES and seen["limits"]["RLIMIT_CORE"] == 0
    assert 0 < seen["limits"]["RLIMIT_NPROC"] < 10_000
    assert seen["sees_canary"] is False


def test_check_says_that_its_child_process_is_not_a_security_sandbox(tmp_path):
    """GRADER.md: on a laptop, ``check`` isolates crashes and timeouts in a child process "and says that it is not a
    security sandbox": said in --help, and at the top of every report (no test held it before)."""
    import shutil

    from autograder.commands.check import check

    shutil.copytree(REPO / "assignments" / "02_softmax", tmp_path / "02_softmax",
                    ignore=shutil.ignore_patterns("__pycache__"))
    said = []
    check(tmp_path / "02_softmax", write=said.append)
    assert said[0] == "Checked with a child process (it isolates crashes and timeouts, but it is NOT a security sandbox)."
