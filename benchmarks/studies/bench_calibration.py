"""Calibration table: the level of every registered test on every null scenario.

Each cell: `--reps` repetitions (default 1,000) at n = `--n` per sample (m = n/2 for the
unequal-sizes null), alpha = 0.05, 199 permutations, with the exact Clopper-Pearson 95%
interval and whether the level is within the 99% binomial acceptance band around alpha
(upper end; rank, ECDF and classifier statistics are discrete and may be conservative).
Univariate tests skip the d = 20 null. Prints a table, writes benchmarks/results/calibration.csv.

Run: `.venv/bin/python benchmarks/studies/bench_calibration.py [--reps 1000] [--n 50] [--n-jobs 2] [--tests a,b]`
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd
from scipy import stats

import twosample as ts
from twosample.study.scenarios import null_scenarios

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, write_table  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--tests", default=None, help="comma-separated names; their rows replace theirs in the CSV")
    parser.add_argument("--out", default=str(RESULTS / "calibration.csv"))
    args = parser.parse_args()
    upper = stats.binom.interval(0.99, args.reps, 0.05)[1]
    rows = []
    start_all = time.perf_counter()
    names = list(ts.TESTS) if args.tests is None else args.tests.split(",")
    for name, info in ((name, ts.TESTS[name]) for name in names):
        for null_name, (scenario, m) in null_scenarios().items():
            if null_name == "gaussian-d20" and not info.multivariate:
                continue
            m_size = args.n // 2 if m == "half" else None
            extra = {"n_resamples": 199} if info.resampling else {}
            start = time.perf_counter()
            res = ts.power(info, scenario, n=args.n, m=m_size, reps=args.reps, rng=7, n_jobs=args.n_jobs, **extra)
            rows.append(
                {
                    "test": name,
                    "null": null_name,
                    "n": args.n,
                    "m": m_size or args.n,
                    "level": res.power,
                    "ci_low": res.ci_low,
                    "ci_high": res.ci_high,
                    "reps": args.reps,
                    "within_99pct_upper": res.rejections <= upper,
                    "seconds": time.perf_counter() - start,
                }
            )
            print(f"{name:12} {null_name:14} level {res.power:.3f} [{res.ci_low:.3f}, {res.ci_high:.3f}]", flush=True)
    print(f"total {time.perf_counter() - start_all:.0f} s")
    if args.tests is not None and Path(args.out).exists():  # keep the other tests' rows
        kept = pd.read_csv(args.out)
        rows = kept[~kept["test"].isin(names)].to_dict("records") + rows
    write_table(rows, args.out)


if __name__ == "__main__":
    main()
