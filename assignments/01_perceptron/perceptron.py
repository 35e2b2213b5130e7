"""Perceptrons: logic gates, and the perceptron trick that learns a line.

A perceptron computes ``step(w1*x1 + w2*x2 + b)`` where ``step(t) = 1 if t >= 0
else 0``. Its decision boundary is the line ``w1*x1 + w2*x2 + b = 0``: points on
one side (or on the line) are labelled 1, points on the other side 0.

Logic gates
    With the right weights a single perceptron computes AND, OR or NOT. XOR is not
    linearly separable, so no single perceptron computes it, but two layers do:
    ``XOR(a, b) = AND(NAND(a, b), OR(a, b))``.

The perceptron trick
    Visit the points one at a time. A point labelled 1 but predicted 0 lies on
    the wrong side, so move the line towards it::

        W <- W + learn_rate * x        b <- b + learn_rate

    a point labelled 0 but predicted 1 moves the line away from it (same update
    with minus signs), and a correctly classified point changes nothing. Each
    update is seen by the prediction for the next point.
"""
import numpy as np

# Each gate is (weight1, weight2, bias): the perceptron outputs
# int(weight1*x1 + weight2*x2 + bias >= 0) on inputs in {0, 1}.
# YOUR CODE HERE: choose (weight1, weight2, bias) for each gate; NOT looks at x2 only
AND_WEIGHTS = None
OR_WEIGHTS = None
NOT_WEIGHTS = None


def gate(weights, x1, x2):
    """Output of the perceptron with ``weights = (weight1, weight2, bias)``.

    Parameters
    ----------
    weights : tuple of 3 floats
        ``(weight1, weight2, bias)``.
    x1, x2 : {0, 1}
        The two inputs.

    Returns
    -------
    int
        ``int(weight1*x1 + weight2*x2 + bias >= 0)``.
    """
    weight1, weight2, bias = weights
    return int(weight1 * x1 + weight2 * x2 + bias >= 0)


def xor(x1, x2):
    """XOR of two bits, built only from the AND, OR and NOT perceptrons.

    Parameters
    ----------
    x1, x2 : {0, 1}
        The two inputs.

    Returns
    -------
    int
        1 when exactly one input is 1, else 0.
    """
    # YOUR CODE HERE: combine gate(AND_WEIGHTS, ...), gate(OR_WEIGHTS, ...) and gate(NOT_WEIGHTS, ...) in two layers
    raise NotImplementedError('xor: combine gate(AND_WEIGHTS, ...), gate(OR_WEIGHTS, ...) and gate(NOT_WEIGHTS, ...) in two layers')


def stepFunction(t):
    """The step activation.

    Parameters
    ----------
    t : float
        The perceptron's score ``X @ W + b``.

    Returns
    -------
    int
        1 if ``t >= 0`` (the boundary point counts as 1), else 0.
    """
    # YOUR CODE HERE: return 1 when t >= 0, else 0 (mind the boundary)
    raise NotImplementedError('stepFunction: return 1 when t >= 0, else 0 (mind the boundary)')


def prediction(X, W, b):
    """Predicted label of one point.

    Parameters
    ----------
    X : array_like, shape (2,)
        One point.
    W : array_like, shape (2, 1)
        Weights.
    b : float
        Bias.

    Returns
    -------
    int
        ``stepFunction(X @ W + b)``.
    """
    # YOUR CODE HERE: compute the score X @ W + b as a float, then apply stepFunction
    raise NotImplementedError('prediction: compute the score X @ W + b as a float, then apply stepFunction')


def perceptronStep(X, y, W, b, learn_rate=0.01):
    """One pass of the perceptron trick over the points, in order.

    Parameters
    ----------
    X : array_like, shape (n_points, 2)
        The points.
    y : array_like, shape (n_points,)
        Their labels, 0 or 1.
    W : ndarray, shape (2, 1)
        Weights; updated in place (as the classic version does) and returned.
    b : float
        Bias.
    learn_rate : float, default=0.01
        Size of each move of the line.

    Returns
    -------
    W : ndarray, shape (2, 1)
        The weights after the pass.
    b : float
        The bias after the pass.
    """
    # YOUR CODE HERE: for each point in order, compare prediction(x, W, b) with its label and move the line
    raise NotImplementedError('perceptronStep: for each point in order, compare prediction(x, W, b) with its label and move the line')


def trainPerceptronAlgorithm(X, y, learn_rate=0.01, num_epochs=25):
    """Run the perceptron trick for several epochs from a random start.

    Starts from ``W = np.random.rand(2, 1)`` and then
    ``b = np.random.rand() + max(X[:, 0])`` (in that order, from numpy's global
    random state), and runs one :func:`perceptronStep` per epoch.

    Parameters
    ----------
    X : array_like, shape (n_points, 2)
        The points.
    y : array_like, shape (n_points,)
        Their labels, 0 or 1.
    learn_rate : float, default=0.01
        Passed to :func:`perceptronStep`.
    num_epochs : int, default=25
        Number of passes.

    Returns
    -------
    list of (float, float)
        The boundary line ``x2 = slope * x1 + intercept`` after each epoch, as
        ``(slope, intercept) = (-W[0]/W[1], -b/W[1])``.
    """
    # YOUR CODE HERE: draw W then b as described, then per epoch call perceptronStep and record (-W[0]/W[1], -b/W[1])
    raise NotImplementedError('trainPerceptronAlgorithm: draw W then b as described, then per epoch call perceptronStep and record (-W[0]/W[1], -b/W[1])')
