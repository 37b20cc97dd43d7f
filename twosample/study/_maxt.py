r"""Westfall-Young step-down adjustment over one shared relabelling of the rows.

Each relabelling permutes the pooled rows once and recomputes every column's statistics (values
and, where any are missing, the missing share) from counts per code: one gather and one
``bincount`` over all columns. Statistics of different kinds are put on one scale by their own
null: each column's relabelled statistics become permutation p-values, and the step-down runs on
the minimum p-value (the "minP" form of maxT; Westfall & Young 1993, Algorithm 2.8). Since every
column is relabelled by the same permutation, the joint null of all columns is respected whatever
the dependence between them: the family-wise error is at most alpha under the global null, exactly
(and strongly under subset pivotality).
"""

from __future__ import annotations

import numpy as np

__all__ = ["maxt_adjust"]


def _ks(a, c, n, m):
    cum_a, cum_c = np.cumsum(a), np.cumsum(c)
    return float(np.abs(cum_a / max(n, 1) - (cum_c - cum_a) / max(m, 1)).max()) if len(a) else 0.0


def _chi2(a, c, n, m):
    keep = c > 0
    a, c = a[keep], c[keep]
    total = n + m
    if n == 0 or m == 0 or len(c) < 2:
        return 0.0
    return float(((a - n * c / total) ** 2 * total * total / (n * m * c)).sum())


def _missing_gap(miss_x, miss_c, n_x, n_total):
    return abs(miss_x / n_x - (miss_c - miss_x) / (n_total - n_x))


class _Layout:
    """All columns' codes in one (N, J) array, offset so that one bincount counts every column."""

    def __init__(self, columns):
        self.columns = columns
        widths = [col.n_levels + 1 for col in columns]  # bin 0: missing
        self.offsets = np.r_[0, np.cumsum(widths)[:-1]]
        self.width = int(sum(widths))
        self.codes = np.column_stack([col.codes + 1 + off for col, off in zip(columns, self.offsets)]).astype(np.int64)
        self.totals = np.bincount(self.codes.ravel(), minlength=self.width)
        self.n_x = columns[0].n_x
        self.n_total = len(columns[0].codes)

    def statistics(self, rows) -> np.ndarray:
        """Every column's statistics when `rows` play x: values per column, then missing gaps."""
        counts = np.bincount(self.codes[rows].ravel(), minlength=self.width)
        values, gaps = [], []
        for col, off in zip(self.columns, self.offsets):
            k = col.n_levels + 1
            a, c = counts[off + 1 : off + k], self.totals[off + 1 : off + k]
            miss_x, miss_c = counts[off], self.totals[off]
            n, m = self.n_x - miss_x, (self.n_total - self.n_x) - (miss_c - miss_x)
            values.append(_ks(a, c, n, m) if col.kind in ("numeric", "ordinal") else _chi2(a, c, n, m))
            if self.totals[off] > 0:
                gaps.append(_missing_gap(miss_x, miss_c, self.n_x, self.n_total))
        return np.asarray(values + gaps)


def maxt_adjust(columns, *, n_resamples: int, rng: np.random.Generator, progress=None):
    """(raw p, adjusted p) for the values of each column, then the missing share of those with any missing.

    Raw p-values are the permutation p-values of each statistic over the shared relabellings.
    """
    layout = _Layout(columns)
    observed = layout.statistics(np.arange(layout.n_x))
    null = np.empty((n_resamples, len(observed)))
    for b in range(n_resamples):
        perm = rng.permutation(layout.n_total)
        null[b] = layout.statistics(perm[: layout.n_x])
        if progress is not None:
            progress.update(1)
    tol = 100 * np.finfo(float).eps * np.abs(observed)
    raw = (1 + (null >= observed - tol).sum(axis=0)) / (n_resamples + 1)
    # each relabelling's statistics as p-values within their own column's null (the observed included)
    ranks = np.vstack([observed, null])
    null_p = np.empty_like(null)
    for j in range(ranks.shape[1]):
        ordered = np.sort(ranks[:, j])
        null_p[:, j] = (len(ordered) - np.searchsorted(ordered, null[:, j] - tol[j], side="left")) / (n_resamples + 1)
    return raw, _step_down(raw, null_p)


def _step_down(raw: np.ndarray, null_p: np.ndarray) -> np.ndarray:
    """Westfall-Young minP step-down: successive minima over the hypotheses not yet rejected."""
    order = np.argsort(raw, kind="stable")
    # min over hypotheses order[r:], for every r, for every relabelling
    tail_min = np.minimum.accumulate(null_p[:, order][:, ::-1], axis=1)[:, ::-1]
    adjusted = (1 + (tail_min <= raw[order][None, :] * (1 + 1e-12)).sum(axis=0)) / (null_p.shape[0] + 1)
    adjusted = np.maximum.accumulate(adjusted)
    out = np.empty_like(adjusted)
    out[order] = np.minimum(adjusted, 1.0)
    return out
