"""Two-sample tests of categorical and ordinal labels, on the 2 x K table of counts.

Each test forms the counts once; its default null is the exact conditional one (every table
with the observed margins when they are few, else Monte Carlo draws of tables, which is the
permutation null of the rows at O(K) per draw; :mod:`twosample.core.count_tables`). SciPy's
asymptotic chi-square null is ``method="asymptotic"`` where it exists, and what ``"auto"`` takes for
large tables where it was measured as accurate as the Monte Carlo null (:func:`asymptotic_is_accurate`).
"""

from __future__ import annotations

import math
import warnings
from typing import Literal

import numpy as np
from scipy import stats

from twosample.categorical.labels import encode_labels
from twosample.categorical.statistics import ChiSquare, LikelihoodRatio, OrdinalKS, RankSum, TotalVariation
from twosample.core.count_tables import EXACT_TABLES_MAX, CountStatistic, exact_table_count, run_table_test
from twosample.core.resampling import Resampling
from twosample.core.result import TestResult
from twosample.core.spec import choices, register
from twosample.core.validation import DegenerateDataWarning, check_choice

__all__ = ["chi2_test", "fisher_test", "g_test", "ordinal_ks_test", "ordinal_mwu_test", "tvd_test"]

_COMMON_DOC = """\
    alpha : float, default 0.05
        Level of the test.
    n_resamples : int, default 9999
        Tables drawn for the Monte Carlo null (with the observed margins).
    batch : int, optional
        Accepted for the common signature; tables are drawn in fixed blocks, so
        the result never depends on it.
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Source of randomness; the same value gives the same result.
    early_stop : bool, default False
        Sequential Monte Carlo p-values (:mod:`twosample.core.early_stop`).
    nan_policy : {"raise", "propagate", "omit"}, default "raise"
        Missing labels (None, NaN, pd.NA): an error, a result whose statistic
        and p-value are NaN, or dropped from each sample (SciPy's names)."""


def _documented(func):
    """Fill in the parameters every test of the family shares (``{common}`` in the docstring)."""
    func.__doc__ = func.__doc__.replace("    {common}", _COMMON_DOC.rstrip())
    return func


def _observed_levels(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The counts restricted to levels seen in at least one sample (warns when there is only one)."""
    seen = (a + b) > 0
    if seen.sum() <= 1:
        warnings.warn(
            "every label is the same: every table has the observed margins' one shape, so the test "
            "cannot reject (p-value 1).",
            DegenerateDataWarning,
            stacklevel=4,
        )
    return a[seen], b[seen]


def _counts_or_none(x, y, nan_policy, *, ordinal=False):
    """(a, b) per level, in the levels' order; None under ``propagate`` with missing values."""
    labels = encode_labels(x, y, nan_policy=nan_policy)
    if labels is None:
        return None
    a, b = labels.counts()
    return _observed_levels(a, b) if not ordinal else (a, b)


def _table_result(func, x, y, statistic: CountStatistic, method, nan_policy, resampling, *, asymptotic=None):
    """The shared body: options checked, counts formed, the null chosen by `method`."""
    options = Resampling.of(func, **resampling)
    check_choice(method, "method", choices(func, "method"))
    counts = _counts_or_none(x, y, nan_policy, ordinal=isinstance(statistic, (OrdinalKS, RankSum)))
    if counts is None:
        return options.nan_result(np.asarray(x, dtype=object), np.asarray(y, dtype=object), method=method)
    a, b = counts
    cheap = exact_table_count(a + b) <= EXACT_TABLES_MAX
    if method == "asymptotic" or (method == "auto" and asymptotic and not cheap and asymptotic_is_accurate(a, b)):
        return asymptotic(a, b, options)
    exact = method == "exact" or (method == "auto" and cheap)
    if method == "exact" and exact_table_count(a + b) > EXACT_TABLES_MAX:
        raise ValueError(
            f"`method`='exact' would enumerate {exact_table_count(a + b):,} or more tables (at most "
            f"{EXACT_TABLES_MAX:,}); use method='auto' or 'permutation'."
        )
    return run_table_test(a, b, statistic, options, exact=exact)


# Where method="auto" takes SciPy's chi-square null (when exact enumeration is too costly): at least
# 4 levels and every expected count n_k N_j / N at least this (4 levels: 200; 5 or more: 100).
# benchmarks/studies/bench_chi2_null.py (docs/tables.md): there the chi-square tail was within the
# Monte Carlo sd of 9,999 tables at every p in [0.001, 0.5], Pearson and G, 45 configurations
# (worst 0.83 sd); with 2 or 3 levels the lattice of the statistic keeps it off (3.1 sd with every
# expected count above 1,000 with 2 levels, 1.3 above 200 with 3).
_ASYMPTOTIC_MIN_LEVELS = 4
_ASYMPTOTIC_MIN_EXPECTED = {4: 200.0}
_ASYMPTOTIC_MIN_EXPECTED_MANY = 100.0


def asymptotic_is_accurate(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether the chi-square null of the 2 x K table with rows `a`, `b` (levels seen) was measured
    as accurate as 9,999 Monte Carlo tables (the rule above)."""
    levels = len(a)
    if levels < _ASYMPTOTIC_MIN_LEVELS:
        return False
    n_x, n_y = int(a.sum()), int(b.sum())
    smallest_expected = min(n_x, n_y) * float((a + b).min()) / (n_x + n_y)
    return smallest_expected >= _ASYMPTOTIC_MIN_EXPECTED.get(levels, _ASYMPTOTIC_MIN_EXPECTED_MANY)


def chi2_asymptotic(lambda_):
    """SciPy's asymptotic chi-square null of the 2 x K table (``lambda_``: Pearson or log-likelihood)."""

    def compute(a, b, options):
        table = np.vstack([a, b])
        if table.shape[1] < 2:
            statistic, pvalue, dof = 0.0, 1.0, 0
        else:
            res = stats.chi2_contingency(table, correction=False, lambda_=lambda_)
            statistic, pvalue, dof = res.statistic, res.pvalue, res.dof
        return TestResult.from_analytic(
            statistic=statistic,
            pvalue=pvalue,
            alpha=options.alpha,
            threshold=stats.chi2.isf(options.alpha, dof) if dof else math.nan,
            method="asymptotic",
            n_x=int(a.sum()),
            n_y=int(b.sum()),
            test=options.test,
            seed=options.seed,
        )

    return compute


@register(
    "chi2",
    description="Pearson chi-square of homogeneity on the 2 x K table, exact conditional null",
    multivariate=False,
    kinds=("categorical",),
)
@_documented
def chi2_test(
    x,
    y,
    *,
    method: Literal["auto", "exact", "permutation", "asymptotic"] = "auto",
    alpha=0.05,
    n_resamples=9999,
    batch=None,
    rng=None,
    early_stop=False,
    nan_policy: Literal["raise", "propagate", "omit"] = "raise",
) -> TestResult:
    r"""Chi-square test of homogeneity of two samples of labels.

    The statistic is Pearson's :math:`\sum (O - E)^2 / E` over the 2 x K table of
    counts (rows: samples; columns: the levels seen in either sample).

    Parameters
    ----------
    x, y : array_like of labels, shape (n,) and (m,)
        Strings, categories, booleans or integer codes; a level seen in one
        sample only is legal data.
    method : {"auto", "exact", "permutation", "asymptotic"}, default "auto"
        ``"exact"``: every table with the observed margins, weighted by its
        probability (Fisher's conditional null); ``"permutation"``: Monte Carlo
        draws of such tables (the permutation null of the rows, at a cost per draw
        that does not grow with the rows); ``"auto"``: exact when at most
        200,000 candidate tables, else the asymptotic null where it was measured
        as accurate as 9,999 Monte Carlo tables (at least 4 levels and every
        expected count at least 100, 200 with 4 levels; docs/tables.md), else
        Monte Carlo; ``"asymptotic"``: :func:`scipy.stats.chi2_contingency`
        (``correction=False``), whose level is off when expected counts are small
        (docs/tables.md measures it).
    {common}

    Returns
    -------
    TestResult

    Examples
    --------
    >>> from twosample import chi2_test
    >>> x = ["a"] * 30 + ["b"] * 10 + ["c"] * 10
    >>> y = ["a"] * 10 + ["b"] * 20 + ["c"] * 20
    >>> res = chi2_test(x, y, rng=0)
    >>> res.method, res.reject
    ('exact', True)
    """
    resampling = dict(alpha=alpha, n_resamples=n_resamples, batch=batch, rng=rng, early_stop=early_stop)
    return _table_result(
        chi2_test, x, y, ChiSquare(), method, nan_policy, resampling, asymptotic=chi2_asymptotic("pearson")
    )


@register(
    "g",
    description="G-test (likelihood ratio) of homogeneity on the 2 x K table, exact conditional null",
    multivariate=False,
    kinds=("categorical",),
)
@_documented
def g_test(
    x,
    y,
    *,
    method: Literal["auto", "exact", "permutation", "asymptotic"] = "auto",
    alpha=0.05,
    n_resamples=9999,
    batch=None,
    rng=None,
    early_stop=False,
    nan_policy: Literal["raise", "propagate", "omit"] = "raise",
) -> TestResult:
    r"""G-test (likelihood-ratio test) of homogeneity of two samples of labels.

    The statistic is :math:`G = 2 \sum O \log(O / E)` over the 2 x K table.

    Parameters
    ----------
    x, y : array_like of labels, shape (n,) and (m,)
        As in :func:`chi2_test`.
    method : {"auto", "exact", "permutation", "asymptotic"}, default "auto"
        As in :func:`chi2_test`; ``"asymptotic"`` is
        ``scipy.stats.chi2_contingency(..., lambda_="log-likelihood")``.
    {common}

    Returns
    -------
    TestResult
    """
    resampling = dict(alpha=alpha, n_resamples=n_resamples, batch=batch, rng=rng, early_stop=early_stop)
    return _table_result(
        g_test, x, y, LikelihoodRatio(), method, nan_policy, resampling, asymptotic=chi2_asymptotic("log-likelihood")
    )


@register(
    "tvd",
    description="total variation distance of two samples of labels, exact conditional null",
    multivariate=False,
    kinds=("categorical",),
)
@_documented
def tvd_test(
    x,
    y,
    *,
    method: Literal["auto", "exact", "permutation"] = "auto",
    alpha=0.05,
    n_resamples=9999,
    batch=None,
    rng=None,
    early_stop=False,
    nan_policy: Literal["raise", "propagate", "omit"] = "raise",
) -> TestResult:
    r"""Total-variation test: :math:`\hat t = \frac12 \sum_k |\hat p_x(k) - \hat p_y(k)|`.

    The statistic is itself an effect size (the largest difference in the
    probability of any set of levels), and it is not dominated by rare levels as
    the chi-square is.

    Parameters
    ----------
    x, y : array_like of labels, shape (n,) and (m,)
        As in :func:`chi2_test`.
    method : {"auto", "exact", "permutation"}, default "auto"
        As in :func:`chi2_test` (there is no asymptotic null).
    {common}

    Returns
    -------
    TestResult
    """
    resampling = dict(alpha=alpha, n_resamples=n_resamples, batch=batch, rng=rng, early_stop=early_stop)
    return _table_result(tvd_test, x, y, TotalVariation(), method, nan_policy, resampling)


@register(
    "fisher",
    description="Fisher's exact test of two samples of a binary label (2 x 2 table)",
    multivariate=False,
    null="exact",
    kinds=("boolean",),
)
@_documented
def fisher_test(
    x,
    y,
    *,
    alternative: Literal["two-sided", "greater", "less"] = "two-sided",
    alpha=0.05,
    rng=None,
    nan_policy: Literal["raise", "propagate", "omit"] = "raise",
) -> TestResult:
    r"""Fisher's exact test of a binary label (:func:`scipy.stats.fisher_exact`).

    The 2 x 2 table has the samples as rows and the *event* (the second of the two
    levels in sorted order: ``True`` for booleans, ``1`` for 0/1 codes) and the
    other level as columns; the statistic is the sample odds ratio
    :math:`(a_1 b_0) / (a_0 b_1)` of the event in ``x`` against ``y``.

    Parameters
    ----------
    x, y : array_like of labels, shape (n,) and (m,)
        At most two distinct labels in the pooled sample.
    alternative : {"two-sided", "greater", "less"}, default "two-sided"
        ``"greater"``: the event's odds are larger in ``x``.
    alpha : float, default 0.05
        Level of the test.
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Accepted for the common signature (the null is exact: nothing is drawn).
    nan_policy : {"raise", "propagate", "omit"}, default "raise"
        As in :func:`chi2_test`.

    Returns
    -------
    TestResult
        ``method="exact"``; threshold ``nan`` (SciPy offers no quantile function).

    Examples
    --------
    >>> from twosample import fisher_test
    >>> res = fisher_test([True] * 8 + [False] * 2, [True] * 1 + [False] * 9)
    >>> round(res.pvalue, 4)
    0.0055
    """
    options = Resampling.of(fisher_test, alpha=alpha, rng=rng, alternative=alternative)
    labels = encode_labels(x, y, nan_policy=nan_policy)
    if labels is None:
        return options.nan_result(np.asarray(x, dtype=object), np.asarray(y, dtype=object), method="exact")
    if len(labels.levels) > 2:
        raise ValueError(
            f"`x` and `y` hold {len(labels.levels)} distinct labels; Fisher's test is for two "
            "(use chi2_test or tvd_test for more)."
        )
    a, b = labels.counts()
    if len(labels.levels) < 2:
        _observed_levels(a, b)  # the degenerate-data warning
        a, b = np.r_[a, 0], np.r_[b, 0]
    return fisher_counts_result(a, b, options)


def fisher_counts_result(a, b, options: Resampling) -> TestResult:
    """Fisher's exact test of the counts per level (two levels) `a` of x and `b` of y: samples as rows,
    the second level (the event) first, so the statistic is the odds ratio of the event in x."""
    table = np.array([[a[1], a[0]], [b[1], b[0]]])
    res = stats.fisher_exact(table, alternative=options.alternative)
    return TestResult.from_analytic(
        statistic=res.statistic,
        pvalue=res.pvalue,
        alpha=options.alpha,
        threshold=math.nan,
        method="exact",
        alternative=options.alternative,
        n_x=int(a.sum()),
        n_y=int(b.sum()),
        test=options.test,
        seed=options.seed,
    )


@register(
    "ordinal-ks",
    description="Kolmogorov-Smirnov distance of ordered labels, exact conditional null (ties exact)",
    multivariate=False,
    kinds=("categorical",),
)
@_documented
def ordinal_ks_test(
    x,
    y,
    *,
    method: Literal["auto", "exact", "permutation"] = "auto",
    alpha=0.05,
    n_resamples=9999,
    batch=None,
    rng=None,
    early_stop=False,
    nan_policy: Literal["raise", "propagate", "omit"] = "raise",
) -> TestResult:
    r"""KS test of ordered labels: :math:`\max_k |F_x(k) - F_y(k)|` over the ordered levels.

    The levels are ordered by an ordered pandas ``Categorical``'s categories, else
    sorted (numbers numerically). With heavy ties (a 5-point scale, a count) the
    conditional null over tables is exact where SciPy's KS nulls, made for
    continuous data, are conservative.

    Parameters
    ----------
    x, y : array_like of ordered labels, shape (n,) and (m,)
    method : {"auto", "exact", "permutation"}, default "auto"
        As in :func:`chi2_test`.
    {common}

    Returns
    -------
    TestResult
    """
    resampling = dict(alpha=alpha, n_resamples=n_resamples, batch=batch, rng=rng, early_stop=early_stop)
    return _table_result(ordinal_ks_test, x, y, OrdinalKS(), method, nan_policy, resampling)


@register(
    "ordinal-mwu",
    description="Mann-Whitney U of ordered labels with mid-ranks, exact conditional null (ties exact)",
    multivariate=False,
    kinds=("categorical",),
)
@_documented
def ordinal_mwu_test(
    x,
    y,
    *,
    alternative: Literal["two-sided", "greater", "less"] = "two-sided",
    method: Literal["auto", "exact", "permutation"] = "auto",
    alpha=0.05,
    n_resamples=9999,
    batch=None,
    rng=None,
    early_stop=False,
    nan_policy: Literal["raise", "propagate", "omit"] = "raise",
) -> TestResult:
    r"""Mann-Whitney test of ordered labels: :math:`U = \sum_k a_k r_k - n(n+1)/2` with mid-ranks.

    The statistic is :func:`scipy.stats.mannwhitneyu`'s ``U`` for ``x``; its null is
    the exact conditional one over tables with the observed margins, so heavy ties
    (SciPy's exact null assumes none) are handled exactly.

    Parameters
    ----------
    x, y : array_like of ordered labels, shape (n,) and (m,)
    alternative : {"two-sided", "greater", "less"}, default "two-sided"
        ``"greater"``: ``x`` tends to larger levels.
    method : {"auto", "exact", "permutation"}, default "auto"
        As in :func:`chi2_test`.
    {common}

    Returns
    -------
    TestResult
    """
    resampling = dict(
        alpha=alpha, n_resamples=n_resamples, batch=batch, rng=rng, early_stop=early_stop, alternative=alternative
    )
    return _table_result(ordinal_mwu_test, x, y, RankSum(), method, nan_policy, resampling)
