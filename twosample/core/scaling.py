"""Column scales of distance and kernel tests: ``standardize=True``, and a warning when it is not given but needed.

Euclidean distances, and the Gaussian and Laplace kernels of one bandwidth, weigh every column in its
own units: beside a column in the tens of thousands (income), a shift in a column of tens (age) is
lost. Dividing each column by its standard deviation in the pooled sample puts them on one footing
and keeps the permutation null exact (the pooled sample, hence every scale, is the same under every
relabelling); Hotelling's T^2, C2ST's default classifier and the univariate tests need no such step.
"""

from __future__ import annotations

import warnings

import numpy as np

from twosample.core.validation import check_bool

__all__ = ["SCALE_RATIO", "ColumnScaleWarning", "column_scale", "scaled_columns"]

SCALE_RATIO = 100.0  # columns whose pooled sds differ by this factor or more: a warning without standardize


class ColumnScaleWarning(UserWarning):
    """The columns of a distance or kernel test differ in scale by orders of magnitude (pass ``standardize=True``)."""


def _pooled_sd(samples) -> np.ndarray:
    pooled = np.vstack(samples)
    with warnings.catch_warnings():  # an all-NaN column (nan_policy="propagate") has no sd: scale 1
        warnings.simplefilter("ignore", RuntimeWarning)
        sd = np.nanstd(pooled, axis=0)
    return np.where(np.isfinite(sd) & (sd > 0), sd, 0.0)


def column_scale(samples, standardize: bool, test: str, labels=None) -> np.ndarray | None:
    """Each column's standard deviation in the pooled `samples` (constant columns: 1) when `standardize`.

    Otherwise None, after a :class:`ColumnScaleWarning` when the pooled standard deviations of the
    non-constant columns differ by :data:`SCALE_RATIO` or more, naming the widest and narrowest columns
    (by their `labels`, a DataFrame's columns, else by position).
    """
    sd = _pooled_sd(samples)
    if check_bool(standardize, "standardize"):
        return np.where(sd > 0, sd, 1.0)
    varying = np.flatnonzero(sd > 0)
    if len(varying) > 1:
        wide, narrow = varying[np.argmax(sd[varying])], varying[np.argmin(sd[varying])]
        if sd[wide] >= SCALE_RATIO * sd[narrow]:
            name = (lambda j: f"column {labels[j]!r}") if labels is not None else (lambda j: f"column {j}")
            warnings.warn(
                f"{test}: the columns' scales differ {sd[wide] / sd[narrow]:.3g}-fold (pooled sd {sd[wide]:.3g} in "
                f"{name(wide)}, {sd[narrow]:.3g} in {name(narrow)}), so distances all but ignore the narrow "
                "columns; pass standardize=True (--standardize) to weigh every column by its own spread.",
                ColumnScaleWarning,
                stacklevel=4,  # column_scale, scaled_columns, the test: the caller of the test
            )
    return None


def scaled_columns(samples, standardize: bool, test: str, labels=None) -> tuple[list[np.ndarray], np.ndarray | None]:
    """The `samples`, each column divided by :func:`column_scale` (unchanged without `standardize`); and the scale."""
    scale = column_scale(samples, standardize, test, labels)
    return [s if scale is None else s / scale for s in samples], scale
