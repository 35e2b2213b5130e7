"""The stand-ins a pin puts in place of a student's function: the one thing of the worker that graded code holds.

A stub is in the student's namespace while its test runs, so whatever it leads to through what Python does not
audit (``__globals__``, ``__closure__``, a bound method's ``__self__``) is the student's to read and rebind. It is
defined here, in a module that holds nothing but :func:`stub`, and it asks the trusted side through the ``send`` of
a generator (:func:`autograder.sandbox.inside.worker.asking`), which leads no further without ``gi_frame``, an
audited reach: not to the worker, its class, its modules' globals, the audit hook or the key.
"""


def stub(ask, pin, original, holder, state, per_object=False):
    """A stand-in for ``original`` that asks the trusted side first, and runs ``original`` when told to.

    ``ask(question)`` puts the question to the trusted side and returns its reply, or None (run the student's own,
    also when the question is not plain data), or the exception asking raised. The question carries the call's arguments as given and, for a method
    (``holder``), the ``state`` attributes of its object; arguments that are not plain data go as handles, which
    match nothing (a pin may leave such an argument out of its match). With ``per_object``, ``original`` is a
    function of a class and the stand-in one too: the object it is called on is the holder, and is not sent among
    the arguments.
    """
    def answered(holder, own, args, kwargs):
        reply = ask({"pin": pin, "args": list(args), "kwargs": kwargs,
                     "state": {name: getattr(holder, name, None) for name in state}})
        if isinstance(reply, BaseException):
            raise reply
        if reply is None or "answer" not in reply:
            return own()
        return reply["answer"]

    if per_object:
        def pinned(self, *args, **kwargs):
            return answered(self, lambda: original(self, *args, **kwargs), args, kwargs)
    else:
        def pinned(*args, **kwargs):
            return answered(holder, lambda: original(*args, **kwargs), args, kwargs)

    pinned.__wrapped__ = original  # so that a pin of a pinned function binds calls by the student's signature
    return pinned
