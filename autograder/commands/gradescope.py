"""``autograder gradescope --out autograder.zip ASSIGNMENT``: the autograder Gradescope runs, for one assignment.

Gradescope's autograder specification (https://gradescope-autograders.readthedocs.io/en/latest/specs/):
the zip holds ``setup.sh`` (run once, as root, on Ubuntu, to build the image) and ``run_autograder``
(run for every submission, from ``/autograder``), both at its root; it is unpacked into
``/autograder/source``; the student's files arrive in ``/autograder/submission``; the results go to
``/autograder/results/results.json`` in Gradescope's results format, which ``grade`` writes too.

What the zip holds besides: ``wheels/`` (this package's wheel, which ``setup.sh`` installs into
``/autograder/venv`` with bubblewrap from apt) and ``kit/``, the assignment's part of the kit
(public and hidden tests, ``grading.toml``, thresholds, the reference solution). ``run_autograder``
runs ``python -m autograder.commands.gradescope``, which grades the submission exactly as ``grade``
does one student (the same runner, tests and bubblewrap sandbox, hidden tests marked
``after_due_date``): the module or notebook may be uploaded alone or in its assignment folder, and a
zip's wrapping folder is looked through. The submission is vetted first as ``grade`` vets each entry
(:func:`autograder.submissions.discover.vet`): a symbolic link anywhere in it (a zip or a GitHub repository
keeps them; one to ``kit/solutions/`` would grade the reference the zip ships), a tree too large or too deep,
or no file at all is its status, and nothing of it is graded. The status in ``results.json`` is the one ``grade`` gives
(``not started``, ``partly done (...)``, work under a near name, what went wrong).
Gradescope applies its own due dates and late policy; this kit's ``course.toml`` does not ship.

Hidden inputs are drawn per student, as ``grade`` draws them (:mod:`autograder.kit.secret`): for the
submitters' Gradescope user ids (``submission_metadata.json``), under a secret made for this zip from the
course secret (``kit/course-secret.txt``; the course secret itself never ships). Each submission runs in a
fresh container from the image, so a secret made there would be a new one every run: another student's
inputs, and a regrade of the same file drawing other inputs than the first grading.

The ``/autograder`` root and the Python that runs the grader can be moved with the environment
variables ``BACKPROP_GRADESCOPE_ROOT`` and ``BACKPROP_GRADESCOPE_PYTHON`` (the tests grade a fake
tree in a temporary folder).
"""
import argparse
import json
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from autograder.kit.assignments import assignment_files
from autograder.kit.config import load_points
from autograder.kit.course import Kit
from autograder.kit.secret import SECRET_FILE, course_secret, derived_secret

ROOT_VARIABLE = "BACKPROP_GRADESCOPE_ROOT"
PYTHON_VARIABLE = "BACKPROP_GRADESCOPE_PYTHON"
KIT_FOLDER = "kit"
METADATA_FILE = "submission_metadata.json"  # Gradescope's, beside submission/: who submitted, when
ANONYMOUS = "student"  # the id of a submission without metadata (a tree not made by Gradescope)
# Gradescope's base image is "a fresh install of the OS" (its docs/base_images.md): apt's package lists are empty
# there until `apt-get update`, and `apt-get install` finds no package.
SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, to build the autograder's image.
set -euo pipefail
ROOT="${{{root}:-/autograder}}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y python3 python3-venv python3-pip bubblewrap
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install "$ROOT"/source/wheels/*.whl
"""
RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission: grade /autograder/submission into /autograder/results/results.json.
set -euo pipefail
ROOT="${{{root}:-/autograder}}"
PYTHON="${{{python}:-$ROOT/venv/bin/python}}"
exec "$PYTHON" -m autograder.commands.gradescope --root "$ROOT" --assignment {assignment} --sandbox {sandbox}
"""


def build_autograder(root, name, out, sandbox=True):
    """Write Gradescope's autograder zip for the assignment ``name`` of the kit at ``root``; return its path.

    ``sandbox=False`` grades with a child process instead of bubblewrap (Gradescope's container is
    then the only boundary around student code).
    """
    from autograder.commands.release import build_wheel

    kit = Kit.read(root)
    assignment = kit.find(name)
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="autograder-gradescope-") as scratch:
        scratch = Path(scratch)
        for side in ("solutions", "assignments"):
            source = Path(root) / side / assignment.folder
            shutil.copytree(source, scratch / KIT_FOLDER / side / assignment.folder,
                            ignore=shutil.ignore_patterns("__pycache__", "*.ipynb", "lesson.md"))
        # Gradescope's own, made from the course secret: see the module's docstring.
        (scratch / KIT_FOLDER / SECRET_FILE).write_text(
            derived_secret(course_secret(root), f"gradescope {assignment.folder}") + "\n")
        build_wheel(root, scratch / "wheels")
        (scratch / "setup.sh").write_text(SETUP_SH.format(root=ROOT_VARIABLE))
        (scratch / "run_autograder").write_text(RUN_AUTOGRADER.format(
            root=ROOT_VARIABLE, python=PYTHON_VARIABLE, assignment=assignment.folder,
            sandbox="bwrap" if sandbox else "process"))
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
            for path in sorted(scratch.rglob("*")):
                if path.is_file():
                    info = zipfile.ZipInfo.from_file(path, path.relative_to(scratch).as_posix())
                    if path.name in ("setup.sh", "run_autograder"):
                        info.external_attr = 0o100755 << 16  # executable, as Gradescope runs them
                    bundle.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
    return out


def arranged_submission(submission, assignment, scratch):
    """The submission, vetted already (no link, within the size and depth bounds), laid out as ``grade`` reads it:
    files uploaded alone go into the assignment's folder.

    Gradescope unpacks an uploaded zip into ``submission/``: one that wraps the work in a folder
    (``my-work/02_softmax/softmax.py``) is looked through, as ``grade`` looks through a zip's.
    """
    from autograder.submissions.discover import unwrapped

    submission = unwrapped(submission, [assignment.folder])
    names = (f"{assignment.module}.py", f"{assignment.module}.ipynb")
    if not any((submission / name).is_file() for name in names):
        return submission  # in its folder already (02_softmax/softmax.py), or not there at all
    arranged = Path(scratch) / "submission"
    (arranged / assignment.folder).mkdir(parents=True)
    for name in names:
        if (submission / name).is_file():
            shutil.copy2(submission / name, arranged / assignment.folder / name)
    return arranged


def submitters(root):
    """The id hidden inputs are drawn for: the submitters' Gradescope user ids (a group's, sorted), else ANONYMOUS."""
    try:
        users = json.loads((Path(root) / METADATA_FILE).read_text())["users"]
        return "gradescope " + " ".join(sorted(str(user["id"]) for user in users))
    except (OSError, ValueError, KeyError, TypeError):
        return ANONYMOUS


def run_in_gradescope(root, name, sandbox_kind):
    """Grade ``root/submission`` into ``root/results/results.json``; return the score."""
    from autograder.results.files import tidy_log
    from autograder.results.gradescope import gradescope_results, results_json
    from autograder.results.scoring import score
    from autograder.results.write import problems_of, with_what_the_files_say
    from autograder.runner.submission import run_submission
    from autograder.sandbox.bubblewrap import bubblewrap_problem
    from autograder.submissions.discover import Submission, vet

    root = Path(root)
    kit_root = root / "source" / KIT_FOLDER
    assignment = Kit.read(kit_root).find(name)
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    points = {assignment.folder: load_points(kit_root / "solutions", assignment)}
    cannot_sandbox = bubblewrap_problem() if sandbox_kind == "bwrap" else ""
    if cannot_sandbox:  # said to the instructor in the autograder's output; the student is told whom to ask
        print(f"bubblewrap cannot sandbox here: {cannot_sandbox}; build the zip with --no-sandbox", file=sys.stderr)
        records, problems = [], ["the autograder cannot sandbox student code here (bubblewrap needs root and "
                                 "user namespaces); ask your instructor to rebuild it with --no-sandbox"]
    else:
        with tempfile.TemporaryDirectory(prefix="autograder-gradescope-") as scratch:
            # Vetted as grade vets each entry of SUBMISSIONS: a zip or a GitHub repository keeps symbolic links,
            # and one to kit/solutions/ scored the reference the autograder ships.
            vetted = vet(root / "submission", submitters(root), Path(scratch) / "work", [assignment.folder])
            if vetted.problem:
                records, problems = [], [vetted.problem]
            else:
                submission = arranged_submission(vetted.path, assignment, scratch)
                records, failure = run_submission(Submission(vetted.student, submission), kit_root, sandbox_kind,
                                                  results / "grader.log", tests=assignment_files(kit_root, assignment))
                tidy_log(results / "grader.log")  # as grade's: its traceback can quote the student's text
                # The status grade gives: how far the work got ("not started", "partly done"), then what went wrong.
                problems = with_what_the_files_say(([failure] if failure else []) + problems_of(records), submission,
                                                   kit_root, [assignment])
    scores = score(records, points)
    status = "; ".join(problem for problem in problems if problem) or "ok"
    output = gradescope_results(scores, time.monotonic() - started, status)
    (results / "results.json").write_text(results_json(output))
    return scores.total


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder.commands.gradescope",
                                     description="Grade a Gradescope submission (what run_autograder runs).")
    parser.add_argument("--root", default="/autograder")
    parser.add_argument("--assignment", required=True)
    parser.add_argument("--sandbox", choices=["bwrap", "process"], default="bwrap")
    args = parser.parse_args(argv)
    total = run_in_gradescope(args.root, args.assignment, args.sandbox)
    print(f"graded {args.assignment}: {total} points; wrote {Path(args.root) / 'results' / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
