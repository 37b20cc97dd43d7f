"""Per-feature attribution on a sparse shift: top-k precision, power and family-wise error (issue 28).

d = 100 independent N(0, 1) coordinates, n = m = 2,000; y is shifted by `delta` in k = 5 of them
(coordinates 0-4). For each delta, `--runs` data sets: ``ts.explain.attribute`` (KS per coordinate,
Westfall-Young maxT over one shared relabelling, B = `--resamples`) and

* ``top5_precision``: the share of the 5 highest-ranked coordinates that are shifted (mean over runs);
* ``recall``: the share of shifted coordinates rejected at 0.05 (mean);
* ``false_rejections``: runs with any unshifted coordinate rejected (the family-wise error among the
  true nulls; delta = 0 is the global null, where it is the family-wise error itself).

Every run has its own seed (SeedSequence(2028).spawn); the family-wise error gets a 95% Clopper-Pearson
interval. Run: `.venv/bin/python benchmarks/studies/bench_attribution.py [--runs 200] [--resamples 499]`
(about 15 minutes on one core). Writes benchmarks/results/attribution.csv.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, write_table  # noqa: E402

import twosample as ts  # noqa: E402

D, K, N = 100, 5, 2000


def one_run(delta, seed, resamples):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(N, D)), rng.normal(size=(N, D))
    y[:, :K] += delta
    res = ts.explain.attribute(x, y, n_resamples=resamples, rng=rng)
    shifted = {f"x{j}" for j in range(K)}
    top = set(res.top(K))
    rejected = set(res.significant)
    return len(top & shifted) / K, len(rejected & shifted) / K, bool(rejected - shifted)


def row_for(delta, runs, resamples, seeds):
    results = np.array([one_run(delta, seed, resamples) for seed in seeds[:runs]], dtype=float)
    false = int(results[:, 2].sum())
    low, high = stats.binomtest(false, runs).proportion_ci(0.95)
    return {
        "delta": delta,
        "runs": runs,
        "resamples": resamples,
        "top5_precision": results[:, 0].mean() if delta else np.nan,
        "recall": results[:, 1].mean() if delta else np.nan,
        "false_rejections": false,
        "fwer": false / runs,
        "fwer_ci_low": low,
        "fwer_ci_high": high,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--power-runs", type=int, default=50)
    parser.add_argument("--resamples", type=int, default=499)
    parser.add_argument("--deltas", type=float, nargs="+", default=[0.1, 0.15, 0.2, 0.3])
    parser.add_argument("--out", type=Path, default=RESULTS / "attribution.csv")
    args = parser.parse_args(argv)
    seeds = np.random.SeedSequence(2028).spawn(max(args.runs, args.power_runs))
    rows = [row_for(0.0, args.runs, args.resamples, seeds)]
    rows += [row_for(delta, args.power_runs, args.resamples, seeds) for delta in args.deltas]
    write_table(rows, args.out)


if __name__ == "__main__":
    main()
