"""The assignments: their folders and the module each one asks for."""
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Assignment:
    """One assignment: ``folder`` as in ``01_perceptron``, ``module`` as in ``perceptron``."""

    folder: str
    module: str

    @property
    def module_file(self):
        """Path of the module relative to a release or submission root."""
        return Path(self.folder) / f"{self.module}.py"


ASSIGNMENTS = (
    Assignment("01_perceptron", "perceptron"),
    Assignment("02_softmax", "softmax"),
    Assignment("03_gradient_descent", "gradient_descent"),
    Assignment("04_logistic_regression", "logistic_regression"),
    Assignment("05_mlp", "mlp"),
    Assignment("06_backprop", "backprop"),
    Assignment("07_training", "training"),
    Assignment("08_regression", "regression"),
)


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


def test_files(root):
    """The public and hidden test files of every assignment, in assignment order."""
    files = []
    for assignment in ASSIGNMENTS:
        files += sorted((root / "assignments" / assignment.folder).glob("test_*.py"))
        files += sorted((root / "solutions" / assignment.folder).glob("test_*.py"))
    return files
