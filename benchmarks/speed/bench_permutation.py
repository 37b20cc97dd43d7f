"""Our permutation engine vs scipy.stats.permutation_test on the mean-difference statistic.

Same data, same statistic (Euclidean norm of the difference of means), n = m = 1000,
9,999 resamples, d = 1 and d = 10, side by side in one process. Prints a table and writes
benchmarks/results/permutation.csv. Run: `make bench` or
`.venv/bin/python benchmarks/speed/bench_permutation.py [--repeats R]`.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import scipy
from scipy import stats

import twosample as ts
from twosample.classical.statistics import MeanDifference

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, write_table  # noqa: E402

N = 1000
N_RESAMPLES = 9999


def run_scipy(x, y, seed):
    if x.shape[1] == 1:
        samples = (x[:, 0], y[:, 0])

        def stat(a, b, axis=-1):
            return np.abs(np.mean(a, axis=axis) - np.mean(b, axis=axis))
    else:
        # SciPy treats extra axes as independent tests, so for multivariate observations
        # the documented route is to permute row indices and gather inside the statistic.
        pooled = np.vstack([x, y])
        samples = (np.arange(len(x)), np.arange(len(x), len(x) + len(y)))

        def stat(ia, ib, axis=-1):
            diff = pooled[ia].mean(axis=-2) - pooled[ib].mean(axis=-2)  # (..., d)
            return np.sqrt((diff**2).sum(axis=-1))

    res = stats.permutation_test(
        samples,
        stat,
        permutation_type="independent",
        vectorized=True,
        n_resamples=N_RESAMPLES,
        alternative="greater",
        rng=seed,
    )
    return float(res.statistic), float(res.pvalue)


def run_ours(x, y, seed):
    res = ts.permutation_test(x, y, MeanDifference(), n_resamples=N_RESAMPLES, rng=seed)
    return res.statistic, res.pvalue


def measure(func, x, y, seed, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = func(x, y, seed)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    func(x, y, seed)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return out, min(times), peak / 2**20


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timing repeats (best is reported)")
    parser.add_argument("--out", default=str(RESULTS / "permutation.csv"))
    args = parser.parse_args()

    rows = []
    for d in (1, 10):
        rng = np.random.default_rng(d)
        x, y = rng.normal(size=(N, d)), rng.normal(0.05, 1, size=(N, d))
        (s_ours, p_ours), t_ours, m_ours = measure(run_ours, x, y, 0, args.repeats)
        (s_scipy, p_scipy), t_scipy, m_scipy = measure(run_scipy, x, y, 0, args.repeats)
        assert np.isclose(s_ours, s_scipy, rtol=1e-10), (s_ours, s_scipy)
        se = np.sqrt(p_ours * (1 - p_ours) / N_RESAMPLES) * 2 + 1e-4
        rows.append(
            {
                "d": d,
                "n": N,
                "m": N,
                "n_resamples": N_RESAMPLES,
                "ours_seconds": t_ours,
                "scipy_seconds": t_scipy,
                "speedup": t_scipy / t_ours,
                "ours_peak_MiB": m_ours,
                "scipy_peak_MiB": m_scipy,
                "statistic": s_ours,
                "ours_pvalue": p_ours,
                "scipy_pvalue": p_scipy,
                "pvalues_agree_within_mc_error": bool(abs(p_ours - p_scipy) <= 3 * se),
            }
        )
    print(
        f"numpy {np.__version__}, scipy {scipy.__version__}, python {platform.python_version()}, best of {args.repeats}"
    )
    write_table(rows, args.out)


if __name__ == "__main__":
    main()
