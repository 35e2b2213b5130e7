"""One submission's results: its records scored, then its feedback.html and results.json written."""
import json
from pathlib import Path

from autograder.results.feedback import feedback_html
from autograder.results.files import atomic_write
from autograder.results.gradebook import gradebook_row
from autograder.results.gradescope import gradescope_results
from autograder.results.resume import fingerprint
from autograder.results.scoring import score
from autograder.submissions.junk import ignored_note
from autograder.submissions.progress import progress


def problems_of(records):
    """The submission-level problems: missing or unimportable assignments, worker deaths."""
    seen = []
    for record in records:
        if record.get("problem") and record["problem"] not in seen:
            seen.append(record["problem"])
    return seen


def write_results(submission, out, points, records, failure, seconds, root=None):
    """Score ``records`` and write the submission's feedback.html and results.json; return its gradebook row.

    The status is ``ok``, or how far the submission got (``not started``, ``partly done (...)``: read
    from its source with the released stubs of the kit at ``root``, :mod:`autograder.submissions.progress`)
    and what went wrong, joined by ``; ``. ``root`` also lets the feedback's training curves draw
    the reference's band.
    """
    folder = Path(out) / submission.student
    folder.mkdir(parents=True, exist_ok=True)
    scores = score(records, points)
    problems = ([failure] if failure else []) + problems_of(records)
    if root is not None and not submission.problem:  # a refused submission was never read
        problems.insert(0, progress(submission.path, root))
    status = "; ".join(problem for problem in problems if problem) or "ok"
    row = gradebook_row(submission.student, scores, status)
    notes = [note for note in [ignored_note(submission.ignored)] if note]
    results = gradescope_results(scores, seconds, " ".join([status, *notes]))
    diagnoses = [{"assignment": test.record["assignment"], "test": test.name, "diagnosis": test.record["diagnosis"]}
                 for test in scores.tests if test.record.get("diagnosis")]
    results["extra_data"] = {"fingerprint": fingerprint(submission), "gradebook_row": row, "diagnoses": diagnoses}
    atomic_write(folder / "feedback.html", feedback_html(submission.student, scores, status, notes, root))
    atomic_write(folder / "results.json", json.dumps(results, indent=2))  # last: it marks the work done
    return row
