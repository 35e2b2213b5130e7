"""The only code that runs inside the sandbox, as the student: the worker that loads and calls the
student's module, the wire format it answers in, the zygote's inner half that forks workers, and the
limits it names in its messages. It imports nothing from outside this folder (numpy and the standard
library only; tests/test_architecture.py checks it), so it cannot leak what it does not know."""
import builtins


def own_builtins():
    """A copy of the builtins as they are now, for one module of this folder to look its names up in.

    Set as a module's ``__builtins__`` before its functions are defined, and so before any student code
    runs (the zygote imports this folder first): a submission that rebinds ``builtins.len`` or
    ``builtins.memoryview`` at import then changes what its own code sees, not what the worker reads,
    writes or reports (its key included)."""
    return dict(vars(builtins))
