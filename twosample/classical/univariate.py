"""Classical tests for one-dimensional samples: Welch's t, Kolmogorov-Smirnov, Cramer-von Mises,
Anderson-Darling, Mann-Whitney and the Wasserstein-1 distance."""

from __future__ import annotations

import dataclasses
import inspect
from typing import Literal

import numpy as np
from scipy import stats

from twosample.classical._nulls import (
    ASYMPTOTIC_MWU_MIN_N,
    ASYMPTOTIC_RANK_MIN_N,
    EXACT_CVM_MAX_N,
    EXACT_KS_MAX_N,
    EXACT_MWU_MAX_NM,
    analytic_result,
    anderson_limit_isf,
    anderson_limit_sf,
    auto_method,
    stacked_analytic,
    welch_auto_method,
)
from twosample.classical.statistics import (
    AndersonDarling,
    CramerVonMises,
    KolmogorovSmirnov,
    MannWhitneyU,
    Wasserstein1,
    WelchT,
    anderson_standardisation,
)
from twosample.core.resampling import Resampling
from twosample.core.result import TestResult
from twosample.core.spec import choices, register
from twosample.core.validation import (
    check_choice,
    check_samples,
    contains_nan,
)

__all__ = [
    "anderson_test",
    "cvm_test",
    "ks_test",
    "mannwhitney_test",
    "scipy_anderson_midrank",
    "t_test",
    "wasserstein_test",
]


_T_STACKED = stacked_analytic(
    lambda *args, **kwargs: t_test(*args, **kwargs),
    lambda a, b, *, method, alternative="two-sided": (
        stats.ttest_ind(a, b, axis=1, equal_var=False, alternative=alternative).pvalue
    ),
    ("analytic",),
)
_MWU_STACKED = stacked_analytic(
    lambda *args, **kwargs: mannwhitney_test(*args, **kwargs),
    lambda a, b, *, method, alternative="two-sided": (
        stats.mannwhitneyu(a, b, axis=1, alternative=alternative, method=method).pvalue
    ),
    ("exact", "asymptotic"),
)


@register("t", description="Welch's t", multivariate=False, stacked=_T_STACKED)
def t_test(
    x,
    y,
    *,
    alternative: Literal["two-sided", "greater", "less"] = "two-sided",
    method: Literal["auto", "permutation", "analytic"] = "auto",
    alpha=0.05,
    n_resamples=9999,
    batch=None,
    rng=None,
    early_stop=False,
    nan_policy: Literal["raise", "propagate", "omit"] = "raise",
) -> TestResult:
    r"""Welch's t-test for 1-D samples: the permutation null, or SciPy's where it is as accurate (``method="auto"``).

    The permutation distribution of Welch's t is exact under H0: p = q (Monte Carlo with 9,999
    relabellings); SciPy's ``ttest_ind(equal_var=False)`` (Student's t with Welch-Satterthwaite
    degrees of freedom, ``method="analytic"``) approximates it, several hundred times faster at
    n = m = 5,000. ``method="auto"`` (the default) takes SciPy's null only where it was measured at
    least as accurate as the Monte Carlo one: untied samples of at least 500 rows each whose pooled
    skewness and kurtosis terms are small (:func:`twosample.classical._nulls.welch_null_terms`;
    the rule and its table are in the docs' classical tests page). Below 500 rows, with ties, or
    with heavy tails, its error was up to 10-50 times the Monte Carlo one, and the permutation null
    is kept. ``result.method`` says which null was used.

    Parameters
    ----------
    x, y : array_like, shape (n,) and (m,)
        The two samples.
    alternative : {"two-sided", "greater", "less"}, default "two-sided"
        ``"greater"``: the mean of p exceeds the mean of q.
    method : {"auto", "permutation", "analytic"}, default "auto"
        ``"analytic"`` uses Student's t with Welch-Satterthwaite degrees of
        freedom, through :func:`scipy.stats.ttest_ind` (``equal_var=False``);
        ``"auto"`` chooses between it and ``"permutation"`` as said above.
    alpha, n_resamples, batch, rng, early_stop
        As in :func:`mean_difference_test` (the last three are unused by the
        analytic null).
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
    >>> from twosample import t_test
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.normal(0, 1, 40), rng.normal(1, 3, 60)
    >>> t_test(x, y, method="analytic").method
    'analytic'
    """
    x, y = check_samples(x, y, univariate=True, nan_policy=nan_policy)
    options = Resampling.of(
        t_test,
        alpha=alpha,
        n_resamples=n_resamples,
        batch=batch,
        rng=rng,
        early_stop=early_stop,
        alternative=alternative,
    )
    check_choice(method, "method", choices(t_test, "method"))
    if contains_nan(x, y):
        return options.nan_result(x, y, method=method)
    if method == "auto":
        method = welch_auto_method(x, y)
    if method == "permutation":
        return options.run(x, y, WelchT())

    def compute(x, y):
        res = stats.ttest_ind(x[:, 0], y[:, 0], equal_var=False, alternative=alternative)
        df = float(res.df)
        if alternative == "greater":
            threshold = stats.t.isf(alpha, df)
        elif alternative == "less":
            threshold = stats.t.ppf(alpha, df)
        else:
            upper = stats.t.isf(alpha / 2, df)
            threshold = (-upper, upper)
        return res.statistic, res.pvalue, threshold

    return analytic_result(x, y, compute, options, method="analytic")


@register("ks", description="Kolmogorov-Smirnov", multivariate=False)
def ks_test(
    x,
    y,
    *,
    alternative: Literal["two-sided", "greater", "less"] = "two-sided",
    method: Literal["auto", "permutation", "exact", "asymptotic"] = "auto",
    alpha=0.05,
    n_resamples=9999,
    batch=None,
    rng=None,
    early_stop=False,
    nan_policy: Literal["raise", "propagate", "omit"] = "raise",
) -> TestResult:
    r"""Kolmogorov-Smirnov test, :math:`\hat t = \sup |F_x - F_y|` (two-sided).

    Parameters
    ----------
    x, y : array_like, shape (n,) and (m,)
        The two samples.
    alternative : {"two-sided", "greater", "less"}, default "two-sided"
        As in :func:`scipy.stats.ks_2samp`: ``"greater"`` is the alternative
        that :math:`F_x > F_y` somewhere (statistic :math:`D^+ = \max(F_x - F_y)`,
        reject when large); ``"less"`` that :math:`F_x < F_y` somewhere
        (statistic :math:`\min(F_x - F_y) = -D^-`, reject when small; SciPy
        reports :math:`D^-`, the same number without the sign).
    method : {"auto", "permutation", "exact", "asymptotic"}, default "auto"
        ``"auto"``: SciPy's exact null when it is exact for the data (no ties)
        and both sizes are at most 10,000 (SciPy's own limit), else the
        permutation null. ``"exact"`` and ``"asymptotic"`` are the nulls of
        :func:`scipy.stats.ks_2samp` (for continuous data; the exact one is
        conservative with ties). The asymptotic two-sided threshold is
        ``scipy.stats.kstwo.isf(alpha, round(n m / (n + m)))``; the exact null
        has no quantile function in SciPy, so its threshold is ``nan``.
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
        ``method`` says which null was used.

    Examples
    --------
    >>> import numpy as np
    >>> from twosample import ks_test
    >>> rng = np.random.default_rng(0)
    >>> res = ks_test(rng.normal(size=8), rng.normal(size=7))
    >>> res.method
    'exact'
    """
    x, y = check_samples(x, y, univariate=True, nan_policy=nan_policy)
    options = Resampling.of(
        ks_test,
        alpha=alpha,
        n_resamples=n_resamples,
        batch=batch,
        rng=rng,
        early_stop=early_stop,
        alternative=alternative,
    )
    check_choice(method, "method", choices(ks_test, "method"))
    if contains_nan(x, y):
        return options.nan_result(x, y, method=method)
    method = auto_method(x, y, method, max(len(x), len(y)) <= EXACT_KS_MAX_N)
    if method == "permutation":
        # D+ is large and -D- small when the alternative holds; the two-sided D is large
        towards = options.towards("less" if alternative == "less" else "greater")
        res = towards.run(x, y, KolmogorovSmirnov(alternative))
        return dataclasses.replace(res, alternative=alternative)

    def compute(x, y):
        res = stats.ks_2samp(
            x[:, 0], y[:, 0], alternative=alternative, method="exact" if method == "exact" else "asymp"
        )
        n_x, n_y = len(x), len(y)
        threshold = np.nan
        if method == "asymptotic" and alternative == "two-sided":
            threshold = stats.kstwo.isf(alpha, round(n_x * n_y / (n_x + n_y)))
        return (-res.statistic if alternative == "less" else res.statistic), res.pvalue, threshold

    return analytic_result(x, y, compute, options, method=method)


@register("cvm", description="Cramer-von Mises", multivariate=False)
def cvm_test(
    x,
    y,
    *,
    method: Literal["auto", "permutation", "exact", "asymptotic"] = "auto",
    alpha=0.05,
    n_resamples=9999,
    batch=None,
    rng=None,
    early_stop=False,
    nan_policy: Literal["raise", "propagate", "omit"] = "raise",
) -> TestResult:
    r"""Two-sample Cramér-von Mises test.

    Parameters
    ----------
    x, y : array_like, shape (n,) and (m,)
        The two samples.
    method : {"auto", "permutation", "exact", "asymptotic"}, default "auto"
        ``"auto"``: SciPy's exact null when it is exact for the data (no ties)
        and both sizes are at most 20 (beyond, its enumeration takes minutes:
        112 s at 100 x 100); for untied samples of at least 200 rows each, the
        asymptotic null (its error against a 10^6-relabelling reference is
        below the Monte Carlo error of 9,999 relabellings there; the table is in
        docs/classical.md); else (ties, or smaller samples) the permutation
        null. ``"exact"`` and ``"asymptotic"`` are the nulls of
        :func:`scipy.stats.cramervonmises_2samp` (the asymptotic one with
        Anderson's finite-sample mean and variance; threshold ``nan``: SciPy
        offers no quantile function).
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
    >>> from twosample import cvm_test
    >>> rng = np.random.default_rng(0)
    >>> cvm_test(rng.normal(size=60), rng.normal(1, 1, size=60), rng=0).reject
    True
    """
    x, y = check_samples(x, y, univariate=True, nan_policy=nan_policy)
    options = Resampling.of(cvm_test, alpha=alpha, n_resamples=n_resamples, batch=batch, rng=rng, early_stop=early_stop)
    check_choice(method, "method", choices(cvm_test, "method"))
    if contains_nan(x, y):
        return options.nan_result(x, y, method=method)
    method = auto_method(x, y, method, max(len(x), len(y)) <= EXACT_CVM_MAX_N, ASYMPTOTIC_RANK_MIN_N)
    if method == "permutation":
        return options.run(x, y, CramerVonMises())

    def compute(x, y):
        res = stats.cramervonmises_2samp(x[:, 0], y[:, 0], method=method)
        return res.statistic, res.pvalue, np.nan

    return analytic_result(x, y, compute, options, method=method)


def scipy_anderson_midrank(x, y):
    """:func:`scipy.stats.anderson_ksamp`, midrank version, across SciPy's API change.

    SciPy 1.17 replaced ``midrank=True`` by ``variant="midrank"``.
    """
    if "variant" in inspect.signature(stats.anderson_ksamp).parameters:
        return stats.anderson_ksamp([x, y], variant="midrank")
    return stats.anderson_ksamp([x, y], midrank=True)


@register("ad", description="Anderson-Darling (k-sample, midrank)", multivariate=False)
def anderson_test(
    x,
    y,
    *,
    method: Literal["auto", "permutation", "asymptotic", "table"] = "auto",
    alpha=0.05,
    n_resamples=9999,
    batch=None,
    rng=None,
    early_stop=False,
    nan_policy: Literal["raise", "propagate", "omit"] = "raise",
) -> TestResult:
    r"""Two-sample Anderson-Darling test (Scholz and Stephens, midrank version).

    Parameters
    ----------
    x, y : array_like, shape (n,) and (m,)
        The two samples.
    method : {"auto", "permutation", "asymptotic", "table"}, default "auto"
        ``"asymptotic"``: the limiting law of :math:`A^2`,
        :math:`\sum_j \chi^2_{1,j} / (j(j+1))`, evaluated by Anderson and Darling's series
        (:func:`~twosample.classical._nulls.anderson_limit_sf`), with its threshold.
        ``"table"``: the interpolated table of :func:`scipy.stats.anderson_ksamp`, whose p-value
        is floored at 0.001 and capped at 0.25 (SciPy warns when it is; threshold ``nan``).
        ``"auto"``: the asymptotic null for untied samples of at least 200 rows each (its error
        against a 10^6-relabelling reference is below the Monte Carlo error of 9,999 relabellings
        there; the table is in docs/classical.md), else the permutation null.
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
        The statistic is SciPy's standardised :math:`(A^2 - 1)/\sigma_N`.

    Examples
    --------
    >>> import numpy as np
    >>> from twosample import anderson_test
    >>> rng = np.random.default_rng(0)
    >>> anderson_test(rng.normal(size=60), rng.normal(1, 1, size=60), rng=0).reject
    True
    """
    x, y = check_samples(x, y, univariate=True, nan_policy=nan_policy)
    options = Resampling.of(
        anderson_test, alpha=alpha, n_resamples=n_resamples, batch=batch, rng=rng, early_stop=early_stop
    )
    check_choice(method, "method", choices(anderson_test, "method"))
    if contains_nan(x, y):
        return options.nan_result(x, y, method=method)
    method = auto_method(x, y, method, False, ASYMPTOTIC_RANK_MIN_N)
    if method == "permutation":
        return options.run(x, y, AndersonDarling())
    return analytic_result(x, y, _anderson_null(method, options.alpha), options, method=method)


def _anderson_null(method: str, alpha: float):
    """`compute(x, y)` for :func:`analytic_result`: SciPy's statistic with the limiting law or SciPy's table."""

    def compute(x, y):
        res = scipy_anderson_midrank(x[:, 0], y[:, 0])
        if method == "table":
            return res.statistic, res.pvalue, np.nan
        _, sd = anderson_standardisation(len(x), len(y))
        threshold = (anderson_limit_isf(alpha) - 1.0) / sd
        return res.statistic, anderson_limit_sf(1.0 + res.statistic * sd), threshold

    return compute


@register("mwu", description="Mann-Whitney U", multivariate=False, stacked=_MWU_STACKED)
def mannwhitney_test(
    x,
    y,
    *,
    alternative: Literal["two-sided", "greater", "less"] = "two-sided",
    method: Literal["auto", "permutation", "exact", "asymptotic"] = "auto",
    alpha=0.05,
    n_resamples=9999,
    batch=None,
    rng=None,
    early_stop=False,
    nan_policy: Literal["raise", "propagate", "omit"] = "raise",
) -> TestResult:
    r"""Mann-Whitney U (Wilcoxon rank-sum) test; the statistic is :math:`U` of ``x``.

    Parameters
    ----------
    x, y : array_like, shape (n,) and (m,)
        The two samples.
    alternative : {"two-sided", "greater", "less"}, default "two-sided"
        ``"greater"``: p is stochastically larger than q.
    method : {"auto", "permutation", "exact", "asymptotic"}, default "auto"
        ``"auto"``: SciPy's exact null when it is exact for the data (no ties)
        and ``n * m <= 40,000`` (0.1 s at 200 x 200; 62 s at 1,000 x 1,000);
        beyond that, for untied samples of at least 50 rows each, the
        asymptotic null (its error against the exact null is below the Monte
        Carlo error of 9,999 relabellings there: 0.0017 at 50, 0.0004 at
        200); else (ties, or a sample under 50 rows) the permutation null.
        ``"exact"`` and ``"asymptotic"`` are the
        nulls of :func:`scipy.stats.mannwhitneyu` (the asymptotic one with
        tie and continuity corrections). Their threshold is ``nan``.
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
    >>> from twosample import mannwhitney_test
    >>> res = mannwhitney_test([1, 4, 2, 8], [3, 5, 6, 7, 9], method="exact")
    >>> res.statistic  # pairs (x_i, y_j) with x_i > y_j: 4 > 3, and 8 > 3, 5, 6, 7
    5.0
    """
    x, y = check_samples(x, y, univariate=True, nan_policy=nan_policy)
    options = Resampling.of(
        mannwhitney_test,
        alpha=alpha,
        n_resamples=n_resamples,
        batch=batch,
        rng=rng,
        early_stop=early_stop,
        alternative=alternative,
    )
    check_choice(method, "method", choices(mannwhitney_test, "method"))
    if contains_nan(x, y):
        return options.nan_result(x, y, method=method)
    method = auto_method(x, y, method, len(x) * len(y) <= EXACT_MWU_MAX_NM, ASYMPTOTIC_MWU_MIN_N)
    if method == "permutation":
        return options.run(x, y, MannWhitneyU())

    def compute(x, y):
        res = stats.mannwhitneyu(x[:, 0], y[:, 0], alternative=alternative, method=method)
        return res.statistic, res.pvalue, np.nan

    return analytic_result(x, y, compute, options, method=method)


@register("wasserstein", description="1-D Wasserstein-1 distance", multivariate=False)
def wasserstein_test(
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
    r"""1-D Wasserstein-1 test, :math:`\hat t = \int |F_x - F_y|`, permutation null.

    Parameters
    ----------
    x, y : array_like, shape (n,) and (m,)
        The two samples.
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
    >>> from twosample import wasserstein_test
    >>> rng = np.random.default_rng(0)
    >>> wasserstein_test(rng.normal(size=80), rng.normal(0, 2, size=80), rng=0).reject
    True
    """
    x, y = check_samples(x, y, univariate=True, nan_policy=nan_policy)
    options = Resampling.of(
        wasserstein_test, alpha=alpha, n_resamples=n_resamples, batch=batch, rng=rng, early_stop=early_stop
    )
    if contains_nan(x, y):
        return options.nan_result(x, y)
    return options.run(x, y, Wasserstein1())
