"""Student ids from the names of what students hand in, safe for every place they are written.

A student id is the name of a sub-folder, zip or notebook in SUBMISSIONS, chosen by whoever
named it. It ends up as a folder name in OUT, a cell of gradebook.csv, a page title and a line
on the instructor's terminal. :func:`student_id` makes it safe for all of them at once:

- bytes that are not UTF-8 are replaced (U+FFFD), and control, format (bidirectional overrides)
  and surrogate characters are dropped, so no terminal escape and no unencodable text survives;
- it is never empty, never starts with a dot, and never names one of the grader's own files
  (``gradebook.csv``, ``.work``, ``report.html``...): such an id gets a ``_`` appended;
- it fits a file name (at most :data:`MAX_ID_BYTES` bytes of UTF-8).

Other student text (a status naming a file as the student spelled it, an exception's type) is cleaned by
each sink where it enters: every CSV cell by ``results.gradebook.neutralised``, ``results.json`` by
``results.gradescope.results_json``, each HTML page whole (escaped, then :func:`without_controls`), each line
for the terminal by :func:`printable`. :func:`printable` cleans text for the terminal,
:func:`without_controls` a page whose lines are kept (a feedback page quotes the student's messages and
output: an instructor's ``grep`` or ``cat`` of it prints them on a terminal), and
:func:`terminal_width` says how many columns it takes there (李雷 four, José two of its letters' marks none).
"""
import os
import re
import unicodedata

MAX_ID_BYTES = 200
# The files and folders the grader writes in OUT beside the students' folders (compared case-blind:
# a case-insensitive file system would confuse them too).
GRADER_OUTPUT_NAMES = frozenset({"gradebook.csv", "report.html", "report.csv", "changes.csv", "overrides.csv",
                                 "export.csv", "grader.log", "results.json", "feedback.html", ".work"})
UNPRINTABLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def printable(text):
    """``text`` with every character a terminal could act on (controls, escapes, bidi overrides) removed."""
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return "".join(character for character in text if unicodedata.category(character) not in UNPRINTABLE)


# What a terminal acts on in text whose lines are kept: C0 and C1 controls but the line feed and the tab, and the
# marks that show text in another order than it reads (bidirectional overrides and isolates).
_TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def without_controls(text):
    """``text`` with its line breaks and tabs kept and every other character a terminal could act on removed."""
    return _TERMINAL_CONTROLS.sub("", text)


def terminal_width(text):
    """The columns ``text`` takes on a terminal: two for a wide East Asian character, none for a combining mark."""
    return sum(0 if unicodedata.combining(character) else 2 if unicodedata.east_asian_width(character) in "WF" else 1
               for character in text)


def student_id(name):
    """The student id for an entry of SUBMISSIONS named ``name`` (its stem for a file), safe everywhere."""
    cleaned = printable(name).replace("/", "_").strip()
    while len(cleaned.encode("utf-8")) > MAX_ID_BYTES:
        cleaned = cleaned[:-1]
    cleaned = cleaned.lstrip(".") or "unnamed"
    if cleaned.lower() in GRADER_OUTPUT_NAMES:
        cleaned += "_"
    return cleaned
