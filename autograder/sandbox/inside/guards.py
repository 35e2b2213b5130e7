"""Stand-ins for C functions that hand graded code what the audit hook would not see otherwise.

- ``type.__subclasses__`` lists every class alive, the worker's among them, and from a class its methods'
  ``__globals__`` (not audited) lead to its module's names: the wire every keyed frame passes through, the worker's
  handlers, the audit hook's tables. :func:`hide_the_graders_classes` makes it leave out the classes of the grader's
  modules, and raise ``object.__subclasses__`` (charged by the audit hook) when it left one out.
- ``os.open`` with ``dir_fd`` opens ``path`` relative to a folder that the ``open`` event does not name
  (``os.open("proc/self/status", ..., dir_fd=<"/">)``). :func:`judge_dir_fd_opens` makes it raise ``os.open`` with
  the path and the folder's descriptor first, which the hook judges as the kernel resolves them, and makes a fresh
  copy of ``posix`` (``_imp.create_builtin``, what ``import posix`` does once ``sys.modules`` forgets it, with the
  C function again) raise ``_imp.create_builtin``.
- ``ctypes.cast``, ``memmove`` and ``memset`` read and write raw memory (the worker's key lies there) with no event,
  and the worker imported ``ctypes`` (numpy holds it), so ``import ctypes`` raises none either:
  :func:`audit_raw_memory` makes them raise one, and takes away the addresses they are made from.

What the replacements need is kept in their defaults, whose reading or rewriting the hook charges
(:mod:`autograder.sandbox.inside.tamper`); nothing is looked up when they run. This module holds nothing else, so
their ``__globals__`` lead nowhere. All are installed before any student code runs, for the rest of the process.
"""
import _ctypes
import _imp
import ctypes
import gc
import os
import posix
import sys

GRADERS_MODULES = "autograder."
# What ctypes makes its unaudited functions of raw memory from: a CFUNCTYPE of any of them is that function again.
RAW_MEMORY_ADDRESSES = ("_cast_addr", "_memmove_addr", "_memset_addr")


def hide_the_graders_classes():
    """Make ``cls.__subclasses__()`` leave out the classes defined in the grader's modules."""

    def __subclasses__(cls, _subclasses=type.__subclasses__, _module=vars(type)["__module__"].__get__, _str=str,
                       _type=type, _audit=sys.audit, _prefix=GRADERS_MODULES):
        shown, hidden = [], False
        for subclass in _subclasses(cls):
            try:
                module = _module(subclass)
            except AttributeError:  # a class made without a __module__ (type() called where __name__ is not set)
                module = None
            if _type(module) is _str and module.startswith(_prefix):
                hidden = True
            else:
                shown.append(subclass)
        if hidden:
            _audit("object.__subclasses__", cls)
        return shown

    __subclasses__.__doc__ = type.__subclasses__.__doc__
    # type's own dict is read-only through its mappingproxy: the dict behind it is written, then the type's method
    # caches told (PyType_Modified), as setting an attribute of a class would.
    gc.get_referents(vars(type))[0]["__subclasses__"] = __subclasses__
    ctypes.pythonapi.PyType_Modified(ctypes.py_object(type))


def judge_dir_fd_opens():
    """Make ``os.open`` with a ``dir_fd`` raise ``os.open`` (path, dir_fd), and a fresh ``posix`` raise an event."""

    def open(path, flags, mode=0o777, *, dir_fd=None, _open=posix.open, _audit=sys.audit):
        if dir_fd is not None:
            _audit("os.open", path, dir_fd)
        return _open(path, flags, mode, dir_fd=dir_fd)

    def create_builtin(spec, _create=_imp.create_builtin, _audit=sys.audit, _getattr=getattr):
        if _getattr(spec, "name", None) == "posix":
            _audit("_imp.create_builtin", "posix")
        return _create(spec)

    open.__doc__, create_builtin.__doc__ = posix.open.__doc__, _imp.create_builtin.__doc__
    os.open = posix.open = open
    _imp.create_builtin = create_builtin


def audit_raw_memory():
    """Make ``ctypes.cast``, ``memmove`` and ``memset`` raise an event, and their addresses in ``_ctypes`` one too.

    CPython raises none for them, and the worker imported ``ctypes`` (numpy holds it), so ``import ctypes`` raises
    none either: ``ctypes.cast(id(x), ctypes.POINTER(ctypes.c_char))`` read the worker's memory unseen. The stand-ins
    raise ``ctypes.cast``, ``ctypes.memmove``, ``ctypes.memset``; the foreign functions behind them are kept in
    their defaults only. The addresses they were made from (``_cast_addr``, of which a ``CFUNCTYPE`` makes the
    function again) are removed from ``ctypes`` and ``_ctypes``, and reading one raises ``ctypes.cast``. A fresh
    ``_ctypes`` (which has them again) is charged by the hook as the import of it.
    """

    def cast(obj, typ, _cast=ctypes._cast, _audit=sys.audit):
        _audit("ctypes.cast", typ)
        return _cast(obj, obj, typ)

    def memmove(dst, src, count, _memmove=ctypes.memmove, _audit=sys.audit):
        _audit("ctypes.memmove", count)
        return _memmove(dst, src, count)

    def memset(dst, c, count, _memset=ctypes.memset, _audit=sys.audit):
        _audit("ctypes.memset", count)
        return _memset(dst, c, count)

    def __getattr__(name, _gone=frozenset(RAW_MEMORY_ADDRESSES), _audit=sys.audit):
        if name in _gone:
            _audit("ctypes.cast", name)
        raise AttributeError(f"module has no attribute {name!r}")

    cast.__doc__ = ctypes.cast.__doc__
    for module in (ctypes, _ctypes):
        for name in RAW_MEMORY_ADDRESSES:
            vars(module).pop(name, None)
        module.__getattr__ = __getattr__
    del ctypes._cast
    ctypes.cast, ctypes.memmove, ctypes.memset = cast, memmove, memset
