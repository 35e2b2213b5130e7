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
