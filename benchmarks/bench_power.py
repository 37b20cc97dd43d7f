"""`twosample.power` vs `scipy.stats.power` on the same data, and the time of the default study.

Both estimate the power of Welch's t-test (SciPy's analytic null in both) on identical samples:
the repetitions' samples are drawn once and replayed to both. Reports the agreement (rejection
counts) and the time ratio; then times `make demo`'s study. Writes benchmarks/results/power.csv.

Run: `.venv/bin/python benchmarks/bench_power.py [--reps 2000]`
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from _report import write_table
from scipy import stats

import twosample as ts
from twosample import demo, scenarios


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=2000)
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "power.csv"))
    args = parser.parse_args()
    reps, n = args.reps, args.n
    rng = np.random.default_rng(0)
    xs, ys = rng.normal(size=(reps, n)), rng.normal(0.6, 1, size=(reps, n))

    # Ours: a scenario that replays the stored repetitions in order (n_jobs = 1).
    counter = {"x": 0, "y": 0}

    def replay(which, data):
        def sample(size, _rng):
            row = data[counter[which]]
            counter[which] += 1
            return row[:size]

        return sample

    scenario = scenarios.from_callables(replay("x", xs), replay("y", ys), name="replay")
    start = time.perf_counter()
    ours = ts.power(ts.t_test, scenario, n=n, reps=reps, rng=0, method="analytic")
    t_ours = time.perf_counter() - start

    # SciPy: its rvs receive size=(reps, n) and get the same rows.
    start = time.perf_counter()
    ref = stats.power(
        lambda a, b, axis=-1: stats.ttest_ind(a, b, equal_var=False, axis=axis),
        (lambda size: xs.reshape(size), lambda size: ys.reshape(size)),
        (n, n),
        significance=0.05,
        n_resamples=reps,
    )
    t_scipy = time.perf_counter() - start
    scipy_rejections = int(round(float(ref.power) * reps))

    with tempfile.TemporaryDirectory() as tmp:  # the study's report is not a benchmark result
        start = time.perf_counter()
        demo.run_study(out=tmp, progress=False)
        t_study = time.perf_counter() - start
    write_table(
        [
            {
                "reps": reps,
                "n": n,
                "ours_power": ours.power,
                "scipy_power": float(ref.power),
                "same_rejections": ours.rejections == scipy_rejections,
                "ours_seconds": t_ours,
                "scipy_seconds": t_scipy,
                "time_ratio_ours_over_scipy": t_ours / t_scipy,
                "default_study_seconds": t_study,
            }
        ],
        args.out,
    )


if __name__ == "__main__":
    main()
