"""Reading samples and tables from files: .npy, delimited text (CSV, TSV, whitespace; compressed too), .parquet.

:func:`load_sample` gives a float array (the tests of samples); :func:`load_table` the table as it
is, strings and missing values kept (:func:`~twosample.compare`); :func:`save_sample` writes rows
in any of the formats they read.

Text files are read as people write them: ``DataFrame.to_csv`` (a header and an
unnamed index column, which is dropped with a warning), ``numpy.savetxt`` (no
header, any delimiter: the file is read whole), ``.tsv``, and any of these
compressed (``.gz``, ``.bz2``, ``.xz``, ``.zip``).
"""

from __future__ import annotations

import bz2
import csv
import gzip
import lzma
import re
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from twosample.core.optional import require

__all__ = ["DataFileWarning", "load_sample", "load_table", "save_sample"]

_TEXT = (".csv", ".tsv", ".txt")
_COMPRESSED = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
_SUFFIXES = (".npy", ".parquet", *_TEXT)


class DataFileWarning(UserWarning):
    """A file was read with an adjustment the user should know of (an index column dropped)."""


def _kind(path: Path) -> tuple[str, str | None]:
    """(base suffix, compression suffix or None): ``x.csv.gz`` -> (".csv", ".gz")."""
    suffixes = [s.lower() for s in path.suffixes]
    compression = suffixes[-1] if suffixes and suffixes[-1] in (*_COMPRESSED, ".zip") else None
    base = suffixes[-2] if compression and len(suffixes) > 1 else (suffixes[-1] if suffixes else "")
    if base not in _SUFFIXES or (compression and base not in _TEXT):
        known = ", ".join(_SUFFIXES)
        raise ValueError(
            f"`{path}`: unsupported file type {''.join(path.suffixes) or '(none)'!r}; use one of "
            f"{known} (text files may end in .gz, .bz2, .xz or .zip)."
        )
    return base, compression


def _first_lines(path: Path, compression: str | None, count: int = 5) -> list[str]:
    """The first non-empty lines of a (possibly compressed) text file."""
    if compression == ".zip":
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
            if len(names) != 1:
                raise ValueError(f"`{path}`: a .zip must hold exactly one file, found {len(names)}.")
            with archive.open(names[0]) as raw:
                text = raw.read(1 << 16).decode("utf-8", errors="replace")
    else:
        opener = _COMPRESSED.get(compression, open)
        with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
            text = handle.read(1 << 16)
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValueError(f"`{path}`: the file is empty.")
    return lines[:count]


def _delimiter(base: str, lines: list[str], decimal: str) -> str:
    """The field separator: tab for .tsv, else sniffed among comma (unless it is the decimal mark), tab,
    semicolon and spaces."""
    if base == ".tsv":
        return "\t"
    try:
        found = csv.Sniffer().sniff("\n".join(lines), delimiters="\t; " if decimal == "," else ",\t; ").delimiter
    except csv.Error:
        found = ","
    return r"\s+" if found == " " else found


def _is_number(field: str, decimal: str = ".") -> bool:
    try:
        float(field.strip().strip("\"'").replace(decimal, "."))
    except ValueError:
        return False
    return True


def _has_header(line: str, sep: str, decimal: str) -> bool:
    """A first line whose fields are all numbers is data (``numpy.savetxt`` writes no header)."""
    fields = line.split() if sep == r"\s+" else line.split(sep)
    return not all(_is_number(f, decimal) for f in fields if f.strip())


def _drop_unnamed_index(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Drop a first column with an empty header: the index that ``DataFrame.to_csv`` writes."""
    first = str(table.columns[0]) if len(table.columns) else ""
    if len(table.columns) > 1 and (first == "" or first.startswith("Unnamed: 0")):
        warnings.warn(
            f"`{path}`: the first column has no header (an index written by DataFrame.to_csv); "
            "it was dropped. Write with index=False, or name it to keep it.",
            DataFileWarning,
            stacklevel=4,
        )  # the caller of load_sample / load_table (through _read)
        return table.iloc[:, 1:]
    return table


def _read_text(path: Path, base: str, compression: str | None, header: bool | None, decimal: str) -> pd.DataFrame:
    lines = _first_lines(path, compression)
    sep = _delimiter(base, lines, decimal)
    if header is None:
        header = _has_header(lines[0], sep, decimal)
    engine = "python" if len(sep) > 1 else "c"
    return pd.read_csv(path, sep=sep, header=0 if header else None, engine=engine, compression="infer", decimal=decimal)


def _read_table(path: Path, base: str, compression: str | None, header: bool | None, decimal: str) -> pd.DataFrame:
    if base == ".parquet":
        require("pyarrow", purpose=f"reading {path.name}")  # outside the try: the missing extra as it is
    try:
        if base == ".parquet":
            return pd.read_parquet(path)
        return _read_text(path, base, compression, header, decimal)
    except ValueError as exc:
        if str(exc).startswith(f"`{path}`"):
            raise
        raise ValueError(f"`{path}`: could not be read ({' '.join(str(exc).split())}).") from None
    except Exception as exc:  # parser errors come in many types; one line each
        raise ValueError(f"`{path}`: could not be read ({type(exc).__name__}: {' '.join(str(exc).split())}).") from None


def _pick(table: pd.DataFrame, columns, path: Path) -> pd.DataFrame:
    """The named columns (all by default) of a table that has rows."""
    if columns:
        named = [str(c) for c in table.columns]
        missing = [c for c in columns if str(c) not in named]
        if missing:
            raise ValueError(f"`{path}`: no column(s) {', '.join(map(repr, missing))}; available: {', '.join(named)}.")
        table = table.iloc[:, [named.index(str(c)) for c in columns]]
    if table.shape[0] == 0:
        raise ValueError(f"`{path}`: the table has a header ({', '.join(map(str, table.columns))}) and no rows.")
    return table


# A number written with a decimal comma (German, French...): "3,5", "-0,25"; read as text unless decimal=",".
_DECIMAL_COMMA = re.compile(r"\s*[+-]?\d*,\d+\s*")


def _decimal_commas(column: pd.Series) -> bool:
    """Whether a text column holds numbers written with a decimal comma (and nothing else)."""
    values = column.dropna().astype(str)
    return len(values) > 0 and bool(values.map(_DECIMAL_COMMA.fullmatch).notna().all())


def _numeric(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    bad = [c for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])]
    commas = [c for c in bad if _decimal_commas(table[c])]
    if commas:
        raise ValueError(
            f"`{path}`: column(s) {', '.join(repr(str(c)) for c in commas)} hold numbers with decimal commas "
            f"({table[commas[0]].dropna().iloc[0]!r}); read them with `decimal` ',' (--decimal , on the command line)."
        )
    bad = [str(c) for c in bad]
    if bad:
        raise ValueError(
            f"`{path}`: non-numeric column(s) {', '.join(map(repr, bad))}; choose numeric ones with "
            "`columns` (--columns on the command line)."
        )
    return table.astype(np.float64)


def _read_npy(path: Path, columns) -> pd.DataFrame:
    if columns:
        raise ValueError(f"`columns` applies to tables (CSV, TSV, Parquet), not to `{path}`.")
    try:
        arr = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise ValueError(f"`{path}`: not a numeric .npy array ({' '.join(str(exc).split())}).") from None
    if arr.ndim not in (1, 2) or arr.dtype.kind not in "biuf":
        raise ValueError(f"`{path}`: expected a 1-D or 2-D numeric array, got shape {arr.shape} and dtype {arr.dtype}.")
    return pd.DataFrame(arr[:, None] if arr.ndim == 1 else arr)


def load_sample(path, *, columns=None, header: bool | None = None, frame: bool = False, decimal: str = "."):
    """Read one sample as a float array of shape (n, d).

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.npy`` file (loaded without pickle), a ``.parquet`` table, or a
        delimited text file ``.csv`` / ``.tsv`` / ``.txt``, optionally
        compressed (``.gz``, ``.bz2``, ``.xz``, ``.zip``).
    columns : sequence of str, optional
        Table columns to use, in this order (default: all). Not for ``.npy``.
    header : bool, optional
        Whether a text file's first line names the columns. Default: detected
        (a first line made only of numbers is data, as ``numpy.savetxt``
        writes it).
    frame : bool, default False
        Return a ``pandas.DataFrame`` (column names kept, so that two tables
        can be matched by name; integer names for files without a header).
    decimal : str, default "."
        The decimal mark of a text file (``","`` for ``3,5``; the fields are then
        separated by something else, or quoted). A file of decimal commas read
        with the default is an error that says so.

    Returns
    -------
    numpy.ndarray or pandas.DataFrame
        The sample, 2-D (a 1-D ``.npy`` array becomes one column), float64.

    Raises
    ------
    ValueError
        For a missing or empty file, an unknown suffix, a table with a header
        and no rows, unknown or non-numeric columns, a file pandas cannot
        parse (one line, naming the file).

    Warns
    -----
    DataFileWarning
        When an unnamed first column (an index written by
        ``DataFrame.to_csv``) is dropped.

    Examples
    --------
    >>> import numpy as np, pandas as pd, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> np.savetxt(folder / "x.txt", np.arange(6.0).reshape(3, 2))  # no header: read whole
    >>> load_sample(folder / "x.txt").shape
    (3, 2)
    """
    if isinstance(columns, str):  # one column name, never its letters
        columns = [columns]
    table = _read(path, columns, header, decimal=decimal)
    return table if frame else table.to_numpy(dtype=np.float64, copy=True)  # pandas >= 3 gives a read-only view


def load_table(path, *, header: bool | None = None, decimal: str = ".") -> pd.DataFrame:
    """Read one table as it is: numbers, strings, booleans and missing values kept (for :func:`~twosample.compare`).

    The files and their detection are those of :func:`load_sample` (an unnamed
    index column dropped with a warning, text compressed or not); unlike it,
    non-numeric columns are kept, missing values stay missing (NaN), and column
    names are strings (``"0"``, ``"1"``, ... for a file without a header).

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.parquet`` table (its dtypes kept: categories, nullable integers...),
        delimited text ``.csv`` / ``.tsv`` / ``.txt`` (optionally ``.gz``,
        ``.bz2``, ``.xz``, ``.zip``), or a numeric ``.npy`` array.
    header : bool, optional
        Whether a text file's first line names the columns (default: detected,
        as in :func:`load_sample`).
    decimal : str, default "."
        The decimal mark of a text file, as in :func:`load_sample`.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    ValueError
        For a missing or empty file, an unknown suffix, a table with a header
        and no rows, a file pandas cannot parse (one line, naming the file).

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> pd.DataFrame({"age": [31, None, 40], "city": ["a", "b", None]}).to_csv(path, index=False)
    >>> table = load_table(path)
    >>> table["city"].tolist(), int(table["age"].isna().sum())
    (['a', 'b', nan], 1)
    """
    table = _read(path, None, header, numeric=False, decimal=decimal)
    table.columns = [str(c) for c in table.columns]
    return table


def _read(path: Path, columns, header: bool | None, *, numeric: bool = True, decimal: str = ".") -> pd.DataFrame:
    """The table in `path` (the format told by its suffix), its numeric columns as float64 unless told not to."""
    path = Path(path)
    base, compression = _kind(path)
    if not path.is_file():
        raise ValueError(f"`{path}`: no such file.")
    if base == ".npy":
        return _read_npy(path, columns)
    if decimal not in (".", ","):
        raise ValueError(f"`decimal` must be '.' or ',', got {decimal!r}.")
    table = _read_table(path, base, compression, header, decimal)
    if base != ".parquet":
        table = _drop_unnamed_index(table, path)
    table = _pick(table, columns, path)
    return _numeric(table, path) if numeric else table


_SEPARATORS = {".csv": ",", ".tsv": "\t", ".txt": " "}


def save_sample(path, rows, *, columns=None) -> Path:
    """Write rows (n, d) to `path` in the format its suffix names, as :func:`load_sample` reads it back.

    Parameters
    ----------
    path : str or pathlib.Path
        ``.npy``, ``.parquet``, or delimited text ``.csv`` (commas), ``.tsv`` (tabs), ``.txt``
        (spaces), optionally compressed (``.gz``, ``.bz2``, ``.xz``, ``.zip``); text files and
        parquet tables get a header row.
    rows : array_like or pandas.DataFrame
        One row per sample point (1-D: one column). A DataFrame (a table GAN's rows) is written
        with its own column names, to parquet with its dtypes (categories, nullable integers) or
        as text; ``.npy`` takes it only when every column is a number.
    columns : sequence of str, optional
        Column names of a table (default ``x0``, ``x1``, ...).

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> path = save_sample(pathlib.Path(tempfile.mkdtemp()) / "rows.csv.gz", np.eye(3))
    >>> load_sample(path).tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    path = Path(path)
    base, _ = _kind(path)
    if isinstance(rows, pd.DataFrame):
        return _save_table(path, base, rows)
    rows = np.asarray(rows)
    rows = rows[:, None] if rows.ndim == 1 else rows
    if rows.ndim != 2:
        raise ValueError(f"`rows` must be 1-D or 2-D (rows x features), got shape {rows.shape}.")
    if base == ".npy":
        np.save(path, rows)
        return path
    names = [f"x{j}" for j in range(rows.shape[1])] if columns is None else [str(c) for c in columns]
    if len(names) != rows.shape[1]:
        raise ValueError(f"`columns` names {len(names)} columns; the rows have {rows.shape[1]}.")
    return _write_frame(path, base, pd.DataFrame(rows, columns=names))


def _save_table(path: Path, base: str, table: pd.DataFrame) -> Path:
    """A DataFrame written as :func:`load_table` reads it back (column names as strings)."""
    table = table.set_axis([str(c) for c in table.columns], axis=1)
    if base == ".npy":
        text = [c for c in table if not pd.api.types.is_numeric_dtype(table[c]) or pd.api.types.is_bool_dtype(table[c])]
        if text:
            raise ValueError(
                f"`{path}`: .npy holds numbers only, and columns {text[:3]} are not; use .parquet or .csv."
            )
        np.save(path, table.to_numpy(dtype=np.float64, na_value=np.nan))
        return path
    return _write_frame(path, base, table)


def _write_frame(path: Path, base: str, table: pd.DataFrame) -> Path:
    """`table` to a .parquet or delimited text file (a header row, no index), as :func:`load_table` reads it."""
    if base == ".parquet":
        require("pyarrow", purpose=f"writing {path.name}")
        table.to_parquet(path, index=False)
    else:
        table.to_csv(path, sep=_SEPARATORS[base], index=False, compression="infer")
    return path
