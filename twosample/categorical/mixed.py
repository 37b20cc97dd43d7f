"""Tests on a whole mixed table (numeric, boolean, categorical columns, missing values).

Both encode the table with label-free rules taken from the pooled rows (so relabelling the rows
leaves the encoding unchanged and the nulls stay exact), then reuse a test of the house:

* ``c2st-mixed``: the classifier two-sample test with scikit-learn's
  ``HistGradientBoostingClassifier``, categorical columns as native categorical features (at most
  254 levels each: the 254 most frequent pooled levels, the rest pooled as one), numeric missing
  values imputed by the pooled median with a missing indicator beside;
* ``mmd-mixed``: the MMD permutation test with a Gaussian kernel on standardized numeric columns
  and one-hot categories scaled by 1/sqrt(2), i.e. a product of a Gaussian kernel on the numbers
  and a delta kernel on each category (two rows differing in one category are at squared
  distance 1, like two rows one pooled standard deviation apart); missing values are a level of
  their own (categories) or imputed at the pooled mean with an indicator (numbers).
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier

from twosample.categorical.labels import encode_labels
from twosample.core.result import TestResult
from twosample.core.schema import as_frame, table_schema
from twosample.core.spec import register
from twosample.core.validation import scale_exponent, seeded_rng
from twosample.kernel.mmd import mmd_test
from twosample.learned.classifier_tests import c2st_test

__all__ = ["c2st_mixed_test", "encode_table", "mmd_mixed_test"]

HGB_MAX_LEVELS = 254  # HistGradientBoosting's native categories (one more bin is kept for missing)
ONE_HOT_MAX_LEVELS = 50


def _top_codes(codes: np.ndarray, limit: int) -> np.ndarray:
    """Codes with levels beyond the `limit` - 1 most frequent pooled ones merged into one (-1 stays)."""
    seen = codes >= 0
    counts = np.bincount(codes[seen])
    if len(counts) <= limit:
        return codes
    keep = np.argsort(-counts, kind="stable")[: limit - 1]
    remap = np.full(len(counts), limit - 1)
    remap[keep] = np.arange(limit - 1)
    out = codes.copy()
    out[seen] = remap[codes[seen]]
    return out


def _numeric_block(values: np.ndarray, *, centre, standardise: bool) -> list[np.ndarray]:
    missing = np.isnan(values)
    filled = np.where(missing, centre(values[~missing]) if (~missing).any() else 0.0, values)
    block = [_standardised(filled) if standardise else filled]
    return block + ([missing.astype(float)] if missing.any() else [])


def _standardised(values: np.ndarray) -> np.ndarray:
    """(values - mean) / sd, through a power of two (exact) so that 1e300 or 1e-300 neither overflows nor underflows;
    a constant column stays centred."""
    centred = values - values.mean()
    scaled = np.ldexp(centred, -scale_exponent(centred))
    spread = scaled.std()
    return scaled / spread if spread > 0 else scaled


def encode_table(x, y, *, categorical=(), one_hot: bool):
    """(X, Y, categorical mask) from two tables: numbers for a test of the house (module docstring)."""
    fx, fy = as_frame(x, "x"), as_frame(y, "y")
    specs = table_schema(fx, fy, categorical=categorical)
    n_x, blocks, is_cat = len(fx), [], []
    for spec in specs:
        sx, sy = fx[spec.name].reset_index(drop=True), fy[spec.name].reset_index(drop=True)
        if spec.kind == "numeric":
            values = np.concatenate([pd.to_numeric(s).to_numpy(dtype=float, na_value=np.nan) for s in (sx, sy)])
            new = _numeric_block(values, centre=np.mean if one_hot else np.median, standardise=one_hot)
            blocks += new
            is_cat += [False] * len(new)
            continue
        keep_x, keep_y = sx.notna().to_numpy(), sy.notna().to_numpy()
        labels = encode_labels(sx[keep_x], sy[keep_y], min_rows=0)
        codes = np.full(len(sx) + len(sy), -1, dtype=np.int64)
        codes[:n_x][keep_x], codes[n_x:][keep_y] = labels.codes_x, labels.codes_y
        if one_hot:
            codes = _top_codes(codes, ONE_HOT_MAX_LEVELS)
            levels = np.unique(codes)  # missing (-1) is a level of its own
            blocks += [(codes == lv).astype(float) / np.sqrt(2) for lv in levels]
            is_cat += [False] * len(levels)
        else:
            codes = _top_codes(codes, HGB_MAX_LEVELS)
            blocks.append(np.where(codes < 0, HGB_MAX_LEVELS, codes).astype(float))  # missing: its own category
            is_cat.append(True)
    pooled = np.column_stack(blocks)
    return pooled[:n_x], pooled[n_x:], np.array(is_cat)


@register(
    "c2st-mixed",
    description="C2ST with gradient-boosted trees on a mixed table (native categories, missing values)",
    kinds=("numeric", "categorical"),
)
def c2st_mixed_test(
    x,
    y,
    *,
    categorical=(),
    null: Literal["binomial", "permutation"] = "binomial",
    alpha=0.05,
    n_resamples=999,
    rng=None,
):
    r"""Classifier two-sample test of two mixed tables (gradient-boosted trees).

    Parameters
    ----------
    x, y : pandas.DataFrame or array_like, shape (n, d) and (m, d)
        Tables with the same columns: numeric, boolean, categorical or ordinal,
        missing values allowed.
    categorical : list of str, default ()
        Numeric columns that are codes (treated as categories).
    null : {"binomial", "permutation"}, default "binomial"
        As in :func:`~twosample.c2st_test` (held-out accuracy).
    alpha, n_resamples, rng
        As in :func:`~twosample.c2st_test`.

    Returns
    -------
    C2STResult
        With ``test="c2st-mixed"``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from twosample import c2st_mixed_test
    >>> rng = np.random.default_rng(0)
    >>> x = pd.DataFrame({"a": rng.normal(size=400), "c": rng.choice(["u", "v"], 400)})
    >>> y = pd.DataFrame({"a": rng.normal(size=400), "c": rng.choice(["u", "v"], 400, p=[0.8, 0.2])})
    >>> c2st_mixed_test(x, y, rng=0).reject
    True
    """
    big_x, big_y, is_cat = encode_table(x, y, categorical=categorical, one_hot=False)
    generator, seed = seeded_rng(rng)
    model = HistGradientBoostingClassifier(
        categorical_features=is_cat if is_cat.any() else None, random_state=int(generator.integers(2**31))
    )
    res = c2st_test(big_x, big_y, classifier=model, null=null, alpha=alpha, n_resamples=n_resamples, rng=generator)
    return dataclasses.replace(res, test="c2st-mixed", seed=seed)


@register(
    "mmd-mixed",
    description="MMD with a Gaussian x delta product kernel on a mixed table (missing values as information)",
    kinds=("numeric", "categorical"),
)
def mmd_mixed_test(x, y, *, categorical=(), alpha=0.05, n_resamples=1999, batch=None, rng=None, early_stop=False):
    r"""MMD permutation test of two mixed tables (Gaussian kernel on numbers x delta kernel on categories).

    Parameters
    ----------
    x, y : pandas.DataFrame or array_like, shape (n, d) and (m, d)
        As in :func:`c2st_mixed_test`.
    categorical : list of str, default ()
        Numeric columns that are codes.
    alpha, n_resamples, batch, rng, early_stop
        As in :func:`~twosample.mmd_test` (median bandwidth of the encoded rows).

    Returns
    -------
    TestResult
        With ``test="mmd-mixed"``.
    """
    big_x, big_y, _ = encode_table(x, y, categorical=categorical, one_hot=True)
    generator, seed = seeded_rng(rng)
    res = mmd_test(
        big_x, big_y, alpha=alpha, n_resamples=n_resamples, batch=batch, rng=generator, early_stop=early_stop
    )
    # A plain TestResult: the kernel test's witness would be on the one-hot encoded rows, not on the table's.
    return TestResult.extend(res, test="mmd-mixed", seed=seed)
