"""The student release, generated from the reference solutions.

Generated: each stub module (from ``solutions/<folder>/<module>.py``), each
``thresholds.toml`` (from the ``[thresholds]`` of ``solutions/<folder>/grading.toml``),
and the notebooks, from the module and ``solutions/<folder>/lesson.md``: the
solution notebook for nbgrader (``solutions/<folder>/<module>.ipynb``) and the
student's (``assignments/<folder>/<module>.ipynb``); each assignment's known bugs,
``solutions/<folder>/known_bugs.json``, from the bugs of ``examples/catalogue.py``; and the
fingerprints of wrong answers that `check` names, ``assignments/<folder>/fingerprints.json``
(:mod:`autograder.runner.fingerprints`: made by running the public tests on the reference, after the
known bugs, whose diagnoses they carry). Files like these, made by running the kit (the runner, which
this package may not import), are ``derived``: callables ``(root, files) -> files`` given by the caller.

``autograder generate`` writes every generated file; ``autograder generate
--check`` lists the committed ones that are stale. The tests run the latter.
"""
from pathlib import Path

from autograder.kit.assignments import discover_assignments
from autograder.kit.config import GRADING_FILE, THRESHOLDS_FILE, render_thresholds
from autograder.generate.known_bugs import render_known_bugs
from autograder.generate.module import render_stub_module
from autograder.generate.notebook import LESSON_FILE, render_notebook
from autograder.generate.source import SolutionSource


def generated_files(root, derived=()):
    """Every generated file of the release: ``{path relative to root: content}``, then each of ``derived``'s."""
    root = Path(root)
    files = {}
    for assignment in discover_assignments(root):
        source = SolutionSource.read(root / "solutions" / assignment.module_file)
        files[Path("assignments") / assignment.module_file] = render_stub_module(source)
        if (root / "solutions" / assignment.folder / GRADING_FILE).is_file():
            files[Path("assignments") / assignment.folder / THRESHOLDS_FILE] = render_thresholds(
                root / "solutions", assignment
            )
        if (root / "solutions" / assignment.folder / LESSON_FILE).is_file():
            notebook = Path(assignment.folder) / f"{assignment.module}.ipynb"
            files[Path("solutions") / notebook] = render_notebook(root, assignment)
            files[Path("assignments") / notebook] = render_notebook(root, assignment, student=True)
    files.update(render_known_bugs(root))
    for render in derived:
        files.update(render(root, files))
    return files


def stale_files(root, files=None, derived=()):
    """Generated files under ``root`` that are missing or differ from ``files`` (default: generate them now)."""
    files = generated_files(root, derived) if files is None else files
    return [
        relative
        for relative, content in files.items()
        if not (Path(root) / relative).is_file() or (Path(root) / relative).read_text() != content
    ]


def write_generated_files(root, derived=()):
    """Write the stale generated files under ``root``; return their paths."""
    files = generated_files(root, derived)
    stale = stale_files(root, files)
    for relative in stale:
        path = Path(root) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[relative])
    return stale
