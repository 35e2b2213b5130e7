"""A stand-in for ``type.__subclasses__``, which hands graded code the grader's classes without an audit event.

``type.__subclasses__`` lists every class alive, the worker's among them, and from a class its methods'
``__globals__`` (not audited) lead to its module's names: the wire every keyed frame passes through, the worker's
handlers, the audit hook's tables. :func:`hide_the_graders_classes` makes it leave out the classes of the grader's
modules, and raise ``object.__subclasses__`` (charged by the audit hook) when it left one out.

What the replacement needs is kept in its defaults, whose reading or rewriting the hook charges
(:mod:`autograder.sandbox.inside.tamper`); nothing is looked up when it runs. This module holds nothing else, so its
``__globals__`` lead nowhere. It is installed before any student code runs, for the rest of the process.
"""
import ctypes
import gc
import sys

GRADERS_MODULES = "autograder."


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
