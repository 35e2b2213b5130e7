"""Writing result files so that a reader, or a crash, never sees half of one."""
import os
import secrets
from pathlib import Path

from autograder.submissions.student_ids import without_controls

# The end of a runner's log kept: what it said last (a traceback) is what explains a failed run.
MAX_LOG_CHARS = 200_000


def atomic_write(path, text):
    """Write ``text`` to ``path`` so that a reader (or a crash) never sees half of it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = _new_file_beside(path)
    # UTF-8 whatever the locale; a lone surrogate (student text decoded from JSON) becomes "?", not an error.
    with os.fdopen(descriptor, "w", encoding="utf-8", errors="replace") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


def _new_file_beside(path):
    """A new, empty file beside ``path`` for its next contents: ``(descriptor, path)``.

    Made with the mode open() gives (the umask's: 0644 under the usual 022), not mkstemp's 0600: the gradebook and
    results are the instructor's files, like changes.csv.
    """
    while True:
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
        try:
            return os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), temporary
        except FileExistsError:
            continue


def write_if_changed(path, text):
    """:func:`atomic_write`, unless ``path`` holds ``text`` already: a rescored result that did not change
    keeps its file, and its time, as a resumed batch leaves finished work untouched."""
    try:
        if Path(path).read_text(encoding="utf-8") == text:
            return
    except (OSError, UnicodeDecodeError):
        pass
    atomic_write(path, text)


def tidy_log(path):
    """Leave the runner's log at ``path`` as an instructor may print it, and return its text.

    Its last :data:`MAX_LOG_CHARS` characters are kept, without the controls a terminal acts on (a
    runner's traceback can quote student text); a log that says nothing is removed, not left empty.
    """
    path = Path(path)
    try:
        with open(path, "rb") as file:
            file.seek(max(0, os.fstat(file.fileno()).st_size - 4 * MAX_LOG_CHARS))
            text = without_controls(file.read().decode("utf-8", "replace"))[-MAX_LOG_CHARS:]
    except FileNotFoundError:
        return ""
    if text:
        atomic_write(path, text)
    else:
        path.unlink(missing_ok=True)
    return text
