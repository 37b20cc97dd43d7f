r"""Pair-wise dependence of two tables: does each pair of columns depend on each other alike in both?

For every pair of compared columns (:func:`~twosample.study._columns.prepare_columns`) one measure
of dependence is computed in each table, and the statistic is the absolute difference between the
two tables' values:

* numeric x numeric: Pearson's correlation on the rows where both are present;
* label x label (categorical, boolean, ordinal; missing is a level of its own; at most
  :data:`MAX_LEVELS` levels, the rarer pooled ones merged): Cramer's V of the contingency table;
* numeric x label: the correlation ratio :math:`\eta` (the share of the numeric column's variance
  explained by the label's groups, square-rooted) on the rows where the number is present.

Every measure is a function of sums over rows, so one relabelling of the pooled rows (x's share of
them drawn at random, as a 0/1 mask) gives every pair's statistic through one matrix product. The
null is that relabelling: exact under H0 (the two tables' rows are draws of one law), whatever the
columns' laws; no normality is assumed (a Fisher-z test of correlations would need it). The
family is corrected by the Westfall-Young maxT step-down over the shared relabellings
(:func:`~twosample.study._maxt.step_down` on statistics standardized by their own null), so the
family-wise error is at most alpha whatever the dependence between pairs, and the family's
p-value is the smallest adjusted one (that of the worst pair).
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pandas as pd
from scipy import sparse

from twosample.study._columns import prepare_columns
from twosample.study._maxt import _canonical_rows, standardized, step_down

__all__ = ["MAX_LEVELS", "pair_dependence"]

MAX_LEVELS = 20  # levels a label column keeps for its contingency tables (the rest pooled as one)
_BATCH_CELLS = 2**22  # relabellings x features per matrix product (32 MB of float64 a sample)


@dataclasses.dataclass(frozen=True)
class _Pair:
    a: str
    b: str
    measure: str
    start: int  # its features' columns in the feature matrix
    stop: int
    shape: tuple  # label x label: (levels of a, levels of b); numeric x label: (levels,)


def _labels(column) -> np.ndarray:
    """Codes 0..K-1 with missing as a level of its own and at most MAX_LEVELS levels."""
    codes = np.where(column.codes < 0, column.codes.max() + 1, column.codes)
    counts = np.bincount(codes)
    keep = np.argsort(-counts, kind="stable")[: MAX_LEVELS - 1] if len(counts) > MAX_LEVELS else np.arange(len(counts))
    remap = np.full(len(counts), len(keep))
    remap[keep] = np.arange(len(keep))
    codes = remap[codes]
    return np.unique(codes, return_inverse=True)[1]  # levels that exist, numbered densely


def _numeric(column) -> tuple[np.ndarray, np.ndarray]:
    """(standardized values with 0 where missing, present mask as float)."""
    values = column.values
    present = ~np.isnan(values)
    seen = values[present]
    spread = seen.std() if len(seen) else 0.0
    out = np.where(present, (values - (seen.mean() if len(seen) else 0.0)) / (spread if spread > 0 else 1.0), 0.0)
    return out, present.astype(float)


def _features(columns):
    """(feature matrix (N, F), pairs): the per-row terms whose sums give every pair's measure."""
    prepared = {c.name: ("numeric", _numeric(c)) if c.kind == "numeric" else ("label", _labels(c)) for c in columns}
    blocks, pairs, width = [], [], 0
    for a, b in itertools.combinations([c.name for c in columns], 2):
        (kind_a, da), (kind_b, db) = prepared[a], prepared[b]
        if kind_a == "label" and kind_b == "numeric":
            a, b, (kind_a, da), (kind_b, db) = b, a, (kind_b, db), (kind_a, da)
        block, measure, shape = _pair_block(kind_a, da, kind_b, db)
        if block is None:
            continue
        blocks.append(block)
        pairs.append(_Pair(a, b, measure, width, width + block.shape[1], shape))
        width += block.shape[1]
    return (sparse.hstack(blocks, format="csc") if blocks else None), pairs


def _pair_block(kind_a, da, kind_b, db):
    """(per-row terms, measure name, shape) of one pair; None for a pair with a constant label."""
    if kind_a == "numeric" and kind_b == "numeric":
        (va, pa), (vb, pb) = da, db
        w = pa * pb
        block = np.column_stack([w, w * va, w * vb, w * va * va, w * vb * vb, w * va * vb])
        return sparse.csr_matrix(block), "correlation", ()
    if kind_a == "numeric":
        (v, present), codes = da, db
        k = int(codes.max()) + 1
        if k < 2:
            return None, "", ()
        onehot = _one_hot(codes, k, present)
        blocks = [onehot, onehot.multiply(v[:, None]), onehot.multiply((v * v)[:, None])]
        return sparse.hstack(blocks, format="csr"), "correlation ratio", (k,)
    ka, kb = int(da.max()) + 1, int(db.max()) + 1
    if ka < 2 or kb < 2:
        return None, "", ()
    return _one_hot(da * kb + db, ka * kb, np.ones(len(da))), "cramers V", (ka, kb)


def _one_hot(codes: np.ndarray, width: int, weights: np.ndarray):
    """A sparse (N, width) matrix with `weights` at (row, code): a contingency table is one product away."""
    rows = np.arange(len(codes))
    return sparse.csr_matrix((weights, (rows, codes)), shape=(len(codes), width))


def _measure(pair: _Pair, sums: np.ndarray) -> np.ndarray:
    """The pair's measure in each row of `sums` (one row per relabelling: the sums over one sample's rows)."""
    s = sums[:, pair.start : pair.stop]
    with np.errstate(invalid="ignore", divide="ignore"):
        if pair.measure == "correlation":
            n, sa, sb, saa, sbb, sab = s.T
            cov, var_a, var_b = sab - sa * sb / n, saa - sa * sa / n, sbb - sb * sb / n
            out = cov / np.sqrt(var_a * var_b)
        elif pair.measure == "correlation ratio":
            n_k, s_k, q_k = np.split(s, 3, axis=1)
            n, total = n_k.sum(1), s_k.sum(1)
            between = (s_k**2 / np.where(n_k > 0, n_k, 1)).sum(1) - total**2 / n
            out = np.sqrt(np.clip(between / (q_k.sum(1) - total**2 / n), 0, 1))
        else:
            out = _cramers_v(s.reshape(len(s), *pair.shape))
    return np.nan_to_num(out, nan=0.0)


def _cramers_v(tables: np.ndarray) -> np.ndarray:
    """Cramer's V of each (ka, kb) table, over the levels of the pooled rows (fixed across relabellings)."""
    n = tables.sum((1, 2))
    expected = tables.sum(2)[:, :, None] * tables.sum(1)[:, None, :] / n[:, None, None]
    chi2 = np.where(expected > 0, (tables - expected) ** 2 / np.where(expected > 0, expected, 1), 0).sum((1, 2))
    return np.sqrt(chi2 / n / (min(tables.shape[1:]) - 1))


def _differences(features, totals, pairs, masks) -> np.ndarray:
    """|measure in x - measure in y| of every pair (columns) for each relabelling mask (rows)."""
    sums_x = (features.T @ masks.T).T  # sparse features: memory of the pairs' cells, not rows x cells
    sums_y = totals[None, :] - sums_x
    return np.column_stack([np.abs(_measure(p, sums_x) - _measure(p, sums_y)) for p in pairs])


def pair_dependence(x, y, *, n_resamples=999, alpha=0.05, rng=None) -> pd.DataFrame:
    """One row per pair of columns (module docstring): its measure in `x` and `y`, the absolute difference,
    its permutation p-value, its maxT-adjusted p-value and ``reject``; worst pair first.

    `x` and `y` are tables with the same columns; `rng` a Generator. No pair (one column, or only constant
    labels) gives an empty frame.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.normal(size=(2, 300))
    >>> x = pd.DataFrame({"a": a, "b": a + rng.normal(size=300), "c": rng.choice(["u", "v"], 300)})
    >>> y = pd.DataFrame({"a": b, "b": -b + rng.normal(size=300), "c": rng.choice(["u", "v"], 300)})
    >>> frame = pair_dependence(x, y, rng=rng)
    >>> frame.loc[0, ["a", "b", "measure"]].tolist(), bool(frame.loc[0, "reject"])
    (['a', 'b', 'correlation'], True)
    """
    columns, _ = prepare_columns(x, y)
    features, pairs = _features(_canonical_rows(columns))
    out = ["a", "b", "measure", "value_x", "value_y", "difference", "pvalue", "p_adjusted", "reject"]
    if not pairs:
        return pd.DataFrame(columns=out)
    n_x, n_total = columns[0].n_x, features.shape[0]
    totals = np.asarray(features.sum(0)).ravel()
    first = np.zeros((1, n_total))
    first[0, :n_x] = 1
    sums_x = (features.T @ first.T).T
    value_x = np.array([_measure(p, sums_x)[0] for p in pairs])
    value_y = np.array([_measure(p, totals[None, :] - sums_x)[0] for p in pairs])
    observed = _differences(features, totals, pairs, first)[0]
    null = np.empty((n_resamples, len(pairs)))
    batch = max(1, min(256, _BATCH_CELLS // features.shape[1]))
    for start in range(0, n_resamples, batch):
        size = min(batch, n_resamples - start)
        picks = np.argsort(rng.random((size, n_total)), axis=1)[:, :n_x]
        masks = np.zeros((size, n_total))
        np.put_along_axis(masks, picks, 1.0, axis=1)
        null[start : start + size] = _differences(features, totals, pairs, masks)
    tol = 100 * np.finfo(float).eps * np.maximum(observed, 1.0)
    raw = (1 + (null >= observed - tol).sum(0)) / (n_resamples + 1)
    z_observed, z_null = standardized(observed, null)
    adjusted = step_down(z_observed, z_null)
    frame = pd.DataFrame(
        {
            "a": [p.a for p in pairs],
            "b": [p.b for p in pairs],
            "measure": [p.measure for p in pairs],
            "value_x": value_x,
            "value_y": value_y,
            "difference": observed,
            "pvalue": raw,
            "p_adjusted": adjusted,
            "reject": adjusted <= alpha,
            "_z": z_observed,
        }
    )
    return frame.sort_values(["p_adjusted", "_z"], ascending=[True, False], kind="stable")[out].reset_index(drop=True)
