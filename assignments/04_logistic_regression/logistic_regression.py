"""Softmax regression (multinomial logistic regression) on the digits.

The model maps an input ``x`` of shape (input_size,) to class probabilities::

    z = x @ W + b                 (scores, shape (output_size,))
    y = softmax(z)                (probabilities)

and is trained on the negative log-likelihood of the true class ``c``,
``loss = -log y_c``. The chain rule through softmax gives a short gradient: with
``t = one_hot(c)``::

    d loss / d z = y - t
    d loss / d W = outer(x, y - t)         (shape (input_size, output_size))
    d loss / d b = y - t                   (shape (output_size,))

Stochastic gradient descent (SGD) takes one step per sample:
``W <- W - learning_rate * dW`` and ``b <- b - learning_rate * db``.
"""
import numpy as np

EPSILON = 1e-8


def one_hot(n_classes, y):
    """One-hot rows of float: shape (n_classes,) for one label, (len(y), n_classes) for several (given)."""
    y = np.asarray(y, dtype=int)
    encoded = np.zeros(y.shape + (n_classes,))
    if y.ndim == 0:
        encoded[y] = 1.0
    else:
        encoded[np.arange(len(y)), y] = 1.0
    return encoded


def softmax(X):
    """Numerically stable softmax over the last axis (given)."""
    X = np.asarray(X)
    exp = np.exp(X - np.max(X, axis=-1, keepdims=True))
    return exp / np.sum(exp, axis=-1, keepdims=True)


def nll(Y_true, Y_pred):
    """Negative log-likelihood of one-hot targets, averaged over rows, as a float (given)."""
    Y_true = np.atleast_2d(np.asarray(Y_true, dtype=float))
    Y_pred = np.atleast_2d(np.asarray(Y_pred, dtype=float))
    return float(-np.mean(np.sum(Y_true * np.log(EPSILON + Y_pred), axis=1)))


class LogisticRegression:
    """Softmax regression trained by per-sample SGD.

    Parameters
    ----------
    input_size : int
        Number of input features.
    output_size : int
        Number of classes.

    Attributes
    ----------
    W : ndarray, shape (input_size, output_size)
        Weights, initialised uniformly in [-0.1, 0.1].
    b : ndarray, shape (output_size,)
        Biases, initialised uniformly in [-0.1, 0.1].
    output_size : int
        Number of classes.
    """

    def __init__(self, input_size, output_size):
        self.W = np.random.uniform(size=(input_size, output_size), high=0.1, low=-0.1)
        self.b = np.random.uniform(size=output_size, high=0.1, low=-0.1)
        self.output_size = output_size

    def forward(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array_like, shape (input_size,) or (n_samples, input_size)
            One sample or a batch.

        Returns
        -------
        ndarray, shape (output_size,) or (n_samples, output_size)
            ``softmax(X @ W + b)``.
        """
        # YOUR CODE HERE: scores X @ self.W + self.b, then softmax
        raise NotImplementedError('LogisticRegression.forward: scores X @ self.W + self.b, then softmax')

    def predict(self, X):
        """Most probable class.

        Parameters
        ----------
        X : array_like, shape (input_size,) or (n_samples, input_size)
            One sample or a batch.

        Returns
        -------
        int or ndarray of int, shape (n_samples,)
            The argmax of :meth:`forward` over classes.
        """
        # YOUR CODE HERE: argmax of self.forward(X) over the last axis; an int for one sample
        raise NotImplementedError('LogisticRegression.predict: argmax of self.forward(X) over the last axis; an int for one sample')

    def grad_loss(self, x, y_true):
        """Gradient of ``-log softmax(x @ W + b)[y_true]`` for one sample.

        Parameters
        ----------
        x : array_like, shape (input_size,)
            One sample.
        y_true : int
            Its class.

        Returns
        -------
        dict
            ``{"W": ndarray (input_size, output_size), "b": ndarray (output_size,)}``.
        """
        # YOUR CODE HERE: d loss / d z = forward(x) - one_hot(y_true); then dW = outer(x, dz) and db = dz
        raise NotImplementedError('LogisticRegression.grad_loss: d loss / d z = forward(x) - one_hot(y_true); then dW = outer(x, dz) and db = dz')

    def train(self, x, y, learning_rate):
        """One SGD step on one sample.

        Parameters
        ----------
        x : array_like, shape (input_size,)
            One sample.
        y : int
            Its class.
        learning_rate : float
            Step size.
        """
        # YOUR CODE HERE: get self.grad_loss(x, y) and step each parameter against its gradient
        raise NotImplementedError('LogisticRegression.train: get self.grad_loss(x, y) and step each parameter against its gradient')

    def loss(self, X, y):
        """Average negative log-likelihood of a batch.

        Parameters
        ----------
        X : array_like, shape (n_samples, input_size)
            Samples.
        y : array_like of int, shape (n_samples,)
            Their classes.

        Returns
        -------
        float
        """
        # YOUR CODE HERE: nll of one_hot(self.output_size, y) under self.forward(X)
        raise NotImplementedError('LogisticRegression.loss: nll of one_hot(self.output_size, y) under self.forward(X)')

    def accuracy(self, X, y):
        """Fraction of samples whose predicted class is right.

        Parameters
        ----------
        X : array_like, shape (n_samples, input_size)
            Samples.
        y : array_like of int, shape (n_samples,)
            Their classes.

        Returns
        -------
        float
        """
        # YOUR CODE HERE: mean of (self.predict(X) == y)
        raise NotImplementedError('LogisticRegression.accuracy: mean of (self.predict(X) == y)')
