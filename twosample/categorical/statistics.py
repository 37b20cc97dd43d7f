"""Statistics of the 2 x K table of counts, each evaluating many tables at once.

``a`` (B, K) are the counts of ``x`` per level, ``c`` (K,) the pooled totals, ``n`` and
``m = N - n`` the sample sizes; ``b = c - a`` are the counts of ``y``.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from twosample.core.count_tables import CountStatistic

__all__ = [
    "AndersonDarling",
    "AreaUnderCurve",
    "ChiSquare",
    "CramerVonMises",
    "LikelihoodRatio",
    "OrdinalKS",
    "RankSum",
    "TotalVariation",
    "Wasserstein",
]


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


class CramerVonMises(CountStatistic):
    r"""Cramér-von Mises distance over ordered levels,
    :math:`\frac{n m}{N^2} \sum_k c_k (F_x(k) - F_y(k))^2`.

    The ECDF form (Anderson 1962): on distinct values it is ``scipy.stats.cramervonmises_2samp``'s
    statistic; with ties each level weighs as many pooled rows as it holds.
    """

    def bind(self, totals, n_x):
        totals = np.asarray(totals, dtype=float)
        total = totals.sum()
        n_y = total - n_x
        cum_total = np.cumsum(totals)
        weight = n_x * n_y / total**2 * totals

        def evaluate(a):
            cum_a = np.cumsum(a, axis=1)
            return ((cum_a / n_x - (cum_total - cum_a) / n_y) ** 2) @ weight

        return evaluate


class AndersonDarling(CountStatistic):
    r"""Scholz and Stephens' (1987) two-sample Anderson-Darling :math:`A^2_{akN}` for ties (midranks).

    :math:`\frac{N-1}{N^2} \sum_{i} \frac{1}{n_i} \sum_j l_j \frac{(N M_{ij} - n_i B_j)^2}{B_j (N - B_j) - N l_j / 4}`
    with :math:`l_j` the rows at level j, :math:`B_j` the pooled rows below it plus half of its own and
    :math:`M_{ij}` the same count in sample i. The unstandardised statistic of
    ``scipy.stats.anderson_ksamp(..., variant="midrank")`` (SciPy reports
    :math:`(A^2 - 1)/\sigma_N`, a fixed map of it for given sizes).
    """

    def bind(self, totals, n_x):
        totals = np.asarray(totals, dtype=float)
        total = totals.sum()
        sizes = (float(n_x), total - n_x)
        below = np.cumsum(totals) - totals / 2
        denominator = below * (total - below) - total * totals / 4
        ok = (denominator > 0) & (totals > 0)
        weight = np.where(ok, totals / np.where(ok, denominator, 1.0), 0.0) * (total - 1) / total**2

        def evaluate(a):
            out = 0.0
            for counts, size in ((a, sizes[0]), (totals - a, sizes[1])):
                m = np.cumsum(counts, axis=1) - counts / 2
                out = out + ((total * m - size * below) ** 2 @ weight) / size
            return out

        return evaluate


class Wasserstein(CountStatistic):
    r"""Wasserstein-1 distance of the two laws on ordered levels placed at ``locations``:
    :math:`\sum_k |F_x(k) - F_y(k)| (v_{k+1} - v_k)` (``scipy.stats.wasserstein_distance`` on the
    values ``v_k``)."""

    def __init__(self, locations):
        self.gaps = np.diff(np.asarray(locations, dtype=float))

    def bind(self, totals, n_x):
        n_y = totals.sum() - n_x
        cum_total = np.cumsum(totals)[:-1]

        def evaluate(a):
            cum_a = np.cumsum(a, axis=1)[:, :-1]
            return np.abs(cum_a / n_x - (cum_total - cum_a) / n_y) @ self.gaps

        return evaluate


class AreaUnderCurve(CountStatistic):
    r"""The AUC of scores that should be larger in ``y``: :math:`P(S_y > S_x) + \frac12 P(S_y = S_x)`
    over ordered score levels, :math:`1 - U_x / (n m)` with Mann-Whitney's :math:`U_x` (:class:`RankSum`)."""

    def bind(self, totals, n_x):
        n_y = float(totals.sum() - n_x)
        rank_sum = RankSum().bind(totals, n_x)
        return lambda a: 1.0 - rank_sum(a) / (n_x * n_y)
