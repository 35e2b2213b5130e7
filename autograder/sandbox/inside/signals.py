"""Setting a signal handler made an audited event (``signal.signal``), which the audit hook charges to the student.

Python hands a signal handler the frame that was running, and from any frame the worker's own frames (``serve``'s
locals hold its key) are a walk up ``f_back`` away: neither ``f_back`` nor ``f_locals`` raises an audit event, and
CPython raises none for setting a handler. So, before any student code runs, :func:`guard` replaces the C module's
``signal`` (which ``signal.signal``, Python's wrapper, calls) by one that raises the event first, and makes a fresh
copy of the C module (``_imp.create_builtin``, what ``import _signal`` does once ``sys.modules`` forgets it) raise it
too. What the replacements need is kept in their defaults, whose reading or rewriting the hook charges
(:mod:`autograder.sandbox.inside.tamper`); nothing is looked up when they run. ``SIG_DFL``, ``SIG_IGN`` and
``default_int_handler`` run no Python code: setting them is free.

This module holds nothing else, so the replacements' ``__globals__`` lead nowhere.
"""
import _imp
import _signal
import sys


def guard():
    """Make setting a handler raise ``signal.signal`` (for the rest of this process's life)."""

    def signal(signalnum, handler, _set=_signal.signal, _audit=sys.audit, _callable=callable,
               _harmless=_signal.default_int_handler):
        if _callable(handler) and handler is not _harmless:
            _audit("signal.signal", signalnum)
        return _set(signalnum, handler)

    def create_builtin(spec, _create=_imp.create_builtin, _audit=sys.audit, _getattr=getattr):
        if _getattr(spec, "name", None) == "_signal":
            _audit("signal.signal", None)
        return _create(spec)

    signal.__doc__, create_builtin.__doc__ = _signal.signal.__doc__, _imp.create_builtin.__doc__
    _signal.signal, _imp.create_builtin = signal, create_builtin
