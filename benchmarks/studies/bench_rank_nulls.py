"""Rank tests' asymptotic nulls against exact or high-precision ones: where they are as accurate as Monte Carlo.

Mann-Whitney:
For each size n = m, samples at a grid of shifts (so p-values cover (0.001, 1)) are tested with
SciPy's asymptotic null (normal, tie and continuity corrections) and with a reference: SciPy's exact
null when there are no ties, else the permutation null with --reference relabellings (its own
Monte Carlo error is printed beside it). The column `max_abs_error` is the largest |p_asymptotic -
p_reference| over the samples whose reference p-value is at least 0.001; `mc_sd_9999` is the
standard error of the default permutation null (9,999 relabellings) at p = 0.05 and at the largest
p seen, for comparison. `method="auto"` takes the asymptotic null where its error is below that
(docs/classical.md states the rule and this table).

Cramer-von Mises (SciPy's asymptotic null) and Anderson-Darling (the limiting law,
`anderson_limit_sf`): without ties the permutation null depends only on (n, m), so one reference of
--cvm-reference relabellings per size gives the whole null; the error is the largest |p_asymptotic -
p_reference| over thresholds at the reference's quantiles for p in [0.001, 1] (80 of them), and
`reference_sd` is the reference's own Monte Carlo sd at the worst point (so an error near it is
mostly the reference's). With ties (seven levels) the reference is per sample, as for Mann-Whitney.

Run: `.venv/bin/python benchmarks/studies/bench_rank_nulls.py [--reference 99999] [--shifts 40]
[--cvm-reference 1000000]` (about 10 minutes). Writes benchmarks/results/rank_nulls.csv.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy import stats

import twosample as ts

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, write_table  # noqa: E402

from twosample.classical._nulls import anderson_limit_sf  # noqa: E402
from twosample.classical.statistics import anderson_standardisation  # noqa: E402

MC_SD_9999 = {
    "mc_sd_9999_at_0.05": float(np.sqrt(0.05 * 0.95 / 9999)),
    "mc_sd_9999_at_0.5": float(np.sqrt(0.25 / 9999)),
}


def _samples(n, ties, shift, rng):
    x, y = rng.normal(shift, 1, n), rng.normal(0, 1, n)
    if ties:  # seven levels: heavy ties
        x, y = np.floor(x * 1.5).clip(-3, 3), np.floor(y * 1.5).clip(-3, 3)
    return x, y


def _reference(x, y, ties, n_reference):
    if not ties:
        return stats.mannwhitneyu(x, y, method="exact").pvalue, 0.0
    p = ts.mannwhitney_test(x, y, method="permutation", n_resamples=n_reference, rng=0).pvalue
    return p, float(np.sqrt(p * (1 - p) / n_reference))


def _row(n, ties, shifts, n_reference, rng):
    errors, largest_p, reference_sd = [], 0.0, 0.0
    for shift in np.linspace(0, 4.0 / np.sqrt(n), shifts):
        x, y = _samples(n, ties, shift, rng)
        p_ref, sd = _reference(x, y, ties, n_reference)
        if p_ref >= 1e-3:
            errors.append(abs(stats.mannwhitneyu(x, y, method="asymptotic").pvalue - p_ref))
            largest_p, reference_sd = max(largest_p, p_ref), max(reference_sd, sd)
    return {
        "test": "mwu",
        "n": n,
        "m": n,
        "ties": ties,
        "samples": len(errors),
        "reference": "exact" if not ties else f"permutation ({n_reference:,})",
        "reference_sd": reference_sd,
        "max_abs_error": max(errors),
        **MC_SD_9999,
    }


def _asymptotic_pvalue(test, statistic, n, m):
    """The asymptotic p-value `method="asymptotic"` gives for this statistic value."""
    if test == "cvm":  # SciPy's own function of T (Anderson's finite-sample mean and variance)
        from scipy._lib._array_api import array_namespace
        from scipy.stats._hypotests import _pval_cvm_2samp_asymptotic

        t = np.asarray(statistic, dtype=float)
        return float(_pval_cvm_2samp_asymptotic(t, n + m, n, m, n * m, xp=array_namespace(t)))
    return anderson_limit_sf(1.0 + statistic * anderson_standardisation(n, m)[1])


def _permutation_null(test, x, y, n_reference, seed):
    call = ts.cvm_test if test == "cvm" else ts.anderson_test
    return call(x, y, method="permutation", n_resamples=n_reference, rng=seed)


def _untied_row(test, n, m, n_reference, rng):
    """Largest error over the null's quantiles, for untied samples (the null depends only on n, m)."""
    null = np.sort(_permutation_null(test, rng.normal(size=n), rng.normal(size=m), n_reference, 1).null_distribution)
    worst, worst_p = 0.0, 1.0
    for p in np.geomspace(1e-3, 1.0, 80):
        t = np.quantile(null, 1.0 - p)
        p_ref = (len(null) - np.searchsorted(null, t - 1e-12 * abs(t), side="left") + 1) / (len(null) + 1)
        error = abs(_asymptotic_pvalue(test, t, n, m) - p_ref)
        if error > worst:
            worst, worst_p = error, p_ref
    return {
        "test": test,
        "n": n,
        "m": m,
        "ties": False,
        "samples": 80,
        "reference": f"permutation ({n_reference:,})",
        "reference_sd": float(np.sqrt(worst_p * (1 - worst_p) / n_reference)),
        "max_abs_error": worst,
        "p_at_max": worst_p,
        **MC_SD_9999,
    }


def _tied_row(test, n, shifts, n_reference, rng):
    errors, largest_sd = [], 0.0
    for shift in np.linspace(0, 4.0 / np.sqrt(n), shifts):
        x, y = _samples(n, True, shift, rng)
        res = _permutation_null(test, x, y, n_reference, 0)
        if res.pvalue >= 1e-3:
            errors.append(abs(_asymptotic_pvalue(test, res.statistic, n, n) - res.pvalue))
            largest_sd = max(largest_sd, float(np.sqrt(res.pvalue * (1 - res.pvalue) / n_reference)))
    return {
        "test": test,
        "n": n,
        "m": n,
        "ties": True,
        "samples": len(errors),
        "reference": f"permutation ({n_reference:,})",
        "reference_sd": largest_sd,
        "max_abs_error": max(errors),
        **MC_SD_9999,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=int, default=99_999, help="relabellings of the reference with ties")
    parser.add_argument("--shifts", type=int, default=40, help="samples per size (fewer with ties: a quarter)")
    parser.add_argument("--cvm-reference", type=int, default=1_000_000, help="relabellings of CvM/AD's references")
    parser.add_argument("--out", default=str(RESULTS / "rank_nulls.csv"))
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    rows = [_row(n, False, args.shifts, args.reference, rng) for n in (10, 20, 50, 100, 200)]
    rows += [_row(n, True, max(4, args.shifts // 4), args.reference, rng) for n in (20, 50, 100, 200)]
    sizes = [(50, 50), (100, 100), (150, 150), (200, 200), (300, 300), (500, 500), (100, 400), (200, 800)]
    for test in ("cvm", "ad"):
        rows += [_untied_row(test, n, m, args.cvm_reference, rng) for n, m in sizes]
        rows += [_tied_row(test, n, max(4, args.shifts // 8), args.reference, rng) for n in (50, 200)]
    write_table(rows, args.out)


if __name__ == "__main__":
    main()
