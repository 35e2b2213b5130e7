"""scikit-learn's bundled diabetes data (442 patients, 10 features), split and standardised as EXERCISES.md says.

As for the digits, the data is read from scikit-learn's own files and split as its
``train_test_split`` would, with numpy alone: importing scikit-learn costs about a second of CPU
in every process that grades. ``tests/test_datasets.py`` checks the result against scikit-learn's.
"""
import gzip
from functools import lru_cache

import numpy as np

from backprop_datasets.digits import STANDARD_SPLIT_SEED, _split, digits_file

TEST_SIZE = 0.2


def load_diabetes_split(seed=STANDARD_SPLIT_SEED, test_size=TEST_SIZE):
    """The diabetes regression data, split into training and test parts and standardised.

    Features and target are both standardised with the mean and standard deviation of the
    training part only, so no statistic of the test part leaks into training (and a network's
    outputs are in units of the training target's standard deviation). ``seed=37`` is the split
    the assignments use; the grader's hidden splits use other seeds.

    Parameters
    ----------
    seed : int, default=37
        ``random_state`` of ``train_test_split``.
    test_size : float, default=0.2
        Fraction of the 442 patients held out for testing.

    Returns
    -------
    X_train : ndarray of float64, shape (n_train, 10)
    X_test : ndarray of float64, shape (n_test, 10)
    y_train : ndarray of float64, shape (n_train,)
    y_test : ndarray of float64, shape (n_test,)
        The disease progression a year after baseline, standardised.
    """
    X, target = _diabetes()
    train, test = _split(len(X), test_size, seed)
    X_train, X_test, y_train, y_test = X[train], X[test], target[train], target[test]
    X_mean, X_std = X_train.mean(axis=0), X_train.std(axis=0)
    y_mean, y_std = y_train.mean(), y_train.std()
    return (X_train - X_mean) / X_std, (X_test - X_mean) / X_std, (y_train - y_mean) / y_std, (y_test - y_mean) / y_std


@lru_cache(maxsize=1)
def _diabetes():
    """The raw features (``load_diabetes(scaled=False)``) and target, read-only float64, read once per process."""
    folder = digits_file().parent
    with gzip.open(folder / "diabetes_data_raw.csv.gz", mode="rt", encoding="utf-8") as file:
        X = np.loadtxt(file)
    with gzip.open(folder / "diabetes_target.csv.gz", mode="rt", encoding="utf-8") as file:
        target = np.loadtxt(file)
    X.flags.writeable = target.flags.writeable = False
    return X, target
