"""The life of a forked child: run one function, then leave with ``os._exit``, never returning to the parent's code."""
import os
import sys


def live_and_exit(life):
    """Run ``life()`` as the whole life of a forked child; its result (or ``sys.exit`` code) is the exit status.

    A forked child must never fall back into the code that forked it (the parent's loop, a
    ``finally`` of the parent's, pytest), so it leaves with ``os._exit``; an exception is printed
    to its stderr first, where the grader collects what the child says.
    """
    code = 1
    try:
        code = life()
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else 1
    except BaseException:  # noqa: BLE001 - its traceback is the child's last words
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code if isinstance(code, int) else 1)
