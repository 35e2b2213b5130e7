"""The bug catalogue and the correct variants (examples/catalogue.py), graded as one class.

Every realistic bug must be caught: its submission fails the tests the catalogue names, loses
points in its own assignment and nothing in any other (the mutation score is 100% in every
assignment). Every correct but different submission must keep full marks: a false fail is as
bad as a missed bug.
"""
import ast
import os
import re
import subprocess
import sys

import pytest
from conftest import ASSIGNMENTS, REPO
from conftest import CI, SANDBOX


sys.path.insert(0, str(REPO / "examples"))
from catalogue import ATTACKS, BUG, BUGS, EXAMPLES, RULE_BUGS, RULE_VARIANTS, VARIANTS, Replace  # noqa: E402
from judge import judge, mutation_table  # noqa: E402

pytestmark = pytest.mark.slow

# What the catalogue must cover: the usual mistakes of each assignment, by example name.
REQUIRED_BUGS = {
    "01_perceptron": ["bug_perceptron_update_sign", "bug_perceptron_batch_update", "bug_step_strict_boundary",
                      "bug_and_gate_weights"],
    "02_softmax": ["bug_softmax_wrong_axis", "bug_softmax_no_max_shift", "bug_softmax_no_keepdims",
                   "bug_nll_sum_not_mean", "bug_nll_without_epsilon", "bug_cross_entropy_averaged"],
    "03_gradient_descent": ["bug_gd_step_sign", "bug_gd_no_bias_update", "bug_gd_weights_in_place",
                            "bug_sigmoid_flipped"],
    "04_logistic_regression": ["bug_lr_bias_gradient_zero", "bug_lr_gradient_sign", "bug_lr_train_ascends",
                               "bug_lr_memorises_public_split"],
    "05_mlp": ["bug_mlp_dsigmoid_of_activation", "bug_mlp_missing_hidden_derivative",
               "bug_mlp_memorises_public_split"],
    "06_backprop": ["bug_backprop_no_learnrate", "bug_backprop_bias_gradient_averaged",
                    "bug_backprop_gradient_sign", "bug_backprop_train_ascends"],
    "07_training": ["bug_training_momentum_sign", "bug_training_momentum_old_velocity",
                    "bug_training_velocity_not_carried", "bug_training_l2_on_biases", "bug_training_l2_without_half",
                    "bug_training_dropout_not_rescaled", "bug_training_dropout_at_evaluation",
                    "bug_training_mask_redrawn", "bug_training_batches_skip_the_rest",
                    "bug_training_batches_with_replacement", "bug_training_fit_keeps_the_last_epoch"],
    "08_regression": ["bug_regression_sigmoid_output", "bug_regression_changes_summed",
                      "bug_regression_deep_wrong_layer_derivative"],
}
REQUIRED_VARIANTS = ["variant_loops", "variant_float32", "variant_lists", "variant_helpers", "variant_random_init",
                     "variant_notebooks", "variant_training_by_hand"]


# A bug in each sigmoid, by assignment: it may cost points in that sigmoid's own tests only (one bug, charged once).
SIGMOID_BUGS = {"03_gradient_descent": ["bug_sigmoid_flipped", "bug_gd_sigmoid_naive", "bug_gd_sigmoid_where_warns"],
                "05_mlp": ["bug_mlp_sigmoid_flipped", "bug_mlp_sigmoid_naive"],
                "06_backprop": ["bug_backprop_sigmoid_flipped", "bug_backprop_sigmoid_naive"]}
SIGMOID_TESTS = {"test_sigmoid_known_values", "test_sigmoid_is_finite_for_extreme_inputs",
                 "test_sigmoid_is_stable_for_huge_inputs", "test_hidden_sigmoid_matches_reference"}


def test_the_catalogue_has_what_the_grader_must_be_proved_on():
    assert len(BUGS) >= 40 + 25 and len(RULE_BUGS) >= 25 and len(RULE_VARIANTS) >= 4 and len(ATTACKS) >= 25
    for folder, names in REQUIRED_BUGS.items():
        for name in names:
            assert EXAMPLES[name].kind == BUG and EXAMPLES[name].assignment == folder, name
    assert set(REQUIRED_VARIANTS) <= {variant.name for variant in VARIANTS}
    for bug in BUGS:
        assert bug.expect and all(test.startswith("test_") for test in bug.expect), bug.name
        assert bug.assignment in {assignment.folder for assignment in ASSIGNMENTS}, bug.name
        changes = bug.change if isinstance(bug.change, list) else [bug.change]
        assert all(isinstance(change, Replace) and not change.folder for change in changes) or callable(bug.change), \
            f"{bug.name} changes more than its own assignment"


def test_each_test_file_names_the_catalogue_bugs_it_kills():
    """The mutation-adequacy note: every test file's docstring names its bugs (or says "every bug of" its
    assignment), every name is in the catalogue, and every bug is named somewhere or covered so."""
    named, everything = set(), set()
    for path in [*(REPO / "assignments").glob("*/test_*.py"), *(REPO / "solutions").glob("*/test_hidden_*.py")]:
        note = ast.get_docstring(ast.parse(path.read_text())) or ""
        assert "Catalogue bugs these tests kill" in note, path
        named |= set(re.findall(r"\bbug_\w+", note))
        if f"every bug of {path.parent.name}" in note:
            everything.add(path.parent.name)
    assert named - set(EXAMPLES) == set(), "notes name bugs the catalogue does not have"
    assert [bug.name for bug in BUGS if bug.name not in named and bug.assignment not in everything] == []


def test_the_whole_class_was_graded(graded_class):
    assert [row["student"] for row in graded_class.graded.gradebook] == sorted(graded_class.names)
    reference = graded_class.rows["reference"]
    assert reference["total"] == reference["max_total"] and reference["status"] == "ok"


@pytest.mark.parametrize("name", [bug.name for bug in BUGS])
def test_bug_is_caught_in_its_own_assignment_only(graded_class, name):
    assert judge(EXAMPLES[name], graded_class.graded) == []


@pytest.mark.parametrize("folder", SIGMOID_BUGS)
def test_a_sigmoid_bug_costs_points_only_in_the_sigmoids_own_tests(graded_class, folder):
    """With list, scalar and array inputs alike, and in training, which retries with the helpers pinned."""
    graded = graded_class.graded
    for name in SIGMOID_BUGS[folder]:
        failed = graded.failed_tests(name, folder)
        assert failed and failed <= SIGMOID_TESTS, (name, failed)
        assert all(graded.failed_tests(name, other) == set() for other in graded.maxima if other != folder), name


@pytest.mark.parametrize("name", [variant.name for variant in VARIANTS])
def test_correct_variant_keeps_full_marks(graded_class, name):
    assert judge(EXAMPLES[name], graded_class.graded) == []


def test_mutation_score_is_100_percent_in_every_assignment(graded_class):
    table = mutation_table(graded_class.graded)
    assert {folder for folder, (count, _, _) in table.items() if count} == {a.folder for a in ASSIGNMENTS}
    assert {folder: missed for folder, (count, caught, missed) in table.items() if caught < count} == {}


@pytest.mark.parametrize("state", ["no grading", "an interrupted grading"])
def test_the_mutation_score_script_says_what_to_do_before_a_grading_is_finished(tmp_path, state):
    """It read each student's feedback.html and raised FileNotFoundError: a traceback for an instructor who ran it
    on the wrong folder, or while the grading was still under way."""
    if state == "an interrupted grading":
        (tmp_path / "gradebook.csv").write_text("student,total,max_total,status\nreference,,,pending\n")
    result = subprocess.run([sys.executable, str(REPO / "examples" / "mutation_score.py"), "--graded", str(tmp_path)],
                            capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert ("grade the example class" if state == "no grading" else "run the same `autograder grade`") in result.stderr


def test_a_run_graded_with_one_assignment_is_judged_on_that_assignment_alone(tmp_path):
    """judge read every assignment's maximum and counted the columns a --assignment run has not as points lost:
    a correct variant graded on 04 alone was 'lost points in 01_perceptron (...)', and every other assignment."""
    from judge import Graded
    from autograder.kit.config import load_points

    folder = "04_logistic_regression"
    top = sum(load_points(REPO / "solutions", next(a for a in ASSIGNMENTS if a.folder == folder)).values())
    variant = next(example for example in VARIANTS if not example.feedback)
    bug = next(bug for bug in BUGS if bug.assignment == folder)
    (tmp_path / "gradebook.csv").write_text(f"student,{folder},status\n{variant.name},{top},ok\n{bug.name},0,ok\n")
    for name in (variant.name, bug.name):
        (tmp_path / name).mkdir()
        (tmp_path / name / "feedback.html").write_text("")
        (tmp_path / name / "results.json").write_text('{"tests": []}')
    graded = Graded(tmp_path)
    assert graded.folders == [folder]
    assert judge(variant, graded) == []
    assert not any("lost points" in problem or "not graded" in problem for problem in judge(bug, graded))
    assert list(mutation_table(graded)) == [folder]


def test_the_mutation_score_script_prints_the_table(graded_class):
    result = subprocess.run([sys.executable, str(REPO / "examples" / "mutation_score.py"), "--graded",
                             str(graded_class.out)], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    lines = result.stdout.splitlines()
    for assignment in ASSIGNMENTS:
        assert any(line.startswith(assignment.folder) and line.endswith("100%") for line in lines), result.stdout
    assert any(line.startswith("all") and line.endswith("100%") for line in lines)
    assert f"variant submissions that keep full marks: {len(VARIANTS)} of {len(VARIANTS)}" in result.stdout
    if SANDBOX.secure or CI:  # without the sandbox the attacks were left out (CI fails earlier, in graded_class)
        assert f"hostile submissions that get exactly what they deserve: {len(ATTACKS)} of {len(ATTACKS)}" in result.stdout
        assert result.returncode == 0, result.stdout + result.stderr
