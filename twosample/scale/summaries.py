"""Mergeable summaries of one sample's partitions: what the large-data tests are computed from.

Two passes over each sample (:func:`twosample.scale.sources.run_pass`):

* **First pass** (:class:`FirstPass`): per label column the counts per level and missing; per numeric
  column the missing count, minimum, maximum, its distinct values while there are few, and exact
  moments (:mod:`twosample.scale.exact`); optionally the exact cross-products of the numeric columns
  over complete rows (Hotelling); and the rows with the smallest random keys (:class:`KeyedSample`).
* **Second pass** (:class:`SecondPass`): per numeric column the counts per bin, bins whose edges
  were drawn from the pooled keyed sample (label-free); the sums of random Fourier features; the
  counts per bin of a classifier's scores on the rows outside the keyed sample.

Randomness that touches rows comes from a counter-based generator (NumPy's Philox) keyed by the seed
and the sample, at the row's global index (:func:`row_keys`), never from the partition the row
arrives in: the same rows give the same summaries however they are split or spread over workers.
The random numbers are independent of the values and identically distributed in both samples, so the
rows they select (the smallest) are exchangeable between the samples under H0, and bins or
classifiers fitted on them keep the conditional (permutation) nulls of the second pass exact.
"""

from __future__ import annotations

import collections
import dataclasses

import numpy as np
import pandas as pd

from twosample.core.schema import ColumnSpec
from twosample.scale.exact import ExactMoments

__all__ = ["FirstPass", "KeyedSample", "SecondPass", "normalise", "row_keys"]

DISTINCT_CAP = 4096  # distinct values a numeric column may have for its bins to be its values
LEVELS_CAP = 100_000  # levels of a label column beyond which it is not counted (an identifier)


SAMPLES = ("x", "y")


def normalise(frame: pd.DataFrame, specs: tuple[ColumnSpec, ...], label: int = 0) -> pd.DataFrame:
    """The compared columns with one representation per kind: numbers (and booleans) as float64 with
    NaN for missing, labels as ``category`` (so that counts agree across sources). A numeric column
    holding text or infinities in some partition is an error naming it (`label`: 0 for x, 1 for y)."""
    out = {}
    for spec in specs:
        col = frame[spec.name].reset_index(drop=True)
        if spec.kind == "numeric":
            out[spec.name] = _numbers(col, spec.name, SAMPLES[label])
        elif spec.kind == "boolean":
            out[spec.name] = col.astype("category")
        elif isinstance(col.dtype, pd.CategoricalDtype):
            out[spec.name] = col
        elif pd.api.types.is_numeric_dtype(col.dtype):  # numeric codes named categorical
            out[spec.name] = pd.Series(col.to_numpy(dtype=float, na_value=np.nan)).astype("category")
        else:
            out[spec.name] = col.astype("category")
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))


def _numbers(col: pd.Series, name: str, sample: str) -> np.ndarray:
    values = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    text = np.isnan(values) & col.notna().to_numpy()
    if text.any():
        raise ValueError(
            f"column {name!r} is numeric but a partition of `{sample}` holds {col[text].iloc[0]!r}; give the "
            "column one type in every file (or name it in `categorical=`)."
        )
    if np.isinf(values).any():
        raise ValueError(f"column {name!r} holds infinite values in `{sample}`; replace them (or mark them missing).")
    return values


def row_keys(key: int, label: int, start: int, n: int) -> np.ndarray:
    """Random 64-bit integers for rows ``start .. start + n - 1`` of sample `label`: NumPy's counter-based
    Philox generator keyed by ``(key, label)`` at the rows' counter, the same whatever the partitioning."""
    block, skip = divmod(start, 4)  # Philox gives four 64-bit outputs per counter value
    bits = np.random.Philox(key=[key, label], counter=[block, 0, 0, 0])
    return bits.random_raw(n + skip)[skip:]


@dataclasses.dataclass
class KeyedSample:
    """The rows with the ``k`` smallest random keys (all rows tied with the k-th: a set, not an order).

    Mergeable exactly: the union's sample is the sample of the two samples' union.
    """

    k: int
    keys: np.ndarray
    rows: pd.DataFrame
    label: np.ndarray  # 0 for x, 1 for y (set when the two samples' summaries are pooled)

    @classmethod
    def of(cls, frame: pd.DataFrame, keys: np.ndarray, k: int, label: int) -> KeyedSample:
        keep = _smallest(keys, k)
        return cls(k, keys[keep], frame.iloc[keep].reset_index(drop=True), np.full(len(keep), label, np.int8))

    def merge(self, other: KeyedSample) -> KeyedSample:
        keys = np.concatenate([self.keys, other.keys])
        rows = pd.concat([self.rows, other.rows], ignore_index=True)
        label = np.concatenate([self.label, other.label])
        keep = _smallest(keys, self.k)
        order = np.lexsort((label[keep], keys[keep]))  # a canonical order: by key, then sample
        keep = keep[order]
        return KeyedSample(self.k, keys[keep], rows.iloc[keep].reset_index(drop=True), label[keep])

    @property
    def threshold(self) -> int:
        """The largest key kept: rows keyed at most this are in the sample."""
        return int(self.keys.max()) if len(self.keys) else -1


def _smallest(keys: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k smallest random keys and of every key tied with the k-th."""
    if len(keys) <= k:
        return np.arange(len(keys))
    kth = np.partition(keys, k - 1)[k - 1]
    return np.flatnonzero(keys <= kth)


@dataclasses.dataclass
class NumericSummary:
    """One numeric column of one sample: missing count, range, few distinct values, exact moments."""

    missing: int
    low: float
    high: float
    distinct: np.ndarray | None  # None once there are more than DISTINCT_CAP
    moments: ExactMoments

    @classmethod
    def of(cls, values: np.ndarray) -> NumericSummary:
        seen = values[~np.isnan(values)]
        return cls(
            len(values) - len(seen),
            float(seen.min()) if len(seen) else np.inf,
            float(seen.max()) if len(seen) else -np.inf,
            _few_distinct(seen),
            ExactMoments.of(seen[:, None], cross=False),
        )

    def merge(self, other: NumericSummary) -> NumericSummary:
        distinct = None
        if self.distinct is not None and other.distinct is not None:
            distinct = np.union1d(self.distinct, other.distinct)
            distinct = distinct if len(distinct) <= DISTINCT_CAP else None
        return NumericSummary(
            self.missing + other.missing,
            min(self.low, other.low),
            max(self.high, other.high),
            distinct,
            self.moments.merge(other.moments),
        )


def _few_distinct(values: np.ndarray) -> np.ndarray | None:
    """The distinct values if there are at most DISTINCT_CAP, else None (judged on a prefix first:
    continuous columns are told apart without sorting the whole partition)."""
    if len(np.unique(values[: 4 * DISTINCT_CAP])) > DISTINCT_CAP:
        return None
    distinct = np.unique(values)
    return distinct if len(distinct) <= DISTINCT_CAP else None


@dataclasses.dataclass
class LabelSummary:
    """One label column of one sample: counts per level (seen levels only) and the missing count.

    ``counts`` is None once the column has more than LEVELS_CAP levels (an identifier, or free
    text: not a category to count, and a summary that would grow with the rows).
    """

    counts: collections.Counter | None
    missing: int

    @classmethod
    def of(cls, column: pd.Series) -> LabelSummary:
        counts = column.value_counts(dropna=True)
        counts = counts[counts > 0]
        missing = int(column.isna().sum())
        if len(counts) > LEVELS_CAP:
            return cls(None, missing)
        return cls(collections.Counter(dict(zip(counts.index.tolist(), counts.to_numpy().tolist()))), missing)

    def merge(self, other: LabelSummary) -> LabelSummary:
        counts = None
        if self.counts is not None and other.counts is not None:
            counts = self.counts + other.counts
            counts = counts if len(counts) <= LEVELS_CAP else None
        return LabelSummary(counts, self.missing + other.missing)


@dataclasses.dataclass
class FirstSummary:
    rows: int
    columns: dict
    sample: KeyedSample
    joint: ExactMoments | None

    def merge(self, other: FirstSummary) -> FirstSummary:
        return FirstSummary(
            self.rows + other.rows,
            {name: summary.merge(other.columns[name]) for name, summary in self.columns.items()},
            self.sample.merge(other.sample),
            None if self.joint is None else self.joint.merge(other.joint),
        )


@dataclasses.dataclass(frozen=True)
class FirstPass:
    """The first pass over one sample (module docstring); ``joint`` names the numeric columns whose
    cross-products are summed over complete rows (Hotelling), or is empty."""

    specs: tuple
    sample_size: int
    key: int
    label: int
    joint: tuple = ()

    def __call__(self, frame: pd.DataFrame, start: int) -> FirstSummary:
        frame = normalise(frame, self.specs, self.label)
        columns = {}
        for spec in self.specs:
            col = frame[spec.name]
            try:
                columns[spec.name] = (
                    NumericSummary.of(col.to_numpy()) if spec.kind == "numeric" else LabelSummary.of(col)
                )
            except ValueError as exc:
                raise ValueError(f"column {spec.name!r} of `{SAMPLES[self.label]}`: {exc}") from None
        joint = None
        if self.joint:
            values = frame[list(self.joint)].to_numpy(dtype=float)
            joint = ExactMoments.of(values[~np.isnan(values).any(axis=1)])
        if self.sample_size:
            keys = row_keys(self.key, self.label, start, len(frame))
            sample = KeyedSample.of(frame, keys, self.sample_size, self.label)
        else:  # no sample wanted: no keys drawn
            sample = KeyedSample(0, np.zeros(0, np.uint64), frame.iloc[:0], np.zeros(0, np.int8))
        return FirstSummary(len(frame), columns, sample, joint)


@dataclasses.dataclass
class SecondSummary:
    bins: dict  # numeric column -> counts per bin (int64)
    features: object | None  # FeatureSums of the random Fourier features
    scores: np.ndarray | None  # counts per score bin of the rows outside the keyed sample

    def merge(self, other: SecondSummary) -> SecondSummary:
        return SecondSummary(
            {name: counts + other.bins[name] for name, counts in self.bins.items()},
            None if self.features is None else self.features.merge(other.features),
            None if self.scores is None else self.scores + other.scores,
        )


@dataclasses.dataclass(frozen=True)
class SecondPass:
    """The second pass over one sample: bin counts per numeric column (``edges``: column -> sorted
    edges, a value v in bin i when edges[i-1] < v <= edges[i]); optional ``features`` (an object
    mapping a normalised frame to :class:`~twosample.scale.features.FeatureSums`) and ``scorer``
    (mapping a normalised frame and its keys to the counts per score bin)."""

    specs: tuple
    edges: dict
    key: int
    label: int
    features: object | None = None
    scorer: object | None = None

    def __call__(self, frame: pd.DataFrame, start: int) -> SecondSummary:
        frame = normalise(frame, self.specs, self.label)
        bins = {}
        for name, edges in self.edges.items():
            values = frame[name].to_numpy()
            values = values[~np.isnan(values)]
            bins[name] = np.bincount(np.searchsorted(edges, values, side="left"), minlength=len(edges)).astype(np.int64)
        features = None if self.features is None else self.features(frame)
        scores = None if self.scorer is None else self.scorer(frame, row_keys(self.key, self.label, start, len(frame)))
        return SecondSummary(bins, features, scores)
