"""Diagnoses name the mistake only when it holds: relations between values, known bugs replayed, tests' own mistakes."""
import textwrap

import numpy as np
import pytest

from autograder.runner.known_bugs import KnownBug, KnownBugMatcher, Recorder, build_variant, recording_module
from autograder.testing import CheckFailed, assert_close, assert_equal, assert_gradient
from autograder.testing.diagnosis import attached
from autograder.testing.relations import find_relation

RNG = np.random.default_rng(14)
A = RNG.normal(size=(3, 4))
SQUARE = RNG.normal(size=(4, 4))


def softmax(X, axis=-1):
    exp = np.exp(X - X.max(axis=axis, keepdims=True))
    return exp / exp.sum(axis=axis, keepdims=True)


PROBABILITIES = softmax(SQUARE)
EXP = np.exp(SQUARE)


@pytest.mark.parametrize("got, expected, words", [
    (-A, A, "times -1"),
    (2 * A, A, "twice"),
    (A / 2, A, "half"),
    (7 * A, A, "times 7, a whole number"),
    (A / 6, A, "divided by 6, a whole number"),
    (np.float64(-0.25), np.float64(0.25), "times -1"),
    (np.zeros_like(A), A, "is zero"),
    (A.T, A, "transpose"),
    (SQUARE.T, SQUARE, "transpose"),
    (np.roll(np.eye(4)[[2, 0, 3]], -1, axis=-1), np.eye(4)[[2, 0, 3]], "shifted by one class (one class too low)"),
    (softmax(SQUARE, axis=0), PROBABILITIES, "over the first axis"),
    (EXP / EXP.sum(), PROBABILITIES, "whole array"),
    (EXP / EXP.sum(axis=-1), PROBABILITIES, "keepdims=True is missing"),
    (A / np.log(10), A, "base 10"),
    (1 - PROBABILITIES, PROBABILITIES, "one minus the expected value"),
    (3.3 * A, A, "one constant factor"),
    (A + 0.1, A, "plus one constant"),
    (PROBABILITIES / PROBABILITIES.max(axis=1, keepdims=True), PROBABILITIES, "not divided by the sum"),
    (PROBABILITIES[0] * 3.3, PROBABILITIES[0], "not divided by the sum"),
    (np.append(A[0], 0.0), A[0], "one entry too many (the last one)"),
    (A * np.arange(1.0, 4.0)[:, None], A, "each row times a factor of its own: what varies along a row"),
    (A * np.arange(1.0, 5.0), A, "each column times a factor of its own"),
    (A * np.where(np.arange(4) == 2, -1, 1), A, "wrong sign in some columns"),
    (A * np.where(np.eye(3, 4) == 1, -1, 1), A, "wrong sign in some entries"),
    (A[None], A, "extra axis of length 1"),
    (A.ravel()[:, None], A.ravel(), "extra axis of length 1"),
    (A[0], A[:1], "lost an axis of length 1"),
    (np.hstack([A, np.zeros((3, 1))]), A, "one column too many (the last one)"),
    (A[:, 1:], A, "lacks one column (the first one)"),
    (A[:2], A, "lacks one row (the last one)"),
])
def test_each_relation_is_named_when_it_holds(got, expected, words):
    assert words in find_relation(got, expected)


@pytest.mark.parametrize("got, expected", [
    (A, A),                                  # right: nothing to explain
    (A + 1e-12, A),                          # right within tolerance
    (A + RNG.normal(scale=0.1, size=A.shape), A),  # off, but by no relation
    (RNG.normal(size=(3, 4)), A),            # unrelated
    (np.float64(3.3), np.float64(1.0)),      # one number is always a factor of another: no relation to it
    (A[0, :2] * 3.3, A[0, :2]),              # nor is a pair of numbers: too few for a free constant to mean much
    (A[:2, :2], A),                          # two axes cut: no single entry too few
    (np.hstack([A, A[:, :1]]), A.T),         # another shape altogether
    (A.T + 0.01, A),                         # nearly a transpose is no transpose
    (np.full((4, 4), 0.25), PROBABILITIES),  # uniform rows: not another normalisation of the same scores
    (np.array([np.nan, 1.0]), np.array([1.0, 1.0])),
    (np.zeros(3), np.zeros(3)),
])
def test_no_relation_is_named_unless_it_holds(got, expected):
    assert find_relation(got, expected) is None


def test_a_wrong_value_gets_its_diagnosis_and_no_fixed_hint():
    with pytest.raises(CheckFailed) as failure:
        assert_close(-A, A, "nll", hint="average over rows and add EPSILON inside the log")
    message = str(failure.value)
    assert "Diagnosis: the value is the expected value times -1: check the sign" in message
    assert "EPSILON" not in message and failure.value.diagnosis.startswith("the value is the expected value times -1")
    for value in A.ravel():  # never an expected value
        assert f"{value:.3g}" not in message
    with pytest.raises(CheckFailed) as failure:
        assert_close(A + RNG.normal(scale=0.1, size=A.shape), A, "nll",
                     hint="average over rows and add EPSILON inside the log")
    assert "Hint" not in str(failure.value) and "Diagnosis" not in str(failure.value) and not failure.value.diagnosis


def test_a_wrong_shape_keeps_its_hint_unless_a_relation_explains_it():
    with pytest.raises(CheckFailed, match="transpose") as failure:
        assert_close(A.T, A, "dW", hint="shape (input, output)")
    assert "Hint" not in str(failure.value)
    with pytest.raises(CheckFailed, match="should have shape .* Hint: shape"):
        assert_close(A[:2, :3], A, "dW", hint="shape (input, output)")


def test_a_tests_own_mistake_is_named_only_when_the_value_is_that_mistake():
    z = np.array([-1.0, 0.5, 2.0])
    slope = np.exp(-z) / (1 + np.exp(-z)) ** 2
    mistakes = [("taken at the activation", z * (1 - z))]
    with pytest.raises(CheckFailed, match="Diagnosis: taken at the activation"):
        assert_close(z * (1 - z), slope, "dsigmoid", mistakes=mistakes)
    with pytest.raises(CheckFailed) as failure:
        assert_close(z * (1 - z) + 0.5, slope, "dsigmoid", mistakes=mistakes)
    assert "activation" not in str(failure.value)
    assert_close(slope, slope, "dsigmoid", mistakes=[("a mistake equal to the answer", slope)])


@pytest.mark.parametrize("analytic, words", [
    (lambda W: np.zeros_like(W), "is zero"),
    (lambda W: -2 * W, "times -1"),
    (lambda W: 2 * W.T, "transpose"),
    (lambda W: 4 * W, "twice"),
])
def test_a_failed_gradient_check_names_the_relation(analytic, words):
    W = np.array([[1.0, -2.0, 0.5], [0.3, 0.7, -1.1]])
    with pytest.raises(CheckFailed) as failure:
        assert_gradient(analytic(W), lambda: float(np.sum(W ** 2)), W, "dW_o", 1e-6)
    assert words in failure.value.diagnosis


REFERENCE = textwrap.dedent('''
    import numpy as np

    EPSILON = 1e-8


    def nll(Y, P):
        return float(-np.mean(np.sum(Y * np.log(EPSILON + P), axis=1)))


    class Net:
        def __init__(self):
            self.b = np.zeros(3)

        def forward(self, X):
            return X @ np.ones((2, 3)) + self.b

        def grads(self, X):
            return {"W": X.T @ self.forward(X), "b": self.forward(X).sum(axis=0)}

        def train(self, X):
            self.b = self.b - 0.1 * self.grads(X)["b"]


    def layers(X):
        return [X.sum(axis=0)], [X.mean(axis=0)]
''')
BUGS = [KnownBug("sum", "nll sums over the rows instead of averaging",
                 (("-np.mean(np.sum(", "-np.sum(np.sum("),)),
        KnownBug("bias", "forward forgets the bias", (("np.ones((2, 3)) + self.b", "np.ones((2, 3))"),)),
        KnownBug("ascent", "train climbs", (("self.b - 0.1", "self.b + 0.1"),)),
        KnownBug("summed", "the second layer sums", (("[X.mean(axis=0)]", "[X.sum(axis=0)]"),)),
        KnownBug("stale", "a bug whose text the reference no longer has", (("no such text", "x"),))]


@pytest.fixture
def reference(tmp_path):
    import types

    module = types.ModuleType("fake_reference")
    exec(compile(REFERENCE, "fake_reference", "exec"), module.__dict__)
    recorder = Recorder()
    variants = [(bug, variant) for bug in BUGS if (variant := build_variant(REFERENCE, bug, f"v_{bug.name}"))]
    assert [bug.name for bug, _ in variants] == ["sum", "bias", "ascent", "summed"]  # one that no longer applies: out
    with attached(KnownBugMatcher(recorder, variants)):
        yield recording_module(module, recorder)


def test_a_known_bug_is_named_when_the_student_output_is_its_output_on_the_same_inputs(reference):
    Y, P = np.eye(3)[[0, 2, 1, 1]], softmax(RNG.normal(size=(4, 3)))
    with pytest.raises(CheckFailed, match="Diagnosis: nll sums over the rows instead of averaging"):
        assert_close(4 * reference.nll(Y, P), reference.nll(Y, P), "nll")
    with pytest.raises(CheckFailed) as failure:
        assert_close(reference.nll(Y, P) + 1, reference.nll(Y, P), "nll")
    assert "Diagnosis" not in str(failure.value)


def test_two_changes_that_fit_alike_and_say_the_same_are_named_once(tmp_path):
    """Two bugs (or mutants) with one sentence that both fit are one cause: the feedback says it once, not "X; X"."""
    import types

    module = types.ModuleType("fake_reference")
    exec(compile(REFERENCE, "fake_reference", "exec"), module.__dict__)
    recorder = Recorder()
    twins = [KnownBug("sum", "nll sums over the rows instead of averaging", (("-np.mean(np.sum(", "-np.sum(np.sum("),)),
             KnownBug("sum_again", "nll sums over the rows instead of averaging",
                      (("-np.mean(np.sum(", "-4 * np.mean(np.sum("),))]
    variants = [(bug, build_variant(REFERENCE, bug, f"v_{bug.name}")) for bug in twins]
    # its own generator: the module's draws decide the later tests' inputs
    Y, P = np.eye(3)[[0, 2, 1, 1]], softmax(np.random.default_rng(2).normal(size=(4, 3)))
    with attached(KnownBugMatcher(recorder, variants)):
        recorded = recording_module(module, recorder)
        with pytest.raises(CheckFailed) as failure:
            assert_close(4 * recorded.nll(Y, P), recorded.nll(Y, P), "nll")
    assert failure.value.diagnoses == ("nll sums over the rows instead of averaging",), str(failure.value)
    assert str(failure.value).count("sums over the rows") == 1


def test_a_known_bug_is_replayed_on_the_objects_state_at_the_time_of_the_call(reference):
    net = reference.Net()
    net.b = np.array([1.0, 2.0, 3.0])
    X = RNG.normal(size=(5, 2))
    expected = net.grads(X)
    net.b[:] = 0.0  # changed in place after the call: the replay must use the state at the call
    without_bias = X.T @ (X @ np.ones((2, 3)))
    with pytest.raises(CheckFailed, match="Diagnosis: forward forgets the bias"):
        assert_close(without_bias, expected["W"], "grads['W']")
    with pytest.raises(CheckFailed) as failure:
        assert_close(without_bias + 1, expected["W"], "grads['W']")
    assert "bias" not in str(failure.value)


def test_discrete_values_get_known_bugs_or_mistakes_but_never_a_relation():
    with pytest.raises(CheckFailed) as failure:
        assert_equal(0, 1, "stepFunction gives the wrong label")
    assert str(failure.value) == "stepFunction gives the wrong label"
    with pytest.raises(CheckFailed, match="Diagnosis: > instead of >="):
        assert_equal(0, 1, "stepFunction gives the wrong label", mistakes=[("> instead of >=", 0)])
    assert_equal(np.int64(1), 1, "the same label")


def test_a_submission_flagged_for_review_keeps_no_diagnosis(tmp_path):
    from autograder.runner.plugin import GradingPlugin, TestRecord

    plugin = GradingPlugin(tmp_path, None, tmp_path)
    plugin.records.append(TestRecord("02_softmax", "test_nll", "", "hidden", False, "nll is off. Diagnosis: x",
                                     diagnosis="x", figures=[{"kind": "curve"}]))
    plugin._void("02_softmax", ["the grader's module autograder.testing (import)"])
    [record] = plugin.records
    assert record.message.startswith("needs review") and record.diagnosis == "" and record.figures == []


def test_a_known_bug_is_found_deep_in_a_result_and_in_an_attribute_a_method_set(reference):
    X = RNG.normal(size=(4, 2))
    _, means = reference.layers(X)
    with pytest.raises(CheckFailed, match="Diagnosis: the second layer sums"):
        assert_close(X.sum(axis=0), means[0], "means[0]")
    net = reference.Net()
    before = net.b.copy()
    net.train(X)
    net.forward(X)  # a later call that sets nothing does not hide the one that did
    climbed = before + 0.1 * (X @ np.ones((2, 3)) + before).sum(axis=0)
    with pytest.raises(CheckFailed, match="Diagnosis: train climbs"):
        assert_close(climbed, net.b, "self.b after train")
    with pytest.raises(CheckFailed) as failure:
        assert_close(before, net.b, "self.b after train")
    assert "climbs" not in str(failure.value)  # unchanged weights are no bug's (only "is zero", which holds)


def test_two_known_bugs_that_give_the_same_output_are_neither_named():
    import types

    module = types.ModuleType("fake_reference_twice")
    exec(compile(REFERENCE, "fake_reference_twice", "exec"), module.__dict__)
    twin = KnownBug("twin", "nll adds the rows up", BUGS[0].replacements)
    recorder = Recorder()
    variants = [(bug, build_variant(REFERENCE, bug, f"twice_{bug.name}")) for bug in (BUGS[0], twin)]
    with attached(KnownBugMatcher(recorder, variants)):
        reference = recording_module(module, recorder)
        Y, P = np.eye(3)[[0, 2, 1, 1]], softmax(RNG.normal(size=(4, 3)))
        with pytest.raises(CheckFailed) as failure:
            assert_close(4 * reference.nll(Y, P), reference.nll(Y, P), "nll")
    assert "sums over the rows" not in str(failure.value) and "adds the rows up" not in str(failure.value)


STEPPED = textwrap.dedent('''
    def step(w, g, lr):
        return w - lr * g
''')


@pytest.mark.parametrize("factor", [0.0, 0.01])
def test_a_mistake_is_named_only_when_it_explains_the_deviation_not_merely_the_value_within_tolerance(factor):
    """At learning rate 1e-5 a step is smaller than the tolerance (1e-6 of the weights) in some entries: a student
    whose step is 0.01 of the right one agrees within it with "no step at all", yet did step. Only the student who
    did not step (factor 0) is told so: heldout9_update_weights_squared_error_slope (its step 0.008 of the right one at
    learning rate 1e-3) was told "uses `weights` where `x` belongs", a change that barely steps."""
    import types

    module = types.ModuleType("fake_stepped")
    exec(compile(STEPPED, "fake_stepped", "exec"), module.__dict__)
    still = KnownBug("still", "step forgets to step", (("return w - lr * g", "return w"),))
    recorder = Recorder()
    w, g = np.array([1.0, -2.0, 0.5]), np.array([0.8, 0.3, -0.6])
    got = w - 1e-5 * factor * g
    named = factor == 0.0
    with attached(KnownBugMatcher(recorder, [(still, build_variant(STEPPED, still, "stepped_still"))])):
        reference = recording_module(module, recorder)
        with pytest.raises(CheckFailed) as failure:
            assert_close(got, reference.step(w, g, 1e-5), "the new weights")
    assert ("step forgets to step" in str(failure.value)) is named
    with pytest.raises(CheckFailed) as failure:  # a test's own mistake, the same way
        assert_close(got, w - 1e-5 * g, "the new weights", mistakes=[("the weights did not move", w)])
    assert ("did not move" in str(failure.value)) is named


LOGGED = textwrap.dedent('''
    import numpy as np


    def error(y, p):
        return -y * np.log(p) - (1 - y) * np.log(1 - p)
''')


def test_a_known_bug_refuted_by_another_case_of_the_test_is_named_in_none():
    """heldout10_error_formula_first_log_of_the_complement (-y log(1 - p) - (1 - y) log(1 - p)) was told "the two logs
    swapped" from a one-point case of label 1, where the two changes agree; its cases of several labels, where they do
    not, did not give the swapped logs' value: a bug the student made gives their value on every case, so that one is
    not it (autograder.runner.one_cause). Main gathered no refutation and kept the diagnosis."""
    import types

    from autograder.runner.one_cause import one_cause_per_test
    from autograder.runner.plugin import TestRecord

    module = types.ModuleType("fake_logged")
    exec(compile(LOGGED, "fake_logged", "exec"), module.__dict__)
    swapped = KnownBug("swapped", "the log-loss with the two logs swapped",
                       (("-y * np.log(p) - (1 - y) * np.log(1 - p)", "-y * np.log(1 - p) - (1 - y) * np.log(p)"),))
    recorder, refuted, records = Recorder(), set(), []
    with attached(KnownBugMatcher(recorder, [(swapped, build_variant(LOGGED, swapped, "logged_swapped"))],
                                  refuted=refuted)):
        reference = recording_module(module, recorder)
        for case, y, p in [("scalar", 1, 0.3), ("vector", np.array([1, 0, 1, 0]), np.array([0.3, 0.6, 0.8, 0.1]))]:
            with pytest.raises(CheckFailed) as failure:
                assert_close(-y * np.log(1 - p) - (1 - y) * np.log(1 - p), reference.error(y, p), f"error ({case})")
            said = tuple(str(failure.value).partition(". Diagnosis: ")[2].split("; ")) if "Diagnosis" in str(
                failure.value) else ()
            records.append(TestRecord("03", "test_error", case, "hidden", False, str(failure.value),
                                      diagnosis="; ".join(said), diagnoses=said))
    assert records[0].diagnoses == ("the log-loss with the two logs swapped",)  # the one case alone names it
    assert refuted == {"the log-loss with the two logs swapped"}
    one_cause_per_test(records, {("03", "test_error"): refuted})
    assert [record.diagnosis for record in records] == ["", ""] and "Diagnosis" not in records[0].message


@pytest.mark.parametrize("first_part_right", [True, False])
def test_a_part_of_a_result_names_a_known_bug_only_when_the_students_whole_result_is_that_bugs(first_part_right):
    """One number compared alone may be a bug's by coincidence: the rest of the student's result must be the bug's too."""
    import types

    from autograder.sandbox.remote import StudentCall

    module = types.ModuleType("fake_reference_whole")
    exec(compile(REFERENCE, "fake_reference_whole", "exec"), module.__dict__)
    recorder = Recorder()
    variants = [(bug, build_variant(REFERENCE, bug, f"whole_{bug.name}")) for bug in BUGS[:4]]
    X = RNG.normal(size=(4, 2))
    students = ([X.sum(axis=0) if first_part_right else -X.sum(axis=0)], [X.sum(axis=0)])  # the "summed" bug's second
    calls = [StudentCall("layers", None, (X,), {}, value=students)]
    with attached(KnownBugMatcher(recorder, variants, lambda: calls)):
        _, means = recording_module(module, recorder).layers(X)
        with pytest.raises(CheckFailed) as failure:
            assert_close(students[1][0], means[0], "means[0]")
    assert ("Diagnosis: the second layer sums" in str(failure.value)) == first_part_right


MUTATED = textwrap.dedent('''
    import numpy as np

    def score(X, W, b):
        """The scores X @ W + b."""
        ### BEGIN SOLUTION: X @ W + b
        return np.dot(X, W) + b
        ### END SOLUTION

    def spread(X):
        ### BEGIN SOLUTION
        return np.sum(X ** 2, axis=1)
        ### END SOLUTION

    def gap(a, b):
        ### BEGIN SOLUTION
        return a - b
        ### END SOLUTION

    def damp(v, g, beta):
        ### BEGIN SOLUTION
        return beta * v - g
        ### END SOLUTION

    def squash(x, w, b):
        ### BEGIN SOLUTION
        return np.tanh(x * w + b)
        ### END SOLUTION

    def surprise(y, p):
        ### BEGIN SOLUTION
        return -y * np.log(p)
        ### END SOLUTION

    def step(w, x, lr):
        ### BEGIN SOLUTION: error = 1 - x @ w, then w and the shift both from that one error
        error = 1.0 - np.dot(x, w)
        w = w + lr * error * x
        shift = lr * error
        return w, shift
        ### END SOLUTION

    def rescale(A, p, X):
        ### BEGIN SOLUTION
        kept = A / (1.0 - p)
        centred = X - np.sum(X, axis=0) / len(X)
        return kept + centred[0]
        ### END SOLUTION

    def apply(params, grads, lr):
        ### BEGIN SOLUTION
        return {"w": params["w"] - lr * grads["w"], "b": params["b"] - lr * grads["b"]}
        ### END SOLUTION

    def pick(S):
        ### BEGIN SOLUTION
        return np.argmax(S, axis=1)
        ### END SOLUTION

    def clip(z):
        ### BEGIN SOLUTION
        return np.maximum(z, 0.0)
        ### END SOLUTION

    def line(W, b):
        ### BEGIN SOLUTION
        return np.array([-W[0, 0] / W[1, 0], -b / W[1, 0]])
        ### END SOLUTION

    def surprisal(p):
        ### BEGIN SOLUTION
        return -np.log(1e-8 + p)
        ### END SOLUTION

    def layers(weights):
        ### BEGIN SOLUTION
        out = []
        for layer in reversed(range(len(weights))):
            out.append(2.0 * weights[layer])
        return np.array(out)
        ### END SOLUTION

    def halve_times(x, times):
        ### BEGIN SOLUTION
        for _ in range(times):
            x = 0.5 * x + 1.0
        return x
        ### END SOLUTION

    def gaps(X_train, y_train, X_val, y_val):
        ### BEGIN SOLUTION
        return np.array([np.sum(gap(X_train, y_train)), np.sum(gap(X_val, y_val) ** 2)])
        ### END SOLUTION

    def soft(z):
        ### BEGIN SOLUTION
        e = np.exp(z - np.max(z))
        return e / np.sum(e)
        ### END SOLUTION

    def surprises(z):
        ### BEGIN SOLUTION
        return -np.log(soft(z))
        ### END SOLUTION

    def halvings(x, steps):
        ### BEGIN SOLUTION
        marks = []
        for step in range(steps):
            x = 0.5 * x
            marks.append(step)
            if x < 0.1:
                break
        return np.array(marks, dtype=float)
        ### END SOLUTION

    def noisy(x, seed):
        ### BEGIN SOLUTION
        rng = np.random.default_rng(seed)
        out = []
        for value in x:
            out.append(value + rng.normal())
        return np.array(out)
        ### END SOLUTION
''')


@pytest.fixture
def mutated():
    """The reference above, recorded, with its one-change mutants (and no known bug) attached."""
    import types

    from autograder.runner.mutants import MutantMatcher, Mutants

    module, replayed = types.ModuleType("fake_mutated"), types.ModuleType("replayed_mutated")
    for each in (module, replayed):
        exec(compile(MUTATED, each.__name__, "exec"), each.__dict__)
    recorder = Recorder()
    with attached(MutantMatcher(recorder, Mutants(MUTATED, replayed))):
        yield recording_module(module, recorder)


def diagnosis_of(got, expected):
    with pytest.raises(CheckFailed) as failure:
        assert_close(got, expected, "the value")
    return str(failure.value).partition("Diagnosis: ")[2]


def test_a_mutant_search_the_budget_cut_short_names_nothing_and_says_so(monkeypatch):
    """Which change it was is unknown when the budget ran out: the matcher names none, and says it was cut short, so
    that the runner asks no other call either (autograder.runner.plugin); MutantMatcher had no such word on main."""
    import types

    from autograder.runner import mutants as mutants_module
    from autograder.runner.mutants import MutantMatcher, Mutants

    X, W, b = RNG.normal(size=(5, 2)), RNG.normal(size=(2, 3)), RNG.normal(size=3)
    for budget_runs_out in (False, True):
        module, replayed = types.ModuleType("fake_cut"), types.ModuleType("replayed_cut")
        for each in (module, replayed):
            exec(compile(MUTATED, each.__name__, "exec"), each.__dict__)
        recorder = Recorder()
        matcher = MutantMatcher(recorder, Mutants(MUTATED, replayed))
        if budget_runs_out:  # each reading of the CPU clock a second later: past the deadline at the first mutant
            clock = iter(range(10 ** 6))
            monkeypatch.setattr(mutants_module, "time", types.SimpleNamespace(process_time=lambda: float(next(clock))))
        with attached(matcher):
            said = diagnosis_of(np.dot(X, W) - b, recording_module(module, recorder).score(X, W, b))
        assert (said, matcher.cut_short) == (("", True) if budget_runs_out else (
            "your `score` subtracts `b` where it should add it: check the sign", False))


def test_a_one_change_mutant_of_the_reference_names_a_bug_no_one_catalogued(mutated):
    X, W, b = RNG.normal(size=(5, 2)), RNG.normal(size=(2, 3)), RNG.normal(size=3)
    assert diagnosis_of(np.dot(X, W) - b, mutated.score(X, W, b)) == (
        "your `score` subtracts `b` where it should add it: check the sign")
    assert diagnosis_of(np.dot(X, W), mutated.score(X, W, b)) == "your `score` leaves out the term `b`"
    assert "over axis 0" in diagnosis_of(np.sum(X ** 2, axis=0), mutated.spread(X))
    assert diagnosis_of(np.dot(X, W) + b * b, mutated.score(X, W, b)) == ""  # no one change gives it
    assert diagnosis_of(-mutated.spread(X), mutated.spread(X)).startswith("the value is the expected value times -1")


def test_a_mutant_that_adds_an_operation_is_named_when_no_one_change_mutant_fits(mutated):
    X, W, b = RNG.normal(size=(5, 2)), RNG.normal(size=(2, 3)), RNG.normal(size=3)
    assert diagnosis_of(np.dot(X, W) + 2 * b, mutated.score(X, W, b)) == (
        "your `score` multiplies the term `b` by 2 where it belongs once")
    assert diagnosis_of(np.sum(X ** 2, axis=1) / 2, mutated.spread(X)).startswith("the value is half the expected value")
    assert diagnosis_of(np.abs(np.dot(X, W) + b), mutated.score(X, W, b)).endswith(
        "; your `score` takes np.abs of a value where no absolute value belongs")  # beside "the wrong sign in some"
    x, w = RNG.normal(size=4), RNG.normal(size=4)
    assert diagnosis_of(np.tanh(x * w) + 0.7, mutated.squash(x, w, 0.7)) == (
        "your `squash` adds `b` after `np.tanh(...)` where it belongs inside it")  # a bias added after the activation



def test_a_mutant_that_brings_in_a_number_the_call_may_give_itself_is_not_named(mutated):
    v, g = RNG.normal(size=3), RNG.normal(size=3)
    assert diagnosis_of(0.3 * v - g / 2, mutated.damp(v, g, 0.3)) == "your `damp` halves the term `g` where it belongs whole"
    # with beta = 0.5, (1 - beta) * g is g halved too: the student may have written either, so neither is named
    assert diagnosis_of(0.5 * v - (1 - 0.5) * g, mutated.damp(v, g, 0.5)) == ""


def test_a_negated_factor_left_out_keeps_its_minus(mutated):
    y, p = RNG.uniform(0.5, 2.0, size=4), RNG.uniform(0.1, 0.9, size=4)
    assert diagnosis_of(-np.log(p), mutated.surprise(y, p)) == "your `surprise` leaves out the factor `y`"


def test_a_value_recomputed_after_an_update_it_reads_is_named(mutated):
    w, x = RNG.normal(size=3), RNG.normal(size=3)
    new_w = w + 0.1 * (1.0 - np.dot(x, w)) * x
    assert diagnosis_of(0.1 * (1.0 - np.dot(x, new_w)), mutated.step(w, x, 0.1)[1]) == (
        "your `step` recomputes `error` after updating `w`, with the updated value: compute it once, before the update")


def test_only_a_size_is_divided_by_again(mutated):
    A, X = RNG.normal(size=4), RNG.normal(size=(3, 4))
    # divided by len(X) again: a mean taken twice
    assert diagnosis_of(mutated.rescale(A, 0.75, X) / 3, mutated.rescale(A, 0.75, X)).endswith(
        "; your `rescale` divides a value by `len(X)` where no division belongs")
    # the whole value twice the right one: at p = 0.5 dividing by 1 - p again gives it, and so does any factor 2
    # (a size used for another), so that division names nothing; the relation says how the value is wrong
    assert "divides" not in diagnosis_of(2 * mutated.rescale(A, 0.5, X), mutated.rescale(A, 0.5, X))


def test_one_number_where_several_belong_names_only_a_reduction(mutated):
    X, W, b = np.array([[1.0, 2.0], [-1.0, -2.0]]), np.array([0.5, -1.0]), 0.3
    # summed over the whole batch, whose scores cancel, the score is b alone: what leaving out X @ W gives too
    assert "leaves out" not in diagnosis_of(np.sum(X * W) + b, mutated.score(X, W, b))
    # averaged where each row's value belongs: the reduction itself is the change
    X = RNG.normal(size=(4, 2))
    assert "averages" in diagnosis_of(np.mean(np.sum(X ** 2, axis=1)), mutated.spread(X))


def test_beside_a_relation_the_one_mutant_that_fits_says_the_cause(mutated):
    a, b = np.zeros(4), RNG.normal(size=4)
    # a + b is -(a - b) here: the relation (times -1) holds, and so does the one change that gives the whole value
    assert diagnosis_of(a + b, mutated.gap(a, b)) == (
        "the value is the expected value times -1: check the sign; your `gap` adds `b` where it should subtract it: "
        "check the sign")
    assert diagnosis_of(-2 * mutated.gap(RNG.normal(size=4), b), mutated.gap(RNG.normal(size=4), b)) == ""


def test_two_mutants_that_give_the_same_value_with_other_words_are_neither_named(mutated):
    X = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, -1.0], [-1.0, 1.0], [1.0, 1.0]])
    # with entries of +-1, X ** 3 and X ** 1 are alike: a power one too large or too small, no one can say which
    assert diagnosis_of(X.sum(axis=1), mutated.spread(X)) == ""
    assert diagnosis_of(np.sum((2 * X) ** 3, axis=1), mutated.spread(2 * X)) == (
        "your `spread` has a whole number one too large")  # with entries of +-2 they differ


def test_a_related_mutant_is_named_when_no_other_mutant_fits(mutated):
    """One thing where a related one belongs: returned members, two variables, two keys or two counts exchanged, a
    reduction for its relative, a power taken after a reduction."""
    w, x = RNG.normal(size=3), RNG.normal(size=3)
    new_w, shift = mutated.step(w, x, 0.1)
    # one number where several belong, but the returned member that belongs in the other place
    assert diagnosis_of(shift, new_w) == (
        "your `step` returns `w` and `shift` in each other's place: check the order of the values it returns")
    y, p = RNG.uniform(0.5, 2.0, size=4), RNG.uniform(0.1, 0.9, size=4)
    assert diagnosis_of(-p * np.log(y), mutated.surprise(y, p)) == "your `surprise` uses `p` and `y` in each other's place"
    params, grads = {"w": RNG.normal(size=(2, 3)), "b": RNG.normal(size=3)}, {"w": RNG.normal(size=(2, 3)),
                                                                            "b": RNG.normal(size=3)}
    assert diagnosis_of(params["w"] - 0.1 * grads["b"], mutated.apply(params, grads, 0.1)["w"]) == (
        'your `apply` uses `grads["b"]` where `grads["w"]` belongs')
    A, X = RNG.normal(size=(1, 4)), RNG.normal(size=(3, 4))  # len(A) is neither count of X
    assert diagnosis_of(A / 0.25 + (X - np.sum(X, axis=0) / X.shape[1])[0], mutated.rescale(A, 0.75, X)) == (
        "your `rescale` uses `X.shape[1]` (the columns) where `len(X)` (the rows) belongs: the wrong count")
    S = RNG.normal(size=(5, 3))
    assert diagnosis_of(np.max(S, axis=1), mutated.pick(S)) == (
        "your `pick` takes the max (np.max), the largest value, where it should use np.argmax")
    assert diagnosis_of(np.max(S, 0), mutated.clip(S)) == (
        "your `clip` takes np.max, a reduction over an axis (its second argument), where the elementwise np.maximum "
        "belongs")
    assert diagnosis_of(np.sum(X, axis=1) ** 2, mutated.spread(X)) == (
        "your `spread` squares the sum where the sum of the squares belongs: square each value first")


def test_an_index_a_min_or_a_complement_for_its_relative_is_named_when_no_other_mutant_fits(mutated):
    """Two entries of one array read in each other's place, np.argmin for np.argmax, 1 - x for a fraction x: each
    named only when it alone fits (issue 14's held-out misses: a slope's indices swapped, a least likely class, a
    momentum that keeps 1 - beta of its velocity)."""
    W, b = RNG.normal(size=(2, 1)), 0.3
    assert diagnosis_of(np.array([-W[1, 0] / W[0, 0], -b / W[1, 0]]), mutated.line(W, b)) == (
        "your `line` reads `W[0, 0]` and `W[1, 0]` in each other's place: check the indices")
    S = RNG.normal(size=(6, 3))
    assert diagnosis_of(np.argmin(S, axis=1), mutated.pick(S)) == (
        "your `pick` takes the index of the min (np.argmin), the smallest value's, where it should use np.argmax")
    v, g = RNG.normal(size=3), RNG.normal(size=3)
    assert diagnosis_of((1 - 0.9) * v - g, mutated.damp(v, g, 0.9)) == "your `damp` uses 1 - `beta` where `beta` belongs"
    # given a whole number, 1 - beta is what beta - 1 or a flipped label gives as well: not named
    assert "1 - `beta`" not in diagnosis_of((1 - 3) * v - g, mutated.damp(v, g, 3))


def test_a_value_nearly_zero_beside_the_expected_one_names_no_mutant(mutated):
    """-log1p(1e-8 + p) is -(1e-8 + p) to the last digit where p is 1e-9: what leaving out the log gives, and what
    many other changes give (a value next to nothing beside the expected 18): like zeros, it names no mutant."""
    p = RNG.uniform(0.05, 0.5, size=3) * 1e-8
    assert "np.log" not in diagnosis_of(-np.log1p(1e-8 + p), mutated.surprisal(p))  # a relation may hold, and says so
    q = RNG.uniform(0.1, 0.9, size=3)
    assert diagnosis_of(-(1e-8 + q), mutated.surprisal(q)) == (
        "your `surprisal` leaves out `np.log`: uses its argument where `np.log(...)` of it belongs")


def test_a_loop_one_short_the_wrong_data_an_activation_again_and_a_generator_made_again_are_named(mutated):
    """Issue 14's held-out misses by class: a loop that skips its first index or runs one time short (deep_gradients
    never reaching layer 0, fit one epoch short), a call given another call's pair of arguments (fit's training loss
    of the validation set or of the last batch, its steps on the whole training set), a module's function of one
    argument applied where it does not belong (softmax twice), and a value made before a loop made again inside it
    (a fresh generator, a new permutation, per batch)."""
    weights = RNG.normal(size=(3, 2))
    assert diagnosis_of(np.array([2.0 * weights[2], 2.0 * weights[1]]), mutated.layers(weights)).endswith(
        "; your `layers` loops over `range(1, len(weights))` where `range(len(weights))` belongs: index 0 is skipped")
    x = RNG.normal(size=3)
    assert diagnosis_of(mutated.halve_times(x, 3), mutated.halve_times(x, 4)).endswith(
        "your `halve_times` runs its loop `times - 1` times where `times` belongs: one time short")
    X_train, y_train, X_val, y_val = (RNG.normal(size=4) for _ in range(4))
    assert diagnosis_of(np.array([np.sum(X_val - y_val), np.sum((X_val - y_val) ** 2)]),
                        mutated.gaps(X_train, y_train, X_val, y_val)) == (
        "your `gaps` passes `X_val` and `y_val` where `X_train` and `y_train` belong: the wrong data")
    z = RNG.normal(size=4)
    assert diagnosis_of(-np.log(mutated.soft(mutated.soft(z))), mutated.surprises(z)) == (
        "your `surprises` applies `soft` to `soft(...)` where it belongs as it is: the same function twice")
    x = RNG.normal(size=5)
    assert diagnosis_of(x + np.random.default_rng(3).normal(), mutated.noisy(x, 3)).endswith(
        "your `noisy` makes `rng` again inside the loop where the one made once, before the loop, belongs")



def test_a_loop_that_may_break_is_not_named_for_starting_at_one(mutated):
    """A loop stopped before its end by a break runs the same steps from 1 as from 0, numbered one higher: what
    ``marks.append(step + 1)`` gives too (fit's best epoch counted from 1, HELD_OUT_4's). Skipping index 0 is then
    no likelier the cause, and is not named."""
    assert "range(1" not in diagnosis_of(np.arange(1.0, 5.0), mutated.halvings(1.0, 10))
    assert len(mutated.halvings(1.0, 10)) == 4  # stopped by its break, before its end


TRAINED = textwrap.dedent('''
    import numpy as np


    class Net:
        def __init__(self):
            self.inner, self.outer = np.ones(3), np.ones(2)

        def train(self, X):
            error = X.sum()
            self.outer = self.outer + 0.1 * error
            self.inner = self.inner + 0.2 * error
''')


@pytest.mark.parametrize("inner_like_the_bug", [True, False, None])
def test_an_attribute_compared_alone_names_a_bug_only_when_all_the_call_set_is_that_bugs(inner_like_the_bug):
    """A bug that flips the error's sign gives the student's `outer` too; it is named only when the student's `inner`,
    which the same call set, is that bug's as well (None: the student's object cannot be read, so nothing is named)."""
    import types

    from autograder.sandbox.inside.wire import Handle
    from autograder.sandbox.remote import StudentCall

    module = types.ModuleType("fake_trained")
    exec(compile(TRAINED, "fake_trained", "exec"), module.__dict__)
    flipped = KnownBug("flipped", "error = -sum(X): both layers step the wrong way", (("error = X.sum()", "error = -X.sum()"),))
    recorder, X = Recorder(), RNG.normal(size=(4, 2))
    handle = Handle(7, "Net")
    students = {"outer": np.ones(2) - 0.1 * X.sum(),
                "inner": np.ones(3) + (-1 if inner_like_the_bug else 1) * 0.2 * X.sum()}
    reads = []

    def read_attributes(target, names):
        reads.append((target.id, tuple(names)))
        return None if inner_like_the_bug is None else {name: students[name] for name in names}

    calls = [StudentCall("train", handle, (X,), {}, value=None)]
    with attached(KnownBugMatcher(recorder, [(flipped, build_variant(TRAINED, flipped, "v_flipped"))],
                                  lambda: calls, read_attributes)):
        twin = recording_module(module, recorder).Net()
        twin.train(X)
        with pytest.raises(CheckFailed) as failure:
            assert_close(students["outer"], twin.outer, "outer after train")
    assert ("both layers step the wrong way" in str(failure.value)) == bool(inner_like_the_bug)
    assert reads == [(7, ("inner",))]  # the rest the call set, and only that, read from the student's object


def test_a_perceptron_slip_is_named_only_where_the_pass_tells_it_from_the_other_directions():
    """A pass that always moves the line towards the point was told "moves the line the wrong way" (issue 14): on
    points where only a point labelled 0 is misclassified the two give one line. Every direction is a slip now."""
    import importlib.util

    from conftest import REPO

    spec = importlib.util.spec_from_file_location("public_perceptron", REPO / "assignments" / "01_perceptron" /
                                                  "test_perceptron.py")
    public = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(public)
    W, b = np.array([[1.0], [1.0]]), -2.0

    def said(X, y, directions):
        got, _ = public.trusted_pass(X, y, W, b, 0.01, directions=directions)
        mistakes = [(words, public.trusted_pass(X, y, W, b, 0.01, **options)[0])
                    for words, options in public.PASS_SLIPS.items()]
        with pytest.raises(CheckFailed) as failure:
            assert_close(got, public.trusted_pass(X, y, W, b, 0.01)[0], "W", mistakes=mistakes)
        return failure.value.diagnosis

    only_a_zero = np.array([[2.0, 0.0]]), np.array([0])  # predicted 1: the two slips move the line alike
    assert said(*only_a_zero, (1.0, -1.0)) == said(*only_a_zero, (-1.0, -1.0)) == ""
    both = np.array([[2.0, 0.0], [-3.0, -1.0]]), np.array([0, 1])  # one of each label misclassified
    assert "always moves towards" in said(*both, (1.0, -1.0))
    assert "the wrong way" in said(*both, (-1.0, -1.0))
