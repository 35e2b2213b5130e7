"""Reading a reference solution into the parts a student release is made from.

A solution module marks each graded body with nbgrader's delimiters::

    ### BEGIN SOLUTION: a one-line pointer for the student
    ...reference code...
    ### END SOLUTION

The pointer after the colon is optional. Everything outside the markers is
shared by the reference and the stub. Renderers (a stub module, later a
notebook) turn the parsed source into files; they never parse text themselves.
"""
import ast
import re
from dataclasses import dataclass
from pathlib import Path

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
_BEGIN_LINE = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION(?::\s*(?P<hint>.*?))?\s*$")
_END_LINE = re.compile(r"^[ \t]*### END SOLUTION\s*$")


@dataclass(frozen=True)
class SolutionRegion:
    """One marked region of reference code.

    Attributes
    ----------
    owner : str
        Qualified name of the function the region sits in (``"softmax"``,
        ``"NeuralNet.grad_loss"``), or ``""`` for a region at module level.
    indent : str
        The marker line's indentation.
    hint : str
        The pointer for the student ("" when the marker has none).
    code : str
        The reference lines between the markers, with their newlines.
    """

    owner: str
    indent: str
    hint: str
    code: str

    def assigned_names(self):
        """Names a module-level region assigns, in order (``AND_WEIGHTS``, ...)."""
        tree = ast.parse(self.code)
        return [
            target.id
            for node in tree.body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        ]


@dataclass(frozen=True)
class SolutionSource:
    """A solution module split into verbatim text and :class:`SolutionRegion` parts, in order."""

    path: Path
    parts: tuple

    @property
    def regions(self):
        return [part for part in self.parts if isinstance(part, SolutionRegion)]

    @classmethod
    def read(cls, path):
        """Parse the solution module at ``path``.

        Raises
        ------
        ValueError
            For unbalanced or nested markers, naming the file and line.
        """
        path = Path(path)
        return cls.parse(path.read_text(), path)

    @classmethod
    def parse(cls, text, path):
        """Parse solution ``text``; ``path`` names it in errors (see :meth:`read`)."""
        owners = _enclosing_functions(ast.parse(text, filename=str(path)))
        parts, verbatim, region, region_lines = [], [], None, []
        for number, line in enumerate(text.splitlines(keepends=True), start=1):
            begin, end = _BEGIN_LINE.match(line), _END_LINE.match(line)
            if begin:
                if region is not None:
                    raise ValueError(f"{path}:{number}: {BEGIN_SOLUTION} inside another solution region")
                parts.append("".join(verbatim))
                verbatim, region_lines = [], []
                region = (owners.get(number, ""), begin["indent"], begin["hint"] or "")
            elif end:
                if region is None:
                    raise ValueError(f"{path}:{number}: {END_SOLUTION} without a {BEGIN_SOLUTION}")
                parts.append(SolutionRegion(*region, code="".join(region_lines)))
                region = None
            elif region is not None:
                region_lines.append(line)
            else:
                verbatim.append(line)
        if region is not None:
            raise ValueError(f"{path}: {BEGIN_SOLUTION} in {region[0] or 'the module'} is never closed")
        parts.append("".join(verbatim))
        return cls(path, tuple(part for part in parts if part != ""))


def _enclosing_functions(tree):
    """Map each line number inside a function to the function's qualified name (innermost wins)."""
    owners = {}

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    for line in range(child.lineno, child.end_lineno + 1):
                        owners[line] = name
                visit(child, f"{name}.")

    visit(tree, "")
    return owners
