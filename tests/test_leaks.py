"""No released text gives a graded body away: lessons, experiment cells, and helpers given by a later assignment."""
import json

import pytest
from conftest import ASSIGNMENTS, REPO

from autograder.commands.release import chosen_assignments, leak_warnings
from autograder.generate.leaks import helper_leaks, quoted_lines, secret_lines

SECRETS = secret_lines(REPO)


def test_the_graded_lines_are_many_and_exclude_what_the_stub_shows():
    assert len(SECRETS) > 80
    assert "encoded[np.arange(len(y)), y] = 1.0" in SECRETS
    # 01's docstring states the random start the contract fixes: the stub shows it, so it is no secret
    assert "W = np.random.rand(2, 1)" not in SECRETS


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.folder)
def test_no_lesson_line_quotes_a_graded_body_line(assignment):
    lesson = (REPO / "solutions" / assignment.folder / "lesson.md").read_text()
    assert quoted_lines(lesson, SECRETS) == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.folder)
def test_no_student_notebook_cell_quotes_a_graded_body_line(assignment):
    """The lesson's cells and the check cell; the module's own cells are the stub's (given helpers:
    test_helpers_that_are_another_assignments_graded_solution_are_named)."""
    notebook = json.loads((REPO / "assignments" / assignment.module_file.with_suffix(".ipynb")).read_text())
    for index, cell in enumerate(notebook["cells"]):
        if cell["metadata"].get("nbgrader", {}).get("grade_id", "check") == "check":
            assert quoted_lines("".join(cell["source"]), SECRETS) == [], f"cell {index}"


def test_helpers_that_are_another_assignments_graded_solution_are_named():
    leaks = {(leak.given_in, leak.graded_in): leak for leak in helper_leaks(REPO, ASSIGNMENTS)}
    # 08 gives the stable sigmoid (graded in 03 and 06) and ReLU (graded in 07): it comes after all three.
    given = {("04_logistic_regression", "02_softmax"): {"one_hot", "softmax", "nll"},
             ("05_mlp", "02_softmax"): {"one_hot", "softmax", "nll"},
             ("07_training", "02_softmax"): {"one_hot", "softmax", "nll"},
             ("08_regression", "03_gradient_descent"): {"sigmoid"}, ("08_regression", "06_backprop"): {"sigmoid"},
             ("08_regression", "07_training"): {"relu"}}
    assert set(leaks) == set(given)
    for pair, leak in leaks.items():
        assert set(leak.helpers) == set(leak.graded) == given[pair]
    [warning] = leak_warnings(REPO, chosen_assignments(REPO, ["mlp"]))
    assert "05_mlp gives one_hot, softmax, nll" in warning and "graded solution of 02_softmax" in warning
    assert "release 05_mlp only after 02_softmax is due" in warning


@pytest.mark.parametrize("names", [["02_softmax"], ["01_perceptron", "03_gradient_descent", "06_backprop"]])
def test_assignments_that_give_nothing_away_release_without_a_warning(names):
    assert leak_warnings(REPO, chosen_assignments(REPO, names)) == []


def test_an_unknown_assignment_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="unknown assignment.*02_sofmax.*01_perceptron"):
        chosen_assignments(REPO, ["02_sofmax"])
