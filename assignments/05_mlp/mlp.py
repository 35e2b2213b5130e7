"""A neural network with one hidden layer of sigmoid units and a softmax output.

Forward pass for one sample ``x`` of shape (input_size,)::

    z_h = x @ W_h + b_h          hidden pre-activations, shape (hidden_size,)
    h   = sigmoid(z_h)           hidden activations
    z_o = h @ W_o + b_o          output scores, shape (output_size,)
    y   = softmax(z_o)           class probabilities

Backward pass for the loss ``-log y_c`` of the true class ``c`` (``t = one_hot(c)``),
applying the chain rule one layer at a time, from the output back::

    d z_o = y - t                          d W_o = outer(h, d z_o)   d b_o = d z_o
    d h   = d z_o @ W_o.T
    d z_h = d h * sigmoid'(z_h)            d W_h = outer(x, d z_h)   d b_h = d z_h

with ``sigmoid'(z) = sigmoid(z) * (1 - sigmoid(z))`` taken at the PRE-activation
``z_h``. SGD then steps every parameter against its gradient.
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


def sigmoid(X):
    """The logistic function, elementwise.

    Parameters
    ----------
    X : float or array_like
        Pre-activations.

    Returns
    -------
    ndarray, same shape as X
        ``1 / (1 + exp(-X))``, computed without overflow for large ``|X|``.
    """
    # YOUR CODE HERE: 1 / (1 + exp(-X)) overflows for X << 0; np.logaddexp(0, -X) computes log(1 + exp(-X)) safely
    raise NotImplementedError('sigmoid: 1 / (1 + exp(-X)) overflows for X << 0; np.logaddexp(0, -X) computes log(1 + exp(-X)) safely')


def dsigmoid(X):
    """Derivative of the sigmoid at the pre-activation ``X``.

    Parameters
    ----------
    X : float or array_like
        Pre-activations (NOT the sigmoid's output).

    Returns
    -------
    ndarray, same shape as X
        ``sigmoid(X) * (1 - sigmoid(X))``.
    """
    # YOUR CODE HERE: sigmoid(X) * (1 - sigmoid(X))
    raise NotImplementedError('dsigmoid: sigmoid(X) * (1 - sigmoid(X))')


class NeuralNet:
    """One hidden layer of sigmoid units, softmax output, trained by per-sample SGD.

    Parameters
    ----------
    input_size : int
        Number of input features.
    hidden_size : int
        Number of hidden units.
    output_size : int
        Number of classes.

    Attributes
    ----------
    W_h : ndarray, shape (input_size, hidden_size)
        Hidden weights, initialised uniformly in [-0.01, 0.01].
    b_h : ndarray, shape (hidden_size,)
        Hidden biases, initialised to zero.
    W_o : ndarray, shape (hidden_size, output_size)
        Output weights, initialised uniformly in [-0.01, 0.01].
    b_o : ndarray, shape (output_size,)
        Output biases, initialised to zero.
    output_size : int
        Number of classes.
    """

    def __init__(self, input_size, hidden_size, output_size):
        self.W_h = np.random.uniform(size=(input_size, hidden_size), high=0.01, low=-0.01)
        self.b_h = np.zeros(hidden_size)
        self.W_o = np.random.uniform(size=(hidden_size, output_size), high=0.01, low=-0.01)
        self.b_o = np.zeros(output_size)
        self.output_size = output_size

    def forward(self, X, keep_activations=False):
        """Class probabilities, optionally with the hidden layer's values.

        Parameters
        ----------
        X : array_like, shape (input_size,) or (n_samples, input_size)
            One sample or a batch.
        keep_activations : bool, default=False
            Also return the hidden activations and pre-activations.

        Returns
        -------
        y : ndarray, shape (output_size,) or (n_samples, output_size)
            Probabilities.
        h : ndarray, shape (hidden_size,) or (n_samples, hidden_size)
            Hidden activations; only with ``keep_activations=True``.
        z_h : ndarray, same shape as h
            Hidden pre-activations; only with ``keep_activations=True``.
        """
        # YOUR CODE HERE: z_h = X @ W_h + b_h, h = sigmoid(z_h), y = softmax(h @ W_o + b_o)
        raise NotImplementedError('NeuralNet.forward: z_h = X @ W_h + b_h, h = sigmoid(z_h), y = softmax(h @ W_o + b_o)')

    def grad_loss(self, x, y_true):
        """Gradients of the negative log-likelihood of one sample.

        Parameters
        ----------
        x : array_like, shape (input_size,)
            One sample.
        y_true : int
            Its class.

        Returns
        -------
        dict
            ``{"W_h", "b_h", "W_o", "b_o"}``, each shaped like its parameter.
        """
        # YOUR CODE HERE: forward with keep_activations=True, then the chain rule from the output back (see the module docstring)
        raise NotImplementedError('NeuralNet.grad_loss: forward with keep_activations=True, then the chain rule from the output back (see the module docstring)')

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
        # YOUR CODE HERE: get self.grad_loss(x, y) and step each of the four parameters against its gradient
        raise NotImplementedError('NeuralNet.train: get self.grad_loss(x, y) and step each of the four parameters against its gradient')

    def predict(self, X):
        """Most probable class: an int for one sample, an int array for a batch."""
        # YOUR CODE HERE: argmax of self.forward(X) over the last axis; an int for one sample
        raise NotImplementedError('NeuralNet.predict: argmax of self.forward(X) over the last axis; an int for one sample')

    def loss(self, X, y):
        """Average negative log-likelihood of a batch with integer labels ``y``, as a float."""
        # YOUR CODE HERE: nll of one_hot(self.output_size, y) under self.forward(X)
        raise NotImplementedError('NeuralNet.loss: nll of one_hot(self.output_size, y) under self.forward(X)')

    def accuracy(self, X, y):
        """Fraction of samples whose predicted class equals ``y``, as a float."""
        # YOUR CODE HERE: mean of (self.predict(X) == y)
        raise NotImplementedError('NeuralNet.accuracy: mean of (self.predict(X) == y)')
