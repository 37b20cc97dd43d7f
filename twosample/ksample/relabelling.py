r"""k-sample tests: H0: all k samples come from one law, by relabelling the pooled rows.

Comparing several generators, or several batches, at once. Each test takes two or more
samples (``test(x, y, z, ...)``; with two it is a two-sample test, so the registry, the power
studies and the CLI treat it as one) and permutes the k group labels of the pooled rows. The
pooled distance or kernel matrix M is computed once; for a batch of B relabellings, one
product of M with the B one-hot label matrices gives every group-by-group sum
:math:`S_b = L_b^\top M L_b`.

* ``energy-k``: the between-sample energy of DISCO (Rizzo & Székely 2010),
  :math:`\sum_{i<j} \frac{n_i n_j}{2N} (2\bar D_{ij} - \bar D_{ii} - \bar D_{jj})`.
* ``mmd-k``: the same sum with the biased MMD² of a Gaussian kernel (median bandwidth of the
  pooled rows), :math:`\sum_{i<j} \frac{n_i n_j}{N} (\bar K_{ii} + \bar K_{jj} - 2\bar K_{ij})`.
* ``ks-k`` (one dimension): the largest pairwise Kolmogorov-Smirnov distance,
  :math:`\max_{i<j} \sqrt{n_i n_j / (n_i + n_j)} \sup_t |F_i(t) - F_j(t)|`.

The p-value is :math:`(1 + \#\{T_b \ge T\}) / (B + 1)`, never 0. As the two-sample tests do, the
samples are put in a canonical form first (rows sorted, one exact power-of-two scale), so results
do not depend on the order of rows and hold at any magnitude (1e-300 to 1e300). Results carry ``n_x`` (the
first sample's rows) and ``n_y`` (the other samples' rows together).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Literal

import numpy as np

from twosample.core.resampling import Resampling, null_result
from twosample.core.result import TestResult
from twosample.core.scaling import scaled_columns
from twosample.core.spec import register
from twosample.core.validation import (
    canonical_order,
    check_sample,
    contains_nan,
    match_columns,
    scale_exponent,
    warn_if_constant,
)
from twosample.kernel.kernels import (
    kernel_frame,
    median_distance,
    pairwise_distances,
    squared_distances,
    to_kernel_frame,
)

__all__ = ["energy_ksample_test", "ks_ksample_test", "mmd_ksample_test"]

_BATCH_ELEMENTS = 2**22  # relabellings per batch: about N * B * k <= 4M floats


def _samples(x, y, others, nan_policy, univariate=False) -> list[np.ndarray]:
    names = ["x", "y"] + [f"samples[{i}]" for i in range(len(others))]
    raw = [x] + [match_columns(x, s, name=name) for s, name in zip((y, *others), names[1:])]  # tables by name
    samples = [check_sample(s, name, nan_policy=nan_policy) for s, name in zip(raw, names)]
    width = samples[0].shape[1]
    for s, name in zip(samples, names):
        if s.shape[1] != width:
            raise ValueError(f"`{name}` has {s.shape[1]} columns, `x` has {width}.")
        if univariate and s.shape[1] != 1:
            raise ValueError(
                f"this test is for 1-D samples, but `{name}` has {s.shape[1]} columns; "
                "use a multivariate k-sample test (energy-k, mmd-k)."
            )
    warn_if_constant(np.vstack(samples))  # every relabelling then gives the same statistic: p = 1
    return samples


def _canonical(samples: list[np.ndarray]) -> tuple[list[np.ndarray], int]:
    """The samples in the boundary's canonical form: rows sorted (the relabellings then do not depend
    on the order of the user's rows) and all scaled by one power of two, ``2**-e``, exact in floating
    point, so that distances and squares neither overflow near 1e300 nor underflow near 1e-300.
    Returns the samples and ``e`` (a statistic of degree 1 in the data is ``2**e`` times the one
    computed here)."""
    shift = scale_exponent(*samples)
    return [np.ldexp(canonical_order(s), -shift) for s in samples], shift


def _rescaled(result: TestResult, factor: float) -> TestResult:
    """`result` with its statistic, threshold and null distribution on the data's own scale."""
    threshold = result.threshold
    threshold = tuple(t * factor for t in threshold) if isinstance(threshold, tuple) else threshold * factor
    null = None if result.null_distribution is None else result.null_distribution * factor
    return dataclasses.replace(result, statistic=result.statistic * factor, threshold=threshold, null_distribution=null)


def _pairwise(group_sums, sizes, combine) -> np.ndarray:
    """sum_{i<j} combine(mean_ii, mean_jj, mean_ij, n_i, n_j) for a batch of (B, k, k) group sums."""
    means = group_sums / np.outer(sizes, sizes)
    k = len(sizes)
    total = np.zeros(len(group_sums))
    for i in range(k):
        for j in range(i + 1, k):
            total += combine(means[:, i, i], means[:, j, j], means[:, i, j], sizes[i], sizes[j])
    return total


def _matrix_test(samples, matrix, combine, options: Resampling) -> TestResult:
    """The permutation test of a statistic of the group sums of a pooled N x N matrix."""
    sizes = np.array([len(s) for s in samples], dtype=float)
    labels = np.repeat(np.arange(len(samples)), [len(s) for s in samples])
    k, n = len(samples), len(labels)

    def statistics(label_rows):  # (B, N) labels -> (B,) statistics
        b = len(label_rows)
        onehot = np.eye(k)[label_rows]  # (B, N, k)
        product = (matrix @ onehot.transpose(1, 0, 2).reshape(n, b * k)).reshape(n, b, k).transpose(1, 0, 2)
        return _pairwise(np.matmul(onehot.transpose(0, 2, 1), product), sizes, combine)  # S_b = L_b' M L_b

    return _permute(statistics, labels, sizes, options)


def _permute(statistics, labels, sizes, options: Resampling) -> TestResult:
    """Random relabellings of the k group labels (rows of `labels` permuted), in batches."""
    n_resamples, generator = options.n_resamples, options.rng
    observed = float(statistics(labels[None, :])[0])
    per_batch = max(1, _BATCH_ELEMENTS // (len(labels) * len(sizes)))
    null = []
    for start in range(0, n_resamples, per_batch):
        rows = np.tile(labels, (min(per_batch, n_resamples - start), 1))
        null.append(statistics(generator.permuted(rows, axis=1)))
    null = np.concatenate(null)
    return null_result(
        observed,
        null,
        alpha=options.alpha,
        alternative="greater",
        exact=False,
        n_x=int(sizes[0]),
        n_y=int(sizes[1:].sum()),
        test=options.test,
        seed=options.seed,
    )


@register("energy-k", description="k-sample energy (DISCO between-sample)")
def energy_ksample_test(
    x,
    y,
    *samples,
    alpha=0.05,
    n_resamples=999,
    rng=None,
    standardize: bool = False,
    nan_policy: Literal["raise", "propagate", "omit"] = "raise",
) -> TestResult:
    r"""k-sample energy test (DISCO's between-sample statistic), any dimension, permutation null.

    Parameters
    ----------
    x, y, *samples : array_like
        Two or more samples, shape (n_i,) or (n_i, d).
    alpha : float, default 0.05
    n_resamples : int, default 999
        Relabellings of the k group labels.
    rng : None, int, SeedSequence or Generator
    standardize : bool, default False
        Divide each column by its standard deviation in the pooled samples first, so that columns in
        different units weigh alike; the null stays exact (the pooled rows are the same under every
        relabelling). The statistic is then that of the standardized data. Without it, columns whose
        scales differ 100-fold or more give a :class:`~twosample.ColumnScaleWarning`.
    nan_policy : {"raise", "propagate", "omit"}, default "raise"
        Rows that contain a NaN, as in SciPy: ``"raise"``, an error; ``"propagate"``, a
        result with NaN statistic and p-value (``reject=False``) without running the test;
        ``"omit"``, each sample's rows with a NaN are dropped and the test runs on the rest.
        Infinite values are an error under every policy.

    Returns
    -------
    TestResult

    Examples
    --------
    >>> import numpy as np
    >>> from twosample.ksample import energy_ksample_test
    >>> rng = np.random.default_rng(0)
    >>> a, b, c = rng.normal(size=(40, 2)), rng.normal(size=(40, 2)), rng.normal(0.8, 1, size=(40, 2))
    >>> energy_ksample_test(a, b, c, rng=0).reject
    True
    """
    pooled, _ = scaled_columns(_samples(x, y, samples, nan_policy), standardize, "energy_ksample_test")
    options = Resampling.of(energy_ksample_test, alpha=alpha, n_resamples=n_resamples, rng=rng)
    if contains_nan(*pooled):
        return options.nan_result(*pooled)
    pooled, shift = _canonical(pooled)
    distances = pairwise_distances(np.vstack(pooled), np.vstack(pooled))
    n = sum(len(s) for s in pooled)

    def combine(a_ii, a_jj, a_ij, n_i, n_j):
        return n_i * n_j / (2 * n) * (2 * a_ij - a_ii - a_jj)

    return _rescaled(_matrix_test(pooled, distances, combine, options), math.ldexp(1.0, shift))  # degree 1


@register("mmd-k", description="k-sample MMD (Gaussian kernel, median bandwidth)")
def mmd_ksample_test(
    x,
    y,
    *samples,
    alpha=0.05,
    n_resamples=999,
    rng=None,
    standardize: bool = False,
    nan_policy: Literal["raise", "propagate", "omit"] = "raise",
) -> TestResult:
    r"""k-sample MMD test: the sum over pairs of samples of :math:`\frac{n_i n_j}{N}` times their biased
    MMD² (Gaussian kernel, median bandwidth of the pooled rows), permutation null.

    Parameters and returns as in :func:`energy_ksample_test`.
    """
    pooled, _ = scaled_columns(_samples(x, y, samples, nan_policy), standardize, "mmd_ksample_test")
    options = Resampling.of(mmd_ksample_test, alpha=alpha, n_resamples=n_resamples, rng=rng)
    if contains_nan(*pooled):
        return options.nan_result(*pooled)
    # Scale-free and translation invariant (Gaussian kernel, median bandwidth): the kernels' frame, a centre where
    # the data sits far from 0 and a power of two, so squared distances neither cancel nor overflow.
    pooled = [canonical_order(s) for s in pooled]
    centre, shift = kernel_frame(pooled, ("gaussian",))
    pooled = [to_kernel_frame(s, centre, shift) for s in pooled]
    z = np.vstack(pooled)
    bandwidth = median_distance(z, rng=np.random.default_rng(0)) or 1.0  # a fixed subsample when N is large
    gram = np.exp(-squared_distances(z, z, np) / (2 * bandwidth**2))
    n = len(z)

    def combine(k_ii, k_jj, k_ij, n_i, n_j):
        return n_i * n_j / n * (k_ii + k_jj - 2 * k_ij)

    return _matrix_test(pooled, gram, combine, options)


@register("ks-k", description="k-sample Kolmogorov-Smirnov (largest pairwise distance)", multivariate=False)
def ks_ksample_test(
    x, y, *samples, alpha=0.05, n_resamples=999, rng=None, nan_policy: Literal["raise", "propagate", "omit"] = "raise"
) -> TestResult:
    r"""k-sample Kolmogorov-Smirnov-type test in one dimension: the largest pairwise
    :math:`\sqrt{n_i n_j / (n_i + n_j)} \sup_t |F_i(t) - F_j(t)|`, permutation null.

    Parameters and returns as in :func:`energy_ksample_test`.
    """
    pooled = _samples(x, y, samples, nan_policy, univariate=True)
    options = Resampling.of(ks_ksample_test, alpha=alpha, n_resamples=n_resamples, rng=rng)
    if contains_nan(*pooled):
        return options.nan_result(*pooled)
    pooled, _ = _canonical(pooled)  # ranks only: scale-free; sorted rows make ties' order canonical
    z = np.vstack(pooled)[:, 0]
    order = np.argsort(z, kind="stable")
    last_of_tie = np.r_[z[order][1:] != z[order][:-1], True]  # compare CDFs only where the value changes
    sizes = np.array([len(s) for s in pooled], dtype=float)
    k = len(pooled)

    def statistics(label_rows):
        cdf = np.cumsum(np.eye(k)[label_rows[:, order]], axis=1)[:, last_of_tie, :] / sizes  # (B, T, k)
        best = np.zeros(len(label_rows))
        for i in range(k):
            for j in range(i + 1, k):
                scale = np.sqrt(sizes[i] * sizes[j] / (sizes[i] + sizes[j]))
                best = np.maximum(best, scale * np.abs(cdf[:, :, i] - cdf[:, :, j]).max(1))
        return best

    labels = np.repeat(np.arange(k), [len(s) for s in pooled])
    return _permute(statistics, labels, sizes, options)
