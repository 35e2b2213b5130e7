"""Back-propagation through two layers of sigmoid units.

A two-layer network with sigmoid hidden and output units computes, for a batch
``X`` of shape (n, d)::

    Z1 = X @ W1 + b1     A1 = sigmoid(Z1)       hidden layer
    Z2 = A1 @ W2 + b2    A2 = sigmoid(Z2)       output layer

Under the squared error ``L = 0.5 * sum((A2 - Y)**2) / n`` the error flows back
layer by layer, each time multiplied by the derivative of the unit it crosses,
``sigmoid'(z) = sigmoid(z) * (1 - sigmoid(z))``::

    dZ2 = (A2 - Y) / n * A2 * (1 - A2)     dW2 = A1.T @ dZ2     db2 = sum of dZ2's rows
    dZ1 = (dZ2 @ W2.T) * A1 * (1 - A1)     dW1 = X.T @ dZ1      db1 = sum of dZ1's rows

For one sample and a single output unit, the classic notation calls
``(y - output) * output * (1 - output)`` the output's *error term*; each hidden
unit's error term is the output error term times its outgoing weight times its
own sigmoid derivative, and a weight changes by ``learnrate * error_term * input``.

XOR is the classic problem no single layer can solve and two layers can.
"""
import numpy as np


def sigmoid(x):
    """The logistic function, elementwise, without overflow for large ``|x|``."""
    ### BEGIN SOLUTION: 1 / (1 + exp(-x)) overflows for x << 0; np.logaddexp(0, -x) computes log(1 + exp(-x)) safely
    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))
    ### END SOLUTION


def sigmoid_prime(x):
    """Derivative of the sigmoid at the pre-activation ``x`` (NOT the sigmoid's output).

    Parameters
    ----------
    x : float or array_like
        Pre-activations.

    Returns
    -------
    ndarray, same shape as x
        ``sigmoid(x) * (1 - sigmoid(x))``.
    """
    ### BEGIN SOLUTION: sigmoid(x) * (1 - sigmoid(x))
    activation = sigmoid(x)
    return activation * (1 - activation)
    ### END SOLUTION


def error_term_formula(y, output):
    """Error term of a sigmoid output unit under squared error.

    Parameters
    ----------
    y : float or array_like
        Targets.
    output : float or array_like, same shape as y
        The unit's outputs (its sigmoid activations).

    Returns
    -------
    float or ndarray, same shape as y
        ``(y - output) * output * (1 - output)``.
    """
    ### BEGIN SOLUTION: the error (y - output) times the sigmoid's derivative written with its output, output * (1 - output)
    y = np.asarray(y, dtype=float)
    output = np.asarray(output, dtype=float)
    return (y - output) * output * (1 - output)
    ### END SOLUTION


def backprop_step(x, target, weights_input_hidden, weights_hidden_output, learnrate):
    """Weight changes of one gradient-descent step for one sample.

    The network has sigmoid hidden units, one sigmoid output unit and no biases;
    the loss is ``0.5 * (target - output)**2``.

    Parameters
    ----------
    x : array_like, shape (n_in,)
        One sample.
    target : float
        Its target.
    weights_input_hidden : array_like, shape (n_in, n_hidden)
        Hidden weights (not modified).
    weights_hidden_output : array_like, shape (n_hidden,)
        Output weights (not modified).
    learnrate : float
        Step size.

    Returns
    -------
    delta_w_i_h : ndarray, shape (n_in, n_hidden)
        Change of the hidden weights, ``-learnrate * dloss/dweights_input_hidden``.
    delta_w_h_o : ndarray, shape (n_hidden,)
        Change of the output weights, ``-learnrate * dloss/dweights_hidden_output``.
    """
    ### BEGIN SOLUTION: forward through both layers, output error term, hidden error terms, then learnrate * error term * input
    x = np.asarray(x, dtype=float)
    weights_input_hidden = np.asarray(weights_input_hidden, dtype=float)
    weights_hidden_output = np.asarray(weights_hidden_output, dtype=float)
    hidden_output = sigmoid(x @ weights_input_hidden)
    output = sigmoid(hidden_output @ weights_hidden_output)
    output_error_term = error_term_formula(target, output)
    hidden_error_term = weights_hidden_output * output_error_term * hidden_output * (1 - hidden_output)
    delta_w_h_o = learnrate * output_error_term * hidden_output
    delta_w_i_h = learnrate * np.outer(x, hidden_error_term)
    return delta_w_i_h, delta_w_h_o
    ### END SOLUTION


def two_layer_gradients(X, Y, W1, b1, W2, b2):
    """Gradients of the batch squared error of a two-layer sigmoid network.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Batch of inputs.
    Y : array_like, shape (n, k)
        Targets.
    W1 : array_like, shape (d, h)
    b1 : array_like, shape (h,)
    W2 : array_like, shape (h, k)
    b2 : array_like, shape (k,)
        The parameters (not modified).

    Returns
    -------
    dict
        ``{"W1", "b1", "W2", "b2"}``: the gradients of
        ``L = 0.5 * sum((output - Y)**2) / n``, each shaped like its parameter.
    """
    ### BEGIN SOLUTION: forward keeping A1 and A2, then dZ2, dW2, db2, dZ1, dW1, db1 as in the module docstring
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    W2 = np.asarray(W2, dtype=float)
    A1 = sigmoid(X @ np.asarray(W1, dtype=float) + b1)
    A2 = sigmoid(A1 @ W2 + b2)
    dZ2 = (A2 - Y) / len(X) * A2 * (1 - A2)
    dZ1 = (dZ2 @ W2.T) * A1 * (1 - A1)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}
    ### END SOLUTION


XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


def train_xor(hidden_size=4, learning_rate=10.0, epochs=2000, seed=0):
    """Train a two-layer sigmoid network on XOR by full-batch gradient descent.

    Parameters
    ----------
    hidden_size : int, default=4
        Number of hidden units.
    learning_rate : float, default=10.0
        Step size.
    epochs : int, default=2000
        Number of gradient steps on the four points.
    seed : int, default=0
        Seed of the weights' standard-normal initialisation (biases start at 0).

    Returns
    -------
    W1 : ndarray, shape (2, hidden_size)
    b1 : ndarray, shape (hidden_size,)
    W2 : ndarray, shape (hidden_size, 1)
    b2 : ndarray, shape (1,)
        Parameters whose outputs on ``XOR_X``, thresholded at 0.5, equal ``XOR_Y``.
    """
    ### BEGIN SOLUTION: initialise, then repeat: grads = two_layer_gradients(XOR_X, XOR_Y, ...) and step each parameter against its gradient
    rng = np.random.default_rng(seed)
    W1 = rng.standard_normal((2, hidden_size))
    b1 = np.zeros(hidden_size)
    W2 = rng.standard_normal((hidden_size, 1))
    b2 = np.zeros(1)
    for _ in range(epochs):
        grads = two_layer_gradients(XOR_X, XOR_Y, W1, b1, W2, b2)
        W1 = W1 - learning_rate * grads["W1"]
        b1 = b1 - learning_rate * grads["b1"]
        W2 = W2 - learning_rate * grads["W2"]
        b2 = b2 - learning_rate * grads["b2"]
    return W1, b1, W2, b2
    ### END SOLUTION


class Sigmoid:
    """The sigmoid activation as an object: ``act(x)`` and its derivative ``act.diff(x)``."""

    def __call__(self, x):
        ### BEGIN SOLUTION: the sigmoid of x
        return sigmoid(x)
        ### END SOLUTION

    def diff(self, x):
        """Derivative at the input ``x``, elementwise."""
        ### BEGIN SOLUTION: sigmoid(x) * (1 - sigmoid(x))
        return sigmoid_prime(x)
        ### END SOLUTION


class ReLU:
    """The rectified linear unit: ``max(0, x)`` elementwise, and its derivative."""

    def __call__(self, x):
        ### BEGIN SOLUTION: max(0, x) elementwise
        return np.maximum(0.0, np.asarray(x, dtype=float))
        ### END SOLUTION

    def diff(self, x):
        """Derivative at the input ``x``: 1 where ``x > 0``, else 0."""
        ### BEGIN SOLUTION: 1.0 where x > 0, 0.0 elsewhere
        return (np.asarray(x, dtype=float) > 0).astype(float)
        ### END SOLUTION


class MSE:
    """Mean squared error ``mean((pred - true)**2)`` and its gradient with respect to ``pred``."""

    def __call__(self, true, pred):
        ### BEGIN SOLUTION: mean of (pred - true)**2, as a float
        return float(np.mean((np.asarray(pred, dtype=float) - np.asarray(true, dtype=float)) ** 2))
        ### END SOLUTION

    def diff(self, true, pred):
        """Gradient with respect to ``pred``, same shape as ``pred``."""
        ### BEGIN SOLUTION: 2 * (pred - true) / (number of entries)
        pred = np.asarray(pred, dtype=float)
        return 2 * (pred - np.asarray(true, dtype=float)) / pred.size
        ### END SOLUTION
