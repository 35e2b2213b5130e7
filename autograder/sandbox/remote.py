"""Proxies that make the student's module, running in the worker, look local to a test.

``student.softmax(X)`` sends ``X`` to the worker, runs the student's ``softmax``
there and returns the decoded result; ``student.NeuralNet(64, 10, 10)`` returns a
:class:`RemoteObject` whose attributes and methods live in the worker. Nothing the
student's code returns is ever more than plain data here.

Grader-only helpers start with an underscore, so they cannot collide with a
student's names: ``_seed``, ``_sgd``, ``_pin``.
"""
from autograder.sandbox.inside import wire
from autograder.sandbox.session import DEFAULT_TIMEOUT


class Remote:
    """Attributes of a module or object in the worker."""

    def __init__(self, session, handle, label):
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "_handle", handle)
        object.__setattr__(self, "_label", label)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        label = name if isinstance(self, RemoteModule) else f"{self._label}.{name}"
        # What was once a function (of the module, or of objects of this type) is taken to stay one:
        # the worker is not asked again before each call (a round trip per call saved). A student's code
        # that rebinds it to something else has the call fail in the worker instead.
        known = self._session.__dict__.setdefault("remote_callables", set())
        key = (None if self._handle is None else self._handle.type, name)
        if key in known:
            return RemoteFunction(self._session, self._handle, name, label)
        value, _ = self._session.request({"op": "getattr", "name": name, "target": self._handle},
                                         what=f"reading {self._label}.{name}")
        if isinstance(value, dict) and value == {"callable": True}:
            known.add(key)
            return RemoteFunction(self._session, self._handle, name, label)
        return wrap(self._session, value)

    def __setattr__(self, name, value):
        # Sent without waiting for the acknowledgement; an error is raised with the next request.
        self._session.send({"op": "setattr", "name": name, "value": unwrap(value), "target": self._handle},
                           what=f"setting {self._label}.{name}")


class RemoteObject(Remote):
    def __repr__(self):
        return f"<student's {self._label} in the worker>"

    def __call__(self, *args, **kwargs):
        return RemoteFunction(self._session, self._handle, "__call__", f"{self._label}.__call__")(*args, **kwargs)


class RemoteModule(Remote):
    """The student's module for one assignment."""

    def __init__(self, session, module_name):
        super().__init__(session, None, module_name)

    def _seed(self, seed):
        """``np.random.seed(seed)`` in the worker."""
        self._session.send({"op": "seed", "seed": seed}, what="seeding")

    def _sgd(self, model, X, y, epochs, learning_rate, timeout=60.0):
        """Run ``epochs`` passes of per-sample ``model.train`` in the worker."""
        self._session.request(
            {"op": "sgd", "target": model._handle, "X": X, "y": y, "epochs": epochs, "learning_rate": learning_rate},
            timeout=timeout, what=f"training {model._label} ({epochs} epoch(s) of {model._label}.train)",
        )

    def _pin(self, name, table, target=None):
        """Make ``name`` (on the module or on ``target``) answer from ``table``: ``[(args, kwargs, output)]``."""
        table = [(list(args), dict(kwargs), output) for args, kwargs, output in table]
        handle = target._handle if target is not None else None
        self._session.send({"op": "pin", "name": name, "table": table, "target": handle},
                           what=f"preparing {name}")
        self._session.pinned = True

    def _unpin(self):
        """Undo every pin; the grader does this after each test."""
        if self._session.pinned and self._session.process is not None:
            # Not waited for: a worker that cannot undo its pins is replaced before its next request.
            self._session.send({"op": "unpin"}, what="undoing pins", restart_on_error=True)
        self._session.pinned = False


class RemoteFunction:
    """A function or method in the worker."""

    def __init__(self, session, handle, name, label, timeout=DEFAULT_TIMEOUT):
        self.session, self.handle, self.name, self.label, self.timeout = session, handle, name, label, timeout

    def call_tracking_mutation(self, *args, **kwargs):
        """Call, and also return the positions of the arguments the call changed in place."""
        value, mutated = self.session.request(
            {"op": "call", "name": self.name, "target": self.handle,
             "args": [unwrap(arg) for arg in args], "kwargs": {k: unwrap(v) for k, v in kwargs.items()}},
            timeout=self.timeout, what=self.label,
        )
        return wrap(self.session, value), mutated

    def __call__(self, *args, **kwargs):
        return self.call_tracking_mutation(*args, **kwargs)[0]

    def with_timeout(self, seconds):
        return RemoteFunction(self.session, self.handle, self.name, self.label, seconds)


def wrap(session, value):
    if isinstance(value, wire.Handle):
        return RemoteObject(session, value, value.type)
    return value


def unwrap(value):
    return value._handle if isinstance(value, RemoteObject) else value
