"""07's helpers and network, as the lesson defines them: trusted formulas for a training run retried without
the student's helpers (:mod:`autograder.testing.helper_bugs`).

A method's formula takes first ``parameters``: the attributes ``W_h``, ``b_h``, ``W_o``, ``b_o`` (and ``l2``,
``p_drop`` where the method reads them) of the object called, as it holds them at the call.

Dropout while training needs a mask. The contract draws it from the student's generator, which lives in the
worker: no value computed here can come from it. With ``draw=True`` the mask is drawn here instead, by a
generator seeded with a digest of the activations and ``p_drop`` (:func:`mask_for`): the same call gets the same
mask, so that ``fit`` and its replay, both pinned, take the same steps, and each batch of each step gets a fresh
one. Such masks leave the student's generator untouched, so a run that checks what is drawn from it (07's
contract tests) pins with ``draw=False``: a call that would draw a mask is then left to the student's own code.
"""
import hashlib

import numpy as np
from scipy.special import softmax

EPSILON = 1e-8  # of the given nll


class CannotAnswer(Exception):
    """A call the trusted side cannot answer: the student's own function runs instead."""


def relu(z):
    """``max(z, 0)``, elementwise, as floats."""
    return np.maximum(np.asarray(z, dtype=float), 0.0)


def relu_slope(z):
    """ReLU's derivative at the pre-activation ``z``: 1.0 where ``z > 0``, else 0.0."""
    return (np.asarray(z, dtype=float) > 0).astype(float)


def momentum_step(param, grad, velocity, learning_rate, beta):
    """Classic momentum: ``(param + v, v)`` with ``v = beta * velocity - learning_rate * grad``."""
    velocity = beta * np.asarray(velocity, dtype=float) - learning_rate * np.asarray(grad, dtype=float)
    return np.asarray(param, dtype=float) + velocity, velocity


def mask_for(A, p_drop):
    """A dropout mask for ``A`` (True: kept), drawn from a generator seeded by a digest of ``A`` and ``p_drop``.

    The digest is of ``A`` in float32: a replay that reaches the same activations up to rounding gets the
    same mask.
    """
    A = np.asarray(A, dtype=np.float32)
    digest = hashlib.sha256(A.tobytes() + repr((A.shape, float(p_drop))).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:16], "little")).random(A.shape) >= p_drop


def dropout(A, p_drop, rng, training, draw=False):
    """Inverted dropout: ``(A, None)`` at evaluation or with ``p_drop == 0``; else ``(A * mask / (1 - p_drop), mask)``.

    While dropping, the mask is :func:`mask_for`'s with ``draw`` (the call must give a generator, as the
    contract's would draw from it); without, the call is not answered here.
    """
    A = np.asarray(A, dtype=float)
    if not training or p_drop == 0:
        return A, None
    if not draw or rng is None:
        raise CannotAnswer("the mask is drawn from the student's generator")
    mask = mask_for(A, p_drop)
    return A * mask / (1.0 - p_drop), mask


def hidden_layer(parameters, X):
    """``(z_h, relu(z_h))`` of the batch ``X``."""
    pre_activations = np.asarray(X, dtype=float) @ np.asarray(parameters["W_h"], dtype=float) + parameters["b_h"]
    return pre_activations, relu(pre_activations)


def forward(parameters, X, training=False, rng=None, draw=False):
    """``softmax(h @ W_o + b_o)`` with ``h`` the hidden layer, dropped out (``p_drop``) while training."""
    hidden, _ = dropout(hidden_layer(parameters, X)[1], parameters["p_drop"], rng, training, draw)
    return softmax(hidden @ np.asarray(parameters["W_o"], dtype=float) + parameters["b_o"], axis=-1)


def one_hot(labels, classes):
    """Rows of the identity of size ``classes`` for integer ``labels``."""
    return np.eye(classes)[np.asarray(labels, dtype=int)]


def penalty(parameters):
    """``0.5 * l2 * (sum(W_h**2) + sum(W_o**2))``: the biases are not penalised."""
    weights = (np.asarray(parameters[name], dtype=float) for name in ("W_h", "W_o"))
    return 0.5 * parameters["l2"] * sum(float(np.sum(W ** 2)) for W in weights)


def loss(parameters, X, y):
    """The given nll (with its EPSILON) of ``y`` under the evaluation probabilities, plus the L2 penalty."""
    probabilities = np.atleast_2d(forward({**parameters, "p_drop": 0.0}, X))
    targets = one_hot(np.atleast_1d(y), probabilities.shape[-1])
    return float(-np.mean(np.sum(targets * np.log(EPSILON + probabilities), axis=1)) + penalty(parameters))


def grad_loss(parameters, X, y, rng=None, draw=False):
    """The gradients of ``loss`` for a batch under one dropout mask, ``{"W_h", "b_h", "W_o", "b_o"}``."""
    X = np.asarray(X, dtype=float)
    W_o = np.asarray(parameters["W_o"], dtype=float)
    pre_activations, hidden = hidden_layer(parameters, X)
    p_drop = parameters["p_drop"]
    dropped, mask = dropout(hidden, p_drop, rng, True, draw)
    probabilities = softmax(dropped @ W_o + parameters["b_o"], axis=-1)
    grad_scores = (probabilities - one_hot(y, W_o.shape[1])) / len(X)
    grad_hidden = grad_scores @ W_o.T
    if mask is not None:
        grad_hidden = grad_hidden * mask / (1.0 - p_drop)
    grad_pre = grad_hidden * relu_slope(pre_activations)
    return {"W_h": X.T @ grad_pre + parameters["l2"] * np.asarray(parameters["W_h"], dtype=float),
            "b_h": grad_pre.sum(axis=0),
            "W_o": dropped.T @ grad_scores + parameters["l2"] * W_o,
            "b_o": grad_scores.sum(axis=0)}


def predict(parameters, X):
    """The most probable class at evaluation: an int for one sample, an int array for a batch."""
    classes = np.argmax(forward({**parameters, "p_drop": 0.0}, X), axis=-1)
    return int(classes) if classes.ndim == 0 else classes


def accuracy(parameters, X, y):
    """The fraction of samples whose predicted class is ``y``, as a float."""
    return float(np.mean(predict(parameters, X) == np.asarray(y)))
