"""``compare``: two tables, column by column, with error control, effect sizes and a multivariate verdict.

A study over columns (docs/tables.md): each column's kind decides its test
(:mod:`twosample.study._column_tests`), missing values are tested as information (the missing share
of each sample, Fisher's exact test), the p-values of the family are adjusted together, and a test
on the whole mixed table gives the multivariate verdict.
"""

from __future__ import annotations

import dataclasses
import json
import math
import warnings

import numpy as np
import pandas as pd

from twosample.core.progress import progress_bar, progress_enabled
from twosample.core.result import TestResult, jsonable
from twosample.core.validation import (
    DegenerateDataWarning,
    check_alpha,
    check_choice,
    check_n_resamples,
    check_real,
    seeded_rng,
)
from twosample.study._column_tests import column_test, effects, missing_test
from twosample.study._columns import prepare_columns
from twosample.study._maxt import maxt_adjust
from twosample.study.multiplicity import adjust_pvalues

__all__ = ["CORRECTIONS", "TableComparison", "compare"]

CORRECTIONS = ("holm", "bh", "by", "maxT", "none")
MULTIVARIATE = ("c2st", "mmd", "none")


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class TableComparison:
    """The comparison of two tables.

    Attributes
    ----------
    columns : pandas.DataFrame
        One row per compared column, sorted by effect size (largest first): ``column``,
        ``kind``, ``test``, ``statistic``, ``pvalue``, ``p_adjusted``, ``effect_name``,
        ``effect`` with ``effect_low``/``effect_high``, kind-specific effects
        (``wasserstein``, ``smd``..., ``tvd``, ``cramers_v``...), ``missing_x``/``missing_y``
        (shares), ``missing_pvalue``/``missing_p_adjusted`` (NaN when nothing is missing),
        ``reject`` and ``note``.
    correction : str
        ``"holm"``, ``"bh"``, ``"by"``, ``"maxT"`` or ``"none"``.
    alpha : float
        Level (family-wise for holm and maxT, false discovery rate for bh and by).
    reject : bool
        Whether any hypothesis of the family (a column's values or its missing share) is
        rejected after the correction.
    multivariate : TestResult or None
        The test on the whole table (``c2st-mixed`` or ``mmd-mixed``).
    skipped : tuple of str
        Columns not compared (identifiers).
    n_x, n_y : int
        Rows of each table.
    seed : int or None
        The integer seed that repeats the comparison.
    """

    columns: pd.DataFrame
    correction: str
    alpha: float
    reject: bool
    multivariate: TestResult | None
    skipped: tuple
    n_x: int
    n_y: int
    seed: int | None = None

    def to_frame(self) -> pd.DataFrame:
        """The per-column rows (a copy)."""
        return self.columns.copy()

    def to_dict(self) -> dict:
        """Strict JSON: ``json.dumps(res.to_dict(), allow_nan=False)`` always works."""
        return {
            "correction": self.correction,
            "alpha": self.alpha,
            "reject": self.reject,
            "n_x": self.n_x,
            "n_y": self.n_y,
            "seed": self.seed,
            "skipped": list(self.skipped),
            "multivariate": None if self.multivariate is None else self.multivariate.to_dict(),
            "columns": jsonable(self.columns.to_dict(orient="records")),
        }

    def to_json(self, **kwargs) -> str:
        return json.dumps(self.to_dict(), allow_nan=False, **kwargs)

    def __repr__(self) -> str:
        shown = ["column", "kind", "test", "pvalue", "p_adjusted", "effect_name", "effect", "effect_low", "effect_high"]
        shown += ["missing_x", "missing_y", "reject"]
        with pd.option_context("display.width", 140, "display.max_columns", 20, "display.max_rows", 60):
            table = self.columns[shown].to_string(index=False, float_format=lambda v: f"{v:.3g}")
        verdict = "the tables differ" if self.reject else "no difference found"
        lines = [
            f"TableComparison: {len(self.columns)} columns, n_x = {self.n_x}, n_y = {self.n_y}, "
            f"correction = {self.correction}, alpha = {self.alpha:g}: {verdict}",
            table,
        ]
        if self.multivariate is not None:
            mv = self.multivariate
            lines.append(f"multivariate ({mv.test}): statistic {mv.statistic:.4g}, p-value {mv.pvalue:.3g}")
        if self.skipped:
            lines.append(f"skipped (identifiers): {', '.join(self.skipped)}")
        return "\n".join(lines)


def _column_row(column, *, alpha, n_resamples, confidence, rng) -> dict:
    """Test, effects and missingness of one column (p-values not yet adjusted)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DegenerateDataWarning)
        test, result = column_test(column, alpha=alpha, n_resamples=n_resamples, rng=rng)
    mx, my = column.missing()
    missing = missing_test(column)
    row = {
        "column": column.name,
        "kind": column.kind,
        "test": test,
        "method": result.method,
        "statistic": result.statistic,
        "pvalue": result.pvalue,
        **effects(column, confidence=confidence, rng=rng),
        "missing_x": mx / column.n_x,
        "missing_y": my / (len(column.codes) - column.n_x),
        "missing_pvalue": math.nan if missing is None else missing,
        "note": "; ".join(str(w.message) for w in caught if issubclass(w.category, DegenerateDataWarning)),
    }
    return row


def adjusted_frame(rows: list[dict], p_adj, p_miss, alpha) -> pd.DataFrame:
    """The per-column rows with their adjusted p-values and decisions, sorted by effect (largest first)."""
    frame = pd.DataFrame(rows)
    frame.insert(frame.columns.get_loc("pvalue") + 1, "p_adjusted", p_adj)
    frame.insert(frame.columns.get_loc("missing_pvalue") + 1, "missing_p_adjusted", p_miss)
    frame["reject"] = (frame["p_adjusted"] <= alpha) | (frame["missing_p_adjusted"] <= alpha)
    return frame.sort_values("effect", ascending=False, kind="stable").reset_index(drop=True)


def adjust(rows: list[dict], correction, alpha) -> tuple[np.ndarray, np.ndarray]:
    """Adjusted p-values of the values and of the missing shares (NaN where nothing is missing)."""
    values = np.array([r["pvalue"] for r in rows])
    missing = np.array([r["missing_pvalue"] for r in rows])
    family = np.r_[values, missing[~np.isnan(missing)]]
    if correction == "none":
        adjusted = family
    else:
        adjusted = adjust_pvalues(family, correction)
    adj_missing = np.full(len(rows), np.nan)
    adj_missing[~np.isnan(missing)] = adjusted[len(rows) :]
    return adjusted[: len(rows)], adj_missing


def _maxt(rows, cols, n_resamples, rng):
    """Westfall-Young over one shared relabelling; the rows' p-values become its own permutation
    p-values (the statistics it relabels: KS for numeric and ordinal columns, chi-square for labels,
    the gap in missing shares), so each adjusted p-value is at least its raw one."""
    raw, adjusted = maxt_adjust(cols, n_resamples=n_resamples, rng=rng)
    has_missing = [i for i, r in enumerate(rows) if not math.isnan(r["missing_pvalue"])]
    p_miss = np.full(len(cols), np.nan)
    p_miss[has_missing] = adjusted[len(cols) :]
    for i, (row, col) in enumerate(zip(rows, cols)):
        row.update(pvalue=raw[i], method="shared permutation")
        row["test"] = "ks" if col.kind in ("numeric", "ordinal") else "chi2"
    for i, j in zip(has_missing, range(len(cols), len(raw))):
        rows[i]["missing_pvalue"] = raw[j]
    return adjusted[: len(cols)], p_miss


def compare(
    x,
    y,
    *,
    columns=None,
    categorical=(),
    correction: str = "holm",
    alpha: float = 0.05,
    n_resamples: int = 9999,
    multivariate: str = "c2st",
    max_rows: int = 5000,
    confidence: float = 0.95,
    rng=None,
) -> TableComparison:
    r"""Compare two tables column by column, with family-wise error control and effect sizes.

    Parameters
    ----------
    x, y : pandas.DataFrame (or 2-D arrays)
        The two tables (same column names; rows are observations). Columns may be
        numeric, boolean, categorical (strings, ``category``) or ordinal (an ordered
        ``Categorical``), with missing values in any of them.
    columns : list of str, optional
        Compare only these columns.
    categorical : list of str, default ()
        Numeric columns that are codes, to compare as categories.
    correction : {"holm", "bh", "by", "maxT", "none"}, default "holm"
        How the p-values of the family (every column's values, and the missing share of
        every column with a missing value) are adjusted: Holm's step-down (family-wise
        error, any dependence), Benjamini-Hochberg or Benjamini-Yekutieli (false
        discovery rate), or Westfall-Young's step-down over one shared relabelling of the
        rows (family-wise error, exact under the global null, more power when columns are
        dependent; :mod:`twosample.study._maxt`; ``n_resamples`` relabellings).
    alpha : float, default 0.05
        Level of the family.
    n_resamples : int, default 9999
        Monte Carlo draws of each column's null (and relabellings for ``"maxT"``).
    multivariate : {"c2st", "mmd", "none"}, default "c2st"
        The test on the whole table: :func:`~twosample.c2st_mixed_test` (gradient-boosted
        trees with native categorical features), :func:`~twosample.mmd_mixed_test`, or none.
    max_rows : int, default 5000
        Rows of each table (drawn at random) given to the multivariate test.
    confidence : float, default 0.95
        Level of the effect sizes' intervals.
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Source of randomness; the same value gives the same comparison.

    Returns
    -------
    TableComparison

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from twosample import compare
    >>> rng = np.random.default_rng(0)
    >>> x = pd.DataFrame({"age": rng.normal(40, 10, 300), "city": rng.choice(["a", "b", "c"], 300)})
    >>> y = pd.DataFrame({"age": rng.normal(45, 10, 300), "city": rng.choice(["a", "b", "c"], 300)})
    >>> res = compare(x, y, rng=1, multivariate="none")
    >>> res.reject, list(res.columns["column"])
    (True, ['age', 'city'])
    """
    alpha, n_resamples = check_alpha(alpha), check_n_resamples(n_resamples)
    check_choice(correction, "correction", CORRECTIONS)
    check_choice(multivariate, "multivariate", MULTIVARIATE)
    confidence = check_real(confidence, "confidence", low=0, high=1, low_open=True, high_open=True)
    generator, seed = seeded_rng(rng)
    cols, skipped = prepare_columns(x, y, columns=columns, categorical=categorical)
    streams = np.random.SeedSequence(int(generator.integers(2**63))).spawn(len(cols) + 2)
    rows = []
    with progress_bar(len(cols), progress_enabled(), desc="compare", unit="column") as bar:
        for col, stream in zip(cols, streams):
            rows.append(
                _column_row(
                    col, alpha=alpha, n_resamples=n_resamples, confidence=confidence, rng=np.random.default_rng(stream)
                )
            )
            bar.update(1)
    if correction == "maxT":
        p_adj, p_miss = _maxt(rows, cols, n_resamples, np.random.default_rng(streams[-2]))
    else:
        p_adj, p_miss = adjust(rows, correction, alpha)
    frame = adjusted_frame(rows, p_adj, p_miss, alpha)
    mv = _multivariate(x, y, cols, multivariate, max_rows, alpha, np.random.default_rng(streams[-1]))
    return TableComparison(
        frame,
        correction,
        alpha,
        bool(frame["reject"].any()),
        mv,
        tuple(skipped),
        cols[0].n_x,
        len(cols[0].codes) - cols[0].n_x,
        seed,
    )


def _multivariate(x, y, cols, which, max_rows, alpha, rng):
    if which == "none":
        return None
    from twosample.categorical.mixed import c2st_mixed_test, mmd_mixed_test

    test = c2st_mixed_test if which == "c2st" else mmd_mixed_test
    names = [c.name for c in cols]
    fx, fy = (_frame(t, names) for t in (x, y))
    fx, fy = (f.sample(n=min(len(f), max_rows), random_state=rng.integers(2**32)) for f in (fx, fy))
    kinds = {c.name: c.kind for c in cols}
    return test(fx, fy, alpha=alpha, rng=rng, categorical=[n for n, k in kinds.items() if k != "numeric"])


def _frame(table, names):
    frame = table if isinstance(table, pd.DataFrame) else pd.DataFrame(table)
    return frame.rename(columns=str)[names].reset_index(drop=True)
