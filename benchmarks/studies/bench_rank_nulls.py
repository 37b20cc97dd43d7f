"""Mann-Whitney's nulls against the exact one: where the asymptotic null is as accurate as Monte Carlo.

For each size n = m, samples at a grid of shifts (so p-values cover (0.001, 1)) are tested with
SciPy's asymptotic null (normal, tie and continuity corrections) and with a reference: SciPy's exact
null when there are no ties, else the permutation null with --reference relabellings (its own
Monte Carlo error is printed beside it). The column `max_abs_error` is the largest |p_asymptotic -
p_reference| over the samples whose reference p-value is at least 0.001; `mc_sd_9999` is the
standard error of the default permutation null (9,999 relabellings) at p = 0.05 and at the largest
p seen, for comparison. `method="auto"` takes the asymptotic null where its error is below that
(docs/classical.md states the rule and this table).

Run: `.venv/bin/python benchmarks/studies/bench_rank_nulls.py [--reference 99999] [--shifts 40]`
(about a minute). Writes benchmarks/results/rank_nulls.csv.
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
        "n": n,
        "ties": ties,
        "samples": len(errors),
        "reference": "exact" if not ties else f"permutation ({n_reference:,})",
        "reference_sd": reference_sd,
        "max_abs_error": max(errors),
        "mc_sd_9999_at_0.05": float(np.sqrt(0.05 * 0.95 / 9999)),
        "mc_sd_9999_at_0.5": float(np.sqrt(0.25 / 9999)),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=int, default=99_999, help="relabellings of the reference with ties")
    parser.add_argument("--shifts", type=int, default=40, help="samples per size (fewer with ties: a quarter)")
    parser.add_argument("--out", default=str(RESULTS / "rank_nulls.csv"))
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    rows = [_row(n, False, args.shifts, args.reference, rng) for n in (10, 20, 50, 100, 200)]
    rows += [_row(n, True, max(4, args.shifts // 4), args.reference, rng) for n in (20, 50, 100, 200)]
    write_table(rows, args.out)


if __name__ == "__main__":
    main()
