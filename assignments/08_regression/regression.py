"""Regression networks: the bike-sharing network, and back-propagation through any depth.

A regression network predicts numbers, not classes: its output layer is the identity (no
softmax, no sigmoid), and its loss is the squared error. For a batch of ``n`` rows::

    mse = 0.5 * mean over rows of sum over outputs of (output - target)**2

whose gradient at the output is simply ``(output - target) / n``.

``NeuralNetwork`` is the course's bike-sharing network: a sigmoid hidden layer, no biases, one
full-batch gradient-descent step per ``train`` call. ``deep_gradients`` back-propagates through
a stack of layers of any depth, ReLU on every hidden layer, keeping each layer's input and
pre-activation on the way forward::

    a_0 = X,   z_l = a_(l-1) @ W_l + b_l,   a_l = relu(z_l) (hidden layers),   output = z_L

    delta_L = (output - Y) / n
    dW_l = a_(l-1).T @ delta_l,   db_l = sum of delta_l's rows,
    delta_(l-1) = (delta_l @ W_l.T) * relu'(z_(l-1))
"""
import numpy as np


def sigmoid(x):
    """The logistic function, elementwise, without overflow for large |x| (given)."""
    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))


def relu(z):
    """max(z, 0), elementwise, as floats (given)."""
    return np.maximum(np.asarray(z, dtype=float), 0.0)


def as_rows(values, n_rows):
    """``values`` as a float array of ``n_rows`` rows: a vector of n targets becomes a column (given)."""
    return np.asarray(values, dtype=float).reshape(n_rows, -1)


class NeuralNetwork:
    """The bike-sharing network: sigmoid hidden layer, identity output, no biases.

    Parameters
    ----------
    input_nodes, hidden_nodes, output_nodes : int
        Layer sizes.
    learning_rate : float
        Step size of ``train``.

    Attributes
    ----------
    weights_input_to_hidden : ndarray, shape (input_nodes, hidden_nodes)
        Normal, standard deviation ``input_nodes**-0.5``.
    weights_hidden_to_output : ndarray, shape (hidden_nodes, output_nodes)
        Normal, standard deviation ``hidden_nodes**-0.5``, drawn after the hidden weights.
    lr : float
        The learning rate.
    """

    def __init__(self, input_nodes, hidden_nodes, output_nodes, learning_rate):
        self.input_nodes = input_nodes
        self.hidden_nodes = hidden_nodes
        self.output_nodes = output_nodes
        self.weights_input_to_hidden = np.random.normal(0.0, input_nodes ** -0.5, (input_nodes, hidden_nodes))
        self.weights_hidden_to_output = np.random.normal(0.0, hidden_nodes ** -0.5, (hidden_nodes, output_nodes))
        self.lr = learning_rate
        self.activation_function = sigmoid

    def run(self, features):
        """The network's outputs for a batch.

        Parameters
        ----------
        features : array_like, shape (n_samples, input_nodes)

        Returns
        -------
        ndarray, shape (n_samples, output_nodes)
            ``sigmoid(features @ weights_input_to_hidden) @ weights_hidden_to_output``: the output
            unit is the identity, not a sigmoid.
        """
        # YOUR CODE HERE: hidden = sigmoid(features @ weights_input_to_hidden); return hidden @ weights_hidden_to_output (no activation on the output)
        raise NotImplementedError('NeuralNetwork.run: hidden = sigmoid(features @ weights_input_to_hidden); return hidden @ weights_hidden_to_output (no activation on the output)')

    def train(self, features, targets):
        """One full-batch gradient-descent step on ``0.5 * mean_rows(sum((targets - output)**2))``.

        Parameters
        ----------
        features : array_like, shape (n_samples, input_nodes)
        targets : array_like, shape (n_samples, output_nodes), or (n_samples,) for one output

        Updates ``weights_input_to_hidden`` and ``weights_hidden_to_output`` by ``lr`` times the
        weight changes averaged over the batch (new arrays; returns nothing).
        """
        # YOUR CODE HERE: error = targets - output; output error term = error (identity output); hidden error term = (error @ W_ho.T) * h * (1 - h); step each weight by lr * (sum of changes) / n
        raise NotImplementedError('NeuralNetwork.train: error = targets - output; output error term = error (identity output); hidden error term = (error @ W_ho.T) * h * (1 - h); step each weight by lr * (sum of changes) / n')


def train_network(network, features, targets, iterations):
    """``iterations`` full-batch steps of ``network.train`` on the same data (given)."""
    for _ in range(iterations):
        network.train(features, targets)
    return network


def deep_forward(X, weights, biases):
    """The outputs of a deep network: ReLU on every hidden layer, identity output (given)."""
    activation = np.asarray(X, dtype=float)
    for layer, (W, b) in enumerate(zip(weights, biases)):
        activation = np.dot(activation, W) + b
        if layer < len(weights) - 1:
            activation = relu(activation)
    return activation


def deep_gradients(X, Y, weights, biases):
    """Gradients of ``0.5 * mean_rows(sum((output - Y)**2))`` for a network of any depth.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_inputs)
        A batch.
    Y : array_like, shape (n_samples, n_outputs), or (n_samples,) for one output
        Its targets.
    weights : list of arrays
        ``weights[l]`` has shape (size of layer l, size of layer l + 1); the last one gives the outputs.
    biases : list of arrays
        ``biases[l]`` has shape (size of layer l + 1,).

    Returns
    -------
    grads_w : list of ndarray
        One per weight matrix, the same shapes.
    grads_b : list of ndarray
        One per bias vector, the same shapes.

    Every hidden layer is ReLU (``relu'(z)`` is 1 where ``z > 0``, else 0); the output is the identity.
    The inputs are left untouched.
    """
    # YOUR CODE HERE: forward keeping every layer's input a and pre-activation z; delta = (output - Y) / n; back from the last layer: dW = a_in.T @ delta, db = delta summed over rows, then delta = (delta @ W.T) * (z of the layer below > 0)
    raise NotImplementedError("deep_gradients: forward keeping every layer's input a and pre-activation z; delta = (output - Y) / n; back from the last layer: dW = a_in.T @ delta, db = delta summed over rows, then delta = (delta @ W.T) * (z of the layer below > 0)")


def train_deep(X, Y, sizes, learning_rate, iterations, seed=0):
    """Train a deep network by full-batch gradient descent with ``deep_gradients`` (given).

    ``sizes`` lists every layer's width, inputs first and outputs last (``[10, 16, 16, 1]``: two hidden
    layers). Weights start normal with standard deviation ``sqrt(2 / fan_in)`` from
    ``np.random.default_rng(seed)``, biases at zero. Returns ``(weights, biases)``.
    """
    rng = np.random.default_rng(seed)
    weights = [rng.normal(scale=np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
               for fan_in, fan_out in zip(sizes[:-1], sizes[1:])]
    biases = [np.zeros(fan_out) for fan_out in sizes[1:]]
    for _ in range(iterations):
        grads_w, grads_b = deep_gradients(X, Y, weights, biases)
        weights = [W - learning_rate * dW for W, dW in zip(weights, grads_w)]
        biases = [b - learning_rate * db for b, db in zip(biases, grads_b)]
    return weights, biases


def mse(y_true, y_pred):
    """``0.5 * mean_rows(sum((y_pred - y_true)**2))`` as a float; a vector holds one target per row."""
    # YOUR CODE HERE: both as rows (as_rows), then 0.5 * the mean over rows of the sum over columns of the squared differences
    raise NotImplementedError('mse: both as rows (as_rows), then 0.5 * the mean over rows of the sum over columns of the squared differences')


def r2_score(y_true, y_pred):
    """Coefficient of determination ``1 - SSE / SST`` over all entries, as a float.

    ``SSE = sum((y_true - y_pred)**2)``, ``SST = sum((y_true - mean(y_true))**2)``, both over every
    entry (the mean too): 1 is perfect, 0 is no better than predicting the mean.
    """
    # YOUR CODE HERE: y_true and y_pred as flat float arrays; 1 - sum((y_true - y_pred)**2) / sum((y_true - y_true.mean())**2)
    raise NotImplementedError('r2_score: y_true and y_pred as flat float arrays; 1 - sum((y_true - y_pred)**2) / sum((y_true - y_true.mean())**2)')
