"""Write the shipped 2-D point sets, bit for bit the same on every run.

Run ``python -m backprop_datasets.make_points [DIR]`` (default: beside this file).

Both sets hold 100 points in the unit square around two centres. The perceptron's
set keeps only points at least ``MARGIN`` away from the line between the classes,
so the perceptron trick provably converges. The gradient-descent set keeps them
all, so its classes overlap a little, as logistic regression is meant to handle.
"""
import sys
from pathlib import Path

import numpy as np

from backprop_datasets.points import DATA_DIR, POINT_SETS

SEED = 20261123
N_POINTS = 100
CENTRES = np.array([[0.3, 0.3], [0.7, 0.7]])
SPREAD = {"perceptron": 0.12, "gradient_descent": 0.16}
MARGIN = 0.05


def make_points(name, rng):
    """Draw one point set: ``(X, y)`` with X in [0, 1]^2 and labels 0/1, class 1 around (0.7, 0.7)."""
    points, labels = [], []
    while len(points) < N_POINTS:
        label = len(points) % 2
        point = rng.normal(CENTRES[label], SPREAD[name])
        distance_to_divide = (point.sum() - 1.0) / np.sqrt(2.0)
        if not np.all((0 <= point) & (point <= 1)):
            continue
        if name == "perceptron" and distance_to_divide * (2 * label - 1) < MARGIN:
            continue
        points.append(point)
        labels.append(label)
    return np.array(points), np.array(labels)


def write_point_sets(out_dir=DATA_DIR):
    """Write ``points_<name>.csv`` for every set into ``out_dir``."""
    out_dir = Path(out_dir)
    for offset, name in enumerate(POINT_SETS):
        X, y = make_points(name, np.random.default_rng(SEED + offset))
        lines = ["x1,x2,label"] + [f"{x1:.6f},{x2:.6f},{label}" for (x1, x2), label in zip(X, y)]
        (out_dir / f"points_{name}.csv").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    write_point_sets(sys.argv[1] if len(sys.argv) > 1 else DATA_DIR)
