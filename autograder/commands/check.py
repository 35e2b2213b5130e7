"""``autograder check``: a student runs the public tests of their own work, in seconds."""
from collections import defaultdict
from pathlib import Path

from autograder.kit.assignments import discover_assignments, read_assignment
from autograder.results.causes import by_cause, cause_of, same_error
from autograder.runner.run import run_tests
from autograder.sandbox.process import ChildProcess
from autograder.submissions.locate import missing_message, overlooked_message, submitted_file

def _release_root(folder):
    """The copy of the release ``folder`` belongs to: its parent when ``folder`` is an assignment's own folder."""
    return folder.parent if folder.is_dir() and read_assignment(folder) is not None else folder


def _here(folder):
    """What a student can name instead: the assignments found in ``folder`` (or beside it, in an assignment's)."""
    folder = _release_root(folder)
    found = discover_assignments(folder) if folder.is_dir() else []
    if not found:
        return "use a folder like 02_softmax or a module like softmax, inside your copy of the student release"
    return "the assignments here: " + ", ".join(f"{a.folder} (or {a.module})" for a in found)


def resolve(path, only=None):
    """The release root and the assignments to check for ``path``.

    ``path`` is a copy of the release (holding ``01_perceptron/`` ...), one
    assignment folder, or one module or notebook inside it (which then is the
    assignment checked); or, when no such file is there, an assignment's module
    name (``autograder check softmax`` in the release's folder, as the help lists
    them), also from inside an assignment's folder (``autograder check softmax`` in ``02_softmax/``,
    where the other assignments are its neighbours). ``only`` narrows to one assignment, named by
    folder or module (``"02_softmax"`` or ``"softmax"``).
    """
    path = Path(path).resolve()
    here = read_assignment(path.parent) if not path.exists() and path.parent.is_dir() else None
    if here is not None and here.named(path.name) and only is None:
        path = path.parent  # the folder one stands in, not a neighbour holding the same assignment (a backup copy)
    elif not path.exists():
        root = _release_root(path.parent)
        named = [a for a in discover_assignments(root) if a.named(path.name)] if root.is_dir() else []
        if not named or only is not None:
            raise FileNotFoundError(f"{path} does not exist; {_here(path.parent)}")
        if len(named) > 1:
            raise ValueError(f"{path.name} names {len(named)} folders here ({', '.join(a.folder for a in named)}): "
                             "name the folder to check, e.g. autograder check " + named[0].folder)
        path, only = root, named[0].folder
    if path.is_file():
        if path.suffix.lower() not in (".py", ".ipynb"):
            unzip = " (unzip it into a folder, then check that folder)" if path.suffix.lower() == ".zip" else ""
            raise ValueError(f"{path.name} is not a module or notebook: check runs the tests on a .py or .ipynb file, "
                             f"an assignment folder or your copy of the release{unzip}")
        path, stem = path.parent, path.stem
        own = read_assignment(path)
        only = only or (own.folder if own is not None and own.module == stem else None)
    own = read_assignment(path)
    if own is not None:
        root, chosen = path.parent, [own]
        known = discover_assignments(root) if root.is_dir() else (own,)
    else:
        root = path
        known = chosen = list(discover_assignments(path)) if path.is_dir() else []
    if only is not None:
        wanted = next((a for a in known if a.named(only)), None)
        if wanted is None:
            raise ValueError(f"unknown assignment {only!r}; {_here(root)}")
        chosen = [wanted]
    if not chosen:
        raise FileNotFoundError(f"no assignment folders (01_perceptron, ...) at {path}: run this inside your "
                                "copy of the student release, or pass its path")
    return root, chosen


def public_test_files(root, assignments):
    files = [file for a in assignments for file in sorted((root / a.folder).glob("test_*.py"))
             if not file.name.startswith("test_hidden_")]
    if not files:
        raise FileNotFoundError(f"no public tests (test_*.py) in {', '.join(a.folder for a in assignments)}")
    return files


def _names(records):
    """The tests of ``records`` by function, with their number of cases: ``test_softmax (3 cases), test_nll``."""
    counts = {}
    for record in records:
        counts[record.test] = counts.get(record.test, 0) + 1
    return ", ".join(name + (f" ({count} cases)" if count > 1 else "") for name, count in counts.items())


def report(records, write=print):
    """Print the per-test outcome, grouped by assignment; return (passed, total).

    Failures of one cause (the same message and details) are told once, with the tests they hit
    (:mod:`autograder.results.causes`).
    """
    by_assignment = defaultdict(list)
    for record in records:
        by_assignment[record.assignment].append(record)
    for folder, rows in by_assignment.items():
        passed = sum(r.passed for r in rows)
        write(f"\n{folder}: {passed} of {len(rows)} public tests pass")
        for group in by_cause(rows, lambda r: ("passed", id(r)) if r.passed else cause_of(vars(r))):
            record = group[0]
            if len(group) == 1:
                case = f"[{record.case}]" if record.case else ""
                line = f"  {'PASS' if record.passed else 'FAIL'} {record.test}{case}"
            else:
                line = f"  FAIL {same_error(len(group))}: {_names(group)}"
            write(line + (f"\n       {record.message}" if record.message else ""))
            if record.details and not record.passed:
                write("       " + record.details.strip().replace("\n", "\n       "))
    passed = sum(r.passed for r in records)
    write(f"\npublic: {passed} of {len(records)}; hidden tests run at grading")
    return passed, len(records)


def check(path=".", only=None, write=print):
    """Run the public tests at ``path``; print the report; return True when all pass.

    Per assignment, the module counts, or the notebook when the module is
    missing or still the released stub (:func:`~autograder.submissions.locate.submitted_file`);
    a module or notebook named as ``path`` counts in any case. From a notebook, the check
    cell's ``check_notebook("softmax")`` tests the code the notebook has run instead. A traceback
    through a notebook's code names its cells, not the scratch module the code ran as.
    """
    root, assignments = resolve(path, only)
    submission = Path(path).resolve() if Path(path).is_file() else root
    records = run_tests(submission, public_test_files(root, assignments), ChildProcess())
    write(f"Checked with a {ChildProcess.name}.")
    for assignment in assignments:
        checked = submitted_file(submission, assignment)
        write(f"{assignment.folder}: " + (f"checked {checked.name}" if checked else missing_message(submission, assignment)))
        overlooked = overlooked_message(submission, assignment)  # "" when a file was named: it counts
        if overlooked:
            write(overlooked)
    passed, total = report(records, write)
    return passed == total

