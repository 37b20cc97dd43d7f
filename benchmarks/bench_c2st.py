"""Wall time (and power) of c2st at n = m = 10,000, d = 20, per preset, beside the MMD tests.

The alternative is a small mean shift (0.05 in every coordinate, ||delta|| = 0.22) so that power
is informative at this size. Every test sees the same repetitions (spawned streams). "Power per
second" = rejection rate / mean seconds per call, the figure a user who can afford a fixed
budget cares about. MMD-agg runs with 199 permutations (its default 1,999 costs 10x more) and
fewer repetitions: at N = 20,000 its 20 Gram matrices are formed block by block.

Run: `OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_c2st.py [--n 10000] [--reps 3]`
Writes benchmarks/results/c2st.csv.
"""

from __future__ import annotations

import argparse
import functools
import time
from pathlib import Path

import numpy as np
from _report import write_table

import twosample as ts
from twosample import scenarios

D = 20


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--agg-reps", type=int, default=1)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "c2st.csv"))
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    scenario = scenarios.mean_shift(0.05, d=D)
    tests = {
        "c2st mlp": (functools.partial(ts.c2st, classifier="mlp"), args.reps),
        "c2st logistic": (functools.partial(ts.c2st, classifier="logistic"), args.reps),
        "c2st knn": (functools.partial(ts.c2st, classifier="knn"), args.reps),
        "c2st torch-mlp": (functools.partial(ts.c2st, classifier="torch-mlp"), args.reps),
        "mmd (median, 199 perm.)": (functools.partial(ts.mmd_test, n_resamples=199), args.reps),
        "mmd-rff (256 features)": (ts.rff_mmd_test, args.reps),
        "mmd-agg (199 perm.)": (functools.partial(ts.mmd_agg_test, n_resamples=199), args.agg_reps),
    }
    rows = []
    seeds = np.random.SeedSequence(2026).spawn(max(args.reps, args.agg_reps))
    for name, (test, reps) in tests.items():
        seconds, rejections, pvalues = [], 0, []
        for seed in seeds[:reps]:
            rng = np.random.default_rng(seed)
            x, y = scenario.sample(args.n, args.n, rng)
            start = time.perf_counter()
            res = test(x, y, rng=rng)
            seconds.append(time.perf_counter() - start)
            rejections += res.reject
            pvalues.append(res.pvalue)
        rate = rejections / reps
        rows.append(
            {
                "test": name,
                "n": args.n,
                "d": D,
                "reps": reps,
                "seconds": float(np.mean(seconds)),
                "power": rate,
                "median_pvalue": float(np.median(pvalues)),
                "power_per_second": rate / float(np.mean(seconds)),
            }
        )
        print(rows[-1], flush=True)
    write_table(rows, args.out)


if __name__ == "__main__":
    main()
