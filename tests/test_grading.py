"""``autograder grade`` on the bundled examples: right scores, in the right places, every time."""
import html
import json
import re
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ASSIGNMENTS, REPO, SANDBOX_KIND, assert_not_graded_again, finished_results, needs_sandbox, read_gradebook
from example_class import hidden_source_lines, leaked_hidden_lines

from autograder.commands.grade import grade

sys.path.insert(0, str(REPO / "examples"))
from catalogue import ATTACKS, BUGS, FULL_MARKS, REFUSED  # noqa: E402

FOLDERS = [assignment.folder for assignment in ASSIGNMENTS]
# The examples that cost points in their own assignment and nowhere else (the attacks a sandbox must hold aside).
COSTLY = {example.name: example.assignment for example in BUGS + ATTACKS
          if example.expect not in (FULL_MARKS, REFUSED) and not example.needs_sandbox}
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graded(graded_class):
    """The example class, graded once for the whole session (conftest.graded_class)."""
    return graded_class.base, {row["student"]: row for row in read_gradebook(graded_class.base / "out")}


def test_one_row_per_submission(graded):
    base, rows = graded
    students = sorted(path.stem if path.suffix in (".zip", ".ipynb") else path.name for path in (base / "submissions").iterdir())
    assert [row["student"] for row in read_gradebook(base / "out")] == students


def test_reference_scores_full_marks_and_stubs_zero(graded):
    _, rows = graded
    reference, stubs = rows["reference"], rows["stubs"]
    assert reference["total"] == reference["max_total"] and float(reference["total"]) > 0
    assert all(float(reference[f]) > 0 for f in FOLDERS)
    assert float(stubs["total"]) == 0
    assert reference["status"] == "ok" and stubs["status"] == "not started"


@pytest.mark.parametrize("name", sorted(COSTLY))
def test_one_change_costs_points_in_its_own_assignment_only(graded, graded_class, name):
    _, rows = graded
    folder = COSTLY[name]
    row, reference = rows[name], rows["reference"]
    assert float(row[folder]) < float(reference[folder]), f"{name} lost nothing in {folder}"
    for other in FOLDERS:
        if other != folder:
            assert row[other] == reference[other], \
                f"{name} lost points in {other}: {graded_class.graded.failures(name, other)}"


@needs_sandbox
def test_the_worker_cannot_read_the_solutions(graded):
    base, rows = graded
    assert float(rows["hostile_read_solutions"]["06_backprop"]) == 0
    feedback = (base / "out" / "hostile_read_solutions" / "feedback.html").read_text()
    assert "found no solutions to steal" in feedback


@pytest.mark.parametrize("name, words", [
    ("hostile_infinite_loop", "timed out after 10 s in softmax"),
    ("hostile_exit_at_import", "could not import perceptron.py"),
    ("hostile_os_exit", "the worker died in LogisticRegression.train"),
    ("hostile_memory_bomb", "MemoryError"),
])
def test_feedback_says_what_happened(graded, name, words):
    base, _ = graded
    assert words in (base / "out" / name / "feedback.html").read_text()


def test_results_json_has_gradescopes_fields(graded):
    base, rows = graded
    for student in ("reference", "bug_softmax_no_keepdims"):
        results = json.loads((base / "out" / student / "results.json").read_text())
        assert isinstance(results["score"], float | int) and isinstance(results["execution_time"], float)
        assert results["score"] == pytest.approx(float(rows[student]["total"]))
        assert results["tests"], student
        for test in results["tests"]:
            assert {"name", "score", "max_score", "status", "visibility", "output"} <= set(test)
            assert test["status"] in ("passed", "failed")
            assert test["visibility"] in ("hidden", "after_due_date", "after_published", "visible")
            assert 0 <= test["score"] <= test["max_score"]
        assert sum(t["score"] for t in results["tests"]) == pytest.approx(results["score"], abs=1e-3)


def test_feedback_shows_hidden_test_names_but_never_their_source(graded):
    base, _ = graded
    feedback = (base / "out" / "bug_softmax_no_keepdims" / "feedback.html").read_text()
    assert "test_hidden_softmax_matches_reference" in feedback
    assert leaked_hidden_lines(feedback) == []


def test_the_leak_search_finds_a_hidden_line_as_html_writes_it():
    """Most hidden lines hold a quote, < or &, which HTML escapes: the search must read the page as shown."""
    name, line = next((name, line) for name, line in hidden_source_lines() if html.escape(line) != line)
    assert leaked_hidden_lines(f"<pre>{html.escape(line)}</pre>") == [line], name


def test_grading_again_gives_identical_gradebook_and_resumes(graded, tmp_path):
    base, rows = graded
    subset = tmp_path / "submissions"
    for student in ("reference", "bug_nll_sum_not_mean", "stubs"):
        shutil.copytree(base / "submissions" / student, subset / student)
    out = tmp_path / "out"
    first = grade(subset, out, REPO, jobs=2, sandbox_kind=SANDBOX_KIND, progress=False)
    assert first == [rows[student] for student in ("bug_nll_sum_not_mean", "reference", "stubs")]
    finished = finished_results(out)
    (out / "stubs" / "results.json").unlink()
    again = grade(subset, out, REPO, jobs=2, sandbox_kind=SANDBOX_KIND, progress=False)
    assert again == first
    assert_not_graded_again(out, finished, regraded=["stubs"])


def test_zips_and_notebooks_are_submissions_too(graded, tmp_path, monkeypatch):
    base, rows = graded
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    source = base / "submissions" / "bug_softmax_no_keepdims"
    with zipfile.ZipFile(submissions / "zipped.zip", "w") as bundle:
        for path in source.rglob("*.py"):
            bundle.write(path, Path("wrapper") / path.relative_to(source))
    with zipfile.ZipFile(submissions / "sneaky.zip", "w") as bundle:
        bundle.writestr("../escape.py", "print('out')")
    (submissions / "notebook.ipynb").write_text("this is not JSON")
    monkeypatch.chdir(tmp_path)  # relative paths, as a person types them
    result = {row["student"]: row for row in grade("submissions", "out", REPO, jobs=1,
                                                      sandbox_kind=SANDBOX_KIND, progress=False)}
    assert result["zipped"] == {**rows["bug_softmax_no_keepdims"], "student": "zipped"}
    assert "unsafe path" in result["sneaky"]["status"] and float(result["sneaky"]["total"]) == 0
    assert not (tmp_path / "escape.py").exists()
    assert re.search(r"not a readable Jupyter notebook", result["notebook"]["status"])
