"""Power and time of the C2ST presets and the default at n = m = 10,000, beside the MMD tests.

Two alternatives: a small mean shift in d = 20 (0.05 in every coordinate, ||delta|| = 0.22) and
Liu et al.'s Blob (d = 2). Every test sees the same repetitions (spawned streams); the C2ST rows
use `--reps` repetitions (20: a 95% interval of +-0.2 at most), the quadratic MMD tests fewer
(`--mmd-reps`, they take 10-40 s each at N = 20,000). "Power per second" = rejection rate / mean
seconds per call. torch runs with one thread (as the suite); the other tests with the library's
defaults.

Run: `.venv/bin/python benchmarks/studies/bench_c2st.py [--n 10000] [--reps 20] [--mmd-reps 3]`
Writes benchmarks/results/c2st.csv.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

import twosample as ts
from twosample import scenarios

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, write_table  # noqa: E402

SCENARIOS = {"mean shift (d = 20)": lambda: scenarios.mean_shift(0.05, d=20), "blob (d = 2)": scenarios.blob}


def _tests(reps, mmd_reps):
    return {
        "c2st default (auto)": (ts.c2st_test, reps),
        "c2st mlp": (functools.partial(ts.c2st_test, classifier="mlp"), reps),
        "c2st logistic": (functools.partial(ts.c2st_test, classifier="logistic"), reps),
        "c2st knn": (functools.partial(ts.c2st_test, classifier="knn"), reps),
        "c2st torch-mlp": (functools.partial(ts.c2st_test, classifier="torch-mlp"), reps),
        "mmd (median, 199 perm.)": (functools.partial(ts.mmd_test, n_resamples=199), mmd_reps),
        "mmd-rff (256 features)": (ts.mmd_rff_test, mmd_reps),
        "mmd-agg (float32, early stop)": (
            functools.partial(ts.mmd_agg_test, dtype=np.float32, early_stop=True),
            mmd_reps,
        ),
        "mmd-agginc": (ts.mmd_agginc_test, mmd_reps),
    }


def _run(name, test, reps, scenario, n, seeds):
    seconds, rejections, pvalues = [], 0, []
    for seed in seeds[:reps]:
        rng = np.random.default_rng(seed)
        x, y = scenario.sample(n, n, rng)
        start = time.perf_counter()
        res = test(x, y, rng=rng)
        seconds.append(time.perf_counter() - start)
        rejections += res.reject
        pvalues.append(res.pvalue)
    low, high = proportion_confint(rejections, reps, method="beta")
    return {
        "test": name,
        "n": n,
        "reps": reps,
        "seconds": float(np.mean(seconds)),
        "power": rejections / reps,
        "ci_low": float(low),
        "ci_high": float(high),
        "median_pvalue": float(np.median(pvalues)),
        "power_per_second": rejections / reps / float(np.mean(seconds)),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--mmd-reps", type=int, default=3)
    parser.add_argument("--tests", default=None, help="comma-separated rows to (re-)measure; the others are kept")
    parser.add_argument("--out", default=str(RESULTS / "c2st.csv"))
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    wanted = None if args.tests is None else args.tests.split(",")
    rows = []
    if wanted is not None and Path(args.out).exists():
        rows = [r for r in pd.read_csv(args.out).to_dict("records") if r["test"] not in wanted]
    seeds = np.random.SeedSequence(2026).spawn(max(args.reps, args.mmd_reps))
    for label, make in SCENARIOS.items():
        for name, (test, reps) in _tests(args.reps, args.mmd_reps).items():
            if wanted is not None and name not in wanted:
                continue
            rows.append({"scenario": label, **_run(name, test, reps, make(), args.n, seeds)})
            print(rows[-1], flush=True)
            write_table(rows, args.out)


if __name__ == "__main__":
    main()
