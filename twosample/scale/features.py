r"""Row maps of the second pass whose sums are exact: random Fourier features and classifier scores.

Random Fourier features (Rahimi and Recht 2007) :math:`\phi(x) = \cos(W x + b)` approximate a
Gaussian kernel, so the mean-feature difference of two samples is a linear-time MMD. Each feature
is rounded to a grid of :math:`2^{-16}` (an integer in :math:`[-2^{16}, 2^{16}]`; the rounding is
part of the feature map, far below the Monte Carlo error of the approximation itself), so their sums
and cross-products are integers: products of at most :math:`2^{32}` summed over blocks of
:math:`2^{20}` rows stay below :math:`2^{53}` and are exact in a float64 matrix product (BLAS, in
any order), then accumulate in int64. The merged sums are the same however the rows were split.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

__all__ = ["FeatureSums", "FourierFeatures", "ScoreBins", "TableEncoder"]

GRID = 2**16  # features are integers in [-GRID, GRID]
_BLOCK = 2**20  # rows per exact float64 product block
MAX_ROWS = 2**30  # rows per sample for which the int64 sums cannot overflow


@dataclasses.dataclass
class FeatureSums:
    """Rows, sums and cross-products of integer features (exact, mergeable)."""

    n: int
    sums: np.ndarray  # (D,) int64
    products: np.ndarray  # (D, D) int64

    def merge(self, other: FeatureSums) -> FeatureSums:
        return FeatureSums(self.n + other.n, self.sums + other.sums, self.products + other.products)

    def mean(self) -> np.ndarray:
        return self.sums / (self.n * GRID)

    def covariance(self) -> np.ndarray:
        """Unbiased covariance of the features, from exact integers (Python ints: no overflow)."""
        n = self.n
        if n < 2:
            raise ValueError(f"the random Fourier features need 2 or more complete rows in each sample; got {n}.")
        s = [int(v) for v in self.sums]
        d = len(s)
        out = np.empty((d, d))
        for i in range(d):
            for j in range(i, d):
                centred = n * int(self.products[i, j]) - s[i] * s[j]
                out[i, j] = out[j, i] = centred / (n * (n - 1) * GRID * GRID)
        return out


@dataclasses.dataclass(frozen=True)
class FourierFeatures:
    """``cos(((x - centre) / scale) @ weights + phase)`` on the rows complete in ``columns``."""

    columns: tuple
    centre: np.ndarray
    scale: np.ndarray
    weights: np.ndarray  # (d, D)
    phase: np.ndarray  # (D,)

    def integers(self, frame: pd.DataFrame) -> np.ndarray:
        values = frame[list(self.columns)].to_numpy(dtype=float)
        values = values[~np.isnan(values).any(axis=1)]
        standard = (values - self.centre) / self.scale
        projection = np.broadcast_to(self.phase, (len(values), len(self.phase))).copy()
        for j in range(standard.shape[1]):  # a fixed order of element-wise products: the same bits for any
            projection += standard[:, j : j + 1] * self.weights[j]  # number of rows (BLAS's may not be)
        return np.rint(np.cos(projection) * GRID)

    def __call__(self, frame: pd.DataFrame) -> FeatureSums:
        q = self.integers(frame)
        dim = q.shape[1]
        products = np.zeros((dim, dim), dtype=np.int64)
        for start in range(0, len(q), _BLOCK):
            block = q[start : start + _BLOCK]
            products += np.rint(block.T @ block).astype(np.int64)
        return FeatureSums(len(q), q.sum(axis=0).astype(np.int64), products)


@dataclasses.dataclass(frozen=True)
class ScoreBins:
    """Counts per score bin of a fitted classifier on the rows outside the keyed sample
    (key above ``threshold``); ``encode`` maps a normalised frame to the classifier's features."""

    model: object
    encode: object
    threshold: int
    edges: np.ndarray

    def __call__(self, frame: pd.DataFrame, keys: np.ndarray) -> np.ndarray:
        held_out = keys.astype(np.uint64) > np.uint64(self.threshold)
        counts = np.zeros(len(self.edges), dtype=np.int64)
        if held_out.any():
            scores = self.model.predict_proba(self.encode(frame[held_out]))[:, 1]
            counts += np.bincount(np.searchsorted(self.edges, scores, side="left"), minlength=len(self.edges))
        return counts


@dataclasses.dataclass(frozen=True)
class TableEncoder:
    """A normalised frame as a classifier's features: numbers as they are (NaN kept: the trees route
    missing values), labels as codes over fixed ``levels`` (column -> tuple, the most frequent pooled
    levels; any other level one code more, missing the next)."""

    numeric: tuple
    levels: dict

    @property
    def categorical_mask(self) -> np.ndarray:
        return np.array([False] * len(self.numeric) + [True] * len(self.levels))

    def __call__(self, frame: pd.DataFrame) -> np.ndarray:
        blocks = [frame[name].to_numpy(dtype=float) for name in self.numeric]
        for name, levels in self.levels.items():
            codes = pd.Categorical(frame[name], categories=list(levels)).codes.astype(float)
            other = ~frame[name].isna().to_numpy() & (codes < 0)
            codes[other] = len(levels)
            codes[codes < 0] = len(levels) + 1
            blocks.append(codes)
        return np.column_stack(blocks) if blocks else np.zeros((len(frame), 0))
