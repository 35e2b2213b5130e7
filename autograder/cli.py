"""The ``autograder`` command: check (students), grade and release (instructors), generate (developers)."""
import argparse
import contextlib
import os
import signal
import shutil
import sys
import textwrap
from pathlib import Path

from autograder.version import __version__
from autograder.kit.assignments import find_kit_root

STATUS_MIN_WIDTH = 40  # the printed gradebook wraps statuses to the terminal, but never narrower than this


def cmd_check(args):
    from autograder.commands.check import check

    return 0 if check(args.path, args.assignment) else 1


def cmd_grade(args):
    from autograder.kit.bytecode import compile_kit

    root = find_kit_root(args.root)
    compile_kit(root)  # before the imports below, which then read it
    from autograder.commands.grade import grade
    from autograder.sandbox.bubblewrap import bubblewrap_problem
    from autograder.sandbox.kinds import sandbox_class

    if args.cluster:
        return grade_on_cluster(args, root)
    # Asked before choosing: where bwrap cannot sandbox, every student's code would seem to exit at import, and be
    # graded so; "auto" then falls back to the child process only when told --no-sandbox.
    problem = "" if args.sandbox == "process" else bubblewrap_problem()
    if problem and not (args.no_sandbox and args.sandbox == "auto"):
        print(f"autograder grade: no bubblewrap sandbox: {problem}. In a container, allow it namespaces (Docker: "
              "--privileged). Without a sandbox, student code could read and change anything you can: pass "
              "--no-sandbox to grade without one (only for code you trust, e.g. your own test submissions).",
              file=sys.stderr)
        return 2
    if args.sandbox == "process" and not args.no_sandbox:
        print("autograder grade: --sandbox process is not a security sandbox; pass --no-sandbox to grade without "
              "one (only for code you trust)", file=sys.stderr)
        return 2
    sandbox = sandbox_class(args.sandbox)

    def announce(set_aside):  # once the folders and the term's files are found right: a mistake there is said alone
        print(f"grading with a {sandbox.name}, {args.jobs} job(s)", file=sys.stderr)
        if sandbox.secure:
            print(resource_bounds(), file=sys.stderr)
        print_set_aside(set_aside)

    sandbox_kind = "process" if not sandbox.secure else "bwrap"
    changed_before = changes_so_far(args.out)
    try:
        rows = grade(args.submissions, args.out, root, args.jobs, sandbox_kind, progress=not args.quiet,
                     announce=announce, **term_options(args))
    except KeyboardInterrupt:
        print("\ninterrupted: finished submissions are kept; run the same command again to resume",
              file=sys.stderr)
        return 130
    print_gradebook(rows)
    print_changes(args.out, changed_before)
    print_written(args.out)
    return 0


def print_written(out):
    """Where grade's results are, the class report first: it is what an instructor opens first."""
    out = Path(out)
    print(f"\nwrote {out / 'report.html'} (the class report: open it first), {out / 'gradebook.csv'} and, per "
          "student, results.json and feedback.html")


def changes_so_far(out):
    """How many score changes ``OUT/changes.csv`` holds before a run: the ones after them are the run's."""
    from autograder.results.changes import read_changes

    return len(read_changes(out))


def print_changes(out, before, shown=10):
    """The scores this run changed (the rows of changes.csv after its first ``before``), ``shown`` of them listed."""
    from autograder.results.changes import CHANGES_FILE, read_changes
    from autograder.submissions.student_ids import printable

    changed = read_changes(out)[before:]
    if not changed:
        return
    print(f"\n{len(changed)} score(s) changed in this run (all of them, with why, in {Path(out) / CHANGES_FILE}):")
    for row in changed[:shown]:
        print(printable(f"  {row['student']}, {row['assignment']}: {row['old']} -> {row['new']} ({row['reason']})"))
    if len(changed) > shown:
        print(f"  and {len(changed) - shown} more")


def print_set_aside(set_aside):
    """What of SUBMISSIONS is not graded, and why, on stderr (a resubmission beside the first, a hidden name); the
    entries' names are the students', printed with nothing a terminal acts on."""
    from autograder.submissions.student_ids import printable

    for note in set_aside:
        print(printable(f"set aside: {note}"), file=sys.stderr)


def resource_bounds():
    """One line on how the sandboxes' resources are bounded on this host: control groups, or rlimits alone."""
    from autograder.sandbox.cgroups import available

    version, reason = available()
    if version:
        return (f"resources: each submission's sandbox in a {version} control group of its own (memory and "
                "processes bounded per submission, an equal CPU share, time limits in its own CPU time)")
    return (f"resources: no control groups ({reason}); per-process rlimits and wall-clock time limits "
            "instead, so a busy neighbour can slow a submission down")


def grade_on_cluster(args, root):
    """``grade --cluster``: the Dask workers sandbox (bubblewrap, unless told --no-sandbox)."""
    from autograder.runner.cluster import ClusterError
    from autograder.commands.grade import grade

    sandbox_kind = "process" if args.sandbox == "process" or (args.no_sandbox and args.sandbox == "auto") else "bwrap"
    if sandbox_kind == "process" and not args.no_sandbox:
        print("autograder grade: --sandbox process is not a security sandbox; pass --no-sandbox to grade "
              "on the cluster without one (only for code you trust)", file=sys.stderr)
        return 2
    print(f"grading on the Dask cluster at {args.cluster}, each submission sandboxed on its worker "
          f"({sandbox_kind})", file=sys.stderr)
    changed_before = changes_so_far(args.out)
    try:
        rows = grade(args.submissions, args.out, root, args.jobs, sandbox_kind, progress=not args.quiet,
                     cluster=args.cluster, announce=print_set_aside, **term_options(args))
    except KeyboardInterrupt:
        print("\ninterrupted: finished submissions are kept; run the same command again to resume",
              file=sys.stderr)
        return 130
    except ClusterError as error:
        print(f"autograder grade --cluster: {error}\nfinished submissions are kept; run the same command "
              "again to resume", file=sys.stderr)
        return 1
    except ImportError as error:
        if error.name not in ("dask", "distributed"):
            raise
        print("autograder grade --cluster needs dask.distributed: pip install 'backprop-kit[cluster]'",
              file=sys.stderr)
        return 2
    print_gradebook(rows)
    print_changes(args.out, changed_before)
    print_written(args.out)
    return 0


def term_options(args):
    """The term options of ``grade`` (what to grade, for whom, with what on top), as :func:`grade` takes them."""
    return dict(assignments=args.assignment or (), roster=args.roster, force=args.force, students=args.student or (),
                overrides=args.overrides, feedback=args.feedback)


def print_gradebook(rows):
    """The gradebook as a table on the terminal; student text (ids, statuses) with nothing a terminal acts on."""
    if not rows:
        print("nothing graded: no submissions, and nobody on the roster")
        return
    from autograder.submissions.student_ids import printable, terminal_width

    # The status may be long: printed last, wrapped to the terminal, never cut.
    header = list(next((row for row in rows if "total" in row), rows[0]))
    columns = [c for c in header if c != "status"]
    rows = [{column: printable(str(row.get(column, ""))) for column in [*columns, "status"]} for row in rows]
    widths = {c: max([len(c), *(terminal_width(row[c]) for row in rows)]) for c in columns}
    before = sum(widths[c] + 2 for c in columns)
    status_width = max(STATUS_MIN_WIDTH, shutil.get_terminal_size().columns - before - 1)

    def padded(text, column):  # by the columns a terminal shows (a class of 李雷 and José), not by characters
        return text + " " * (widths[column] - terminal_width(text))

    print("  ".join([*(padded(c, c) for c in columns), "status"]))
    for row in rows:
        lines = textwrap.wrap(row["status"], status_width, break_on_hyphens=False) or [""]
        print("  ".join([*(padded(row[c], c) for c in columns), lines[0]]).rstrip())
        for line in lines[1:]:
            print(" " * before + line)


def cmd_export(args):
    from autograder.commands.export import export, needing_review, not_in_gradebook

    count = export(args.folder, args.to, args.out, args.roster)
    print(f"wrote {args.out}: {count} student(s), for {args.to}")
    flagged = needing_review(args.folder)
    if flagged:
        print(f"warning: {len(flagged)} student(s) need review, exported with the flagged assignment at 0: "
              f"{', '.join(flagged)}. Read their feedback.html in {args.folder}; to give points, grade again with "
              "--overrides and export again.", file=sys.stderr)
    absent = not_in_gradebook(args.folder, args.roster) if args.roster else []
    if absent:
        print(f"warning: {len(absent)} roster student(s) have no row in the gradebook, so none in {args.out}: "
              f"{', '.join(absent)}. Grade with --roster {args.roster} to give each one (0, missing).", file=sys.stderr)
    return 0


def cmd_gradescope(args):
    from autograder.commands.gradescope import build_autograder

    out = build_autograder(find_kit_root(args.root), args.assignment, args.out, sandbox=not args.no_sandbox)
    print(f"wrote {out}: upload it as the autograder of a Gradescope programming assignment")
    return 0


def cmd_release(args):
    from autograder.commands.release import build_release, chosen_assignments, leak_warnings

    root = find_kit_root(args.root)
    assignments = chosen_assignments(root, args.assignments)
    out = build_release(root, args.out, assignments)
    for warning in leak_warnings(root, assignments):
        print(f"warning: {warning}", file=sys.stderr)
    print(f"wrote the student bundle of {', '.join(a.folder for a in assignments)} to {out} "
          "(stubs, notebooks, public tests, thresholds, wheels/)")
    return 0


def cmd_generate(args):
    from autograder.generate import stale_files, write_generated_files
    from autograder.runner.fingerprints import DERIVED

    root = find_kit_root(args.root)
    if args.check:
        stale = stale_files(root, derived=DERIVED)
        for path in stale:
            print(f"stale: {path}")
        if stale:
            print("run `autograder generate` and commit the result", file=sys.stderr)
            return 1
        print("generated files are up to date")
        return 0
    written = write_generated_files(root, DERIVED)
    for path in written:
        print(f"wrote {path}")
    print(f"{len(written)} file(s) written, the rest were up to date")
    return 0


EXAMPLES = {
    None: """\
examples:
  autograder check                        students: what to fix next, for every assignment here
  autograder grade submissions --out graded
                                          instructors: grade a class (one folder, zip or notebook each)
  autograder release --out bundle 02_softmax
                                          instructors: what the students get
  autograder grade --help                 more on one command""",
    "check": """\
examples:
  autograder check                        every assignment in this folder
  autograder check . 02_softmax           one assignment (or: autograder check 02_softmax)
  autograder check 02_softmax/softmax.ipynb
                                          the notebook, even when the module is filled in""",
    "grade": """\
examples:
  autograder grade submissions --out graded
      submissions/ holds alice/02_softmax/softmax.py, bob.zip, carol.ipynb ...: one per student, named by id
  autograder grade submissions --out graded --assignment 02_softmax --roster roster.csv
      this week's assignment only; every roster student gets a row
  autograder grade submissions --out graded --student alice
      run alice's tests again (the others are kept)
  autograder grade ~/nn-course --out graded
      an nbgrader course folder: its submitted/<student>/<assignment>/
Run it again after Ctrl-C or a crash: it resumes, and regrades only what changed.""",
    "export": """\
examples:
  autograder export graded --to canvas --roster roster.csv --out canvas.csv
  autograder export graded --to csv --out grades.csv""",
    "gradescope": """\
examples:
  autograder gradescope 02_softmax --out autograder.zip""",
    "release": """\
examples:
  autograder release --out bundle 02_softmax
                                          one assignment: give the students bundle/
  autograder release --out bundle         every assignment""",
    "generate": """\
examples:
  autograder generate --check             is every generated file up to date?
  autograder generate                     rewrite the stale ones""",
}


class ExamplesFormatter(argparse.HelpFormatter):
    """Wraps the description as usual but keeps the examples' lines as written (they are aligned by hand)."""

    def _fill_text(self, text, width, indent):
        if text.startswith("examples:"):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def at_least_one(text):
    """``--jobs``: a whole number of submissions graded at once, 1 or more."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of submissions graded at once: pass 1 or more")
    return number


def build_parser():
    parser = argparse.ArgumentParser(
        prog="autograder", epilog=EXAMPLES[None], formatter_class=ExamplesFormatter,
        description="Backprop Kit: check your work (students), grade a class and build the student "
        "bundle (instructors), regenerate the release (developers).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    check = commands.add_parser(
        "check", epilog=EXAMPLES["check"], formatter_class=ExamplesFormatter, help="run the public tests on your work and say what to fix next",
        description="Run the public tests of the assignments found at PATH (a copy of the student "
        "release, one assignment folder, or one module or notebook) and report, per test, what "
        "passed and why the others failed. Exit status 0 only when all pass. Student code runs in a "
        "child process (crashes and endless loops are caught), which is not a security sandbox.",
    )
    check.add_argument("path", nargs="?", default=".", help="where your assignments are (default: here)")
    check.add_argument("assignment", nargs="?", help="only this assignment, e.g. 02_softmax or softmax")
    check.set_defaults(run=cmd_check)

    grade = commands.add_parser(
        "grade", epilog=EXAMPLES["grade"], formatter_class=ExamplesFormatter, help="grade every submission in a folder: gradebook, results.json, feedback",
        description="Grade every submission in SUBMISSIONS (one sub-folder, .zip or notebook per "
        "student; the name is the student id) with the public and hidden tests, in parallel. Writes "
        "OUT/gradebook.csv and, per student, OUT/<student>/results.json (Gradescope's format) and "
        "feedback.html, then the class report OUT/report.html (open it first); every score a run changes "
        "goes into OUT/changes.csv. Interrupted or killed, the same command resumes where it stopped. "
        "A term's files, when there: course.toml (due times, late policy), extensions.csv and manual.csv "
        "at the kit's root, and SUBMISSIONS/submitted.csv (student,assignment,submitted_at); README.md's "
        "'A term' says more.",
    )
    grade.add_argument("submissions", help="folder of submissions")
    grade.add_argument("--out", required=True, help="folder for the gradebook and per-student results")
    grade.add_argument("--jobs", type=at_least_one, default=os.cpu_count() or 1,
                       help="submissions graded at once (default: the number of cores)")
    grade.add_argument("--sandbox", choices=["auto", "bwrap", "process"], default="auto",
                       help="how student code is confined (default: bubblewrap where it can sandbox here)")
    grade.add_argument("--no-sandbox", action="store_true",
                       help="grade even without a security sandbox (only for code you trust)")
    grade.add_argument("--quiet", action="store_true", help="no progress bar")
    grade.add_argument("--cluster", metavar="ADDRESS",
                       help="grade on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786); "
                       "the results are written here (needs the cluster extra)")
    grade.add_argument("--root", default=".", help="the kit's repository (default: found from here)")
    grade.add_argument("--assignment", action="append", metavar="NAME",
                       help="grade only this assignment (folder or module; repeatable); default: every "
                       "assignment of the course (course.toml), else of the kit")
    grade.add_argument("--roster", metavar="FILE",
                       help="CSV with a student column (and name, email, sis_id): every roster student gets a row, "
                       "'missing' when nothing was handed in")
    grade.add_argument("--force", action="store_true", help="run every test again, even where nothing changed")
    grade.add_argument("--student", action="append", metavar="ID",
                       help="run this student's tests again (repeatable)")
    grade.add_argument("--overrides", metavar="FILE",
                       help="CSV student,assignment,test,points,reason: set a test's points (or, with an empty "
                       "test, the assignment's score), with a reason the student sees")
    grade.add_argument("--feedback", choices=["before", "after"],
                       help="show hidden tests as before the due time (a count) or after it (everything), "
                       "whatever the clock says")
    grade.set_defaults(run=cmd_grade)

    export = commands.add_parser(
        "export", epilog=EXAMPLES["export"], formatter_class=ExamplesFormatter, help="the gradebook as a Canvas, Moodle or plain CSV grade-import file",
        description="Write the grades of OUT/gradebook.csv (a grade run's folder) as a file the LMS imports: "
        "one column per graded assignment, students matched through the roster's sis_id (Canvas, Moodle) or "
        "email (Moodle).",
    )
    export.add_argument("folder", metavar="OUT", help="the --out folder of `autograder grade`")
    export.add_argument("--to", required=True, choices=["canvas", "moodle", "csv"], help="the import format")
    export.add_argument("--out", required=True, metavar="FILE", help="the file to write")
    export.add_argument("--roster", metavar="FILE", help="CSV student,name,email,sis_id (needed for canvas, moodle)")
    export.set_defaults(run=cmd_export)

    gradescope = commands.add_parser(
        "gradescope", epilog=EXAMPLES["gradescope"], formatter_class=ExamplesFormatter, help="build the autograder.zip Gradescope runs, for one assignment",
        description="Write a Gradescope autograder zip for ASSIGNMENT: setup.sh installs this package and "
        "bubblewrap; run_autograder grades /autograder/submission with the same tests and sandbox as `grade` "
        "and writes /autograder/results/results.json.",
    )
    gradescope.add_argument("assignment", help="the assignment, e.g. 02_softmax or softmax")
    gradescope.add_argument("--out", required=True, help="the zip to write, e.g. autograder.zip")
    gradescope.add_argument("--root", default=".", help="the kit's repository (default: found from here)")
    gradescope.add_argument("--no-sandbox", action="store_true",
                            help="grade without bubblewrap inside Gradescope's container (its container is then "
                            "the only boundary around student code)")
    gradescope.set_defaults(run=cmd_gradescope)

    release = commands.add_parser(
        "release", epilog=EXAMPLES["release"], formatter_class=ExamplesFormatter, help="build the student bundle (no solutions, no hidden tests)",
        description="Write the student bundle into the new folder OUT: the stubs, notebooks, public tests "
        "and thresholds of the assignments named (default: all), and a wheel with the check command and "
        "the data loaders. Warns when a released assignment gives another one's graded solution as a "
        "helper (04 and 05 give 02's): release it after the other is due.",
    )
    release.add_argument("--out", required=True, help="a new folder for the bundle")
    release.add_argument("assignments", nargs="*", metavar="ASSIGNMENT",
                         help="only these, by folder or module (02_softmax or softmax); default: all")
    release.add_argument("--root", default=".", help="the kit's repository (default: found from here)")
    release.set_defaults(run=cmd_release)

    generate = commands.add_parser(
        "generate", epilog=EXAMPLES["generate"], formatter_class=ExamplesFormatter, help="regenerate the stubs, notebooks and other generated files from the solutions",
        description="Write every generated file from solutions/: the student release's stubs, "
        "thresholds.toml, notebooks and fingerprints.json in assignments/, and the nbgrader solution "
        "notebooks and known_bugs.json in solutions/. Run it after changing a solution, a lesson.md, "
        "a grading.toml or examples/catalogue.py. Developers only.",
    )
    generate.add_argument("--root", default=".", help="the kit's repository (default: found from here)")
    generate.add_argument("--check", action="store_true", help="write nothing; exit 1 if a committed file is stale")
    generate.set_defaults(run=cmd_generate)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print(f"\nautograder {args.command}: interrupted before it finished", file=sys.stderr)
        return 128 + signal.SIGINT
    except BrokenPipeError:
        # The reader went away (`autograder check | head`): stop quietly, as a shell tool does. Python would
        # raise again when it flushes stdout at exit, so what is left goes nowhere.
        devnull = os.open(os.devnull, os.O_WRONLY)
        with contextlib.suppress(OSError, ValueError):
            os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 128 + signal.SIGPIPE
    except (FileNotFoundError, FileExistsError, NotADirectoryError, PermissionError, ValueError) as error:
        print(f"autograder {args.command}: {in_words(error)}", file=sys.stderr)
        return 2


# What the system's words for a path leave out: what to do.
PATH_HINTS = {NotADirectoryError: " (a folder on the way there is a file: choose another path)",
              PermissionError: " (choose a folder you may write to, or run as its owner)"}


def in_words(error):
    """``error`` as one line: an OSError of a path as the path and the system's words, without ``[Errno N]``."""
    if isinstance(error, OSError) and error.strerror and error.filename:
        return f"{error.filename}: {error.strerror}{PATH_HINTS.get(type(error), '')}"
    return str(error)


if __name__ == "__main__":
    sys.exit(main())
