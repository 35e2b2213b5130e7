"""The student bundle: complete enough to check work, and free of solutions and hidden tests."""
import ast
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from conftest import ASSIGNMENTS, REPO, load_solution

from autograder.generate.source import SolutionSource
from autograder.generate.leaks import quoted_lines, secret_lines
from autograder.kit.secret import SECRET_FILE, course_secret
from autograder.testing.helper_bugs import METHODS, PROBES, TrustedHelpers


@pytest.fixture(scope="module")
def bundle(released_bundle):
    return released_bundle


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


# Given in full to every student: the public tests check every sigmoid against it (autograder/testing/sigmoid.py).
PUBLIC_FORMULAS = {"sigmoid", "dsigmoid", "sigmoid_prime"}


def retry_probes():
    """``{"folder:helper": [(args, kwargs, the reference's value)]}`` of every helper and method a retry pins."""
    probes = {}
    for assignment in ASSIGNMENTS:
        trusted = TrustedHelpers(load_solution(assignment.module), assignment.folder)
        for name in trusted.names:
            formula = trusted.formula(name)
            if "." in name:
                method = METHODS[assignment.folder][name]
                calls = [((method.attributes, *args), kwargs) for args, kwargs in method.calls]
            else:
                calls = [(args, {}) for args in PROBES[name]]
            probes[f"{assignment.folder}:{name}"] = [(args, kwargs, formula(*args, **kwargs)) for args, kwargs in calls]
    return probes


def test_the_wheel_computes_no_helper_a_training_retry_pins(bundle, tmp_path):
    """By behaviour, whatever the wording: no function the public tests can import gives a pinned helper's values.

    The retries' answers are the reference's, on the grading side; a trusted formula in the wheel is an answer
    handed out (07's helpers and network, 05's ``NeuralNet.forward`` were).
    """
    (wheel,) = (bundle / "wheels").glob("backprop_kit-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(tmp_path / "wheel")
    probes = tmp_path / "probes.pickle"
    probes.write_bytes(pickle.dumps(retry_probes()))
    script = Path(__file__).with_name("graded_in_wheel.py")
    environment = {name: value for name, value in os.environ.items() if name not in ("PYTHONPATH", "BACKPROP_KIT_ROOT")}
    result = subprocess.run([sys.executable, str(script), str(tmp_path / "wheel"), str(probes)],
                            capture_output=True, text=True, cwd=tmp_path, env=environment, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    imported_from, found = result.stdout.splitlines()[-2:]
    assert Path(imported_from).is_relative_to(tmp_path / "wheel"), imported_from
    leaks = [(function, helper) for function, helper in json.loads(found)
             if helper.split(":")[1] not in PUBLIC_FORMULAS]
    assert leaks == [], f"the student wheel computes graded helpers: {leaks}"


def test_bundle_never_holds_the_course_secret(bundle):
    secret = course_secret(REPO)
    assert not list(bundle.rglob(SECRET_FILE))
    for name, text in bundle_texts(bundle):
        assert secret not in text, f"the course secret is in {name}"


@pytest.fixture(scope="module")
def release_02(tmp_path_factory):
    """``autograder release --out B 02_softmax``, as an instructor types it."""
    from autograder.cli import main

    out = tmp_path_factory.mktemp("release-02") / "bundle"
    assert main(["release", "--out", str(out), "--root", str(REPO), "02_softmax"]) == 0
    return out


def test_a_release_of_02_holds_02_alone_and_no_line_of_any_graded_body(release_02):
    assert sorted(path.name for path in release_02.iterdir()) == ["02_softmax", "README.md", "conftest.py", "wheels"]
    secrets = secret_lines(REPO)
    for name, text in bundle_texts(release_02):
        assert quoted_lines(text, secrets) == [], f"{name} quotes a graded body"


def run_as_student(student_machine, *args):
    return student_machine.run("autograder", *args)


@pytest.mark.slow  # the student machine: a fresh venv, installed once per session
def test_the_student_machine_imports_the_wheel_not_the_checkout(student_machine):
    probe = student_machine.run("python", "-c", "import autograder; print(autograder.__file__)")
    assert probe.stdout.startswith(str(student_machine.venv)), probe.stdout + probe.stderr


@pytest.mark.slow  # the student machine: a fresh venv, installed once per session
def test_check_on_the_untouched_stubs_fails_every_public_test(student_machine):
    result = run_as_student(student_machine, "check")
    assert result.returncode != 0
    assert "ModuleNotFoundError" not in result.stdout + result.stderr
    last = result.stdout.rstrip().splitlines()[-1]
    assert last.startswith("public: 0 of ") and last.endswith("hidden tests run at grading"), result.stdout[-2000:]
    assert "softmax is not written yet" in result.stdout


@pytest.mark.slow  # the student machine: a fresh venv, installed once per session
def test_check_on_a_correct_02_passes_and_exits_0(student_machine):
    module = student_machine.bundle / "02_softmax" / "softmax.py"
    stub = module.read_text()
    module.write_text((REPO / "solutions" / "02_softmax" / "softmax.py").read_text())
    try:
        result = run_as_student(student_machine, "check", ".", "02_softmax")
    finally:
        module.write_text(stub)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    last = result.stdout.rstrip().splitlines()[-1]
    total = last.split(" of ")[1].split(";")[0]
    assert last == f"public: {total} of {total}; hidden tests run at grading"


@pytest.mark.slow  # the student machine: a fresh venv, installed once per session
def test_check_names_a_one_change_mistake_from_the_bundles_fingerprints(student_machine):
    """No reference on the laptop: the mistake is named from the bundle's fingerprints.json, and the student's code
    computes it in another float order than the mutant it matches (a sum of two quotients, not a quotient)."""
    assert (student_machine.bundle / "08_regression" / "fingerprints.json").is_file()
    module = student_machine.bundle / "08_regression" / "regression.py"
    stub, reference = module.read_text(), (REPO / "solutions" / "08_regression" / "regression.py").read_text()
    old = "delta = (activation - as_rows(Y, len(X))) / len(X)"
    assert reference.count(old) == 1
    module.write_text(reference.replace(old, "delta = activation / len(X) + as_rows(Y, len(X)) / len(X)"))
    try:
        result = run_as_student(student_machine, "check", ".", "08_regression")
    finally:
        module.write_text(stub)
    assert "Diagnosis: your `deep_gradients` adds `as_rows(...)` where it should subtract it" in result.stdout, \
        result.stdout[-3000:] + result.stderr[-3000:]


@pytest.mark.slow  # the student machine: a fresh venv, installed once per session
def test_pytest_in_the_bundle_runs_the_public_tests_as_check_does(student_machine):
    """``python -m pytest 02_softmax``, as the bundle's README says, on the untouched stubs."""
    result = student_machine.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "02_softmax")
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    assert "ModuleNotFoundError" not in result.stdout + result.stderr
    assert "softmax is not written yet" in result.stdout
    assert re.search(r"\b(\d+) failed in", result.stdout) and " passed" not in result.stdout, result.stdout[-2000:]


@pytest.mark.slow
def test_the_bundles_public_tests_pass_on_the_reference_with_the_checkout_off_the_path(student_machine, tmp_path):
    """CI's check that the public tests need nothing but the wheel: every assignment, solved, under pytest."""
    solved = tmp_path / "solved"
    shutil.copytree(student_machine.bundle, solved, ignore=shutil.ignore_patterns("wheels"))
    for assignment in ASSIGNMENTS:
        shutil.copy(REPO / "solutions" / assignment.module_file, solved / assignment.module_file)
    result = student_machine.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=solved, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = result.stdout.rstrip().splitlines()[-1]
    assert re.match(r"\d+ passed\b", summary) and not re.search("failed|error|skipped", summary), summary
