"""What a student release must not give away: the lines of graded bodies, wherever they would show.

Two ways a release can hand out a graded solution without shipping the reference:

- a lesson, an experiment cell or any other released text quotes a line of a graded body
  (:func:`secret_lines`, :func:`quoted_lines`): the tests search every lesson and every released
  file with them;
- an assignment gives, as a helper, what another assignment grades: 04 and 05 give 02's
  ``one_hot``, ``softmax`` and ``nll`` filled in, as the contract says. Released together, or before
  02 is due, they are 02's answers (:func:`helper_leaks`); ``autograder release`` says so.

A line is compared with whitespace collapsed. Short lines, block headers and returns of bare names
(``else:``, ``for _ in range(epochs):``, ``return W, b``) say nothing (:func:`says_something`), and a graded line that the assignment's own released stub shows (its
docstring states the contract's formula, or the start of 01's training) is public already.
"""
import ast
import re
from dataclasses import dataclass
from pathlib import Path

from autograder.generate.source import _BEGIN_LINE as BEGIN_LINE
from autograder.generate.source import _END_LINE as END_LINE
from autograder.generate.source import SolutionSource, _enclosing_functions
from autograder.kit.assignments import discover_assignments

MIN_LINE_CHARS = 12
SHARE_OF_A_BODY = 0.5  # a given definition holding this share of a graded body's lines gives it away


def normalised(line):
    return " ".join(line.split())


def says_something(line):
    """True for a normalised code line that computes something: not a comment, a short line, a block
    header (``for _ in range(epochs):``, ``else:``) or a return of bare names (``return W1, b1, W2, b2``),
    which every loop or function of the kind has and which give no answer away."""
    return (len(line) >= MIN_LINE_CHARS and not line.startswith("#") and not line.endswith(":")
            and not re.fullmatch(r"return [\w, ]+", line))


def _code_lines(code):
    """The normalised lines of ``code`` that say something (:func:`says_something`)."""
    return [line for line in map(normalised, code.splitlines()) if says_something(line)]


def _graded(root, assignment):
    """``[(owner, secret lines)]`` of ``assignment``'s graded regions (see :func:`secret_lines`)."""
    source = SolutionSource.read(Path(root) / "solutions" / assignment.module_file)
    stub = Path(root) / "assignments" / assignment.module_file
    shown = normalised(stub.read_text()) if stub.is_file() else ""
    return [(region.owner or "module level", [line for line in _code_lines(region.code) if line not in shown])
            for region in source.regions]


def secret_lines(root, assignments=None):
    """``{normalised line: "02_softmax: one_hot"}`` for every line of a graded body of ``assignments`` (default: all)."""
    assignments = discover_assignments(root) if assignments is None else assignments
    return {line: f"{assignment.folder}: {owner}" for assignment in assignments
            for owner, lines in _graded(root, assignment) for line in lines}


def quoted_lines(text, secrets):
    """``[(line number, label)]`` for each line of ``text`` that holds a line of ``secrets``."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = normalised(line)
        found += [(number, label) for secret, label in secrets.items() if secret in line]
    return found


@dataclass(frozen=True)
class HelperLeak:
    """``given_in`` gives ``helpers``, which hold the graded body of ``graded`` in ``graded_in``."""

    given_in: str
    helpers: tuple
    graded_in: str
    graded: tuple

    def warning(self):
        helpers, graded = ", ".join(self.helpers), ", ".join(self.graded)
        return (f"{self.given_in} gives {helpers} filled in, and that is the graded solution of {self.graded_in} "
                f"({graded}): release {self.given_in} only after {self.graded_in} is due "
                f"(autograder release --out DIR {self.given_in} ...), or its students can copy it")


def _given_lines(root, assignment):
    """``{normalised line: the definition it is in}`` for the code ``assignment`` gives (outside its regions)."""
    text = (Path(root) / "solutions" / assignment.module_file).read_text()
    owners = _enclosing_functions(ast.parse(text))
    given, inside = {}, False
    for number, line in enumerate(text.splitlines(), start=1):
        if BEGIN_LINE.match(line) or END_LINE.match(line):
            inside = bool(BEGIN_LINE.match(line))
        elif not inside:
            given.setdefault(normalised(line), owners.get(number, "module level"))
    return given


def helper_leaks(root, released):
    """The :class:`HelperLeak` of each assignment of ``released`` that gives another one's graded body."""
    leaks = []
    for assignment in released:
        given = _given_lines(root, assignment)
        for other in discover_assignments(root):
            if other == assignment:
                continue
            helpers, graded = {}, []
            for owner, lines in _graded(root, other):
                inside = [line for line in lines if line in given]
                if lines and len(inside) >= SHARE_OF_A_BODY * len(lines):
                    graded.append(owner)
                    helpers.update(dict.fromkeys(given[line] for line in inside))
            if graded:
                leaks.append(HelperLeak(assignment.folder, tuple(helpers), other.folder, tuple(graded)))
    return leaks
