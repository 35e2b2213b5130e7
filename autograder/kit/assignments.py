"""The assignments of a kit, discovered from the kit itself: nothing here lists them.

Each assignment folder says what it is in an ``[assignment]`` table: ``module`` (the module the
students write, ``softmax``), ``title`` and ``order`` (its place in the course). The instructor's
checkout holds it in ``solutions/<folder>/grading.toml``; ``autograder generate`` copies it into the
public ``thresholds.toml`` beside the stub, so the student release (which has no ``solutions/``) and
every test folder know their assignment too. Adding ``solutions/07_training/`` with its
``grading.toml`` adds an assignment; no code changes.
"""
from dataclasses import dataclass
from pathlib import Path

from autograder.kit.errors import KitError
from autograder.kit.toml_parser import tomllib

GRADING_FILE = "grading.toml"
THRESHOLDS_FILE = "thresholds.toml"
ASSIGNMENT_TABLE = "assignment"


@dataclass(frozen=True)
class Assignment:
    """One assignment: ``folder`` as in ``01_perceptron``, ``module`` as in ``perceptron``."""

    folder: str
    module: str
    title: str = ""
    order: int = 0

    @property
    def module_file(self):
        """Path of the module relative to a release or submission root."""
        return Path(self.folder) / f"{self.module}.py"

    def named(self, name):
        """True when ``name`` is this assignment's folder or module (``"02_softmax"`` or ``"softmax"``)."""
        return name in (self.folder, self.module)


def read_assignment(folder):
    """The assignment an assignment folder holds (its ``grading.toml`` or ``thresholds.toml``), or None.

    Raises
    ------
    KitError
        When the file is there but its ``[assignment]`` table is missing or incomplete.
    """
    folder = Path(folder)
    for name in (GRADING_FILE, THRESHOLDS_FILE):
        path = folder / name
        if path.is_file():
            break
    else:
        return None
    try:
        with open(path, "rb") as file:
            table = tomllib.load(file).get(ASSIGNMENT_TABLE)
    except tomllib.TOMLDecodeError as error:
        raise KitError(f"{path}: {error}; fix the TOML syntax") from None
    if table is None and name == THRESHOLDS_FILE:
        return None  # an old release's thresholds: not an assignment folder this kit can read
    fix = (f'add [{ASSIGNMENT_TABLE}] with module = "<module name>", title = "...", order = <number>'
           if name == GRADING_FILE else "run `autograder generate` in the kit")
    if not isinstance(table, dict) or not isinstance(table.get("module"), str):
        raise KitError(f"{path}: no [{ASSIGNMENT_TABLE}] table with a module name: {fix}")
    order = table.get("order", 0)
    if not isinstance(order, int):
        raise KitError(f"{path}: [{ASSIGNMENT_TABLE}] order must be a whole number, not {order!r}")
    return Assignment(folder.name, table["module"], str(table.get("title", "")), order)


def discover_assignments(root):
    """Every assignment of the kit (or student release) at ``root``, in course order.

    A kit's are the folders of ``solutions/`` with a ``grading.toml``; a release's (no ``solutions/``)
    are its folders whose ``thresholds.toml`` names the assignment.
    """
    root = Path(root)
    base = root / "solutions" if (root / "solutions").is_dir() else root
    found = [assignment for folder in sorted(base.iterdir())
             if folder.is_dir() and not folder.name.startswith(".") and (assignment := read_assignment(folder))]
    return tuple(sorted(found, key=lambda a: (a.order, a.folder)))


def find_kit_root(start="."):
    """The nearest folder at or above ``start`` that holds both ``solutions/`` and ``assignments/``.

    Raises
    ------
    FileNotFoundError
        When there is none, with a message that says where to run from.
    """
    start = Path(start).resolve()
    for folder in (start, *start.parents):
        if (folder / "solutions").is_dir() and (folder / "assignments").is_dir():
            return folder
    raise FileNotFoundError(
        f"no Backprop Kit checkout at or above {start}: run this from the repository "
        "(the folder with solutions/ and assignments/) or pass --root"
    )


def assignment_files(root, assignment):
    """The public then hidden test files of one assignment."""
    root = Path(root)
    return [*sorted((root / "assignments" / assignment.folder).glob("test_*.py")),
            *sorted((root / "solutions" / assignment.folder).glob("test_*.py"))]


def test_files(root, assignments=None):
    """The public and hidden test files of ``assignments`` (default: every one of the kit), in order."""
    chosen = discover_assignments(root) if assignments is None else assignments
    return [path for assignment in chosen for path in assignment_files(root, assignment)]


test_files.__test__ = False  # a helper, not a test, for pytest's collection
