"""The columns of two tables made ready for comparison: kinds, codes, values and missing counts.

Every column, whatever its kind, also gets integer codes over the pooled rows (numeric: the rank of
its value among the pooled distinct values; labels: the level; -1: missing). A statistic of counts
per code is then one ``bincount`` away for any relabelling of the rows (:mod:`twosample.study._maxt`).
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd

from twosample.categorical.labels import encode_labels
from twosample.core.schema import ColumnSpec, as_frame, looks_like_identifier, table_schema

__all__ = ["Column", "prepare_columns"]


@dataclasses.dataclass(frozen=True)
class Column:
    """One compared column: ``codes`` over the pooled rows (x's rows first; -1 missing) and its levels."""

    spec: ColumnSpec
    codes: np.ndarray  # (n + m,) int64
    n_x: int
    levels: tuple | np.ndarray  # labels: the levels; numeric: the sorted distinct values (codes rank them)
    values: np.ndarray | None = None  # numeric: the pooled values (NaN missing)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def n_levels(self) -> int:
        return int(self.codes.max()) + 1 if (self.codes >= 0).any() else 0

    def split(self, array):
        return array[: self.n_x], array[self.n_x :]

    def missing(self) -> tuple[int, int]:
        mx, my = self.split(self.codes < 0)
        return int(mx.sum()), int(my.sum())

    def counts(self) -> tuple[np.ndarray, np.ndarray]:
        """Observed counts per code in x and in y."""
        cx, cy = self.split(self.codes)
        k = self.n_levels
        return np.bincount(cx[cx >= 0], minlength=k), np.bincount(cy[cy >= 0], minlength=k)

    def observed_values(self) -> tuple[np.ndarray, np.ndarray]:
        vx, vy = self.split(self.values)
        return vx[~np.isnan(vx)], vy[~np.isnan(vy)]


def _numeric(spec, sx: pd.Series, sy: pd.Series) -> Column:
    values = np.concatenate(
        [pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan) for s in (sx, sy)]
    )
    if np.isinf(values).any():
        raise ValueError(f"column {spec.name!r} holds infinite values; replace them (or mark them missing) first.")
    codes = np.full(len(values), -1, dtype=np.int64)
    seen = ~np.isnan(values)
    distinct, codes[seen] = np.unique(values[seen], return_inverse=True)
    return Column(spec, codes, len(sx), distinct, values)


def _labels(spec, sx: pd.Series, sy: pd.Series) -> Column:
    codes, levels = _codes(sx, sy)
    return Column(spec, codes, len(sx), levels)


def _codes(sx: pd.Series, sy: pd.Series):
    """Codes over the shared levels with missing values kept as -1 (what encode_labels does row by row)."""
    keep_x, keep_y = sx.notna().to_numpy(), sy.notna().to_numpy()
    labels = encode_labels(sx[keep_x], sy[keep_y], nan_policy="raise", min_rows=0)
    codes = np.full(len(sx) + len(sy), -1, dtype=np.int64)
    codes[: len(sx)][keep_x] = labels.codes_x
    codes[len(sx) :][keep_y] = labels.codes_y
    return codes, labels.levels


def _identifier(name, sx: pd.Series, sy: pd.Series) -> bool:
    """Whether a categorical column looks like an identifier (warned; judged by hashing, before any sorting)."""
    pooled = pd.concat([sx, sy], ignore_index=True)
    n_levels, n_rows = int(pooled.nunique(dropna=True)), int(pooled.notna().sum())
    if not looks_like_identifier(n_levels, n_rows):
        return False
    warnings.warn(
        f"column {name!r} has {n_levels:,} distinct values in {n_rows:,} rows: it looks like an identifier "
        "and is not compared.",
        UserWarning,
        stacklevel=4,
    )
    return True


def prepare_columns(x, y, *, columns=None, categorical=()) -> tuple[list[Column], list[str]]:
    """The compared columns, and the names of those skipped as identifiers (with a warning)."""
    fx, fy = as_frame(x, "x"), as_frame(y, "y")
    if columns is not None:
        columns = [columns] if isinstance(columns, str) else list(columns)
        missing = [c for c in columns if c not in fx.columns or c not in fy.columns]
        if missing or not columns:
            raise ValueError(f"`columns` must name columns of both tables; not found: {missing or 'no columns given'}.")
        fx, fy = fx[columns], fy[columns]
    out, skipped = [], []
    for spec in table_schema(fx, fy, categorical=categorical):
        sx, sy = fx[spec.name].reset_index(drop=True), fy[spec.name].reset_index(drop=True)
        if spec.kind == "categorical" and _identifier(spec.name, sx, sy):
            skipped.append(spec.name)
            continue
        out.append(_numeric(spec, sx, sy) if spec.kind == "numeric" else _labels(spec, sx, sy))
    if not out:
        raise ValueError("no column is left to compare (every column looks like an identifier).")
    return out, skipped
