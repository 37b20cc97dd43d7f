"""The passes of a large-data test: open the sources, decide the kinds, run the first and second passes.

Shared by every test of :mod:`twosample.scale.tests` and by :func:`twosample.scale.compare`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import warnings

import numpy as np
import pandas as pd

from twosample.categorical.labels import _sort_key
from twosample.core.schema import ColumnSpec, looks_like_identifier, table_schema
from twosample.scale.sources import Source, as_source, run_pass
from twosample.scale.summaries import LEVELS_CAP, FirstPass, FirstSummary, KeyedSample, SecondPass, SecondSummary

__all__ = ["Scan", "bin_edges", "seed_key", "identifiers", "label_counts", "open_scan"]


def seed_key(seed: int | None, generator: np.random.Generator) -> int:
    """The key of the rows' random numbers, from the seed (or one draw of the generator), apart from
    the stream the test draws its tables from."""
    base = seed if seed is not None else int(generator.integers(2**63))
    return int(hashlib.sha256(f"twosample.scale:{base}".encode()).hexdigest()[:16], 16)


@dataclasses.dataclass
class Scan:
    """Two sources, the compared columns' kinds, and the summaries of the passes run so far."""

    x: Source
    y: Source
    specs: tuple
    key: int
    client: object = None
    orders: dict = dataclasses.field(default_factory=dict)  # ordinal column -> its categories in order
    first_x: FirstSummary | None = None
    first_y: FirstSummary | None = None

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.specs]

    def first(self, sample_size: int, joint: tuple = ()) -> None:
        """Run the first pass over both samples."""
        for label, source in enumerate((self.x, self.y)):
            summary = run_pass(
                source, self.names, FirstPass(self.specs, sample_size, self.key, label, joint), client=self.client
            )
            if label == 0:
                self.first_x = summary
            else:
                self.first_y = summary

    @property
    def sample(self) -> KeyedSample:
        """The pooled keyed sample of both samples (labels 0 for x, 1 for y)."""
        return self.first_x.sample.merge(self.first_y.sample)

    def second(self, edges: dict, features=None, scorer=None) -> tuple[SecondSummary, SecondSummary]:
        """Run the second pass over both samples."""
        return tuple(
            run_pass(
                s, self.names, SecondPass(self.specs, edges, self.key, label, features, scorer), client=self.client
            )
            for label, s in enumerate((self.x, self.y))
        )

    def spec(self, name: str) -> ColumnSpec:
        return next(s for s in self.specs if s.name == name)


def open_scan(x, y, columns, *, categorical=(), key: int, client=None, kinds=None, passes: int = 1) -> Scan:
    """The sources of `x` and `y` and the kinds of the compared `columns` (all when None), decided from
    each source's first partition with rows; `kinds` restricts the kinds a test accepts; `passes` is
    how many times the test reads each source (a one-shot iterator can serve one)."""
    sx, sy = as_source(x, "x"), as_source(y, "y")
    sx.check_passes(passes)
    sy.check_passes(passes)
    hx, hy = sx.head(), sy.head()
    if columns is not None:
        columns = [columns] if isinstance(columns, str) else [str(c) for c in columns]
        missing = [c for c in columns if c not in hx.columns or c not in hy.columns]
        if missing or not columns:
            raise ValueError(
                f"`columns` must name columns of both samples; not found: {missing or 'no columns given'}."
            )
        hx, hy = hx[columns], hy[columns]
    specs = tuple(table_schema(hx, hy, categorical=categorical))
    if kinds is not None:
        wrong = [f"{s.name!r} ({s.kind})" for s in specs if s.kind not in kinds]
        if wrong:
            raise ValueError(f"this test takes {' or '.join(kinds)} columns; got {', '.join(wrong)}.")
    orders = {
        s.name: tuple(hx[s.name].dtype.categories)
        for s in specs
        if s.kind == "ordinal" and isinstance(hx[s.name].dtype, pd.CategoricalDtype)
    }
    return Scan(sx, sy, specs, key, client, orders)


def bin_edges(scan: Scan, name: str, bins: int) -> np.ndarray:
    """Label-free bin edges of a numeric column: its distinct values when there are at most `bins`
    (the binned test is then the exact test), else quantiles of the pooled keyed sample, closed by the
    pooled maximum. A value v is in bin i when ``edges[i-1] < v <= edges[i]``."""
    nx, ny = scan.first_x.columns[name], scan.first_y.columns[name]
    if nx.distinct is not None and ny.distinct is not None:
        distinct = np.union1d(nx.distinct, ny.distinct)
        if len(distinct) <= bins:
            return distinct
    values = scan.sample.rows[name].to_numpy(dtype=float)
    values = values[~np.isnan(values)]
    top = max(nx.high, ny.high)
    if not len(values):
        return np.array([top])
    cuts = np.quantile(values, np.arange(1, bins) / bins, method="inverted_cdf")
    return np.unique(np.r_[cuts, top])


def identifiers(scan: Scan) -> list[str]:
    """Label columns that look like identifiers (more than LEVELS_CAP levels, or the in-memory rule:
    more than 1,000 levels and one per two rows), warned about; :func:`twosample.scale.compare` skips them."""
    out = []
    for spec in scan.specs:
        if spec.kind == "numeric":
            continue
        cx, cy = scan.first_x.columns[spec.name].counts, scan.first_y.columns[spec.name].counts
        rows = scan.first_x.rows + scan.first_y.rows
        if cx is None or cy is None:
            levels = f"more than {LEVELS_CAP:,}"
        elif looks_like_identifier(len(set(cx) | set(cy)), rows):
            levels = f"{len(set(cx) | set(cy)):,}"
        else:
            continue
        warnings.warn(
            f"column {spec.name!r} has {levels} distinct values in {rows:,} rows: it looks like an identifier "
            "and is not compared.",
            UserWarning,
            stacklevel=3,
        )
        out.append(spec.name)
    return out


def label_counts(scan: Scan, name: str) -> tuple[tuple, np.ndarray, np.ndarray]:
    """The levels of a label column (an ordered column's order, else sorted) and the counts of each
    sample per level, from the first pass."""
    cx, cy = scan.first_x.columns[name].counts, scan.first_y.columns[name].counts
    if cx is None or cy is None:
        raise ValueError(f"column {name!r} has more than {LEVELS_CAP:,} levels: it is not a category to count.")
    seen = set(cx) | set(cy)
    numbers = [isinstance(v, (bool, int, float, np.bool_, np.integer, np.floating)) for v in seen]
    if any(numbers) and not all(numbers):
        raise ValueError(
            f"column {name!r} holds numbers in some partitions and text in others (e.g. 1 and '1' would be two "
            "levels); give it one type in every file."
        )
    spec = scan.spec(name)
    if spec.kind == "ordinal":
        levels = tuple(c for c in scan.orders.get(name, ()) if c in seen)
        levels += tuple(sorted(seen - set(levels), key=_sort_key))
    else:
        levels = tuple(sorted(seen, key=_sort_key))
    return levels, np.array([cx.get(v, 0) for v in levels]), np.array([cy.get(v, 0) for v in levels])
