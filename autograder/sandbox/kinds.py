"""Choosing the sandbox: bubblewrap when it can sandbox here, else a plain child process (not a security sandbox).

Whether bubblewrap can sandbox here is one probe, :func:`~autograder.sandbox.bubblewrap.bubblewrap_problem`: the
program, root, and namespaces it can make (a bwrap that cannot make them fails at every start).
"""
from autograder.sandbox import bubblewrap
from autograder.sandbox.process import ChildProcess


def make_sandbox(kind="auto"):
    """The sandbox named ``kind``: ``"bwrap"``, ``"process"``, or ``"auto"`` (bwrap when it can sandbox here)."""
    return sandbox_class(kind)()


def sandbox_class(kind="auto"):
    """The class of the sandbox :func:`make_sandbox` makes for ``kind``: its ``name`` and ``secure``, without one made
    (a bubblewrap sandbox leases a uid for its life: ``grade``'s coordinator, which runs no student code, held one)."""
    if kind == "process":
        return ChildProcess
    if kind == "bwrap" or (kind == "auto" and not bubblewrap.bubblewrap_problem()):
        return bubblewrap.Bubblewrap
    if kind == "auto":
        return ChildProcess
    raise ValueError(f"unknown sandbox {kind!r}; choose bwrap, process or auto")
