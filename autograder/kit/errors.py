"""The one error a malformed kit or course file raises: a single line naming the file, the line and the fix."""


class KitError(ValueError):
    """A kit, course or term file that cannot be used as it is; nothing is graded on a guess.

    The message is one line: ``path:line: what is wrong; what to do``. ``autograder`` prints it and
    exits with status 2 (it is a ``ValueError``).
    """
