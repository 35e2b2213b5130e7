"""One message per cause: tests that failed the same way are told once, with how many they are.

A syntax error fails every test of its assignment with the same message and traceback; a stub
fails every test of its function with "softmax is not written yet". Told 23 times, the message
hides the other failures; told once ("the same error in 23 tests: ..."), it is read. Both the
feedback page and ``autograder check`` group failures with :func:`by_cause`.
"""


def cause_of(record):
    """What a failed test record (a dict) failed of: the assignment's own problem (missing, not importable:
    the same for every test, however each test words it, hidden ones quarantining student text), or its
    message and details."""
    return ("problem", record["assignment"]) if record.get("problem") else (record["message"], record["details"])


def by_cause(failures, cause):
    """``failures`` grouped by ``cause(failure)`` (a hashable, e.g. the message and details), in first-seen order.

    Returns a list of lists, each non-empty; a failure of its own cause is a list of one.
    """
    groups = {}
    for failure in failures:
        groups.setdefault(cause(failure), []).append(failure)
    return list(groups.values())


def same_error(count):
    """The words that introduce a message shared by ``count`` tests."""
    return f"the same error in {count} tests"
