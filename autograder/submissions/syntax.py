"""``ast.parse`` for the coordinator's grading threads, one thread at a time.

CPython 3.11 keeps the AST constructor's recursion depth in state that the interpreter's threads
share: two threads parsing at once can make one of them raise ``SystemError: AST constructor
recursion depth mismatch`` (python/cpython#106905). It failed a correct submission graded beside
another at ``--jobs 2``. Parsing a submission's source is cheap next to grading it, so the
grading threads take turns.
"""
import ast
import threading

_ONE_AT_A_TIME = threading.Lock()


def parse(source, filename="<unknown>"):
    """``ast.parse(source, filename)``, never while another thread of this process parses through here."""
    with _ONE_AT_A_TIME:
        return ast.parse(source, filename)
