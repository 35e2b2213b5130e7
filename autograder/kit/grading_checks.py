"""What an assignment's ``grading.toml`` must say before anything is graded with it.

A slip in the instructor's file otherwise costs the students, not the instructor: points written as
text (``"two"``) ended ``grade`` with a traceback after grading and left every row pending; a test
with no line in ``[points]`` (a typo, or a test added without points) failed every student's run
with the grader's ``KeyError``; a threshold that a test reads but the file lacks, or one written as
text, failed that test for everyone, as if their code were wrong; negative points took points away
from a student whose code passed.

So, per assignment graded (:func:`check_grading`): every ``[points]`` value is a number of at least
0, every test function of the assignment's test files has points and every name in ``[points]`` is
such a function; every ``[thresholds]`` value is a number, and every threshold the assignment's own
test files read by name (``bars["rtol"]``) is there. Each failure is one line
(:class:`~autograder.kit.errors.KitError`) naming the file, the table and key, and the fix. The
thresholds read by the shared helpers of :mod:`autograder.testing` are not looked for: which ones a
helper reads depends on how a test calls it.
"""
import ast
import difflib
import math
import re
from pathlib import Path

from autograder.kit.assignments import GRADING_FILE, assignment_files
from autograder.kit.errors import KitError
from autograder.kit.toml_parser import tomllib

BARS = "bars"  # the fixture through which a test reads its assignment's thresholds


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _close(name, names):
    """`` (did you mean x?)`` when ``names`` holds one close to ``name``."""
    match = difflib.get_close_matches(name, sorted(names), n=1)
    return f" (did you mean {match[0]}?)" if match else ""


# Read, not parsed, where it can be (a grade's start pays for what is done here; parsing every test file cost nine
# times as much): a test function is a top-level ``def test...``, a threshold read by name is ``bars["name"]``. A
# file with a test class (``class Test...``, whose ``def test...`` methods pytest collects and scores by their names)
# is parsed, so that a helper named ``test_...`` nested in a test is not taken for one.
_TEST = re.compile(r"^(?:async\s+)?def\s+(test\w*)", re.MULTILINE)
_TEST_CLASS = re.compile(r"^class\s+Test", re.MULTILINE)
_BAR = re.compile(BARS + r"""\[\s*["']([^"'\]]+)["']\s*\]""")
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _test_functions(text):
    """The names of the tests pytest collects from a test file's ``text``: its top-level ``test...`` functions and the
    ``test...`` methods of its top-level ``Test...`` classes (a file that does not parse: its top-level functions)."""
    if not _TEST_CLASS.search(text):
        return _TEST.findall(text)
    try:
        body = ast.parse(text).body
    except SyntaxError:  # pytest will say so when it collects the file
        return _TEST.findall(text)
    names = []
    for node in body:
        if isinstance(node, _FUNCTIONS) and node.name.startswith("test"):
            names.append(node.name)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            names += [item.name for item in node.body if isinstance(item, _FUNCTIONS) and item.name.startswith("test")]
    return names


def _tests_and_bars(files):
    """``({test function: file name}, {threshold read: file name})`` of the test files."""
    tests, bars = {}, {}
    for path in files:
        text, name = Path(path).read_text(encoding="utf-8"), Path(path).name
        for test in _test_functions(text):
            tests.setdefault(test, name)
        for bar in _BAR.findall(text):
            bars.setdefault(bar, name)
    return tests, bars


def check_grading(root, assignment):
    """The tables of the assignment's ``grading.toml``, read once and checked for what grading cannot use.

    Parameters
    ----------
    root : path-like
        The kit's checkout (``assignments/`` and ``solutions/``).
    assignment : Assignment
        The assignment to check.

    Returns
    -------
    dict
        The file's tables (``points``, ``thresholds``, ...), as read.

    Raises
    ------
    KitError
        For the first thing wrong, naming the file, the table and key, and the fix.
    """
    path = Path(root) / "solutions" / assignment.folder / GRADING_FILE
    try:
        with open(path, "rb") as file:
            grading = tomllib.load(file)
    except tomllib.TOMLDecodeError as error:
        raise KitError(f"{path}: {error}; fix the TOML syntax") from None
    points, thresholds = grading.get("points", {}), grading.get("thresholds", {})
    for table, values in (("points", points), ("thresholds", thresholds)):
        if not isinstance(values, dict):
            raise KitError(f"{path}: [{table}] is not a table; write it as [{table}] with one 'name = number' a line")
    for name, value in points.items():
        if not _number(value) or value < 0:
            raise KitError(f"{path}: [points] {name} = {value!r}; give the test's points as a number, 0 or more")
    for name, value in thresholds.items():
        if not _number(value):
            raise KitError(f"{path}: [thresholds] {name} = {value!r}; a threshold is a number (1e-6, 0.9, 15)")
    tests, bars = _tests_and_bars(assignment_files(root, assignment))
    for test, file in tests.items():
        if test not in points:  # a line for no test close to it is the likely typo
            raise KitError(f"{path}: [points] has no line for {test} (a test of {file})"
                           f"{_close(test, set(points) - set(tests))}; "
                           f"add '{test} = <points>' (0 for a test that counts nothing)")
    for name in points:
        if name not in tests:
            raise KitError(f"{path}: [points] {name} is no test of {assignment.folder}{_close(name, tests)}; "
                           "name a test function of its test files, or remove the line")
    for name, file in bars.items():
        if name not in thresholds:
            raise KitError(f"{path}: [thresholds] has no {name}, which {file} reads"
                           f"{_close(name, set(thresholds) - set(bars))}; "
                           f"add '{name} = <number>'")
    return grading
