"""MMD permutation test: ours vs hyppo.ksample.MMD vs dcor's energy test, side by side.

Same data (n = m, d = 10, a small scale change in one coordinate), Gaussian kernel with the
same bandwidth, 1,000 permutations. Also measures this machine's float64 matmul rate in the
same run and reports our permutation phase (FLOPs = 2 (n+m)^2 B) as a fraction of it.

alibi-detect is not benchmarked: its current release pins numpy < 2 and numba < 0.60, which
cannot be installed beside this project's numpy 2 stack.

Run: `.venv/bin/python benchmarks/speed/bench_mmd.py [--sizes 500,1000,2000,5000] [--peer-max 2000]`
Writes benchmarks/results/mmd.csv.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

import twosample as ts
from twosample.core.resampling import _random_splits
from twosample.kernel.kernels import Gaussian, median_distance
from twosample.kernel.mmd import MMDStatistic

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, show, write_table  # noqa: E402

B = 1000
D = 10


def matmul_rate(n_total: int) -> float:
    """Best-of-3 float64 GFLOP/s of a (B, N) @ (N, N) product, the shape of our permutation phase."""
    rng = np.random.default_rng(0)
    a, k = rng.random((B, n_total)), rng.random((n_total, n_total))
    best = np.inf
    for _ in range(3):
        start = time.perf_counter()
        a @ k
        best = min(best, time.perf_counter() - start)
    return 2 * B * n_total**2 / best / 1e9


def ours_phases(x, y, sigma):
    """Time the Gram phase and the permutation phase of our statistic separately."""
    pooled = np.vstack([x, y])
    start = time.perf_counter()
    evaluate = MMDStatistic(Gaussian(sigma)).bind(pooled, len(x))
    gram = time.perf_counter() - start
    masks = next(_random_splits(len(pooled), len(x), B, B, np.random.default_rng(0)))
    start = time.perf_counter()
    evaluate(masks)
    perm = time.perf_counter() - start
    return gram, perm


def timed(func):
    tracemalloc.start()
    start = time.perf_counter()
    out = func()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return out, seconds, peak


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,1000,2000,5000")
    parser.add_argument(
        "--peer-max", type=int, default=1000, help="largest n for hyppo and dcor (their time grows fast)"
    )
    parser.add_argument("--out", default=str(RESULTS / "mmd.csv"))
    args = parser.parse_args()
    try:
        from hyppo.ksample import MMD as HyppoMMD
    except ImportError:
        HyppoMMD = None
    try:
        import dcor
    except ImportError:
        dcor = None

    if HyppoMMD is not None:  # JIT warm-up outside the timings
        w = np.random.default_rng(0).normal(size=(30, D))
        HyppoMMD().test(w, w + 0.1, reps=10, auto=False, random_state=0)
    if dcor is not None:
        w = np.random.default_rng(0).normal(size=(30, D))
        dcor.homogeneity.energy_test(w, w + 0.1, num_resamples=10, random_state=0)

    rows = []
    for n in map(int, args.sizes.split(",")):
        rng = np.random.default_rng(n)
        x = rng.normal(size=(n, D))
        y = rng.normal(size=(n, D)) * np.r_[np.ones(D - 1), 1.1]
        sigma = median_distance(np.vstack([x, y]), rng=0)
        res, t_ours, m_ours = timed(lambda: ts.mmd_test(x, y, bandwidth=sigma, n_resamples=B, rng=0))
        gram, perm = ours_phases(x, y, sigma)
        rate = matmul_rate(2 * n)
        row = {
            "n": n,
            "m": n,
            "d": D,
            "permutations": B,
            "ours_seconds": t_ours,
            "ours_peak_MiB": m_ours,
            "ours_pvalue": res.pvalue,
            "ours_gram_seconds": gram,
            "ours_permutation_seconds": perm,
            "matmul_GFLOPs": rate,
            "permutation_phase_fraction_of_matmul": 2 * B * (2 * n) ** 2 / perm / 1e9 / rate,
        }
        if HyppoMMD is not None and n <= args.peer_max:
            hres, t_h, m_h = timed(
                lambda: HyppoMMD(compute_kernel="gaussian", gamma=1 / (2 * sigma**2)).test(
                    x, y, reps=B, auto=False, random_state=0
                )
            )
            row.update(hyppo_seconds=t_h, hyppo_peak_MiB=m_h, hyppo_pvalue=hres[1], speedup_vs_hyppo=t_h / t_ours)
        if dcor is not None and n <= args.peer_max:
            dres, t_d, m_d = timed(lambda: dcor.homogeneity.energy_test(x, y, num_resamples=B, random_state=0))
            row.update(dcor_energy_seconds=t_d, dcor_energy_peak_MiB=m_d, dcor_energy_pvalue=dres.pvalue)
        rows.append(row)
        print(show([row]), flush=True)
    print()
    write_table(rows, args.out)


if __name__ == "__main__":
    main()
