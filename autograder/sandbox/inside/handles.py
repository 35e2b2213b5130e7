"""The worker's reference to one of its objects, in a module of its own: whatever way a handle reaches graded code
(nested in an argument, in a pin's answer), its class and its methods' ``__globals__`` lead to nothing of the worker.

Defined in :mod:`autograder.sandbox.inside.wire`, a handle's methods' ``__globals__`` were the wire's, whose names
(``_write``, ``write_all``, its builtins) every frame the worker writes, its key included, passes through.
"""


class Handle:
    """A reference to an object that lives in the worker (a student's model, say)."""

    __slots__ = ("id", "type")

    def __init__(self, id, type):
        self.id, self.type = id, type

    def __repr__(self):
        return f"<{self.type} object in the worker, handle {self.id}>"
