"""Writing result files so that a reader, or a crash, never sees half of one."""
import os
import tempfile
from pathlib import Path


def atomic_write(path, text):
    """Write ``text`` to ``path`` so that a reader (or a crash) never sees half of it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    # UTF-8 whatever the locale; a lone surrogate (student text decoded from JSON) becomes "?", not an error.
    with os.fdopen(descriptor, "w", encoding="utf-8", errors="replace") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


def write_if_changed(path, text):
    """:func:`atomic_write`, unless ``path`` holds ``text`` already: a rescored result that did not change
    keeps its file, and its time, as a resumed batch leaves finished work untouched."""
    try:
        if Path(path).read_text(encoding="utf-8") == text:
            return
    except (OSError, UnicodeDecodeError):
        pass
    atomic_write(path, text)
