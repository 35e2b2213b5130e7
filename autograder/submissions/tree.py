"""Walking and removing student folder trees without recursion, with limits on depth and entries.

A submission is a tree the student made: 1,100 nested folders fit in a 4 KiB zip, and Python's
own walkers (``os.walk``, ``Path.rglob``, ``shutil.rmtree`` before 3.12/3.13) recurse once per
level and end in ``RecursionError``. Everything here keeps its own stack, never follows a
symbolic link, and stops with :class:`TreeTooLarge` (a ``ValueError`` whose message is fit for
a gradebook status) as soon as a limit is passed.
"""
import os
import stat
from pathlib import Path

MAX_DEPTH = 32
MAX_ENTRIES = 2000


class TreeTooLarge(ValueError):
    """A folder nested too deeply or holding too many entries to grade."""


def walk(root, max_depth=MAX_DEPTH, max_entries=MAX_ENTRIES, descend=None):
    """Yield ``(path, lstat result)`` for every entry under ``root`` (not ``root`` itself), parents first.

    Symbolic links are yielded, never followed. A folder for which ``descend(path)`` is false is
    yielded but not entered (what is in it is neither seen nor counted). Raises :class:`TreeTooLarge`
    when an entry lies more than ``max_depth`` folders below ``root`` or when more than ``max_entries``
    were seen.
    """
    root = Path(root)
    stack, seen = [(root, 0)], 0
    while stack:
        folder, depth = stack.pop()
        with os.scandir(folder) as entries:
            listing = sorted(entries, key=lambda entry: entry.name)
        for entry in listing:
            seen += 1
            if seen > max_entries:
                raise TreeTooLarge(f"{root.name} holds too many files to grade (over {max_entries})")
            info = entry.stat(follow_symlinks=False)
            path = Path(entry.path)
            yield path, info
            if stat.S_ISDIR(info.st_mode) and (descend is None or descend(path)):
                if depth + 1 >= max_depth:
                    raise TreeTooLarge(f"{root.name} is nested too deeply to grade (over {max_depth} folders)")
                stack.append((path, depth + 1))


def files(root, max_depth=MAX_DEPTH, max_entries=MAX_ENTRIES):
    """The regular files under ``root`` (no links), sorted by path; limits as in :func:`walk`."""
    return sorted(path for path, info in walk(root, max_depth, max_entries) if stat.S_ISREG(info.st_mode))


def remove_tree(path):
    """Remove ``path`` and everything under it, however deep, without recursion; links are removed, not followed.

    It holds one folder open at a time and steps down and back up by name (``openat``), so a deep
    tree costs neither a path lookup per level per step nor a file descriptor per level. Errors are
    ignored (as ``shutil.rmtree(ignore_errors=True)``): what cannot be removed stays.
    """
    path = os.fspath(path)
    try:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            os.unlink(path)
            return
        folder = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return
    below, stuck = [], set()  # the names from ``path`` down to ``folder``; folders that would not go
    try:
        while True:
            child = None
            with os.scandir(folder) as entries:
                for entry in entries:
                    if not entry.is_dir(follow_symlinks=False):
                        try:
                            os.unlink(entry.name, dir_fd=folder)
                        except OSError:
                            pass
                    elif (*below, entry.name) not in stuck:
                        child = entry.name
                        break
            if child is not None:
                try:
                    inner = os.open(child, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=folder)
                except OSError:
                    stuck.add((*below, child))
                    continue
                os.close(folder)
                folder = inner
                below.append(child)
                continue
            if not below:
                break
            name = below.pop()
            parent = os.open("..", os.O_RDONLY | os.O_DIRECTORY, dir_fd=folder)
            os.close(folder)
            folder = parent
            try:
                os.rmdir(name, dir_fd=folder)
            except OSError:
                stuck.add((*below, name))
    finally:
        os.close(folder)
    try:
        os.rmdir(path)
    except OSError:
        pass
