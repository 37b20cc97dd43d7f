r"""Which coordinates (or groups of columns) carry the difference, with family-wise error control.

Every feature's marginal is compared (Kolmogorov-Smirnov for numeric columns, chi-square for
categorical ones, and the share of missing values where any is missing) under one shared
relabelling of the rows, and the family is adjusted by Westfall and Young's maxT step-down
(:mod:`twosample.study._maxt`, the machinery of :func:`twosample.compare`): the family-wise
error is at most alpha under the global null whatever the dependence between the features, and
strongly under subset pivotality. A group's statistic is the largest standardized statistic of
its members, standardized again over the relabellings, so groups of different sizes compete on
one scale.

The hypothesis of a feature is "its marginal law is the same in both samples": a rejected feature
is one where the samples differ on their own, not one a multivariate test merely uses.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from twosample.core.progress import progress_bar, progress_enabled
from twosample.core.validation import check_alpha, check_n_resamples, seeded_rng
from twosample.explain._table import FeatureTable
from twosample.study._columns import prepare_columns
from twosample.study._maxt import maxt_null, standardized, step_down

__all__ = ["Attribution", "attribute"]


@dataclasses.dataclass(frozen=True, repr=False)
class Attribution(FeatureTable):
    """Per-feature (or per-group) attribution of a difference, strongest first.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per feature or group: ``feature``, ``test`` (``"ks"``, ``"chi2"``, ``"missing"``
        or ``"group"``), ``statistic`` (the KS distance, the chi-square, the gap in missing
        shares, or for a group its largest standardized member), ``score`` (the statistic
        standardized over the relabellings: comparable across features), ``pvalue`` (the
        feature's own permutation p-value), ``p_adjusted`` (maxT) and ``reject``.
    alpha, n_resamples, seed
        As passed (``seed``: the integer that repeats the run).
    """

    alpha: float
    n_resamples: int
    seed: int | None

    def top(self, k: int = 5) -> list:
        """The `k` features with the largest standardized statistic (whether or not they are significant)."""
        return list(self.table["feature"][:k])

    def __repr__(self) -> str:
        return f"Attribution(features={len(self.table)}, significant={self.significant!r})"

    def __str__(self) -> str:
        head = f"Attribution (maxT, alpha = {self.alpha:g}, B = {self.n_resamples})"
        return head + "\n" + self.table.to_string(index=False, float_format=lambda v: f"{v:.4g}")


def _hypotheses(cols) -> list[tuple[str, str]]:
    """(feature, test) of each statistic maxt_null computes: values first, then missing shares."""
    values = [(c.name, "ks" if c.kind in ("numeric", "ordinal") else "chi2") for c in cols]
    missing = [(f"{c.name} (missing)", "missing") for c in cols if sum(c.missing()) > 0]
    return values + missing


def _group_scores(groups, names, observed_z, null_z):
    """Each group's largest standardized member, observed and under the relabellings."""
    index = {name: i for i, name in enumerate(names)}
    members = []
    for label, group in groups.items():
        group = [group] if isinstance(group, str) else list(group)
        unknown = [g for g in group if str(g) not in index]
        if not group or unknown:
            raise ValueError(f"`groups`[{label!r}] must list compared columns; not found: {unknown or 'empty'}.")
        members.append([index[str(g)] for g in group])
    observed = np.array([observed_z[m].max() for m in members])
    null = np.column_stack([null_z[:, m].max(axis=1) for m in members])
    return observed, null


def attribute(x, y, *, groups=None, columns=None, categorical=(), n_resamples=999, alpha=0.05, rng=None):
    """Which features (or groups of columns) differ between two samples, with family-wise error at most `alpha`.

    Parameters
    ----------
    x, y : array_like (n, d) and (m, d), or pandas.DataFrame
        The samples; arrays' columns are named ``x0, x1, ...``. DataFrames may hold
        categorical columns and missing values (as in :func:`twosample.compare`).
    groups : dict, optional
        ``{label: list of column names}``: test groups of columns instead of single ones
        (a column may belong to several groups).
    columns, categorical
        As in :func:`twosample.compare`: which columns, and numeric codes to treat as categories.
    n_resamples : int, default 999
        Shared relabellings of the rows.
    alpha : float, default 0.05
    rng : None, int, SeedSequence or Generator

    Returns
    -------
    Attribution

    Examples
    --------
    >>> import numpy as np, twosample as ts
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.normal(size=(500, 10)), rng.normal(size=(500, 10))
    >>> y[:, 3] += 0.5
    >>> ts.explain.attribute(x, y, n_resamples=199, rng=0).significant
    ['x3']
    """
    n_resamples, alpha = check_n_resamples(n_resamples), check_alpha(alpha)
    generator, seed = seeded_rng(rng)
    x, y = (_named(t) for t in (x, y))
    cols, _ = prepare_columns(x, y, columns=columns, categorical=categorical)
    with progress_bar(n_resamples, progress_enabled(), desc="attribute", unit="relabelling") as bar:
        observed, null = maxt_null(cols, n_resamples=n_resamples, rng=generator, progress=bar)
    raw = _pvalues(observed, null)
    z_observed, z_null = standardized(observed, null)
    features = _hypotheses(cols)
    rows = [dict(feature=f, test=t, statistic=s, score=z) for (f, t), s, z in zip(features, observed, z_observed)]
    if groups is not None:
        if not isinstance(groups, dict) or not groups:
            raise ValueError("`groups` must be a non-empty dict {label: list of column names}.")
        g_observed, g_null = _group_scores(groups, [f for f, _ in features], z_observed, z_null)
        raw = _pvalues(g_observed, g_null)
        z_observed, z_null = standardized(g_observed, g_null)
        rows = [
            dict(feature=str(g), test="group", statistic=s, score=z) for g, s, z in zip(groups, g_observed, z_observed)
        ]
    table = pd.DataFrame(rows).assign(pvalue=raw, p_adjusted=step_down(z_observed, z_null))
    table["reject"] = table["p_adjusted"] <= alpha
    table = table.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
    return Attribution(table, alpha, n_resamples, seed)


def _pvalues(observed, null):
    """Each hypothesis's own permutation p-value over the relabellings (ties up to rounding count)."""
    tol = 100 * np.finfo(float).eps * np.abs(observed)
    return (1 + (null >= observed - tol).sum(axis=0)) / (len(null) + 1)


def _named(table):
    """A DataFrame as given; an array as a DataFrame with columns x0, x1, ... (1-D: one column)."""
    if isinstance(table, pd.DataFrame):
        return table
    arr = np.asarray(table)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"`x` and `y` must be 1-D or 2-D (rows are observations), got shape {arr.shape}.")
    return pd.DataFrame(arr, columns=[f"x{j}" for j in range(arr.shape[1])])
