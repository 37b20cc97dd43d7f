"""What the studies of an analytic null against the permutation null share (bench_t_null, bench_hotelling_null)."""

from __future__ import annotations

import numpy as np
import pandas as pd

MONTE_CARLO_RESAMPLES = 9999  # the default relabellings the analytic null is measured against


def error_row(p_reference, p_analytic, n_reference, terms, **cell) -> dict:
    """One sample's row: the reference p-value and its own sd, the analytic one, the error and the null terms."""
    skew_term, kurt_term = terms
    return {
        **cell,
        "p_reference": p_reference,
        "reference_sd": float(np.sqrt(p_reference * (1 - p_reference) / n_reference)),
        "p_analytic": p_analytic,
        "abs_error": abs(p_analytic - p_reference),
        "skew_term": skew_term,
        "kurt_term": kurt_term,
    }


def worst_by_cell(table: pd.DataFrame, cell) -> pd.DataFrame:
    """The largest error per cell, also over the Monte Carlo sd of 9,999 relabellings at the same p (p >= 0.001)."""
    kept = table[table["p_reference"] >= 1e-3].copy()
    p = kept["p_reference"]
    kept["ratio"] = kept["abs_error"] / np.sqrt(p * (1 - p) / MONTE_CARLO_RESAMPLES)
    return kept.groupby(list(cell)).agg(
        max_ratio=("ratio", "max"),
        max_abs_error=("abs_error", "max"),
        reference_sd=("reference_sd", "max"),
        skew_term=("skew_term", "max"),
        kurt_term=("kurt_term", "max"),
    )
