"""The kit's own bytecode, written by ``grade`` where Python would not write it (``PYTHONDONTWRITEBYTECODE``)."""
import importlib.util
import sys
from pathlib import Path

import pytest

from autograder.kit import bytecode
from autograder.kit.bytecode import compile_kit


@pytest.fixture
def kit(tmp_path):
    """A kit of one assignment: a reference and a hidden test, a stub and a public test."""
    for side, files in (("solutions", ("perceptron.py", "test_hidden_perceptron.py")),
                        ("assignments", ("perceptron.py", "test_perceptron.py"))):
        folder = tmp_path / side / "01_perceptron"
        folder.mkdir(parents=True)
        for name in files:
            (folder / name).write_text(f"NAME = {name!r}\n")
    return tmp_path


def compiled(path):
    return Path(importlib.util.cache_from_source(str(path)))


def test_written_where_python_would_not(kit, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert compile_kit(kit)
    sources = sorted(kit.glob("*/01_perceptron/*.py"))
    assert len(sources) == 4 and all(compiled(source).is_file() for source in sources)
    assert compiled(Path(bytecode.__file__)).is_file()  # the grader's package too
    # Fresh files are left as they are: a later command only looks at them.
    before = {source: compiled(source).stat().st_mtime_ns for source in sources}
    compile_kit(kit)
    assert {source: compiled(source).stat().st_mtime_ns for source in sources} == before


def test_left_to_python_where_it_writes_them(kit, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    assert not compile_kit(kit)
    assert not list(kit.rglob("*.pyc"))
