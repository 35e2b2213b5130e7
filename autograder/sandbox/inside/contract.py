"""What graded code may use: numpy and the standard library. Placeholders for the packages it may not.

The sandbox does not even contain the other installed packages (:mod:`autograder.sandbox.bubblewrap`
shows numpy and the kit only), so nothing here is what keeps them out. What this adds is a fair
way to say so: a student's module that imports scikit-learn or matplotlib at its top, for its own
experiments, still loads, because such an import gives a placeholder module; anything taken from
it (a class, a function, a submodule) is a placeholder too, and calling one raises
:class:`NotAvailableAtGrading` with a message that says the contract allows numpy only. So the
graded call that uses scikit-learn fails its test, and the rest of the module is graded.

The finder is first on ``sys.meta_path``, so ``autograder check`` on a laptop that has these
packages installed says the same as grading does. It is a plain class: the import system asks a
meta path finder for ``find_spec`` and a loader for ``create_module`` and ``exec_module``, never for
``importlib.abc``'s base classes, whose import (``importlib.resources`` with ``pathlib``, ``tempfile``,
``shutil``, ``bz2`` and ``lzma``) was 4-7 ms of every worker's start.
"""
import importlib.machinery
import sys
import types

# Import names of packages a student might compute or plot with instead of numpy, and the name to show.
NOT_IN_CONTRACT = {
    "sklearn": "scikit-learn", "scipy": "SciPy", "matplotlib": "matplotlib", "pandas": "pandas",
    "seaborn": "seaborn", "statsmodels": "statsmodels", "torch": "PyTorch", "tensorflow": "TensorFlow",
    "keras": "Keras", "jax": "JAX", "jaxlib": "JAX", "autograd": "autograd", "numba": "Numba", "cupy": "CuPy",
    "sympy": "SymPy", "xgboost": "XGBoost", "lightgbm": "LightGBM", "theano": "Theano", "mxnet": "MXNet",
    "PIL": "Pillow", "skimage": "scikit-image", "cv2": "OpenCV", "numexpr": "numexpr", "plotly": "plotly",
    # Not for computing, but often imported at the top of a student's module (its own tests, progress bars,
    # notebook display): such a module still loads.
    "pytest": "pytest", "_pytest": "pytest", "tqdm": "tqdm", "IPython": "IPython", "ipywidgets": "ipywidgets",
}


class NotAvailableAtGrading(RuntimeError):
    """Graded code used a package the contract does not allow."""


def message(dotted):
    package = NOT_IN_CONTRACT[dotted.split(".")[0]]
    return (f"{dotted} ({package}) is not available at grading: the contract allows numpy and the standard "
            "library only in graded code (use it in your own experiments, outside the graded functions)")


class _Placeholder(type):
    """The type of every placeholder: a class (so subclassing it works) that raises when called."""

    def __call__(cls, *args, **kwargs):
        raise NotAvailableAtGrading(message(cls._dotted))

    def __getattr__(cls, name):
        if name.startswith("__") or name == "_dotted":
            raise AttributeError(name)
        return placeholder(f"{cls._dotted}.{name}")


def placeholder(dotted):
    """A stand-in for ``dotted`` (``sklearn.linear_model.LogisticRegression``), usable only as a name."""
    return _Placeholder(dotted.rsplit(".", 1)[-1], (), {"_dotted": dotted, "__module__": dotted.rpartition(".")[0]})


class PlaceholderModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return placeholder(f"{self.__name__}.{name}")


class PlaceholderFinder:
    """Answers every import of a package of :data:`NOT_IN_CONTRACT` (and its submodules) with a placeholder."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] not in NOT_IN_CONTRACT:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        module = PlaceholderModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


def install():
    """Put the placeholders first in line for the packages graded code may not use (once per process)."""
    if not any(isinstance(finder, PlaceholderFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, PlaceholderFinder())
