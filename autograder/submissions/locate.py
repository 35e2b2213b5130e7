"""Finding an assignment's code in a submission: a module, or a notebook's definitions.

Where: ``<folder>/<module>.py`` or ``<folder>/<module>.ipynb`` as in the student
release (``02_softmax/softmax.ipynb``), else in any other sub-folder holding a
file of that name, as in nbgrader's ``submitted/<student>/<assignment>/``
where the assignment may be called anything (``week2/softmax.ipynb``).

Which, when both are there: the module, unless it is still byte for byte the
released stub (the generated notebooks record the stub's SHA-256 in their
metadata) and so the work is in the notebook.

Near misses are named, never graded: when neither file is there but one whose
name differs only by case, spaces, dashes, a copy mark (``softmax (1).py``) or a
``.txt`` suffix (``softmax.py.txt``) is, or the right file sits where it is not looked
for (at the top, or in a folder inside a folder), the problem says which file was found and what to rename it to
(:func:`near_misses`), spelled so that the student can find it (:func:`spelled`). Grading it
silently would teach the student nothing about the name the next grader looks for.

A module, or a notebook's code, over 1 MiB is not graded (:mod:`autograder.submissions.syntax` says why).

A notebook's definitions are extracted once per grading of it: ``grade`` writes them for the run
(:func:`write_definitions`, in a folder of its own), whose :func:`locate_module` reads them.

A name the tests use that the module or notebook does not define is told with
the file it is missing from, and for a notebook with the cell left out for a
syntax error (:func:`undefined_message`).
"""
import hashlib
import re
import stat
from pathlib import Path

from autograder.submissions.junk import walk_kept
from autograder.submissions.notebook_code import (KERNEL_SUBMISSION, NotebookError, extract_definitions, read_notebook,
                                                  syntax_error_defining)
from autograder.submissions.syntax import SourceTooLarge, read_source, too_large

METADATA_KEY = "backprop_kit"


def stub_digest(text):
    """SHA-256 of a module's text, blind to line endings (what a notebook records of its released stub).

    ``\r\n`` and a lone ``\r`` end a line as ``\n`` does, as Python reads source: a stub saved by an editor
    that writes Windows' or old Mac's line endings is still the stub.
    """
    return hashlib.sha256(text.replace("\r\n", "\n").replace("\r", "\n").encode()).hexdigest()


def is_released_stub(module, notebook):
    """True when ``module`` is the stub that ``notebook`` was released with.

    The module is read as every trusted-side reader reads one (:func:`~autograder.submissions.syntax.read_source`):
    no more than the parse bound, which no stub comes near.
    """
    try:
        recorded = read_notebook(notebook).get("metadata", {}).get(METADATA_KEY, {}).get("stub_sha256")
        return recorded == stub_digest(read_source(module))
    except (NotebookError, SourceTooLarge, AttributeError, OSError):
        return False


def assignment_folder(root, assignment):
    """The folder of ``root`` holding ``assignment``'s module or notebook, or None."""
    names = (f"{assignment.module}.py", f"{assignment.module}.ipynb")
    others = sorted(path for path in root.iterdir()
                    if path.is_dir() and not path.is_symlink() and not path.name.startswith("."))
    folders = [root / assignment.folder] + others
    return next((folder for folder in folders if any((folder / name).is_file() for name in names)), None)


def submitted_file(root, assignment):
    """The module or notebook that counts for ``assignment`` in the submission at ``root``, or None."""
    root = Path(root)
    if root.is_file():
        return root
    folder = assignment_folder(root, assignment)
    if folder is None:
        return None
    module, notebook = folder / f"{assignment.module}.py", folder / f"{assignment.module}.ipynb"
    if notebook.is_file() and (not module.is_file() or is_released_stub(module, notebook)):
        return notebook
    return module


COPY_MARK = re.compile(r"\s*(\(\d+\)|-? ?copy ?\d*)$", re.IGNORECASE)  # "softmax (1)", "softmax - Copy", Jupyter's "softmax-Copy1"
SUFFIXES = (".py", ".ipynb")
NEAR_MISS_DEPTH = 4  # folders below the submission's top where a misplaced file is still named


def _normalised(name):
    """A file name reduced to what a near miss keeps: ``"Soft Max (1).py.txt"`` -> ``("softmax", ".py")``."""
    name = name.lower()
    while name.endswith(".txt"):
        name = name[:-4]
    stem, suffix = (name[:-len(s)], s) if (s := next((s for s in SUFFIXES if name.endswith(s)), "")) else (name, "")
    stem = COPY_MARK.sub("", stem)
    return re.sub(r"[\s_\-]+", "", stem), suffix


def near_misses(root, assignment):
    """Files of the submission at ``root`` that are nearly ``assignment``'s module or notebook.

    A near name anywhere in the submission (up to :data:`NEAR_MISS_DEPTH` folders down, junk set
    aside), or the exact name where it is not looked for: at the top, or a folder too deep
    (``my-work/02_softmax/softmax.py``). Returns the paths found, relative to ``root``, sorted.
    """
    root = Path(root)
    wanted = _normalised(assignment.module)[0]
    exact = {f"{assignment.module}{suffix}" for suffix in SUFFIXES}
    found = []
    try:
        for path, info in walk_kept(root, []):
            relative = path.relative_to(root)
            if not stat.S_ISREG(info.st_mode) or len(relative.parts) > NEAR_MISS_DEPTH:
                continue
            stem, suffix = _normalised(path.name)
            looked_at = len(relative.parts) == 2 and path.name in exact  # a top-level folder: found, not missed
            if stem == wanted and suffix and not looked_at:
                found.append(relative)
    except (ValueError, OSError):  # too large or deep to look through: the plain message will do
        pass
    return sorted(found)


def spelled(path):
    """``path`` as the student can find it: a character no terminal shows (a line break, a tab, a control a near
    miss drops) written as its escape, ``soft\\rmax.py``; the sinks would drop it and tell ``softmax.py``."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in str(path))


def missing_message(root, assignment):
    """Why ``assignment`` is missing from the submission at ``root``: near misses named, with the fix."""
    expected = f"{assignment.folder}/{assignment.module}"
    misses = near_misses(root, assignment) if Path(root).is_dir() else []
    if not misses:
        return f"{assignment.module_file} (or .ipynb) is missing from the submission"
    found = misses[0]
    suffix = _normalised(found.name)[1]
    others = f" (and {', '.join(spelled(m) for m in misses[1:])})" if misses[1:] else ""
    return (f"{assignment.module_file} (or .ipynb) is missing from the submission; found {spelled(found)}{others}: "
            f"rename it to {expected}{suffix} (it was not graded under another name)")


def overlooked_message(root, assignment):
    """What the submission at ``root`` holds for ``assignment`` under a near name while its notebook counts ("" if nothing).

    The release ships the notebook beside the module, so a module handed in as ``softmax (1).py`` (and
    a notebook copied as ``softmax-Copy1.ipynb``) is not missing: the released notebook counts instead,
    and the work under the other name would be lost without a word.
    """
    counted = submitted_file(root, assignment)
    misses = [miss for miss in near_misses(root, assignment) if Path(root) / miss != counted] \
        if counted is not None and counted.suffix == ".ipynb" and Path(root).is_dir() else []
    if not misses:
        return ""
    names = ", ".join(spelled(miss) for miss in misses)
    suffix = _normalised(misses[0].name)[1]
    return (f"{assignment.folder}: {counted.name} counts, but found {names}: rename it to "
            f"{assignment.folder}/{assignment.module}{suffix} (a file under another name is not graded)")


def undefined_message(path, name):
    """What a student is told when their module or notebook ``path`` defines no ``name`` that a test uses.

    A notebook's cell that is not valid Python is left out whole (:mod:`autograder.submissions.notebook_code`):
    when the cell defining ``name`` is one, the message says so, and where its syntax error is.
    """
    if path.parent.parent.name == KERNEL_SUBMISSION:  # the check cell's module, made of the cells the kernel ran
        return (f"{name} is not defined by any cell this notebook has run: the tests use the name the stub gives it "
                "(renamed, deleted, or its cell not run yet?)")
    told = f"{name} is not defined in {path.name}: the tests use the name the stub gives it"
    if path.suffix != ".ipynb":
        return f"{told} (renamed or deleted?)"
    try:
        line = syntax_error_defining(path, name)
    except NotebookError:
        line = None
    if line is None:
        return f"{told}, and no code cell of the notebook defines it (deleted?)"
    return (f"{told}, and the cell that defines it is not valid Python (a syntax error at line {line} of that cell), "
            "so it was left out: run that cell to see the error, fix it and save the notebook")


def locate_module(root, assignment, scratch, extracted=None):
    """The Python file to import for ``assignment`` from the submission at ``root``.

    ``root`` is a folder laid out like the student release (or like an nbgrader
    submission), or a single notebook holding the definitions of every
    assignment. A notebook's definitions are written to ``scratch``: read from
    ``extracted`` when the trusted process that started this run wrote them there
    (:func:`write_definitions`), else extracted here.

    Returns
    -------
    path : Path or None
        The module to import, or None when the assignment is missing, or its code is too large to grade
        (:data:`~autograder.submissions.syntax.MAX_SOURCE_BYTES`: the trusted side parses it).
    problem : str
        Why it is missing or not graded ("" otherwise).
    """
    path = submitted_file(root, assignment)
    if path is None:
        return None, missing_message(root, assignment)
    if path.suffix != ".ipynb":
        problem = too_large(path.name, path.stat().st_size)  # not parsed on the trusted side, so not graded either
        return (None, problem) if problem else (path, "")
    source = _written_definitions(extracted, assignment)
    if source is None:
        try:
            source = extract_definitions(path)
        except NotebookError as error:
            return None, str(error)
    module = Path(scratch) / assignment.folder / f"{assignment.module}.py"
    module.parent.mkdir(parents=True, exist_ok=True)
    module.write_text(source)
    return module, ""


def _definitions_file(folder, assignment):
    return Path(folder) / assignment.folder / f"{assignment.module}.py"


def write_definitions(root, assignments, folder):
    """Write into ``folder`` the definitions of each of ``assignments`` that the submission at ``root`` hands in as a
    notebook, for the run's :func:`locate_module` (its ``extracted``): ``grade`` reads every notebook's definitions
    anyway (its progress, the definitions it lacks, the similarity pass: kept per process, parsed once), while the run,
    a process forked afresh, spent ~2.5 ms of CPU extracting them again, a 02 notebook's largest cost outside pytest
    and the sandbox. The same function on the same file: the same text.

    ``folder`` must be the trusted side's alone (``grade``'s scratch of the run, never bound into a sandbox). A notebook
    whose definitions cannot be read here is left out: the run extracts it and says why, as it always did.
    """
    for assignment in assignments:
        path = submitted_file(root, assignment)
        if path is None or path.suffix != ".ipynb":
            continue
        try:
            source = extract_definitions(path).encode("utf-8")  # a lone surrogate cannot be written: left to the run
        except (NotebookError, UnicodeEncodeError, OSError, ValueError, RecursionError, MemoryError):
            continue
        target = _definitions_file(folder, assignment)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source)


def _written_definitions(folder, assignment):
    """The text :func:`write_definitions` wrote for ``assignment`` into ``folder``; None when none was written."""
    if folder is None:
        return None
    try:
        return _definitions_file(folder, assignment).read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None
