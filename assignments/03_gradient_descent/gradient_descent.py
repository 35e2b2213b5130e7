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
    # YOUR CODE HERE: 1 / (1 + exp(-x)) overflows for x << 0; np.logaddexp(0, -x) computes log(1 + exp(-x)) safely
    raise NotImplementedError('sigmoid: 1 / (1 + exp(-x)) overflows for x << 0; np.logaddexp(0, -x) computes log(1 + exp(-x)) safely')


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
    # YOUR CODE HERE: sigmoid of the score features @ weights + bias
    raise NotImplementedError('output_formula: sigmoid of the score features @ weights + bias')


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
    # YOUR CODE HERE: -y*log(output) - (1-y)*log(1-output), elementwise
    raise NotImplementedError('error_formula: -y*log(output) - (1-y)*log(1-output), elementwise')


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
    # YOUR CODE HERE: compute output_formula(x, weights, bias), then return NEW weights and bias (do not modify weights in place)
    raise NotImplementedError('update_weights: compute output_formula(x, weights, bias), then return NEW weights and bias (do not modify weights in place)')


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
