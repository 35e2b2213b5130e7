"""The kit's data package, ``backprop_datasets``, importable in a sandbox where the kit is installed editable.

An editable install finds the package (the repository's ``datasets/`` folder) through setuptools' finder, which
``site`` imports from a ``.pth`` file at every interpreter start; that finder imports ``pathlib`` with
``urllib.parse``, ``ipaddress`` and ``fnmatch``, which nothing else in a sandbox's start needs (5-7 ms of CPU of
every zygote, a submission's sandbox). The sandbox hides that ``.pth`` (:func:`autograder.sandbox.bubblewrap.
exposed_packages`), and its boot installs this finder instead, before any student code runs: the same folder and
the same spec as setuptools' finder gives, so the same module and ``__file__``. Where the kit is installed as a
wheel, the package is in site-packages and the sandbox needs no finder.
"""
import importlib.util
import os
import sys


class DataPackageFinder:
    """Finds the one top-level name at its folder; its submodules are found through the package's ``__path__``.

    A plain class, as :class:`autograder.sandbox.inside.contract.PlaceholderFinder` is: the import system only
    calls ``find_spec``.
    """

    def __init__(self, name, folder):
        self.name, self.folder = name, folder

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        return importlib.util.spec_from_file_location(fullname, os.path.join(self.folder, "__init__.py"))


def install(folder, name="backprop_datasets"):
    """Make ``name`` importable from ``folder``, last on ``sys.meta_path`` as setuptools' finder is."""
    sys.meta_path.append(DataPackageFinder(name, folder))
