"""Gradient descent for binary logistic regression on 2-D points.

The model predicts the probability that a point ``x`` has label 1::

    output = sigmoid(x @ weights + bias),      sigmoid(t) = 1 / (1 + exp(-t))

and is scored by the log-loss of that point::

    error = -y*log(output) - (1-y)*log(1-output)

Its gradient is remarkably simple: ``d error / d weights = -(y - output) * x`` and
``d error / d bias = -(y - output)``. One gradient-descent step therefore moves
the parameters by ``learnrate * (y - output)`` times ``x`` (and times 1 for the
bias). :func:`train` repeats that step for every point, epoch after epoch.
"""
import numpy as np


def sigmoid(x):
    """The logistic function, elementwise.

    Parameters
    ----------
    x : float or array_like
        Scores.

    Returns
    -------
    float or ndarray, same shape as x
        ``1 / (1 + exp(-x))``, computed without overflow for large ``|x|``.
    """
    ### BEGIN SOLUTION: 1 / (1 + exp(-x)) overflows for x << 0; np.logaddexp(0, -x) computes log(1 + exp(-x)) safely
    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))
    ### END SOLUTION


def output_formula(features, weights, bias):
    """Predicted probability of the label 1.

    Parameters
    ----------
    features : array_like, shape (n_features,) or (n_points, n_features)
        One point or several.
    weights : array_like, shape (n_features,)
        Weights.
    bias : float
        Bias.

    Returns
    -------
    float or ndarray, shape (n_points,)
        ``sigmoid(features @ weights + bias)``.
    """
    ### BEGIN SOLUTION: sigmoid of the score features @ weights + bias
    return sigmoid(np.dot(np.asarray(features, dtype=float), np.asarray(weights, dtype=float)) + bias)
    ### END SOLUTION


def error_formula(y, output):
    """Log-loss of predicted probabilities.

    Parameters
    ----------
    y : float or array_like of {0, 1}
        Labels.
    output : float or array_like, same shape as y
        Predicted probabilities of the label 1.

    Returns
    -------
    float or ndarray, same shape as y
        ``-y*log(output) - (1-y)*log(1-output)``.
    """
    ### BEGIN SOLUTION: -y*log(output) - (1-y)*log(1-output), elementwise
    y = np.asarray(y, dtype=float)
    output = np.asarray(output, dtype=float)
    return -y * np.log(output) - (1 - y) * np.log(1 - output)
    ### END SOLUTION


def update_weights(x, y, weights, bias, learnrate):
    """One gradient-descent step on the log-loss of one point.

    Parameters
    ----------
    x : array_like, shape (n_features,)
        The point.
    y : {0, 1}
        Its label.
    weights : array_like, shape (n_features,)
        Current weights (not modified).
    bias : float
        Current bias.
    learnrate : float
        Step size.

    Returns
    -------
    weights : ndarray, shape (n_features,)
        ``weights + learnrate * (y - output) * x``.
    bias : float
        ``bias + learnrate * (y - output)``.
    """
    ### BEGIN SOLUTION: compute output_formula(x, weights, bias), then return NEW weights and bias (do not modify weights in place)
    x = np.asarray(x, dtype=float)
    error = y - output_formula(x, weights, bias)
    weights = np.asarray(weights, dtype=float) + learnrate * error * x
    bias = bias + learnrate * error
    return weights, float(bias)
    ### END SOLUTION


def train(features, targets, epochs, learnrate):
    """Logistic regression by per-point gradient descent (given, not graded).

    Parameters
    ----------
    features : array_like, shape (n_points, n_features)
        The points.
    targets : array_like, shape (n_points,)
        Their labels, 0 or 1.
    epochs : int
        Number of passes over the points.
    learnrate : float
        Step size.

    Returns
    -------
    weights : ndarray, shape (n_features,)
    bias : float
    """
    features = np.asarray(features, dtype=float)
    n_features = features.shape[1]
    weights = np.random.normal(scale=1 / np.sqrt(n_features), size=n_features)
    bias = 0.0
    for _ in range(epochs):
        for x, y in zip(features, targets):
            weights, bias = update_weights(x, y, weights, bias, learnrate)
    return weights, bias
