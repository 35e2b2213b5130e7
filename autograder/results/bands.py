"""The reference's training curves behind a student's, computed in the grading process once per batch.

A training test attaches its curve with ``band={"assignment": ..., "function": ..., "args": [...]}``:
the name of a function of that assignment's hidden test module that trains the reference over
several seeds and returns its curves. :func:`resolve` calls it the first time a page draws that
band and keeps the answer for the rest of the batch, so a class whose training tests all pass
never pays for it, and a class that needs it pays once, not once per student or per runner.
"""
import threading
from functools import lru_cache
from pathlib import Path

from autograder.sandbox.inside.loading import load_module

_lock = threading.Lock()  # feedback pages are written from several threads at once


@lru_cache(maxsize=None)
def _band(root, assignment, function, args):
    [path] = sorted((Path(root) / "solutions" / assignment).glob("test_hidden_*.py"))
    module = load_module(path, f"bands_{assignment}")
    return getattr(module, function)(*args)


def resolve(figure, root):
    """``figure`` with its band named by reference replaced by the curves; without ``root``, with no band."""
    band = figure.get("band")
    if not isinstance(band, dict):
        return figure
    if root is None:
        return {**figure, "band": []}
    with _lock:
        curves = _band(str(root), band["assignment"], band["function"], tuple(band["args"]))
    return {**figure, "band": curves}
