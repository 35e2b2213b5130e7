"""The class report: ``OUT/report.html`` and ``OUT/report.csv``, what an instructor opens first after grading.

Built from what grading wrote (each student's ``results.json`` and gradebook row), once the
batch is done: per assignment a histogram of the scores, each test's failure rate, the
diagnosed mistakes ranked by how many students made them (with their ids), the submissions
that crashed, timed out or were flagged, the slowest ones, and pairs of near-identical
submissions (:mod:`autograder.results.similarity`). A submission's trouble is read from its
gradebook status (an import that hung, a flag) and from its tests' outputs: a function that hangs
or kills its worker costs only its own tests, and the status, which says how far the work got,
does not mention it.

``report.csv`` holds the same figures, one per row, with the columns :data:`REPORT_COLUMNS`:

``section``   ``score`` (an assignment's mean, median and maximum), ``histogram`` (students per
              score bin, ``item`` ``lo-hi``), ``test`` (failed submissions of a test case),
              ``mistake`` (students given one diagnosis), ``status`` (crashed, timed out, flagged,
              other problem), ``slowest`` (seconds), ``similar`` (a pair's score);
``assignment``, ``item``, ``value``, ``of`` (the count the value is out of, when it is a count),
``students`` (one id per line: an id may hold spaces, never a line break). Ids and statuses are student text:
every cell is written as the gradebook writes one (:func:`~autograder.results.gradebook.neutralised`);
the page keeps no character a terminal acts on (:func:`~autograder.submissions.student_ids.without_controls`).
"""
import csv
import html
import io
import json
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from autograder.results.adjustments import LATE, MANUAL, OVERRIDE
from autograder.results.files import atomic_write
from autograder.results.gradebook import MISSING, neutralised
from autograder.results.histogram import histogram_svg
from autograder.results.scoring import points_text
from autograder.submissions.student_ids import without_controls

REPORT_COLUMNS = ["section", "assignment", "item", "value", "of", "students"]
TROUBLE_KINDS = ("flagged", "timed out", "crashed", "problem")  # the worst first: a submission is listed once
# How the sandbox's session begins the message of a test whose call hung or whose worker died (the grader's words).
TEST_TROUBLE = {"timed out after ": "timed out", "the worker died in ": "crashed"}
SLOWEST = 10
SIDE_BY_SIDE = 40  # similar pairs shown side by side in the page; report.csv lists them all
BINS = 10
ID_SEPARATOR = "\n"  # ids in one cell of report.csv: student_id drops every control character, spaces it keeps


def status_kind(status):
    """What trouble a gradebook status reports: "" (none), crashed, timed out, flagged, or problem.

    How far a submission got (``not started``, ``partly done (...)``) is progress, not trouble.
    """
    parts = [part for part in status.lower().split("; ")
             if part and not part.startswith(("ok", "pending", "not started", "partly done"))]
    text = "; ".join(parts)
    if not text:
        return ""
    if "needs review" in text:
        return "flagged"
    if "timed out" in text:
        return "timed out"
    if "died" in text or "crash" in text:
        return "crashed"
    return "problem"


@dataclass
class ClassResults:
    """What the report is made of, read back from a graded ``OUT``."""

    rows: list                                             # gradebook rows, finished submissions only
    tests: dict = field(default_factory=dict)              # (assignment, test case) -> [failed students]
    graded: dict = field(default_factory=lambda: defaultdict(int))  # assignment -> submissions with its tests
    mistakes: dict = field(default_factory=dict)           # (assignment, diagnosis) -> [students]
    seconds: dict = field(default_factory=dict)            # student -> execution time
    trouble: dict = field(default_factory=lambda: defaultdict(dict))  # student -> {what happened: its kind}

    @classmethod
    def read(cls, out, rows):
        results = cls([row for row in rows if row.get("status") != "pending"])
        for row in results.rows:
            student = row["student"]
            try:
                data = json.loads((Path(out) / student / "results.json").read_text())
            except (OSError, ValueError):
                continue
            results.seconds[student] = float(data.get("execution_time", 0.0))
            assignments = set()
            met = {}  # (assignment, kind of trouble) -> [its first wording, how many tests met it]
            for test in data.get("tests", []):
                assignment = (test.get("tags") or [""])[0]
                assignments.add(assignment)
                if not is_a_test(test, assignment):
                    continue  # a late penalty taken is no test failed
                failed = results.tests.setdefault((assignment, test["name"]), [])
                if test["status"] != "passed":
                    failed.append(student)
                    if kind := _test_trouble(test.get("output", "")):
                        met.setdefault((assignment, kind), [test["output"].splitlines()[0], 0])[1] += 1
            # One line per kind in an assignment: a single os._exit in 04's train read in four wordings (the public
            # and the quarantined hidden tests', train called alone and within an epoch), one line each.
            for (assignment, kind), (wording, tests) in met.items():
                more = f" (and {tests - 1} more test{'s' if tests > 2 else ''} that {kind})" if tests > 1 else ""
                results.trouble[student][f"{assignment}: {wording}{more}"] = kind
            for assignment in assignments:
                results.graded[assignment] += 1
            for found in data.get("extra_data", {}).get("diagnoses", []):
                students = results.mistakes.setdefault((found["assignment"], found["diagnosis"]), [])
                if student not in students:
                    students.append(student)
        return results


def is_a_test(test, assignment):
    """Whether a test of ``results.json`` is one, not a line an adjustment adds beside them
    (:mod:`autograder.results.adjustments`: a late penalty, a manual rubric item, the override of a whole assignment;
    an override of a test keeps its kind on that test)."""
    kind = test.get("extra_data", {}).get("kind")
    return kind not in (LATE, MANUAL) and not (kind == OVERRIDE and test["name"] == f"{assignment}: {OVERRIDE}")


def _test_trouble(output):
    """The kind of trouble a failed test's output reports, or ""."""
    return next((kind for lead, kind in TEST_TROUBLE.items() if output.startswith(lead)), "")


def trouble(status, tests_trouble):
    """A submission's kind of trouble and what to show of it: its status, with what its tests met that it lacks.

    ``tests_trouble`` is ``{what happened: kind}`` of its tests (:attr:`ClassResults.trouble`). Returns
    ``("", status)`` for a submission without trouble.
    """
    kinds = {status_kind(status), *tests_trouble.values()}
    kind = next((kind for kind in TROUBLE_KINDS if kind in kinds), "")
    said = [status] if status not in ("", "ok") else []
    return kind, "; ".join([*said, *(what for what in tests_trouble if what not in status)])


def _scores(rows, folder):
    return [float(row[folder]) for row in rows if row.get(folder) not in (None, "")]


def _bins(values, top):
    """``BINS`` equal bins from 0 to ``top`` (the last one closed): [(lo, hi, count)]."""
    top = top or 1.0
    counts = [0] * BINS
    for value in values:
        counts[min(BINS - 1, max(0, int(value / top * BINS)))] += 1
    return [(top * i / BINS, top * (i + 1) / BINS, count) for i, count in enumerate(counts)]


def report_rows(results, maxima, pairs=()):
    """The figures of the report as :data:`REPORT_COLUMNS` dicts."""
    rows = []

    def add(section, assignment, item, value, of="", students=()):
        rows.append({"section": section, "assignment": assignment, "item": item, "value": value, "of": of,
                     "students": ID_SEPARATOR.join(students)})

    for folder in maxima:  # the graded assignments, in course order
        scores = _scores(results.rows, folder)
        if not scores:
            continue
        add("score", folder, "mean", points_text(statistics.fmean(scores)), points_text(maxima.get(folder, 0)))
        add("score", folder, "median", points_text(statistics.median(scores)), points_text(maxima.get(folder, 0)))
        add("score", folder, "full marks", sum(score == maxima.get(folder) for score in scores), len(scores))
        for lo, hi, count in _bins(scores, maxima.get(folder, max(scores))):
            add("histogram", folder, f"{points_text(lo)}-{points_text(hi)}", count, len(scores))
    for (folder, test), failed in sorted(results.tests.items()):
        add("test", folder, test, len(failed), results.graded[folder], failed)
    for (folder, diagnosis), students in sorted(results.mistakes.items(), key=lambda item: (-len(item[1]), item[0])):
        add("mistake", folder, diagnosis, len(students), len(results.rows), students)
    for row in results.rows:
        kind, shown = trouble(row.get("status", ""), results.trouble.get(row["student"], {}))
        if kind:
            add("status", "", kind, shown, "", [row["student"]])
    for student, seconds in sorted(results.seconds.items(), key=lambda item: -item[1])[:SLOWEST]:
        add("slowest", "", student, f"{seconds:.2f}", "", [student])
    for pair in pairs:
        item = " ".join(pair.first) + (" | " + " ".join(pair.second) if pair.second else " (identical)")
        add("similar", pair.assignment, item, f"{pair.score:.3f}", "", pair.students)
    return rows


def _headline(rows):
    """How many submissions were graded, and how many roster students handed nothing in (their 0 is in the figures)."""
    missing = sum(row.get("status") == MISSING for row in rows)
    absent = f"; {missing} roster student(s) handed nothing in (0 points in every figure below)" if missing else ""
    return f"{len(rows) - missing} submission(s) graded{absent}."


def _students(ids):
    """Links to the students' feedback pages: relative, percent-encoded (an id is never read as a URL scheme)."""
    return " ".join(f"<a href='./{html.escape(quote(student))}/feedback.html'>{html.escape(student)}</a>"
                    for student in ids)


def report_html(results, maxima, rows, pairs=()):
    """The page: histograms, failure rates, ranked mistakes, troubled and slowest submissions, similar pairs."""
    escape = html.escape
    parts = ["<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Class report</title>",
             "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em}"
             "table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.25em .5em;text-align:left;"
             "vertical-align:top}.figures{display:flex;flex-wrap:wrap;gap:1em}.rate{font-variant-numeric:tabular-nums}"
             ".count{white-space:nowrap}"
             "pre{white-space:pre-wrap;background:#f6f6f6;padding:.4em;margin:0;font-size:85%}</style></head><body>",
             f"<h1>Class report</h1><p>{_headline(results.rows)}</p>", "<h2>Scores</h2>"]
    by = defaultdict(list)
    for row in rows:
        by[row["section"]].append(row)
    parts.append("<table><tr><th>assignment</th><th>mean</th><th>median</th><th>full marks</th><th>of</th></tr>")
    summary = defaultdict(dict)
    for row in by["score"]:
        summary[row["assignment"]][row["item"]] = row
    for folder, items in summary.items():
        parts.append(f"<tr><td>{escape(folder)}</td><td>{items['mean']['value']}</td><td>{items['median']['value']}"
                     f"</td><td class='count'>{items['full marks']['value']} of {items['full marks']['of']}</td>"
                     f"<td>{items['mean']['of']} points</td></tr>")
    parts.append("</table>")
    parts.append("<div class='figures'>")
    for folder in summary:
        bins = [(float(r["item"].split("-")[0]), float(r["item"].split("-")[1]), r["value"])
                for r in by["histogram"] if r["assignment"] == folder]
        parts.append(histogram_svg(bins, bins[-1][1], folder, f"histogram of the scores of {folder}"))
    parts.append("</div>")
    parts.append("<h2>Diagnosed mistakes, most common first</h2>")
    if by["mistake"]:
        parts.append("<table><tr><th>students</th><th>assignment</th><th>mistake</th><th>who</th></tr>")
        for row in by["mistake"]:
            parts.append(f"<tr><td>{row['value']}</td><td>{escape(row['assignment'])}</td><td>{escape(row['item'])}"
                         f"</td><td>{_students(row['students'].split())}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>No mistake was diagnosed.</p>")
    parts.append("<h2>Crashed, timed out or flagged</h2>")
    if by["status"]:
        parts.append("<table><tr><th>student</th><th>kind</th><th>status</th></tr>")
        for row in by["status"]:
            parts.append(f"<tr><td>{_students([row['students']])}</td><td>{row['item']}</td>"
                         f"<td>{escape(str(row['value']))}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>None.</p>")
    parts.append("<h2>Failure rate of each test</h2><table><tr><th>assignment</th><th>test</th><th>failed</th>"
                 "<th>rate</th></tr>")
    for row in sorted(by["test"], key=lambda r: -r["value"] / max(1, r["of"])):
        rate = row["value"] / max(1, row["of"])
        test = row["item"].removeprefix(f"{row['assignment']}: ")  # its assignment has a column of its own
        parts.append(f"<tr><td>{escape(row['assignment'])}</td><td><code>{escape(test)}</code></td>"
                     f"<td class='count'>{row['value']} of {row['of']}</td><td class='rate'>{rate:.0%}</td></tr>")
    parts.append("</table><h2>Slowest submissions</h2><table><tr><th>student</th><th>seconds</th></tr>")
    for row in by["slowest"]:
        parts.append(f"<tr><td>{_students([row['item']])}</td><td>{row['value']}</td></tr>")
    parts.append("</table><h2>Near-identical submissions</h2>")
    if pairs:
        from autograder.results.similarity import side_by_side

        parts.append("<p>Graded definitions compared after normalising names of locals, comments, docstrings and "
                     "formatting, the release's stub and given code left out. Short solutions converge: read the "
                     "code before concluding anything.</p>")
        for pair in pairs[:SIDE_BY_SIDE]:
            who = ", ".join(pair.first) + (f" and {', '.join(pair.second)}" if pair.second else " (identical)")
            parts.append(f"<details><summary>{escape(pair.assignment)}: {escape(who)}: similarity {pair.score:.3f}"
                         f"</summary>{side_by_side(pair)}</details>")
        if len(pairs) > SIDE_BY_SIDE:
            parts.append(f"<p>{len(pairs) - SIDE_BY_SIDE} more in report.csv (section <code>similar</code>).</p>")
    else:
        parts.append("<p>No pair above the threshold.</p>")
    parts.append("</body></html>")
    return without_controls("\n".join(parts))  # statuses and the code of similar pairs are student text


def write_report(out, rows, maxima, pairs=()):
    """Write ``out/report.csv`` and ``out/report.html`` for the gradebook ``rows``; return the CSV's rows."""
    results = ClassResults.read(out, rows)
    figures = report_rows(results, maxima, pairs)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=REPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows([{column: neutralised(value) for column, value in row.items()} for row in figures])
    atomic_write(Path(out) / "report.csv", buffer.getvalue())
    atomic_write(Path(out) / "report.html", report_html(results, maxima, figures, pairs))
    return figures
