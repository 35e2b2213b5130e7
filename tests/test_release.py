"""The student bundle: complete enough to check work, and free of solutions and hidden tests."""
import ast
import os
import subprocess
import sys
import textwrap
import zipfile

import pytest
from conftest import REPO

from autograder.assignments import ASSIGNMENTS
from autograder.generate.source import SolutionSource
from autograder.release import build_release


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    return build_release(REPO, tmp_path_factory.mktemp("release") / "bundle")


def bundle_texts(bundle):
    """Every file of the bundle as text, the members of the wheel included."""
    for path in bundle.rglob("*"):
        if path.suffix == ".whl":
            with zipfile.ZipFile(path) as wheel:
                for member in wheel.namelist():
                    yield f"{path.name}/{member}", wheel.read(member).decode("utf-8", "replace")
        elif path.is_file():
            yield str(path.relative_to(bundle)), path.read_text(errors="replace")


def reference_bodies():
    """The code of every solution region, whitespace-normalised, with at least two statements or 40 characters.

    EXERCISES.md gives 02's one_hot, softmax and nll filled in as helpers of 04 and
    05, so bodies that stand outside the regions of some solution are public by
    contract and not searched for.
    """
    sources = [SolutionSource.read(REPO / "solutions" / a.module_file) for a in ASSIGNMENTS]
    given = " ".join(" ".join(part.split()) for source in sources for part in source.parts if isinstance(part, str))
    for source in sources:
        for region in source.regions:
            code = " ".join(region.code.split())
            if code not in given and (len(ast.parse(textwrap.dedent(region.code)).body) > 1 or len(code) >= 40):
                yield f"{source.path.stem}:{region.owner or 'module'}", code


def hidden_test_names():
    for path in (REPO / "solutions").glob("*/test_hidden_*.py"):
        yield path.name
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                yield node.name


def test_bundle_holds_every_stub_public_test_and_the_wheel(bundle):
    for assignment in ASSIGNMENTS:
        assert (bundle / assignment.module_file).read_text() == (REPO / "assignments" / assignment.module_file).read_text()
        assert list((bundle / assignment.folder).glob("test_*.py")), assignment.folder
    assert len(list((bundle / "wheels").glob("backprop_kit-*.whl"))) == 1


def test_bundle_contains_no_reference_body_and_no_hidden_test(bundle):
    texts = [(name, " ".join(text.split())) for name, text in bundle_texts(bundle)]
    for label, body in reference_bodies():
        for name, text in texts:
            assert body not in text, f"the reference body of {label} is in {name}"
    for hidden in set(hidden_test_names()):
        for name, text in texts:
            assert hidden not in text, f"hidden test {hidden} is named in {name}"


def test_check_runs_from_the_bundle_alone(bundle, tmp_path):
    """With only the wheel's packages (no checkout, no solutions), check reports the stubs as not done."""
    site = tmp_path / "site"
    with zipfile.ZipFile(next((bundle / "wheels").glob("*.whl"))) as wheel:
        wheel.extractall(site)
    environment = {**os.environ, "PYTHONPATH": str(site)}
    probe = subprocess.run([sys.executable, "-c", "import autograder; print(autograder.__file__)"],
                           capture_output=True, text=True, env=environment, cwd=bundle)
    assert probe.stdout.startswith(str(site))
    result = subprocess.run([sys.executable, "-m", "autograder.cli", "check", ".", "02_softmax"],
                            capture_output=True, text=True, env=environment, cwd=bundle, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "softmax is not written yet" in result.stdout
    assert result.stdout.rstrip().endswith("hidden tests run at grading")
