"""Starting, confining and talking to student code. The trusted side lives here (``session``: one worker
per assignment, restarted on demand; ``remote``: proxies that make the student's module look local;
``process``, ``bubblewrap``, ``kinds``: how a worker is started and confined; ``zygote``: warm workers);
``inside/`` is the only code that runs as the student. This package knows nothing of tests, solutions or
results, and this file stays empty: the worker imports it inside the sandbox."""
