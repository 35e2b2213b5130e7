"""Writing result files so that a reader, or a crash, never sees half of one."""
import os
import tempfile
from pathlib import Path


def atomic_write(path, text):
    """Write ``text`` to ``path`` so that a reader (or a crash) never sees half of it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)
