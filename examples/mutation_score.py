"""The grader's mutation score: how many of the catalogue's bugs it catches, per assignment.

    python examples/mutation_score.py                 # build the bugs, grade them, print the table
    python examples/mutation_score.py --graded OUT    # score an existing `autograder grade` output

A bug counts as caught when its submission fails exactly the tests the catalogue names for it
(those and no others), loses points in its own assignment, and
loses nothing in any other. The target is 100% everywhere.
With ``--graded`` on a grading of the whole example class, the variants (full marks) and the
hostile submissions (exactly what they deserve) are summarised too. Exit status 0 only when
everything graded is as it should be.
"""
import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_examples import build  # noqa: E402
from catalogue import BUGS, HOSTILE, KIT, VARIANT  # noqa: E402
from judge import Graded, format_table, mutation_table, summary  # noqa: E402

from autograder.results.gradebook import PENDING  # noqa: E402


def grade_bugs(work, jobs):
    """Build the reference and every bug into ``work`` and grade them; return the output folder."""
    from autograder.commands.grade import grade
    from autograder.sandbox.kinds import make_sandbox

    submissions = build(Path(work) / "submissions", BUGS)
    sandbox = "bwrap" if make_sandbox("auto").secure else "process"  # the bugs are trusted code
    grade(submissions, Path(work) / "graded", KIT, jobs, sandbox, progress=sys.stderr.isatty())
    return Path(work) / "graded"


def report(graded):
    """Print the mutation table (and the variants' and hostile submissions' summaries); return True when all is well."""
    table = mutation_table(graded)
    print(format_table(table))
    good = all(count == caught for count, caught, _ in table.values())
    for kind, verdict in [(VARIANT, "keep full marks"), (HOSTILE, "get exactly what they deserve")]:
        count, right, wrong = summary(graded, kind)
        if count:
            print(f"\n{kind} submissions that {verdict}: {right} of {count}")
            for name, problems in wrong.items():
                print(f"  {name}: {'; '.join(problems)}")
            good = good and not wrong
    reference = graded.rows.get("reference")
    if reference is None or reference["total"] != reference["max_total"]:
        print("\nthe reference solution does not have full marks: the scores above mean nothing")
        good = False
    return good


def unfinished(graded):
    """Why the folder ``graded`` is no finished grading to score ("" when it is one)."""
    gradebook = Path(graded) / "gradebook.csv"
    if not gradebook.is_file():
        return f"{gradebook} is missing: grade the example class into {graded} first (README.md says how)"
    pending = [row["student"] for row in Graded(Path(graded)).gradebook if row["status"] == PENDING]
    if pending:
        return (f"{graded} is an unfinished grading ({len(pending)} submission(s) pending, {pending[0]} first): "
                "run the same `autograder grade` command again, which resumes it, then score it")
    return ""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graded", help="the output folder of `autograder grade` on the example class")
    parser.add_argument("--jobs", type=int, default=2, help="submissions graded at once (default: 2)")
    args = parser.parse_args(argv)
    if args.graded:
        if problem := unfinished(args.graded):
            print(f"mutation_score.py: {problem}", file=sys.stderr)
            return 2
        return 0 if report(Graded(Path(args.graded))) else 1
    with tempfile.TemporaryDirectory(prefix="mutation-score-") as work:
        return 0 if report(Graded(grade_bugs(work, args.jobs))) else 1


if __name__ == "__main__":
    sys.exit(main())
