"""The small 2-D point sets of 01_perceptron and 03_gradient_descent.

They are CSV files beside this module (``x1,x2,label`` per line), written by
``python -m backprop_datasets.make_points`` from a fixed seed.
"""
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parent
POINT_SETS = ("perceptron", "gradient_descent")


def points_path(name):
    """Path of the CSV file of the point set ``name`` (one of ``POINT_SETS``)."""
    if name not in POINT_SETS:
        raise ValueError(f"unknown point set {name!r}; choose one of {', '.join(POINT_SETS)}")
    return DATA_DIR / f"points_{name}.csv"


def load_points(name):
    """Load a shipped 2-D point set.

    Parameters
    ----------
    name : {"perceptron", "gradient_descent"}
        Which set.

    Returns
    -------
    X : ndarray of float, shape (n_points, 2)
    y : ndarray of int, shape (n_points,)
        Labels, 0 or 1.
    """
    table = np.loadtxt(points_path(name), delimiter=",", skiprows=1)
    return table[:, :2], table[:, 2].astype(int)
