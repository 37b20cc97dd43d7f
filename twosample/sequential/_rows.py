"""The boundary of a stream of batches: what every batch must share with the first one.

Fixed at the first rows seen (the reference of a detector, the first update of a sequential
test): the width and the column names when the rows came as a DataFrame (every DataFrame is
matched by name, never by position, and read in sorted column order). Fixed from rows that do
not depend on how the stream is batched (the reference; a sequential test's burn-in pairs): an affine map
``(z - centre) * 2**-shift`` that brings data of any magnitude or offset to where a Gaussian
kernel's squared distances (one matrix product, ``|a|^2 + |b|^2 - 2ab``) neither overflow,
underflow nor cancel. The bettors and the detector's kernel are translation invariant and a
power-of-two scale is exact, so the map changes no payoff beyond rounding while 1e300, 1e-300 or
an offset of 1e8 compute like scale 1. A sequential test's map is a symmetric function of its
burn-in pairs, so each payoff stays antisymmetric in its pair under H0: validity is untouched.
"""

from __future__ import annotations

import math

import numpy as np

from twosample.core.validation import check_sample, match_columns, scale_exponent

__all__ = ["StreamRows"]


def _is_frame(value) -> bool:
    return hasattr(value, "columns") and hasattr(value, "to_numpy") and getattr(value, "ndim", 0) == 2


def _sorted(columns) -> list:
    """Column names in sorted order (as given when they cannot be sorted), so that the order in which a stream's
    frames list their columns changes nothing, not even the rounding."""
    try:
        return sorted(columns)
    except TypeError:
        return list(columns)


class StreamRows:
    """Validates each batch of a stream against the first one (see the module notes)."""

    def __init__(self):
        self.template = None  # a zero-row DataFrame with the first frame's columns, or None
        self.width = None
        self.centre = None
        self.shift = 0
        self.first = "the first rows"  # how errors name what fixed the width

    @property
    def fixed(self) -> bool:
        return self.width is not None

    def raw(self, value, name: str, *, min_rows: int = 1) -> np.ndarray:
        """`value` as validated rows in the user's units, its DataFrame columns matched to the first frame's."""
        if _is_frame(value):
            if self.template is None and self.width is None:  # the first rows: their names, in sorted order
                self.template = value.iloc[:0][_sorted(value.columns)]
            if self.template is not None:
                value = match_columns(self.template, value, name)
        rows = np.ascontiguousarray(check_sample(value, name, min_rows=min_rows))  # one layout, one rounding
        if self.width is not None and rows.shape[1] != self.width:
            raise ValueError(f"`{name}` has {rows.shape[1]} columns; {self.first} had {self.width}.")
        return rows

    def fix(self, rows: np.ndarray) -> None:
        """Fix the width from the first rows (read by :meth:`raw`, which fixed the column names if any)."""
        self.width = rows.shape[1]

    @property
    def mapped(self) -> bool:
        return self.centre is not None

    def fix_map(self, rows: np.ndarray) -> None:
        """Fix the map ``(z - centre) * 2**-shift`` from `rows` (their mean, else median, and magnitude)."""
        with np.errstate(over="ignore", invalid="ignore"):
            centre = rows.mean(axis=0)
        self.centre = centre if np.isfinite(centre).all() else np.median(rows, axis=0)
        self.shift = scale_exponent(rows - self.centre)

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        """Rows through the map fixed by :meth:`fix`."""
        return np.ldexp(rows - self.centre, -self.shift)

    def length(self, value: float) -> float:
        """A length in the user's units (a bandwidth) in the mapped units."""
        return math.ldexp(value, -self.shift)
