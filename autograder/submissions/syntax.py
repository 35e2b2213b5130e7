"""``ast.parse`` of a student's Python on the trusted side: one thread at a time, and a bounded amount.

CPython 3.11 keeps the AST constructor's recursion depth in state that the interpreter's threads
share: two threads parsing at once can make one of them raise ``SystemError: AST constructor
recursion depth mismatch`` (python/cpython#106905). It failed a correct submission graded beside
another at ``--jobs 2``. Parsing a submission's source is cheap next to grading it, so the
grading threads take turns.

Cheap only while the source is of a size people write: a tree costs about 500 times its text (a
6 MB module of ``0,0,0,...`` took 2.9 GB and 9 to 13 s of CPU per parse, in the grader's own process,
which has no memory bound of its own, three times per module, the other threads waiting), and a
submission may unpack to 64 MiB. So no source over :data:`MAX_SOURCE_BYTES` is parsed here:
:class:`SourceTooLarge` is a ``SyntaxError``, and every reader already takes what does not parse
for "says nothing"; the assignment itself is not graded (``locate.locate_module`` says why). Nor is a module's
text read whole to be found too large: :func:`read_source` reads at most the bound.
"""
import ast
import os
import threading
from pathlib import Path

# The reference modules are under 15 KiB and the notebooks' code under 40 KiB: 1 MiB is some 70 times that, and
# parses within ~0.5 GB and ~1.5 s at worst.
MAX_SOURCE_BYTES = 1024**2
_ONE_AT_A_TIME = threading.Lock()


class SourceTooLarge(SyntaxError):
    """Python source over :data:`MAX_SOURCE_BYTES`, not parsed (the message says so, for a student)."""


def too_large(name, size):
    """The problem of a file ``name`` holding ``size`` bytes (or characters) of Python: "" when it may be parsed."""
    if size <= MAX_SOURCE_BYTES:
        return ""
    return (f"{name} is too large to grade ({size / 1024**2:.1f} MiB of Python, at most "
            f"{MAX_SOURCE_BYTES // 1024**2} MiB): keep data out of the code (load it from a file beside it)")


def read_source(path):
    """The text of the Python file at ``path`` (undecodable bytes replaced), read only when it may be parsed.

    Raises :class:`SourceTooLarge` for a file over :data:`MAX_SOURCE_BYTES`, having read no more than that.
    """
    with open(path, "rb") as file:
        data = file.read(MAX_SOURCE_BYTES + 1)
        problem = too_large(Path(path).name, max(len(data), os.fstat(file.fileno()).st_size))
    if problem:
        raise SourceTooLarge(problem)
    return data.decode("utf-8", "replace")


def parse(source, filename="<unknown>"):
    """``ast.parse(source, filename)``, never while another thread of this process parses through here.

    Raises :class:`SourceTooLarge`, unparsed, for a source over :data:`MAX_SOURCE_BYTES` characters.
    """
    problem = too_large(filename, len(source))
    if problem:
        raise SourceTooLarge(problem)
    with _ONE_AT_A_TIME:
        return ast.parse(source, filename)
