"""What runs inside a notebook's kernel: the check cell and nbgrader's autograded cells.

Both test the code the kernel has run (:func:`~autograder.submissions.notebook_code.kernel_definitions`:
its definitions, as a module in a scratch folder) with the kit's own runner in a
separate process (``python -m autograder.runner``, as ``autograder grade`` runs
it), whose worker runs the student's code. So a cell's result is the one the
kit's commands give for the same code.

Where the tests come from:

- the kit's checkout, when this environment has one: ``BACKPROP_KIT_ROOT``, or
  the checkout the package is installed from (``pip install -e``). That is
  how an instructor grades: public and hidden tests, and the points of
  ``grading.toml``;
- otherwise, a student's copy: the public tests beside the notebook.

What these cells raise for their user to act on (a public test failing, a notebook away from its
tests) shows as its message alone (:func:`told`): the frames are the kit's, which tell a student nothing.
"""
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from types import SimpleNamespace

from autograder.kit.assignments import discover_assignments, read_assignment
from autograder.kit.config import THRESHOLDS_FILE, load_points
from autograder.submissions.notebook_code import (KERNEL_SUBMISSION, cell_lines, in_cells, kernel_cells,
                                                  kernel_definitions, unfinished)
from autograder.sandbox.process import PACKAGE_PARENT

KIT_ROOT_VARIABLE = "BACKPROP_KIT_ROOT"
RUN_TIMEOUT = 600


def told(error):
    """``error``, shown by Jupyter as its type and message only, without the kit's frames below the cell.

    IPython shows the lines an exception's ``_render_traceback_()`` returns instead of its traceback
    (IPython's "Custom exception tracebacks"); the cell that raised it stays marked as failed.
    """
    error._render_traceback_ = lambda: [f"{type(error).__name__}: {error}"]
    return error


def kit_root():
    """The kit's checkout (a folder with ``solutions/`` and ``assignments/``), or None.

    Raises
    ------
    FileNotFoundError
        When ``BACKPROP_KIT_ROOT`` is set to anything else.
    """
    chosen = os.environ.get(KIT_ROOT_VARIABLE)
    for candidate in ([chosen] if chosen else [PACKAGE_PARENT]):
        if (Path(candidate) / "solutions").is_dir() and (Path(candidate) / "assignments").is_dir():
            return Path(candidate)
    if chosen:
        raise told(FileNotFoundError(f"{KIT_ROOT_VARIABLE}={chosen} is not a Backprop Kit checkout "
                                     "(a folder with solutions/ and assignments/)"))
    return None


def assignment_named(name):
    """The assignment named by folder (``"02_softmax"``) or module (``"softmax"``).

    Looked for where a notebook runs: its own folder, an assignment folder under it, or the kit's.
    """
    here = Path.cwd()
    candidates = [read_assignment(here), read_assignment(here / name)]
    kit = kit_root()
    candidates += discover_assignments(kit) if kit is not None else []
    for assignment in candidates:
        if assignment is not None and assignment.named(name):
            return assignment
    raise told(ValueError(f"unknown assignment {name!r}; use a folder like 02_softmax or a module like softmax, "
                          "and run the notebook in its assignment folder"))


def public_tests_here(assignment):
    """The assignment's public tests (``test_<module>*.py``) beside the notebook, or in its ``<folder>/``."""
    for folder in (Path.cwd(), Path.cwd() / assignment.folder):
        files = sorted(folder.glob(f"test_{assignment.module}*.py"))
        if files:
            return files
    raise told(FileNotFoundError(f"no public tests (test_*.py) beside this notebook in {Path.cwd()}: keep the "
                                 f"notebook in its assignment folder, next to the tests it came with"))


def run_on_kernel_code(assignment, test_files, solutions=None, sandbox="process", hidden_seed=None):
    """Run ``test_files`` on the code this kernel has run; return the test records (dicts).

    ``hidden_seed`` seeds the hidden tests' inputs (:mod:`autograder.kit.secret`).

    Test files outside a folder named after the assignment are copied into
    one, with their ``thresholds.toml``: the runner knows an assignment by its
    tests' folder.
    """
    with tempfile.TemporaryDirectory(prefix="autograder-notebook-") as scratch:
        scratch = Path(scratch)
        module = scratch / KERNEL_SUBMISSION / assignment.folder / f"{assignment.module}.py"
        module.parent.mkdir(parents=True)
        module.write_text(kernel_definitions())
        tests = []
        for path in map(Path, test_files):
            if path.parent.name != assignment.folder:
                staged = scratch / "tests" / assignment.folder
                staged.mkdir(parents=True, exist_ok=True)
                for companion in (path, path.parent / THRESHOLDS_FILE):
                    if companion.is_file():
                        shutil.copy(companion, staged / companion.name)
                path = staged / path.name
            tests.append(str(path))
        records, log = scratch / "records.json", scratch / "runner.log"
        command = [sys.executable, "-m", "autograder.runner", str(module.parent.parent), str(records),
                   "--sandbox", sandbox, *(["--solutions", str(solutions)] if solutions else []),
                   *(["--hidden-seed", hidden_seed] if hidden_seed else []), *tests]
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(
            filter(None, [str(PACKAGE_PARENT), os.environ.get("PYTHONPATH")]))}
        with open(log, "w") as output:
            subprocess.run(command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                           cwd=scratch, env=environment, timeout=RUN_TIMEOUT, check=False)
        if not records.is_file():
            raise told(RuntimeError("the tests could not run:\n" + log.read_text()[-3000:]))
        return json.loads(records.read_text())


def not_done_line(source):
    """A sentence naming what is still a stub in ``source`` ("" when nothing is)."""
    names = unfinished(source)
    if not names:
        return ""
    return f"Not done yet: {', '.join(names)} (still the stub: replace the `YOUR CODE HERE` parts and run the cell)."


def check_notebook(name, write=print):
    """The check cell: run the public tests on the code this notebook has run, and say what is left to do.

    Parameters
    ----------
    name : str
        The assignment, by folder or module (``"02_softmax"`` or ``"softmax"``).
    write : callable, default=print
        Where the report goes.

    Returns
    -------
    bool
        True when every public test passes.
    """
    from autograder.commands.check import report

    assignment = assignment_named(name)
    try:
        tests = public_tests_here(assignment)
    except FileNotFoundError:
        kit = kit_root()
        if kit is None:
            raise
        tests = sorted((kit / "assignments" / assignment.folder).glob("test_*.py"))
    write(f"Checking {assignment.module} as this notebook last ran it (run a cell again after you change it).")
    records = [SimpleNamespace(**record) for record in run_on_kernel_code(assignment, tests)]
    origins = cell_lines(kernel_cells())  # a traceback names the cells as IPython's own do, not the scratch module
    for record in records:
        if record.details:
            # The runner names the module as a student handed it in (softmax.py): here, the kernel's cells
            record.details = in_cells(record.details, assignment.module_file.name, origins,
                                      lambda cell, line, name: f"Cell In[{cell + 1}], line {line}")
    if line := not_done_line(kernel_definitions()):
        write(line)
    passed, total = report(records, write)
    if passed == total:
        write("All public tests pass: well done. The hidden tests run when your work is graded.")
    return passed == total


def nbgrader_student():
    """The student whose notebook nbgrader is grading: it runs it in ``autograded/<student>/<assignment>/``.

    ``autograder grade`` reads the same course folder's ``submitted/<student>/``, so both roads draw
    the same hidden inputs for the same student.
    """
    return Path.cwd().parent.name


def autograded_tests(name, visibility):
    """nbgrader's autograded cell: run the public or hidden tests; output the points earned.

    With the kit's checkout, the tests and points are the kit's, and the
    return value (the cell's output) is the points earned, the sum of
    ``grading.toml``'s points over the passing test cases: nbgrader's partial
    credit, equal to what ``autograder grade`` gives. In a student's copy
    (no checkout), the public tests run as in the check cell and the cell
    fails unless they all pass.

    Parameters
    ----------
    name : str
        The assignment, by folder or module.
    visibility : {"public", "hidden"}
        Which tests.

    Returns
    -------
    float or None
        The points earned; None in a student's copy.
    """
    from autograder.results.scoring import points_text, score
    from autograder.runner.submission import student_seed

    assignment = assignment_named(name)
    kit = kit_root()
    if kit is None:
        if visibility == "hidden" or os.environ.get("NBGRADER_EXECUTION") == "autograde":
            raise told(RuntimeError("grading needs the kit's checkout (solutions/ and grading.toml): install the "
                                    f"kit from it with `pip install -e`, or set {KIT_ROOT_VARIABLE} to its path"))
        if not check_notebook(name):
            raise told(AssertionError("some public tests fail: see the report above"))
        return None
    hidden = visibility == "hidden"
    folder = kit / ("solutions" if hidden else "assignments") / assignment.folder
    tests = sorted(path for path in folder.glob("test_*.py") if path.name.startswith("test_hidden_") == hidden)
    # nbgrader gives 0 points to a cell that wrote anything to stderr: a stray warning must not cost points.
    with contextlib.redirect_stderr(sys.stdout), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        records = run_on_kernel_code(assignment, tests, solutions=kit / "solutions", sandbox="auto",
                                     hidden_seed=student_seed(kit, nbgrader_student()))
        scores = score(records, {assignment.folder: load_points(kit / "solutions", assignment)})
    for test in scores.tests:
        passed, message = test.record["passed"], test.record["message"]
        print(f"  {'PASS' if passed else 'FAIL'} {points_text(test.score):>6} of {points_text(test.max_score):<6} "
              f"{test.name}" + (f"\n         {message}" if message and not passed else ""))
    earned = round(sum(test.score for test in scores.tests), 9)  # 15, not 15.000000000000002: over the cell's points
    print(f"{visibility} tests: {points_text(earned)} of {points_text(sum(t.max_score for t in scores.tests))} points")
    return earned
