"""Each assignment's grading.toml and its tests agree: every test has points, every point a test."""
import ast

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
