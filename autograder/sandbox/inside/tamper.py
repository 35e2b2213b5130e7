"""Tamper evidence: what a submission did to reach for the grader's internals, reported as it happens.

A CPython audit hook (PEP 578, ``sys.addaudithook``) cannot be removed once added, and it sees
the events that reaching into another part of the process needs: frames (``sys._getframe``,
``sys._current_frames``, a traceback's or generator's frame), the garbage collector's object
graph (``gc.get_referrers``, ``get_referents``, ``get_objects``), a function's ``__code__``,
``ctypes`` (``ctypes.dlopen``, raw memory), ``/proc`` (by the path the kernel resolves: ``/dev/fd/..``
is ``/proc/self``; a descriptor by its file; an ``os.open`` relative to a ``dir_fd`` by the event
:mod:`autograder.sandbox.inside.guards` makes it raise), the grader's classes listed by ``__subclasses__`` (which
the guards leave out, and say so), an audit hook of the student's (refused: it would be handed every event's
arguments, frames among them), a signal handler (Python hands it the frame that was running, and a frame's ``f_back`` and
``f_locals`` raise no audit event: CPython raises none for setting one either, so
:mod:`autograder.sandbox.inside.signals` makes it raise ``signal.signal``, charged whoever asked), and importing the grader's own modules
(the worker removes them from ``sys.modules`` before any student code runs, so reaching them
by name means importing them afresh). Each event is charged to the submission only when the
Python code that caused it is the submission's own (or ``inspect``, ``ctypes``, code without a
file of its own such as an ``exec`` of a string, and whatever ran that string, called by it;
``traceback`` too, when it walks up the stack; any module but the worker reading the worker's own
frames off an exception the student kept): numpy, the standard library and the worker do these
things for themselves all the time. Setting a signal handler, a trace or a profile function is
charged whoever does it: the worker never does, and ``bdb`` or ``profile`` hand the frames to the
student's subclass; so are listing the grader's classes and adding an audit hook. A ``/proc`` path is charged
whatever library opened it for the student (``pathlib``, ``glob``, ``os.fwalk``): only the worker opens one for
itself. A stand-in of :mod:`autograder.sandbox.inside.guards` acts for its caller. Compiling code under another file's
name (so that its frames would pass for that file's) is itself evidence.

Evidence is written at once, as its own frame on the channel to the trusted side: what is in
the pipe cannot be taken back, whatever the student's code does next (its descriptor pointed
elsewhere meanwhile, the evidence goes to the student's copy of the channel and the process
dies before it can use what it reached for). The trusted side flags the
submission ``needs review`` (it never decides anything from the absence of evidence).
"""
import os
import signal
import stat
import sys

from autograder.sandbox.inside import own_builtins, wire

# Bound before any student code runs: a submission that rebinds sys._getframe, os.path.realpath or a builtin at
# import would otherwise choose whose code the hook charges, or what path it sees.
__builtins__ = own_builtins()
_getframe, _realpath, _fsdecode, _getpid, _kill = sys._getframe, os.path.realpath, os.fsdecode, os.getpid, os.kill
_stat = os.stat
try:
    _PROC_DEVICE = _stat("/proc").st_dev  # the proc file system's, wherever a path to it starts
except OSError:
    _PROC_DEVICE = None
_fstat, _listdir, _is_fifo = os.fstat, os.listdir, stat.S_ISFIFO

GRADER_PACKAGE = "autograder"
GUARDED_MODULES = {"_ctypes"}  # imported by the worker and changed by autograder.sandbox.inside.guards
# What each audited event means, in the words of the evidence (the event's name is added).
REACHES = {
    "sys._getframe": "stack frames",
    "sys._current_frames": "stack frames",
    "gc.get_referrers": "the garbage collector's object graph",
    "gc.get_referents": "the garbage collector's object graph",
    "gc.get_objects": "the garbage collector's objects",
    "ctypes.dlopen": "ctypes",
    "ctypes.dlsym": "ctypes",
    "ctypes.dlsym/handle": "ctypes",
    # Each turns an address into memory read or written, an object or a call: from_buffer_copy makes a pointer of an
    # address held in bytes, PyObj_FromPtr an object of an address, call_function calls the code at one.
    "ctypes.cdata": "raw memory through ctypes",
    "ctypes.cdata/buffer": "raw memory through ctypes",
    "ctypes.addressof": "raw memory through ctypes",
    "ctypes.string_at": "raw memory through ctypes",
    "ctypes.wstring_at": "raw memory through ctypes",
    "ctypes.PyObj_FromPtr": "raw memory through ctypes",
    "ctypes.call_function": "raw memory through ctypes",
    # Raised by the stand-ins of autograder.sandbox.inside.guards (CPython raises none for these).
    "ctypes.cast": "raw memory through ctypes",
    "ctypes.memmove": "raw memory through ctypes",
    "ctypes.memset": "raw memory through ctypes",
    "sys.settrace": "a trace function",
    "sys.setprofile": "a profile function",
    "signal.signal": "a signal handler",
    # Raised by the stand-ins of autograder.sandbox.inside.guards: a class of the grader's listed (and left out), a fresh
    # posix (whose os.open is not the stand-in); and by CPython for an audit hook added, which is handed every event's
    # arguments, frames among them (sys._getframe's, raised by whoever walks the stack: logging, the hook itself).
    "object.__subclasses__": "the grader's classes",
    "_imp.create_builtin": "a fresh copy of a module the grader guards",
    "sys.addaudithook": "an audit hook",
}
# Charged whoever raised them once the student's code runs: the worker sets no handler, trace or profile function, and
# the standard library's own callers (signal.py's wrapper, bdb's and profile's runcall, which hand a subclass every frame
# they see) act for the student's code behind them.
CHARGED_TO_THE_STUDENT = {"signal.signal", "sys.settrace", "sys.setprofile", "object.__subclasses__",
                          "_imp.create_builtin", "sys.addaudithook"}
# The events whose first argument is a path or a descriptor (``os.open``, the guard's, adds the dir_fd it is relative to).
PATH_EVENTS = {"open", "os.listdir", "os.scandir", "os.open"}
FRAME_ATTRIBUTES = {"tb_frame", "gi_frame", "cr_frame", "ag_frame", "f_back"}
WATCHED = frozenset(REACHES) | PATH_EVENTS | {"object.__getattr__", "object.__setattr__", "import", "compile",
                                             "code.__new__"}
GUARDED_PARTS = ("__defaults__", "__kwdefaults__")  # of a function of this folder: what a guard keeps there
# Modules whose work is charged to their caller: they hand frames, or raw memory, to whoever asks.
PASS_THROUGH = ("/inspect.py", "/ctypes/__init__.py")
# ... and those that do so only when they walk up the stack (``traceback.walk_stack``, ``extract_stack``): their
# reading of a caught exception's own frames (``format_exc``) shows the student nothing beyond its code.
PASS_THROUGH_UP = ("/traceback.py",)
UP_THE_STACK = {"sys._getframe", "sys._current_frames"}
# The worker's own frames, which a traceback holds only when the student's exception escaped into the worker (and the
# student kept it): from there, ``serve``'s locals (the key) are one ``f_locals`` away. (A pinned stub's frames, in
# every traceback through a pinned helper, are :mod:`stubs`', and show nothing.)
GRADER_FOLDER = os.path.dirname(os.path.abspath(__file__)) + os.sep
WORKER_FILE = os.path.join(GRADER_FOLDER, "worker.py")
GUARDS_FILE = os.path.join(GRADER_FOLDER, "guards.py")  # its stand-ins raise events for their caller


class Evidence:
    """The audit hook of one worker: charges events to the student's code and reports them on ``fd``.

    Parameters
    ----------
    fd : int
        The worker's answer channel; each piece of evidence is one ``{"evidence": text}`` frame.
    """

    def __init__(self, fd):
        self.fd = fd
        self.student_files = ()  # set when the student's module is loaded: its folder
        self.reported = set()
        self.busy = False
        self.channel = _identity(fd)

    def watch(self, folder):
        """From now on, charge events caused by code under ``folder`` (the submission's)."""
        self.student_files = (folder.rstrip("/") + "/",)

    def __call__(self, event, arguments):
        if event not in WATCHED or self.busy or not self.student_files:
            return  # first, and cheap: the hook sees every audited event of the process
        self.busy = True  # the hook's own work raises audit events too
        try:
            what = self.what_reached(event, arguments)
            if what is not None:
                self.report(f"{what} ({event})")
                if event == "sys.addaudithook":
                    raise RuntimeError("no audit hook at grading")  # (CPython then adds none, and says nothing)
        finally:
            self.busy = False

    def what_reached(self, event, arguments):
        """What the student's code reached for with ``event``, or None."""
        if event in ("compile", "code.__new__"):
            # Code compiled, or a code object remade (``code.replace``), under another file's name would pass for
            # that file's code.
            filename = arguments[1] if len(arguments) > 1 else None
            if (isinstance(filename, str) and not filename.startswith("<")
                    and not filename.startswith(self.student_files) and self.caused_by_student(directly=True)):
                return "code compiled under another file's name"
            return None
        what = self.reach(event, arguments)
        if event in CHARGED_TO_THE_STUDENT:
            return what
        if what is None:
            return None
        workers_frame = event == "object.__getattr__" and _workers_frame(arguments)
        up = event in UP_THE_STACK or workers_frame or (event == "object.__getattr__" and arguments[1:] == ("f_back",))
        # /proc opened for the student by any library (pathlib, glob, os.fwalk) is the student's: only the worker opens
        # it for itself.
        anyone = workers_frame or event in PATH_EVENTS
        return what if self.caused_by_student(through=PASS_THROUGH_UP if up else (), anyone=anyone) else None

    def reach(self, event, arguments):
        """What ``event`` reaches for, or None when it is not a reach for the grader's internals."""
        if event in REACHES:
            return REACHES[event]
        if event == "object.__getattr__" and len(arguments) == 2:
            name = arguments[1]
            if name in FRAME_ATTRIBUTES:
                return "stack frames"
            if name == "__code__" and not self.students_own(arguments[0]):
                return "the code of a function"
            if name in GUARDED_PARTS and _graders_own(arguments[0]):
                return "the defaults of the grader's function"  # (where the signal guard keeps what it guards)
            return None
        if event == "object.__setattr__" and len(arguments) == 3:
            if arguments[1] in GUARDED_PARTS + ("__code__",) and _graders_own(arguments[0]):
                return "the grader's function rewritten"
            return None
        if event in PATH_EVENTS and arguments and isinstance(arguments[0], (str, bytes, int)):
            dir_fd = arguments[1] if event == "os.open" and len(arguments) > 1 else None
            return "/proc" if _on_proc(arguments[0], dir_fd) else None
        if event == "import" and arguments and isinstance(arguments[0], str):
            name = arguments[0]
            if name == GRADER_PACKAGE or name.startswith(GRADER_PACKAGE + "."):
                return f"the grader's module {name}"
            if name in GUARDED_MODULES:  # the worker imported it: an import is of a fresh copy, unguarded
                return "a fresh copy of a module the grader guards"
        return None

    def students_own(self, function):
        """Was ``function`` defined in the student's files? (Its own code is the student's to read.)"""
        code = getattr(function, "__code__", None)
        return isinstance(getattr(code, "co_filename", None), str) and code.co_filename.startswith(self.student_files)

    def caused_by_student(self, directly=False, through=(), anyone=False):
        """Is the Python code that raised the event the student's?

        Code with no file of its own (``exec`` of a string, the import machinery) and the modules
        of ``PASS_THROUGH`` (and of ``through``) act for their caller, and so does whatever ran such
        code, up to the student's frame or the grader's own: a string the student handed the standard
        library to run (``code.InteractiveInterpreter``, ``timeit``) is the student's. With ``anyone``,
        every frame acts for its caller but the grader's own (the worker's frames off a kept traceback: only
        the worker reads them for itself, ``pdb`` or ``logging`` for the student). With ``directly``, only
        the student's own frame counts.
        """
        frame = _getframe(3)  # 0: this method, 1: what_reached, 2: the hook, 3: the code that raised the event
        acting_for_caller = PASS_THROUGH + tuple(through)
        ran_a_string = False
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename.startswith(self.student_files):
                return True
            if filename == GUARDS_FILE:  # a stand-in for a C function: its caller raised the event
                frame = frame.f_back
                continue
            if directly or filename.startswith(GRADER_FOLDER):
                return False
            if filename.startswith("<"):
                ran_a_string = True
            elif not (ran_a_string or anyone or filename.endswith(acting_for_caller)):
                return False
            frame = frame.f_back
        return False

    def report(self, text):
        # (A process the student's code forked reports too: it holds a copy of the worker's frames, the key among them,
        # and the channel, on which it could write an answer with that key.)
        if text in self.reported:
            return
        self.reported.add(text)
        frame = wire.dumps({"evidence": text})
        redirected = _identity(self.fd) != self.channel
        # The student's code can point the channel's descriptor elsewhere (``os.dup2`` of /dev/null onto it) while it
        # reaches, and back afterwards: then the evidence goes to every other descriptor of the channel it kept, and
        # the process dies before what it reached for can be used.
        for fd in _handles(self.channel) if redirected else (self.fd,):
            try:
                wire.write_all(fd, frame)
            except OSError:
                pass
        if redirected:
            _kill(_getpid(), signal.SIGKILL)


def _on_proc(path, dir_fd=None):
    """Is ``path`` (relative to the folder ``dir_fd`` when given; a descriptor when an int) on the proc file system as
    the kernel resolves it (``/dev/fd/../mem``, a link the student made, ``proc/self`` from a descriptor of ``/``)?

    Asked of the kernel (``stat`` follows every link): ``os.path.realpath`` looks ``os.lstat`` and ``os.readlink``
    up when it runs, and a submission that rebinds them makes ``/dev/fd/..`` read as ``/dev``. A path that does not
    exist is judged as it reads, or by its folder when relative to a descriptor.
    """
    try:
        if isinstance(path, int):
            return _PROC_DEVICE is not None and _fstat(path).st_dev == _PROC_DEVICE
        return _PROC_DEVICE is not None and _stat(path, dir_fd=dir_fd).st_dev == _PROC_DEVICE
    except (OSError, ValueError, TypeError, OverflowError):
        if isinstance(path, int):
            return False
        if dir_fd is not None:
            return isinstance(dir_fd, int) and _on_proc(dir_fd)
        resolved = _realpath(_fsdecode(path))
        return resolved == "/proc" or resolved.startswith("/proc/")


def _identity(fd):
    """What the pipe behind ``fd`` is (device and inode), or None when ``fd`` is closed or no pipe."""
    try:
        info = _fstat(fd)
    except (OSError, TypeError):  # closed, or no descriptor at all (an in-process worker)
        return None
    return (info.st_dev, info.st_ino) if _is_fifo(info.st_mode) else None


def _handles(channel):
    """The descriptors of this process that are ``channel`` (a pipe's identity)."""
    try:
        fds = [int(name) for name in _listdir("/dev/fd") if name.isdigit()]
    except OSError:
        return []
    return [fd for fd in fds if channel is not None and _identity(fd) == channel]


def _workers_frame(arguments):
    """Does an ``object.__getattr__`` event read a traceback's frame of the worker's own code?"""
    owner, name = arguments if len(arguments) == 2 else (None, None)
    if name != "tb_frame":
        return False
    code = getattr(getattr(owner, "tb_frame", None), "f_code", None)  # (the hook is busy: its own reads go unseen)
    return getattr(code, "co_filename", None) == WORKER_FILE


def _graders_own(function):
    """Was ``function`` defined in this folder (the code that runs as the student but is the grader's)?"""
    code = getattr(function, "__code__", None)  # (the hook is busy: its own read goes unseen)
    return isinstance(getattr(code, "co_filename", None), str) and code.co_filename.startswith(GRADER_FOLDER)


def install(fd):
    """Add the audit hook (for the rest of this process's life) and return it."""
    evidence = Evidence(fd)
    sys.addaudithook(evidence)
    return evidence


def forget_grader_modules():
    """Remove the grader's modules from ``sys.modules``: the student's code can reach them only by importing them."""
    for name in [name for name in sys.modules if name == GRADER_PACKAGE or name.startswith(GRADER_PACKAGE + ".")]:
        del sys.modules[name]
