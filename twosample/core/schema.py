"""Column kinds of a table, decided once at the boundary for two samples together.

A column is ``numeric`` (float or int, nullable or not), ``boolean``, ``categorical``
(pandas ``category``, strings, objects; a numeric code named in ``categorical=``) or
``ordinal`` (an ordered pandas ``Categorical``). Missing values (NaN, None, ``pd.NA``,
``NaT``) are legal in every kind. The two samples must agree on each column's kind;
datetimes and durations are refused with the fix (convert them first). Errors name the
column.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pandas as pd

__all__ = ["COLUMN_KINDS", "ColumnSpec", "as_frame", "column_kind", "looks_like_identifier", "table_schema"]

COLUMN_KINDS = ("numeric", "boolean", "categorical", "ordinal")
_NUMERIC = {"integer", "floating", "mixed-integer-float", "decimal"}
_TEXT = {"string", "bytes", "categorical", "mixed", "mixed-integer", "unknown-array"}
_TIMES = {"datetime64", "datetime", "date", "timedelta64", "timedelta", "time", "period"}


@dataclasses.dataclass(frozen=True)
class ColumnSpec:
    """One column of the compared tables: its name and kind (shared by ``x`` and ``y``)."""

    name: str
    kind: str


def as_frame(table, name: str) -> pd.DataFrame:
    """`table` as a DataFrame (a 2-D array's columns are named ``"0"``, ``"1"``, ...)."""
    if table is None:
        raise TypeError(f"`{name}` is required, got None.")
    if isinstance(table, pd.Series):
        table = table.to_frame()
    if not isinstance(table, pd.DataFrame):
        try:
            table = pd.DataFrame(table)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"`{name}` could not be read as a table: {exc}") from None
    table = table.rename(columns=str)  # a copy; columns are matched by their names as text
    if table.shape[0] == 0 or table.shape[1] == 0:
        raise ValueError(f"`{name}` is empty (shape {table.shape}).")
    if table.columns.duplicated().any():
        dup = sorted({str(c) for c in table.columns[table.columns.duplicated()]})
        raise ValueError(f"`{name}` has duplicated column names {dup}; columns are matched by name.")
    return table


def column_kind(series: pd.Series, *, categorical: bool = False) -> str:
    """The kind of one column of one sample ('' when every value is missing)."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return "ordinal" if dtype.ordered else "categorical"
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_complex_dtype(dtype):
        raise ValueError(f"column {series.name!r} holds complex numbers; compare its real and imaginary parts.")
    inferred = pd.api.types.infer_dtype(series, skipna=True)
    if inferred in _TIMES or pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        raise ValueError(
            f"column {series.name!r} holds dates or durations; convert it first: seconds since the epoch "
            f"((df[{series.name!r}] - pd.Timestamp('1970-01-01')).dt.total_seconds(), right at any time unit) "
            "to compare it as a number, or strings to compare it "
            "as a category."
        )
    if inferred == "empty":
        return ""
    if inferred == "boolean":
        return "boolean"
    if inferred in _NUMERIC:
        return "categorical" if categorical else "numeric"
    if inferred.startswith("complex"):
        raise ValueError(f"column {series.name!r} holds complex numbers; compare its real and imaginary parts.")
    return "categorical"


def table_schema(x: pd.DataFrame, y: pd.DataFrame, *, categorical: Sequence[str] = ()) -> list[ColumnSpec]:
    """The columns of `x` and `y` (same names, x's order) with their shared kinds.

    `categorical` names numeric columns that are codes (compared as categories).
    Errors name the column: one only in one table, kinds that differ between the tables,
    every value missing in one sample, dates.
    """
    only_x = [str(c) for c in x.columns if c not in y.columns]
    only_y = [str(c) for c in y.columns if c not in x.columns]
    if only_x or only_y:
        raise ValueError(
            f"`x` and `y` must have the same columns: only in `x`: {only_x}, only in `y`: {only_y}; "
            "select common columns with `columns=`."
        )
    if isinstance(categorical, str):
        categorical = [categorical]
    if not isinstance(categorical, (list, tuple, set, frozenset)) or not all(isinstance(c, str) for c in categorical):
        raise ValueError(f"`categorical` must be a list of column names, got {categorical!r}.")
    unknown = sorted(set(categorical) - set(map(str, x.columns)))
    if unknown:
        raise ValueError(f"`categorical` names columns the tables do not have: {unknown}.")
    wanted = set(map(str, categorical))
    specs = []
    for col in x.columns:
        kinds = [column_kind(t[col], categorical=str(col) in wanted) for t in (x, y)]
        for kind, sample in zip(kinds, ("x", "y")):
            if not kind:
                raise ValueError(f"column {col!r}: every value is missing in `{sample}`; drop the column.")
        if kinds[0] != kinds[1]:
            raise ValueError(
                f"column {col!r} is {kinds[0]} in `x` but {kinds[1]} in `y`; give it one type in both tables "
                "(or name it in `categorical=`)."
            )
        specs.append(ColumnSpec(str(col), kinds[0]))
    return specs


def looks_like_identifier(n_levels: int, n_rows: int) -> bool:
    """A categorical column that is probably an identifier: more than 1,000 levels and one per two rows or more."""
    return n_levels > 1000 and 2 * n_levels >= n_rows
