r"""Exact sums of floats and of their products: moments that do not depend on how rows are split.

A floating-point sum depends on the order of its terms, so the mean of a column summed partition by
partition differs in its last bits with the partitioning. Here every sum is exact: a finite double is
:math:`x = M 2^{s - 1126}` with an integer :math:`|M| < 2^{53}` and :math:`0 \le s < 2^{11}`, and the sum
of a partition is the Python integer :math:`\sum M 2^{s}` (in units of :math:`2^{-1126}`), formed by
two ``bincount`` calls over the 2,098 possible shifts (the mantissa cut into 27 high and 26 low bits,
whose per-shift sums stay below :math:`2^{53}` and so are exact in float64 for up to
:math:`2^{26}` rows per call). Integers add exactly, so merging partitions in any order gives the same
sum, and a statistic computed from the merged sums is the same number however the rows were split.

A product :math:`x y` is the exact pair ``(p, e)`` with ``p = fl(x y)`` and :math:`x y = p + e`
(Dekker's product through Veltkamp's split), so sums of squares and cross-products are exact too
(values beyond about 1.3e154, whose squares overflow, are refused, and so are nonzero values below
about 3e-151, whose products' error terms would fall below the smallest subnormal). The variance is then
formed in exact rational arithmetic and rounded once: no cancellation, however large the mean.
"""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction

import numpy as np

__all__ = ["ExactMoments", "exact_products", "exact_sum", "to_float"]

_UNIT = 1126  # a sum N stands for N * 2**-1126 (the smallest subnormal is 2**52 * 2**-1126)
_SHIFTS = 2098  # frexp exponents -1073..1024 map to shifts 0..2097
_TINY = 2.0**-500  # below this, a product's error term falls under the smallest subnormal
_CHUNK = 2**26  # rows per bincount whose per-shift sums of 27-bit halves stay exact below 2**53
_SPLIT = 134217729.0  # 2**27 + 1, Veltkamp's constant for float64


def exact_sum(values: np.ndarray) -> int:
    """The exact sum of the finite float64 `values`, as an integer in units of 2**-1126."""
    values = np.asarray(values, dtype=np.float64).ravel()
    total = 0
    for start in range(0, len(values), _CHUNK):
        total += _chunk_sum(values[start : start + _CHUNK])
    return total


def _chunk_sum(values: np.ndarray) -> int:
    mantissa, exponent = np.frexp(values)
    whole = (mantissa * 2.0**53).astype(np.int64)  # exact: |whole| < 2**53
    high = whole >> 26  # floor division, so low is in [0, 2**26)
    low = whole - (high << 26)
    shift = exponent.astype(np.int64) + 1073
    sum_high = np.bincount(shift, weights=high.astype(np.float64), minlength=_SHIFTS)
    sum_low = np.bincount(shift, weights=low.astype(np.float64), minlength=_SHIFTS)
    total = 0
    for s in np.flatnonzero((sum_high != 0) | (sum_low != 0)):
        total += ((int(sum_high[s]) << 26) + int(sum_low[s])) << int(s)
    return total


def to_float(value: int | Fraction) -> float:
    """An exact sum (units of 2**-1126) or a Fraction of such sums, correctly rounded to a float
    (infinite beyond the largest float, as NumPy's sums)."""
    value = Fraction(value) / (1 << _UNIT)
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def exact_products(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(p, e)`` with ``p + e == x * y`` exactly (Dekker's product; Veltkamp's split); non-finite where
    the product overflows (the caller refuses it)."""
    with np.errstate(over="ignore", invalid="ignore"):
        p = x * y
        xh, xl = _split(x)
        yh, yl = _split(y)
        e = ((xh * yh - p) + xh * yl + xl * yh) + xl * yl
    return p, e


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    c = _SPLIT * a
    high = c - (c - a)
    return high, a - high


@dataclasses.dataclass
class ExactMoments:
    """Row count, exact sums and exact sums of cross-products of d columns (complete rows only).

    Mergeable: ``a.merge(b)`` is the moments of the union of the rows, exactly.
    """

    n: int
    sums: list  # d exact sums
    products: dict  # (i, j) with i <= j -> exact sum of x_i x_j

    @classmethod
    def of(cls, rows: np.ndarray, *, cross: bool = True) -> ExactMoments:
        """Moments of the rows (n, d); ``cross=False`` keeps only the squares."""
        rows = np.asarray(rows, dtype=np.float64)
        if ((rows != 0) & (np.abs(rows) < _TINY)).any():
            raise ValueError(
                "values below about 3e-151 in absolute value (other than 0) lose their products to underflow; "
                "rescale the column."
            )
        d = rows.shape[1]
        sums = [exact_sum(rows[:, i]) for i in range(d)]
        pairs = [(i, j) for i in range(d) for j in range(i, d) if cross or i == j]
        products = {}
        for i, j in pairs:
            p, e = exact_products(rows[:, i], rows[:, j])
            if not (np.isfinite(p).all() and np.isfinite(e).all()):
                raise ValueError(
                    "values beyond about 1.3e154 in absolute value overflow their squares; rescale the column."
                )
            products[(i, j)] = exact_sum(p) + exact_sum(e)
        return cls(len(rows), sums, products)

    def merge(self, other: ExactMoments) -> ExactMoments:
        return ExactMoments(
            self.n + other.n,
            [a + b for a, b in zip(self.sums, other.sums)],
            {key: value + other.products[key] for key, value in self.products.items()},
        )

    def mean(self) -> np.ndarray:
        return np.array([to_float(Fraction(s, self.n)) for s in self.sums])

    def covariance(self) -> np.ndarray:
        """The unbiased covariance (ddof 1), each entry exact before its one rounding."""
        d, n = len(self.sums), self.n
        out = np.full((d, d), np.nan)
        if n < 2:
            return out
        for (i, j), sxy in self.products.items():
            # (sum xy - sum x sum y / n) / (n - 1) in units of 2**-1126 (a product of two sums is in 2**-2252)
            centred = Fraction(sxy) - Fraction(self.sums[i] * self.sums[j], n << _UNIT)
            out[i, j] = out[j, i] = to_float(centred / (n - 1))
        return out

    def variance(self) -> np.ndarray:
        return np.diag(self.covariance())
