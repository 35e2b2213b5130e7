"""The worker's resource limits: set on it by the sandbox, and named in its plain-words messages; and what an error
report carries of an exception (:func:`autograder.sandbox.inside.worker.describe`)."""
MEMORY_BYTES = 2 * 1024**3
CPU_SECONDS = 120
OUTPUT_BYTES = 16 * 1024**2
OPEN_FILES = 256
# An exception's message, as an error report carries it and as a replay's is compared with it on the trusted side
# (autograder.runner.known_bugs): one cut for both, or a long message never matches its replay.
MESSAGE_CHARS = 1000
TRACEBACK_CHARS = 4000  # a traceback's last characters, where the raise is
