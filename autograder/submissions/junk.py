"""What students' tools leave in a submission, and is not their work: set aside before anything is counted.

A student who zips the release folder as it is on their laptop also zips the virtual environment
they made there (hundreds of MB, full of symbolic links), caches (``__pycache__``,
``.ipynb_checkpoints``), a ``.git`` folder, and the Finder's ``__MACOSX/`` and ``.DS_Store``. None
of it is graded, so none of it may count towards the size limits, trip the symbolic-link rule or
travel to a cluster worker: folders and zips alike are read through :func:`walk_kept` and
:func:`kept_members`, which also say what they set aside, for the student's feedback.

A virtual environment is known by what it holds, not by its name (``.venv``, ``venv``, ``env``,
``my-env`` ...): ``pyvenv.cfg`` (venv, virtualenv), ``conda-meta/`` (conda), or a Python
interpreter in ``bin/`` or ``Scripts/``.
"""
import os
import stat
from pathlib import Path, PurePosixPath

from autograder.submissions.tree import walk

JUNK_NAMES = frozenset({"__pycache__", ".ipynb_checkpoints", ".git", "__MACOSX", ".DS_Store"})
INTERPRETERS = {("bin", "python"), ("bin", "python3"), ("Scripts", "python.exe")}
ENVIRONMENT = "a Python environment"
MAX_LISTED = 8  # the feedback names this many set-aside items, then counts the rest


def is_environment(folder):
    """True when ``folder`` (a Path) is a virtual or conda environment, whatever its name."""
    return ((folder / "pyvenv.cfg").is_file() or (folder / "conda-meta").is_dir()
            or any(os.path.lexists(folder.joinpath(*interpreter)) for interpreter in INTERPRETERS))


def walk_kept(root, ignored):
    """:func:`~autograder.submissions.tree.walk` of the folder ``root`` with the junk set aside.

    Yields ``(path, lstat result)`` for every entry that is the student's; junk folders and
    environments are not entered (their contents are neither seen nor counted). What was set aside
    is appended to ``ignored``, relative to ``root`` (``".venv/ (a Python environment)"``,
    ``"02_softmax/__pycache__/"``, ``".DS_Store"``). Limits and errors as ``walk``'s.
    """
    root = Path(root)
    skipped = set()  # walk asks whether to enter a folder after the loop below has seen it
    for path, info in walk(root, descend=lambda folder: folder not in skipped):
        name = path.relative_to(root).as_posix()
        if stat.S_ISDIR(info.st_mode) and (path.name in JUNK_NAMES or is_environment(path)):
            skipped.add(path)
            ignored.append(f"{name}/" if path.name in JUNK_NAMES else f"{name}/ ({ENVIRONMENT})")
        elif path.name in JUNK_NAMES:
            ignored.append(name)
        else:
            yield path, info


def kept_files(root):
    """The regular files of the folder ``root`` that are the student's (sorted), and what was set aside."""
    ignored = []
    files = sorted(path for path, info in walk_kept(root, ignored) if stat.S_ISREG(info.st_mode))
    return files, ignored


def _environment_prefixes(names):
    """The folders of a zip's member names that are environments (as tuples of path parts)."""
    prefixes = set()
    for name in names:
        parts = PurePosixPath(name).parts
        if parts and parts[-1] == "pyvenv.cfg":
            prefixes.add(parts[:-1])
        if "conda-meta" in parts:
            prefixes.add(parts[:parts.index("conda-meta")])
        if tuple(parts[-2:]) in INTERPRETERS:
            prefixes.add(parts[:-2])
    return prefixes


def kept_members(members):
    """The members of a zip (``ZipInfo``) that are the student's, and what was set aside (as :func:`kept_files`)."""
    prefixes = _environment_prefixes(member.filename for member in members)
    kept, ignored = [], []
    for member in members:
        parts = PurePosixPath(member.filename).parts
        environment = next((prefix for prefix in prefixes if parts[:len(prefix)] == prefix), None)
        if environment is not None:
            label = f"{'/'.join(environment) or '.'}/ ({ENVIRONMENT})"
        elif (junk := next((i for i, part in enumerate(parts) if part in JUNK_NAMES), None)) is not None:
            label = "/".join(parts[:junk + 1]) + ("/" if junk < len(parts) - 1 or member.is_dir() else "")
        else:
            kept.append(member)
            continue
        if label not in ignored:
            ignored.append(label)
    return kept, ignored


def ignored_note(ignored):
    """One sentence for the feedback naming what was set aside ("" when nothing was)."""
    if not ignored:
        return ""
    listed = ", ".join(ignored[:MAX_LISTED]) + (f" and {len(ignored) - MAX_LISTED} more" if len(ignored) > MAX_LISTED else "")
    return (f"Ignored, as not part of your work (caches, environments, system files): {listed}. "
            "Next time, zip only the assignment folders.")
