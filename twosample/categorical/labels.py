"""Labels at the boundary: two samples of categories as codes over one shared, ordered set of levels.

The levels are the pooled distinct values, sorted (numbers numerically, strings alphabetically;
an ordered pandas ``Categorical`` keeps its own order), so codes do not depend on the order of the
rows. Missing values (``None``, ``NaN``, ``pd.NA``, ``NaT``) are code -1; ``nan_policy`` says what a
test does with them.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from twosample.core.validation import check_nan_policy, match_columns

__all__ = ["Labels", "encode_labels"]


@dataclasses.dataclass(frozen=True)
class Labels:
    """Two samples as codes into ``levels`` (-1: missing)."""

    codes_x: np.ndarray
    codes_y: np.ndarray
    levels: tuple
    ordered: bool

    @property
    def has_missing(self) -> bool:
        return bool((self.codes_x < 0).any() or (self.codes_y < 0).any())

    def counts(self) -> tuple[np.ndarray, np.ndarray]:
        """Counts per level in ``x`` and in ``y`` (missing values not counted)."""
        k = len(self.levels)
        a = np.bincount(self.codes_x[self.codes_x >= 0], minlength=k)
        b = np.bincount(self.codes_y[self.codes_y >= 0], minlength=k)
        return a.astype(np.int64), b.astype(np.int64)


def _as_series(values, name: str) -> pd.Series:
    if values is None:
        raise TypeError(f"`{name}` is required, got None.")
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise ValueError(
                f"`{name}` has {values.shape[1]} columns; categorical tests take one column of labels "
                "(compare tables column by column with twosample.compare)."
            )
        values = values.iloc[:, 0]
    if isinstance(values, pd.Series):
        return values.reset_index(drop=True)
    if isinstance(values, pd.Categorical):
        return pd.Series(values)
    arr = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"`{name}` must be one column of labels (1-D), got shape {arr.shape}.")
    return pd.Series(arr, dtype=object if arr.dtype.kind in "OUS" else arr.dtype)


def _sort_key(value):
    """Numbers before strings, each in their natural order (a mixed set still sorts)."""
    if isinstance(value, (bool, np.bool_, int, float, np.integer, np.floating)):
        return (0, float(value), "")
    return (1, 0.0, str(value))


def _levels(sx: pd.Series, sy: pd.Series) -> tuple[tuple, bool]:
    """The shared levels (and whether they are ordered): an ordered Categorical's order, else sorted."""
    for s in (sx, sy):
        if isinstance(s.dtype, pd.CategoricalDtype) and s.dtype.ordered:
            other = sy if s is sx else sx
            cats = list(s.dtype.categories)
            extra = set(other.dropna().unique()) - set(cats)
            if extra:
                raise ValueError(
                    f"the ordered categories of one sample do not include {sorted(map(str, extra))[:5]} seen in "
                    "the other; give both samples the same ordered categories."
                )
            return tuple(cats), True
    seen = pd.unique(pd.concat([sx.dropna(), sy.dropna()], ignore_index=True))
    return tuple(sorted(np.asarray(seen, dtype=object), key=_sort_key)), False


def _label_kind(s: pd.Series) -> str:
    """'numbers', 'text', or '' (mixed or empty), judged on the distinct values only."""
    values = pd.unique(s.dropna())  # hashing first: the type checks below see each distinct value once
    numeric = [isinstance(v, (bool, np.bool_, int, float, np.integer, np.floating)) for v in values]
    return "numbers" if numeric and all(numeric) else "text" if numeric and not any(numeric) else ""


def _check_same_kind(sx: pd.Series, sy: pd.Series) -> None:
    kinds = [_label_kind(sx), _label_kind(sy)]
    if kinds[0] and kinds[1] and kinds[0] != kinds[1]:
        raise ValueError(f"`x` holds {kinds[0]} and `y` holds {kinds[1]}: give both samples labels of one kind.")


def encode_labels(x, y, *, nan_policy: str = "raise", min_rows: int = 1) -> Labels | None:
    """`x` and `y` as codes over their shared levels; None when ``nan_policy="propagate"`` meets a missing value.

    ``"raise"``: a missing value is an error naming the sample and the row; ``"omit"``: missing
    rows are dropped from each sample; ``"propagate"``: the caller returns a NaN result.
    """
    check_nan_policy(nan_policy)
    y = match_columns(x, y)  # two one-column DataFrames must name the same column
    sx, sy = _as_series(x, "x"), _as_series(y, "y")
    for s, name in ((sx, "x"), (sy, "y")):
        missing = s.isna().to_numpy()
        if missing.any():
            if nan_policy == "propagate":
                return None
            if nan_policy == "raise":
                row = int(np.flatnonzero(missing)[0])
                raise ValueError(
                    f"`{name}` contains missing values (first at row {row}); pass nan_policy='omit' to drop them "
                    "or nan_policy='propagate' for a NaN result."
                )
    if nan_policy == "omit":
        sx, sy = sx.dropna().reset_index(drop=True), sy.dropna().reset_index(drop=True)
    for s, name in ((sx, "x"), (sy, "y")):
        if len(s) < min_rows:
            after = " after omitting missing values" if nan_policy == "omit" else ""
            raise ValueError(f"`{name}` needs at least {min_rows} observations{after}, got {len(s)}.")
    _check_same_kind(sx, sy)
    levels, ordered = _levels(sx, sy)
    codes = _codes_of(pd.concat([sx, sy], ignore_index=True), levels)
    return Labels(codes[: len(sx)], codes[len(sx) :], levels, ordered)


def _codes_of(pooled: pd.Series, levels: tuple) -> np.ndarray:
    """Codes of the pooled labels into `levels` by hashing (pd.factorize), then one remap of the few distinct."""
    codes, uniques = pd.factorize(pooled)
    position = pd.Index(levels, dtype=object).get_indexer(pd.Index(uniques, dtype=object))
    out = np.full(len(codes), -1, dtype=np.int64)
    seen = codes >= 0
    out[seen] = position[codes[seen]]
    return out
