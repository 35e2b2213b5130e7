"""The lines of a student's module that hold code: the only lines a hidden test's feedback may name.

Before the due date, a hidden test that the student's code made fail says the exception's type and
the line of the student's file it came from, never the student's own words (GRADER.md). The worker
reports that line, and the worker is the student's: code compiled under the module's file name
(``exec(compile("\\n" * k + "raise ValueError", __file__, "exec"))``) can report any number, and
so carry a hidden input out, a few digits per failed test. The trusted side names a line only when
the module's own source has code on it: the source is compiled here, never run. A module that
cannot be read or compiled here names no line.
"""
import types

# What compiling a hostile source may raise: a syntax error, nesting too deep, or too large a source.
UNCOMPILABLE = (OSError, SyntaxError, ValueError, RecursionError, MemoryError)


def code_lines(path):
    """The line numbers of ``path``'s source that hold code (of the module, its functions and classes).

    Parameters
    ----------
    path : Path
        The student's module, as the trusted side sees it.

    Returns
    -------
    frozenset of int
        Empty when the file cannot be read or compiled.
    """
    try:
        code = compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
    except UNCOMPILABLE:
        return frozenset()
    lines, waiting = set(), [code]
    while waiting:
        code = waiting.pop()
        lines.update(line for _, _, line in code.co_lines() if line is not None)
        waiting.extend(constant for constant in code.co_consts if isinstance(constant, types.CodeType))
    return frozenset(lines)
