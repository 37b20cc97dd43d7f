r"""Where a classifier test sees the difference: per-feature permutation importance with corrected p-values.

The classifier of :func:`~twosample.c2st_test` is fixed once trained, so its held-out rows are
fresh data for it. For a feature (or a group of columns) :math:`j`, shuffle its values among the
pooled held-out rows, keep the labels and the other columns, and recompute the held-out statistic
:math:`T = \overline{s}_x - \overline{s}_y` (the mean score difference, C2ST-L: continuous, so
ties do not blur small effects). The importance is :math:`T - \operatorname{mean}_b T_b^{(j)}`:
how much the classifier loses when it cannot use :math:`j`.

The p-value :math:`(1 + \#\{T_b^{(j)} \ge T\}) / (B + 1)` is exact, conditionally on the trained
classifier, for the null "the held-out values of :math:`j` are exchangeable across rows given the
labels and the other columns' values", i.e. :math:`X_j` independent of the label and of
:math:`X_{-j}` jointly. A feature that differs between the samples breaks it; so does a feature
that is merely correlated with others the classifier uses. Features that are independent of the
rest (the usual sparse-shift setting) are tested for "where the difference is" exactly. The
p-values of all features are adjusted for the family (Holm by default).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from twosample.core.validation import check_alpha, check_choice, check_n_resamples, seeded_rng
from twosample.explain._table import FeatureTable
from twosample.learned.classifier_tests import C2STResult
from twosample.study.multiplicity import adjust_pvalues

__all__ = ["Importance", "c2st_importance", "confident_rows"]

CORRECTIONS = ("holm", "bonferroni", "bh", "by", "none")
_CHUNK_ROWS = 200_000  # rows scored per call: bounded memory whatever B and N


@dataclasses.dataclass(frozen=True, repr=False)
class Importance(FeatureTable):
    """Per-feature permutation importance of a classifier test, largest first.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per feature or group: ``feature``, ``importance`` (drop of the mean held-out
        score difference when the feature is shuffled), ``pvalue``, ``p_adjusted``, ``reject``.
    statistic : float
        The held-out mean score difference with every feature in place.
    correction, alpha, n_resamples, seed
        As passed (``seed``: the integer that repeats the run).
    """

    statistic: float
    correction: str
    alpha: float
    n_resamples: int
    seed: int | None

    def __repr__(self) -> str:
        return (
            f"Importance(features={len(self.table)}, significant={self.significant!r}, correction={self.correction!r})"
        )

    def __str__(self) -> str:
        head = f"Permutation importance ({self.correction}, alpha = {self.alpha:g}, B = {self.n_resamples})"
        return head + "\n" + self.table.to_string(index=False, float_format=lambda v: f"{v:.4g}")


def _check_result(res) -> C2STResult:
    if not isinstance(res, C2STResult):
        raise TypeError(f"`res` must be the result of c2st_test (a C2STResult), got {type(res).__name__}.")
    if res.classifier is None or res.x_test is None:
        raise ValueError(
            "`res` has no single fitted classifier (null='crossfit' fits one per fold): rerun c2st_test "
            "with null='binomial' or 'permutation'."
        )
    return res


def _groups(groups, names, width):
    """{label: column indices}: every column on its own, or the user's groups (names or indices)."""
    names = [f"x{j}" for j in range(width)] if names is None else [str(n) for n in names]
    if len(names) != width:
        raise ValueError(f"`feature_names` must have {width} names, one per column; got {len(names)}.")
    if groups is None:
        return {name: [j] for j, name in enumerate(names)}
    if not isinstance(groups, dict) or not groups:
        raise ValueError("`groups` must be a non-empty dict {label: list of column names or indices}.")
    out = {}
    for label, members in groups.items():
        members = [members] if isinstance(members, (str, int, np.integer)) else list(members)
        index = [names.index(m) if isinstance(m, str) and m in names else m for m in members]
        if not index or not all(isinstance(i, (int, np.integer)) and 0 <= i < width for i in index):
            raise ValueError(f"`groups`[{label!r}] must list columns among {names}; got {members!r}.")
        out[str(label)] = sorted({int(i) for i in index})
    return out


def _mean_difference(scores, n_x):
    return scores[..., :n_x].mean(axis=-1) - scores[..., n_x:].mean(axis=-1)


def _shuffled_statistics(res, pooled, columns, n_resamples, rng):
    """The held-out statistic with `columns` shuffled together among the rows, for each of `n_resamples` shuffles."""
    n_total, n_x = len(pooled), len(res.x_test)
    per_call = max(1, _CHUNK_ROWS // n_total)
    out = np.empty(n_resamples)
    for start in range(0, n_resamples, per_call):
        count = min(per_call, n_resamples - start)
        block = np.repeat(pooled[None], count, axis=0)
        for b in range(count):
            block[b][:, columns] = pooled[rng.permutation(n_total)][:, columns]
        scores = res.scores(block.reshape(-1, pooled.shape[1])).reshape(count, n_total)
        out[start : start + count] = _mean_difference(scores, n_x)
    return out


def c2st_importance(
    res,
    *,
    groups=None,
    feature_names=None,
    n_resamples: int = 999,
    correction: str = "holm",
    alpha: float = 0.05,
    rng=None,
) -> Importance:
    """Permutation importance of each feature (or group) for a classifier test, with corrected p-values.

    Parameters
    ----------
    res : C2STResult
        The result of :func:`~twosample.c2st_test` (``null="binomial"`` or ``"permutation"``):
        its fitted classifier and held-out rows are reused, nothing is refitted.
    groups : dict, optional
        ``{label: columns}`` (names from `feature_names`, or indices) shuffled together; by
        default every column on its own.
    feature_names : list of str, optional
        The columns' names (default ``x0, x1, ...``).
    n_resamples : int, default 999
        Shuffles per feature. With many features, the correction needs small p-values:
        Holm over 100 features at 0.05 needs p <= 0.0005, so B >= 1999.
    correction : {"holm", "bonferroni", "bh", "by", "none"}, default "holm"
    alpha : float, default 0.05
    rng : None, int, SeedSequence or Generator
        Seeds the shuffles (one independent stream per feature).

    Returns
    -------
    Importance

    Examples
    --------
    >>> import numpy as np, twosample as ts
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.normal(size=(400, 3)), rng.normal(size=(400, 3)) + [1.0, 0.0, 0.0]
    >>> res = ts.c2st_test(x, y, classifier="logistic", rng=0)
    >>> ts.explain.c2st_importance(res, n_resamples=199, rng=0).significant
    ['x0']
    """
    res = _check_result(res)
    n_resamples, alpha = check_n_resamples(n_resamples), check_alpha(alpha)
    check_choice(correction, "correction", CORRECTIONS)
    generator, seed = seeded_rng(rng)
    pooled = np.vstack([res.x_test, res.y_test])
    families = _groups(groups, feature_names, pooled.shape[1])
    observed = float(_mean_difference(np.r_[res.scores_x, res.scores_y], len(res.x_test)))
    streams = np.random.SeedSequence(int(generator.integers(2**63))).spawn(len(families))
    rows = []
    for (label, columns), stream in zip(families.items(), streams):
        null = _shuffled_statistics(res, pooled, columns, n_resamples, np.random.default_rng(stream))
        tol = 100 * np.finfo(float).eps * max(abs(observed), 1.0)
        pvalue = (1 + np.count_nonzero(null >= observed - tol)) / (n_resamples + 1)
        rows.append({"feature": label, "importance": observed - null.mean(), "pvalue": pvalue})
    table = pd.DataFrame(rows)
    table["p_adjusted"] = table["pvalue"] if correction == "none" else adjust_pvalues(table["pvalue"], correction)
    table["reject"] = table["p_adjusted"] <= alpha
    table = table.sort_values(["p_adjusted", "importance"], ascending=[True, False], kind="stable")
    return Importance(table.reset_index(drop=True), observed, correction, alpha, n_resamples, seed)


def confident_rows(res, k: int = 10, *, feature_names=None) -> pd.DataFrame:
    """The held-out rows the classifier of a C2ST is most sure about, `k` per sample.

    Rows of ``x`` with the largest scores (log p/q: "x has more mass here") and rows of ``y``
    with the smallest ("y has more mass here"), in the data's units, with columns
    ``sample``, ``score`` and the features.
    """
    res = _check_result(res)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"`k` must be a positive integer, got {k!r}.")
    width = res.x_test.shape[1]
    names = [f"x{j}" for j in range(width)] if feature_names is None else [str(n) for n in feature_names]
    if len(names) != width:
        raise ValueError(f"`feature_names` must have {width} names, one per column; got {len(names)}.")
    top_x = np.argsort(-res.scores_x, kind="stable")[:k]
    top_y = np.argsort(res.scores_y, kind="stable")[:k]
    parts = [
        pd.DataFrame(res.x_test[top_x], columns=names).assign(sample="x", score=res.scores_x[top_x]),
        pd.DataFrame(res.y_test[top_y], columns=names).assign(sample="y", score=res.scores_y[top_y]),
    ]
    frame = pd.concat(parts, ignore_index=True)
    return frame[["sample", "score", *names]]
