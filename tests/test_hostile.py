"""The hostile corpus (the attacks of examples/catalogue.py), graded in the same batch as everyone else.

Each attack may only lower its own score: it gets exactly what the catalogue says it deserves,
its feedback says what happened in plain words, every other submission of the batch keeps its
result, the batch finishes, and nothing of it survives grading (processes, files, site-packages,
the loopback listener, the grader's secrets).
"""
import html
import sys

import pytest
from conftest import REPO
from conftest import needs_sandbox
from example_class import leaked_hidden_lines

sys.path.insert(0, str(REPO / "examples"))
from catalogue import ATTACKS, EXAMPLES, FULL_MARKS  # noqa: E402
from judge import judge  # noqa: E402

pytestmark = pytest.mark.slow


def attack(name):
    marks = [needs_sandbox] if EXAMPLES[name].needs_sandbox else []
    return pytest.param(name, marks=marks, id=name)


@pytest.mark.parametrize("name", [attack(example.name) for example in ATTACKS])
def test_hostile_submission_gets_exactly_what_it_deserves(graded_class, name):
    assert judge(EXAMPLES[name], graded_class.graded) == []


def test_the_batch_finished_with_every_student_once(graded_class):
    students = [row["student"] for row in graded_class.graded.gradebook]
    assert students == sorted(graded_class.names)
    assert all(row["status"] != "pending" and row["total"] != "" for row in graded_class.graded.gradebook)


def test_full_marks_for_the_reference_graded_beside_the_attacks(graded_class):
    reference = graded_class.rows["reference"]
    assert reference["total"] == reference["max_total"] and reference["status"] == "ok"
    harmless = [example.name for example in ATTACKS if example.expect == FULL_MARKS]
    assert all(graded_class.rows[name]["total"] == reference["total"] for name in harmless if name in graded_class.rows)


@needs_sandbox
def test_grading_left_no_trace(graded_class):
    assert graded_class.traces == []


@needs_sandbox
def test_no_submission_reached_the_loopback_listener(graded_class):
    assert "hostile_network" in graded_class.rows
    assert graded_class.reached_listener == 0


@needs_sandbox
def test_the_graders_environment_reaches_no_feedback(graded_class):
    for path in graded_class.out.glob("*/*"):
        if path.suffix in (".html", ".json", ".log"):
            assert graded_class.canary not in path.read_text(errors="replace"), path


def test_hostile_feedback_shows_no_hidden_test_source(graded_class):
    for example in ATTACKS:
        if example.name in graded_class.rows:
            leaked = leaked_hidden_lines(graded_class.graded.feedback(example.name))
            assert not leaked, f"{example.name}'s feedback shows {leaked[:3]}"


@pytest.mark.parametrize("name, words", [
    ("hostile_infinite_loop", "timed out after 10 s in softmax"),
    ("hostile_sleep", "timed out after 10 s in cross_entropy"),
    pytest.param("hostile_open_hidden_tests", "tried to read a file outside its folder", marks=needs_sandbox),
    pytest.param("hostile_network", "tried to use the network", marks=needs_sandbox),
    pytest.param("hostile_write_site_packages", "the file system is read-only", marks=needs_sandbox),
    ("hostile_memory_bomb", "ran out of memory"),
    ("hostile_stdout_flood", "wrote too much output"),
    ("hostile_syntax_error", "could not import softmax.py"),
])
def test_feedback_says_what_happened_in_plain_words(graded_class, name, words):
    assert words in html.unescape(graded_class.graded.feedback(name))
