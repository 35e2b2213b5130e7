"""scikit-learn's bundled 8x8 digits, split and standardised as EXERCISES.md says.

The split and the scaling are scikit-learn's (``train_test_split``, then ``StandardScaler``
fitted on the training part), computed here with numpy alone from scikit-learn's own data
file: importing scikit-learn costs about a second of CPU, which every grading process and
every cold ``autograder grade`` would otherwise pay for a table of 1797 rows.
``tests/test_datasets.py`` checks the result against scikit-learn's, bit for bit.
"""
import gzip
import importlib.util
import math
from functools import lru_cache
from pathlib import Path

import numpy as np

STANDARD_SPLIT_SEED = 37
TEST_SIZE = 0.15


def load_digits_split(seed=STANDARD_SPLIT_SEED, test_size=TEST_SIZE):
    """The digits, split into training and test parts and standardised.

    The scaler is fitted on the training part only, so no statistic of the test
    part leaks into training. ``seed=37`` is the split every assignment uses;
    the grader's hidden splits use other seeds.

    Parameters
    ----------
    seed : int, default=37
        ``random_state`` of ``train_test_split``.
    test_size : float, default=0.15
        Fraction of the 1797 digits held out for testing.

    Returns
    -------
    X_train : ndarray of float32, shape (n_train, 64)
    X_test : ndarray of float32, shape (n_test, 64)
    y_train : ndarray of int, shape (n_train,)
    y_test : ndarray of int, shape (n_test,)
    """
    X, target = _digits()
    train, test = _split(len(X), test_size, seed)
    X_train, X_test = X[train], X[test]
    mean, scale = _standard_scaling(X_train)
    return _standardised(X_train, mean, scale), _standardised(X_test, mean, scale), target[train], target[test]


def _split(n_samples, test_size, seed):
    """The training and test indices of ``train_test_split(..., test_size, random_state=seed)`` (no stratification)."""
    n_test = math.ceil(test_size * n_samples)
    n_train = math.floor((1.0 - test_size) * n_samples)
    permutation = np.random.RandomState(seed).permutation(n_samples)
    return permutation[n_test:n_test + n_train], permutation[:n_test]


def _standard_scaling(X):
    """``StandardScaler().fit(X)``'s ``mean_`` and ``scale_``, by its own float64 two-pass algorithm (Chan et al.)."""
    n_samples = X.shape[0]
    count = np.full(X.shape[1], float(n_samples))
    total = np.sum(X.astype(np.float64), axis=0)
    mean = (0.0 + total) / count
    centred = X - total / count
    correction = np.sum(centred, axis=0)
    centred **= 2
    variance = (np.sum(centred, axis=0) - correction**2 / count) / count
    eps = np.finfo(np.float64).eps
    constant = variance <= n_samples * eps * variance + (n_samples * mean * eps) ** 2
    scale = np.sqrt(variance)
    scale[constant] = 1.0  # a feature constant on the training part is centred, not scaled
    return mean, scale


def _standardised(X, mean, scale):
    """``StandardScaler.transform``: a float32 copy, centred and scaled in float32."""
    X = np.array(X, dtype=np.float32)
    X -= mean.astype(np.float32)
    X /= scale.astype(np.float32)
    return X


def digits_file():
    """scikit-learn's ``digits.csv.gz``, found without importing scikit-learn."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        # name: who catches it knows which package is missing (at grading: one graded code may not use)
        raise ModuleNotFoundError("the digits and diabetes data come with scikit-learn: pip install scikit-learn",
                                  name="sklearn")
    return Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz"


@lru_cache(maxsize=1)
def _digits():
    """The 1797 digits as read-only float32 rows and their labels, read once per process (as ``load_digits``)."""
    with gzip.open(digits_file(), mode="rt", encoding="utf-8") as file:
        data = np.loadtxt(file, delimiter=",")
    X, target = np.asarray(data[:, :-1], dtype=np.float32), data[:, -1].astype(int)
    X.flags.writeable = target.flags.writeable = False
    return X, target
