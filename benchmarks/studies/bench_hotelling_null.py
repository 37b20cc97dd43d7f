"""Hotelling's T²: where the F null is as accurate as the default permutation null, and where it is not.

The permutation null of Hotelling's T² (pooled covariance) is exact for H0: p = q given the pooled
sample; ``method="analytic"`` approximates it by the F law that is exact for normal data with equal
covariances, (N - d - 1) / (d (N - 2)) T² ~ F(d, N - d - 1). For each law (every column drawn
independently: normal, exponential, Student t with 3 degrees of freedom, lognormal, five tied
levels), dimension d and sizes (n, m), samples at a grid of mean shifts (p-values across
(0.001, 1)) are tested both ways: the reference is the permutation null with --reference
relabellings, the error |p_F - p_reference| for reference p-values of at least 0.001.

Each sample also gets the multivariate forms of the two Edgeworth terms of bench_t_null.py, with
Mardia's skewness b1 and kurtosis b2 of the pooled sample in place of g1² and g2 + 3 (they reduce
to them at d = 1): ``skew_term`` = sqrt(b1) |n - m| / sqrt(n m N) and ``kurt_term`` =
|b2 - d (d + 2)| N / (n m). ``method="auto"`` of :func:`twosample.hotelling_test` takes the F null
where the sizes, d and both terms satisfy the rule this table supports (docs/classical.md), i.e.
where the error is below the Monte Carlo sd of 9,999 relabellings at the same p-value.

Run: `.venv/bin/python benchmarks/studies/bench_hotelling_null.py [--reference 100000] [--shifts 6]`
Writes one row per sample (benchmarks/results/hotelling_null.csv) and prints the worst error per
cell, also relative to that Monte Carlo sd (``max_ratio``: below 1, the F null is the more accurate).
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
from _common.nulls import error_row, worst_by_cell  # noqa: E402

from twosample.classical._nulls import hotelling_null_terms  # noqa: E402

LAWS = {
    "normal": lambda rng, k, d: rng.normal(size=(k, d)),
    "exponential": lambda rng, k, d: rng.exponential(size=(k, d)),
    "t3": lambda rng, k, d: rng.standard_t(3, size=(k, d)),
    "lognormal": lambda rng, k, d: rng.lognormal(size=(k, d)),
    "ties5": lambda rng, k, d: rng.integers(0, 5, size=(k, d)).astype(float),
}
SIZES = [(50, 50), (200, 200), (500, 500), (1000, 1000), (100, 300), (500, 2000)]
DIMS = (2, 5, 10)


def _f_pvalue(x, y):
    return ts.hotelling_test(x, y, method="analytic").pvalue


def _rows(law, d, n, m, shifts, n_reference, rng):
    rows = []
    for shift in np.linspace(0.0, np.sqrt(stats.chi2.isf(1e-3, d)) * 1.1, shifts):
        x, y = LAWS[law](rng, n, d), LAWS[law](rng, m, d)
        sd = np.std(np.vstack([x, y]), axis=0)
        x = x + shift * sd * np.sqrt((1 / n + 1 / m) / d)  # the same shift in every column
        p_ref = ts.hotelling_test(x, y, method="permutation", n_resamples=n_reference, rng=1).pvalue
        terms = hotelling_null_terms(x, y)
        rows.append(error_row(p_ref, _f_pvalue(x, y), n_reference, terms, law=law, d=d, n=n, m=m))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=int, default=100_000, help="relabellings of the reference null")
    parser.add_argument("--shifts", type=int, default=6, help="samples per cell")
    parser.add_argument("--sizes", default=None, help="n:m pairs, comma-separated (default: the grid in SIZES)")
    parser.add_argument("--dims", default=",".join(map(str, DIMS)))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(RESULTS / "hotelling_null.csv"))
    args = parser.parse_args()
    sizes = SIZES if args.sizes is None else [tuple(map(int, pair.split(":"))) for pair in args.sizes.split(",")]
    dims = [int(d) for d in args.dims.split(",")]
    rng = np.random.default_rng(args.seed)
    rows = [
        row
        for law in LAWS
        for d in dims
        for n, m in sizes
        for row in _rows(law, d, n, m, args.shifts, args.reference, rng)
    ]
    table = write_table(rows, args.out)
    worst = worst_by_cell(table, ["law", "d", "n", "m"])
    print(worst.to_string())


if __name__ == "__main__":
    main()
