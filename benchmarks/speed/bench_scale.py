"""Aggregated MMD at scale: mmd_agg_test at n = m = 10,000 and mmd-agginc at 100,000, and power per second.

Part "agg": `mmd_agg_test` (MMD-FUSE, 20 kernels, 1,999 relabellings) at n = m = 10,000, d = 10,
under H0 (both N(0, I)) and H1 (mean shift 0.1 in coordinate 1), in each configuration:
float64 with every relabelling, early_stop=True, dtype=float32, both (the last is the default:
dtype="auto" is float32 at this size, early_stop=True). Each run in a fresh
process (peak memory is the process's maximum RSS). Also the p-value agreement of float32 with
float64 (same rng).

Part "agginc": `mmd_agginc_test` at n = m = 100,000, d = 10 (float32 default and float64), same
alternatives.

Part "budget": power per second on a mean shift of 0.04 in coordinate 1 (d = 10), each test at the
size it handles in about the same time: mmd-agginc, mmd-rff and mmd-linear at n = 100,000;
mmd_agg_test (float32, early stop) at n = 10,000. `--reps` repetitions each.

Run: `.venv/bin/python benchmarks/speed/bench_scale.py [--part agg|agginc|budget|all] [--reps 5]`
Writes benchmarks/results/scale_agg.csv, scale_agginc.csv, scale_budget.csv.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, write_table  # noqa: E402

D = 10

_WORKER = """
import json, resource, sys, time
import numpy as np
import twosample as ts
spec = json.loads(sys.argv[1])
rng = np.random.default_rng(spec["seed"])
n, d = spec["n"], spec["d"]
x, y = rng.normal(size=(n, d)), rng.normal(size=(n, d))
y[:, 0] += spec["shift"]
test = getattr(ts, spec["test"])
kwargs = {k: (getattr(np, v) if k == "dtype" else v) for k, v in spec["kwargs"].items()}
start, cpu = time.perf_counter(), time.process_time()
res = test(x, y, rng=spec["seed"] + 1, **kwargs)
print(json.dumps({"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu,
                  "peak_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
                  "pvalue": res.pvalue, "reject": bool(res.reject), "n_resamples": int(res.n_resamples)}))
"""


def run(test, n, shift, seed=0, **kwargs) -> dict:
    """One test in a fresh process: wall and CPU seconds, peak memory, p-value."""
    spec = {"test": test, "n": n, "d": D, "shift": shift, "seed": seed, "kwargs": kwargs}
    out = subprocess.run(
        [sys.executable, "-c", _WORKER, json.dumps(spec)], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _done(path):
    """Rows already measured (the parts are resumable: a row in the CSV is not run again)."""
    return pd.read_csv(path).to_dict("records") if path.exists() else []


def part_agg():
    configs = {  # explicit: the defaults move (dtype="auto" is float32 here)
        "default (float64, all relabellings)": {"dtype": "float64", "early_stop": False},
        "early_stop": {"dtype": "float64", "early_stop": True},
        "float32": {"dtype": "float32", "early_stop": False},
        "float32 + early_stop": {"dtype": "float32", "early_stop": True},
    }
    rows = _done(RESULTS / "scale_agg.csv")
    for label, kwargs in configs.items():
        for hyp, shift in (("H0", 0.0), ("H1 (shift 0.1)", 0.1)):
            if any(r["config"] == label and r["data"] == hyp for r in rows):
                continue
            rows.append({"config": label, "data": hyp, **run("mmd_agg_test", 10_000, shift, **kwargs)})
            print(rows[-1], flush=True)
            write_table(rows, RESULTS / "scale_agg.csv")


def part_agginc():
    rows = []
    for label, kwargs in {"float32 (default)": {}, "float64": {"dtype": "float64"}}.items():
        for hyp, shift in (("H0", 0.0), ("H1 (shift 0.05)", 0.05)):
            rows.append({"config": label, "data": hyp, **run("mmd_agginc_test", 100_000, shift, **kwargs)})
            print(rows[-1], flush=True)
            write_table(rows, RESULTS / "scale_agginc.csv")


def part_budget(reps):
    tests = {
        "mmd-agginc (n = 100,000)": ("mmd_agginc_test", 100_000, {}),
        "mmd-rff (n = 100,000)": ("mmd_rff_test", 100_000, {}),
        "mmd-linear (n = 100,000)": ("mmd_linear_test", 100_000, {}),
        "mmd-agg float32 early stop (n = 10,000)": (
            "mmd_agg_test",
            10_000,
            {"dtype": "float32", "early_stop": True},
        ),
    }
    rows = []
    for label, (test, n, kwargs) in tests.items():
        runs = [run(test, n, 0.04, seed=100 + i, **kwargs) for i in range(reps)]
        seconds = sum(r["seconds"] for r in runs) / reps
        power = sum(r["reject"] for r in runs) / reps
        rows.append(
            {"test": label, "reps": reps, "seconds": seconds, "power": power, "power_per_second": power / seconds}
        )
        print(rows[-1], flush=True)
        write_table(rows, RESULTS / "scale_budget.csv")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", default="all", choices=["agg", "agginc", "budget", "all"])
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    if args.part in ("agg", "all"):
        part_agg()
    if args.part in ("agginc", "all"):
        part_agginc()
    if args.part in ("budget", "all"):
        part_budget(args.reps)


if __name__ == "__main__":
    main()
