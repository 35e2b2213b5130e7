"""Bytecode for the grader's own modules and the kit's test files and references, written once.

Python keeps a module's compiled code in ``__pycache__/*.pyc`` beside its source, so that the next
process reads it instead of compiling the source again, unless ``PYTHONDONTWRITEBYTECODE`` (or
``-B``) says not to write it: then every ``grade`` compiled the grader's package (the coordinator's
modules, the runner's) and the kit's test files and references (the fork server's) from source, about
0.2 s of CPU per command, more than grading a 02 notebook costs. There :func:`compile_kit` writes them
itself, into the kit's own ``__pycache__`` folders, as Python writes them on any other machine at the
first import; a later command only finds them fresh (a ``stat`` and a 16-byte read per file).

Never the student's: nothing is written into a submission, and the sandbox writes nothing (its package
is read-only inside; :func:`autograder.sandbox.bubblewrap.compile_sandbox_modules` compiles its modules
for it). A folder the grader may not write to is left as it is.
"""
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]  # the autograder package


def compile_kit(root):
    """Write the missing or stale ``.pyc`` files of the grader's package and of the assignment folders of
    the kit at ``root`` (``solutions/*/`` and ``assignments/*/``: tests, references, stubs), when Python
    itself would not.

    Returns whether it looked at all (False where Python writes bytecode on import anyway).
    """
    if not sys.dont_write_bytecode:
        return False
    import compileall

    try:
        compileall.compile_dir(PACKAGE, quiet=2)
        for side in ("solutions", "assignments"):
            if (Path(root) / side).is_dir():
                compileall.compile_dir(Path(root) / side, maxlevels=1, quiet=2)
    except OSError:
        pass  # a kit or an installation the grader may not write to: modules are compiled on import, as before
    return True
