"""Figures a test attaches to its result, drawn in the student's ``feedback.html``.

A test computes the figure's data on the trusted side (from values the student's code
returned) and calls :func:`attach`; the runner's plugin moves what a test attached into its
record, and :mod:`autograder.results.feedback` draws it. Two kinds:

``boundary``  ``points`` (n, 2), ``labels`` (n,) and ``lines`` [(slope, intercept)] per epoch: the
              student's perceptron boundary, epoch after epoch, against the points;
``curve``     ``x`` (epochs), ``student`` (a value per epoch) and ``band`` (the reference's values
              per epoch over several seeds, or a dict naming the function that computes them,
              resolved once per batch by :mod:`autograder.results.bands`), with ``xlabel`` and
              ``ylabel``: a training curve against the band of the reference's.

Data is kept small and plain (lists of floats rounded to 5 significant digits).
"""
import numpy as np

_attached = []


def _plain(value):
    array = np.asarray(value, dtype=np.float64)
    return [float(f"{number:.5g}") if np.isfinite(number) else None for number in array.ravel()] if array.ndim <= 1 \
        else [_plain(row) for row in array]


def attach(kind, title, **data):
    """Attach a figure of ``kind`` (see the module's docstring) to the result of the running test."""
    _attached.append({"kind": kind, "title": title,
                      **{key: value if isinstance(value, (str, dict)) else _plain(value) for key, value in data.items()}})


def take():
    """The figures attached since the last call, which forgets them."""
    figures = list(_attached)
    _attached.clear()
    return figures


def sgd_curve(student, model, X, y, epochs, learning_rate, evaluate, pieces=1, parameters=()):
    """Train the student's ``model`` as ``student._sgd(model, X, y, epochs, learning_rate, parameters)`` does, and
    measure it.

    The samples are fed in the same order, in ``pieces`` slices per epoch. After each slice the
    ``parameters`` (the names of those graded) are read once, and ``evaluate(read)`` (trusted code)
    measures what was read, ``{name: value}``. The steps checked are checked again in a fresh worker once
    the last slice is measured (:meth:`autograder.sandbox.remote.RemoteModule._check_in_a_fresh_worker`,
    which ends the training's worker), and the last read, the one graded, must be what the last step
    left: a read again could answer otherwise (a ``__getattribute__`` that answers a refit to the first
    read after training and the real array to the next).

    Returns
    -------
    list of float
        ``evaluate(read)`` after each of the ``epochs * pieces`` slices.
    """
    bounds = np.linspace(0, len(X), pieces + 1).astype(int)
    values, read = [], {}
    for _ in range(epochs):
        for start, stop in zip(bounds[:-1], bounds[1:]):
            student._sgd(model, X[start:stop], y[start:stop], 1, learning_rate, parameters)
            read = dict(zip(parameters, model._read(*parameters))) if parameters else {}  # one wait for the worker
            values.append(evaluate(read))
    student._check_in_a_fresh_worker(model, read if parameters else None)
    return values


def reference_curve(model, X, y, epochs, learning_rate, evaluate, pieces=1):
    """:func:`sgd_curve` for a reference ``model`` trained here, one ``model.train(x, label, learning_rate)`` per sample."""
    bounds = np.linspace(0, len(X), pieces + 1).astype(int)
    values = []
    for _ in range(epochs):
        for start, stop in zip(bounds[:-1], bounds[1:]):
            for x, label in zip(X[start:stop], y[start:stop]):
                model.train(x, label, learning_rate)
            values.append(evaluate(model))
    return values
