r"""Kernels and bandwidth selection, for NumPy arrays and torch tensors.

A kernel is a small frozen configuration object; ``kernel.matrix(x, y)`` gives
the Gram matrix with whichever library ``x`` comes from.

Bandwidth convention: ``bandwidth`` is the **length-scale** :math:`\sigma`
(not :math:`\gamma`):

========================  ==============================================  ===========
kernel                    :math:`k(x, y)`                                 distance
========================  ==============================================  ===========
``gaussian``              :math:`\exp(-\|x-y\|_2^2 / (2\sigma^2))`          Euclidean
``laplace``               :math:`\exp(-\|x-y\|_1 / \sigma)`                 L1
``imq``                   :math:`(1 + \|x-y\|_2^2/\sigma^2)^{-1/2}`         Euclidean
``linear``                :math:`x^\top y`                                  --
``polynomial``            :math:`(x^\top y / d + c)^{p}`                    --
========================  ==============================================  ===========

``bandwidth="median"`` sets :math:`\sigma` to the median of the pairwise
distances (Euclidean, or L1 for the Laplace kernel) of the pooled sample,
computed on a random subsample of at most 1,000 rows. The pooled sample is the
same under every relabelling, so a permutation test with a median bandwidth
keeps its level.
"""

from __future__ import annotations

import abc
import dataclasses
import math

import numpy as np

from ._backend import namespace

__all__ = ["Gaussian", "IMQ", "Kernel", "Laplace", "Linear", "Polynomial", "make_kernel", "median_distance",
           "pairwise_distances"]

_MEDIAN_SUBSAMPLE = 1000


def pairwise_distances(x, y, metric: str = "euclidean"):
    """Pairwise distances (``"euclidean"``, ``"sqeuclidean"`` or ``"l1"``) for arrays or tensors."""
    xp = namespace(x, y)
    if xp is np:
        from scipy.spatial.distance import cdist

        return cdist(x, y, {"euclidean": "euclidean", "sqeuclidean": "sqeuclidean", "l1": "cityblock"}[metric])
    if metric == "sqeuclidean":
        return xp.cdist(x, y) ** 2
    return xp.cdist(x, y, p=1.0 if metric == "l1" else 2.0)


def _sq_euclidean(x, y, xp):
    """||x - y||^2 through one matrix product (the fast route; clamped at 0 against rounding).

    NumPy works in place on the product (one N x M array instead of four); torch
    stays out of place so that autograd works for learned kernels.
    """
    if xp is np:
        sq = x @ y.T
        sq *= -2.0
        sq += (x * x).sum(1)[:, None]
        sq += (y * y).sum(1)[None, :]
        return np.maximum(sq, 0.0, out=sq)
    return ((x * x).sum(1)[:, None] + (y * y).sum(1)[None, :] - 2 * (x @ y.T)).clamp_min(0)


@dataclasses.dataclass(frozen=True)
class Kernel(abc.ABC):
    """Base class: a positive-definite kernel with an optional length-scale."""

    bandwidth: float = 1.0
    metric = "euclidean"

    @abc.abstractmethod
    def matrix(self, x, y):
        """Gram matrix k(x_i, y_j), shape (len(x), len(y)), in the library of `x`."""

    @abc.abstractmethod
    def paired(self, a, b):
        """Row-wise values k(a_i, b_i), shape (len(a),), without forming a Gram matrix."""


@dataclasses.dataclass(frozen=True)
class Gaussian(Kernel):
    """Gaussian (RBF) kernel exp(-||x-y||^2 / (2 bandwidth^2))."""

    def matrix(self, x, y):
        xp = namespace(x, y)
        sq = _sq_euclidean(x, y, xp)
        if xp is np:  # in place: the Gram matrix is the largest array of a test
            sq *= -1.0 / (2 * self.bandwidth**2)
            return np.exp(sq, out=sq)
        return xp.exp(-sq / (2 * self.bandwidth**2))

    def paired(self, a, b):
        return namespace(a, b).exp(-((a - b) ** 2).sum(1) / (2 * self.bandwidth**2))


@dataclasses.dataclass(frozen=True)
class Laplace(Kernel):
    """Laplace kernel exp(-||x-y||_1 / bandwidth) (L1 distance, as in MMDAgg)."""

    metric = "l1"

    def matrix(self, x, y):
        xp = namespace(x, y)
        return xp.exp(-pairwise_distances(x, y, "l1") / self.bandwidth)

    def paired(self, a, b):
        xp = namespace(a, b)
        return xp.exp(-xp.abs(a - b).sum(1) / self.bandwidth)


@dataclasses.dataclass(frozen=True)
class IMQ(Kernel):
    """Inverse multiquadric kernel (1 + ||x-y||^2 / bandwidth^2)^(-1/2)."""

    def matrix(self, x, y):
        xp = namespace(x, y)
        return 1.0 / xp.sqrt(1 + _sq_euclidean(x, y, xp) / self.bandwidth**2)

    def paired(self, a, b):
        return 1.0 / namespace(a, b).sqrt(1 + ((a - b) ** 2).sum(1) / self.bandwidth**2)


@dataclasses.dataclass(frozen=True)
class Linear(Kernel):
    """Linear kernel x^T y (MMD^2 is then the squared distance between the means)."""

    metric = None

    def matrix(self, x, y):
        return x @ y.T

    def paired(self, a, b):
        return (a * b).sum(1)


@dataclasses.dataclass(frozen=True)
class Polynomial(Kernel):
    """Polynomial kernel (x^T y / d + coef0)^degree (KID's kernel with the defaults)."""

    degree: int = 3
    coef0: float = 1.0
    metric = None

    def matrix(self, x, y):
        return (x @ y.T / x.shape[1] + self.coef0) ** self.degree

    def paired(self, a, b):
        return ((a * b).sum(1) / a.shape[1] + self.coef0) ** self.degree


_KERNELS = {"gaussian": Gaussian, "laplace": Laplace, "imq": IMQ, "linear": Linear, "polynomial": Polynomial}


def median_distance(z, metric: str = "euclidean", *, rng=None) -> float:
    """Median pairwise distance of the rows of `z` (a random subsample of at most 1,000 rows).

    Zero distances (ties) are excluded; returns 1.0 when every row is the same.
    """
    z = np.asarray(z, dtype=np.float64)
    if len(z) > _MEDIAN_SUBSAMPLE:
        generator = np.random.default_rng(rng)
        z = z[generator.choice(len(z), _MEDIAN_SUBSAMPLE, replace=False)]
    dist = pairwise_distances(z, z, metric)[np.triu_indices(len(z), k=1)]
    dist = dist[dist > 0]
    return float(np.median(dist)) if dist.size else 1.0


def make_kernel(kernel="gaussian", bandwidth="median", pooled=None, *, rng=None, **params) -> Kernel:
    """A kernel from a name (or instance) and a bandwidth (a number or ``"median"``).

    Parameters
    ----------
    kernel : str or Kernel
        ``"gaussian"``, ``"laplace"``, ``"imq"``, ``"linear"``, ``"polynomial"``, or an instance.
    bandwidth : float or "median"
        Length-scale; ``"median"`` needs the pooled sample `pooled`.
    pooled : array, optional
        The pooled sample, for the median heuristic.
    rng : optional
        Seeds the median's subsample.
    **params
        ``degree``, ``coef0`` for the polynomial kernel.
    """
    if isinstance(kernel, Kernel):
        return kernel
    if kernel not in _KERNELS:
        raise ValueError(f"`kernel` must be one of {', '.join(_KERNELS)} or a Kernel; got {kernel!r}.")
    cls = _KERNELS[kernel]
    if cls.metric is None:
        return cls(**params)
    if isinstance(bandwidth, str):
        if bandwidth != "median":
            raise ValueError(f"`bandwidth` must be a positive number or 'median', got {bandwidth!r}.")
        bandwidth = median_distance(pooled, cls.metric, rng=rng)
    if isinstance(bandwidth, bool) or not isinstance(bandwidth, (int, float, np.floating, np.integer)) \
            or not (math.isfinite(bandwidth) and bandwidth > 0):
        raise ValueError(f"`bandwidth` must be a positive number or 'median', got {bandwidth!r}.")
    return cls(bandwidth=float(bandwidth), **params)
