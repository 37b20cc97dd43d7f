"""Family-wise error and power of ``ts.compare`` with many correlated columns: Holm against Westfall-Young maxT.

Each table has --columns Gaussian columns with a one-factor correlation --rho (every pair of columns
correlated rho: X = sqrt(rho) F + sqrt(1 - rho) E), n = m = --rows. Per repetition one pair of
tables is drawn and compared twice, ``correction="holm"`` and ``correction="maxT"``
(``multivariate="none"``, --n-resamples relabellings for maxT; the columns' KS tests take SciPy's
exact null at these sizes, so Holm does not depend on it). Row ``none`` is the uncorrected
decision (any raw p-value <= alpha) of the same runs.

* ``null``: x and y from the same law. `any_reject` is the family-wise error (FWE).
* ``shift``: x's first --block columns shifted by --shift (in sd). `any_reject` is the power to see
  any difference; `true_rejected` the mean number of shifted columns rejected (of --block), and
  `false_any` the share of repetitions with a null column rejected (FWE under the partial null).

`median_min_p` is the median over repetitions of the smallest adjusted p-value (raw for ``none``).

Rates come with 95% Clopper-Pearson intervals (`_low`, `_high`).

Run: `.venv/bin/python benchmarks/studies/bench_compare_fwer.py [--reps 200] [--n-resamples 299]`
(7-9 minutes at the defaults on 2 cores). Writes benchmarks/results/compare_fwer.csv.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

import twosample as ts

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, write_table  # noqa: E402


def _table(rng, rows, columns, rho, shift=0.0, block=0):
    factor = rng.normal(size=(rows, 1))
    values = np.sqrt(rho) * factor + np.sqrt(1 - rho) * rng.normal(size=(rows, columns))
    values[:, :block] += shift
    return pd.DataFrame(values, columns=[f"c{j:03d}" for j in range(columns)])


def _interval(k, n):
    ci = stats.binomtest(int(k), int(n)).proportion_ci(0.95, method="exact")
    return ci.low, ci.high


def _scenario(name, args, rng):
    shift, block = (0.0, 0) if name == "null" else (args.shift, args.block)
    shifted = {f"c{j:03d}" for j in range(block)}
    tallies = {c: {"any": 0, "true": 0, "false_any": 0, "seconds": 0.0, "min_p": []} for c in ("none", "holm", "maxT")}
    for rep in range(args.reps):
        x = _table(rng, args.rows, args.columns, args.rho, shift, block)
        y = _table(rng, args.rows, args.columns, args.rho)
        for correction in ("holm", "maxT"):
            start = time.perf_counter()
            options = dict(n_resamples=args.n_resamples, multivariate="none", alpha=args.alpha, rng=rep)
            res = ts.compare(x, y, correction=correction, **options)
            tallies[correction]["seconds"] += time.perf_counter() - start
            decisions = {correction: res.columns.set_index("column")["reject"]}
            tallies[correction]["min_p"].append(res.columns["p_adjusted"].min())
            if correction == "holm":
                decisions["none"] = res.columns.set_index("column")["pvalue"] <= args.alpha
                tallies["none"]["min_p"].append(res.columns["pvalue"].min())
            for key, reject in decisions.items():
                rejected = set(reject.index[reject.to_numpy()])
                t = tallies[key]
                t["any"] += bool(rejected)
                t["true"] += len(rejected & shifted)
                t["false_any"] += bool(rejected - shifted)
    rows = []
    for correction, t in tallies.items():
        low, high = _interval(t["any"], args.reps)
        f_low, f_high = _interval(t["false_any"], args.reps)
        rows.append(
            {
                "scenario": name,
                "correction": correction,
                "columns": args.columns,
                "rho": args.rho,
                "rows": args.rows,
                "shift": shift,
                "block": block,
                "reps": args.reps,
                "n_resamples": args.n_resamples if correction == "maxT" else np.nan,
                "any_reject": t["any"] / args.reps,
                "any_low": low,
                "any_high": high,
                "true_rejected": t["true"] / args.reps if block else np.nan,
                "false_any": t["false_any"] / args.reps,
                "false_low": f_low,
                "false_high": f_high,
                "median_min_p": float(np.median(t["min_p"])),
                "s_per_compare": t["seconds"] / args.reps if correction != "none" else np.nan,
            }
        )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200, help="repetitions per scenario")
    parser.add_argument("--n-resamples", type=int, default=299, help="maxT relabellings")
    parser.add_argument("--columns", type=int, default=200)
    parser.add_argument("--rows", type=int, default=200, help="rows per table (n = m)")
    parser.add_argument("--rho", type=float, default=0.8, help="correlation of every pair of columns")
    parser.add_argument("--shift", type=float, default=0.3, help="shift of the block, in sd")
    parser.add_argument("--block", type=int, default=20, help="shifted columns")
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--scenarios", default="null,shift")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(RESULTS / "compare_fwer.csv"))
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    rows = []
    for name in args.scenarios.split(","):
        rows += _scenario(name, args, rng)
    write_table(rows, args.out)
    print(f"total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
