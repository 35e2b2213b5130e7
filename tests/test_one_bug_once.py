"""One bug costs points once, and hidden tests never show the student's own text (graded end to end).

A test of one function is fed the reference's values for the pinned helpers it calls, whatever
the form of the arguments (lists, scalars, numpy scalars, arrays): so a bug in a pinned helper
fails that helper's own tests and nothing else, in every assignment that pins: not even training,
which runs the student's whole chain, and is retried with the helpers pinned when they are to
blame (:mod:`autograder.testing.helper_bugs`). One batch is graded for the module: a broken helper
per assignment (in 07, one of each kind that ``fit`` calls, broken together), and two attacks whose
verdicts only the trusted side can give.
"""
import json
import sys

import pytest
from conftest import REPO, SANDBOX_KIND

from autograder.commands.grade import grade

sys.path.insert(0, str(REPO / "examples"))
from build_examples import build  # noqa: E402
from catalogue import EXAMPLES, LEAK_MESSAGE, P01, P03, P04, P05, P06, P07, P08, Example, Replace, BUG  # noqa: E402

pytestmark = pytest.mark.slow

FLIPPED_SIGMOID = Replace("return np.exp(-np.logaddexp(0.0, -np.asarray({}, dtype=float)))",
                          "return np.exp(-np.logaddexp(0.0, np.asarray({}, dtype=float)))")

# A broken pinned helper per assignment, and the tests it may fail: its own, and nothing else.
HELPER_BUGS = {
    P01: (Replace("return 1 if t >= 0 else 0", "return 1 if t > 0 else 0"),
          {"test_step_function_values", "test_hidden_step_function_matches_reference"}),
    P03: (Replace(FLIPPED_SIGMOID.old.format("x"), FLIPPED_SIGMOID.new.format("x")),
          {"test_sigmoid_known_values", "test_sigmoid_is_finite_for_extreme_inputs",
           "test_hidden_sigmoid_matches_reference"}),
    P04: (Replace("return softmax(np.dot(np.asarray(X), self.W) + self.b)",
                  "return softmax(np.dot(np.asarray(X), self.W) - self.b)"),
          {"test_forward_known_values", "test_hidden_forward_matches_reference"}),
    P05: (Replace(FLIPPED_SIGMOID.old.format("X"), FLIPPED_SIGMOID.new.format("X")),
          {"test_sigmoid_known_values", "test_sigmoid_is_stable_for_huge_inputs", "test_hidden_sigmoid_matches_reference"}),
    P06: (Replace(FLIPPED_SIGMOID.old.format("x"), FLIPPED_SIGMOID.new.format("x")),
          {"test_sigmoid_known_values", "test_sigmoid_is_finite_for_extreme_inputs", "test_hidden_sigmoid_matches_reference"}),
    # 07: a helper of each kind fit calls, broken at once: relu_prime, momentum_step, dropout (which fails the
    # network's evaluation, so fit's too, unless its tests retry with it pinned) and the method grad_loss
    P07: ([Replace("return (np.asarray(z, dtype=float) > 0).astype(float)",
                   "return (np.asarray(z, dtype=float) >= 0).astype(float)"),
           *[EXAMPLES[name].change for name in ("bug_training_momentum_sign", "bug_training_dropout_at_evaluation",
                                                "bug_training_gradient_not_averaged")]],
          {"test_relu_and_its_derivative", "test_hidden_relu_and_relu_prime_match_reference",
           "test_momentum_step_known_values", "test_hidden_momentum_step_matches_reference",
           "test_dropout_is_the_identity_at_evaluation", "test_hidden_dropout_matches_reference",
           "test_grad_loss_passes_the_gradient_check", "test_hidden_grad_loss_gradient_check",
           "test_hidden_grad_loss_matches_reference"}),
    # 08: run with a sigmoid output, in a submission whose train takes its outputs from run
    P08: ([EXAMPLES["variant_regression_output_from_run"].change, EXAMPLES["bug_regression_sigmoid_output"].change[0]],
          {"test_run_matches_a_trusted_computation", "test_hidden_run_matches_reference"}),
}
ATTACKS = ["hostile_leak_hidden_inputs", "hostile_reach_for_frames"]


def helper_bug(folder):
    return Example(BUG, f"helper_bug_{folder}", folder, HELPER_BUGS[folder][0], tuple(sorted(HELPER_BUGS[folder][1])))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("one-bug-once")
    examples = [helper_bug(folder) for folder in HELPER_BUGS] + [EXAMPLES[name] for name in ATTACKS]
    build(base / "submissions", examples)
    grade(base / "submissions", base / "out", REPO, jobs=2, sandbox_kind=SANDBOX_KIND, progress=False)
    return base / "out"


def results(out, student):
    return json.loads((out / student / "results.json").read_text())


def failed(out, student):
    """``{assignment: {test function}}`` of the student's failed tests."""
    found = {}
    for test in results(out, student)["tests"]:
        if test["status"] == "failed":
            folder, name = test["name"].split(": ", 1)
            found.setdefault(folder, set()).add(name.split("[", 1)[0])
    return found


@pytest.mark.parametrize("folder", sorted(HELPER_BUGS))
def test_a_pinned_helper_bug_costs_points_only_in_its_own_tests(graded, folder):
    assert failed(graded, f"helper_bug_{folder}") == {folder: HELPER_BUGS[folder][1]}


def test_the_reference_keeps_full_marks_beside_them(graded):
    assert failed(graded, "reference") == {}


def test_hidden_feedback_never_shows_the_students_own_text(graded):
    tests = results(graded, "hostile_leak_hidden_inputs")["tests"]
    hidden = [test for test in tests if test["visibility"] != "visible" and test["status"] == "failed"]
    public = [test for test in tests if test["visibility"] == "visible" and test["status"] == "failed"]
    assert hidden and public
    assert not any(LEAK_MESSAGE in test["output"] for test in hidden)
    assert all("softmax raised ValueError at line" in test["output"] for test in hidden)
    assert all(LEAK_MESSAGE in test["output"] for test in public)  # the student sees those inputs anyway
    page = (graded / "hostile_leak_hidden_inputs" / "feedback.html").read_text()
    hidden_names = {test["name"] for test in hidden}
    assert all(LEAK_MESSAGE not in line for line in page.split("<tr") if any(name in line for name in hidden_names))


def test_a_reach_for_the_graders_internals_needs_review_and_gains_nothing(graded):
    row = results(graded, "hostile_reach_for_frames")
    assert "needs review: 05_mlp reached for stack frames" in row["output"]
    assert failed(graded, "hostile_reach_for_frames").keys() == {P05}
    assert all(test["score"] == 0 for test in row["tests"] if test["name"].startswith(P05))
