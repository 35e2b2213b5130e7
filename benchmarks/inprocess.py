"""No isolation at all: the student's code runs in the grading process itself. Benchmarks only.

:class:`InProcess` is NOT a sandbox and ``grade`` never uses it (no command offers it): it
exists so that the benchmark can time the very same test work without a worker
process, pipes or the wire format, and so measure what isolation costs (the
overhead ratio in ``benchmarks/``). The worker's logic (:class:`autograder.sandbox.inside.worker.Worker`)
runs here, with plain copies instead of encoding: a test still never shares an
array with the student's code, so in-place changes do what they do in a worker.
There are no timeouts: use it on code you trust to finish.
"""
from pathlib import Path

from autograder.sandbox.inside import wire
from autograder.sandbox.session import ImportFailed, StudentCodeFailed, SubmissionMissing, WorkerSession
from autograder.sandbox.inside.worker import Worker, describe


class Copies(wire.Encoding):
    """Plain data written as what :func:`autograder.sandbox.inside.wire.decode` would give, without the bytes in between."""

    def array(self, value):
        return value.copy()

    def scalar(self, value):
        return value

    def handle(self, value):
        return wire.Handle(value.id, value.type)

    def tuple(self, items):
        return tuple(items)

    def dict(self, items):
        return dict(items)


_COPIES = Copies()


def plain_copy(value, register_object=None):
    """What :func:`autograder.sandbox.inside.wire.frame` then ``decode`` would give: checked as strictly, copied."""
    return wire.convert(value, register_object, _COPIES)


class CopyingWorker(Worker):
    """The worker's logic, answering with plain copies instead of encoded messages; stubs ask ``session``."""

    @staticmethod
    def pack(value, register_object, framing):
        return plain_copy(value, register_object)  # (no frame: ``framing`` is None here)

    def __init__(self, session):
        super().__init__()
        self.session = session

    def ask(self, question):
        found = self.session.pin_answer(plain_copy(question, self.register))
        return {"answer": plain_copy(found[0])} if found else {"own": True}


class InProcessSession(WorkerSession):
    """A :class:`~autograder.sandbox.session.WorkerSession` whose "worker" is an object in this process."""

    def _start(self):
        if self.module_path is None:
            raise SubmissionMissing(self.missing_message)
        if self.load_failure is not None:
            raise ImportFailed(*self.load_failure)
        self.worker = CopyingWorker(self)
        self.process = self.worker  # "running"
        self.generation += 1
        self._load(self.module_path, 0)
        self.classes.clear()  # no wait to save here: constructors are answered at once, as any call

    def close(self):
        self.process = self.worker = None

    def send(self, message, what="the student's code", restart_on_error=False, on_answer=None, timeout=0):
        try:  # nothing to save here: no process to wait for
            answer = self.request(message, timeout, what)
            if on_answer is not None:
                on_answer(*answer)
        except StudentCodeFailed:
            if not restart_on_error:
                raise
            self.close()

    def output(self):
        return ""

    def _exchange(self, message, timeout, what):
        message = {name: value for name, value in message.items() if name != "key"}  # serve() keeps the key, as here
        try:
            answer = self.worker.answer(plain_copy(message))
        except BaseException as error:  # noqa: BLE001 - as the worker does: the student's code may raise anything
            answer = {"error": describe(error)}
        if "ok" in answer:
            return answer["ok"], {key: value for key, value in answer.items() if key != "ok"}
        return self._unpack(answer, what)


class InProcess:
    """Not a sandbox: student code runs in this process (benchmark only)."""

    name = "in-process run (NO isolation; for measuring the cost of isolation only)"
    secure = False
    session = InProcessSession

    def path_inside(self, path):
        return Path(path)
