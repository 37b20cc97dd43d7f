"""Level of ``ts.compare`` on a real mixed table: random halves of the Palmer penguins.

The 344 penguins (species, island, sex: categorical; bill length and depth, flipper length, body
mass: numeric with 2 missing each; year: numeric with 3 values; sex has 11 missing) are split at
random into two halves of 172 rows, --reps times, and the halves are compared with
``compare(correction=--correction, multivariate=--multivariate)``. A random split is a relabelling
of the pooled rows, so every null holds exactly (conditionally on the table) and the rejection rate
of the family (`reject`, any column or missing share rejected after the correction) must be at most
alpha; `multivariate_reject` is the rate of the whole-table test (C2ST) at alpha. Rates come with 95%
Clopper-Pearson intervals; `columns_rejected` is the mean number of columns rejected per split.

Needs palmerpenguins (a dev extra). Run:
`.venv/bin/python benchmarks/studies/bench_penguins_level.py [--reps 200] [--n-resamples 9999]`
(3-6 minutes at the defaults on 2 cores). Writes benchmarks/results/penguins_level.csv.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from palmerpenguins import load_penguins
from scipy import stats

import twosample as ts

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, write_table  # noqa: E402


def _rate(k, n, name):
    ci = stats.binomtest(int(k), int(n)).proportion_ci(0.95, method="exact")
    return {name: k / n, f"{name}_low": ci.low, f"{name}_high": ci.high}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200, help="random splits")
    parser.add_argument("--correction", default="holm", choices=["holm", "bh", "by", "maxT", "none"])
    parser.add_argument("--multivariate", default="c2st", choices=["c2st", "mmd", "none"])
    parser.add_argument("--n-resamples", type=int, default=9999)
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(RESULTS / "penguins_level.csv"))
    args = parser.parse_args()
    penguins = load_penguins()
    rng = np.random.default_rng(args.seed)
    half = len(penguins) // 2
    family = multivariate = columns = 0
    start = time.perf_counter()
    for rep in range(args.reps):
        order = rng.permutation(len(penguins))
        x, y = penguins.iloc[order[:half]], penguins.iloc[order[half:]]
        res = ts.compare(
            x,
            y,
            correction=args.correction,
            multivariate=args.multivariate,
            n_resamples=args.n_resamples,
            alpha=args.alpha,
            rng=rep,
        )
        family += res.reject
        columns += int(res.columns["reject"].sum())
        if res.multivariate is not None:
            multivariate += res.multivariate.pvalue <= args.alpha
    seconds = time.perf_counter() - start
    row = {
        "table": "palmerpenguins (344 x 8)",
        "split": f"{half} / {len(penguins) - half}",
        "correction": args.correction,
        "multivariate": args.multivariate,
        "n_resamples": args.n_resamples,
        "alpha": args.alpha,
        "reps": args.reps,
        **_rate(family, args.reps, "reject"),
        "columns_rejected": columns / args.reps,
    }
    if args.multivariate != "none":
        row.update(_rate(multivariate, args.reps, "multivariate_reject"))
    row["s_per_compare"] = seconds / args.reps
    write_table([row], args.out)


if __name__ == "__main__":
    main()
