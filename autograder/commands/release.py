"""``autograder release``: the student bundle, with no reference solution and no hidden test inside.

The bundle holds the assignment folders (stubs, notebooks, public tests, thresholds) of every
assignment or of those named, and a wheel of this package (the ``autograder check`` command and
the data loaders), so that ``pip install wheels/*.whl`` on a laptop is all a student needs.

Releasing some assignments is how a course keeps one assignment's answers from another: 04 and 05
give 02's graded ``one_hot``, ``softmax`` and ``nll`` as helpers, so they go out after 02 is due.
:func:`leak_warnings` says so for whatever is released (:mod:`autograder.generate.leaks`).
"""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder.generate.leaks import helper_leaks
from autograder.kit.course import Kit
from autograder.runner.standalone import RELEASE_CONFTEST


STUDENT_README = """# Backprop Kit: your exercises

Set up once (Python 3.10+):

    python3 -m venv .venv && .venv/bin/pip install wheels/*.whl

Then, for each assignment folder in order (01_perceptron, 02_softmax, ...): open its notebook
(`.venv/bin/pip install jupyterlab matplotlib`, then `.venv/bin/jupyter lab`) and follow it
top to bottom; its check cell says what is not done yet. Or, in an editor, open the module, read
its docstring, replace each `raise NotImplementedError(...)` with your code, and run

    .venv/bin/autograder check              # every assignment
    .venv/bin/autograder check 02_softmax   # one of them

`check` runs the public tests and says what to fix next; more (hidden) tests run at grading.
The same public tests run under pytest too, with its options (`-x`, `-k softmax`):

    .venv/bin/python -m pytest 02_softmax

To submit, zip the assignment folders themselves (01_perceptron/, 02_softmax/, ...), with the
file names as released: `softmax.py`, not `softmax (1).py` or `Softmax.py.txt`. Leave out
`.venv/` and `wheels/`: the grader ignores environments, `__pycache__`, `.ipynb_checkpoints`,
`.git`, `__MACOSX` and `.DS_Store` anyway, and says so in your feedback. For example:

    zip -r submission.zip 0*_*/ -x '*/__pycache__/*' '*/.ipynb_checkpoints/*'
"""
RELEASE_SUFFIXES = {".py", ".toml", ".ipynb", ".csv", ".md", ".json"}  # .json: fingerprints.json
WHEEL_SOURCES = ("pyproject.toml", "setup.py", "README.md", "autograder", "datasets")


def chosen_assignments(root, names=()):
    """The assignments of the kit at ``root`` named (by folder or module, in course order), or all of them."""
    kit = Kit.read(root)
    return list(kit.select(names) if names else kit.assignments)


def leak_warnings(root, assignments):
    """One sentence per released assignment that gives another one's graded solution as a helper."""
    return [leak.warning() for leak in helper_leaks(root, assignments)]


def build_release(root, out, assignments=None):
    """Write the student bundle of ``assignments`` (default: all) for the kit at ``root`` into the new folder ``out``."""
    root, out = Path(root), Path(out)
    assignments = chosen_assignments(root) if assignments is None else assignments
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out} is a file: --out is the new folder the bundle is written into; choose one")
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} exists and is not empty: choose a new folder")
    out.mkdir(parents=True, exist_ok=True)
    for assignment in assignments:
        source = root / "assignments" / assignment.folder
        target = out / assignment.folder
        target.mkdir()
        for file in sorted(source.iterdir()):
            if file.is_file() and file.suffix in RELEASE_SUFFIXES:
                shutil.copy2(file, target / file.name)
    (out / "README.md").write_text(STUDENT_README)
    (out / "conftest.py").write_text(RELEASE_CONFTEST)  # `pytest 02_softmax` gets check's fixtures
    build_wheel(root, out / "wheels")
    return out


def build_wheel(root, wheels):
    """Build the package's wheel from a clean copy of exactly what it is made of.

    Building in the checkout would reuse its build/ folder, where stale files
    could ride along; a copy holds only the package sources.
    """
    with tempfile.TemporaryDirectory(prefix="autograder-wheel-") as scratch:
        for name in WHEEL_SOURCES:
            source = Path(root) / name
            if source.is_dir():
                shutil.copytree(source, Path(scratch) / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(source, Path(scratch) / name)
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), scratch],
                       check=True)
