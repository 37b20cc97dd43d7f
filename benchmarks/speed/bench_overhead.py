"""Per-call overhead at small sizes: `ts.mmd_test` against a bare NumPy implementation of the same test.

The bare version (below, 20 lines) computes what `mmd_test` computes at its defaults: the Gaussian
kernel with the median-distance bandwidth of the pooled sample, the unbiased MMD^2, and a
Monte Carlo permutation null of `--resamples` relabellings drawn as uniformly random subsets; p-value
(1 + #{null >= observed}) / (B + 1). It has no validation, no canonical row order, no
scale handling and no result object: the difference is the library's overhead. Also hyppo's
permutation MMD (`hyppo.ksample.MMD`, Gaussian kernel) when it is installed in the benchmark's
environment (benchmarks/peers). Times are medians of `--repeats` interleaved calls.

Run: `.venv/bin/python benchmarks/speed/bench_overhead.py` (about a minute). Writes
benchmarks/results/overhead.csv.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from scipy.spatial.distance import cdist, pdist

import twosample as ts

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, write_table  # noqa: E402


def bare_mmd_test(x, y, n_resamples, rng):
    """The same test in bare NumPy: Gaussian kernel, median bandwidth, unbiased MMD^2, permutations."""
    z = np.vstack([x, y])
    n_total, n_x = len(z), len(x)
    dist = pdist(z)
    bandwidth = np.median(dist[dist > 0])
    gram = np.exp(-cdist(z, z, "sqeuclidean") / (2 * bandwidth**2))
    np.fill_diagonal(gram, 0.0)  # the unbiased estimate leaves out i = j
    keys = rng.random((n_resamples, n_total))
    masks = keys <= np.partition(keys, n_x - 1, axis=1)[:, n_x - 1 : n_x]
    s = np.vstack([np.arange(n_total) < n_x, masks]).astype(float)  # the observed labelling first
    sks, sk1, total = ((s @ gram) * s).sum(1), s @ gram.sum(1), gram.sum()
    n_y = n_total - n_x
    values = sks / (n_x * (n_x - 1)) + (total - 2 * sk1 + sks) / (n_y * (n_y - 1)) - 2 * (sk1 - sks) / (n_x * n_y)
    return values[0], (1 + np.count_nonzero(values[1:] >= values[0])) / (n_resamples + 1)


def _median_time(call, repeats):
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        call(i)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def _row(n, d, n_resamples, repeats):
    rng = np.random.default_rng(n)
    x, y = rng.normal(size=(n, d)), rng.normal(0.2, 1, size=(n, d))
    ours = lambda i: ts.mmd_test(x, y, n_resamples=n_resamples, rng=i)  # noqa: E731
    bare = lambda i: bare_mmd_test(x, y, n_resamples, np.random.default_rng(i))  # noqa: E731
    ours(0), bare(0)  # warm: imports, first BLAS calls
    t_ours, t_bare = [], []
    for _ in range(repeats):  # interleaved, so a busy moment hits both
        t_ours.append(_median_time(ours, 1))
        t_bare.append(_median_time(bare, 1))
    statistic, p_bare = bare(0)
    res = ours(0)
    return {
        "n": n,
        "d": d,
        "n_resamples": n_resamples,
        "ours_ms": 1e3 * float(np.median(t_ours)),
        "bare_numpy_ms": 1e3 * float(np.median(t_bare)),
        "ratio": float(np.median(t_ours) / np.median(t_bare)),
        "same_statistic": bool(np.isclose(res.statistic, statistic, rtol=1e-9)),
        "pvalue_ours": res.pvalue,
        "pvalue_bare": p_bare,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resamples", type=int, default=999)
    parser.add_argument("--repeats", type=int, default=41)
    parser.add_argument("--out", default=str(RESULTS / "overhead.csv"))
    args = parser.parse_args()
    rows = [_row(n, 2, args.resamples, args.repeats) for n in (25, 100, 300, 1000)]
    write_table(rows, args.out)


if __name__ == "__main__":
    main()
