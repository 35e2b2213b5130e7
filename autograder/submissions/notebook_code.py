"""The definitions of a notebook, without its experiments.

Grading a notebook must not run its top-level work (training loops, plots), so
only function and class definitions, constant assignments (``UPPER_CASE =
...``; a single letter such as ``X`` or ``W`` is a variable, not a constant) and
the imports those use are kept, in order; a name defined again keeps its last
version, in the place of its first. IPython magics and shell
lines are dropped, a cell that starts with a cell magic (``%%``) or is not
valid Python is skipped whole, and each kept import is guarded, so that a
plotting library missing where the code is graded costs only the code that
uses it.

The same rules apply to a saved notebook (:func:`extract_definitions`, what
``autograder grade`` reads) and to the cells a running kernel has executed
(:func:`kernel_definitions`, what the check cell and nbgrader's autograded
cells test), so both see the same module.

Every reader of a saved notebook goes through :func:`read_notebook`, which bounds its size and the items its
JSON holds before anything is parsed (the grade process has no memory bound of its own).

That module is a scratch file the student never sees: :func:`cell_lines` says which
cell and line each of its lines comes from, so that a traceback through it names
the notebook's cells instead (:func:`in_cells`).
"""
import ast
import json
import re
import textwrap
from functools import lru_cache

from autograder.submissions import syntax

DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
MAX_NOTEBOOK_BYTES = 64 * 1024**2  # as much as a whole zip may unpack to: a notebook is read whole, by every reader
# What json.loads builds costs up to some 25 times the text it reads (``[],`` is a 56-byte list and its 8-byte slot:
# 64 MiB of them took 1.5 GB in the grade process, which has no memory bound of its own), so the items a notebook can
# hold are bounded before it is parsed: a value after each ``[``, ``{``, ``,`` and ``:`` (those inside strings counted
# too, which only over-counts: no extra pass over the text). A million costs at most ~70 MB; the released notebooks
# hold under 1,200, and one that runs into it has outputs to clear.
MAX_NOTEBOOK_ITEMS = 1_000_000
IMPORTS = (ast.Import, ast.ImportFrom)
KEPT_CELLS_CHARS = 64 * 1024  # a notebook's code up to this size has its definitions kept (at most 256 notebooks)
# The folder of the submission the check cell writes (autograder.notebook.kernel): its module is the kernel's cells,
# which is what the runner's words about that module name.
KERNEL_SUBMISSION = "cells-this-notebook-ran"


class NotebookError(ValueError):
    """The file is not a readable notebook."""


def _targets(node):
    return node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]


def _is_constant(node):
    return isinstance(node, (ast.Assign, ast.AnnAssign)) and all(
        isinstance(target, ast.Name) and target.id.isupper() and len(target.id) > 1 for target in _targets(node)
    )


def json_items(raw):
    """An upper bound on the values ``json.loads(raw)`` builds: one after each ``[``, ``{``, ``,`` and ``:``, and one."""
    return len(raw) - len(raw.translate(None, b"[{,:")) + 1  # one pass in C: half the cost of four counts


def read_notebook(path):
    """The notebook at ``path`` as a dict, or :class:`NotebookError`.

    Its size is bounded before it is read (:data:`MAX_NOTEBOOK_BYTES`, by what the file system says and by what a
    read gives) and the values it holds before it is parsed (:data:`MAX_NOTEBOOK_ITEMS`): every reader of a
    notebook on the trusted side comes through here.
    """
    too_large = f"{path.name} is too large to grade"
    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            raise NotebookError(f"{too_large} (over {MAX_NOTEBOOK_BYTES // 1024**2} MiB)")
        with open(path, "rb") as file:  # a buffer of the file's size, not of the bound (64 MiB for each read)
            raw = file.read(size + 1)
    except OSError:
        raise NotebookError(f"{path.name} is not a readable Jupyter notebook") from None
    if len(raw) > MAX_NOTEBOOK_BYTES:
        raise NotebookError(f"{too_large} (over {MAX_NOTEBOOK_BYTES // 1024**2} MiB)")
    if json_items(raw) > MAX_NOTEBOOK_ITEMS:
        raise NotebookError(f"{too_large} (over {MAX_NOTEBOOK_ITEMS:,} JSON items): clear its outputs (Kernel > "
                            "Restart Kernel and Clear All Outputs), save it and hand it in again")
    try:
        notebook = json.loads(raw)
        if not isinstance(notebook, dict) or not isinstance(notebook["cells"], list):
            raise TypeError
    # json nests as deep as the text does: RecursionError; UnicodeDecodeError is a ValueError
    except (KeyError, TypeError, ValueError, RecursionError, MemoryError) as error:
        raise NotebookError(f"{path.name} is not a readable Jupyter notebook{_why_unreadable(raw, error)}: save it "
                            "again in Jupyter (File > Save Notebook) and hand that in, or use the module instead") from None
    return notebook


def _why_unreadable(raw, error):
    """What is wrong with the text of a notebook json could not read as one, said for the student who saved it."""
    if not raw.strip():
        return " (the file is empty)"
    if isinstance(error, json.JSONDecodeError):
        # What json wanted next was past the end, or a string never ends: saved or uploaded in part
        ended = len(raw.decode("utf-8", "replace").rstrip())  # json counts characters, not bytes
        if error.pos >= ended or error.msg.startswith("Unterminated string"):
            return " (its text stops before the notebook ends: cut off while it was saved or uploaded?)"
        return f" (not JSON from line {error.lineno}, column {error.colno}: edited outside Jupyter?)"
    return ""


def code_cells(path):
    """The source of each code cell of the notebook at ``path``."""
    cells = read_notebook(path)["cells"]
    return [_text(cell.get("source", "")) for cell in cells if isinstance(cell, dict) and cell.get("cell_type") == "code"]


def _text(source):
    """A cell's source as text: nbformat's string or list of strings; anything else holds no code ("")."""
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    return source if isinstance(source, str) else ""


def _bound_names(node):
    """The names an import statement binds (``import numpy.linalg`` binds ``numpy``)."""
    return {alias.asname or alias.name.split(".")[0] for alias in node.names}


# Lines as the parser counts them (\r\n, \r or \n; not form feeds), ends kept: ast's own split, made by a regular
# expression once per cell instead of character by character for every statement (ast.get_source_segment).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _source_segment(lines, node):
    """``ast.get_source_segment`` of the text whose :data:`_LINE` split is ``lines``."""
    first, last = node.lineno - 1, node.end_lineno - 1
    if first == last:
        return lines[first].encode()[node.col_offset:node.end_col_offset].decode()
    return "".join([lines[first].encode()[node.col_offset:].decode(), *lines[first + 1:last],
                    lines[last].encode()[:node.end_col_offset].decode()])


def _segment(lines, node):
    """The source of a top-level statement, decorators included."""
    decorators = [f"@{_source_segment(lines, decorator)}\n" for decorator in getattr(node, "decorator_list", [])]
    return "".join(decorators) + _source_segment(lines, node)


def _defined_names(node):
    if isinstance(node, DEFINITIONS):
        return (node.name,)
    return tuple(target.id for target in _targets(node))


def _statements(sources):
    """The statements :func:`definitions` keeps of the cells ``sources``, in order, as
    ``(node, segment, cell, lines)``: ``cell`` the index of its cell in ``sources``, ``lines`` the numbers (from 1) in
    that cell of the segment's lines (magic and shell lines are dropped before parsing, so they may skip)."""
    kept = []
    for cell, source in enumerate(sources):
        if source.lstrip().startswith("%%"):
            continue
        numbered = [(number, line) for number, line in enumerate(source.splitlines(), 1)
                    if not line.lstrip().startswith(("%", "!"))]
        text = "\n".join(line for _, line in numbered)
        try:
            tree = syntax.parse(text)
        except SyntaxError:
            continue
        lines = _LINE.findall(text)
        for node in tree.body:
            if isinstance(node, DEFINITIONS + IMPORTS) or _is_constant(node):
                spans = [*getattr(node, "decorator_list", []), node]  # as _segment puts them together
                kept.append((node, _segment(lines, node), cell, [numbered[line - 1][0] for span in spans
                                                                 for line in range(span.lineno, span.end_lineno + 1)]))
    latest = {}  # a name defined again (a cell edited and run again): its last version, in its first place
    for statement in kept:
        node, segment = statement[:2]
        latest[segment if isinstance(node, IMPORTS) else _defined_names(node)] = statement
    kept = list(latest.values())
    used = {name.id for node, *_ in kept if not isinstance(node, IMPORTS)
            for name in ast.walk(node) if isinstance(name, ast.Name)}
    return [statement for statement in kept
            if not isinstance(statement[0], IMPORTS) or _bound_names(statement[0]) & (used | {"*"})]


def _part(node, segment):
    """A kept statement as the module holds it: an import guarded (see the module docstring)."""
    return f"try:\n{textwrap.indent(segment, '    ')}\nexcept ImportError:\n    pass" if isinstance(node, IMPORTS) \
        else segment


def definitions(sources):
    """Python source with the definitions of the cells ``sources``, in order (see the module docstring)."""
    return "\n\n\n".join(_part(node, segment) for node, segment, *_ in _statements(sources)) + "\n"


def cell_lines(sources):
    """Where each line of ``definitions(sources)`` comes from: ``{line: (cell, line in that cell, name)}`` (lines
    from 1, ``cell`` an index in ``sources``, ``name`` what the statement defines), for the lines of definitions
    and constants; a traceback through the module then names the notebook's own cell and line."""
    origins, line = {}, 1
    for node, segment, cell, lines in _statements(sources):
        if not isinstance(node, IMPORTS):
            name = _defined_names(node)[0]
            origins.update((line + offset, (cell, number, name)) for offset, number in enumerate(lines))
        line += _part(node, segment).count("\n") + 3  # the part's lines and the two blank ones between parts
    return origins


FRAME = re.compile(r'File "([^"]*)", line (\d+)')  # a traceback's frame: its file and line


def in_cells(traceback_text, module_file, origins, label):
    """``traceback_text`` with its frames in the module that :func:`definitions` wrote for a notebook (a file whose
    path is or ends with ``module_file``, ``02_softmax/softmax.py``) named as the notebook's cells instead.

    That module is a scratch file the student never sees: ``label(cell, line, name)`` says where the frame's line is
    in the notebook (``origins``: :func:`cell_lines`); a frame elsewhere is left as it is.
    """
    def renamed(frame):
        ours = frame[1] == module_file or frame[1].endswith(f"/{module_file}")
        origin = origins.get(int(frame[2])) if ours else None
        return label(*origin) if origin else frame[0]

    return FRAME.sub(renamed, traceback_text)


class SavedNotebookLines:
    """The lines of the scratch module made of a saved notebook's definitions, named as the student knows them.

    ``check`` and ``grade`` run a notebook's definitions as that module (:func:`extract_definitions`); what they say
    of a line of it (a traceback, the line a hidden test's feedback names) names the notebook's cell instead.

    Parameters
    ----------
    notebook : Path
        The saved notebook.
    module_file : str
        The end of the scratch module's path, ``"02_softmax/softmax.py"``.
    """

    def __init__(self, notebook, module_file):
        self.notebook_name = notebook.name
        self.module_file = module_file
        try:
            self.origins = cell_lines(code_cells(notebook))
        except NotebookError:
            self.origins = {}  # unreadable now: its lines are named nowhere (it was read when its module was made)

    def line(self, line):
        """``"line 17 of the cell that defines softmax in softmax.ipynb"``, or None for a line of no cell."""
        if line not in self.origins:
            return None
        _, number, name = self.origins[line]
        return f"line {number} of the cell that defines {name} in {self.notebook_name}"

    def traceback(self, text):
        """``text`` with its frames in the scratch module named by their cells."""
        return in_cells(text, self.module_file, self.origins, lambda cell, line, name:
                        f'File "{self.notebook_name}", line {line} of the cell that defines {name}')


def syntax_error_defining(path, name):
    """The line of the syntax error in the code cell of the notebook at ``path`` that defines ``name`` and is left
    out for not being valid Python (:func:`definitions` skips such a cell whole), counted in that cell; None when
    no such cell is there."""
    defines = re.compile(rf"^(?:(?:async\s+)?def|class)\s+{re.escape(name)}\b|^{re.escape(name)}\s*[:=]", re.MULTILINE)
    for source in code_cells(path):
        if source.lstrip().startswith("%%") or not defines.search(source):
            continue
        text = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
        try:
            syntax.parse(text)
        except SyntaxError as error:
            return error.lineno
    return None


def extract_definitions(path):
    """Python source with the definitions of the saved notebook at ``path``.

    Raises :class:`NotebookError` when its code cells together are too large to parse
    (:data:`~autograder.submissions.syntax.MAX_SOURCE_BYTES`, as a module).
    """
    sources = tuple(code_cells(path))
    problem = syntax.too_large(f"{path.name}'s code", sum(map(len, sources)))
    if problem:
        raise NotebookError(problem)
    return _kept_definitions(sources) if sum(map(len, sources)) <= KEPT_CELLS_CHARS else definitions(sources)


@lru_cache(maxsize=256)
def _kept_definitions(sources):
    """:func:`definitions` of the cells ``sources`` (a tuple), kept by their text: a ``grade`` reads each notebook's
    definitions three times (its progress, the definitions it lacks, the similarity pass), parsing its cells once."""
    return definitions(sources)


def kernel_cells():
    """The cells this IPython kernel has run, in the order it ran them: the one at index ``i`` is ``In[i + 1]``."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        raise RuntimeError("this runs inside a Jupyter notebook; elsewhere use `autograder check`")
    return shell.history_manager.input_hist_raw[1:]


def kernel_definitions():
    """Python source with the definitions of the cells this IPython kernel has run, in the order it ran them.

    That is the code as it is in the notebook now, edits included once their
    cell has run; a cell edited but not run again counts as it was.
    """
    return definitions(kernel_cells())


def unfinished(source):
    """Names in ``source`` that are still stubs: functions that raise NotImplementedError, constants set to None."""
    names = []

    def visit(nodes, prefix):
        for node in nodes:
            if isinstance(node, ast.ClassDef):
                visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                isinstance(inner, ast.Raise) and "NotImplementedError" in ast.unparse(inner.exc or ast.Pass())
                for inner in ast.walk(node)
            ):
                names.append(f"{prefix}{node.name}")
            elif _is_constant(node) and isinstance(node.value, ast.Constant) and node.value.value is None:
                names.extend(target.id for target in _targets(node))

    visit(syntax.parse(source).body, "")
    return list(dict.fromkeys(names))
