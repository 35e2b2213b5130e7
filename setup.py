"""The packages of the wheel. Every package under autograder/ is found, never listed by hand: a
hand-written list once left autograder.testing out of the student wheel. backprop_datasets lives in
datasets/ (pyproject.toml's package-dir). tests/test_architecture.py checks the built wheel."""
from setuptools import find_packages, setup

setup(packages=find_packages(include=["autograder", "autograder.*"]) + ["backprop_datasets"])
