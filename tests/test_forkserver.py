"""The warm fork server: it really serves, so that a batch pays imports and collection once, not per submission."""
import json
import shutil

import pytest
from conftest import REPO, SANDBOX_KIND

from autograder.runner.forkserver import RunnerPool

TESTS_02 = sorted((REPO / "assignments" / "02_softmax").glob("test_*.py")) + sorted(
    (REPO / "solutions" / "02_softmax").glob("test_*.py"))


@pytest.mark.slow  # a fork server's warm-up and one assignment graded: seconds
def test_a_fork_server_grades_a_submission_without_falling_back_to_cold_runners(tmp_path):
    # A server that fails to warm up dies quietly and the pool grades every submission cold
    # (a second of imports each): the results stay right, only the batch gets slow, so check the pool.
    tests = sorted((REPO / "assignments" / "01_perceptron").glob("test_*.py"))
    submission = tmp_path / "student" / "01_perceptron"
    submission.mkdir(parents=True)
    shutil.copy(REPO / "solutions" / "01_perceptron" / "perceptron.py", submission)
    pool = RunnerPool(tests, REPO / "solutions")
    try:
        results = tmp_path / "records.json"
        arguments = [str(submission.parent), str(results), "--solutions", str(REPO / "solutions"),
                     "--sandbox", SANDBOX_KIND, *map(str, tests)]
        assert pool.run(arguments, tmp_path / "grader.log", tmp_path, 120) == "done"
        assert not pool.broken, "the fork server died; the pool fell back to cold runners"
        assert pool.idle and pool.idle[0].process.poll() is None, "the fork server is not alive after serving"
    finally:
        pool.close()
    records = json.loads(results.read_text())
    assert records and all(record["passed"] for record in records)


def test_a_server_freezes_its_warm_up_without_a_full_collection_and_forks_its_children_with_the_collector_on(
        monkeypatch):
    """serve() turns the collector off for its warm-up (55-100 ms of collections); _freeze, which runs before the
    first child is forked, freezes what was made and turns it on again: a child runs the tests as Python would. A
    batch's server once collected the warm-up's garbage before freezing (~35 ms of CPU, a pass over its ~56,000
    objects, to free under a MiB: functions, cells, pytest's collection leftovers, no file); frozen, it is kept."""
    import gc

    from autograder.runner import forkserver

    collections = []
    monkeypatch.setattr(gc, "collect", lambda *args: collections.append(args) or 0)
    gc.disable()
    try:
        forkserver._freeze()
        assert gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.enable()
    assert collections == []


def test_a_server_makes_what_each_child_would_find_again_before_its_first_test():
    """The interpreter's folders and the control groups' layout are each found once per process: found in the
    server, every forked child has them."""
    import os
    import sys

    from autograder.runner import forkserver
    from autograder.sandbox import bubblewrap, cgroups

    bubblewrap.python_roots.cache_clear()
    bubblewrap.site_folders.cache_clear()
    cgroups.layout.cache_clear()
    forkserver.warm_child_start(TESTS_02, REPO / "solutions")
    assert bubblewrap.python_roots.cache_info().currsize == 1
    assert bubblewrap.python_roots(sys.executable) and bubblewrap.python_roots.cache_info().hits == 1
    # Every child's sandbox hides these (Bubblewrap.__init__); an editable install's data_boot never asks for them.
    assert bubblewrap.site_folders.cache_info().currsize == 1
    if os.geteuid() == 0:
        assert cgroups.layout.cache_info().currsize == 1


def test_a_child_parses_its_request_with_the_patterns_the_server_compiled(monkeypatch, tmp_path):
    """argparse compiles a regular expression per arrangement of a request's options and positionals: the server
    compiles those of the requests grade sends, so that no child compiles them again."""
    import re

    from autograder.runner import forkserver, run

    re.purge()
    forkserver.warm_child_start(TESTS_02, REPO / "solutions")
    compiled = []
    compiler = re._compiler if hasattr(re, "_compiler") else __import__("sre_compile")  # re's, on a cache miss
    real_compile = compiler.compile
    monkeypatch.setattr(compiler, "compile", lambda *args: compiled.append(args[0]) or real_compile(*args))
    request = forkserver.runner_arguments(tmp_path / "alice", tmp_path / "records.json", REPO / "solutions", "bwrap",
                                          "5eed", TESTS_02, tmp_path / "definitions")  # as run_submission makes grade's
    assert run.parse_arguments(request).hidden_seed == "5eed"
    assert compiled == []


def test_a_server_finds_the_bwrap_program_once_for_its_children():
    from autograder.runner import forkserver
    from autograder.sandbox import bubblewrap

    bubblewrap.find_bwrap.cache_clear()
    forkserver.warm_child_start(TESTS_02, REPO / "solutions")
    assert bubblewrap.find_bwrap.cache_info().currsize == 1
    bubblewrap.find_bwrap()
    assert bubblewrap.find_bwrap.cache_info().hits == 1


def test_a_server_reads_each_collected_test_files_assignment_and_visibility_once_for_its_children():
    """Each child would read its test files' grading.toml and resolve their paths again on its first test."""
    from types import SimpleNamespace

    from autograder.runner import forkserver, plugin
    from autograder.runner.plugin import GradingPlugin

    tests = sorted((REPO / "assignments" / "02_softmax").glob("test_*.py")) + sorted(
        (REPO / "solutions" / "02_softmax").glob("test_*.py"))
    items = [SimpleNamespace(path=path, location=(path.name, 1, "test")) for path in tests for _ in range(2)]
    server = GradingPlugin(".", None, ".", (REPO / "solutions").resolve())
    plugin._assignment_of_file.cache_clear()
    plugin._visibility.cache_clear()
    forkserver.warm_items(items, server)
    assert plugin._assignment_of_file.cache_info().currsize == len(tests) == 2
    assert plugin._visibility.cache_info().currsize == len(tests)
    assert [server.visibility_of(path) for path in tests] == ["public", "hidden"]
    assert server.assignment_of(items[0]).folder == "02_softmax"
    assert plugin._visibility.cache_info().currsize == len(tests)  # found made, not made again


def test_a_server_loads_no_data_set_for_a_test_file_that_only_says_its_name(monkeypatch, tmp_path):
    """The data sets are warmed by the fixtures the collected tests request (warm_items), not by the test files'
    text: 02's test says "the published facts have 4 or 6 digits", and every server of a 02 batch loaded the digits."""
    import sys

    from autograder.runner import forkserver, plugin

    test_file = tmp_path / "test_words.py"
    test_file.write_text("# the published facts have 4 or 6 digits\n\ndef test_sum():\n    assert 1 + 1 == 2\n")
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delitem(sys.modules, "test_words", raising=False)
    plugin._digits_split.cache_clear()
    forkserver.warm_up([test_file], REPO / "solutions", lone=True)
    assert "test_words" in sys.modules  # warmed up: the file was imported
    assert plugin._digits_split.cache_info().currsize == 0


def test_a_server_loads_the_standard_split_of_each_data_set_its_collected_tests_ask_for(tmp_path):
    """What a collected test asks for (digits for 04, 05 and 07, diabetes for 08) is made once, before any child is
    forked; what none asks for is not made."""
    from types import SimpleNamespace

    from autograder.runner import forkserver, plugin
    from autograder.runner.plugin import GradingPlugin

    test_file = REPO / "assignments" / "08_regression" / "test_regression.py"
    items = [SimpleNamespace(path=test_file, location=(test_file.name, 1, "test"), fixturenames=names)
             for names in (["student", "bars"], ["student", "bars", "diabetes"], ["student", "diabetes_split"])]
    server = GradingPlugin(".", None, ".", (REPO / "solutions").resolve())
    plugin._digits_split.cache_clear()
    plugin._diabetes_split.cache_clear()
    forkserver.warm_items(items, server)
    assert plugin._diabetes_split.cache_info().currsize == 1  # the standard split, made here
    assert plugin._digits_split.cache_info().currsize == 0  # no test asked for it
    plugin._diabetes_split()
    assert plugin._diabetes_split.cache_info().hits == 1
