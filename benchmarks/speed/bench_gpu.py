"""Every torch path on an accelerator beside the CPU: speed-up and agreement of the p-values.

The tests that take `device=`: mmd_test and mmd_agg_test (Gram matrices and relabelling products
in torch), mmd_deep_test and f_divergence_test (the learned statistic's training), c2st with the
"torch-mlp" preset. Each runs once with device="cpu" (NumPy, or torch on the CPU for the learned
tests) and once on the accelerator, on the same data with the same rng; the relabellings are
drawn on the CPU from rng in both, so the p-values agree up to rounding (learned tests: up to the
training's floating-point differences between devices).

Without CUDA (this repository's CI machine), the accelerator column is torch on the CPU
(`torch.device("cpu")`), which exercises the same code path and says so in the `device` column:
the speed-up is then not a GPU figure.

Run: `.venv/bin/python benchmarks/speed/bench_gpu.py [--n 2000]`
Writes benchmarks/results/gpu.csv.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from pathlib import Path

import numpy as np
import torch

import twosample as ts

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, write_table  # noqa: E402


def _tests(n_resamples):
    return {
        "mmd_test": functools.partial(ts.mmd_test, n_resamples=n_resamples),
        "mmd_agg_test": functools.partial(ts.mmd_agg_test, n_resamples=n_resamples),
        "mmd_deep_test": functools.partial(ts.TESTS["mmd-deep"], n_resamples=n_resamples, steps=200),
        "f_divergence_test": functools.partial(ts.TESTS["f-divergence"], n_resamples=n_resamples, steps=200),
        "c2st torch-mlp": functools.partial(ts.c2st_test, classifier="torch-mlp"),
    }


def _timed(test, x, y, device):
    start = time.perf_counter()
    res = test(x, y, rng=0, device=device)
    if device != "cpu" and torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter() - start, res.pvalue


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--d", type=int, default=10)
    parser.add_argument("--n-resamples", type=int, default=499)
    parser.add_argument("--out", default=str(RESULTS / "gpu.csv"))
    args = parser.parse_args()
    cuda = torch.cuda.is_available()
    accelerator = torch.device("cuda") if cuda else torch.device("cpu")
    label = torch.cuda.get_device_name(0) if cuda else "torch on the CPU (no CUDA on this machine)"
    print(f"accelerator: {label}")
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(args.n, args.d)), rng.normal(size=(args.n, args.d))
    y[:, 0] += 0.1
    rows = []
    for name, test in _tests(args.n_resamples).items():
        _timed(test, x[:50], y[:50], accelerator)  # warm-up (CUDA context, kernels)
        t_cpu, p_cpu = _timed(test, x, y, "cpu")
        t_acc, p_acc = _timed(test, x, y, accelerator)
        rows.append(
            {
                "test": name,
                "n": args.n,
                "device": label,
                "cpu_seconds": t_cpu,
                "device_seconds": t_acc,
                "speed_up": t_cpu / t_acc,
                "cpu_pvalue": p_cpu,
                "device_pvalue": p_acc,
                "abs_pvalue_difference": abs(p_cpu - p_acc),
            }
        )
        print(rows[-1], flush=True)
    write_table(rows, args.out)


if __name__ == "__main__":
    main()
