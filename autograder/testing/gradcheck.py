"""Numerical gradient checks, in float64, in the style of CS231n.

A gradient is checked against central differences::

    df/dx_i  ~  (f(x + h e_i) - f(x - h e_i)) / (2 h)

and the two are compared with the elementwise relative error
``|a - b| / max(|a| + |b|, floor)``, reporting its maximum. As a rule of thumb
(CS231n): above 1e-2 the gradient is wrong; below 1e-7 it is right.
"""
import numpy as np

STEP = 1e-5
FLOOR = 1e-8


def numerical_gradient(f, x, h=STEP):
    """Central-difference gradient of the scalar function ``f`` at the array ``x``.

    ``x`` is perturbed in place one entry at a time and restored, so ``f`` must
    read it afresh on every call.

    Parameters
    ----------
    f : callable
        ``f()`` returns a float that depends on the current contents of ``x``.
    x : ndarray of float64
        The point; left as it was on return.
    h : float, default=1e-5
        Half the width of each difference.

    Returns
    -------
    ndarray, same shape as x
    """
    if x.dtype != np.float64:
        raise TypeError(f"gradient checks need a float64 array, got {x.dtype}")
    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        try:
            x[index] = original + h
            f_plus = f()
            x[index] = original - h
            f_minus = f()
        finally:  # a loss that raises leaves the point as it was, too
            x[index] = original
        gradient[index] = (f_plus - f_minus) / (2 * h)
    return gradient


def relative_error(analytic, numeric, floor=FLOOR):
    """Largest elementwise relative error ``|a - b| / max(|a| + |b|, floor)``; 0.0 for empty arrays."""
    analytic = np.asarray(analytic, dtype=np.float64)
    numeric = np.asarray(numeric, dtype=np.float64)
    if analytic.shape != numeric.shape:
        raise ValueError(f"shapes differ: analytic {analytic.shape}, numeric {numeric.shape}")
    if analytic.size == 0:
        return 0.0
    return float(np.max(np.abs(analytic - numeric) / np.maximum(floor, np.abs(analytic) + np.abs(numeric))))
