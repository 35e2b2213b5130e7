"""`autograder check` on correct submissions written differently: no diagnosis, ever (a wrong one is worse than none)."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ASSIGNMENTS, REPO


sys.path.insert(0, str(REPO / "examples"))

from build_examples import build  # noqa: E402
from catalogue import BUG, EXAMPLES, VARIANT  # noqa: E402

pytestmark = pytest.mark.slow
CORRECT = [name for name, example in EXAMPLES.items() if example.kind == VARIANT and "zip" not in name]


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """What `autograder check` prints for the reference, each correct variant and three bugs, in copies of the release."""
    base = tmp_path_factory.mktemp("check")
    bugs = ["bug_nll_sign", "bug_softmax_wrong_axis", "bug_mlp_dsigmoid_formula_on_output"]
    build(base, [EXAMPLES[name] for name in CORRECT + bugs])
    command = Path(sys.executable).with_name("autograder")
    printed = {}
    for name in ["reference", *CORRECT, *bugs]:
        for assignment in ASSIGNMENTS:  # the public tests beside the work, as in a copy of the release
            folder = base / name / assignment.folder
            for public in (REPO / "assignments" / assignment.folder).glob("*"):
                if folder.is_dir() and (public.name.startswith("test_") or public.name == "thresholds.toml"):
                    shutil.copy(public, folder / public.name)
        printed[name] = subprocess.run([str(command), "check", str(base / name)], capture_output=True, text=True,
                                       timeout=600).stdout
    return printed


@pytest.mark.parametrize("name", ["reference", *CORRECT])
def test_a_correct_submission_gets_no_diagnosis_in_check(checked, name):
    assert "public:" in checked[name] and "Diagnosis" not in checked[name], checked[name]


@pytest.mark.parametrize("name", ["bug_nll_sign", "bug_softmax_wrong_axis", "bug_mlp_dsigmoid_formula_on_output"])
def test_check_names_a_bug_that_a_public_test_can_see(checked, name):
    example = EXAMPLES[name]
    said = [line.split("Diagnosis: ", 1)[1] for line in checked[name].splitlines() if "Diagnosis: " in line]
    assert example.kind == BUG and any(words in line for line in said for words in example.said), checked[name]
