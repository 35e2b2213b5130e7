"""One submission through its own trusted runner process: what ``grade`` and a Dask worker run per student."""
import json
import tempfile
from pathlib import Path

from autograder.kit.assignments import test_files
from autograder.kit.secret import course_secret, hidden_seed as seed_of
from autograder.submissions.locate import write_definitions


def student_seed(root, student):
    """``student``'s seed of hidden inputs under the course secret of the kit at ``root``."""
    return seed_of(course_secret(root), student)

SUBMISSION_TIMEOUT = 900
SCRATCH_PREFIX = "autograder-grade-"


def run_submission(submission, root, sandbox_kind, log_path, runner=None, scratch_root=None, hidden_seed=None,
                   tests=None, notebooks_of=None):
    """Grade one submission in a child process; return its test records and a problem ("" if none).

    Its hidden inputs are drawn from ``hidden_seed``, by default the student's seed under the course
    secret of the kit at ``root`` (:mod:`autograder.kit.secret`).

    ``runner`` starts that process (:mod:`autograder.runner.forkserver`): forked from a warm server
    (:class:`~autograder.runner.forkserver.RunnerPool`, what ``grade`` uses) or started afresh (the
    default). Raises :class:`~autograder.runner.forkserver.Interrupted` when the grader is stopping.
    Its scratch folder goes in ``scratch_root`` (default: the system's temporary folder). ``tests`` are
    the test files to run (default: every assignment's). ``notebooks_of``, the assignments those tests are
    of, has the definitions of the notebooks handed in for them extracted here, into the run's scratch folder,
    for the run to read instead of extracting them again (:func:`~autograder.submissions.locate.write_definitions`):
    ``grade``, which reads them anyway, passes them.
    """
    from autograder.runner.forkserver import ColdRunner, runner_arguments

    if submission.problem:
        return [], submission.problem
    with tempfile.TemporaryDirectory(prefix=SCRATCH_PREFIX, dir=scratch_root) as scratch:
        raw = Path(scratch) / "records.json"
        if hidden_seed is None:
            hidden_seed = student_seed(root, submission.student)
        definitions = None
        if notebooks_of is not None:
            definitions = Path(scratch) / "definitions"  # the run makes its own scratch here: only that one is bound
            write_definitions(submission.path, notebooks_of, definitions)
        arguments = runner_arguments(submission.path, raw, root / "solutions", sandbox_kind, hidden_seed,
                                     test_files(root) if tests is None else tests, definitions)
        if (runner or ColdRunner()).run(arguments, log_path, scratch, SUBMISSION_TIMEOUT) == "timed out":
            return [], f"grading took longer than {SUBMISSION_TIMEOUT} s and was stopped"
        if not raw.is_file():
            return [], "the grader failed on this submission (see grader.log)"
        return json.loads(raw.read_text()), ""
