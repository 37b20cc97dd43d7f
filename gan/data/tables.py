r"""Tables for GANs: a mixed-type DataFrame as rows a network can make, and back (CTGAN's encoding).

:class:`TableTransformer` follows Xu et al. 2019 ("Modeling Tabular Data using Conditional
GAN", CTGAN):

* a **numeric** column gets mode-specific normalisation: a Bayesian Gaussian mixture
  (scikit-learn's ``BayesianGaussianMixture``, a Dirichlet process with weight concentration
  prior 1e-3, at most 10 modes; modes of weight below 0.005 dropped) is fitted to its values;
  a value x becomes a mode k drawn from its posterior over the kept modes (a one-hot span)
  and the scalar :math:`(x - \mu_k) / (4 \sigma_k)` clipped to [-1, 1] (a tanh span). An
  integer column comes back rounded and clipped to the range seen; a column with missing
  values gets one more span, present/missing (a missing row's scalar and mode are drawn from
  the mixture, so they carry no signal).
* a numeric column of **few values** (at most :data:`MAX_LEVELS` distinct values and at most one per
  :data:`ROWS_PER_LEVEL` rows: codes, counts, binned ages) is encoded as a categorical column
  of its numbers and comes back as those exact numbers; a value holding at least
  :data:`ATOM_SHARE` of a numeric column (the zeros of a zero-inflated amount) is a **point
  mass**, one more mode of its span after the mixture's, its scalar 0, generated exactly.
  CTGAN does neither (every number is continuous to it), and a classifier then tells its
  rows from the data by the values between the codes or near zero.
* a **categorical** column (strings, objects, booleans, pandas ``category``) becomes a
  one-hot span over its categories, a missing value being one more category. A ``category``
  column keeps its whole category set (also categories no row has) and its order.

``inverse_transform`` gives back the columns in their order with their dtypes, categories
and missing values (the argmax of each one-hot span decides). A column of distinct strings
(an identifier) or a column with every value missing is refused with a ``ValueError``
naming it: it carries nothing a generator can learn; drop it first.

:class:`ConditionSampler` is CTGAN's training-by-sampling: a condition is one category of
one categorical column, the column drawn uniformly, the category with probability
proportional to the log of its frequency, then a real row that has it; a generated row is
asked to have it by a cross-entropy term. Rare categories are thus seen often enough to be
learned.

The fitted state is plain numbers, strings and lists (:meth:`TableTransformer.state`), so a
checkpoint stores it without pickling anything.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from twosample.core.schema import column_kind, looks_like_identifier
from twosample.core.validation import check_rng

from .datasets import Dataset

__all__ = ["ConditionSampler", "TableTransformer", "is_mixed", "is_table", "read_table_file", "table_dataset"]

MAX_MODES = 10  # CTGAN's max_clusters
WEIGHT_PRIOR = 1e-3  # the Dirichlet process's weight concentration prior
MIN_WEIGHT = 0.005  # modes lighter than this are dropped
SCALE_SDS = 4.0  # the scalar is (x - mu) / (4 sd), clipped to [-1, 1]
MAX_LEVELS = 25  # a numeric column with at most this many values (and a tenth of the rows) is discrete
ROWS_PER_LEVEL = 10
ATOM_SHARE = 0.1  # a value holding at least this share of a numeric column's values is a point mass
MAX_ATOMS = 3
TANH, SOFTMAX = "tanh", "softmax"


def is_table(data) -> bool:
    """Whether `data` is a table (a pandas DataFrame) for the table path of :func:`gan.train`."""
    return isinstance(data, pd.DataFrame)


def is_mixed(frame: pd.DataFrame) -> bool:
    """Whether `frame` has a column that is not numbers (text, categories, booleans) or a missing value: what
    makes a file a table rather than rows of numbers."""
    numeric = all(pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t) for t in frame.dtypes)
    return not numeric or bool(frame.isna().any().any())


_TABLE_FILES = (".csv", ".tsv", ".txt", ".parquet")


def read_table_file(data):
    """`data` read as a DataFrame (:func:`twosample.app.io.load_table`) when it is the path of a table file
    (.csv / .tsv / .txt, compressed or not, or .parquet) that :func:`is_mixed`; otherwise None, and a file
    of numbers stays rows, read as before."""
    from pathlib import Path

    from twosample.app.io import load_table

    if not isinstance(data, (str, Path)) or not Path(data).is_file():
        return None
    if not any(suffix.lower() in _TABLE_FILES for suffix in Path(data).suffixes):
        return None
    frame = load_table(data)
    return frame if is_mixed(frame) else None


def _plain(value):
    """A category value as a plain Python value (numpy scalars unwrapped)."""
    return value.item() if isinstance(value, np.generic) else value


def _missing_marker(series: pd.Series) -> str:
    """How an object column writes a missing value: ``"none"``, ``"na"`` (pd.NA) or ``"nan"``."""
    first = series[series.isna()].iloc[0] if series.isna().any() else None
    return "none" if first is None else ("na" if first is pd.NA else "nan")


def _check_frame(frame) -> pd.DataFrame:
    if not is_table(frame):
        raise TypeError(f"`data` must be a pandas DataFrame for a table, got {type(frame).__name__}.")
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise ValueError(f"`data` is an empty table (shape {frame.shape}).")
    if frame.columns.duplicated().any():
        dup = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        raise ValueError(f"`data` has duplicated column names {dup}.")
    bad = [c for c in frame.columns if isinstance(c, bool) or not isinstance(c, (str, int, np.integer))]
    if bad:
        raise ValueError(f"`data`: column names must be strings or integers, got {bad[:3]!r}.")
    return frame


# --- one column: fit, forward, back -------------------------------------------------------


def _fit_mixture(values: np.ndarray, rng: np.random.Generator) -> tuple[list, list, list]:
    """(weights, means, sds) of the kept modes of a Bayesian Gaussian mixture on `values`."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.mixture import BayesianGaussianMixture

    seed = int(rng.integers(2**31 - 1))
    distinct = np.unique(values)
    if len(distinct) == 1:  # a constant: one mode, the scalar is always 0
        return [1.0], [float(distinct[0])], [1.0]
    mixture = BayesianGaussianMixture(
        n_components=min(MAX_MODES, len(distinct)),
        weight_concentration_prior_type="dirichlet_process",
        weight_concentration_prior=WEIGHT_PRIOR,
        n_init=1,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mixture.fit(values.reshape(-1, 1))
    keep = mixture.weights_ > MIN_WEIGHT
    weights = mixture.weights_[keep] / mixture.weights_[keep].sum()
    sds = np.sqrt(mixture.covariances_.reshape(-1)[keep])
    return weights.tolist(), mixture.means_.reshape(-1)[keep].tolist(), sds.tolist()


def is_discrete(series: pd.Series) -> bool:
    """Whether a numeric column takes few values, each seen often: at most :data:`MAX_LEVELS` distinct values
    and at most one per :data:`ROWS_PER_LEVEL` rows (codes, counts, binned ages, years). Such a column is
    encoded as a category over its values and comes back as those exact numbers: a mixture of Gaussians
    would spread it over the values between, which any classifier tells from the data (all values
    seen, CTGAN treats every number as continuous)."""
    present = series.dropna()
    distinct = present.nunique()
    return 0 < distinct <= min(MAX_LEVELS, len(present) / ROWS_PER_LEVEL)


def _finite(name, values: np.ndarray) -> np.ndarray:
    if np.isinf(values).any():
        raise ValueError(f"column {name!r} holds infinite values; replace them (by NaN for missing) first.")
    return values


def _atoms(present: np.ndarray) -> tuple[list, list]:
    """(values, shares) of the point masses of a numeric column: at most :data:`MAX_ATOMS` values that each hold
    at least :data:`ATOM_SHARE` of the present values (a zero-inflated count or amount), when other values
    remain for the mixture."""
    values, counts = np.unique(present, return_counts=True)
    shares = counts / len(present)
    heavy = np.argsort(-shares, kind="stable")[:MAX_ATOMS]
    heavy = np.sort(heavy[shares[heavy] >= ATOM_SHARE])
    if len(heavy) == len(values):
        return [], []
    return values[heavy].tolist(), shares[heavy].tolist()


def _fit_numeric(name, series: pd.Series, rng) -> dict:
    present = _finite(name, series.dropna().to_numpy(dtype=np.float64))
    atoms, shares = _atoms(present)
    weights, means, sds = _fit_mixture(present[~np.isin(present, atoms)], rng)
    integer = pd.api.types.is_integer_dtype(series.dtype)
    return dict(
        name=name,
        kind="numeric",
        dtype=str(series.dtype),
        weights=weights,
        means=means,
        sds=sds,
        atoms=atoms,
        atom_shares=shares,
        missing=bool(series.isna().any()),
        integer=bool(integer),
        low=float(present.min()),
        high=float(present.max()),
    )


def _category_values(series: pd.Series) -> tuple[list, dict]:
    """(categories in code order, the dtype's own facts) of a categorical column."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        facts = dict(ordered=bool(dtype.ordered), categories_dtype=str(dtype.categories.dtype))
        return [_plain(v) for v in dtype.categories], facts
    present = pd.unique(series.dropna())
    try:
        present = sorted(present)
    except TypeError:  # values of several types: the order first seen
        pass
    facts = {"marker": _missing_marker(series)} if pd.api.types.is_object_dtype(dtype) else {}
    return [_plain(v) for v in present], facts


def _fit_categorical(name, series: pd.Series, kind: str) -> dict:
    values, facts = _category_values(series)
    odd = [v for v in values if not isinstance(v, (str, int, float))]
    if kind != "boolean" and odd:
        raise ValueError(
            f"column {name!r} has categories of type {type(odd[0]).__name__} ({odd[0]!r}); give strings, numbers "
            "or booleans (a checkpoint stores categories as plain values)."
        )
    present = int(series.notna().sum())
    distinct = int(series.nunique())
    if kind != "boolean" and present >= 2 and (distinct == present or looks_like_identifier(distinct, present)):
        raise ValueError(
            f"column {name!r} holds a different value on (nearly) every row ({distinct} values in {present} rows): "
            "an identifier, which a generator cannot learn; drop it before training."
        )
    record = dict(name=name, kind="categorical", dtype=str(series.dtype), values=values, **facts)
    record["missing"] = bool(series.isna().any())
    codes = _category_codes(record, series)
    record["counts"] = np.bincount(codes, minlength=_width(record)).tolist()
    return record


def _width(record) -> int:
    """The one-hot width of a categorical column (its categories, and missing as one more)."""
    return len(record["values"]) + int(record["missing"])


def _category_codes(record, series: pd.Series) -> np.ndarray:
    """Each row's category code; a missing value is the last code."""
    values = record["values"]
    if isinstance(series.dtype, pd.CategoricalDtype) and [_plain(v) for v in series.dtype.categories] == values:
        codes = series.cat.codes.to_numpy().astype(np.int64)
    else:
        lookup = {v: i for i, v in enumerate(values)}
        codes = np.array([-1 if pd.isna(v) else lookup.get(_plain(v), -2) for v in series], dtype=np.int64)
    if (codes == -2).any():
        unseen = series[codes == -2].iloc[0]
        raise ValueError(f"column {record['name']!r} holds {unseen!r}, a category the transformer was not fitted on.")
    missing = codes == -1
    if missing.any() and not record["missing"]:
        raise ValueError(f"column {record['name']!r} has missing values; it had none when the transformer was fitted.")
    codes[missing] = len(values)
    return codes


def _one_hot(codes: np.ndarray, width: int) -> np.ndarray:
    out = np.zeros((len(codes), width))
    out[np.arange(len(codes)), codes] = 1.0
    return out


def _forward_numeric(record, series: pd.Series, rng) -> list[np.ndarray]:
    """[scalar, mode one-hot, (present, missing)] of a numeric column; modes drawn from each value's posterior."""
    from scipy import stats

    x = _finite(record["name"], series.to_numpy(dtype=np.float64, na_value=np.nan))
    missing = np.isnan(x)
    if missing.any() and not record["missing"]:
        raise ValueError(f"column {record['name']!r} has missing values; it had none when the transformer was fitted.")
    weights, means, sds = (np.asarray(record[k]) for k in ("weights", "means", "sds"))
    atoms = np.asarray(record.get("atoms", []), dtype=np.float64)
    fill = rng.choice(len(weights), size=len(x), p=weights)  # a missing row's mode and value come from the mixture
    x = np.where(missing, means[fill] + sds[fill] * rng.standard_normal(len(x)), x)
    if len(atoms):  # ... or from a point mass, as often as the data sits on it
        x = _fill_atoms(x, missing, atoms, np.asarray(record["atom_shares"]), rng)
    log_post = np.log(weights) + stats.norm.logpdf(x[:, None], means, sds)
    post = np.exp(log_post - log_post.max(axis=1, keepdims=True)) + 1e-6  # CTGAN's floor
    post /= post.sum(axis=1, keepdims=True)
    modes = (rng.random(len(x))[:, None] > np.cumsum(post, axis=1)[:, :-1]).sum(axis=1)
    scalar = np.clip((x - means[modes]) / (SCALE_SDS * sds[modes]), -1.0, 1.0)
    if len(atoms):  # a value on a point mass: its own mode after the mixture's, scalar 0
        hit = x[:, None] == atoms
        on = hit.any(axis=1)
        modes, scalar = np.where(on, len(weights) + hit.argmax(axis=1), modes), np.where(on, 0.0, scalar)
    parts = [scalar[:, None], _one_hot(modes, len(weights) + len(atoms))]
    if record["missing"]:
        parts.append(_one_hot(missing.astype(np.int64), 2))
    return parts


def _fill_atoms(x, missing, atoms, shares, rng) -> np.ndarray:
    """`x` with each missing row put on point mass j with probability shares[j] (else its mixture draw)."""
    pick = (rng.random(len(x))[:, None] > np.cumsum(shares)).sum(axis=1)  # len(atoms): no point mass
    on = missing & (pick < len(atoms))
    return np.where(on, atoms[np.minimum(pick, len(atoms) - 1)], x)


def _back_numeric(record, block: np.ndarray) -> pd.Series:
    k, atoms = len(record["weights"]), np.asarray(record.get("atoms", []), dtype=np.float64)
    width = k + len(atoms)  # the mode span: the mixture's modes, then the point masses
    picked = block[:, 1 : 1 + width].argmax(axis=1)
    modes = np.minimum(picked, k - 1)
    x = np.clip(block[:, 0], -1, 1) * SCALE_SDS * np.asarray(record["sds"])[modes] + np.asarray(record["means"])[modes]
    if len(atoms):
        x = np.where(picked >= k, atoms[np.maximum(picked - k, 0)], x)
    if record["integer"]:
        x = np.clip(np.round(x), record["low"], record["high"])
    if record["missing"]:
        x = np.where(block[:, 1 + width : 3 + width].argmax(axis=1) == 1, np.nan, x)
    return pd.Series(x).astype(record["dtype"])


def _back_categorical(record, block: np.ndarray) -> pd.Series:
    codes = block.argmax(axis=1)
    values = record["values"]
    missing = codes == len(values)
    dtype = record["dtype"]
    if dtype == "category":
        categories = pd.Index(values, dtype=record["categories_dtype"])
        kind = pd.CategoricalDtype(categories, ordered=record["ordered"])
        return pd.Series(pd.Categorical.from_codes(np.where(missing, -1, codes), dtype=kind))
    marker = {"none": None, "na": pd.NA, "nan": np.nan}[record.get("marker", "none")]
    objects = np.empty(len(codes), dtype=object)
    objects[:] = [marker if m else values[c] for c, m in zip(codes, missing)]
    return pd.Series(objects, dtype=object) if dtype == "object" else pd.Series(objects).astype(dtype)


# --- the whole table ---------------------------------------------------------------------------


class TableTransformer:
    """A table's columns as one float row each (tanh scalars and one-hot spans), and back.

    Parameters
    ----------
    columns : list of dict, optional
        A fitted state's column records (:meth:`from_state` passes them); fit with :meth:`fit`.

    Attributes
    ----------
    columns_ : list of dict
        One record per column (name, kind, dtype; the mixture's modes, or the categories and
        their counts; whether it has missing values).
    spans_ : list of (start, end, activation)
        The row's spans, in order: ``"tanh"`` for a numeric scalar, ``"softmax"`` for a one-hot.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"size": [1.0, 2.5, None, 4.0] * 10, "kind": list("abca") * 10})
    >>> table = TableTransformer().fit(frame, rng=0)
    >>> rows = table.transform(frame, rng=1)
    >>> back = table.inverse_transform(rows)
    >>> back.dtypes.equals(frame.dtypes), back["kind"].equals(frame["kind"])
    (True, True)
    """

    def __init__(self, columns=None):
        self.columns_ = None if columns is None else [dict(c) for c in columns]
        self.spans_ = None if columns is None else self._spans()

    def fit(self, frame, rng=None) -> TableTransformer:
        """Fit on `frame` (a DataFrame); the mixtures are seeded from `rng`. Errors name the column."""
        frame, rng = _check_frame(frame), check_rng(rng)
        records = []
        for name in frame.columns:
            series = frame[name]
            kind = column_kind(series)
            if not kind or not series.notna().any():
                raise ValueError(f"column {name!r}: every value is missing; drop the column before training.")
            if kind == "numeric" and not is_discrete(series):
                fit = _fit_numeric(_plain(name), series, rng)
            else:
                fit = _fit_categorical(_plain(name), series, kind)
                fit["discrete"] = kind == "numeric"
            records.append(fit)
        self.columns_, self.spans_ = records, None
        self.spans_ = self._spans()
        return self

    def _spans(self) -> list[tuple[int, int, str]]:
        spans, start = [], 0
        for record in self.columns_:
            if record["kind"] == "numeric":
                modes = len(record["weights"]) + len(record.get("atoms", []))
                widths = [(1, TANH), (modes, SOFTMAX)] + ([(2, SOFTMAX)] if record["missing"] else [])
            else:
                widths = [(_width(record), SOFTMAX)]
            for width, activation in widths:
                spans.append((start, start + width, activation))
                start += width
        return spans

    # --- facts about the rows -----------------------------------------------------------------

    @property
    def dim(self) -> int:
        """Width of a transformed row."""
        return self.spans_[-1][1]

    @property
    def noise_dim(self) -> int:
        """Entries of the one-hot spans (each needs one Gumbel noise input)."""
        return sum(end - start for start, end, act in self.spans_ if act == SOFTMAX)

    @property
    def discrete_spans(self) -> list[tuple[int, int]]:
        """The one-hot spans of the categorical columns (what a condition picks from), in order."""
        spans, i = [], 0
        for record in self.columns_:
            own = 1 + int(record["missing"]) + 1 if record["kind"] == "numeric" else 1
            if record["kind"] == "categorical":
                spans.append(self.spans_[i][:2])
            i += own
        return spans

    @property
    def n_conditions(self) -> int:
        """Size of the condition vector: every category of every categorical column."""
        return sum(end - start for start, end in self.discrete_spans)

    @property
    def names(self) -> list:
        return [record["name"] for record in self.columns_]

    # --- forward and back ---------------------------------------------------------------------

    def transform(self, frame, rng=None) -> np.ndarray:
        """`frame` as float rows ``(n, dim)``; modes are drawn from each value's posterior with `rng`."""
        self.check_columns(frame)
        rng = check_rng(rng)
        parts = []
        for record in self.columns_:
            series = frame[record["name"]]
            if record["kind"] == "numeric":
                parts += _forward_numeric(record, series, rng)
            else:
                parts.append(_one_hot(_category_codes(record, series), _width(record)))
        return np.hstack(parts)

    def inverse_transform(self, rows) -> pd.DataFrame:
        """Rows ``(n, dim)`` (generated or transformed) as a DataFrame: the fitted columns, dtypes, categories."""
        rows = np.asarray(rows, dtype=np.float64)
        if rows.ndim != 2 or rows.shape[1] != self.dim:
            raise ValueError(f"`rows` must have shape (n, {self.dim}), got {rows.shape}.")
        out, i = {}, 0
        for record in self.columns_:
            own = 2 + int(record["missing"]) if record["kind"] == "numeric" else 1
            start, end = self.spans_[i][0], self.spans_[i + own - 1][1]
            back = _back_numeric if record["kind"] == "numeric" else _back_categorical
            out[record["name"]] = back(record, rows[:, start:end])
            i += own
        return pd.DataFrame(out, columns=self.names)

    def sample_conditions(self, n: int, rng) -> np.ndarray | None:
        """`n` conditions as the data has them: a categorical column uniformly, its category by frequency.

        Codes index the condition vector (column by column, category by category); None when
        the table has no categorical column.
        """
        discrete = [r for r in self.columns_ if r["kind"] == "categorical"]
        if not discrete:
            return None
        rng = check_rng(rng)
        offsets = np.cumsum([0] + [_width(r) for r in discrete])
        which = rng.integers(0, len(discrete), size=n)
        out = np.empty(n, dtype=np.int64)
        for j, record in enumerate(discrete):
            chosen = which == j
            counts = np.asarray(record["counts"], dtype=np.float64)
            out[chosen] = offsets[j] + rng.choice(len(counts), size=int(chosen.sum()), p=counts / counts.sum())
        return out

    # --- state ----------------------------------------------------------------------------------

    def check_columns(self, frame) -> None:
        """Refuse a table whose columns are not the fitted ones (in order) or of another kind, naming them."""
        frame = _check_frame(frame)
        given, fitted = [_plain(c) for c in frame.columns], self.names
        if given != fitted:
            missing = [c for c in fitted if c not in given]
            extra = [c for c in given if c not in fitted]
            detail = (
                f"missing {missing}, unexpected {extra}" if missing or extra else f"order {given} (fitted {fitted})"
            )
            raise ValueError(f"`data`: the table's columns differ from the fitted (or checkpointed) ones: {detail}.")
        kinds = {"numeric": "numeric", "boolean": "categorical", "categorical": "categorical", "ordinal": "categorical"}
        for record in self.columns_:
            kind = kinds.get(column_kind(frame[record["name"]]), record["kind"])  # all missing: transform says so
            fitted = "numeric" if record.get("discrete") else record["kind"]  # few numbers: a category of numbers
            if kind != fitted:
                raise ValueError(
                    f"`data`: column {record['name']!r} is {kind} but was {fitted} when the transformer "
                    "was fitted (or checkpointed)."
                )

    def state(self) -> dict:
        """The fitted state as plain values (JSON-able: numbers, strings, lists, dicts)."""
        return {"format": "table-transformer/1", "columns": [dict(c) for c in self.columns_]}

    @classmethod
    def from_state(cls, state) -> TableTransformer:
        """The transformer a :meth:`state` describes."""
        if not isinstance(state, dict) or state.get("format") != "table-transformer/1":
            raise ValueError("the table state is not a table-transformer/1 record.")
        return cls(state["columns"])


class ConditionSampler:
    """CTGAN's training-by-sampling over transformed training rows.

    A condition is a code into the condition vector (category k of the j-th categorical
    column is ``offset_j + k``). :meth:`draw` picks a column uniformly, a category with
    probability proportional to ``log(1 + count)``, then a row having it; :meth:`of_rows`
    gives rows their own conditions (for held-out rows); :meth:`loss` is the generator's
    cross-entropy term.

    Parameters
    ----------
    rows : numpy.ndarray
        Transformed training rows.
    spans : list of (start, end)
        The categorical columns' one-hot spans (:attr:`TableTransformer.discrete_spans`).
    """

    def __init__(self, rows: np.ndarray, spans):
        import torch

        self.spans = [tuple(int(v) for v in s) for s in spans]
        widths = np.array([e - s for s, e in self.spans])
        offsets = np.concatenate([[0], np.cumsum(widths)])
        self.n_conditions = int(offsets[-1])
        self.codes = _codes(rows, self.spans, offsets)
        counts = np.bincount(self.codes.ravel(), minlength=self.n_conditions)
        cumulative = np.full((len(widths), widths.max()), np.inf)
        for j, (o, w) in enumerate(zip(offsets, widths)):
            weights = np.log1p(counts[o : o + w])
            last = np.flatnonzero(weights)[-1]  # never past the last category some row has
            cumulative[j, :last] = np.cumsum(weights / weights.sum())[:last]
        self.cumulative = torch.as_tensor(cumulative)
        self.offsets = torch.as_tensor(offsets[:-1], dtype=torch.long)
        order = np.concatenate([np.argsort(col, kind="stable") for col in self.codes.T])
        self.members = torch.as_tensor(order, dtype=torch.long)
        self.start = torch.as_tensor(np.concatenate([[0], np.cumsum(counts)[:-1]]), dtype=torch.long)
        self.count = torch.as_tensor(counts, dtype=torch.long)
        self.position = torch.as_tensor([s + k for s, e in self.spans for k in range(e - s)], dtype=torch.long)

    def draw(self, size: int, generator):
        """(conditions, row indices), each ``(size,)`` long tensors, drawn from the CPU ``torch.Generator``."""
        import torch

        column = torch.randint(0, len(self.spans), (size,), generator=generator)
        u = torch.rand(size, 1, generator=generator, dtype=torch.float64)
        code = self.offsets[column] + (u > self.cumulative[column]).sum(dim=1)
        pick = (torch.rand(size, generator=generator, dtype=torch.float64) * self.count[code]).long()
        return code, self.members[self.start[code] + pick]

    def of_rows(self, rows: np.ndarray, rng) -> np.ndarray:
        """Each row's own category in a column drawn uniformly: for held-out rows, the law of :meth:`draw`'s pairs
        when categories are drawn by frequency."""
        offsets = np.concatenate([[0], np.cumsum([e - s for s, e in self.spans])])
        codes = _codes(rows, self.spans, offsets)
        column = check_rng(rng).integers(0, len(self.spans), size=len(rows))
        return codes[np.arange(len(rows)), column]

    def loss(self, fake, conditions):
        """Mean cross-entropy of the asked category in the generated rows' spans (rows packed or not)."""
        import torch

        rows = fake.reshape(len(conditions), -1)
        chosen = rows.gather(1, self.position.to(rows.device)[conditions][:, None])
        return -torch.log(chosen + 1e-8).mean()


def _codes(rows: np.ndarray, spans, offsets) -> np.ndarray:
    """(n, columns): each row's condition code in each categorical column (the argmax of its span)."""
    return np.column_stack([rows[:, s:e].argmax(axis=1) + o for (s, e), o in zip(spans, offsets)]).astype(np.int64)


def table_dataset(frame, seed: int, *, state=None) -> Dataset:
    """A :class:`~gan.data.datasets.Dataset` of `frame`'s transformed rows, with its transformer as ``table``.

    The transformer is fitted from the stream ``(seed, 1)`` (or read from `state`, a checkpoint's,
    after checking the columns); the modes of the rows are drawn from the stream ``(seed, 2)``,
    so a resumed run sees the same rows.
    """
    frame = _check_frame(frame)
    if state is None:
        table = TableTransformer().fit(frame, rng=np.random.default_rng([seed, 1]))
    else:
        table = TableTransformer.from_state(state)
        table.check_columns(frame)
    rows = table.transform(frame, rng=np.random.default_rng([seed, 2]))
    return Dataset(
        "table",
        lambda n, rng: rows[rng.integers(0, len(rows), size=n)],
        rows.shape[1],
        rows=rows,
        table=table,
        frame=frame,
    )
