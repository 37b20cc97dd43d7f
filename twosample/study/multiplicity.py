"""Adjusted p-values for a family of tests: Holm, Bonferroni, Benjamini-Hochberg, Benjamini-Yekutieli.

The false discovery rate adjustments are SciPy's (:func:`scipy.stats.false_discovery_control`);
Holm's step-down and Bonferroni, which SciPy does not offer, are a few lines here. The values equal
``statsmodels.stats.multitest.multipletests(p, method=...)[1]`` (tested), without making statsmodels
a requirement of the core install.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["METHODS", "adjust_pvalues"]

METHODS = ("holm", "bonferroni", "bh", "by")
_ALIASES = {"fdr_bh": "bh", "fdr_by": "by"}  # statsmodels' names, accepted too


def adjust_pvalues(pvalues, method: str = "holm") -> np.ndarray:
    """Adjusted p-values of a family, in the order given: reject test j at level alpha when ``adjusted[j] <= alpha``.

    Parameters
    ----------
    pvalues : array_like of float in [0, 1]
        One p-value per test of the family.
    method : {"holm", "bonferroni", "bh", "by"}, default "holm"
        Holm's step-down (family-wise error rate, any dependence), Bonferroni, Benjamini-Hochberg
        (false discovery rate, independent or positively dependent tests) or Benjamini-Yekutieli
        (false discovery rate, any dependence). ``"fdr_bh"`` and ``"fdr_by"`` (statsmodels' names)
        are accepted.
    """
    name = _ALIASES.get(method, method)
    if name not in METHODS:
        raise ValueError(f"`method` must be one of {', '.join(METHODS)}; got {method!r}.")
    p = np.asarray(pvalues, dtype=np.float64).ravel()
    if np.any(np.isnan(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError("`pvalues` must be numbers in [0, 1] (no NaN).")
    if p.size == 0:
        return p
    if name in ("bh", "by"):
        return stats.false_discovery_control(p, method=name)
    if name == "bonferroni":
        return np.minimum(1.0, p * p.size)
    order = np.argsort(p, kind="stable")
    steps = np.minimum(1.0, np.maximum.accumulate(p[order] * np.arange(p.size, 0, -1)))
    adjusted = np.empty_like(p)
    adjusted[order] = steps
    return adjusted
