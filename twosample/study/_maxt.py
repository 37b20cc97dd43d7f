r"""Westfall-Young step-down adjustment over one shared relabelling of the rows.

Each relabelling permutes the pooled rows once and recomputes every column's statistics (values
and, where any are missing, the missing share) from counts per code: one gather and one
``bincount`` over all columns (columns with many distinct values through their sorted order).
Statistics of different kinds are put on one scale by their own null: each column's statistic is
standardized by the mean and standard deviation of its B + 1 values (observed and relabelled: a
symmetric function of them, so exchangeability is kept), and the step-down runs on the maximum
standardized statistic (maxT; Westfall & Young 1993, Algorithm 2.8). Since every column is
relabelled by the same permutation, the joint null of all columns is respected whatever the
dependence between them: the family-wise error is at most alpha under the global null, exactly (and
strongly under subset pivotality).

Why not minP, the same step-down on per-column permutation p-values: those are multiples of
1/(B + 1), so with many columns the smallest null p-value of a relabelling is 1/(B + 1) almost
always and nothing can be rejected unless B is far above the number of columns (200 correlated
columns, a 0.3 sd shift in 20 of them: minP rejected in 0 of 200 runs at B = 299, 34 of 50 at
B = 2,999; benchmarks/studies/bench_compare_fwer.py). The standardized maximum is continuous.
"""

from __future__ import annotations

import dataclasses

import numpy as np

__all__ = ["maxt_adjust", "maxt_null", "standardized", "step_down"]


def _ks(a, cum_c, n, m):
    """max |F_x - F_y| from x-counts `a` and the pooled cumulative counts `cum_c` (precomputed)."""
    if not len(a) or n == 0 or m == 0:
        return 0.0
    gap = np.cumsum(a) * (1.0 / n + 1.0 / m) - cum_c / m  # F_x - F_y at each distinct value
    return float(max(gap.max(), -gap.min()))


def _chi2(a, c, n, m):
    keep = c > 0
    a, c = a[keep], c[keep].astype(float)  # products of counts overflow int64 beyond ~10^6 rows
    n, m = float(n), float(m)
    total = n + m
    if n == 0 or m == 0 or len(c) < 2:
        return 0.0
    return float(((a - n * c / total) ** 2 * total * total / (n * m * c)).sum())


def _missing_gap(miss_x, miss_c, n_x, n_total):
    return abs(miss_x / n_x - (miss_c - miss_x) / (n_total - n_x))


# Columns with more distinct values than this are relabelled through their sorted order (a gather from a
# cache-resident indicator and a cumulative sum) instead of counts per distinct value (a bincount whose bins
# no longer fit in cache).
SORTED_MIN_LEVELS = 1024


class _Sorted:
    """A numeric column with many distinct values: its observed rows in sorted order and where ties end."""

    def __init__(self, col):
        observed = np.flatnonzero(col.codes >= 0)
        self.order = observed[np.argsort(col.codes[observed], kind="stable")]
        ranks = col.codes[self.order]
        self.ends = np.flatnonzero(np.r_[ranks[1:] != ranks[:-1], True])  # last row of each run of ties
        self.cum_c = (self.ends + 1).astype(float)
        self.missing = np.flatnonzero(col.codes < 0)


class _Layout:
    """The columns ready to be relabelled: label columns' codes in one (N, J) array, offset so that one
    bincount counts them all; numeric columns with many distinct values through their sorted order."""

    def __init__(self, columns):
        self.columns = columns
        self.n_x, self.n_total = columns[0].n_x, len(columns[0].codes)
        self.sorted = {j: _Sorted(col) for j, col in enumerate(columns) if col.n_levels > SORTED_MIN_LEVELS}
        counted = [j for j in range(len(columns)) if j not in self.sorted]
        self.widths = {j: columns[j].n_levels + 1 for j in counted}  # bin 0: missing
        starts = np.cumsum([0] + [self.widths[j] for j in counted])
        self.offsets = {j: int(start) for j, start in zip(counted, starts)}
        self.width = int(starts[-1])
        self.codes = np.column_stack(
            [columns[j].codes + 1 + self.offsets[j] for j in counted] or [np.zeros(self.n_total, np.int64)]
        )
        self.totals = np.bincount(self.codes.ravel(), minlength=self.width)
        self.cumulative = {j: np.cumsum(self.totals[o + 1 : o + self.widths[j]]) for j, o in self.offsets.items()}

    def statistics(self, rows) -> np.ndarray:
        """Every column's statistics when `rows` play x: values per column, then missing gaps."""
        counts = np.bincount(self.codes[rows].ravel(), minlength=self.width) if self.offsets else None
        is_x = np.zeros(self.n_total, np.int8)
        is_x[rows] = 1
        values, gaps = [], []
        for j, col in enumerate(self.columns):
            value, miss_x, miss_c = self._sorted(j, is_x) if j in self.sorted else self._counted(j, col, counts)
            values.append(value)
            if miss_c > 0:
                gaps.append(_missing_gap(miss_x, miss_c, self.n_x, self.n_total))
        return np.asarray(values + gaps)

    def _counted(self, j, col, counts):
        off, k = self.offsets[j], self.widths[j]
        a, miss_x, miss_c = counts[off + 1 : off + k], counts[off], self.totals[off]
        n, m = self.n_x - miss_x, (self.n_total - self.n_x) - (miss_c - miss_x)
        if col.kind in ("numeric", "ordinal"):
            return _ks(a, self.cumulative[j], n, m), miss_x, miss_c
        return _chi2(a, self.totals[off + 1 : off + k], n, m), miss_x, miss_c

    def _sorted(self, j, is_x):
        column = self.sorted[j]
        miss_x, miss_c = int(is_x[column.missing].sum()), len(column.missing)
        n, m = self.n_x - miss_x, (self.n_total - self.n_x) - (miss_c - miss_x)
        if n == 0 or m == 0:
            return 0.0, miss_x, miss_c
        cum_x = np.cumsum(is_x[column.order], dtype=np.int64)[column.ends]
        gap = cum_x * (1.0 / n + 1.0 / m) - column.cum_c / m  # F_x - F_y at each distinct value
        return float(max(gap.max(), -gap.min())), miss_x, miss_c


def _canonical_rows(columns):
    """The columns with each sample's rows in one canonical order (by their codes, column after column), so that
    the relabellings, and so the p-values, do not depend on the order in which the rows were given."""
    n_x = columns[0].n_x
    codes = np.column_stack([col.codes for col in columns])
    order = np.r_[_lex_order(codes[:n_x]), n_x + _lex_order(codes[n_x:])]
    return [
        dataclasses.replace(col, codes=col.codes[order], values=None if col.values is None else col.values[order])
        for col in columns
    ]


def _lex_order(codes: np.ndarray) -> np.ndarray:
    """Row order sorting `codes` (rows) by the first column, then the second, ..."""
    return np.lexsort(codes.T[::-1]) if codes.size else np.arange(len(codes))


def maxt_null(columns, *, n_resamples: int, rng: np.random.Generator, progress=None):
    """(observed, null): every statistic of the columns (values, then the missing shares of those with any
    missing), observed and under `n_resamples` shared relabellings (rows of `null`)."""
    layout = _Layout(_canonical_rows(columns))
    observed = layout.statistics(np.arange(layout.n_x))
    null = np.empty((n_resamples, len(observed)))
    for b in range(n_resamples):
        perm = rng.permutation(layout.n_total)
        null[b] = layout.statistics(perm[: layout.n_x])
        if progress is not None:
            progress.update(1)
    return observed, null


def maxt_adjust(columns, *, n_resamples: int, rng: np.random.Generator, progress=None):
    """(raw p, adjusted p) for the values of each column, then the missing share of those with any missing.

    Raw p-values are the permutation p-values of each statistic over the shared relabellings.
    """
    observed, null = maxt_null(columns, n_resamples=n_resamples, rng=rng, progress=progress)
    tol = 100 * np.finfo(float).eps * np.abs(observed)
    raw = (1 + (null >= observed - tol).sum(axis=0)) / (n_resamples + 1)
    return raw, step_down(*standardized(observed, null))


def standardized(observed: np.ndarray, null: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each column centred and scaled by the mean and sd of its observed and relabelled values together."""
    values = np.vstack([observed, null])
    centre, spread = values.mean(axis=0), values.std(axis=0)
    spread[spread == 0] = 1.0  # a column constant over relabellings cannot be extreme
    return (observed - centre) / spread, (null - centre) / spread


def step_down(observed: np.ndarray, null: np.ndarray) -> np.ndarray:
    """Westfall-Young maxT step-down: for the r-th largest observed statistic, the share of relabellings
    whose maximum over the hypotheses not yet rejected reaches it; then made monotone."""
    order = np.argsort(-observed, kind="stable")
    # max over hypotheses order[r:], for every r, for every relabelling
    tail_max = np.maximum.accumulate(null[:, order][:, ::-1], axis=1)[:, ::-1]
    tol = 100 * np.finfo(float).eps * np.maximum(np.abs(observed[order]), 1.0)
    adjusted = (1 + (tail_max >= observed[order][None, :] - tol).sum(axis=0)) / (null.shape[0] + 1)
    adjusted = np.maximum.accumulate(adjusted)
    out = np.empty_like(adjusted)
    out[order] = np.minimum(adjusted, 1.0)
    return out
