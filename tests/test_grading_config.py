"""Each assignment's grading.toml and its tests agree: every test has points, every point a test."""
import ast
import json
import shutil

import pytest
from conftest import ASSIGNMENTS, REPO

from autograder.kit.config import load_points


def functions_named_test(path):
    return [node.name for node in ast.parse(path.read_text()).body
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.folder)
def test_points_cover_exactly_the_tests(assignment):
    public = [name for path in (REPO / "assignments" / assignment.folder).glob("test_*.py")
              for name in functions_named_test(path)]
    hidden = [name for path in (REPO / "solutions" / assignment.folder).glob("test_hidden_*.py")
              for name in functions_named_test(path)]
    assert public and hidden, "every assignment has public and hidden tests"
    assert not [name for name in public if name.startswith("test_hidden_")], "public tests are not hidden"
    assert all(name.startswith("test_hidden_") for name in hidden), "hidden test names start with test_hidden_"
    points = load_points(REPO / "solutions", assignment)
    assert sorted(points) == sorted(public + hidden)
    assert all(value > 0 for value in points.values())


@pytest.mark.parametrize("line, mistake, said", [
    # Ended grade with a traceback after grading, every row left pending.
    ("test_softmax_known_values = 1", 'test_softmax_known_values = "two"', "[points] test_softmax_known_values = 'two'"),
    # Took 3 points from a student whose softmax passed; max_total 9.
    ("test_softmax_known_values = 1", "test_softmax_known_values = -3", "[points] test_softmax_known_values = -3"),
    # Failed every student's run with the grader's KeyError.
    ("test_softmax_known_values = 1", "test_softmax_known_valus = 1",
     "[points] has no line for test_softmax_known_values (a test of test_softmax.py) (did you mean "
     "test_softmax_known_valus?)"),
    ("test_hidden_inputs_not_mutated = 1", "", "[points] has no line for test_hidden_inputs_not_mutated"),
    ("test_hidden_inputs_not_mutated = 1", "test_hidden_inputs_not_mutated = 1\ntest_hidden_gone = 1",
     "[points] test_hidden_gone is no test of 02_softmax"),
    # Failed the tests that read it, for every student, as if their code were wrong.
    ("rtol = 1e-6", 'rtol = "tight"', "[thresholds] rtol = 'tight'"),
    ("rtol = 1e-6", "rtl = 1e-6", "[thresholds] has no rtol, which test_softmax.py reads (did you mean rtl?)"),
])
def test_a_grading_toml_that_grading_cannot_use_stops_grade_before_anything_is_graded(tmp_path, capsys, line, mistake,
                                                                                       said):
    """An instructor's slip in grading.toml costs the students nothing: grade stops with one line saying what to fix,
    and writes nothing."""
    from autograder import cli

    kit = tmp_path / "kit"
    for part in ("assignments", "solutions"):
        shutil.copytree(REPO / part, kit / part, ignore=shutil.ignore_patterns("__pycache__"))
    grading = kit / "solutions" / "02_softmax" / "grading.toml"
    text = grading.read_text()
    assert text.count(f"\n{line}") == 1
    grading.write_text(text.replace(f"\n{line}", f"\n{mistake}"))
    (tmp_path / "in" / "alice" / "02_softmax").mkdir(parents=True)
    shutil.copy(REPO / "solutions" / "02_softmax" / "softmax.py", tmp_path / "in" / "alice" / "02_softmax")
    status = cli.main(["grade", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--root", str(kit),
                       "--no-sandbox", "--sandbox", "process", "--quiet", "--assignment", "02_softmax"])
    error = capsys.readouterr().err
    assert status == 2 and f"{grading}: {said}" in error and "Traceback" not in error, error
    assert not (tmp_path / "out").exists()


TEST_CLASS = """

class TestHiddenMore:
    def test_hidden_rows_sum_to_one_in_a_class(self, student):
        def test_helper_not_a_test():  # nested: pytest collects no such function
            return student.softmax([[1.0, 2.0]])
        assert abs(float(test_helper_not_a_test().sum()) - 1.0) < 1e-9
"""


def test_a_test_class_is_graded_by_its_methods_points(tmp_path, capsys):
    """pytest collects a test class's test methods and the grader scores them by their names: grade's check of
    grading.toml finds them there (and not a helper named test_... nested in one)."""
    from autograder import cli

    kit = tmp_path / "kit"
    for part in ("assignments", "solutions"):
        shutil.copytree(REPO / part, kit / part, ignore=shutil.ignore_patterns("__pycache__"))
    with open(kit / "solutions" / "02_softmax" / "test_hidden_softmax.py", "a") as tests:
        tests.write(TEST_CLASS)
    grading = kit / "solutions" / "02_softmax" / "grading.toml"
    text = grading.read_text()
    assert text.count("\ntest_hidden_inputs_not_mutated = 1") == 1
    grading.write_text(text.replace("\ntest_hidden_inputs_not_mutated = 1",
                                    "\ntest_hidden_inputs_not_mutated = 1\ntest_hidden_rows_sum_to_one_in_a_class = 2"))
    (tmp_path / "in" / "alice" / "02_softmax").mkdir(parents=True)
    shutil.copy(REPO / "solutions" / "02_softmax" / "softmax.py", tmp_path / "in" / "alice" / "02_softmax")
    status = cli.main(["grade", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--root", str(kit),
                       "--no-sandbox", "--sandbox", "process", "--quiet", "--assignment", "02_softmax"])
    assert status == 0, capsys.readouterr().err
    results = json.loads((tmp_path / "out" / "alice" / "results.json").read_text())
    scored = [test for test in results["tests"] if "test_hidden_rows_sum_to_one_in_a_class" in test["name"]]
    assert [(test["score"], test["max_score"]) for test in scored] == [(2.0, 2.0)]
