"""Statistics of the 2 x K table of counts, each evaluating many tables at once.

``a`` (B, K) are the counts of ``x`` per level, ``c`` (K,) the pooled totals, ``n`` and
``m = N - n`` the sample sizes; ``b = c - a`` are the counts of ``y``.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from twosample.core.count_tables import CountStatistic

__all__ = ["ChiSquare", "LikelihoodRatio", "OrdinalKS", "RankSum", "TotalVariation"]


class ChiSquare(CountStatistic):
    r"""Pearson's chi-square of homogeneity, :math:`\sum_{s,k} (O_{sk} - E_{sk})^2 / E_{sk}`.

    For two rows it is :math:`\sum_k (a_k - n c_k / N)^2 N^2 / (n m c_k)`.
    """

    def bind(self, totals, n_x):
        totals = np.asarray(totals, dtype=float)  # products of counts overflow int64 beyond ~10^6 rows
        total = totals.sum()
        expected = n_x * totals / total
        scale = total * total / (n_x * (total - n_x) * np.maximum(totals, 1))
        return lambda a: ((a - expected) ** 2 * scale).sum(axis=1)


class LikelihoodRatio(CountStatistic):
    r"""The G statistic, :math:`2 \sum_{s,k} O_{sk} \log(O_{sk} / E_{sk})` (``0 log 0 = 0``)."""

    def bind(self, totals, n_x):
        totals = np.asarray(totals, dtype=float)
        total = totals.sum()
        log_ex = np.log(np.maximum(n_x * totals / total, 1e-300))
        log_ey = np.log(np.maximum((total - n_x) * totals / total, 1e-300))

        def evaluate(a):
            b = totals - a
            cells = special.xlogy(a, a) - a * log_ex + special.xlogy(b, b) - b * log_ey
            return 2.0 * cells.sum(axis=1)

        return evaluate


class TotalVariation(CountStatistic):
    r"""Total variation distance of the two empirical laws, :math:`\frac12 \sum_k |a_k/n - b_k/m|`."""

    def bind(self, totals, n_x):
        n_y = totals.sum() - n_x
        return lambda a: 0.5 * np.abs(a / n_x - (totals - a) / n_y).sum(axis=1)


class OrdinalKS(CountStatistic):
    r"""Kolmogorov-Smirnov distance over ordered levels, :math:`\max_k |F_x(k) - F_y(k)|`.

    On numbers with ties this is ``scipy.stats.ks_2samp``'s statistic (the ECDFs jump
    only at distinct values).
    """

    def bind(self, totals, n_x):
        n_y = totals.sum() - n_x
        cum_total = np.cumsum(totals)

        def evaluate(a):
            cum_a = np.cumsum(a, axis=1)
            return np.abs(cum_a / n_x - (cum_total - cum_a) / n_y).max(axis=1)

        return evaluate


class RankSum(CountStatistic):
    r"""Mann-Whitney's :math:`U` of ``x`` with mid-ranks for ties, :math:`\sum_k a_k r_k - n(n+1)/2`.

    :math:`r_k` is the mid-rank of level :math:`k` in the pooled sample (SciPy's
    ``mannwhitneyu`` statistic for ``x``).
    """

    def bind(self, totals, n_x):
        midranks = np.cumsum(np.asarray(totals, dtype=float)) - (totals - 1) / 2.0
        offset = n_x * (n_x + 1) / 2.0
        return lambda a: a @ midranks - offset
