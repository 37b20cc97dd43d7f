r"""MMDAggInc: the aggregated MMD test in linear time (Schrab, Kim, Guedj and Gretton 2022).

The samples are paired, :math:`z_i = (x_i, y_i)` for :math:`i < N = \min(n, m)`, and the
MMD U-statistic is kept only on the :math:`R` subdiagonals :math:`j = i + 1, \dots, i + R`
of its :math:`N \times N` table:

.. math::
    \widehat{\mathrm{MMD}}^2_\lambda = \frac1D \sum_{r=1}^{R} \sum_{i=1}^{N-r} h_\lambda(z_i, z_{i+r}),
    \qquad h_\lambda(z_i, z_j) = k_\lambda(x_i, x_j) - k_\lambda(x_i, y_j) - k_\lambda(y_i, x_j)
    + k_\lambda(y_i, y_j),

with :math:`D = RN - R(R+1)/2` terms: :math:`O(NRd)` time per bandwidth instead of
:math:`O(N^2 d)`. The null is the wild bootstrap: Rademacher signs :math:`\epsilon` give
:math:`\frac1D\sum \epsilon_i \epsilon_j h(z_i, z_j)`, which is the statistic after swapping
:math:`x_i` and :math:`y_i` wherever :math:`\epsilon_i = -1`; under H0 such swaps leave the
distribution unchanged, so each single-bandwidth test is an exact Monte Carlo test.

Aggregation over the bandwidths (MMDAgg's rule, written as a p-value): the first half of the
bootstrap draws (:math:`B_1`) gives each bandwidth's p-value
:math:`p_\lambda(v) = (1 + \#\{b \le B_1 : T_{\lambda,b} \ge v\}) / (B_1 + 1)`, the statistic is
:math:`M = \min_\lambda p_\lambda / (L w_\lambda)`, and its null is :math:`M` on the other
:math:`B_2` draws: :math:`p = (1 + \#\{M_b \le M\}) / (1 + B_2)`. Rejecting when
:math:`p \le \alpha` is the authors' test (reject when some :math:`p_\lambda \le u_\alpha w_\lambda`,
:math:`u_\alpha` calibrated on :math:`B_2`) with the bisection replaced by the exact order
statistic. Given the :math:`B_1` draws the observed labelling and the :math:`B_2` draws are
exchangeable under H0, so the level is exact (conservative with ties).

Conventions that differ from the reference code (``agginc``, numpy version), each for the
level or for scale invariance: the pairing follows a shuffle of the sorted rows drawn from
``rng`` (so the result does not depend on row order); the bandwidth grid comes from the
pooled rows of the pairs (invariant under the swaps, so the level stays exact), from half
the 5% distance quantile to twice the largest distance, without the reference code's
absolute floors (0.1, 0.3), which depend on the data's units; the bandwidth is the
length-scale :math:`\sigma` of :math:`\exp(-\|x-y\|^2 / (2\sigma^2))` (theirs is
:math:`\lambda = \sqrt2\sigma`).

References
----------
.. [1] Schrab, A., Kim, I., Guedj, B. and Gretton, A. (2022). Efficient aggregated kernel
   tests using incomplete U-statistics. NeurIPS.
.. [2] Schrab, A., Kim, I., Albert, M., Laurent, B., Guedj, B. and Gretton, A. (2023).
   MMD aggregated two-sample test. JMLR 24(194).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from twosample.core.resampling import _RTOL, Resampling, null_result
from twosample.core.scaling import scaled_columns
from twosample.core.spec import register
from twosample.core.validation import (
    canonical_order,
    check_choice,
    check_dtype,
    check_int,
    check_samples,
    contains_nan,
    warn_if_constant,
)
from twosample.kernel.kernels import (
    Gaussian,
    check_bandwidth,
    positive_distances,
    scale_free_inputs,
    subsample_rows,
)
from twosample.kernel.witness import KernelTestResult, column_names, kernel_result

__all__ = ["mmd_agginc_test", "agginc_weights"]

WEIGHTS = ("uniform", "decreasing", "increasing", "centred")
_DEFAULT_R = 200
_BATCH_BYTES = 2**28


def agginc_weights(n_bandwidths: int, kind: str = "uniform") -> np.ndarray:
    """MMDAgg's weights over the bandwidths (Schrab et al. 2023, sec. 5.1), summing to 1."""
    check_choice(kind, "weights", WEIGHTS)
    i = np.arange(1, n_bandwidths + 1, dtype=float)
    raw = {
        "uniform": np.ones(n_bandwidths),
        "decreasing": 1 / i,
        "increasing": 1 / (n_bandwidths + 1 - i),
        "centred": 1 / (np.abs((n_bandwidths + 1) / 2 - i) + (1.0 if n_bandwidths % 2 else 0.5)),
    }[kind]
    return raw / raw.sum()


def _default_bandwidths(pooled, n_bandwidths, rng) -> np.ndarray:
    """Geometric grid from half the 5% quantile to twice the largest pooled distance (module docstring)."""
    dist = positive_distances(subsample_rows(pooled, rng=rng), "euclidean")
    if not dist.size:
        return np.ones(n_bandwidths)
    lo, hi = float(np.quantile(dist, 0.05)) / 2, 2 * float(dist.max())
    lam = np.geomspace(lo, max(hi, lo), n_bandwidths)  # agginc's lambda in exp(-d^2 / lambda^2)
    return lam / math.sqrt(2)


def _check_bandwidth_list(bandwidths) -> np.ndarray:
    if isinstance(bandwidths, (str, bytes)) or not hasattr(bandwidths, "__len__") or len(bandwidths) == 0:
        raise ValueError(f"`bandwidths` must be a non-empty list of positive numbers, got {bandwidths!r}.")
    try:
        return np.array([check_bandwidth(b, allow_median=False) for b in bandwidths])
    except ValueError:
        raise ValueError(f"`bandwidths` must be a non-empty list of positive numbers, got {bandwidths!r}.") from None


def _check_subdiagonals(subdiagonals, n_pairs: int) -> int:
    if isinstance(subdiagonals, str) and subdiagonals == "auto":
        return min(_DEFAULT_R, n_pairs - 1)
    value = check_int(subdiagonals, "subdiagonals")
    if value > n_pairs - 1:
        raise ValueError(
            f"`subdiagonals` = {value} is larger than the sample allows: N = min(n, m) = {n_pairs} pairs "
            f"have {n_pairs - 1} subdiagonals (R = N - 1 is the complete U-statistic)."
        )
    return value


def _paired(x, y, rng):
    """N = min(n, m) pairs (x_i, y_i) from shuffles of the sorted rows (row-order free)."""
    x, y = canonical_order(x), canonical_order(y)
    x, y = x[rng.permutation(len(x))], y[rng.permutation(len(y))]
    n_pairs = min(len(x), len(y))
    return x[:n_pairs], y[:n_pairs]


def _h_values(x, y, r, sigmas):
    """h_lambda(z_i, z_{i+r}) for every bandwidth: shape (L, N - r), float64."""
    a_x, a_y, b_x, b_y = x[:-r], y[:-r], x[r:], y[r:]
    sq = [((u - v) ** 2).sum(1) for u, v in ((a_x, b_x), (a_x, b_y), (a_y, b_x), (a_y, b_y))]
    scale = -1.0 / (2 * sigmas**2)[:, None]
    return np.exp(scale * sq[0]) - np.exp(scale * sq[1]) - np.exp(scale * sq[2]) + np.exp(scale * sq[3])


def _incomplete_sums(x, y, n_sub, sigmas, signs, batch, dtype):
    """Sums of h over the `n_sub` subdiagonals under each column of `signs` (L, B): ``sum e_i e_j h_ij``.

    A column of ones gives the observed statistic through the same products (same rounding).
    """
    n_boot = signs.shape[1]
    boot = np.zeros((len(sigmas), n_boot))
    for r in range(1, n_sub + 1):
        h = _h_values(x, y, r, sigmas).astype(dtype, copy=False)
        for start in range(0, n_boot, batch):
            cols = slice(start, start + batch)
            boot[:, cols] += h @ (signs[:-r, cols] * signs[r:, cols])  # signs are +-1: exact in float32
    return boot


def _weighted_pvalues(values, reference, weights):
    """p_lambda(v) / (L w_lambda) per bandwidth, shape (L, B), p from the sorted reference draws (L, B1)."""
    n_ref = reference.shape[1]
    tol = np.abs(values) * _RTOL  # the engine's tie tolerance: a draw equal up to rounding counts
    at_least = np.stack([n_ref - np.searchsorted(ref, v, side="left") for ref, v in zip(reference, values - tol)])
    pvalues = (1 + at_least) / (n_ref + 1)
    return pvalues / (len(weights) * weights)[:, None]


def _min_weighted_pvalue(values, reference, weights):
    """min over bandwidths of p_lambda(v) / (L w_lambda) (:func:`_weighted_pvalues`)."""
    return _weighted_pvalues(values, reference, weights).min(0)


def _deciding_bandwidth(observed, reference, weights) -> int:
    """The bandwidth with the smallest weighted p-value; ties go to the largest observed statistic in
    standard deviations of its reference draws."""
    spread = reference.std(axis=1)
    standardised = np.divide(observed, spread, out=np.zeros_like(observed), where=spread > 0)
    weighted = _weighted_pvalues(observed[:, None], reference, weights)[:, 0]
    return int(np.lexsort((-standardised, weighted))[0])


@register(
    "mmd-agginc",
    description="aggregated MMD on R subdiagonals, wild bootstrap, linear time (MMDAggInc)",
    null="wild bootstrap",
)
def mmd_agginc_test(
    x,
    y,
    *,
    subdiagonals="auto",
    bandwidths=None,
    n_bandwidths=10,
    weights: Literal["uniform", "decreasing", "increasing", "centred"] = "uniform",
    alpha=0.05,
    n_resamples=1000,
    batch=None,
    rng=None,
    dtype=np.float32,
    standardize: bool = False,
    nan_policy: Literal["raise", "propagate", "omit"] = "raise",
) -> KernelTestResult:
    r"""Aggregated incomplete MMD test (MMDAggInc), for samples too large for the quadratic tests.

    Parameters
    ----------
    x, y : array_like, shape (n, d) and (m, d)
        The samples; the first ``N = min(n, m)`` rows of each after a shuffle are paired (the
        rest of the larger sample is not used, as in the reference code).
    subdiagonals : int or "auto", default "auto"
        R, the subdiagonals of the U-statistic kept: cost :math:`O(NRL)` kernel values and
        :math:`O(NRLB)` flops for the bootstrap. "auto": ``min(200, N - 1)`` (the paper's
        default); ``N - 1`` is the complete U-statistic.
    bandwidths : list of float, optional
        Gaussian length-scales; default a geometric grid of `n_bandwidths` (module docstring).
    n_bandwidths : int, default 10
    weights : {"uniform", "decreasing", "increasing", "centred"}, default "uniform"
        MMDAgg's weights over the bandwidths (in the grid's increasing order).
    alpha : float, default 0.05
    n_resamples : int, default 1000
        Wild-bootstrap draws, split in half: ``B1`` for the single-bandwidth p-values and
        ``B2 = n_resamples - B1`` for the aggregated null (the paper's 500 + 500).
    batch : int, optional
        Bootstrap draws multiplied at once (memory :math:`O(N \cdot \text{batch})`); the
        result does not depend on it.
    rng : None, int, SeedSequence or Generator
    dtype : {numpy.float32, numpy.float64}, default float32
        Precision of the products (kernel values are computed in float64; the signs are
        exact in either). The observed statistic goes through the same products as the
        bootstrap draws, so both carry the same rounding; float64 doubles the time
        (n = m = 100,000: see docs/benchmarks.md).
    standardize : bool, default False
        As in :func:`~twosample.mmd_test`: each column divided by its pooled standard deviation first.
    nan_policy : {"raise", "propagate", "omit"}, default "raise"
        Rows that contain a NaN, as in SciPy: ``"raise"``, an error; ``"propagate"``, a
        result with NaN statistic and p-value (``reject=False``) without running the test;
        ``"omit"``, each sample's rows with a NaN are dropped and the test runs on the rest.
        Infinite values are an error under every policy.

    Returns
    -------
    KernelTestResult
        With the Gaussian kernels and the samples, for ``res.witness(points)`` (by default the
        bandwidth that decides, :attr:`~KernelTestResult.default_kernel`).
        ``statistic`` is :math:`\min_\lambda p_\lambda / (L w_\lambda)`, small against H0
        (``alternative="less"``), ``threshold`` the corrected level :math:`u_\alpha`,
        ``null_distribution`` the statistic on the ``B2`` draws, ``method="wild bootstrap"``.

    Examples
    --------
    >>> import numpy as np
    >>> from twosample import mmd_agginc_test
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.normal(size=(2000, 2)), rng.normal(size=(2000, 2)) + [0.3, 0.0]
    >>> res = mmd_agginc_test(x, y, rng=0)
    >>> res.reject, res.test
    (True, 'mmd-agginc')
    """
    columns = column_names(x)
    x0, y0 = check_samples(x, y, nan_policy=nan_policy)
    (x, y), scale = scaled_columns((x0, y0), standardize, "mmd_agginc_test", columns)
    options = Resampling.of(mmd_agginc_test, alpha=alpha, n_resamples=n_resamples, batch=batch, rng=rng)
    n_resamples, batch, generator = options.n_resamples, options.batch, options.rng
    if n_resamples < 2:
        raise ValueError(f"`n_resamples` must be at least 2 (B1 + B2 draws), got {n_resamples}.")
    check_choice(weights, "weights", WEIGHTS)
    dtype = check_dtype(dtype)
    if min(len(x), len(y)) < 2:
        raise ValueError(f"mmd_agginc_test needs at least 2 rows in each sample, got {len(x)} and {len(y)}.")
    n_sub = _check_subdiagonals(subdiagonals, min(len(x), len(y)))
    if contains_nan(x, y):  # its statistic is a p-value, small against H0
        return kernel_result(options.towards("less").nan_result(x, y), x0, y0, (), columns=columns, column_scale=scale)
    if bandwidths is None:  # the grid scales with the data
        (x, y), _, _ = scale_free_inputs((x, y), ("gaussian",))
    else:  # data and bandwidths rescaled together by a power of two
        given = [Gaussian(bandwidth=float(b)) for b in _check_bandwidth_list(bandwidths)]
        (x, y), kernels, _ = scale_free_inputs((x, y), given)
        sigmas = np.array([k.bandwidth for k in kernels])
    x, y = _paired(x, y, generator)
    warn_if_constant(np.vstack([x, y]))
    if bandwidths is None:
        sigmas = _default_bandwidths(np.vstack([x, y]), check_int(n_bandwidths, "n_bandwidths"), generator)
    signs = np.ones((len(x), 1 + n_resamples), dtype=dtype)  # column 0: the observed labelling
    signs[:, 1:] = 2 * generator.integers(0, 2, size=(len(x), n_resamples), dtype=np.int8) - 1
    if batch is None:
        batch = max(1, _BATCH_BYTES // (len(x) * np.dtype(dtype).itemsize))
    sums = _incomplete_sums(x, y, n_sub, sigmas, signs, batch, dtype)
    n_terms = n_sub * len(x) - n_sub * (n_sub + 1) // 2
    observed, boot = sums[:, 0] / n_terms, sums[:, 1:] / n_terms
    b1 = n_resamples // 2
    reference = np.sort(boot[:, :b1], axis=1)
    w = agginc_weights(len(sigmas), weights)
    stat = float(_min_weighted_pvalue(observed[:, None], reference, w)[0])
    null = _min_weighted_pvalue(boot[:, b1:], reference, w)
    res = null_result(
        stat,
        null,
        alpha=options.alpha,
        alternative="less",
        exact=False,
        n_x=len(x),
        n_y=len(y),
        test=options.test,
        seed=options.seed,
    )
    kernels = [Gaussian(bandwidth=float(s)) for s in sigmas]
    chosen = _deciding_bandwidth(observed, reference, w)
    return kernel_result(
        res, x0, y0, kernels, columns=columns, column_scale=scale, default_kernel=chosen, method="wild bootstrap"
    )
