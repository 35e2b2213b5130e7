"""One submission's results: its records scored and adjusted, then its feedback.html and results.json written.

The records of each assignment are kept in ``results.json`` with the kit fingerprint they were made
with (:mod:`autograder.results.resume`); a run merges the assignments it ran with the kept ones, so
grading one assignment leaves the others' records in place for a later run. Every score that
differs from the last result's is appended to ``changes.csv`` with its reason.
"""
from pathlib import Path

from autograder.results.adjustments import LATE, MANUAL, OVERRIDE, adjust, lines_by_kind
from autograder.results.changes import append_changes
from autograder.results.feedback import feedback_html
from autograder.results.files import write_if_changed
from autograder.results.gradebook import gradebook_row
from autograder.results.gradescope import gradescope_results, results_json
from autograder.results.scoring import points_text, score
from autograder.submissions.junk import ignored_note
from autograder.submissions.locate import overlooked_message
from autograder.submissions.progress import absent_message, progress

NOT_ON_ROSTER = "not on roster"
KIND_REASONS = {OVERRIDE: "override", MANUAL: "manual points", LATE: "late"}


def problems_of(records, folders=()):
    """The submission-level problems: missing or unimportable assignments, worker deaths.

    Each is said once, with the assignments it was met in (``01_perceptron, 02_softmax: ...``), or
    without them when it was met in every one of ``folders`` (the assignments graded): a single
    notebook handed in stands for every assignment, and whatever is wrong with the notebook as a whole
    (too large to grade, not a notebook) is wrong for each.
    """
    met = {}  # the problem's words without its assignment -> the assignments it was met in
    for record in records:
        problem = record.get("problem")
        if not problem:
            continue
        prefix = f"{record['assignment']}: "
        words = problem[len(prefix):] if problem.startswith(prefix) else problem
        where = met.setdefault(words, [])
        if problem.startswith(prefix) and record["assignment"] not in where:
            where.append(record["assignment"])
    everywhere = set(folders) if len(folders) > 1 else None
    return [words if set(where) == everywhere or not where else f"{', '.join(where)}: {words}"
            for words, where in met.items()]


def with_what_the_files_say(problems, path, kit_root, assignments):
    """``problems`` after how far the submission at ``path`` got, then before work it holds under a near name
    and graded definitions its files lack (read from its source, never run; ``kit_root`` holds the stubs)."""
    return [progress(path, kit_root, assignments), *problems, *(
        message for assignment in assignments
        for message in (overlooked_message(path, assignment), absent_message(path, kit_root, assignment)))]


def merge_records(previous, submission_print, term, ran, records, failure):
    """The kept assignments of ``previous`` with the records of the assignments in ``ran`` replaced."""
    kept = previous.get("assignments", {}) if previous.get("fingerprint") == submission_print else {}
    assignments = dict(kept)
    for folder in ran:
        assignments[folder] = {"kit": term.kit_prints[folder],
                               "records": [r for r in records if r["assignment"] == folder],
                               "failure": failure}
    return assignments


def change_reasons(folder, ran, previous_lines, lines):
    """Why an assignment's score changed: the reason it ran again, and the adjustments that differ."""
    reasons = [ran[folder]] if folder in ran else []
    before, after = previous_lines.get(folder, {}), lines.get(folder, {})
    reasons += [reason for kind, reason in KIND_REASONS.items() if before.get(kind) != after.get(kind)]
    return "; ".join(reasons) or "rescored"


def write_results(submission, out, term, previous, submission_print, ran, records, failure, seconds):
    """Score and adjust the submission's records; write feedback.html and results.json; return its gradebook row.

    ``ran`` is ``{folder: reason}`` of the assignments whose tests just ran (``records`` and
    ``failure`` are theirs); the other graded assignments' records come from ``previous``. The
    status is ``ok``, or how far the submission got (``not started``, ``partly done (...)``:
    :mod:`autograder.submissions.progress`) and what went wrong, joined by ``; ``. The kit's root
    lets the feedback's training curves draw the reference's band.
    """
    student = submission.student
    folder_path = Path(out) / student
    folder_path.mkdir(parents=True, exist_ok=True)
    assignments = merge_records(previous, submission_print, term, ran, records, failure)
    graded = [assignments.get(folder, {}) for folder in term.folders]
    all_records = [record for kept in graded for record in kept.get("records", [])]
    failures = [kept["failure"] for kept in graded if kept.get("failure")]
    scores = adjust(score(all_records, term.points), student, term)
    problems = list(dict.fromkeys(failures)) + problems_of(all_records, term.folders)
    if not submission.problem:  # a refused submission was never read
        problems = with_what_the_files_say(problems, submission.path, term.kit.root, term.assignments)
    if term.roster is not None and student not in term.roster:
        problems.append(NOT_ON_ROSTER)
    status = "; ".join(problem for problem in problems if problem) or "ok"
    row = gradebook_row(student, scores, status)
    lines = lines_by_kind(scores)
    old_scores, old_lines = previous.get("scores", {}), previous.get("adjustments", {})
    append_changes(out, [
        {"student": student, "assignment": folder, "old": points_text(old_scores[folder]),
         "new": points_text(new), "reason": change_reasons(folder, ran, old_lines, lines)}
        for folder, new in scores.by_assignment.items()
        if folder in old_scores and round(old_scores[folder], 4) != round(new, 4)])
    notes = [note for note in [ignored_note(submission.ignored)] if note]
    results = gradescope_results(scores, seconds if ran else previous.get("execution_time", seconds),
                                 " ".join([status, *notes]))
    results["extra_data"] = {
        "fingerprint": submission_print, "assignments": assignments,
        "scores": {**old_scores, **scores.by_assignment},
        "adjustments": {**{f: v for f, v in old_lines.items() if f not in term.folders}, **lines},
        "execution_time": results["execution_time"], "gradebook_row": row,
        "diagnoses": [{"assignment": test.record["assignment"], "test": test.name, "diagnosis": test.record["diagnosis"]}
                      for test in scores.tests if test.record.get("diagnosis")],
    }
    shows_hidden = {folder: term.shows_hidden(student, folder) for folder in term.folders}
    write_if_changed(folder_path / "feedback.html",
                     feedback_html(student, scores, status, notes, term.kit.root, shows_hidden))
    write_if_changed(folder_path / "results.json", results_json(results))  # last: it marks the work done
    return row
