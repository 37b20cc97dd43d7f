"""The nulls shared by the classical tests beside the permutation engine: SciPy's analytic nulls on
rescaled data, their stacked (vectorised) form for power studies, and the exact-method choice of
``method=\"auto\"``."""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable

import numpy as np
from scipy import integrate, optimize, special

from twosample.core.resampling import Resampling
from twosample.core.result import TestResult
from twosample.core.validation import (
    check_alpha,
    check_alternative,
    check_samples,
    scale_exponent,
    warn_if_constant,
)

logger = logging.getLogger(__name__)

__all__ = [
    "ASYMPTOTIC_RANK_MIN_N",
    "EXACT_CVM_MAX_N",
    "EXACT_KS_MAX_N",
    "EXACT_MWU_MAX_NM",
    "ASYMPTOTIC_MWU_MIN_N",
    "analytic_result",
    "anderson_limit_isf",
    "anderson_limit_sf",
    "auto_method",
    "stacked_analytic",
    "welch_auto_method",
    "welch_null_terms",
]


def analytic_result(x, y, compute: Callable[[np.ndarray, np.ndarray], tuple], options: Resampling, *, method):
    """Result of an analytic null; `compute(x, y)` returns (statistic, pvalue, threshold).

    Every analytic statistic here (t, Hotelling, and the rank statistics) is
    scale-free, so `compute` gets the samples rescaled by a power of two
    (exact): data near 1e300 or 1e-300 gives the p-value it gives at scale 1. `options` were
    checked by the test (an analytic null does not resample, but a bad value is still an error);
    its level, alternative and name are used.
    """
    if warn_if_constant(np.vstack([x, y])):
        statistic, pvalue, threshold = 0.0, 1.0, np.nan
    else:
        shift = scale_exponent(x, y)
        statistic, pvalue, threshold = compute(np.ldexp(x, -shift), np.ldexp(y, -shift))
    return TestResult.from_analytic(
        statistic=statistic,
        pvalue=pvalue,
        alpha=options.alpha,
        threshold=threshold,
        method=method,
        alternative=options.alternative,
        n_x=len(x),
        n_y=len(y),
        test=options.test,
    )


def _stack_of_univariate(xs, ys):
    """Repetitions as two float arrays (R, n) and (R, m), validated once; (None, None) if not stackable.

    Takes the power engine's stacks (R, n, 1) or lists of samples. A stack whose samples are not
    univariate or not finite goes back to the one-by-one path, where the test's own checks
    name the problem.
    """
    if isinstance(xs, np.ndarray) and isinstance(ys, np.ndarray) and xs.ndim == ys.ndim == 3:
        if xs.shape[2] != 1 or ys.shape[2] != 1 or xs.shape[1] < 2 or ys.shape[1] < 2:
            return None, None
        a, b = xs[:, :, 0].astype(float), ys[:, :, 0].astype(float)
        if not (np.isfinite(a).all() and np.isfinite(b).all()):
            return None, None
        return a, b
    pairs = [check_samples(x, y, univariate=True) for x, y in zip(xs, ys)]
    if len({(p.shape, q.shape) for p, q in pairs}) != 1:
        return None, None
    return np.stack([p[0][:, 0] for p in pairs]), np.stack([p[1][:, 0] for p in pairs])


def stacked_analytic(test: Callable, scipy_pvalues: Callable, methods: tuple) -> Callable:
    """The test's p-values over a stack of repetitions in one SciPy call (declared in the registry).

    The returned ``stacked(xs, ys, *, alpha, rngs, **kwargs)`` receives R pairs of
    samples of equal shapes and returns their R p-values, equal to
    ``[test(x, y, alpha=alpha, rng=r, **kwargs).pvalue ...]``, or ``None`` when
    these `kwargs` select a null it does not vectorise (the caller then runs
    the test once per repetition). Used by :func:`twosample.power`: SciPy's
    analytic nulls take an ``axis``, so 1,000 repetitions cost one call.
    Validation is the test's own; constant repetitions take the unbatched path
    (warning and p = 1 as usual).
    """

    def stacked(xs, ys, *, alpha, rngs, **kwargs):
        if not set(kwargs) <= {"method", "alternative"} or kwargs.get("method") not in methods:
            return None
        check_alpha(alpha)
        check_alternative(kwargs.get("alternative", "two-sided"))
        a, b = _stack_of_univariate(xs, ys)
        if a is None:
            return None
        pooled = np.concatenate([a, b], axis=1)
        constant = np.all(pooled == pooled[:, :1], axis=1)
        pvalues = np.empty(len(a))
        if not constant.all():
            pvalues[~constant] = scipy_pvalues(a[~constant], b[~constant], **kwargs)
        for i in np.flatnonzero(constant):  # same warning and p = 1 as the unbatched path
            pvalues[i] = test(xs[i], ys[i], alpha=alpha, rng=rngs[i], **kwargs).pvalue
        return pvalues

    return stacked


# The power engine's vectorised paths (declared with the tests below; the tests are looked up at call time).


def auto_method(x, y, method: str, exact_feasible: bool, asymptotic_min_n: int | None = None) -> str:
    """``method="auto"``: SciPy's exact null when it is exact for this data (no ties) and cheap; else
    SciPy's asymptotic null where its measured error is below the Monte Carlo error of the default
    permutation null (no ties and both samples at least `asymptotic_min_n`; None: never); else the
    permutation null."""
    if method != "auto":
        return method
    pooled = np.concatenate([x[:, 0], y[:, 0]])
    ties = len(np.unique(pooled)) < len(pooled)
    if exact_feasible and not ties:
        chosen = "exact"
    elif asymptotic_min_n is not None and not ties and min(len(x), len(y)) >= asymptotic_min_n:
        chosen = "asymptotic"
    else:
        chosen = "permutation"
    logger.debug("method='auto' took the %s null (n = %d, m = %d, ties: %s)", chosen, len(x), len(y), ties)
    return chosen


def welch_null_terms(x, y) -> tuple[float, float]:
    """(skew_term, kurt_term): how far the relabelled Welch t of this pooled sample is from normal.

    The Edgeworth corrections of a mean difference's permutation distribution (sampling without
    replacement) are of order ``|g1| |n - m| / sqrt(n m N)`` (skewness g1 of the pooled sample;
    zero for equal sizes, where relabelling makes the statistic symmetric) and ``|g2| N / (n m)``
    (excess kurtosis g2). ``method="auto"`` of :func:`~twosample.t_test` takes SciPy's analytic null
    only where both are small (the rule and its table: benchmarks/studies/bench_t_null.py).
    """
    n, m = len(x), len(y)
    z = np.concatenate([np.ravel(x), np.ravel(y)])
    d = z - z.mean()
    s2 = float(np.mean(d**2))
    if s2 == 0.0:
        return 0.0, 0.0
    g1 = float(np.mean(d**3)) / s2**1.5
    g2 = float(np.mean(d**4)) / s2**2 - 3.0
    total = n + m
    return abs(g1) * abs(n - m) / np.sqrt(n * m * total), abs(g2) * total / (n * m)


def hotelling_null_terms(x, y) -> tuple[float, float]:
    """(skew_term, kurt_term) of :func:`welch_null_terms` for Hotelling's T², by Mardia's moments.

    Mardia's multivariate skewness b1 and kurtosis b2 of the pooled sample replace g1² and g2 + 3
    (to which they reduce at d = 1): ``sqrt(b1) |n - m| / sqrt(n m N)`` and ``|b2 - d (d + 2)| N / (n m)``.
    b1 is the squared norm of the whitened third-moment tensor (O(N d³), not Mardia's O(N² d) double sum);
    constant columns are left out. (0, 0) when no column varies.
    """
    n, m = len(x), len(y)
    pooled = np.vstack([np.asarray(x, float).reshape(n, -1), np.asarray(y, float).reshape(m, -1)])
    centred = pooled - pooled.mean(axis=0)
    centred = centred[:, centred.std(axis=0) > 0]
    total, d = centred.shape
    if d == 0:
        return 0.0, 0.0
    # whiten by the biased covariance (Mardia's convention): z_i' z_j = d_i' S^-1 d_j
    q, _ = np.linalg.qr(centred / np.sqrt(total))
    z = q * np.sqrt(total)
    third = np.einsum("ia,ib,ic->abc", z, z, z, optimize=True) / total
    b1 = float(np.sum(third**2))
    b2 = float(np.mean(np.sum(z**2, axis=1) ** 2))
    skew_term = np.sqrt(b1) * abs(n - m) / np.sqrt(n * m * total)
    return float(skew_term), abs(b2 - d * (d + 2)) * total / (n * m)


# method="auto" of t_test takes SciPy's analytic (Welch) null only where benchmarks/studies/bench_t_null.py
# measured it at least as accurate as 9,999 relabellings at the same p-value: untied samples of at least 500
# rows each whose Edgeworth terms are small (every measured sample inside these bounds: error at most 0.64
# of that Monte Carlo sd, reference noise included; t3 at 1,000 x 1,000 with a kurtosis term of 0.09 was at 1.25).
T_ANALYTIC_MIN_N = 500
T_MAX_SKEW_TERM = 0.01
T_MAX_KURT_TERM = 0.05


def welch_auto_method(x, y) -> str:
    """``method="auto"`` of :func:`~twosample.t_test`: ``"analytic"`` where SciPy's Welch null is as accurate as
    the default permutation null (untied, at least T_ANALYTIC_MIN_N rows each, small
    :func:`welch_null_terms`), else ``"permutation"``."""
    pooled = np.concatenate([np.ravel(x), np.ravel(y)])
    chosen = "permutation"
    if min(len(x), len(y)) >= T_ANALYTIC_MIN_N and len(np.unique(pooled)) == len(pooled):
        skew_term, kurt_term = welch_null_terms(x, y)
        if skew_term <= T_MAX_SKEW_TERM and kurt_term <= T_MAX_KURT_TERM:
            chosen = "analytic"
    logger.debug("t_test: method='auto' took the %s null (n = %d, m = %d)", chosen, len(x), len(y))
    return chosen


# method="auto" of hotelling_test takes the F null only where benchmarks/studies/bench_hotelling_null.py
# measured it at least as accurate as 9,999 relabellings at the same p-value: at least 200 rows a sample,
# at most 10 columns (the sizes and dimensions measured) and small Mardia terms (hotelling_null_terms). Every
# measured sample inside these bounds (77: normal and five-level samples, one exponential) was within 1.01 MC sds
# of the reference (whose own noise is 0.32 of that sd); a kurtosis term of 0.09 (t3, 1,000 x 1,000) gave 1.36,
# and heavy tails at every size measured up to 4.7. Ties alone did not hurt (five levels: at most 0.78).
HOTELLING_F_MIN_N = 200
HOTELLING_F_MAX_D = 10
HOTELLING_MAX_SKEW_TERM = 0.05
HOTELLING_MAX_KURT_TERM = 0.02


def hotelling_auto_method(x, y) -> str:
    """``method="auto"`` of :func:`~twosample.hotelling_test`: ``"analytic"`` (the F null) where it was
    measured as accurate as the default permutation null (at least HOTELLING_F_MIN_N rows each, at most
    HOTELLING_F_MAX_D columns, small :func:`hotelling_null_terms`), else ``"permutation"``."""
    chosen = "permutation"
    d = x.shape[1]
    if min(len(x), len(y)) >= HOTELLING_F_MIN_N and d <= HOTELLING_F_MAX_D:
        skew_term, kurt_term = hotelling_null_terms(x, y)
        if skew_term <= HOTELLING_MAX_SKEW_TERM and kurt_term <= HOTELLING_MAX_KURT_TERM:
            chosen = "analytic"
    logger.debug("hotelling_test: method='auto' took the %s null (n = %d, m = %d, d = %d)", chosen, len(x), len(y), d)
    return chosen


# Largest sizes at which SciPy's exact nulls are used by method="auto" (their cost grows fast:
# measured 0.1 s for Mann-Whitney at 200 x 200 and 62 s at 1,000 x 1,000; 0.016 s for CvM at
# 20 x 20 and 112 s at 100 x 100; KS is SciPy's own limit).
EXACT_KS_MAX_N = 10_000
EXACT_MWU_MAX_NM = 40_000
EXACT_CVM_MAX_N = 20
# Smallest size at which method="auto" takes Mann-Whitney's asymptotic null (untied data beyond the
# exact null's limit): its largest error against the exact null for p >= 0.001 is 0.0017 at n = m = 50
# and 0.0004 at 200, below the 0.0022 standard error of 9,999 relabellings at p = 0.05
# (benchmarks/studies/bench_rank_nulls.py). With ties it is 0.002-0.003 near p = 0.1 at every size
# measured (50-500, seven levels), no better than the permutation null, so tied data keep that.
ASYMPTOTIC_MWU_MIN_N = 50
# The same for Cramer-von Mises (SciPy's asymptotic null, with Anderson's 1962 finite-sample mean and
# variance) and Anderson-Darling (the limiting law, anderson_limit_sf): untied samples of at least
# this many rows each (benchmarks/studies/bench_rank_nulls.py; docs/classical.md).
ASYMPTOTIC_RANK_MIN_N = 200


def anderson_limit_sf(a2: float) -> float:
    r"""P(A > a2) for the limiting null law of the two-sample Anderson-Darling :math:`A^2`.

    For two samples the law of :math:`A^2_{kN}` (Scholz and Stephens 1987) tends to that of the
    one-sample statistic, :math:`\sum_{j \ge 1} \chi^2_{1,j} / (j(j+1))` (mean 1, as
    :math:`A^2_{kN}`'s for every N). Its distribution function is Anderson and Darling's (1954)
    series, each term a one-dimensional integral (the evaluation Marsaglia and Marsaglia 2004
    checked to 1e-7), accurate here to about 1e-13 in absolute terms. Beyond ``a2 = 20``
    (p < 5e-10), where ``1 - F`` would lose its relative accuracy, the tail's expansion
    :math:`\sqrt 3\,\mathrm{erfc}(\sqrt z)\,(1 + 11/(36 z))` is used (the largest weight, 1/2, times
    :math:`\prod_{j \ge 2} (1 - 2\lambda_j)^{-1/2} = \sqrt 3`; relative error under 1e-3 there).
    SciPy's :func:`~scipy.stats.anderson_ksamp` interpolates a table instead, floored at 0.001 and
    capped at 0.25.
    """
    z = float(a2)
    if z <= 0.0:
        return 1.0
    if z > 20.0:
        return float(math.sqrt(3.0) * special.erfc(math.sqrt(z)) * (1.0 + 11.0 / (36.0 * z)))
    total = 0.0
    for j in range(60):
        c = 4 * j + 1
        a = c * c * math.pi**2 / (8.0 * z)
        if a > 745.0:  # exp(-a) underflows: every further term is 0
            break
        integral, _ = integrate.quad(
            lambda w, a=a: math.exp(z / (8.0 * (w * w + 1.0)) - a * w * w), 0.0, math.inf, epsabs=1e-15, epsrel=1e-12
        )
        term = special.binom(-0.5, j) * c * math.exp(-a) * integral
        total += term
        if abs(term) < 1e-17:
            break
    return float(min(1.0, max(0.0, 1.0 - math.sqrt(2.0 * math.pi) / z * total)))


@functools.lru_cache(maxsize=64)
def anderson_limit_isf(alpha: float) -> float:
    """The value the limiting Anderson-Darling law exceeds with probability `alpha` (cached: the
    law does not depend on the sizes, so a level's quantile is solved for once)."""
    return float(optimize.brentq(lambda z: anderson_limit_sf(z) - alpha, 1e-3, 200.0, xtol=1e-12))
