"""The only code that runs inside the sandbox, as the student: the worker that loads and calls the
student's module, the wire format it answers in, the zygote's inner half that forks workers, and the
limits it names in its messages. It imports nothing from outside this folder (numpy and the standard
library only; tests/test_architecture.py checks it), so it cannot leak what it does not know."""
