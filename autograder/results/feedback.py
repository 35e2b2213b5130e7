"""``feedback.html``: the page a student reads, failed tests first, with hidden tests' names and messages only.

Before an assignment's due time (the student's own: :meth:`autograder.kit.course.Kit.before_due`,
or ``grade --feedback before``) its hidden tests appear as one line, their points and how many
failed: no names, no messages, so a student cannot probe them by resubmitting. After it, every
test is shown. Overrides, manual points and late penalties are lines of their own, with reasons.

Figures the tests attached (:mod:`autograder.testing.figures`: the perceptron's boundary against
the points, a training curve against the band of the reference's) are drawn inline as SVG
(:mod:`autograder.results.plots`), after the assignment's tests.

The page quotes student text (public tests' messages and output): HTML-escaped, and with no character a terminal
acts on (an instructor's ``grep`` of the pages prints them), line breaks aside.
"""
import html
from autograder.results import bands, plots
from autograder.results.causes import by_cause, cause_of, same_error
from autograder.results.scoring import points_text
from autograder.submissions.student_ids import without_controls


def _bar(fraction):
    """An inline SVG bar: the share of an assignment's points earned."""
    width = round(200 * fraction)
    colour = "#2e7d32" if fraction == 1 else "#f9a825" if fraction >= 0.5 else "#c62828"
    return (f'<svg width="204" height="14" role="img" aria-label="{fraction:.0%}">'
            f'<rect x="1" y="1" width="200" height="12" fill="#eee" stroke="#999"/>'
            f'<rect x="1" y="1" width="{width}" height="12" fill="{colour}"/></svg>')


def _name(record):
    case = f"[{html.escape(record['case'])}]" if record["case"] else ""
    return f"<code>{html.escape(record['test'])}{case}</code>"


def _table(groups):
    """A table of ``groups`` of tests, one row per group: a group's tests share their outcome and message."""
    escape = html.escape
    rows = ["<table><tr><th>test</th><th>kind</th><th>points</th><th>result</th></tr>"]
    for group in groups:
        record = group[0].record
        outcome = "passed" if record["passed"] else "failed"
        message = f"<div>{escape(record['message'])}</div>" if record["message"] else ""
        details = f"<pre>{escape(record['details'])}</pre>" if record["details"] else ""
        names = ", ".join(_name(test.record) for test in group)
        if len(group) > 1:
            outcome = f"{outcome}: {same_error(len(group))}"
            names = f"<details><summary>{len(group)} tests</summary>{names}</details>"
        kinds = ", ".join(dict.fromkeys(test.record["visibility"] for test in group))
        earned, available = sum(test.score for test in group), sum(test.max_score for test in group)
        css = "passed" if record["passed"] else "failed"
        rows.append(
            f"<tr><td>{names}</td><td>{kinds}</td>"
            f"<td class='points'>{points_text(earned)} / {points_text(available)}</td>"
            f"<td class='{css}'>{outcome}{message}{details}</td></tr>"
        )
    rows.append("</table>")
    return "\n".join(rows)


def _boundary(figure, axes):
    import numpy as np

    points, labels = np.array(figure["points"], dtype=float), np.array(figure["labels"], dtype=float)
    for label, colour, marker in ((0, "#c62828", "o"), (1, "#1565c0", "s")):
        chosen = points[labels == label]
        axes.scatter(chosen[:, 0], chosen[:, 1], s=14, c=colour, marker=marker, label=f"label {label}")
    lines = [line for line in figure["lines"] if None not in line]
    x = np.linspace(points[:, 0].min() - 0.1, points[:, 0].max() + 0.1, 2)
    for index, (slope, intercept) in enumerate(lines):
        last = index == len(lines) - 1
        axes.plot(x, slope * x + intercept, color="black" if last else "#9e9e9e", alpha=1.0 if last else 0.35,
                  linewidth=1.6 if last else 0.8, label="your last boundary" if last else None)
    axes.set_xlim(x[0], x[1])
    axes.set_ylim(points[:, 1].min() - 0.1, points[:, 1].max() + 0.1)
    axes.legend(fontsize=7, loc="best")


def _curve(figure, axes):
    import numpy as np

    x = np.array(figure["x"], dtype=float)
    band = np.array([[np.nan if value is None else value for value in curve] for curve in figure["band"]], dtype=float)
    if band.size:
        axes.fill_between(x, np.nanmin(band, axis=0), np.nanmax(band, axis=0), color="#90caf9", alpha=0.6,
                          label=f"the reference over {len(band)} seeds")
    student = np.array([np.nan if value is None else value for value in figure["student"]], dtype=float)
    axes.plot(x, student, color="#c62828", marker="o", markersize=3, label="yours")
    axes.set_xlabel(figure.get("xlabel", ""))
    axes.set_ylabel(figure.get("ylabel", ""))
    if np.allclose(x, np.round(x)):  # epochs: 1, 2, 3, not 1.5
        from matplotlib.ticker import MaxNLocator

        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    # Beside the axes, not on them: a curve is drawn because the student's run failed, and a failed run's curve lies
    # low, where a legend in the lower right hid its last epochs.
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)


DRAW = {"boundary": _boundary, "curve": _curve}
# Per kind: the figure's width (inches) and where its axes end on the right (a curve's legend stands beside them).
FRAMES = {"boundary": (5.0, 0.97), "curve": (6.4, 0.70)}


def draw(figure, fig, axes):
    """Draw the attached ``figure`` (plain data: :mod:`autograder.testing.figures`) on ``fig``'s ``axes``."""
    DRAW[figure["kind"]](figure, axes)
    axes.set_title(figure["title"], fontsize=9)
    fig.subplots_adjust(left=0.13 * 5.0 / FRAMES[figure["kind"]][0], right=FRAMES[figure["kind"]][1], bottom=0.17,
                        top=0.9)  # not tight_layout: a third the cost


def _figures(tests, root=None):
    """The figures the failed tests attached, as inline SVG (or a note when matplotlib is missing).

    Only failed tests' figures are drawn: that is where a picture helps, and drawing costs
    (about 50 ms a figure) stay off the students whose training went as it should.
    """
    attached = [bands.resolve(figure, root) for test in tests if not test.record["passed"]
                for figure in test.record.get("figures", []) if figure.get("kind") in DRAW]
    if not attached:
        return ""
    if not plots.available():
        return "<p>(This page has figures when matplotlib is installed where grading runs.)</p>"
    parts = []
    for figure in attached:
        with plots.figure(width=FRAMES[figure["kind"]][0]) as (fig, axes):
            draw(figure, fig, axes)
            parts.append(f"<figure>{plots.svg(fig, figure['title'])}</figure>")
    return "<div class='figures'>" + "".join(parts) + "</div>"


def hidden_summary(tests):
    """The one line that stands for an assignment's hidden tests before its due time."""
    failed = sum(not test.record["passed"] for test in tests)
    earned, available = sum(t.score for t in tests), sum(t.max_score for t in tests)
    return (f"<p class='hidden-summary'>Hidden tests: {points_text(earned)} of {points_text(available)} points; "
            f"{failed} of {len(tests)} failed. Their names and messages are shown after the due time.</p>")


def feedback_html(student, scores, status, notes=(), root=None, shows_hidden=None):
    """A self-contained page: per assignment, each test with its points and message.

    ``notes`` are sentences about the submission as a whole (what was set aside as junk, say),
    shown under the status. ``root``, the kit's, lets figures draw the reference's band.

    Hidden tests appear with their names and messages only: never their source
    or expected values (the messages are written not to contain them). Where
    ``shows_hidden[folder]`` is False (before the due time), only their total and
    how many failed.
    """
    escape = html.escape
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Feedback for {escape(student)}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3em;"
        "text-align:left;vertical-align:top}.failed{color:#c62828}.passed{color:#2e7d32}"
        "pre{white-space:pre-wrap;background:#f6f6f6;padding:.4em;margin:.2em 0}.figures{display:flex;flex-wrap:wrap}"
        "figure{margin:.5em}.points{white-space:nowrap}</style></head><body>",
        f"<h1>Feedback for {escape(student)}</h1>",
        f"<p><strong>{points_text(scores.total)} of {points_text(scores.max_total)} points.</strong> "
        f"{escape(status)}</p>",
        *(f"<p class='note'>{escape(note)}</p>" for note in notes),
        "<p>Public tests are the ones <code>autograder check</code> runs; hidden tests ran only at grading. "
        "Failed tests come first; passed ones are folded away.</p>",
    ]
    for folder in scores.by_assignment:
        earned, available = scores.by_assignment[folder], scores.max_by_assignment[folder]
        fraction = earned / available if available else 0.0
        parts.append(f"<h2>{escape(folder)}: {points_text(earned)} / {points_text(available)} {_bar(fraction)}</h2>")
        rows = [test for test in scores.tests if test.record["assignment"] == folder]
        if not rows:
            parts.append("<p>No tests ran for this assignment.</p>")
            continue
        if shows_hidden is not None and not shows_hidden.get(folder, True):
            hidden = [test for test in rows if test.record["visibility"] == "hidden"]
            rows = [test for test in rows if test.record["visibility"] != "hidden"]
            if hidden:
                parts.append(hidden_summary(hidden))
        failed = [test for test in rows if not test.record["passed"]]
        passed = [test for test in rows if test.record["passed"]]
        if failed:  # one row per cause: a syntax error is told once, not in every test it failed
            parts.append(_table(by_cause(failed, lambda test: cause_of(test.record))))
        if passed:
            table = _table([[test] for test in passed])
            parts.append(f"<details><summary>{len(passed)} passed test(s)</summary>{table}</details>")
        parts.append(_figures(rows, root))
    parts.append("</body></html>")
    return without_controls("\n".join(parts))  # the student's messages may carry terminal escapes


