"""Hidden inputs, and the training steps checked, are drawn per student from a course secret that never ships
(autograder.kit.secret)."""
import ast
import random
import shutil
import stat

import numpy as np
import pytest
from conftest import ASSIGNMENTS, REPO

from autograder.kit.secret import SECRET_FILE, SECRET_VARIABLE, course_secret, hidden_seed
from autograder.runner.plugin import GradingPlugin
from autograder.sandbox.process import ChildProcess
from autograder.sandbox.remote import RemoteModule
from autograder.sandbox.session import WorkerSession


def draws(seed, test="test_hidden_softmax_matches_reference[shape0-1.0]"):
    plugin = GradingPlugin(".", None, ".", hidden_seed=seed)
    return plugin.rng_for("02_softmax", test).normal(size=5)


def test_the_same_student_regraded_gets_the_same_inputs():
    np.testing.assert_array_equal(draws(hidden_seed("s3cret", "alice")), draws(hidden_seed("s3cret", "alice")))


def test_different_students_and_different_tests_get_different_inputs():
    alice, bob = hidden_seed("s3cret", "alice"), hidden_seed("s3cret", "bob")
    assert not np.allclose(draws(alice), draws(bob))
    assert not np.allclose(draws(alice), draws(alice, test="test_hidden_nll_matches_reference[6]"))


@pytest.mark.parametrize("folder", [assignment.folder for assignment in ASSIGNMENTS])
def test_every_hidden_test_module_draws_from_the_students_rng(folder):
    """A module's own ``rng`` fixture would shadow the grader's per-student one: every student the same inputs."""
    for path in (REPO / "solutions" / folder).glob("test_hidden_*.py"):
        fixtures = [node.name for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.FunctionDef)
                    and any("fixture" in ast.unparse(decorator) for decorator in node.decorator_list)]
        assert "rng" not in fixtures, path.name


def test_without_the_secret_nobody_can_work_out_a_students_inputs():
    assert hidden_seed("s3cret", "alice") != hidden_seed("another secret", "alice")
    assert "alice" not in hidden_seed("s3cret", "alice") and "s3cret" not in hidden_seed("s3cret", "alice")


def test_the_secret_comes_from_the_environment_or_a_private_file(tmp_path, monkeypatch):
    monkeypatch.delenv(SECRET_VARIABLE, raising=False)
    first = course_secret(tmp_path)  # the first grade makes one
    assert len(first) >= 32 and course_secret(tmp_path) == first
    assert stat.S_IMODE((tmp_path / SECRET_FILE).stat().st_mode) == 0o600
    monkeypatch.setenv(SECRET_VARIABLE, "from the environment")
    assert course_secret(tmp_path) == "from the environment"


def test_an_empty_secret_file_is_refused_with_what_to_do(tmp_path, monkeypatch):
    monkeypatch.delenv(SECRET_VARIABLE, raising=False)
    (tmp_path / SECRET_FILE).write_text("\n")
    with pytest.raises(ValueError, match="delete it"):
        course_secret(tmp_path)


def gradient_checks_on_the_students_rng(path):
    """The tests of ``path`` that take the per-student ``rng`` and run a gradient check."""
    tree = ast.parse(path.read_text())
    return [node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
            and "rng" in [argument.arg for argument in node.args.args]
            and any(isinstance(call, ast.Call) and ast.unparse(call.func).endswith(("assert_gradient", "numerical_gradient"))
                    for call in ast.walk(node))]


@pytest.mark.parametrize("folder", [assignment.folder for assignment in ASSIGNMENTS])
def test_no_gradient_check_draws_from_the_students_rng(folder):
    """A relative-error bar of 1e-6 needs every entry of the gradient well away from 0, which a fresh draw cannot
    promise: 06's MSE check failed the reference for about 3 draws in 20,000 (a correct submission lost a point
    under one course secret). Gradient checks draw from their module's fixed ``GRADIENT_CHECK_SEED``, chosen to be safe."""
    for path in (REPO / "solutions" / folder).glob("test_hidden_*.py"):
        assert gradient_checks_on_the_students_rng(path) == [], path.name


def steps_checked(seed, digest="one version", test="test_hidden_training_on_an_unseen_split"):
    plugin = GradingPlugin(".", None, ".", hidden_seed=seed)
    plugin.module_digests["05_mlp"] = digest
    drawn = plugin.steps_drawn_for("05_mlp", test)
    return None if drawn is None else drawn.sample(range(10_000), 6)


def test_a_regrade_checks_the_same_training_steps_and_a_changed_module_other_ones():
    """GRADER.md: the same submission graded twice gets the same scores, also where training is checked at steps."""
    alice = hidden_seed("s3cret", "alice")
    assert steps_checked(alice) == steps_checked(alice)
    assert steps_checked(alice) != steps_checked(alice, digest="another version")
    assert steps_checked(alice) != steps_checked(hidden_seed("s3cret", "bob"))
    assert steps_checked(alice) != steps_checked(alice, test="test_hidden_mse_training")
    assert steps_checked("") is None  # no student's seed (a student's own check): drawn unforeseeably


def test_a_training_run_is_checked_at_the_steps_its_session_draws(tmp_path):
    shutil.copytree(REPO / "solutions" / "05_mlp", tmp_path / "05_mlp")
    path = tmp_path / "05_mlp" / "mlp.py"
    student = RemoteModule(WorkerSession(ChildProcess(), path, path.stem), path.stem)
    sent = []
    request = student._session.request
    student._session.request = lambda message, **options: (sent.append(message), request(message, **options))[1]
    X, y = np.random.default_rng(3).normal(size=(12, 3)), np.arange(12) % 2
    try:
        for _ in range(2):
            student._session.steps_drawn = random.Random(5)
            student._seed(0)
            student._sgd(student.NeuralNet(3, 4, 2), X, y, 2, 0.5)
    finally:
        student._session.close()
    checked = [message["checks"] for message in sent if "checks" in message]
    assert checked == [sorted(random.Random(5).sample(range(23), 6)) + [23]] * 2
