"""Softmax, one-hot targets and the likelihood losses.

Softmax
    turns a vector of scores ``z`` into probabilities::

        softmax(z)_i = exp(z_i) / sum_j exp(z_j)

    Adding a constant to every score changes nothing, so subtracting the largest
    score first keeps ``exp`` from overflowing (``exp(1000)`` is ``inf``) without
    changing the result. For a matrix, each row is one vector of scores.

Negative log-likelihood
    of one-hot targets ``Y`` under predicted probabilities ``P``, averaged over
    the rows::

        nll(Y, P) = -mean_rows( sum_k Y_k * log(EPSILON + P_k) )

    ``EPSILON`` keeps ``log(0)`` finite when a model is certain and wrong.

Binary cross-entropy
    of labels ``Y`` in {0, 1} under probabilities ``P`` of the label 1, summed::

        cross_entropy(Y, P) = -sum( Y*log(P) + (1-Y)*log(1-P) )
"""
import numpy as np

EPSILON = 1e-8


def one_hot(n_classes, y):
    """One-hot encoding of integer labels.

    Parameters
    ----------
    n_classes : int
        Number of classes.
    y : int or array_like of int, shape (n_samples,)
        One label, or a sequence of labels.

    Returns
    -------
    ndarray of float, shape (n_classes,) or (n_samples, n_classes)
        Rows with a 1.0 in the column of the label and 0.0 elsewhere.
    """
    ### BEGIN SOLUTION: start from zeros of the right shape and put a 1.0 in each label's column
    y = np.asarray(y, dtype=int)
    encoded = np.zeros(y.shape + (n_classes,))
    if y.ndim == 0:
        encoded[y] = 1.0
    else:
        encoded[np.arange(len(y)), y] = 1.0
    return encoded
    ### END SOLUTION


def softmax(X):
    """Softmax over the last axis.

    Parameters
    ----------
    X : array_like, shape (n_classes,) or (n_samples, n_classes)
        Scores: one vector, or one row of scores per sample.

    Returns
    -------
    ndarray of float, same shape as X
        Probabilities: positive, each row summing to 1. Finite for scores of
        any magnitude.
    """
    ### BEGIN SOLUTION: subtract each row's max (keepdims), exponentiate, divide by the row sums
    X = np.asarray(X)
    exp = np.exp(X - np.max(X, axis=-1, keepdims=True))
    return exp / np.sum(exp, axis=-1, keepdims=True)
    ### END SOLUTION


def nll(Y_true, Y_pred):
    """Negative log-likelihood of one-hot targets, averaged over the rows.

    Parameters
    ----------
    Y_true : array_like, shape (n_classes,) or (n_samples, n_classes)
        One-hot targets. A vector is treated as one row.
    Y_pred : array_like, same shape as Y_true
        Predicted probabilities.

    Returns
    -------
    float
        ``-mean_rows(sum(Y_true * log(EPSILON + Y_pred)))``.
    """
    ### BEGIN SOLUTION: make both at least 2-D, sum Y_true * log(EPSILON + Y_pred) over each row, average the rows, negate
    Y_true = np.atleast_2d(np.asarray(Y_true, dtype=float))
    Y_pred = np.atleast_2d(np.asarray(Y_pred, dtype=float))
    log_likelihoods = np.sum(Y_true * np.log(EPSILON + Y_pred), axis=1)
    return float(-np.mean(log_likelihoods))
    ### END SOLUTION


def cross_entropy(Y, P):
    """Binary cross-entropy, summed over all entries.

    Parameters
    ----------
    Y : array_like of {0, 1}, shape (n,)
        Labels.
    P : array_like of float in (0, 1), shape (n,)
        Predicted probabilities that the label is 1.

    Returns
    -------
    float
        ``-sum(Y*log(P) + (1-Y)*log(1-P))``.
    """
    ### BEGIN SOLUTION: convert to float arrays, then sum Y*log(P) + (1-Y)*log(1-P) and negate
    Y = np.asarray(Y, dtype=float)
    P = np.asarray(P, dtype=float)
    return float(-np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P)))
    ### END SOLUTION
