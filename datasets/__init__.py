"""The kit's data: shipped 2-D point sets and scikit-learn's bundled digits and diabetes data.

Installed as the package ``backprop_datasets`` (the folder ``datasets/`` of the
repository), so that notebooks, tests and the grader load data the same way::

    from backprop_datasets import load_points, load_digits_split, load_diabetes_split
"""
from backprop_datasets.diabetes import load_diabetes_split
from backprop_datasets.digits import STANDARD_SPLIT_SEED, load_digits_split
from backprop_datasets.points import POINT_SETS, load_points

__all__ = ["POINT_SETS", "STANDARD_SPLIT_SEED", "load_diabetes_split", "load_digits_split", "load_points"]
