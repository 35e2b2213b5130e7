"""The chain rule's usual slips at a hidden layer, as the values they give: known mistakes for a backward pass.

Going back through a hidden layer, the error is multiplied by the activation's slope at that
layer's pre-activation ``z``. Students leave the slope out, take it at the activation ``a`` instead
of at ``z``, or multiply by the activation itself. A test that computes the backward pass with
trusted code writes it as a function of the slope (``backward(slope_of)``, where ``slope_of(z)``
is what the error is multiplied by at each hidden layer), and :func:`slope_mistakes` runs it once
per slip: each is then named, through a check's ``mistakes``, only when the student's value is
exactly that slip's on the test's inputs (:mod:`autograder.testing.diagnosis`). A slip that gives the
right value here (ReLU's slope at the activation is its slope at ``z``) is never named.
"""
import numpy as np

#: The slips, in the words a diagnosis says.
MISSING = "the error going back through the hidden layer is not multiplied by the activation's slope (the chain rule)"
AT_THE_ACTIVATION = ("the activation's slope is taken at the activation a instead of the pre-activation z: "
                     "slope(z), not slope(a)")
THE_ACTIVATION = "the error going back is multiplied by the activation itself where its slope belongs"
#: The same confusion where a layer's output feeds the next: its input is the activation a, not z.
PRE_ACTIVATION_AS_INPUT = ("the next layer's gradient takes the hidden pre-activations z instead of the activations "
                           "a = activation(z)")


def slope_mistakes(backward, activation, slope):
    """``[(words, value)]``: what ``backward`` gives with each slip in place of ``slope`` at the hidden layers.

    Parameters
    ----------
    backward : callable
        ``backward(slope_of)``: the trusted backward pass with ``slope_of(z)`` as the multiplier at every hidden
        layer of pre-activation ``z``; returns the value the check compares (a gradient, a weight after a step).
    activation, slope : callable
        The hidden activation and its trusted derivative, both of the pre-activation.
    """
    slips = [(MISSING, lambda z: np.ones_like(np.asarray(z, dtype=float))),
             (AT_THE_ACTIVATION, lambda z: slope(activation(z))),
             (THE_ACTIVATION, activation)]
    return [(words, backward(slope_of)) for words, slope_of in slips]
