"""Training better: mini-batches, momentum, L2 regularisation, dropout and early stopping.

The network is 05's, with a ReLU hidden layer, trained on mini-batches instead of one sample
at a time. For a batch ``X`` of ``n`` rows with integer labels ``y`` (``T = one_hot(y)``)::

    z_h = X @ W_h + b_h          hidden pre-activations, shape (n, hidden_size)
    h   = relu(z_h)              hidden activations
    h~  = h * mask / (1 - p)     inverted dropout, while training only (mask: keep each unit with
                                 probability 1 - p; at evaluation h~ = h)
    Y   = softmax(h~ @ W_o + b_o)

    loss = mean NLL + 0.5 * l2 * (sum(W_h**2) + sum(W_o**2))      (biases not penalised)

and its gradients, from the output back::

    d z_o = (Y - T) / n                  d W_o = h~.T @ d z_o + l2 * W_o      d b_o = sum of d z_o's rows
    d h~  = d z_o @ W_o.T
    d h   = d h~ * mask / (1 - p)        (the same mask as the forward pass)
    d z_h = d h * relu'(z_h)             d W_h = X.T @ d z_h + l2 * W_h       d b_h = sum of d z_h's rows

Classic momentum keeps a velocity per parameter, ``v = beta * v - learning_rate * grad`` and
``param = param + v``; ``fit`` runs epochs of mini-batches and stops early when the validation
loss stops improving, keeping the best epoch's parameters.
"""
import numpy as np

EPSILON = 1e-8
PARAMETERS = ("W_h", "b_h", "W_o", "b_o")


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


def minibatches(X, y, batch_size, rng):
    """Yield the samples in mini-batches, in a random order drawn from ``rng``.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_features)
        Samples.
    y : array_like, shape (n_samples,)
        Their labels.
    batch_size : int
        Samples per batch; the last batch may be smaller.
    rng : numpy.random.Generator
        Draws the order: exactly one ``rng.permutation(n_samples)`` per call.

    Yields
    ------
    X_batch : ndarray, shape (<= batch_size, n_features)
    y_batch : ndarray, shape (<= batch_size,)
        The rows of ``rng.permutation(n_samples)[start:start + batch_size]``, for start = 0,
        batch_size, 2 * batch_size, ...: every sample exactly once.
    """
    ### BEGIN SOLUTION: order = rng.permutation(len(X)); yield X[rows], y[rows] for each slice of batch_size rows of it
    X, y = np.asarray(X), np.asarray(y)
    order = rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        rows = order[start:start + batch_size]
        yield X[rows], y[rows]
    ### END SOLUTION


def relu(z):
    """The rectified linear unit, elementwise: ``max(z, 0)`` as floats, the shape of ``z``."""
    ### BEGIN SOLUTION: np.maximum(z, 0.0), as a float array
    return np.maximum(np.asarray(z, dtype=float), 0.0)
    ### END SOLUTION


def relu_prime(z):
    """Derivative of ReLU at the pre-activation ``z``: 1.0 where ``z > 0``, else 0.0 (0 at 0 too)."""
    ### BEGIN SOLUTION: 1.0 where z > 0, 0.0 elsewhere (z == 0 included), as floats
    return (np.asarray(z, dtype=float) > 0).astype(float)
    ### END SOLUTION


def momentum_step(param, grad, velocity, learning_rate, beta):
    """One step of classic momentum.

    Parameters
    ----------
    param, grad, velocity : array_like, all of the same shape
        The parameter, its gradient, and its velocity from the step before (zeros at first).
    learning_rate : float
        Step size.
    beta : float
        How much of the old velocity carries over (0: plain gradient descent).

    Returns
    -------
    param : ndarray
        ``param + velocity`` with the NEW velocity.
    velocity : ndarray
        ``beta * velocity - learning_rate * grad``.

    The inputs are left untouched: both results are new arrays.
    """
    ### BEGIN SOLUTION: velocity = beta * velocity - learning_rate * grad first, then param + velocity; new arrays, no +=
    velocity = beta * np.asarray(velocity, dtype=float) - learning_rate * np.asarray(grad, dtype=float)
    return np.asarray(param, dtype=float) + velocity, velocity
    ### END SOLUTION


def dropout(A, p_drop, rng, training):
    """Inverted dropout of the activations ``A``.

    Parameters
    ----------
    A : array_like
        Activations.
    p_drop : float
        Probability of dropping each unit, in [0, 1).
    rng : numpy.random.Generator
        Draws the mask, ``rng.random(A.shape) >= p_drop`` (one draw per call while training).
    training : bool
        Drop only while training.

    Returns
    -------
    A_out : ndarray
        Training: ``A * mask / (1 - p_drop)``, so that the expected activation is unchanged.
        Not training, or ``p_drop == 0``: ``A`` itself.
    mask : ndarray of bool, or None
        The units kept (True) while training; None otherwise, and then no random number is drawn.
    """
    ### BEGIN SOLUTION: not training or p_drop == 0: (A, None) without touching rng; else mask = rng.random(A.shape) >= p_drop, A * mask / (1 - p_drop)
    A = np.asarray(A, dtype=float)
    if not training or p_drop == 0:
        return A, None
    mask = rng.random(A.shape) >= p_drop
    return A * mask / (1.0 - p_drop), mask
    ### END SOLUTION


class RegularizedMLP:
    """One ReLU hidden layer, softmax output, L2 penalty and dropout on the hidden layer.

    Parameters
    ----------
    input_size, hidden_size, output_size : int
        Layer sizes.
    l2 : float, default=0.0
        Strength of the L2 penalty ``0.5 * l2 * (sum(W_h**2) + sum(W_o**2))``.
    p_drop : float, default=0.0
        Dropout probability of the hidden units while training.
    seed : int, default=0
        Seeds ``np.random.default_rng``, which draws the initial weights.

    Attributes
    ----------
    W_h : ndarray, shape (input_size, hidden_size)
        Hidden weights: normal, standard deviation ``sqrt(2 / input_size)`` (He initialisation).
    b_h : ndarray, shape (hidden_size,)
        Hidden biases, zero.
    W_o : ndarray, shape (hidden_size, output_size)
        Output weights: normal, standard deviation ``sqrt(2 / hidden_size)``, drawn after W_h.
    b_o : ndarray, shape (output_size,)
        Output biases, zero.
    l2, p_drop, output_size
        As given.
    """

    def __init__(self, input_size, hidden_size, output_size, l2=0.0, p_drop=0.0, seed=0):
        rng = np.random.default_rng(seed)
        self.W_h = rng.normal(scale=np.sqrt(2.0 / input_size), size=(input_size, hidden_size))
        self.b_h = np.zeros(hidden_size)
        self.W_o = rng.normal(scale=np.sqrt(2.0 / hidden_size), size=(hidden_size, output_size))
        self.b_o = np.zeros(output_size)
        self.l2 = l2
        self.p_drop = p_drop
        self.output_size = output_size

    def forward(self, X, training=False, rng=None):
        """Class probabilities of a batch, with dropout on the hidden layer while training.

        Parameters
        ----------
        X : array_like, shape (n_samples, input_size)
            A batch.
        training : bool, default=False
            Apply dropout (drawing its mask from ``rng``); at evaluation the network is deterministic.
        rng : numpy.random.Generator, optional
            Needed when training with ``p_drop > 0``.

        Returns
        -------
        ndarray, shape (n_samples, output_size)
        """
        ### BEGIN SOLUTION: h = relu(X @ W_h + b_h); h, _ = dropout(h, self.p_drop, rng, training); softmax(h @ W_o + b_o)
        hidden = relu(np.dot(np.asarray(X, dtype=float), self.W_h) + self.b_h)
        hidden, _ = dropout(hidden, self.p_drop, rng, training)
        return softmax(np.dot(hidden, self.W_o) + self.b_o)
        ### END SOLUTION

    def loss(self, X, y):
        """Mean NLL of the batch (no dropout) plus ``0.5 * l2 * (sum(W_h**2) + sum(W_o**2))``, as a float."""
        ### BEGIN SOLUTION: nll(one_hot(self.output_size, y), self.forward(X)) + 0.5 * self.l2 * (sum of W_h**2 + sum of W_o**2)
        penalty = 0.5 * self.l2 * (np.sum(self.W_h ** 2) + np.sum(self.W_o ** 2))
        return float(nll(one_hot(self.output_size, y), self.forward(X)) + penalty)
        ### END SOLUTION

    def grad_loss(self, X, y, rng=None):
        """Gradients of ``loss`` for a batch, with dropout on the hidden layer when ``p_drop > 0``.

        Parameters
        ----------
        X : array_like, shape (n_samples, input_size)
            A batch.
        y : array_like of int, shape (n_samples,)
            Its labels.
        rng : numpy.random.Generator, optional
            Draws the dropout mask (as ``dropout(h, self.p_drop, rng, True)`` does); needed when
            ``p_drop > 0``.

        Returns
        -------
        dict
            ``{"W_h", "b_h", "W_o", "b_o"}``, each shaped like its parameter: the gradient of the
            mean NLL under that mask, plus ``l2 * W`` for the two weight matrices.
        """
        ### BEGIN SOLUTION: forward by hand keeping z_h and the mask, then the chain rule from (Y - T) / n back (see the module docstring)
        X = np.asarray(X, dtype=float)
        z_h = np.dot(X, self.W_h) + self.b_h
        hidden, mask = dropout(relu(z_h), self.p_drop, rng, True)
        probabilities = softmax(np.dot(hidden, self.W_o) + self.b_o)
        grad_z_o = (probabilities - one_hot(self.output_size, y)) / len(X)
        grad_hidden = np.dot(grad_z_o, self.W_o.T)
        if mask is not None:
            grad_hidden = grad_hidden * mask / (1.0 - self.p_drop)
        grad_z_h = grad_hidden * relu_prime(z_h)
        return {
            "W_h": np.dot(X.T, grad_z_h) + self.l2 * self.W_h,
            "b_h": np.sum(grad_z_h, axis=0),
            "W_o": np.dot(hidden.T, grad_z_o) + self.l2 * self.W_o,
            "b_o": np.sum(grad_z_o, axis=0),
        }
        ### END SOLUTION

    def predict(self, X):
        """Most probable class: an int for one sample, an int array for a batch."""
        ### BEGIN SOLUTION: argmax of self.forward(X) over the last axis; an int for one sample
        predicted = np.argmax(self.forward(X), axis=-1)
        return int(predicted) if predicted.ndim == 0 else predicted
        ### END SOLUTION

    def accuracy(self, X, y):
        """Fraction of samples whose predicted class equals ``y``, as a float."""
        ### BEGIN SOLUTION: mean of (self.predict(X) == y)
        return float(np.mean(self.predict(X) == np.asarray(y)))
        ### END SOLUTION


def fit(model, X_train, y_train, X_val, y_val, epochs, batch_size, learning_rate, beta=0.9, patience=5, seed=0):
    """Train ``model`` with mini-batch momentum SGD and early stopping.

    Parameters
    ----------
    model : RegularizedMLP
        Trained in place: its parameters end as those of the best epoch.
    X_train, y_train : array_like
        Training samples and labels.
    X_val, y_val : array_like
        Validation samples and labels, used to stop early.
    epochs : int
        Most passes over the training data.
    batch_size : int
        Samples per mini-batch.
    learning_rate, beta : float
        Of ``momentum_step``; every parameter has its own velocity, zero at the start and carried
        from batch to batch and epoch to epoch.
    patience : int, default=5
        Stop after this many epochs in a row without a new lowest validation loss.
    seed : int, default=0
        ``rng = np.random.default_rng(seed)`` draws every batch order and every dropout mask.

    Returns
    -------
    dict
        ``"train_loss"``, ``"val_loss"``, ``"val_accuracy"``: one float per epoch run (``model.loss``
        and ``model.accuracy`` after the epoch); ``"best_epoch"``: the epoch (from 0) with the lowest
        validation loss, whose parameters the model holds at the end.
    """
    ### BEGIN SOLUTION: per epoch: for each batch of minibatches(..., rng): grads = model.grad_loss(X_b, y_b, rng), momentum_step each parameter; then record the losses, keep a copy of the best parameters, stop after patience epochs without improvement; restore the best
    rng = np.random.default_rng(seed)
    velocity = {name: np.zeros_like(getattr(model, name), dtype=float) for name in PARAMETERS}
    history = {"train_loss": [], "val_loss": [], "val_accuracy": [], "best_epoch": 0}
    best_loss, best_parameters, waited = np.inf, None, 0
    for epoch in range(epochs):
        for X_batch, y_batch in minibatches(X_train, y_train, batch_size, rng):
            grads = model.grad_loss(X_batch, y_batch, rng)
            for name in PARAMETERS:
                value, velocity[name] = momentum_step(getattr(model, name), grads[name], velocity[name],
                                                      learning_rate, beta)
                setattr(model, name, value)
        history["train_loss"].append(float(model.loss(X_train, y_train)))
        history["val_loss"].append(float(model.loss(X_val, y_val)))
        history["val_accuracy"].append(float(model.accuracy(X_val, y_val)))
        if history["val_loss"][-1] < best_loss:
            best_loss, waited = history["val_loss"][-1], 0
            history["best_epoch"] = epoch
            best_parameters = {name: np.array(getattr(model, name), copy=True) for name in PARAMETERS}
        else:
            waited += 1
            if waited >= patience:
                break
    if best_parameters is not None:
        for name in PARAMETERS:
            setattr(model, name, best_parameters[name])
    return history
    ### END SOLUTION
