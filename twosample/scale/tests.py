"""Two-sample tests on data of any size, each computed from mergeable summaries (docs/scale.md).

Every test takes two *sources* (a parquet path, directory or glob; a pyarrow dataset or table; a Dask
DataFrame or array; a pandas DataFrame or NumPy array; an iterator of DataFrames: see
:mod:`twosample.scale.sources`) and ``client=`` (a ``distributed.Client``; default: the active one if
any, else this machine, one partition at a time). Results do not depend on how the rows are
partitioned, ordered or spread over workers.

=================  ===============================  ===========================================
test               summary (per partition, merged)  null
=================  ===============================  ===========================================
counts_test        2 x K counts per level           exact conditional (tables with the margins)
binned_test        counts per label-free bin        exact conditional, for the binned statistic
welch_test         exact sums of x and x^2          Student's t (Welch-Satterthwaite)
hotelling_test     exact sums and cross-products    F (normal theory)
rff_mmd_test       sums of integer Fourier features chi-square (asymptotic, linear-time MMD)
classifier_test    counts per bin of held-out       exact conditional of the AUC
                   scores (classifier on a keyed
                   sample of 10^5 rows)
=================  ===============================  ===========================================
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy import stats

from twosample.categorical.statistics import (
    AndersonDarling,
    ChiSquare,
    CramerVonMises,
    LikelihoodRatio,
    OrdinalKS,
    TotalVariation,
    Wasserstein,
)
from twosample.categorical.tests import chi2_asymptotic
from twosample.core.count_tables import EXACT_TABLES_MAX, exact_table_count, run_table_test
from twosample.core.resampling import Resampling
from twosample.core.result import TestResult
from twosample.core.validation import check_alpha, check_choice, check_int
from twosample.scale._scan import bin_edges, label_counts, open_scan, seed_key
from twosample.study._column_tests import ks_asymptotic

__all__ = ["BINNED", "COUNTS", "binned_test", "counts_test", "hotelling_test", "welch_test"]

BINNED = ("ks", "cvm", "ad", "wasserstein")
COUNTS = {"chi2": ChiSquare, "g": LikelihoodRatio, "tvd": TotalVariation}
METHODS = ("auto", "asymptotic")
BINS = 4096
SAMPLE_SIZE = 100_000


def _options(name, *, alpha, n_resamples, rng, early_stop, alternative="greater") -> Resampling:
    return Resampling.of(
        name, alpha=alpha, n_resamples=n_resamples, rng=rng, early_stop=early_stop, alternative=alternative
    )


def table_result(a, b, statistic, options: Resampling) -> TestResult:
    """The conditional test of `statistic` on counts `a`, `b` (levels seen in neither sample dropped):
    every table enumerated when they are few, else Monte Carlo tables."""
    seen = (a + b) > 0
    if isinstance(statistic, Wasserstein):
        statistic = Wasserstein(np.r_[0.0, np.cumsum(statistic.gaps)][seen])
    a, b = a[seen], b[seen]
    return run_table_test(a, b, statistic, options, exact=exact_table_count(a + b) <= EXACT_TABLES_MAX)


def binned_statistic(name: str, edges: np.ndarray):
    """The count statistic `name` (one of :data:`BINNED`) over bins with upper edges `edges`."""
    if name == "wasserstein":
        return Wasserstein(edges)
    return {"ks": OrdinalKS, "cvm": CramerVonMises, "ad": AndersonDarling}[name]()


def binned_test(
    x,
    y,
    column=None,
    *,
    statistic: str = "ks",
    method: str = "auto",
    bins: int = BINS,
    sample_size: int = SAMPLE_SIZE,
    alpha: float = 0.05,
    n_resamples: int = 9999,
    early_stop: bool = False,
    rng=None,
    client=None,
) -> TestResult:
    """Kolmogorov-Smirnov, Cramér-von Mises, Anderson-Darling or Wasserstein on binned numbers.

    First pass: the pooled rows with the `sample_size` smallest random keys give the bin edges (their
    quantiles; the column's distinct values when it has at most `bins` of them and at most 4,096,
    the most the pass tracks), chosen without the labels.
    Second pass: exact counts per bin and sample. The statistic of the binned data is tested against
    its exact conditional null (tables with the observed bin totals), which is the permutation null
    of the binned rows: exact for the binned statistic at any size, because the bins do not depend on
    which sample a row is in. With few distinct values the bins are the values and this is the exact
    test of the unbinned statistic.

    Parameters
    ----------
    x, y : source
        The two samples (:mod:`twosample.scale.sources`).
    column : str, optional
        The numeric column to compare (required when the sources have several).
    statistic : {"ks", "cvm", "ad", "wasserstein"}, default "ks"
    method : {"auto", "asymptotic"}, default "auto"
        ``"auto"``: the conditional null (every table when they are few, else ``n_resamples``
        Monte Carlo tables); ``"asymptotic"`` (KS only): SciPy's two-sided asymptotic null,
        ``kstwo`` at ``round(n m / (n + m))`` (``method="asymptotic"`` in the result), for samples
        beyond the Monte Carlo tables' limit of 10^9 pooled rows.
    bins : int, default 4096
    sample_size : int, default 100000
        Pooled rows drawn (by their random keys) for the bin edges.
    alpha, n_resamples, early_stop, rng
        As in :func:`twosample.ks_test`; ``n_resamples`` tables are drawn when they are too many to
        enumerate.
    client : distributed.Client, None or False, default None
        Where the passes run: this client's workers; None: the active client if any, else this
        machine; False: this machine, one partition at a time.

    Returns
    -------
    TestResult
        ``method`` ``"exact"`` (every table enumerated) or ``"permutation"``; ``n_x``, ``n_y`` count
        the non-missing rows.
    """
    check_choice(statistic, "statistic", BINNED)
    check_choice(method, "method", METHODS)
    if method == "asymptotic" and statistic != "ks":
        raise ValueError(f"`method`='asymptotic' exists for statistic='ks' only, not {statistic!r}.")
    bins, sample_size = check_int(bins, "bins", minimum=2), check_int(sample_size, "sample_size", minimum=100)
    options = _options(f"scale-{statistic}", alpha=alpha, n_resamples=n_resamples, rng=rng, early_stop=early_stop)
    key = seed_key(options.seed, options.rng)
    scan = open_scan(x, y, column, key=key, client=client, kinds=("numeric",), passes=2)
    _one_column(scan, column)
    scan.first(sample_size)
    name = scan.names[0]
    edges = bin_edges(scan, name, bins)
    second_x, second_y = scan.second({name: edges})
    a, b = second_x.bins[name], second_y.bins[name]
    if method == "asymptotic":
        return dataclasses.replace(ks_asymptotic(a, b, options.alpha), test=options.test, seed=options.seed)
    return table_result(a, b, binned_statistic(statistic, edges), options)


def _one_column(scan, column) -> None:
    if len(scan.specs) != 1:
        raise ValueError(f"the samples have {len(scan.specs)} columns; name the one to compare with `column=`.")


def counts_test(
    x,
    y,
    column=None,
    *,
    statistic: str = "chi2",
    method: str = "auto",
    alpha: float = 0.05,
    n_resamples: int = 9999,
    early_stop: bool = False,
    rng=None,
    client=None,
) -> TestResult:
    """Chi-square, G or total variation of a label column, from the 2 x K counts (one pass).

    The test of :func:`twosample.chi2_test` (``g_test``, ``tvd_test``) with the exact conditional
    null: given the same counts and ``rng`` it is the same result, bit for bit, however the rows were
    stored. Any column is compared as labels (numbers too: each distinct value a level).
    ``method="asymptotic"`` (chi2 and g) is SciPy's chi-square null of the merged counts, as
    ``chi2_test(method="asymptotic")``.
    """
    check_choice(statistic, "statistic", tuple(COUNTS))
    check_choice(method, "method", METHODS)
    if method == "asymptotic" and statistic == "tvd":
        raise ValueError("`method`='asymptotic' exists for statistic='chi2' or 'g', not 'tvd'.")
    options = _options(statistic, alpha=alpha, n_resamples=n_resamples, rng=rng, early_stop=early_stop)
    scan = open_scan(x, y, column, key=seed_key(options.seed, options.rng), client=client)
    _one_column(scan, column)
    if scan.specs[0].kind == "numeric":
        scan.specs = (type(scan.specs[0])(scan.specs[0].name, "categorical"),)
    scan.first(0)
    _, a, b = label_counts(scan, scan.names[0])
    if method == "asymptotic":
        seen = (a + b) > 0
        return chi2_asymptotic("pearson" if statistic == "chi2" else "log-likelihood")(a[seen], b[seen], options)
    return table_result(a, b, COUNTS[statistic](), options)


def welch_test(x, y, column=None, *, alternative: str = "two-sided", alpha: float = 0.05, client=None) -> TestResult:
    """Welch's t-test from exact sums (one pass): ``scipy.stats.ttest_ind(equal_var=False)``'s statistic
    and p-value, the same bits however the rows are partitioned (:mod:`twosample.scale.exact`)."""
    alpha = check_alpha(alpha)
    options = Resampling.of("welch", alpha=alpha, alternative=alternative)
    scan = open_scan(x, y, column, key=seed_key(0, options.rng), client=client, kinds=("numeric",))
    _one_column(scan, column)
    scan.first(0)
    mx, my = (s.columns[scan.names[0]].moments for s in (scan.first_x, scan.first_y))
    if min(mx.n, my.n) < 2:
        raise ValueError(f"Welch's test needs 2 or more values in each sample; got {mx.n} and {my.n}.")
    statistic, df = welch_t(mx.n, mx.mean()[0], mx.variance()[0], my.n, my.mean()[0], my.variance()[0])
    return _t_result(statistic, df, options, mx.n, my.n)


def welch_t(n_x, mean_x, var_x, n_y, mean_y, var_y) -> tuple[float, float]:
    """Welch's t and its Welch-Satterthwaite degrees of freedom."""
    se_x, se_y = var_x / n_x, var_y / n_y
    se2 = se_x + se_y
    if not se2 > 0:  # both samples constant: infinitely far apart, or not at all (SciPy's t_test)
        diff = mean_x - mean_y
        return (math.copysign(math.inf, diff) if diff else math.nan), float(n_x + n_y - 2)
    df = se2**2 / (se_x**2 / (n_x - 1) + se_y**2 / (n_y - 1))
    return (mean_x - mean_y) / math.sqrt(se2), df


def hotelling_t2(jx, jy) -> tuple[float, int]:
    r"""Hotelling's :math:`T^2` from the exact moments of x and y, as the in-memory ``HotellingT2`` computes
    it: from the total scatter :math:`S_{tot}` of the pooled rows (columns constant in
    the pooled rows dropped), :math:`T^2 = c (N - 2) q / (1 - c q)` with :math:`q = \Delta^\top S_{tot}^{-1}
    \Delta` and :math:`c = nm/N` (infinite when :math:`c q \ge 1`: no spread within the samples). Returns
    the statistic and the number of columns kept."""
    both = jx.merge(jy)
    n, m, total = jx.n, jy.n, jx.n + jy.n
    scatter = both.covariance() * (total - 1)
    keep = np.diag(scatter) > 0
    d = int(keep.sum())
    if d == 0:
        raise ValueError("every column of Hotelling's test is constant in the pooled rows.")
    scatter = scatter[np.ix_(keep, keep)]
    if np.linalg.matrix_rank(scatter, hermitian=True) < d:
        raise ValueError(
            "the pooled covariance is singular (collinear columns); Hotelling's test needs full-rank data: "
            "drop redundant columns."
        )
    delta = (jx.mean() - jy.mean())[keep]
    c = n * m / total
    q = float(delta @ np.linalg.solve(scatter, delta))
    return (c * (total - 2) * q / (1.0 - c * q) if c * q < 1 else math.inf), d


def _t_result(statistic, df, options: Resampling, n_x, n_y) -> TestResult:
    alternative, alpha = options.alternative, options.alpha
    if alternative == "greater":
        pvalue, threshold = stats.t.sf(statistic, df), stats.t.isf(alpha, df)
    elif alternative == "less":
        pvalue, threshold = stats.t.cdf(statistic, df), stats.t.ppf(alpha, df)
    else:
        pvalue = 2 * stats.t.sf(abs(statistic), df)
        upper = stats.t.isf(alpha / 2, df)
        threshold = (-upper, upper)
    return TestResult.from_analytic(
        statistic=statistic,
        pvalue=min(1.0, pvalue) if not math.isnan(pvalue) else math.nan,
        alpha=alpha,
        threshold=threshold,
        method="analytic",
        alternative=alternative,
        n_x=n_x,
        n_y=n_y,
        test="welch",
    )


def hotelling_test(x, y, columns=None, *, alpha: float = 0.05, client=None) -> TestResult:
    r"""Hotelling's :math:`T^2` from exact sums and cross-products over complete rows (one pass), with
    the F null of :func:`twosample.hotelling_test` (``method="analytic"``)."""
    alpha = check_alpha(alpha)
    options = Resampling.of("hotelling", alpha=alpha)
    scan = open_scan(x, y, columns, key=seed_key(0, options.rng), client=client, kinds=("numeric",))
    scan.first(0, joint=tuple(scan.names))
    jx, jy = scan.first_x.joint, scan.first_y.joint
    n, m = jx.n, jy.n
    if min(n, m) < 2:
        raise ValueError(f"Hotelling's test needs 2 or more complete rows in each sample; got {n} and {m}.")
    t2, d = hotelling_t2(jx, jy)
    total = n + m
    if total - d - 1 < 1:
        raise ValueError(f"Hotelling's test needs more complete rows than columns + 1; got {total} rows, {d} columns.")
    scale = (total - d - 1) / (d * (total - 2))
    return TestResult.from_analytic(
        statistic=t2,
        pvalue=stats.f.sf(scale * t2, d, total - d - 1),
        alpha=alpha,
        threshold=stats.f.isf(alpha, d, total - d - 1) / scale,
        method="analytic",
        n_x=n,
        n_y=m,
        test="hotelling",
    )
