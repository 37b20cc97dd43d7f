"""One formula, two array libraries (NumPy and torch).

Divergence formulas are written once against a tiny namespace with the
functions both NumPy and PyTorch provide under the same names (``exp``,
``log``, ``log1p``, ``expm1``, ``sqrt``, ``tanh``, ``abs``, ``sign``,
``where``, ``logaddexp``...), so the same code gives NumPy arrays (for the
statistics and the tests) and torch tensors with autograd (for training).
torch is imported only when a tensor is passed in.
"""

from __future__ import annotations

import numpy as np

from twosample.core.optional import require

__all__ = ["asarray", "clip_into", "full_like", "log_softplus", "namespace", "softplus"]


def _is_tensor(x) -> bool:
    return type(x).__module__.startswith("torch")


def namespace(*arrays):
    """``torch`` if any argument is a tensor, else ``numpy``."""
    if any(_is_tensor(a) for a in arrays):
        torch = require("torch")

        return torch
    return np


def asarray(x, xp):
    """`x` as a floating array of the namespace; float32 stays float32, tensors pass through."""
    if xp is not np:
        return x
    x = np.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def full_like(x, value, xp):
    if xp is np:
        return np.full(np.shape(x), value, dtype=np.asarray(x).dtype)
    return xp.full_like(x, value)


def softplus(v, xp):
    """log(1 + e^v), stable for large |v| (logaddexp exists in both libraries)."""
    return xp.logaddexp(full_like(v, 0.0, xp), v)


def log_softplus(v, xp):
    """log(softplus(v)) with finite values and gradients down to very negative v.

    For v < 0, softplus(v) = log1p(y) with y = e^v, so log softplus(v) =
    v + log(log1p(y) / y), and log1p(y) / y lies in [log 2, 1]. For y < 1e-4
    that last term is its series -y/2 + 5y^2/24 (error below 1e-13): the direct
    form's backward pass divides by y and overflows in float32.
    """
    negative = v < 0
    v_neg = xp.where(negative, v, full_like(v, -1.0, xp))
    y = xp.exp(v_neg)
    tiny = y < 1e-4
    y_direct = xp.where(tiny, full_like(y, 0.5, xp), y)
    correction = xp.where(tiny, -y / 2 + 5 * y * y / 24, xp.log(xp.log1p(y_direct) / y_direct))
    large = xp.log(softplus(xp.where(negative, full_like(v, 1.0, xp), v), xp))
    return xp.where(negative, v_neg + correction, large)


def clip_into(t, low, high, closed, xp):
    """Mask of `t` inside the interval, and `t` with outside values moved to a safe interior point.

    Formulas are evaluated on the safe copy inside ``where``: both branches of
    a ``where`` are computed, and a NaN in the unused branch still poisons
    torch gradients.
    """
    inside = t == t  # all True, same type and shape
    if low is not None:
        inside = inside & ((t >= low) if closed else (t > low))
    if high is not None:
        inside = inside & ((t <= high) if closed else (t < high))
    if low is not None and high is not None:
        safe = (low + high) / 2.0
    elif low is not None:
        safe = low + 1.0
    elif high is not None:
        safe = high - 1.0
    else:
        return inside, t
    return inside, xp.where(inside, t, full_like(t, safe, xp))
