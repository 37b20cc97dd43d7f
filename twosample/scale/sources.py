"""Where the rows of one sample come from, and how a pass over them runs: the one place that scans.

A *source* is read as a sequence of partitions, each a pandas DataFrame:

* a parquet file, a directory of parquet files or a glob (``"data/*.parquet"``): one partition per
  row group, read with pyarrow (only the columns asked for);
* a ``pyarrow.dataset.Dataset`` (its files, the same way) or a ``pyarrow.Table``;
* a Dask DataFrame or a 2-D Dask array: its partitions (row blocks);
* a pandas DataFrame or a 2-D NumPy array: row blocks of ``chunk_rows``;
* an iterator of pandas DataFrames (or 2-D arrays): streamed once per pass on this machine (it can
  be read only once, so it supports one pass: give a callable returning a fresh iterator for more).

Each partition carries the global index of its first row within its sample (from parquet metadata,
array chunks, counted while streaming, or, for a Dask DataFrame, one pass of ``len`` per partition):
randomness that touches rows is keyed on that index, never on the partitioning.

A pass maps a summary function ``summarize(frame, start)`` over the partitions and merges the
summaries. Every summary merges exactly (integer counts, exact sums, the rows with the smallest
random keys), so the merged result does
not depend on how the rows were partitioned, on the order in which partitions arrive or on the number
of workers. With ``client=`` (a ``distributed.Client``), or a Dask collection, or an active Dask
client, the pass is a Dask graph (one task per partition, a tree of merges); otherwise the partitions
are read one after another on this machine, holding one partition at a time.
"""

from __future__ import annotations

import dataclasses
import glob
import os
from collections.abc import Callable, Iterable, Iterator

import numpy as np
import pandas as pd

from twosample.core.optional import require

__all__ = ["Source", "as_source", "run_pass"]

CHUNK_ROWS = 1_000_000  # rows per partition of an in-memory table


@dataclasses.dataclass(frozen=True)
class ParquetPart:
    """One row group of one parquet file (picklable: sent to workers as a path and an index)."""

    path: str
    row_group: int
    start: int  # the global index (within its sample) of the part's first row

    def read(self, columns: list[str] | None) -> pd.DataFrame:
        pa = require("pyarrow")
        pq = require("pyarrow.parquet")

        try:
            table = pq.ParquetFile(self.path).read_row_group(self.row_group, columns=columns)
        except (OSError, pa.ArrowException) as exc:
            raise ValueError(f"cannot read parquet file {self.path!r} (row group {self.row_group}): {exc}") from None
        missing = [c for c in columns or () if c not in table.column_names]
        if missing:
            raise ValueError(f"parquet file {self.path!r} lacks the columns {missing}.")
        return table.to_pandas()


@dataclasses.dataclass(frozen=True)
class FramePart:
    """Rows of an in-memory table."""

    frame: pd.DataFrame
    start: int

    def read(self, columns: list[str] | None) -> pd.DataFrame:
        return self.frame if columns is None else self.frame[columns]


@dataclasses.dataclass
class Source:
    """The partitions of one sample.

    ``parts``: objects with ``read(columns) -> DataFrame`` (picklable, so Dask can send them to
    workers), or ``delayed``: Dask delayed DataFrames, or ``stream``: a one-shot iterator of frames.
    """

    name: str
    parts: list | None = None
    delayed: list | None = None
    starts: list | None = None  # the global index of each delayed block's first row
    stream: Iterator | None = None
    factory: Callable[[], Iterable] | None = None
    _passes: int = 0

    @property
    def is_dask(self) -> bool:
        return self.delayed is not None

    def frames(self, columns: list[str] | None) -> Iterator[tuple[pd.DataFrame, int]]:
        """The partitions read on this machine, one at a time, with their first row's global index."""
        if self.parts is not None:
            for part in self.parts:
                yield part.read(columns), part.start
            return
        if self.delayed is not None:
            for block, start in zip(self.delayed, self.starts):
                yield _select(_as_frame(block.compute(), self.name), columns, self.name), start
            return
        start = 0
        for frame in self._iterator():
            frame = _select(_as_frame(frame, self.name), columns, self.name)
            yield frame, start
            start += len(frame)

    def check_passes(self, passes: int) -> None:
        """An error now, before any reading, when a one-shot iterator would be read more than once."""
        if passes > 1 and self.stream is not None and self.factory is None:
            raise ValueError(
                f"`{self.name}` is an iterator, which can be read only once, and this test reads it {passes} times: "
                "give a function that returns a new iterator (e.g. lambda: my_frames()) or a parquet path."
            )

    def _iterator(self) -> Iterator:
        if self.factory is not None:
            return iter(self.factory())
        if self._passes:
            raise ValueError(
                f"`{self.name}` is an iterator, which can be read only once, and this test reads it twice: "
                "give a function that returns a new iterator (e.g. lambda: my_frames()) or a parquet path."
            )
        self._passes += 1
        return self.stream

    def head(self) -> pd.DataFrame:
        """The first partition with rows (to decide the columns' kinds)."""
        if self.parts is not None:
            for part in self.parts:
                frame = part.read(None)
                if len(frame):
                    return frame
            raise ValueError(f"`{self.name}` holds no rows.")
        if self.delayed is not None:
            return _as_frame(self.delayed[0].compute(), self.name)
        if self.factory is not None:
            return _as_frame(next(iter(self.factory())), self.name)
        first = next(self.stream, None)
        if first is None:
            raise ValueError(f"`{self.name}` yielded no rows.")
        rest = self.stream
        self.stream = _chain(first, rest)
        return _as_frame(first, self.name)


def _chain(first, rest):
    yield first
    yield from rest


def _select(frame: pd.DataFrame, columns, name: str = "the source"):
    if columns is None:
        return frame
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"a partition of `{name}` lacks the columns {missing}.")
    return frame[columns]


def _as_frame(block, name: str) -> pd.DataFrame:
    if isinstance(block, pd.DataFrame):
        return block.rename(columns=str)
    array = np.asarray(block)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise ValueError(f"`{name}` must give 2-D blocks of rows, got shape {array.shape}.")
    return pd.DataFrame(array, columns=[str(i) for i in range(array.shape[1])])


def as_source(obj, name: str, *, chunk_rows: int = CHUNK_ROWS) -> Source:
    """`obj` as a :class:`Source` (module docstring lists what it can be)."""
    if isinstance(obj, Source):
        return obj
    if obj is None:
        raise TypeError(f"`{name}` is required, got None.")
    if isinstance(obj, (str, os.PathLike)):
        return Source(name, parts=_parquet_parts(_parquet_files(os.fspath(obj), name)))
    dask_source = _dask_source(obj, name)
    if dask_source is not None:
        return dask_source
    arrow_source = _arrow_source(obj, name)
    if arrow_source is not None:
        return arrow_source
    if isinstance(obj, (pd.DataFrame, np.ndarray, pd.Series)):
        frame = _as_frame(obj.to_frame() if isinstance(obj, pd.Series) else obj, name)
        if len(frame) == 0:
            raise ValueError(f"`{name}` is empty.")
        parts = [FramePart(frame.iloc[i : i + chunk_rows], i) for i in range(0, len(frame), chunk_rows)]
        return Source(name, parts=parts)
    if callable(obj):
        return Source(name, factory=obj)
    if isinstance(obj, Iterable):
        return Source(name, stream=iter(obj))
    raise TypeError(
        f"`{name}` must be a parquet path, a pyarrow dataset or table, a Dask DataFrame or array, a pandas "
        f"DataFrame, a NumPy array or an iterator of DataFrames; got {type(obj).__name__}."
    )


def _parquet_files(path: str, name: str) -> list[str]:
    if os.path.isdir(path):
        files = sorted(
            os.path.join(root, f) for root, _, names in os.walk(path) for f in names if not f.startswith((".", "_"))
        )
    elif any(ch in path for ch in "*?["):
        files = sorted(glob.glob(path))
    else:
        files = [path] if os.path.exists(path) else []
    if not files:
        raise ValueError(f"`{name}`: no parquet file found at {path!r}.")
    return files


def _parquet_parts(files: list[str]) -> list[ParquetPart]:
    pa = require("pyarrow")
    pq = require("pyarrow.parquet")

    parts, start = [], 0
    for path in files:
        try:
            meta = pq.ParquetFile(path).metadata
        except (OSError, pa.ArrowException) as exc:
            raise ValueError(f"cannot read parquet file {path!r}: {exc}") from None
        for g in range(meta.num_row_groups):
            parts.append(ParquetPart(path, g, start))
            start += meta.row_group(g).num_rows
    return parts


def _arrow_source(obj, name: str) -> Source | None:
    try:
        pa = require("pyarrow")
        ds = require("pyarrow.dataset")
    except ImportError:  # without pyarrow (the files extra) nothing can be an Arrow dataset
        return None
    if isinstance(obj, ds.FileSystemDataset) and obj.format.default_extname == "parquet":
        return Source(name, parts=_parquet_parts(sorted(obj.files)))
    if isinstance(obj, ds.Dataset):
        return Source(name, factory=lambda: (b.to_pandas() for b in obj.to_batches()))
    if isinstance(obj, pa.Table):
        return as_source(obj.to_pandas(), name)
    return None


def _dask_source(obj, name: str) -> Source | None:
    module = type(obj).__module__
    if not module.startswith("dask"):
        return None
    da = require("dask.array")
    dd = require("dask.dataframe")

    if isinstance(obj, dd.DataFrame):
        blocks = list(obj.to_delayed())
        dask = require("dask")

        lengths = dask.compute(*[dask.delayed(len)(b) for b in blocks])  # one pass for the row indices
        return Source(name, delayed=blocks, starts=_starts(lengths))
    if isinstance(obj, da.Array):
        if obj.ndim == 1:
            obj = obj[:, None]
        if obj.ndim != 2:
            raise ValueError(f"`{name}` must be a 2-D Dask array, got {obj.ndim} dimensions.")
        if any(np.isnan(c) for c in obj.chunks[0]):  # unknown chunk sizes (e.g. after boolean indexing)
            obj = obj.compute_chunk_sizes()
        obj = obj.rechunk({1: -1})
        return Source(name, delayed=list(obj.to_delayed().ravel()), starts=_starts(obj.chunks[0]))
    raise TypeError(f"`{name}`: Dask {type(obj).__name__} is not a source; give a Dask DataFrame or array.")


def _starts(lengths) -> list[int]:
    return [0, *np.cumsum(lengths)[:-1].tolist()]


def _summarize_part(part, columns, summarize):
    return summarize(part.read(columns), part.start)


def _summarize_block(block, start, columns, summarize, name):
    return summarize(_select(_as_frame(block, name), columns, name), start)


def _merge(a, b):
    return a.merge(b)


def resolve_client(client):
    """The Dask client to use: `client`; ``False``: none (this machine, even with an active client);
    ``None``: the active client if there is one (and distributed is installed), else none."""
    if client is False:
        return None
    if client is not None:
        return client
    try:
        get_client = require("distributed").get_client
    except ImportError:  # pragma: no cover - optional dependency
        return None
    try:
        return get_client()
    except ValueError:
        return None


def run_pass(source: Source, columns: list[str] | None, summarize: Callable, *, client=None):
    """``summarize`` over every partition of `source` (reading only `columns`), merged with ``.merge``."""
    client = None if source.parts is None and source.delayed is None else resolve_client(client)
    if client is not None and not hasattr(client, "compute"):
        raise TypeError(f"`client` must be a distributed.Client, None or False; got {type(client).__name__}.")
    if client is None and not source.is_dask:  # iterators are always streamed here, one frame at a time
        merged = None
        for frame, start in source.frames(columns):
            summary = summarize(frame, start)
            merged = summary if merged is None else merged.merge(summary)
        if merged is None:
            raise ValueError(f"`{source.name}` yielded no rows.")
        return merged
    return _dask_pass(source, columns, summarize, client)


def _dask_pass(source: Source, columns, summarize, client):
    dask = require("dask")

    if source.parts is not None:
        tasks = [dask.delayed(_summarize_part)(p, columns, summarize) for p in source.parts]
    else:
        tasks = [
            dask.delayed(_summarize_block)(b, start, columns, summarize, source.name)
            for b, start in zip(source.delayed, source.starts)
        ]
    if not tasks:
        raise ValueError(f"`{source.name}` yielded no rows.")
    while len(tasks) > 1:  # a balanced tree of merges (merges are exact: the order does not matter)
        tasks = [dask.delayed(_merge)(a, b) for a, b in zip(tasks[::2], tasks[1::2])] + tasks[len(tasks) // 2 * 2 :]
    if client is not None:
        return client.compute(tasks[0]).result()
    return tasks[0].compute(scheduler="threads")  # a Dask collection without a cluster
