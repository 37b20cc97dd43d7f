"""One column of a table comparison: the test chosen by its kind, its effect sizes, its missingness.

The rule (docs/tables.md):

* numeric -> Kolmogorov-Smirnov (sees any change of the law): SciPy's exact null or the permutation
  null up to 10,000 rows a sample (``ks_test(method="auto")``); beyond, the exact conditional null
  over the table of distinct values when there are at most 1,000 of them (ties, codes, counts), else
  SciPy's asymptotic null (accurate at these sizes);
* categorical -> Pearson's chi-square with the exact conditional null (``chi2_test``);
* boolean -> Fisher's exact test;
* ordinal -> KS over the ordered levels with the exact conditional null (``ordinal_ks_test``).

Effect sizes: numeric and ordinal columns the KS distance with a DKW (Massart) interval, which is
valid at every sample size (conservative), plus for numeric columns the Wasserstein-1 distance in
the column's units and the standardized mean difference with Welch's interval; label columns the
total variation distance and Cramer's V with bias-corrected percentile intervals of a bootstrap that redraws the
counts of each sample (O(K) per draw).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from twosample.categorical.statistics import ChiSquare, OrdinalKS, TotalVariation
from twosample.categorical.tests import fisher_test
from twosample.classical.univariate import ks_test
from twosample.core.count_tables import EXACT_TABLES_MAX, exact_table_count, run_table_test
from twosample.core.resampling import Resampling
from twosample.core.result import TestResult

__all__ = [
    "column_test",
    "effects",
    "ks_effect",
    "label_effects",
    "missing_pvalue",
    "missing_test",
    "smd_effect",
    "wasserstein_effect",
]

SMALL_N = 10_000  # rows a sample up to which numeric columns take ks_test's own null
TABLE_LEVELS = 1_000  # distinct values up to which large numeric columns take the conditional table null
BOOTSTRAP = 999


def column_test(column, *, alpha, n_resamples, rng):
    """(test name, TestResult) for the observed values of `column`."""
    a, b = column.counts()
    seen = (a + b) > 0
    if column.kind == "numeric":
        return _numeric_test(column, a, b, alpha=alpha, n_resamples=n_resamples, rng=rng)
    labels_x, labels_y = (np.repeat(np.arange(len(a)), a), np.repeat(np.arange(len(b)), b))
    if column.kind == "boolean" and seen.sum() == 2 and len(a) == 2:
        return "fisher", fisher_test(labels_x, labels_y, alpha=alpha)
    if column.kind == "ordinal":
        return "ordinal-ks", _table(OrdinalKS(), a, b, alpha, n_resamples, rng, "ordinal-ks")
    return "chi2", _table(ChiSquare(), a[seen], b[seen], alpha, n_resamples, rng, "chi2")


def _table(statistic, a, b, alpha, n_resamples, rng, name):
    options = Resampling.of(name, alpha=alpha, n_resamples=n_resamples, rng=rng)
    return run_table_test(a, b, statistic, options, exact=exact_table_count(a + b) <= EXACT_TABLES_MAX)


def _numeric_test(column, a, b, *, alpha, n_resamples, rng):
    if max(a.sum(), b.sum()) <= SMALL_N:
        vx, vy = column.observed_values()
        return "ks", ks_test(vx, vy, alpha=alpha, n_resamples=n_resamples, rng=rng)
    if len(a) <= TABLE_LEVELS:
        return "ks", _table(OrdinalKS(), a, b, alpha, n_resamples, rng, "ks")
    return "ks", _ks_asymptotic(a, b, alpha)


def _ks_asymptotic(a, b, alpha):
    """``ks_test(method="asymptotic")`` from the counts per distinct value (no second sort of the rows):
    SciPy's two-sided asymptotic null, ``kstwo`` at ``round(n m / (n + m))``."""
    n, m = int(a.sum()), int(b.sum())
    effective = round(n * m / (n + m))
    statistic = float(OrdinalKS().value(a, b))
    return TestResult.from_analytic(
        statistic=statistic,
        pvalue=float(stats.kstwo.sf(statistic, effective)),
        alpha=alpha,
        threshold=float(stats.kstwo.isf(alpha, effective)),
        method="asymptotic",
        alternative="two-sided",
        n_x=n,
        n_y=m,
        test="ks",
    )


def missing_test(column) -> float | None:
    """p-value of Fisher's exact test of the missing share in x against y (None when nothing is missing)."""
    mx, my = column.missing()
    return missing_pvalue(mx, column.n_x, my, len(column.codes) - column.n_x)


def missing_pvalue(mx: int, n_x: int, my: int, n_y: int) -> float | None:
    """Fisher's exact test of `mx` missing of `n_x` rows against `my` of `n_y`, on the 2 x 2 table of
    counts (``fisher_test`` on the same table, without building 0/1 rows); None when nothing is missing."""
    if mx + my == 0:
        return None
    return float(stats.fisher_exact([[mx, n_x - mx], [my, n_y - my]]).pvalue)


def effects(column, *, confidence, rng) -> dict:
    """The effect sizes of `column` with their intervals (module docstring)."""
    a, b = column.counts()
    if column.kind in ("numeric", "ordinal"):
        out = ks_effect(a, b, confidence)
        if column.kind == "numeric":
            out.update(_numeric_effects(*column.observed_values(), confidence))
            out["wasserstein"] = wasserstein_effect(a, b, column.levels)
        else:
            out.update(label_effects(a, b, confidence, rng, primary=False))
        return out
    return label_effects(a, b, confidence, rng, primary=True)


def ks_effect(a, b, confidence) -> dict:
    n, m = a.sum(), b.sum()
    distance = float(OrdinalKS().value(a, b))
    delta = 1 - confidence
    margin = math.sqrt(math.log(4 / delta) / (2 * n)) + math.sqrt(math.log(4 / delta) / (2 * m))
    return {
        "effect_name": "KS distance",
        "effect": distance,
        "effect_low": max(0.0, distance - margin),
        "effect_high": min(1.0, distance + margin),
    }


def _numeric_effects(vx, vy, confidence) -> dict:
    var_x, var_y = vx.var(ddof=1) if len(vx) > 1 else 0.0, vy.var(ddof=1) if len(vy) > 1 else 0.0
    return smd_effect(len(vx), vx.mean(), var_x, len(vy), vy.mean(), var_y, confidence)


def smd_effect(n_x, mean_x, var_x, n_y, mean_y, var_y, confidence) -> dict:
    """The standardized mean difference with Welch's interval, from each sample's size, mean and variance."""
    diff = mean_x - mean_y
    pooled_sd = math.sqrt((var_x + var_y) / 2)
    se2 = var_x / n_x + var_y / n_y
    out = {
        "smd": math.nan,
        "smd_low": math.nan,
        "smd_high": math.nan,
    }
    if pooled_sd > 0 and se2 > 0:
        dof = se2**2 / ((var_x / n_x) ** 2 / max(n_x - 1, 1) + (var_y / n_y) ** 2 / max(n_y - 1, 1))
        half = stats.t.ppf(0.5 + confidence / 2, dof) * math.sqrt(se2)
        out.update(smd=diff / pooled_sd, smd_low=(diff - half) / pooled_sd, smd_high=(diff + half) / pooled_sd)
    return out


def _bias_corrected(boot: np.ndarray, estimate: float, confidence: float) -> tuple[float, float]:
    """Efron's bias-corrected percentile interval of a distance.

    Distances of empirical laws are biased upward (the bootstrap distribution sits above the
    estimate), which puts a plain percentile interval beside, not around, the estimate; the
    correction z0 = Phi^-1(P*(T* < t)) moves both ends back, and keeps the estimate inside while
    |z0| <= z. When even fewer than (1 - confidence) / 2 of the bootstrap distances fall below the
    estimate (z0 < -z: near no difference, where the bias dominates), the interval is the one-sided
    [0, q_confidence] instead.
    """
    below = (np.count_nonzero(boot < estimate) + 0.5 * np.count_nonzero(boot == estimate)) / len(boot)
    if below < (1 - confidence) / 2:
        return 0.0, float(np.quantile(boot, confidence))
    z0 = stats.norm.ppf(min(below, (1 + confidence) / 2))
    z = stats.norm.ppf((1 + confidence) / 2)
    low, high = np.quantile(boot, stats.norm.cdf([2 * z0 - z, 2 * z0 + z]))
    return float(low), float(high)


def wasserstein_effect(a, b, values) -> float:
    """Wasserstein-1 distance from the counts per sorted distinct value: the area between the ECDFs
    (``scipy.stats.wasserstein_distance`` without sorting the rows again)."""
    if len(values) < 2:
        return 0.0
    gap = np.cumsum(a)[:-1] / a.sum() - np.cumsum(b)[:-1] / b.sum()
    return float(np.abs(gap) @ np.diff(values))


def label_effects(a, b, confidence, rng, *, primary) -> dict:
    seen = (a + b) > 0
    a, b = a[seen], b[seen]
    tvd, chi2 = TotalVariation().value(a, b), ChiSquare().value(a, b) if len(a) > 1 else 0.0
    n_total = float(a.sum() + b.sum())  # products of counts overflow int64 beyond ~10^6 rows
    boot_a = rng.multinomial(a.sum(), a / a.sum(), size=BOOTSTRAP)
    boot_b = rng.multinomial(b.sum(), b / b.sum(), size=BOOTSTRAP)
    boot_tvd = 0.5 * np.abs(boot_a / a.sum() - boot_b / b.sum()).sum(axis=1)
    totals = boot_a + boot_b
    ok = totals > 0
    expected = np.where(ok, boot_a.sum(1, keepdims=True) * totals / n_total, 1.0)
    scale = np.where(ok, n_total**2 / (float(a.sum()) * float(b.sum()) * np.maximum(totals, 1)), 0.0)
    boot_v = np.sqrt(((boot_a - expected) ** 2 * scale).sum(axis=1) / n_total)
    lo_t, hi_t = _bias_corrected(boot_tvd, tvd, confidence)
    lo_v, hi_v = _bias_corrected(boot_v, math.sqrt(chi2 / n_total), confidence)
    out = {"tvd": float(tvd), "tvd_low": float(lo_t), "tvd_high": float(hi_t)}
    out.update(cramers_v=math.sqrt(chi2 / n_total), cramers_v_low=float(lo_v), cramers_v_high=float(hi_v))
    if primary:
        out.update(effect_name="TVD", effect=float(tvd), effect_low=float(lo_t), effect_high=float(hi_t))
    return out
