"""The validated inputs of one audit of a synthetic table (:class:`TableInputs`), and where its rows come from.

A table audit takes DataFrames: the real training and held-out rows, and the generated rows as a
DataFrame, a table GAN, or any sampler returning DataFrames (a callable ``sample(n, rng)``, or an
object with ``.sample(n)`` such as a ``ctgan`` model; a DataFrame's own ``.sample`` is not a
generator's: a DataFrame is rows). Every error names the table and the column.
"""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path

import pandas as pd

from twosample.core.schema import column_kind, looks_like_identifier

from ..data.tables import is_mixed, read_table_file
from .inputs import MIN_ROWS, check_stream
from .sources import call_generator

__all__ = ["TableInputs", "draw_table", "is_table_audit", "table_inputs"]


@dataclasses.dataclass
class TableInputs:
    """The validated inputs of one table audit, shared by its checks (each check draws from its own stream)."""

    real_train: pd.DataFrame
    real_test: pd.DataFrame
    gen: pd.DataFrame
    kinds: dict  # column -> numeric, boolean, categorical or ordinal (twosample.core.schema)
    alpha: float
    wanted: list
    options: dict  # target, n_resamples, mmd_n
    entropy: int

    def stream(self, name: str):
        return check_stream(self.entropy, name)


def read_real_tables(real_train, real_test):
    """The real rows as DataFrames when either is the path of a table file (text, categories or missing values:
    :func:`gan.data.tables.read_table_file`), both read the same way; otherwise as given (rows)."""
    reals = (real_train, real_test)
    frames = [read_table_file(real) for real in reals]
    if all(frame is None for frame in frames):
        return reals
    from twosample.app.io import load_table

    return tuple(
        frame if frame is not None else load_table(real) if isinstance(real, (str, Path)) else real
        for real, frame in zip(reals, frames)
    )


def is_table_audit(generated, real_train, real_test, target) -> bool:
    """Whether the audit is of a table: a target column, a table GAN, or real rows in a DataFrame that is
    not all numbers without missing values (an all-numeric complete DataFrame is audited as rows, as before)."""
    if target is not None or getattr(generated, "table", None) is not None:
        return True
    frames = (real_train, real_test)
    return any(isinstance(frame, pd.DataFrame) and len(frame.columns) and is_mixed(frame) for frame in frames)


def _sampler(generated):
    """`generated` as ``draw(n, rng) -> DataFrame``, or None for rows (a DataFrame)."""
    if isinstance(generated, (str, Path)):
        path = Path(generated)
        if path.suffix != ".pt":
            from twosample.app.io import load_table

            return None, load_table(path)
        from ..model.gan import load

        generated = load(path)
    if isinstance(generated, pd.DataFrame):
        return None, generated
    method = generated.sample if callable(getattr(generated, "sample", None)) else generated
    if not callable(method):
        raise TypeError(
            "`generated` must be a DataFrame of rows, a table GAN, a callable sample(n, rng) or an object with "
            f".sample(n) returning a DataFrame, got {type(generated).__name__}."
        )
    try:
        params = inspect.signature(method).parameters
    except (TypeError, ValueError):
        params = {}
    if "rng" in params:
        return (lambda n, rng: method(n, rng=rng)), None
    if method is generated and len(params) >= 2:  # a plain function sample(n, rng)
        return method, None
    return (lambda n, rng: method(n)), None  # e.g. ctgan's sample(num_rows): seeded by its own state


def draw_table(generated, n, rng) -> pd.DataFrame:
    """The generated rows: `generated` itself when it is rows, else `n` rows drawn from it with `rng`."""
    draw, fixed = _sampler(generated)
    if draw is None:
        return fixed
    rows = call_generator(draw, n, rng)
    if not isinstance(rows, pd.DataFrame):
        raise ValueError(f"`generated` returned {type(rows).__name__}; a table audit needs a DataFrame of rows.")
    if len(rows) != n:
        raise ValueError(f"`generated` returned {len(rows)} rows when asked for {n}.")
    return rows


def _frame(value, name) -> pd.DataFrame:
    if isinstance(value, (str, Path)):
        from twosample.app.io import load_table

        value = load_table(value)
    if not isinstance(value, pd.DataFrame):
        raise TypeError(f"`{name}` must be a DataFrame in a table audit, got {type(value).__name__}.")
    if len(value) < MIN_ROWS:
        raise ValueError(f"`{name}` has {len(value)} rows; the audit needs at least {MIN_ROWS}.")
    return value.rename(columns=str).reset_index(drop=True)


def _same_columns(frame, reference, name) -> pd.DataFrame:
    missing = [c for c in reference.columns if c not in frame.columns]
    extra = [c for c in frame.columns if c not in reference.columns]
    if missing or extra:
        raise ValueError(
            f"`{name}` must have the columns of `real_test`: missing {missing}, unexpected {extra}; "
            "select or rename the columns first."
        )
    return frame[list(reference.columns)]


def _kinds(frames: dict) -> dict:
    """Each column's kind, the same in every table; errors name the column and the table."""
    kinds = {}
    for column in frames["real_test"].columns:
        found = {}
        for name, frame in frames.items():
            if frame[column].isna().all():
                raise ValueError(f"column {column!r} of `{name}` has every value missing; drop the column.")
            found[name] = column_kind(frame[column])
        if len(set(found.values())) > 1:
            words = ", ".join(f"{kind} in `{name}`" for name, kind in found.items())
            raise ValueError(f"column {column!r} is {words}; give it one type in every table.")
        kinds[column] = found["real_test"]
    return kinds


def _refuse_identifiers(real: pd.DataFrame, kinds: dict) -> None:
    """A label column with a different value on (nearly) every real row is an identifier: refused by name."""
    for column, kind in kinds.items():
        if kind not in ("categorical", "ordinal"):
            continue
        present, distinct = int(real[column].notna().sum()), int(real[column].nunique())
        if present >= MIN_ROWS and (distinct == present or looks_like_identifier(distinct, present)):
            raise ValueError(
                f"column {column!r} holds a different value on every row ({distinct} values in {present} real rows): "
                "an identifier, which no generator should reproduce; drop it before the audit."
            )


def table_inputs(generated, real_train, real_test, *, n, alpha, wanted, options, generator) -> TableInputs:
    """Validate the three tables and draw the generated rows (`generator`: the audit's Generator)."""
    real_test = _frame(real_test, "real_test")
    real_train = _same_columns(_frame(real_train, "real_train"), real_test, "real_train")
    n = len(real_test) if n is None else n
    gen = _same_columns(_frame(draw_table(generated, n, generator), "generated"), real_test, "generated")
    frames = {"real_train": real_train, "real_test": real_test, "generated": gen}
    kinds = _kinds(frames)
    _refuse_identifiers(pd.concat([real_train, real_test], ignore_index=True), kinds)
    target = options.get("target")
    if target is not None and target not in kinds:
        raise ValueError(f"`target` must name a column of the tables, got {target!r}; columns: {list(kinds)}.")
    if target is not None and len(kinds) < 2:
        raise ValueError("`target`: the table has no other column to predict it from.")
    entropy = int(generator.integers(0, 2**63 - 1))
    return TableInputs(real_train, real_test, gen, kinds, alpha, wanted, options, entropy)
