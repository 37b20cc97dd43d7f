"""Classical tests for samples of any dimension: means, (mean, variance), moments, energy, Hotelling."""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy import stats

from twosample.classical._nulls import analytic_result, hotelling_auto_method
from twosample.classical.statistics import (
    EnergyDistance,
    HotellingT2,
    MeanDifference,
    MeanVariance,
    Moments,
)
from twosample.core.resampling import Resampling
from twosample.core.result import TestResult
from twosample.core.scaling import scaled_columns
from twosample.core.spec import choices, register
from twosample.core.validation import (
    check_choice,
    check_samples,
    contains_nan,
)

__all__ = ["energy_test", "hotelling_test", "mean_difference_test", "mean_variance_test", "moments_test"]


@register("mean", description="norm of the difference of means")
def mean_difference_test(
    x,
    y,
    *,
    alpha=0.05,
    n_resamples=9999,
    batch=None,
    rng=None,
    early_stop=False,
    nan_policy: Literal["raise", "propagate", "omit"] = "raise",
) -> TestResult:
    r"""Difference-of-means test, :math:`\hat t = \|\bar x - \bar y\|_2`, permutation null.

    Parameters
    ----------
    x, y : array_like, shape (n,) / (n, d) and (m,) / (m, d)
        The two samples.
    alpha : float, default 0.05
        Level.
    n_resamples : int, default 9999
        Random relabellings (all splits are enumerated when there are fewer).
    batch : int, optional
        Relabellings evaluated at once; does not change the result.
    rng : None, int, SeedSequence or Generator
        Source of randomness.
    early_stop : bool, default False
        Stop relabelling once the decision at `alpha` is known (sequential Monte
        Carlo p-values with exact level; see :func:`twosample.permutation_test`).
        One-sided alternatives only.
    nan_policy : {"raise", "propagate", "omit"}, default "raise"
        Rows that contain a NaN, as in SciPy: ``"raise"``, an error; ``"propagate"``, a
        result with NaN statistic and p-value (``reject=False``) without running the test;
        ``"omit"``, each sample's rows with a NaN are dropped and the test runs on the rest.
        Infinite values are an error under every policy.

    Returns
    -------
    TestResult

    Notes
    -----
    The statistic of the textbook chapter. It has power only against a change of
    mean: on Gaussian vs variance-matched Laplace samples it rejects at rate
    about ``alpha`` whatever the sample size.

    Examples
    --------
    >>> import numpy as np
    >>> from twosample import mean_difference_test
    >>> rng = np.random.default_rng(0)
    >>> res = mean_difference_test(rng.normal(0, 1, 100), rng.normal(0.5, 1, 100), rng=0)
    >>> res.reject, res.method
    (True, 'permutation')
    """
    x, y = check_samples(x, y, nan_policy=nan_policy)
    options = Resampling.of(
        mean_difference_test, alpha=alpha, n_resamples=n_resamples, batch=batch, rng=rng, early_stop=early_stop
    )
    if contains_nan(x, y):
        return options.nan_result(x, y)
    return options.run(x, y, MeanDifference())


@register("meanvar", description="difference of the (mean, variance) vectors")
def mean_variance_test(
    x,
    y,
    *,
    alpha=0.05,
    n_resamples=9999,
    batch=None,
    rng=None,
    early_stop=False,
    nan_policy: Literal["raise", "propagate", "omit"] = "raise",
) -> TestResult:
    r"""Test on the vector of per-sample (mean, variance), permutation null.

    The statistic is the squared norm of the difference of the two (mean,
    variance) vectors, each column standardised by the pooled standard
    deviation :math:`s_j` (means divided by :math:`s_j`, variances by
    :math:`s_j^2`); see :class:`twosample.classical.statistics.MeanVariance`.

    Parameters
    ----------
    x, y : array_like
        The two samples, shape (n,) or (n, d).
    alpha, n_resamples, batch, rng, early_stop
        As in :func:`mean_difference_test`.
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
    >>> from twosample import mean_variance_test
    >>> rng = np.random.default_rng(0)
    >>> mean_variance_test(rng.normal(0, 1, 200), rng.normal(0, 2, 200), rng=0).reject
    True
    """
    x, y = check_samples(x, y, nan_policy=nan_policy)
    options = Resampling.of(
        mean_variance_test, alpha=alpha, n_resamples=n_resamples, batch=batch, rng=rng, early_stop=early_stop
    )
    if contains_nan(x, y):
        return options.nan_result(x, y)
    return options.run(x, y, MeanVariance())


@register("moments", description="difference of the first k standardised moments")
def moments_test(
    x,
    y,
    *,
    order=4,
    alpha=0.05,
    n_resamples=9999,
    batch=None,
    rng=None,
    early_stop=False,
    nan_policy: Literal["raise", "propagate", "omit"] = "raise",
) -> TestResult:
    r"""Test on the vector of the first ``order`` standardised moments, permutation null.

    Parameters
    ----------
    x, y : array_like
        The two samples, shape (n,) or (n, d).
    order : int, default 4
        Highest moment compared; see :class:`twosample.classical.statistics.Moments`.
    alpha, n_resamples, batch, rng, early_stop
        As in :func:`mean_difference_test`.
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
    >>> from twosample import moments_test
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=5000)
    >>> y = rng.laplace(scale=1 / np.sqrt(2), size=5000)  # same mean and variance
    >>> moments_test(x, y, order=2, n_resamples=999, rng=0).pvalue  # blind to the difference
    0.816
    >>> moments_test(x, y, order=4, n_resamples=999, rng=0).pvalue  # the kurtosis differs
    0.005
    """
    x, y = check_samples(x, y, nan_policy=nan_policy)
    options = Resampling.of(
        moments_test, alpha=alpha, n_resamples=n_resamples, batch=batch, rng=rng, early_stop=early_stop
    )
    statistic = Moments(order)
    if contains_nan(x, y):
        return options.nan_result(x, y)
    return options.run(x, y, statistic)


@register("energy", description="energy distance")
def energy_test(
    x,
    y,
    *,
    alpha=0.05,
    n_resamples=9999,
    batch=None,
    rng=None,
    early_stop=False,
    standardize: bool = False,
    nan_policy: Literal["raise", "propagate", "omit"] = "raise",
) -> TestResult:
    r"""Energy-distance test (Székely and Rizzo 2004), any dimension, permutation null.

    The statistic is :math:`\frac{nm}{n+m}(2E\|X-Y\| - E\|X-X'\| - E\|Y-Y'\|)`
    (V-statistics; see :class:`twosample.classical.statistics.EnergyDistance`). Memory
    and time per relabelling are :math:`O((n+m)^2)`.

    Parameters
    ----------
    x, y : array_like
        The two samples, shape (n,) or (n, d).
    alpha, n_resamples, batch, rng, early_stop
        As in :func:`mean_difference_test`.
    standardize : bool, default False
        Divide each column by its standard deviation in the pooled sample first, so that columns in
        different units (age in years, income in dollars) weigh alike; the null stays exact (the
        pooled sample is the same under every relabelling). The statistic is then the energy distance of the
        standardized data. Without it, columns whose scales
        differ 100-fold or more give a :class:`~twosample.ColumnScaleWarning`.
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
    >>> from twosample import energy_test
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.normal(size=(80, 3)), rng.normal(0.4, 1, size=(80, 3))
    >>> res = energy_test(x, y, n_resamples=999, rng=0)
    >>> round(res.statistic, 3), res.pvalue, res.reject
    (8.989, 0.001, True)
    """
    labels = getattr(x, "columns", None)  # a DataFrame's: the warning names them
    (x, y), _ = scaled_columns(check_samples(x, y, nan_policy=nan_policy), standardize, "energy_test", labels)
    options = Resampling.of(
        energy_test, alpha=alpha, n_resamples=n_resamples, batch=batch, rng=rng, early_stop=early_stop
    )
    if contains_nan(x, y):
        return options.nan_result(x, y)
    return options.run(x, y, EnergyDistance())


@register("hotelling", description="Hotelling's T^2")
def hotelling_test(
    x,
    y,
    *,
    method: Literal["auto", "permutation", "analytic"] = "auto",
    alpha=0.05,
    n_resamples=9999,
    batch=None,
    rng=None,
    early_stop=False,
    nan_policy: Literal["raise", "propagate", "omit"] = "raise",
) -> TestResult:
    r"""Hotelling's two-sample :math:`T^2` test (multivariate difference of means).

    The permutation null of :math:`T^2` is exact under H0: p = q (Monte Carlo with 9,999
    relabellings); the F null is exact for normal data with equal covariances and approximates
    the permutation null elsewhere. ``method="auto"`` (the default) takes the F null only where it
    was measured at least as accurate as the Monte Carlo one: at least 200 rows a sample, at most
    10 columns, and small multivariate skewness and kurtosis terms
    (:func:`twosample.classical._nulls.hotelling_null_terms`; the rule and its table are in the
    docs' classical tests page); elsewhere (heavy tails, say) the permutation null.
    ``result.method`` says which.

    Parameters
    ----------
    x, y : array_like
        The two samples, shape (n, d) and (m, d), with ``n + m - 1 > d``.
    method : {"auto", "permutation", "analytic"}, default "auto"
        ``"analytic"``: under normality with equal covariances
        :math:`\frac{N-d-1}{d(N-2)} T^2 \sim F(d, N-d-1)`; the threshold is
        the F quantile mapped back to the :math:`T^2` scale. ``"auto"`` chooses between it
        and ``"permutation"`` as said above.
    alpha, n_resamples, batch, rng, early_stop
        As in :func:`mean_difference_test`.
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
    >>> from twosample import hotelling_test
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.normal(size=(50, 4)), rng.normal(size=(60, 4)) + [0.8, 0, 0, 0]
    >>> hotelling_test(x, y, method="analytic").reject
    True
    """
    x, y = check_samples(x, y, nan_policy=nan_policy)
    options = Resampling.of(
        hotelling_test, alpha=alpha, n_resamples=n_resamples, batch=batch, rng=rng, early_stop=early_stop
    )
    check_choice(method, "method", choices(hotelling_test, "method"))
    if contains_nan(x, y):
        return options.nan_result(x, y, method=method)
    statistic = HotellingT2()
    if method == "auto":
        method = hotelling_auto_method(x, y)
    if method == "permutation":
        return options.run(x, y, statistic)

    def compute(x, y):
        t2 = statistic(x, y)
        n_total = len(x) + len(y)
        d = int((np.vstack([x, y]).std(axis=0) > 0).sum())
        scale = (n_total - d - 1) / (d * (n_total - 2))
        pvalue = stats.f.sf(scale * t2, d, n_total - d - 1)
        threshold = stats.f.isf(alpha, d, n_total - d - 1) / scale
        return t2, pvalue, threshold

    return analytic_result(x, y, compute, options, method="analytic")
