"""``results.json`` against Gradescope's autograder specification ("Output format"), on hand-made records."""
import pytest

from autograder.results.gradescope import gradescope_results
from autograder.results.scoring import score

# The keys and values the specification names (https://gradescope-autograders.readthedocs.io/en/latest/specs/).
TOP_KEYS = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
            "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
TEST_KEYS = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format", "tags",
             "visibility", "extra_data"}
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
POINTS = {"02_softmax": {"test_softmax": 2, "test_hidden_softmax": 3}}


def record(test, visibility, passed, message=""):
    return {"assignment": "02_softmax", "test": test, "case": "", "visibility": visibility, "passed": passed,
            "message": message, "details": ""}


@pytest.fixture
def results():
    records = [record("test_softmax", "public", True),
               record("test_hidden_softmax", "hidden", False, "softmax raised ValueError")]
    status = "02_softmax: found <softmax>.py: rename it to 02_softmax/softmax.py"  # a name the student chose
    return gradescope_results(score(records, POINTS), 1.25, status)


def test_every_field_is_one_the_specification_names(results):
    assert set(results) <= TOP_KEYS
    assert results["score"] == 2 and results["execution_time"] == 1.25
    assert results["visibility"] in VISIBILITIES and results["stdout_visibility"] in VISIBILITIES
    for test in results["tests"]:
        assert set(test) <= TEST_KEYS
        assert test["status"] in ("passed", "failed") and test["visibility"] in VISIBILITIES
        assert test.get("output_format", "text") in FORMATS and test["max_score"] > 0
    assert [test["visibility"] for test in results["tests"]] == ["visible", "after_due_date"]


def test_the_summary_is_shown_as_text_not_rendered_as_html(results):
    """Gradescope renders a top-level output without ``output_format`` as simple_format (HTML): ``<softmax>``
    would be taken for a tag and vanish."""
    assert "<softmax>" in results["output"]
    assert results["output_format"] == "text"
