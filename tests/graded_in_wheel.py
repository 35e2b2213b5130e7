"""Which functions of an unpacked student wheel compute a helper or method that a training retry pins?

Run as ``python graded_in_wheel.py WHEEL_DIR PROBES_PICKLE`` with nothing of the checkout on the
import path. ``PROBES_PICKLE`` holds ``{helper: [(args, kwargs, expected)]}``, made by the test from
the reference (a method's calls as ``function(attributes, *args, **kwargs)``, as a pin computes
it). The script imports every module of ``autograder.testing`` from ``WHEEL_DIR`` (what the public
tests import, so what a student gets), calls each of its functions at each helper's probes and
prints, as JSON, ``[[module.function, helper]]`` for every function that gives the expected values
at all of them: found by behaviour, whatever the code's wording. The line before is the file the
package was imported from.
"""
import copy
import importlib
import inspect
import json
import pickle
import pkgutil
import signal
import sys
import warnings
from pathlib import Path

import numpy as np

SECONDS = 5  # a probe call of a kit function takes milliseconds
RTOL = 1e-6  # the helpers' own tests' tolerance


def close(got, expected):
    """Are ``got`` and ``expected`` the same values (nested tuples, lists and dicts of numbers or arrays)?"""
    if isinstance(expected, dict):
        return isinstance(got, dict) and got.keys() == expected.keys() and all(
            close(got[key], value) for key, value in expected.items())
    if isinstance(expected, (tuple, list)):
        return isinstance(got, (tuple, list)) and len(got) == len(expected) and all(map(close, got, expected))
    if expected is None or got is None:
        return got is None and expected is None
    got, expected = np.asarray(got), np.asarray(expected)
    return got.shape == expected.shape and bool(np.allclose(got.astype(float), expected.astype(float), rtol=RTOL))


def computes(function, probes):
    """Does ``function`` give the expected value at every probe (no error)?"""
    for args, kwargs, expected in probes:
        signal.alarm(SECONDS)
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                given, named = copy.deepcopy((args, kwargs))  # a function that changes its arguments changes no probe
                if not close(function(*given, **named), expected):
                    return False
        except Exception:  # noqa: BLE001 - a function that cannot take the probe computes nothing of it
            return False
        finally:
            signal.alarm(0)
    return True


def out_of_time(signum, frame):
    raise TimeoutError("a probe call ran too long")


def main(wheel, probes_file):
    sys.path.insert(0, str(wheel))
    signal.signal(signal.SIGALRM, out_of_time)
    testing = importlib.import_module("autograder.testing")
    print(testing.__file__)
    functions = []
    for module_info in pkgutil.walk_packages(testing.__path__, "autograder.testing."):
        module = importlib.import_module(module_info.name)
        functions += [(f"{module.__name__}.{name}", value) for name, value in vars(module).items()
                      if inspect.isfunction(value) and value.__module__ == module.__name__]
    probes = pickle.loads(Path(probes_file).read_bytes())
    print(json.dumps([[label, helper] for helper, calls in probes.items()
                      for label, function in functions if computes(function, calls)]))


if __name__ == "__main__":
    main(*sys.argv[1:3])
