r"""The permutation sums of Laplace kernels on the line in O(N B), without a Gram matrix.

On one-dimensional data the Laplace kernel :math:`k(z_i, z_j) = e^{-|z_i - z_j|/h}` is
semiseparable: for sorted points and :math:`j < i` it factors as
:math:`e^{-(z_i - z_a)/h}\, e^{(z_j - z_a)/h}` around any reference point :math:`z_a`. So for a
batch of relabellings :math:`S` (B, N) the lower sums

.. math:: A_i = \sum_{j < i} s_j\, e^{-(z_i - z_j)/h}

are a cumulative sum along the sorted sample, and :math:`s^\top K s = \sum_i s_i^2 + 2 \sum_i s_i A_i`:
:math:`O(NB)` flops and memory instead of the :math:`2N^2B` flops of :math:`SK` and the
:math:`N^2` Gram matrix (the same numbers to rounding: every term is a non-negative sum, so
each :math:`A_i` carries a relative error of at most about N machine epsilons). The
reference point moves along the sorted sample in segments at most ``_SPAN`` bandwidths
wide, so no exponential overflows whatever the data's range; a segment's sums reach the next
through one carried value per relabelling.

The same sums give the pooled constants the tests need: the row sums :math:`K1` (lower and
upper sums with unit weights), their total, and :math:`\sum_{ij} K_{ij}^2`, which is the total
of the Laplace kernel of bandwidth :math:`h/2`.
"""

from __future__ import annotations

import numpy as np

from twosample.kernel.kernels import Laplace

__all__ = ["LaplaceLineSums", "on_the_line"]

# Widest segment, in bandwidths, that shares one reference point: e^500 ~ 1e217 leaves room
# for sums of up to 1e90 unit weights below float64's largest number.
_SPAN = 500.0


def on_the_line(kernel, pooled) -> bool:
    """Whether `kernel` on `pooled` (a NumPy array (N, d)) takes the O(N B) sums: a Laplace kernel, d = 1."""
    return type(kernel) is Laplace and isinstance(pooled, np.ndarray) and pooled.ndim == 2 and pooled.shape[1] == 1


def lower_sums(weights: np.ndarray, z: np.ndarray, bandwidth: float) -> np.ndarray:
    r""":math:`A_{bi} = \sum_{j<i} w_{bj} e^{-(z_i - z_j)/h}` for sorted `z` (N,) and `weights` (B, N) >= 0."""
    out = np.empty_like(weights)
    carry = np.zeros(len(weights))  # sum over the earlier segments, seen from this segment's first point
    start, n_total = 0, len(z)
    while start < n_total:
        stop = max(start + 1, int(np.searchsorted(z, z[start] + _SPAN * bandwidth, side="right")))
        offset = (z[start:stop] - z[start]) / bandwidth  # in [0, _SPAN]
        running = np.cumsum(weights[:, start:stop] * np.exp(offset), axis=1)
        out[:, start] = carry
        out[:, start + 1 : stop] = carry[:, None] + running[:, :-1]
        out[:, start:stop] *= np.exp(-offset)
        if stop < n_total:  # the next segment's carry, seen from its first point (may underflow to 0: fine)
            carry = (carry + running[:, -1]) * np.exp(-(z[stop] - z[start]) / bandwidth)
        start = stop
    return out


def _row_sums(z: np.ndarray, bandwidth: float) -> np.ndarray:
    """K1 for sorted `z`: 1 + the lower sums + the upper sums (the lower sums of the reversed, negated line)."""
    ones = np.ones((1, len(z)))
    upper = lower_sums(ones, -z[::-1], bandwidth)[0, ::-1]
    return 1.0 + lower_sums(ones, z, bandwidth)[0] + upper


class LaplaceLineSums:
    """The sums of :class:`twosample.kernel.mmd._GramSums` for Laplace kernels on 1-D data, in O(N B).

    Same interface: called with a batch of masks (B, N) in the pooled sample's row order, it
    returns one (s'Ks, s'K1, s'diag K) triple of float64 arrays (B,) per kernel; ``total``,
    ``diag``, ``diag_total`` and ``sq_total`` are the pooled constants, known from the start.
    Every sum is computed in float64, whatever dtype the caller asked of Gram products.
    """

    def __init__(self, pooled, kernels):
        self.kernels = list(kernels)
        z = np.asarray(pooled, dtype=np.float64)[:, 0]
        self.n_total = len(z)
        self.order = np.argsort(z, kind="stable")
        self.z = z[self.order]
        rows = [_row_sums(self.z, k.bandwidth) for k in self.kernels]
        self.row_sums = [np.empty(self.n_total) for _ in self.kernels]  # in the pooled sample's row order
        for target, sums in zip(self.row_sums, rows):
            target[self.order] = sums
        self.total = [float(r.sum()) for r in rows]
        self.sq_total = [float(_row_sums(self.z, k.bandwidth / 2).sum()) for k in self.kernels]
        self.diag = [np.ones(self.n_total) for _ in self.kernels]
        self.diag_total = [float(self.n_total)] * len(self.kernels)

    def __call__(self, masks):
        """Lists (one per kernel) of s'Ks, s'K1 and s'diag(K), each a float64 array (B,)."""
        s = masks[:, self.order].astype(np.float64)
        squares = np.einsum("bj,bj->b", s, s)
        counts = s.sum(1)
        out = []
        for kernel, row_sums in zip(self.kernels, self.row_sums):
            lower = lower_sums(s, self.z, kernel.bandwidth)
            sks = squares + 2 * np.einsum("bj,bj->b", s, lower)
            out.append((sks, masks @ row_sums, counts))
        return out
