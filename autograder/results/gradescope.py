"""``results.json`` in Gradescope's results format, so that the same run can feed Gradescope.

The format is Gradescope's autograder specification (https://gradescope-autograders.readthedocs.io/en/latest/specs/,
"Output format"). Every text we write there is plain text, so ``output_format`` says so: Gradescope renders the
top-level ``output`` as ``simple_format`` (sanitised HTML) unless told otherwise, and our status holds names the
student chose (a file's, a function's) and tracebacks' ``<module>``, which it would take for tags. Test names and
outputs are ``text`` by default.

Whoever writes a ``results.json`` writes it with :func:`results_json`: its strings hold student text (a status names
the student's files and functions, a message an exception's type), and Gradescope shows them, ``jq -r`` prints them on
an instructor's terminal; none keeps a control character but line breaks and tabs.
"""
import json

from autograder.results.scoring import points_text
from autograder.submissions.student_ids import without_controls

GRADESCOPE_VISIBILITY = {"public": "visible", "hidden": "after_due_date"}
TEXT = "text"  # Gradescope's format that renders no HTML, Markdown or ANSI


def gradescope_results(scores, execution_time, status):
    """The results in Gradescope's format (``score``, ``execution_time``, ``tests[]``...)."""
    return {
        "score": scores.total,
        "execution_time": round(execution_time, 3),
        "output": f"{points_text(scores.total)} of {points_text(scores.max_total)} points. {status}",
        "output_format": TEXT,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [
            {
                "name": test.name,
                "score": round(test.score, 4),
                "max_score": round(test.max_score, 4),
                "status": "passed" if test.record["passed"] else "failed",
                "visibility": GRADESCOPE_VISIBILITY[test.record["visibility"]],
                **({"extra_data": {"kind": test.record["kind"]}} if test.record.get("kind") else {}),
                "output": test.record["message"] + (f"\n\n{test.record['details']}" if test.record["details"] else ""),
                "tags": [test.record["assignment"]],
            }
            for test in scores.tests
        ],
    }


def results_json(results):
    """The text of ``results.json`` for ``results``: every string in it without controls (see the module docstring)."""
    return json.dumps(_without_controls(results), indent=2)


def _without_controls(value):
    if isinstance(value, str):
        return without_controls(value)
    if isinstance(value, dict):
        return {_without_controls(key): _without_controls(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_without_controls(item) for item in value]
    return value
