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
    ### BEGIN SOLUTION: 1 / (1 + exp(-X)) overflows for X << 0; np.logaddexp(0, -X) computes log(1 + exp(-X)) safely
    return np.exp(-np.logaddexp(0.0, -np.asarray(X, dtype=float)))
    ### END SOLUTION


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
    ### BEGIN SOLUTION: sigmoid(X) * (1 - sigmoid(X))
    activation = sigmoid(X)
    return activation * (1 - activation)
    ### END SOLUTION


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
        ### BEGIN SOLUTION: z_h = X @ W_h + b_h, h = sigmoid(z_h), y = softmax(h @ W_o + b_o)
        z_h = np.dot(np.asarray(X), self.W_h) + self.b_h
        h = sigmoid(z_h)
        y = softmax(np.dot(h, self.W_o) + self.b_o)
        if keep_activations:
            return y, h, z_h
        return y
        ### END SOLUTION

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
        ### BEGIN SOLUTION: forward with keep_activations=True, then the chain rule from the output back (see the module docstring)
        x = np.asarray(x, dtype=float)
        y, h, z_h = self.forward(x, keep_activations=True)
        grad_z_o = y - one_hot(self.output_size, y_true)
        grad_h = np.dot(grad_z_o, self.W_o.T)
        grad_z_h = grad_h * dsigmoid(z_h)
        return {
            "W_h": np.outer(x, grad_z_h),
            "b_h": grad_z_h,
            "W_o": np.outer(h, grad_z_o),
            "b_o": grad_z_o,
        }
        ### END SOLUTION

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
        ### BEGIN SOLUTION: get self.grad_loss(x, y) and step each of the four parameters against its gradient
        grads = self.grad_loss(x, y)
        self.W_h = self.W_h - learning_rate * grads["W_h"]
        self.b_h = self.b_h - learning_rate * grads["b_h"]
        self.W_o = self.W_o - learning_rate * grads["W_o"]
        self.b_o = self.b_o - learning_rate * grads["b_o"]
        ### END SOLUTION

    def predict(self, X):
        """Most probable class: an int for one sample, an int array for a batch."""
        ### BEGIN SOLUTION: argmax of self.forward(X) over the last axis; an int for one sample
        predicted = np.argmax(self.forward(X), axis=-1)
        return int(predicted) if predicted.ndim == 0 else predicted
        ### END SOLUTION

    def loss(self, X, y):
        """Average negative log-likelihood of a batch with integer labels ``y``, as a float."""
        ### BEGIN SOLUTION: nll of one_hot(self.output_size, y) under self.forward(X)
        return nll(one_hot(self.output_size, y), self.forward(X))
        ### END SOLUTION

    def accuracy(self, X, y):
        """Fraction of samples whose predicted class equals ``y``, as a float."""
        ### BEGIN SOLUTION: mean of (self.predict(X) == y)
        return float(np.mean(self.predict(X) == np.asarray(y)))
        ### END SOLUTION
