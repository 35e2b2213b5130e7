"""The worker's resource limits: set on it by the sandbox, and named in its plain-words messages."""
MEMORY_BYTES = 2 * 1024**3
CPU_SECONDS = 120
OUTPUT_BYTES = 16 * 1024**2
OPEN_FILES = 256
