"""Reading samples from .npy, .csv and .parquet files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["load_sample"]

_SUFFIXES = (".npy", ".csv", ".parquet")


def load_sample(path, *, columns=None) -> np.ndarray:
    """Read one sample as a float array of shape (n, d).

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.npy`` file (loaded without pickle), or a ``.csv`` / ``.parquet``
        table read by pandas (CSV with a header row).
    columns : sequence of str, optional
        Table columns to use (default: all). Not allowed for ``.npy``.

    Returns
    -------
    numpy.ndarray
        The sample, 2-D (a 1-D ``.npy`` array becomes one column).

    Raises
    ------
    ValueError
        For a missing file, an unknown suffix, unknown or non-numeric columns.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _SUFFIXES:
        raise ValueError(f"`{path}`: unsupported file type {suffix or '(none)'!r}; use .npy, .csv or .parquet.")
    if not path.is_file():
        raise ValueError(f"`{path}`: no such file.")
    if suffix == ".npy":
        if columns:
            raise ValueError(f"`columns` applies to CSV and Parquet tables, not to `{path}`.")
        try:
            arr = np.load(path, allow_pickle=False)
        except ValueError as exc:
            raise ValueError(f"`{path}`: not a numeric .npy array ({exc}).") from None
        return arr[:, None] if arr.ndim == 1 else arr
    try:
        table = pd.read_csv(path) if suffix == ".csv" else pd.read_parquet(path)
    except Exception as exc:  # parser errors come in many types
        raise ValueError(f"`{path}`: could not be read ({type(exc).__name__}: {exc}).") from None
    if columns:
        missing = [c for c in columns if c not in table.columns]
        if missing:
            raise ValueError(
                f"`{path}`: no column(s) {', '.join(map(repr, missing))}; "
                f"available: {', '.join(map(str, table.columns))}."
            )
        table = table[list(columns)]
    bad = [str(c) for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])]
    if bad:
        raise ValueError(
            f"`{path}`: non-numeric column(s) {', '.join(map(repr, bad))}; choose numeric ones with --columns."
        )
    return table.to_numpy(dtype=np.float64)
