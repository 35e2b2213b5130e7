"""The pytest plugin that runs public and hidden tests against one submission.

It provides the fixtures the tests use:

``student``    the submission's module for the test file's assignment, running in a worker
               (:class:`~autograder.sandbox.remote.RemoteModule`);
``reference``  the reference solution, imported here in the trusted process (hidden tests only); a
               recording copy, so that a failed check can replay the call behind its expected value
               on the assignment's known bugs and name the one the student made
               (:mod:`autograder.runner.known_bugs`), or else on the reference's one-change mutants
               (:mod:`autograder.runner.mutants`);
``trusted_helpers``  the helpers and methods a training test's retry may pin, answered by the reference
               (:class:`~autograder.testing.helper_bugs.TrustedHelpers`); None where no reference is
               (the student bundle), and then a failed training test is not retried;
``bars``       the assignment's thresholds;
``digits``     the standard digits split; ``digits_split(seed)`` gives others;
``rng``        a numpy Generator for a hidden test's inputs, seeded by the student's hidden seed
               (:mod:`autograder.kit.secret`) and the test's name: each student draws their own
               inputs, the same ones at every regrade (public tests define their own, fixed). The
               training steps a test checks are drawn from the same seed and the module's digest.
``diabetes``   the standard diabetes split; ``diabetes_split(seed)`` gives others.

and records one result per test with a message fit for the student's feedback. A test whose failed cases
name two different causes names neither, nor does it name a cause replayed on another of its failed cases that did
not give the student's value there, nor any where a search ran out of its budget (:mod:`autograder.runner.one_cause`).

Every verdict is the grader's: the records are written here, from the grader's own words.
Before the due date (``before_due``, the default) a hidden test's feedback never quotes the
student's code (its exception's message, what it printed, its traceback): it names the
exception's type and the line of the student's file (``StudentCodeFailed.quarantined``), so
that a submission cannot print the hidden inputs or the reference values it was given. Which type
and which line are the student's code's choice too (one of ~70 built-in types, one of as many lines as
the module holds: 4,096 lambdas, one picked by a hidden value, told 12 bits of it per failed case), so a
hidden test names them as the first public test that failed by a raise of the same function did (which
the student sees anyway), and names one other (the first a hidden test meets, in every case it recurs: an
honest bug that raises on a hidden input's shape keeps its type and line, as the issue asks); any further
raise, or any further end of the worker (a signal or an exit the code chose), is told as one no public test
showed, how and where kept for after the due date: a function's hidden cases tell one choice of the code's,
not one per case. A
submission whose code reached for the grader's internals (the worker's tamper evidence) is
flagged ``needs review`` in its status, and none of that assignment's tests count (whatever the
code did with what it reached, it gains nothing; the instructor reviews it).
"""
import hashlib
import random
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path

import pytest

from autograder.kit.assignments import read_assignment
from autograder.kit.config import load_thresholds
from autograder.kit.secret import checked_steps_random, inputs_rng
from autograder.sandbox.inside.loading import load_module
from autograder.sandbox.remote import CALL_OBSERVERS, ITEM_OBSERVERS, RemoteModule
from autograder.sandbox.session import StudentCodeFailed, WorkerSession
from autograder.submissions.locate import locate_module, submitted_file, undefined_message
from autograder.runner.known_bugs import (CallMatcher, KnownBug, KnownBugMatcher, KnownBugModules, Recorder,
                                          build_variant, load_known_bugs, recording_module)
from autograder.runner.mutants import MutantMatcher, Mutants, mutant_groups
from autograder.runner.one_cause import one_cause_per_test
from autograder.testing import figures
from autograder.testing.checks import CheckFailed, assert_sgd_step
from autograder.testing.diagnosis import Relation, attached
from autograder.testing.fingerprints import FINGERPRINTS_FILE, FingerprintMatcher, test_name
from autograder.testing.helper_bugs import TrustedHelpers


@dataclass
class TestRecord:
    assignment: str
    test: str
    case: str
    visibility: str
    passed: bool
    message: str = ""
    details: str = ""
    seconds: float = 0.0
    problem: str = ""
    diagnosis: str = ""
    figures: list = field(default_factory=list)  # what the test drew (autograder.testing.figures), for feedback
    # The sentences ``diagnosis`` joins, as made (a relation a Relation): what one_cause_per_test compares, in the
    # runner; the record that leaves it has ``diagnosis`` alone.
    diagnoses: tuple = ()

    def to_dict(self):
        # Shallow: the fields are plain data, the figures plain dicts (asdict would deep-copy each record).
        plain = {**vars(self), "figures": list(self.figures)}
        del plain["diagnoses"]
        return plain


def feedback_message(excinfo, quarantine=False):
    """What the student is told about a failure, never an expected value: (message, details, diagnoses).

    With ``quarantine``, no text of theirs, and no number their output decides. The diagnoses are the grader's own
    words (a check's sentences).
    """
    error = excinfo.value
    if isinstance(error, StudentCodeFailed):
        said = getattr(error, "diagnosis", "")  # a forbidden warning's, in the grader's words
        diagnoses = (said,) if said else ()
        return (error.quarantined, "", diagnoses) if quarantine else (str(error), error.details, diagnoses)
    if isinstance(error, CheckFailed):
        return error.quarantined if quarantine else str(error), "", error.diagnoses
    if isinstance(error, AssertionError):  # plain asserts (--assert=plain): only the author's message
        return str(error) or "a check failed", "", ()
    return f"the test could not run: {type(error).__name__}", "", ()


def needs_review(folder, evidence):
    """The status and the message of a submission whose code reached for the grader's internals."""
    return (f"needs review: {folder} reached for {evidence[0]}",
            f"needs review: the code reached for the grader's internals ({'; '.join(evidence)}); "
            "no test of this assignment counts until an instructor has looked at it")


class GradingPlugin:
    def __init__(self, submission_root, sandbox, scratch, solutions_root=None, before_due=True, hidden_seed=None):
        self.submission_root = Path(submission_root)
        self.before_due = before_due
        self.hidden_seed = hidden_seed or ""  # "" (one seed for all) where no student is known
        self.sandbox = sandbox
        self.scratch = Path(scratch)
        self.solutions_root = Path(solutions_root).resolve() if solutions_root else None
        self.sessions = {}
        self.definitions = None  # the folder where the run's caller wrote the notebooks' definitions, if it did
        self.module_digests = {}  # per assignment folder: the graded module's sha256, to draw its checked steps
        self.records = []
        # Per (assignment folder, function): the quarantined account of the first public test it failed by a raise,
        # the only one a hidden test repeats before the due date.
        self.public_accounts = {}
        # Per (assignment folder, function): the first other account a hidden test told (see _raise_told).
        self.hidden_accounts = {}
        self.calls = None  # the current test's CallMatcher: its student calls, replayed on the known bugs if it fails
        self.mutant_matcher = None  # the current test's MutantMatcher (hidden tests): whether its search was cut short
        # Per (assignment folder, test): the causes its failed cases refuted, and whether a search of it was cut short
        # (autograder.runner.one_cause)
        self.refuted, self.cut_short = defaultdict(set), set()
        self.item = None  # the test being set up or run (pytest_runtest_setup)
        self.student_calls = []  # without the reference (check): the test's StudentCalls, for its fingerprints
        self.fingerprints = None  # without the reference (check): the test's FingerprintMatcher, if its folder has any

    @staticmethod
    def assignment_of(node):
        assignment = _assignment_of_file(node.path)
        if assignment is None:
            raise pytest.UsageError(f"test file {node.path} is not in an assignment folder (one with a "
                                    "grading.toml or thresholds.toml naming its [assignment])")
        return assignment

    def visibility_of(self, path):
        return _visibility(Path(path), self.solutions_root)

    def session_for(self, assignment):
        if assignment.folder not in self.sessions:
            # One assignment's worker at a time: the tests run assignment by assignment, and a worker
            # that is gone leaves nothing in the sandbox's /tmp or /dev/shm (the zygote wipes them) for
            # the next assignment's worker, whose public tests would show it (hidden inputs, say).
            for session in self.sessions.values():
                session.close()
            module_path, problem = locate_module(self.submission_root, assignment, self.scratch, self.definitions)
            if module_path is not None and Path(module_path).is_file():
                self.module_digests[assignment.folder] = hashlib.sha256(Path(module_path).read_bytes()).hexdigest()
            # A sandbox may bring its own kind of session (the benchmark's in-process one does).
            make_session = getattr(self.sandbox, "session", WorkerSession)
            submitted = submitted_file(self.submission_root, assignment)
            notebook = submitted if module_path is not None and submitted.suffix == ".ipynb" else None
            self.sessions[assignment.folder] = make_session(self.sandbox, module_path, assignment.module, problem,
                                                            notebook=notebook)
        return self.sessions[assignment.folder]

    def undefined_message(self, assignment, name):
        """What the student is told when the graded module or notebook of ``assignment`` defines no ``name``."""
        return undefined_message(submitted_file(self.submission_root, assignment), name)

    # The function-scoped fixtures read the test from ``self.item`` (set before its fixtures are), not
    # from pytest's ``request``: pytest builds a fixture definition, signature included, each time a
    # fixture asks for ``request`` (eight times a test; about a tenth of a 02 notebook's run).
    @pytest.fixture
    def student(self):
        assignment = self.assignment_of(self.item)
        session = self.session_for(assignment)
        session.steps_drawn = self.steps_drawn_for(assignment.folder, self.item.name)
        module = RemoteModule(session, assignment.module, judge_step=assert_sgd_step,
                              undefined=partial(self.undefined_message, assignment))
        yield module
        try:
            module._unpin()
        except StudentCodeFailed:
            module._session.close()  # a worker that cannot undo its pins is replaced

    @pytest.fixture
    def reference(self):
        if self.solutions_root is None:
            pytest.fail("this test needs the reference solutions (it runs at grading)")
        assignment = self.assignment_of(self.item)
        module, recorder, variants = _recording_reference(self.solutions_root, assignment)
        recorder.clear()
        student_calls = lambda: self.calls.calls if self.calls else []  # noqa: E731
        read = partial(self.read_attributes, assignment)
        refuted = self.refuted[assignment.folder, getattr(self.item, "originalname", self.item.name)]
        self.mutant_matcher = MutantMatcher(recorder, _mutants(self.solutions_root, assignment), student_calls, read,
                                            refuted)
        with attached(KnownBugMatcher(recorder, variants, student_calls, read, refuted)), attached(self.mutant_matcher):
            yield module
        recorder.clear()

    def read_attributes(self, assignment, handle, names):
        """The attributes ``names`` of the student's object ``handle`` as the worker holds them now, or None when one
        cannot be read: what a diagnosis compares besides the value a check compared (see ``KnownBugMatcher``).

        Asked only once a check failed and a bug fits its value. A read that fails or times out here leaves the
        tests' own reads of that name as they were (a timed-out name is otherwise never asked for again).
        """
        session = self.sessions.get(assignment.folder)
        if session is None or getattr(session, "process", True) is None:
            return None  # no worker, or one gone: its objects with it
        timed_out = getattr(session, "timed_out", set())
        values = {}
        for name in names:
            known = ("getattr", name) in timed_out
            try:
                values[name], _ = session.request({"op": "getattr", "name": name, "target": handle},
                                                  what=f"reading {handle.type}.{name}")
            except StudentCodeFailed:
                if not known:
                    timed_out.discard(("getattr", name))
                return None
        return values

    @pytest.fixture
    def trusted_helpers(self):
        if self.solutions_root is None:
            return None
        return _trusted_helpers(self.solutions_root, self.assignment_of(self.item))

    @pytest.fixture
    def bars(self):
        return dict(_thresholds(self.item.path.parent))  # a copy: a test may change its own

    @pytest.fixture
    def rng(self):
        return self.rng_for(self.assignment_of(self.item).folder, self.item.name)

    def steps_drawn_for(self, folder, test_name):
        """What draws the training steps the test ``test_name`` of ``folder`` checks: keyed by this student's seed
        and the graded module's digest, or None without a student's seed (a student's own check: the steps are
        then drawn unforeseeably, :mod:`autograder.sandbox.remote`)."""
        if not self.hidden_seed:
            return None
        return _DrawnWhenAsked(partial(checked_steps_random, self.hidden_seed, f"{folder}::{test_name}",
                                       self.module_digests.get(folder, "")))

    def rng_for(self, folder, test_name):
        """The generator of the inputs of the test ``test_name`` (with its case) of ``folder``, for this student."""
        return inputs_rng(self.hidden_seed, f"{folder}::{test_name}")

    @pytest.fixture(scope="session")
    def digits(self):
        return _digits_split()

    @pytest.fixture(scope="session")
    def digits_split(self):
        return _digits_split

    @pytest.fixture(scope="session")
    def diabetes(self):
        return _diabetes_split()

    @pytest.fixture(scope="session")
    def diabetes_split(self):
        return _diabetes_split

    @pytest.hookimpl(wrapper=True)
    def pytest_pyfunc_call(self, pyfuncitem):
        # Requests sent without waiting (setting attributes, pins: remote.py) answer before the test
        # ends, so that an error among them fails this test, not the next one.
        try:
            with attached(self.fingerprints) if self.fingerprints is not None else nullcontext():
                result = yield
        except BaseException:
            self._flush(quiet=True)
            raise
        self._flush()
        return result

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item):
        self.item = item
        figures.take()  # what an earlier test left attached is not this one's
        CALL_OBSERVERS.clear()
        ITEM_OBSERVERS.clear()
        self.calls, self.mutant_matcher = None, None
        reference, variants = _replayable(self.solutions_root, self.assignment_of(item)) if self.solutions_root else (
            None, ())
        if variants:  # before the fixtures: the objects they make are rebuilt from the calls that made them
            mutants = _mutants(self.solutions_root, self.assignment_of(item))
            assignment = self.assignment_of(item)
            self.calls = CallMatcher(reference, variants, {}, mutants=partial(mutant_groups, mutants),
                                     read_attributes=partial(self.read_attributes, assignment),
                                     subject=subject_of(getattr(item, "originalname", item.name)))
            CALL_OBSERVERS.append(self.calls.observe)
            ITEM_OBSERVERS.append(self.calls.observe_item)
        self.fingerprints, self.student_calls = None, []
        if self.solutions_root is None:  # check: a failed comparison may have a wrong answer's fingerprint
            CALL_OBSERVERS.append(self.student_calls.append)
            fingerprints = item.path.parent / FINGERPRINTS_FILE
            if fingerprints.is_file():
                self.fingerprints = FingerprintMatcher(fingerprints, test_name(item), self.student_calls)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_teardown(self, item):
        self._flush(quiet=True)  # what a failed setup left unanswered

    def _flush(self, quiet=False):
        for session in self.sessions.values():
            if getattr(session, "pending", None):
                session.flush(quiet=quiet)

    def pytest_collection_modifyitems(self, items):
        # pytest would format every failure's traceback with source (about 40 ms each); the
        # records carry their own messages, so a one-line account is all a report needs.
        for item in items:
            item.repr_failure = item._repr_failure_py = _one_line_failure

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if report.when == "call" or (report.when == "setup" and not report.passed):
            visibility = self.visibility_of(item.path)
            quarantine = visibility == "hidden" and self.before_due
            message, details, diagnoses = feedback_message(call.excinfo, quarantine) if call.excinfo else ("", "", ())
            name = getattr(item, "originalname", item.name)
            case = item.callspec.id if hasattr(item, "callspec") else ""
            folder = self.assignment_of(item).folder
            if call.excinfo and (raised_in := getattr(call.excinfo.value, "raised_in", None)):
                message = self._raise_told(folder, raised_in, call.excinfo.value.quarantined, visibility, quarantine,
                                           message)
            problem = ""
            # A relation says how a value is off, not why: the call the test is named for, made again, may say why
            related = bool(diagnoses) and all(isinstance(said, Relation) for said in diagnoses)
            # A mutant search the budget cut short leaves the cause unknown: no other call is asked to name it
            cut_short = self.mutant_matcher is not None and self.mutant_matcher.cut_short
            if not report.passed and report.when == "call" and (related or not diagnoses) and self.calls is not None \
                    and not cut_short:
                found = self._call_diagnoses(folder, related)
                cut_short = self.calls.cut_short
                if found:
                    joined = "; ".join(found)
                    message = f"{message}; {joined}" if related else f"{message}. Diagnosis: {joined}"
                    diagnoses = (*diagnoses, *found)
            elif not report.passed and report.when == "call" and not diagnoses and self.fingerprints is not None \
                    and isinstance(call.excinfo.value, StudentCodeFailed):  # check: a raise may have a fingerprint
                if found := self.fingerprints.raised(call.excinfo.value):
                    message, diagnoses = f"{message}. Diagnosis: {found[0]}", tuple(found)
            if cut_short:
                self.cut_short.add((folder, name))
            if call.excinfo and getattr(call.excinfo.value, "problem", False):
                problem = f"{folder}: {call.excinfo.value.quarantined}"  # a status is the grader's words only
            self.records.append(TestRecord(
                folder, name, case, visibility, report.passed, message, details, round(report.duration, 3), problem,
                "; ".join(diagnoses), figures.take() if report.when == "call" else [], tuple(diagnoses),
            ))

    def _raise_told(self, folder, function, account, visibility, quarantine, message):
        """``message`` of a failure by a raise (or the worker's end) in ``function``; in a quarantined hidden test, the
        grader's ``account`` (type and line, how it ended) only if a public test showed it first
        (:attr:`public_accounts`) or it is the first other one a hidden test met (:attr:`hidden_accounts`),
        else that it is not told."""
        if visibility == "public":
            self.public_accounts.setdefault((folder, function), account)
        if not quarantine or self.public_accounts.get((folder, function)) == account:
            return message
        # One raise the public tests did not show is told, in every hidden case it recurs (an honest bug meets a
        # hidden input's shape, say): an input that picks among lines tells its one choice, not one per case.
        if self.hidden_accounts.setdefault((folder, function), account) == account:
            return message
        return (f"{function} failed in a way its public tests did not show (an exception, or the worker's end): "
                "how and where are shown after the due date")

    def _call_diagnoses(self, folder, subject_only=False):
        """The known bug (or mutant) that did what the student's code did on its last call in this test, or on its
        call of what the test is named for, if exactly one (``subject_only``: on that call alone, when it is not the
        last)."""
        session = self.sessions.get(folder)
        self.calls.attributes = getattr(session, "attributes", {})
        self.calls.generator_seeds = getattr(session, "generator_seeds", {})  # a Generator the test made is rebuilt
        return self.calls.diagnoses(subject_only)

    def pytest_sessionfinish(self):
        for session in self.sessions.values():
            session.close()
        # a cause another case refutes, or two causes named by one test's cases: not the student's
        one_cause_per_test(self.records, self.refuted, self.cut_short)
        for folder, session in self.sessions.items():
            if getattr(session, "evidence", None):
                self._void(folder, session.evidence)

    def _void(self, folder, evidence):
        """No test of ``folder`` counts: its code reached for the grader's internals, and a person decides."""
        status, message = needs_review(folder, evidence)
        for record in self.records:
            if record.assignment == folder:
                record.passed, record.message, record.details, record.problem = False, message, "", status
                record.diagnosis, record.diagnoses, record.figures = "", (), []  # its failures name no mistake now


def subject_of(test_name):
    """What a test is named for: its name without ``test_`` and ``hidden_`` (``fit_follows_the_contract``)."""
    name = test_name.removeprefix("test_")
    return name.removeprefix("hidden_")


class _DrawnWhenAsked:
    """The ``random.Random`` of a test's checked training steps, made when the test first draws from it: most tests
    never train, and its HMAC and seeding for every test were ~1% of a 02 notebook's runner."""

    def __init__(self, make):
        self._make, self._random = make, None

    def sample(self, population, k):
        if self._random is None:
            self._random = self._make()
        return self._random.sample(population, k)

    def apart(self):
        """A ``random.Random`` of its own, seeded from the same key: drawing from it leaves :meth:`sample`'s draws as
        they were (the order a fresh worker is asked a run's gradients in: autograder.sandbox.fresh)."""
        return random.Random(self._make().random())


def _one_line_failure(excinfo, style=None):
    return f"{excinfo.typename}: {excinfo.value}"


@lru_cache(maxsize=None)
def _thresholds(folder):
    return load_thresholds(folder)


@lru_cache(maxsize=None)
def _visibility(path, solutions_root):
    """Whether the test file ``path`` is hidden (under the solutions) or public, resolved once per file."""
    hidden = solutions_root is not None and path.resolve().is_relative_to(solutions_root)
    return "hidden" if hidden else "public"


@lru_cache(maxsize=None)
def _digits_split(seed=None):
    """A split of the digits (the standard one by default), computed once per process."""
    from backprop_datasets import load_digits_split

    return load_digits_split() if seed is None else load_digits_split(seed)


@lru_cache(maxsize=None)
def _diabetes_split(seed=None):
    """A split of the diabetes data (the standard one by default), computed once per process."""
    from backprop_datasets import load_diabetes_split

    return load_diabetes_split() if seed is None else load_diabetes_split(seed)


# The session fixtures that hand a test a data set's standard split, and what makes it: a fork server makes those
# its collected tests ask for (forkserver.warm_items), once for every child.
STANDARD_SPLITS = {"digits": _digits_split, "diabetes": _diabetes_split}


@lru_cache(maxsize=None)
def _assignment_of_file(path):
    """The assignment a test file belongs to, read once per file (each test asks for it several times)."""
    return read_assignment(str(Path(path).parent))


@lru_cache(maxsize=None)
def _reference(solutions_root, assignment):
    """The reference, imported once per process and never recorded (it answers the retries' pins)."""
    return load_module(solutions_root / assignment.module_file, f"reference_{assignment.module}")


@lru_cache(maxsize=None)
def _trusted_helpers(solutions_root, assignment):
    return TrustedHelpers(_reference(solutions_root, assignment), assignment.folder)


@lru_cache(maxsize=None)
def _recording_reference(solutions_root, assignment):
    """A recording copy of the reference, its :class:`Recorder`, and the known bugs (:class:`KnownBugModules`).

    Built once per process (the fork server builds them before forking runners). Without known bugs
    nothing is recorded: no call would ever be replayed.
    """
    source_path = solutions_root / assignment.module_file
    recorder = Recorder()
    variants = _replayable(solutions_root, assignment)[1]
    module = load_module(source_path, f"recorded_{assignment.module}")
    return (recording_module(module, recorder) if variants else module), recorder, variants


@lru_cache(maxsize=None)
def _mutants(solutions_root, assignment):
    """The reference's one-change mutants (:class:`~autograder.runner.mutants.Mutants`, each built when first needed),
    or None where the assignment has no known bugs: diagnosis by replay is off there, and nothing is recorded."""
    reference, variants = _replayable(solutions_root, assignment)
    return Mutants(variants.source, reference) if variants else None


@lru_cache(maxsize=None)
def _replayable(solutions_root, assignment):
    """The reference and its known bugs (:class:`KnownBugModules`), each module built from the reference's text."""
    source = (solutions_root / assignment.module_file).read_text()
    reference = build_variant(source, KnownBug("reference", "", ()), f"replayed_{assignment.module}")
    return reference, KnownBugModules(source, load_known_bugs(solutions_root / assignment.folder))
