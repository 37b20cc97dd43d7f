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
computed on a random subsample of at most 1,000 rows (drawn from the sorted
rows, so it does not depend on their order). The pooled sample is the same
under every relabelling, so a permutation test with a median bandwidth keeps
its level.

Kernels as users bring them are accepted too: any callable ``k(a, b)``
returning the Gram matrix, such as a scikit-learn kernel object
(``sklearn.gaussian_process.kernels.RBF(2.0)``) or
``sklearn.metrics.pairwise.laplacian_kernel`` (see :class:`CallableKernel`).
"""

from __future__ import annotations

import abc
import dataclasses
import math
import numbers
from collections.abc import Callable

import numpy as np

from twosample.core.backend import namespace
from twosample.core.validation import canonical_order, check_rng, scale_exponent

__all__ = [
    "CallableKernel",
    "Gaussian",
    "IMQ",
    "Kernel",
    "fourier_features",
    "kernel_frame",
    "kernel_scale_exponent",
    "Laplace",
    "Linear",
    "Polynomial",
    "check_bandwidth",
    "make_kernel",
    "median_distance",
    "pairwise_distances",
    "positive_distances",
    "scale_free_inputs",
    "to_kernel_frame",
    "squared_distances",
    "subsample_rows",
]

_MEDIAN_SUBSAMPLE = 1000


_SCIPY_METRICS = {"euclidean": "euclidean", "sqeuclidean": "sqeuclidean", "l1": "cityblock"}


def pairwise_distances(x, y, metric: str = "euclidean"):
    """Pairwise distances (``"euclidean"``, ``"sqeuclidean"`` or ``"l1"``) for arrays or tensors."""
    xp = namespace(x, y)
    if xp is np:
        from scipy.spatial.distance import cdist

        return cdist(x, y, _SCIPY_METRICS[metric])
    if metric == "sqeuclidean":
        return xp.cdist(x, y) ** 2
    return xp.cdist(x, y, p=1.0 if metric == "l1" else 2.0)


def squared_distances(x, y, xp):
    """Squared Euclidean distances ||x_i - y_j||^2 through one matrix product (clamped at 0 against rounding).

    `xp` is the array namespace (:func:`twosample.core.backend.namespace`).
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


def check_bandwidth(bandwidth, *, allow_median: bool = True):
    """`bandwidth` as a positive finite float, or "median"; else a ValueError naming it."""
    if allow_median and isinstance(bandwidth, str) and bandwidth == "median":
        return bandwidth
    ok = (
        not isinstance(bandwidth, bool)
        and isinstance(bandwidth, numbers.Real)
        and math.isfinite(bandwidth)
        and bandwidth > 0
    )
    if not ok:
        expected = "a positive number or 'median'" if allow_median else "a positive number"
        raise ValueError(f"`bandwidth` must be {expected}, got {bandwidth!r}.")
    return float(bandwidth)


@dataclasses.dataclass(frozen=True)
class Kernel(abc.ABC):
    """Base class: a positive-definite kernel with an optional length-scale."""

    bandwidth: float = 1.0
    metric = "euclidean"
    # The distance the kernel is a function of ("sqeuclidean" or "l1"), for kernels that implement
    # from_distance: several such kernels then share one distance matrix (see mmd._SharedBlockSums).
    distance = None

    def __post_init__(self):
        bandwidth = check_bandwidth(self.bandwidth, allow_median=False)
        if not 1e-150 < bandwidth < 1e150:  # its square must be a normal float64 (the tests rescale the
            # data and the bandwidth together by a power of two, so this concerns kernels used directly)
            raise ValueError(f"`bandwidth` = {bandwidth!r} cannot be squared in float64; rescale the data.")
        object.__setattr__(self, "bandwidth", bandwidth)

    @abc.abstractmethod
    def matrix(self, x, y):
        """Gram matrix k(x_i, y_j), shape (len(x), len(y)), in the library of `x`."""

    @abc.abstractmethod
    def paired(self, a, b):
        """Row-wise values k(a_i, b_i), shape (len(a),), without forming a Gram matrix."""

    def from_distance(self, dist: np.ndarray, out: np.ndarray) -> np.ndarray:
        """The Gram values from a NumPy array of `distance` values, written into `out` (`dist`'s dtype)."""
        raise NotImplementedError(f"{type(self).__name__} is not a function of a distance.")


# Elements per chunk of _exp_scaled: 256 KiB of float64, inside a core's L2 cache.
_EXP_CHUNK = 32_768


def _exp_floor(dtype) -> float:
    """The smallest exponent :func:`_exp_scaled` passes to exp: e^8 above the dtype's smallest normal number.

    Not the smallest normal itself: NumPy's vectorised exp takes a scalar path for results at the
    edge of underflow (exponents in [-708.4, -707] in float64, near -87.3 in float32) and for
    results that underflow, 5-14x slower than elsewhere (measured, NumPy 2.4 with AVX-512).
    """
    return math.log(np.finfo(dtype).tiny) + 8.0


def _exp_scaled(dist, scale, out):
    """exp(scale * dist) into `out`, at least e^8 times the dtype's smallest normal number.

    Subnormal and underflowing results (exp below -87 in float32, -708 in float64) are slow to
    compute and to multiply on most CPUs; raising them to 3.5e-35 (6.6e-305) changes a sum of
    N^2 Gram values by at most N^2 times that, 25 orders of magnitude below anything a test
    reads (every Gram sum holds the diagonal's N ones).
    """
    floor = _exp_floor(out.dtype)
    # The three passes a block of rows at a time, while it is in cache: a Gram matrix is written
    # once instead of read and written three times (1.2x faster at N = 800, where memory is the bound).
    step = max(1, _EXP_CHUNK // max(1, out.shape[-1])) if out.ndim == 2 else len(out)
    for start in range(0, len(out), step):
        part = out[start : start + step]
        np.multiply(dist[start : start + step], scale, out=part)
        np.maximum(part, floor, out=part)
        np.exp(part, out=part)
    return out


@dataclasses.dataclass(frozen=True)
class Gaussian(Kernel):
    """Gaussian (RBF) kernel exp(-||x-y||^2 / (2 bandwidth^2))."""

    distance = "sqeuclidean"

    def from_distance(self, dist, out):
        return _exp_scaled(dist, -1.0 / (2 * self.bandwidth**2), out)

    def matrix(self, x, y):
        xp = namespace(x, y)
        sq = squared_distances(x, y, xp)
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
    distance = "l1"

    def from_distance(self, dist, out):
        return _exp_scaled(dist, -1.0 / self.bandwidth, out)

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
        return 1.0 / xp.sqrt(1 + squared_distances(x, y, xp) / self.bandwidth**2)

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

    def __post_init__(self):
        super().__post_init__()
        if isinstance(self.degree, bool) or not isinstance(self.degree, numbers.Integral) or self.degree < 1:
            raise ValueError(f"`degree` must be a positive integer, got {self.degree!r}.")
        if (
            isinstance(self.coef0, bool)
            or not isinstance(self.coef0, numbers.Real)
            or not (math.isfinite(self.coef0) and self.coef0 >= 0)
        ):
            raise ValueError(f"`coef0` must be a finite number >= 0, got {self.coef0!r}.")

    def matrix(self, x, y):
        return (x @ y.T / x.shape[1] + self.coef0) ** self.degree

    def paired(self, a, b):
        return ((a * b).sum(1) / a.shape[1] + self.coef0) ** self.degree


@dataclasses.dataclass(frozen=True)
class CallableKernel(Kernel):
    """A user's kernel: any callable ``function(a, b)`` returning the Gram matrix ``(len(a), len(b))``.

    scikit-learn kernel objects (``sklearn.gaussian_process.kernels.RBF``)
    and functions (``sklearn.metrics.pairwise.rbf_kernel``) are such
    callables. NumPy only (tensors are moved to the CPU); the test's own
    bandwidth rules do not apply, the callable carries its own.
    """

    function: Callable = None
    metric = None

    def __post_init__(self):
        if not callable(self.function):
            raise TypeError(f"`kernel` must be a name, a Kernel or a callable k(a, b); got {self.function!r}.")

    def _call(self, a, b):
        xp = namespace(a, b)
        if xp is not np:
            a, b = a.detach().cpu().numpy(), b.detach().cpu().numpy()
        try:
            gram = np.asarray(self.function(a, b), dtype=np.float64)
        except Exception as exc:
            raise ValueError(f"`kernel` raised {type(exc).__name__}: {' '.join(str(exc).split())}") from None
        if gram.shape != (len(a), len(b)):
            raise ValueError(f"`kernel` must return the Gram matrix of shape {(len(a), len(b))}, got {gram.shape}.")
        if not np.isfinite(gram).all():
            raise ValueError("`kernel` returned NaN or infinite values.")
        return gram if xp is np else xp.as_tensor(gram)

    def matrix(self, x, y):
        return self._call(x, y)

    def paired(self, a, b):
        out = np.empty(len(a))
        for start in range(0, len(a), 512):  # the diagonals of small blocks
            out[start : start + 512] = self._call(a[start : start + 512], b[start : start + 512]).diagonal()
        return out


_KERNELS = {"gaussian": Gaussian, "laplace": Laplace, "imq": IMQ, "linear": Linear, "polynomial": Polynomial}
# Kernels of the distance divided by a length-scale: k(cx, cy; c sigma) = k(x, y; sigma).
_LENGTH_SCALE = (Gaussian, Laplace, IMQ)


def subsample_rows(z, *, rng=None) -> np.ndarray:
    """At most 1,000 rows of `z`, drawn from its canonical (sorted) row order with `rng`.

    Drawn from the sorted rows, so the subsample does not depend on the order
    of the rows; shared by the median heuristic and the aggregated test's
    bandwidth grid.
    """
    z = canonical_order(np.asarray(z, dtype=np.float64))
    if len(z) > _MEDIAN_SUBSAMPLE:
        z = z[np.sort(check_rng(rng).choice(len(z), _MEDIAN_SUBSAMPLE, replace=False))]
    return z


def positive_distances(z, metric: str = "euclidean") -> np.ndarray:
    """The non-zero pairwise distances among the rows of `z` (each pair once, in the order of the
    upper triangle of :func:`pairwise_distances`, with the same values: SciPy's pdist and cdist
    share their distance loops; 6x faster than indexing the square matrix)."""
    from scipy.spatial.distance import pdist

    dist = pdist(np.asarray(z, dtype=np.float64), _SCIPY_METRICS[metric])
    return dist[dist > 0]


def median_distance(z, metric: str = "euclidean", *, rng=None) -> float:
    """Median pairwise distance of the rows of `z` (a random subsample of at most 1,000 rows).

    Zero distances (ties) are excluded; returns 1.0 when every row is the same.
    """
    dist = positive_distances(subsample_rows(z, rng=rng), metric)
    return float(np.median(dist)) if dist.size else 1.0


def _is_length_scale(kernel) -> bool:
    return kernel in ("gaussian", "laplace", "imq") or type(kernel) in _LENGTH_SCALE


def kernel_frame(arrays, kernels) -> tuple[np.ndarray | None, int]:
    """``(centre, shift)``: length-scale kernels see the data as ``(z - centre) * 2**-shift``.

    The Gaussian, Laplace and IMQ kernels depend on ``z - z'`` only, and on its size relative to
    the bandwidth, so a common centre and a power of two change no kernel value beyond rounding.
    The centre is each column's midrange where it lies more than 1,024 ranges from 0 (else 0, so
    data that needs none is left bit for bit as given): squared distances formed by one matrix
    product (``|a|^2 + |b|^2 - 2ab``) would otherwise cancel to noise (an offset of 1e8 on data of
    spread 1 lost every digit). The shift is :func:`~twosample.core.validation.scale_exponent` of
    the centred data. ``(None, 0)`` when a kernel is not a length-scale kernel.
    """
    if not all(_is_length_scale(k) for k in kernels):
        return None, 0
    arrays = [np.asarray(a, dtype=float) for a in arrays if np.size(a)]
    if not arrays:
        return None, 0
    low = np.min([a.min(axis=0) for a in arrays], axis=0)
    high = np.max([a.max(axis=0) for a in arrays], axis=0)
    mid, half_range = low / 2 + high / 2, high / 2 - low / 2  # halves first: no overflow near 1e308
    far = np.isfinite(mid) & (np.abs(mid) > 1024 * half_range)
    centre = np.where(far, mid, 0.0) if far.any() else None
    shift = scale_exponent(*(arrays if centre is None else [a - centre for a in arrays]))
    return centre, shift


def to_kernel_frame(a, centre, shift) -> np.ndarray:
    """`a` as the kernels see it: ``(a - centre) * 2**-shift`` (see :func:`kernel_frame`)."""
    a = a if centre is None else a - centre
    return np.ldexp(a, -shift) if shift else a


def kernel_scale_exponent(arrays, kernels) -> int:
    """The power of two :func:`scale_free_inputs` divides `arrays` by for `kernels` (0: left as given);
    the shift of :func:`kernel_frame`."""
    return kernel_frame(arrays, kernels)[1]


def scale_free_inputs(arrays, kernels, bandwidth="median"):
    """Centre (where far from 0) and rescale data, kernels and bandwidth by one power of two when every kernel
    is a length-scale kernel.

    ``k(c x + a, c y + a; c sigma) = k(x, y; sigma)`` for the Gaussian, Laplace and IMQ
    kernels, so the MMD is unchanged (bit for bit by the power of two; the centre,
    :func:`kernel_frame`, only where an offset would make squared distances cancel) while data
    near 1e300 or 1e-300, or offset by 1e8, computes like data of scale 1.
    Other kernels (linear, polynomial, a user's callable) are left as given.
    Returns ``(arrays, kernels, bandwidth)``.
    """
    centre, shift = kernel_frame(arrays, kernels)
    if centre is None and shift == 0:
        return arrays, kernels, bandwidth
    arrays = [to_kernel_frame(a, centre, shift) for a in arrays]
    kernels = [
        k if isinstance(k, str) else dataclasses.replace(k, bandwidth=math.ldexp(k.bandwidth, -shift)) for k in kernels
    ]
    if not isinstance(bandwidth, str):
        bandwidth = math.ldexp(bandwidth, -shift)
    return arrays, kernels, bandwidth


def fourier_features(a, weights, offsets) -> np.ndarray:
    r"""Random Fourier features :math:`\phi(a) = \sqrt{2/D}\cos(a W + b)` of the rows of `a`, shape (len(a), D).

    With :math:`W \sim N(0, \sigma^{-2})` (`weights`, shape (d, D)) and
    :math:`b \sim U[0, 2\pi]` (`offsets`, shape (D,)),
    :math:`\phi(s)^\top\phi(t)` estimates the Gaussian kernel of length-scale
    :math:`\sigma` (Rahimi and Recht 2007).
    """
    return np.sqrt(2.0 / weights.shape[1]) * np.cos(a @ weights + offsets)


def make_kernel(kernel="gaussian", bandwidth="median", pooled=None, *, rng=None, **params) -> Kernel:
    """A kernel from a name (or instance) and a bandwidth (a number or ``"median"``).

    Parameters
    ----------
    kernel : str, Kernel or callable
        ``"gaussian"``, ``"laplace"``, ``"imq"``, ``"linear"``, ``"polynomial"``, an instance,
        or a callable ``k(a, b)`` returning the Gram matrix (wrapped in :class:`CallableKernel`).
    bandwidth : float or "median"
        Length-scale; ``"median"`` needs the pooled sample `pooled`. Checked
        even where the kernel has no length-scale.
    pooled : array, optional
        The pooled sample, for the median heuristic.
    rng : optional
        Seeds the median's subsample.
    **params
        ``degree``, ``coef0`` for the polynomial kernel.
    """
    bandwidth = check_bandwidth(bandwidth)
    if isinstance(kernel, Kernel):
        return kernel
    if not isinstance(kernel, str) and callable(kernel):
        return CallableKernel(function=kernel)
    if not isinstance(kernel, str) or kernel not in _KERNELS:
        raise ValueError(
            f"`kernel` must be one of {', '.join(_KERNELS)}, a Kernel or a callable k(a, b) "
            f"returning the Gram matrix; got {kernel!r}."
        )
    cls = _KERNELS[kernel]
    if cls.metric is None:
        return cls(**params)
    if bandwidth == "median":
        if pooled is None:
            raise ValueError('`bandwidth`="median" needs the pooled sample (`pooled`); give it, or a number.')
        bandwidth = median_distance(pooled, cls.metric, rng=rng)
    return cls(bandwidth=check_bandwidth(bandwidth, allow_median=False), **params)
