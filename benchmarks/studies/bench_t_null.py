"""Welch's t: where SciPy's analytic null is as accurate as the default permutation null, and where it is not.

The permutation null of Welch's t is exact for H0: p = q given the pooled sample; SciPy's
``ttest_ind(equal_var=False)`` approximates it by Student's t with Welch-Satterthwaite degrees of
freedom. For each law (normal, exponential, Student t with 3 degrees of freedom, lognormal, five
tied levels) and sizes (n, m), samples at a grid of shifts (p-values across (0.001, 1)) are tested
both ways: the reference is the permutation null with --reference relabellings (its own Monte Carlo
sd is printed), the error |p_analytic - p_reference| for reference p-values of at least 0.001.

Each sample also gets the two terms by which the normal approximation of a permutation
distribution of a mean difference errs (its Edgeworth corrections for sampling without
replacement): ``skew_term`` = |g1| |n - m| / sqrt(n m N) (skewness g1 of the pooled sample; zero
for equal sizes, where the relabelled statistic is symmetric) and ``kurt_term`` = |g2| N / (n m)
(excess kurtosis g2). ``method="auto"`` of :func:`twosample.t_test` takes the analytic null where
both terms and the sizes satisfy the rule this table supports (docs/classical.md), i.e. where the
error is below the 0.0022 standard error of 9,999 relabellings at p = 0.05.

Run: `.venv/bin/python benchmarks/studies/bench_t_null.py [--reference 200000] [--shifts 12]`
(about 8 minutes on 2 cores) and, for the large sizes, `... --sizes 1000:1000,500:2000 --shifts 8
--seed 1 --out benchmarks/results/t_null_large.csv` (about 10 minutes). Writes one row per sample
and prints the worst error per cell, also relative to the Monte Carlo sd of 9,999 relabellings at
the same p-value (``max_ratio``: below 1, the analytic null is the more accurate of the two).
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

from twosample.classical._nulls import welch_null_terms  # noqa: E402

LAWS = {
    "normal": lambda rng, k: rng.normal(size=k),
    "exponential": lambda rng, k: rng.exponential(size=k),
    "t3": lambda rng, k: rng.standard_t(3, size=k),
    "lognormal": lambda rng, k: rng.lognormal(size=k),
    "ties5": lambda rng, k: rng.integers(0, 5, size=k).astype(float),
}
SIZES = [(20, 20), (50, 50), (100, 100), (200, 200), (500, 500), (30, 90), (100, 300), (200, 800)]


def _rows(law, n, m, shifts, n_reference, rng):
    draw = LAWS[law]
    rows = []
    for shift in np.linspace(0.0, 3.5, shifts):
        x, y = draw(rng, n), draw(rng, m)
        x = x + shift * np.sqrt(np.var(np.r_[x, y]) * (1 / n + 1 / m))
        p_analytic = stats.ttest_ind(x, y, equal_var=False).pvalue
        p_ref = ts.t_test(x, y, method="permutation", n_resamples=n_reference, rng=1).pvalue
        terms = welch_null_terms(x, y)
        rows.append(error_row(p_ref, p_analytic, n_reference, terms, law=law, n=n, m=m))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=int, default=200_000, help="relabellings of the reference null")
    parser.add_argument("--shifts", type=int, default=12, help="samples per cell")
    parser.add_argument("--sizes", default=None, help="n:m pairs, comma-separated (default: the grid in SIZES)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(RESULTS / "t_null.csv"))
    args = parser.parse_args()
    sizes = SIZES if args.sizes is None else [tuple(map(int, pair.split(":"))) for pair in args.sizes.split(",")]
    rng = np.random.default_rng(args.seed)
    rows = [row for law in LAWS for n, m in sizes for row in _rows(law, n, m, args.shifts, args.reference, rng)]
    table = write_table(rows, args.out)
    worst = worst_by_cell(table, ["law", "n", "m"])
    print(worst.to_string())


if __name__ == "__main__":
    main()
