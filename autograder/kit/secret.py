"""The course secret, and the per-student seeds of the hidden tests' inputs drawn from it.

Hidden inputs are drawn per student: a student who learns the inputs of a hidden test (from a
classmate, or from last year's class) learns nothing about their own. A student's seed is an
HMAC of the student id under the course secret, so the same student regraded draws the same
inputs, different students draw different ones, and nobody without the secret can work them out.

The secret is the instructor's and never ships: it is read from the environment variable
``BACKPROP_KIT_SECRET`` or, without it, from ``course-secret.txt`` at the kit's root (beside
``solutions/``), which the first ``autograder grade`` creates (readable by its owner only; the
checkout's ``.gitignore`` keeps it out of the repository, and ``autograder release`` never copies it).
Keep it for the whole term: another secret draws other inputs, and regrades would differ.

The training steps a hidden test checks (:meth:`autograder.sandbox.remote.Remote._sgd`) are drawn the
same way, from the student's seed, the test and the digest of the graded module: the same submission
regraded is checked at the same steps (GRADER.md: the same scores), a changed one at fresh steps (what
feedback said of one version tells nothing of the next's), and without the secret nobody can foresee them.
"""
import hashlib
import hmac
import os
import random
import secrets
from pathlib import Path

SECRET_VARIABLE = "BACKPROP_KIT_SECRET"
SECRET_FILE = "course-secret.txt"


def course_secret(root):
    """The course secret of the kit at ``root``: the environment's, else the file's (created when missing)."""
    if os.environ.get(SECRET_VARIABLE):
        return os.environ[SECRET_VARIABLE]
    path = Path(root) / SECRET_FILE
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32) + "\n")
    secret = path.read_text().strip()
    if not secret:
        raise ValueError(f"{path} is empty: delete it (a new secret is made) or write the course's secret in it")
    return secret


def derived_secret(secret, purpose):
    """A secret for ``purpose`` made from the course secret, which it does not reveal (an HMAC of ``purpose``).

    What ships to another grading host (Gradescope's autograder zip) is one of these, never the course secret.
    """
    return hmac.new(secret.encode(), f"derived secret\0{purpose}".encode(), hashlib.sha256).hexdigest()


def hidden_seed(secret, student):
    """The seed of ``student``'s hidden inputs: hex digits, the same for the same student and secret."""
    return hmac.new(secret.encode(), student.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()


def inputs_rng(seed, test_id):
    """The generator of one test's inputs: a function of the student's seed and the test's id."""
    import numpy as np

    digest = hashlib.sha256(f"{seed}\0{test_id}".encode("utf-8", "surrogateescape")).digest()
    return np.random.default_rng(int.from_bytes(digest[:16], "big"))


def checked_steps_random(seed, test_id, module_digest):
    """The ``random.Random`` that draws the training steps a test checks, for one student's module version."""
    key = hmac.new(seed.encode(), f"checked steps\0{test_id}\0{module_digest}".encode("utf-8", "surrogateescape"),
                   hashlib.sha256).digest()
    return random.Random(int.from_bytes(key, "big"))
