"""``--help`` of every command explains and shows examples, and every example is a command line that parses."""
import re
import shlex

import pytest

from conftest import REPO
from autograder import cli
from autograder.generate import generated_files

COMMANDS = ["check", "grade", "export", "gradescope", "release", "generate"]


def help_text(capsys, *argv):
    with pytest.raises(SystemExit) as stopped:
        cli.build_parser().parse_args([*argv, "--help"])
    assert stopped.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_ends_with_examples_that_parse(capsys, command):
    text = help_text(capsys, *([command] if command else []))
    examples = text.split("\nexamples:\n", 1)[1]
    lines = [line.split("   ")[0].strip() for line in examples.splitlines() if line.startswith("  autograder ")]
    assert lines and (command is None or all(line.startswith(f"autograder {command}") for line in lines))
    for line in lines:
        argv = shlex.split(line)[1:]
        if "--help" not in argv:
            assert cli.build_parser().parse_args(argv).command == argv[0], line


@pytest.mark.parametrize("command", COMMANDS)
def test_examples_keep_their_lines_and_the_description_still_wraps(capsys, monkeypatch, command):
    monkeypatch.setenv("COLUMNS", "80")  # argparse wraps to the terminal
    text = help_text(capsys, command)
    description = text.split("\n\n")[1]
    assert max(len(line) for line in description.splitlines()) <= 80  # argparse's wrapping, not one long line
    assert re.search(r"^  autograder \S", text, re.MULTILINE)


def test_generate_names_every_kind_of_file_it_writes(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    text = " ".join(help_text(capsys, "generate").split())
    names = {path.name for path in generated_files(REPO)} | {"fingerprints.json"}  # derived: made by running the kit
    kinds = {name if name.endswith(".json") or name.endswith(".toml") else "notebooks" if name.endswith(".ipynb")
             else "stubs" for name in names}
    assert all(kind in text for kind in kinds), kinds


def test_grade_names_what_it_writes_and_the_term_files_it_reads(capsys, monkeypatch):
    """A newcomer's questions: where is the class report, and how are due dates and late work told?"""
    monkeypatch.setenv("COLUMNS", "200")
    text = " ".join(help_text(capsys, "grade").split())
    for name in ("gradebook.csv", "results.json", "feedback.html", "report.html", "changes.csv", "course.toml",
                 "extensions.csv", "manual.csv", "submitted.csv"):
        assert name in text, name


def test_a_reader_that_goes_away_stops_the_command_quietly(monkeypatch, capsys):  # capsys: no real stdout to redirect
    """``autograder check | head``: the rest of the report has nowhere to go; no traceback."""
    def gone(args):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli, "cmd_check", gone)
    assert cli.main(["check"]) == 141


@pytest.mark.parametrize("jobs", ["0", "-3", "two"])
def test_jobs_below_one_is_refused_with_what_to_pass(capsys, jobs):
    with pytest.raises(SystemExit) as stopped:
        cli.build_parser().parse_args(["grade", "submissions", "--out", "graded", "--jobs", jobs])
    assert stopped.value.code == 2 and "pass 1 or more" in capsys.readouterr().err


def test_release_onto_a_file_says_so_and_leaves_it(tmp_path, capsys):
    taken = tmp_path / "bundle"
    taken.write_text("notes\n")
    assert cli.main(["release", "--out", str(taken), "--root", str(REPO), "02_softmax"]) == 2
    said = capsys.readouterr().err
    assert "is a file: --out is the new folder" in said and "Traceback" not in said
    assert taken.read_text() == "notes\n"


def test_a_path_through_a_file_is_said_in_words_with_what_to_do(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("")
    assert cli.main(["release", "--out", str(tmp_path / "notes.txt" / "bundle"), "--root", str(REPO)]) == 2
    said = capsys.readouterr().err
    assert said.startswith(f"autograder release: {tmp_path / 'notes.txt' / 'bundle'}: Not a directory (a folder on")
    assert "Errno" not in said and "Traceback" not in said
