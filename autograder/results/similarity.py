"""Near-identical submissions: pairs whose graded definitions match once the syntax is normalised.

For each assignment, each submission's *graded* definitions (the functions and methods whose
bodies the reference marks ``### BEGIN SOLUTION``) are parsed, never run, and normalised:
docstrings dropped, comments and formatting gone (the code is printed back from its syntax
tree), and the names of locals and arguments replaced by their order of first use. Lines that
the released stub's version of the same definition also has (its signature's given code, the
``raise NotImplementedError``) are subtracted, so that the template does not count. Two
submissions' remaining lines are compared with :class:`difflib.SequenceMatcher`; pairs at or
above the threshold (``[similarity] threshold`` of the kit's ``course.toml``, default
:data:`DEFAULT_THRESHOLD`) are reported with their score and a side-by-side view.

Short solutions converge: a pair needs :data:`MIN_LINES` written lines each to count at all. Long ones are compared
on their first :data:`MAX_LINES` written lines: a comparison's cost grows with the product of the two lengths where
lines repeat (two submissions of 60,000 lines ``_ = 1``, under the parse bound, held the class report for minutes).
"""
import ast
import difflib
import html
import itertools
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from autograder.generate.source import SolutionSource
from autograder.kit.assignments import discover_assignments
from autograder.kit.toml_parser import tomllib
from autograder.submissions import syntax
from autograder.submissions.locate import submitted_file
from autograder.submissions.notebook_code import NotebookError, extract_definitions

DEFAULT_THRESHOLD = 0.9
MIN_LINES = 6
# Written lines of a file compared at most: the reference's graded definitions have 10 to 57 (07), a student's written
# out at length a few times that; a pair of 2,000 lines all alike is compared in ~0.3 s.
MAX_LINES = 2000
COURSE_FILE = "course.toml"


def threshold(root):
    """The similarity threshold of the kit at ``root``: ``[similarity] threshold`` of its course.toml, else the default."""
    path = Path(root) / COURSE_FILE
    if not path.is_file():
        return DEFAULT_THRESHOLD
    value = tomllib.loads(path.read_text()).get("similarity", {}).get("threshold", DEFAULT_THRESHOLD)
    if not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise ValueError(f"{path}: [similarity] threshold must be a number in (0, 1], got {value!r}")
    return float(value)


class _Locals(ast.NodeTransformer):
    """Renames a definition's arguments and assigned names to v0, v1, ... in order of first use; drops docstrings."""

    def __init__(self, local_names):
        self.names = {}
        self.local_names = local_names

    def _rename(self, name):
        if name not in self.local_names:
            return name
        return self.names.setdefault(name, f"v{len(self.names)}")

    def visit_Name(self, node):
        node.id = self._rename(node.id)
        return node

    def visit_arg(self, node):
        node.arg = self._rename(node.arg)
        node.annotation = None
        return node

    def generic_visit(self, node):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(
                getattr(body[0], "value", None), ast.Constant) and isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]
        return super().generic_visit(node)


def _local_names(function):
    names = {arg.arg for arg in ast.walk(function.args) if isinstance(arg, ast.arg)}
    names |= {node.id for node in ast.walk(function) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
    return names


def _definitions(tree):
    """``{qualified name: function node}`` for the module's functions and its classes' methods."""
    found = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found[node.name] = node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found[f"{node.name}.{item.name}"] = item
    return found


def normalised_lines(function):
    """The function's code as lines, without docstrings, comments or formatting, locals renamed by first use.

    The node is renamed in place (each caller parses the text it passes): no copy to print and parse again.
    """
    function = _Locals(_local_names(function)).visit(function)
    function.name = "f"
    return [line.strip() for line in ast.unparse(function).splitlines()[1:] if line.strip()]


@lru_cache(maxsize=None)
def _graded(root, assignment):
    """The graded definitions' names and, per name, the stub's normalised lines (to subtract)."""
    owners = sorted({region.owner for region in SolutionSource.read(root / "solutions" / assignment.module_file).regions
                     if region.owner})
    stub_path = root / "assignments" / assignment.module_file
    stub = _definitions(ast.parse(stub_path.read_text())) if stub_path.is_file() else {}
    return tuple((owner, frozenset(normalised_lines(stub[owner])) if owner in stub else frozenset()) for owner in owners)


def written_lines(path, root, assignment):
    """The lines a student wrote in the graded definitions of the module or notebook at ``path``; [] if unreadable
    (or too deep to normalise: a sum of 900 terms compiles, and is a tree 900 levels deep; or too large to parse,
    and so not graded either)."""
    graded = _graded(Path(root).resolve(), assignment)
    try:
        text = extract_definitions(path) if path.suffix == ".ipynb" else syntax.read_source(path)
        definitions = _definitions(syntax.parse(text))  # nothing over its bound
        return [f"{owner}: {line}" for owner, given in graded if owner in definitions
                for line in normalised_lines(definitions[owner]) if line not in given]
    except (NotebookError, SyntaxError, ValueError, OSError, RecursionError):
        return []


def _written(submission, root, assignment):
    """:func:`written_lines` of the file that counts for ``assignment`` in ``submission``, its first :data:`MAX_LINES`,
    as a tuple (empty when none).

    The pass runs after the batch, on every rerun: whatever one student's file makes a reader raise (a notebook cell's
    source of numbers once raised TypeError) leaves that file out of the comparisons, never the class report out.
    """
    try:
        path = submitted_file(submission.path, assignment) if Path(submission.path).is_dir() else None
        return tuple(written_lines(path, root, assignment)[:MAX_LINES]) if path is not None and path.is_file() else ()
    except Exception:  # noqa: BLE001 - one student's file costs only its own comparisons
        return ()


@dataclass(frozen=True)
class Pair:
    """Two groups of submissions of one assignment (each group's written lines identical) and their similarity.

    ``first`` and ``second`` are tuples of student ids; an identical group is reported as a pair
    whose ``second`` is empty and whose score is 1.
    """

    assignment: str
    first: tuple
    second: tuple
    score: float
    first_lines: tuple
    second_lines: tuple

    @property
    def students(self):
        return self.first + self.second


def similar_pairs(submissions, root, limit=None, assignments=None):
    """Groups of identical and pairs of near-identical ``submissions``, at least ``limit`` similar.

    ``limit`` defaults to the kit's threshold; ``assignments`` to every one of the kit. Identical written code is grouped first (one
    comparison per distinct text, not per pair of students); sorted by assignment, then from the
    most similar down.
    """
    limit = threshold(root) if limit is None else limit
    if len(submissions) < 2:
        return []  # no pair to find; parsing alone would cost a class of one 0.15 s
    pairs = []
    for assignment in discover_assignments(root) if assignments is None else assignments:
        groups = {}
        for submission in sorted(submissions, key=lambda s: s.student):
            lines = _written(submission, root, assignment)
            if len(lines) >= MIN_LINES:
                groups.setdefault(lines, []).append(submission.student)
        found = [Pair(assignment.folder, tuple(students), (), 1.0, lines, lines)
                 for lines, students in groups.items() if len(students) > 1]
        for (first, a), (second, b) in itertools.combinations(groups.items(), 2):
            matcher = difflib.SequenceMatcher(None, first, second, autojunk=False)
            if matcher.real_quick_ratio() < limit or matcher.quick_ratio() < limit:
                continue
            score = matcher.ratio()
            if score >= limit:
                found.append(Pair(assignment.folder, tuple(a), tuple(b), score, first, second))
        pairs += sorted(found, key=lambda pair: (-pair.score, pair.students))
    return pairs


def side_by_side(pair):
    """An HTML table of the pair's normalised lines, side by side, the differing ones marked."""
    left = ", ".join(pair.first)
    right = ", ".join(pair.second) if pair.second else "(the same code)"
    return difflib.HtmlDiff(wrapcolumn=70).make_table(list(pair.first_lines), list(pair.second_lines),
                                                      html.escape(left), html.escape(right))
