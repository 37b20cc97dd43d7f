"""`twosample.power` vs `scipy.stats.power`, and the time of the default study.

Both estimate the power of Welch's t-test (SciPy's analytic null in both). Agreement: on identical
samples (drawn once and replayed to both), the rejection counts. Speed: each library draws its own
samples from the scenario (ours: `ts.power("t", scenarios.mean_shift(0.5), ...)`; SciPy: numpy
generators passed as `rvs`), the median of `--repeats` interleaved timings of each. Then times
`make demo`'s study. Writes benchmarks/results/power.csv.

Run: `.venv/bin/python benchmarks/speed/bench_power.py [--reps 2000]`
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy import stats

import twosample as ts
from twosample.app import demo
from twosample.study import scenarios

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, write_table  # noqa: E402


def _drawn_timings(reps, n, repeats):
    """Median seconds of each library's study with samples drawn from the scenario (interleaved runs)."""
    scenario = scenarios.mean_shift(effect=0.5)
    ours, theirs = [], []
    for i in range(repeats):
        start = time.perf_counter()
        ts.power("t", scenario, n=n, reps=reps, rng=i, method="analytic")
        ours.append(time.perf_counter() - start)
        gen = np.random.default_rng(i)
        start = time.perf_counter()
        stats.power(
            lambda a, b, axis=-1: stats.ttest_ind(a, b, equal_var=False, axis=axis),
            (lambda size: gen.normal(size=size), lambda size: gen.normal(0.5, 1, size=size)),
            (n, n),
            significance=0.05,
            n_resamples=reps,
        )
        theirs.append(time.perf_counter() - start)
    return float(np.median(ours)), float(np.median(theirs))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=2000)
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--out", default=str(RESULTS / "power.csv"))
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

    t_ours_drawn, t_scipy_drawn = _drawn_timings(reps, n, args.repeats)

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
                "replayed_time_ratio": t_ours / t_scipy,
                "drawn_ours_seconds": t_ours_drawn,
                "drawn_scipy_seconds": t_scipy_drawn,
                "drawn_time_ratio_ours_over_scipy": t_ours_drawn / t_scipy_drawn,
                "default_study_seconds": t_study,
            }
        ],
        args.out,
    )


if __name__ == "__main__":
    main()
