r"""The conditional null of a statistic of counts: tables with the observed margins.

When a statistic depends on the two samples only through the 2 x K table of counts
(``a[k]`` rows of ``x`` at level ``k``, ``c[k]`` rows at level ``k`` in all), a
relabelling of the rows is the same as a draw of ``a`` from the multivariate
hypergeometric law with margins ``c`` and ``n`` (Fisher's conditional null): under
H0 every split of the pooled rows is equally likely, and the split's table has
exactly this law. So the permutation test on the rows and the test on the table
are the same test, but a draw costs O(K) instead of O(n + m): once the counts are
formed, the number of rows no longer matters.

* **Exact**: when the tables with these margins are few (at most
  :data:`EXACT_TABLES_MAX` candidates), every one is enumerated with its
  probability :math:`\prod_k \binom{c_k}{a_k} / \binom{N}{n}` and
  :math:`p = P(T \ge \hat t)` exactly.
* **Monte Carlo**: :math:`B` tables drawn from the law and
  :math:`p = (1 + \#\{T_b \ge \hat t\}) / (1 + B)`, never 0; with the engine's
  early stopping (:mod:`twosample.core.early_stop`) as for the rows.

Reproducibility: tables are drawn in fixed blocks, block ``j`` from a generator
seeded by ``(key, j)`` with one key drawn from ``rng``; the block size depends
on K only, so the result does not depend on ``batch``, on the order of rows or
on how the counts were formed (in memory, or merged over partitions).
"""

from __future__ import annotations

import abc
import math
from collections.abc import Callable, Iterator

import numpy as np
from scipy import special

from twosample.core.resampling import (
    Resampling,
    _collect_null,
    _early_result,
    _early_stop_rule,
    _exceeds,
    null_result,
)
from twosample.core.result import TestResult

__all__ = ["EXACT_TABLES_MAX", "CountStatistic", "exact_table_count", "run_table_test"]

# Enumerate the tables when the candidate count vectors (prod (c_k + 1)) are at most this many.
EXACT_TABLES_MAX = 200_000
# Tables per block: fixed (never the user's `batch`), capped to about 32 MiB of counts.
_BLOCK_ELEMENTS = 2**22
_BLOCK_TABLES = 1024
# Rows of both samples together below which tables can be drawn (NumPy's multivariate hypergeometric).
MAX_POOLED_ROWS = 10**9


class CountStatistic(abc.ABC):
    """A statistic of the 2 x K table of counts.

    :meth:`bind` receives the level totals ``c`` (K,) and the size ``n`` of ``x``
    and returns a function of x-counts ``a`` (B, K) giving B statistics.
    """

    @abc.abstractmethod
    def bind(self, totals: np.ndarray, n_x: int) -> Callable[[np.ndarray], np.ndarray]:
        """Prepare for level totals `totals` (K,) with `n_x` rows in ``x``."""

    def value(self, counts_x: np.ndarray, counts_y: np.ndarray) -> float:
        """The statistic of one table (x-counts and y-counts per level)."""
        counts_x, counts_y = np.asarray(counts_x), np.asarray(counts_y)
        return float(self.bind(counts_x + counts_y, int(counts_x.sum()))(counts_x[None, :])[0])


def exact_table_count(totals: np.ndarray) -> int:
    """Candidate count vectors the enumeration visits: prod (c_k + 1) (an upper bound on the tables)."""
    count = 1
    for c in totals:
        count *= int(c) + 1
        if count > EXACT_TABLES_MAX:
            return count
    return count


def run_table_test(
    counts_x: np.ndarray, counts_y: np.ndarray, statistic: CountStatistic, options: Resampling, *, exact: bool
) -> TestResult:
    """The conditional test of `statistic` on the table (`counts_x`, `counts_y`) per level.

    ``exact=True`` enumerates every table (the caller checked :func:`exact_table_count`);
    otherwise ``options.n_resamples`` tables are drawn (with ``options.early_stop``).
    Levels seen in neither sample must have been removed by the caller.
    """
    counts_x, counts_y = np.asarray(counts_x, np.int64), np.asarray(counts_y, np.int64)
    totals, n_x = counts_x + counts_y, int(counts_x.sum())
    n_y = int(counts_y.sum())
    evaluate = statistic.bind(totals, n_x)
    if exact:
        return _exact_result(counts_x, totals, n_x, n_y, evaluate, options)
    rule = _early_stop_rule(options, False, options.alternative)
    blocks = _random_tables(totals, n_x, options.n_resamples, options.rng)
    observed, null, stop = _collect_null(
        lambda tables: np.asarray(evaluate(tables), dtype=float),
        blocks,
        options.n_resamples,
        options.test,
        rule,
        options.alternative,
        counts_x[None, :],
        lambda value: None,
    )
    common = dict(alpha=options.alpha, alternative=options.alternative, n_x=n_x, n_y=n_y, test=options.test)
    if rule is not None:
        return _early_result(observed, null, rule, stop, seed=options.seed, **common)
    return null_result(observed, null, exact=False, seed=options.seed, **common)


def _random_tables(totals: np.ndarray, n_x: int, n_tables: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """`n_tables` x-count vectors from the multivariate hypergeometric law, in fixed blocks (see module)."""
    if int(totals.sum()) >= MAX_POOLED_ROWS:
        raise ValueError(
            f"the samples hold {int(totals.sum()):,} rows together; Monte Carlo tables are drawn for fewer than "
            f"{MAX_POOLED_ROWS:,} (NumPy's limit): use method='asymptotic'."
        )
    key = int(rng.integers(2**63))
    block = max(1, min(_BLOCK_TABLES, _BLOCK_ELEMENTS // max(len(totals), 1)))
    done, j = 0, 0
    while done < n_tables:
        size = min(block, n_tables - done)
        draw = np.random.default_rng([key, j]).multivariate_hypergeometric(totals, n_x, size=size, method="marginals")
        yield draw
        done += size
        j += 1


def _all_tables(totals: np.ndarray, n_x: int) -> tuple[np.ndarray, np.ndarray]:
    """Every x-count vector with the margins, and its probability under the conditional null."""
    tables = np.zeros((1, 0), dtype=np.int64)
    rest = np.cumsum(totals[::-1])[::-1]  # rows at this level and after
    for k, c in enumerate(totals):
        grown = tables.sum(axis=1)
        later = rest[k + 1] if k + 1 < len(totals) else 0
        values = np.arange(int(c) + 1)
        new_sum = grown[:, None] + values[None, :]
        keep = (new_sum <= n_x) & (new_sum + later >= n_x)  # n_x still reachable
        rows, cols = np.nonzero(keep)
        tables = np.hstack([tables[rows], values[cols][:, None]])
    log_p = (special.gammaln(totals + 1) - special.gammaln(tables + 1) - special.gammaln(totals - tables + 1)).sum(
        axis=1
    ) - _log_comb(int(totals.sum()), n_x)
    return tables, np.exp(log_p)


def _log_comb(n: int, k: int) -> float:
    return float(special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1))


def _exact_result(counts_x, totals, n_x, n_y, evaluate, options: Resampling) -> TestResult:
    """p-value and threshold of the enumerated null (weighted by each table's probability)."""
    tables, weights = _all_tables(totals, n_x)
    null = np.asarray(evaluate(tables), dtype=float)
    observed = float(np.asarray(evaluate(counts_x[None, :]), dtype=float)[0])
    upper = float(weights[_exceeds(null, observed, "greater")].sum())
    lower = float(weights[_exceeds(null, observed, "less")].sum())
    alternative = options.alternative
    pvalue = {"greater": upper, "less": lower}.get(alternative, 2 * min(upper, lower))
    pvalue = min(1.0, pvalue)
    if alternative == "two-sided":
        half = options.alpha / 2
        threshold = (-_weighted_threshold(-null, weights, half), _weighted_threshold(null, weights, half))
    else:
        sign = 1.0 if alternative == "greater" else -1.0
        threshold = sign * _weighted_threshold(sign * null, weights, options.alpha)
    return TestResult.from_analytic(
        statistic=observed,
        pvalue=pvalue,
        alpha=options.alpha,
        threshold=threshold,
        method="exact",
        alternative=alternative,
        n_x=n_x,
        n_y=n_y,
        test=options.test,
        seed=options.seed,
    )


def _weighted_threshold(null: np.ndarray, weights: np.ndarray, level: float) -> float:
    """t_alpha of a weighted null: ``statistic > t`` exactly when ``P(T >= statistic) <= level``
    (for statistics in the null's support)."""
    order = np.argsort(-null, kind="stable")
    ordered, cumulative = null[order], np.cumsum(weights[order])
    last = np.r_[ordered[1:] != ordered[:-1], True]  # the end of each run of equal values
    values, tail = ordered[last], cumulative[last]
    above = np.flatnonzero(tail > level * (1 + 1e-12))
    if not len(above):
        return -math.inf
    return float(values[above[0]])
