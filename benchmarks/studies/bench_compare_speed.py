"""Wall time of ``ts.compare`` on large mixed tables: Holm with the C2ST verdict, and maxT.

Both tables are drawn from one law (the null: every column is tested, nothing stops early):
--columns columns per table, half numeric (Gaussian, a different mean and scale per column), half
categorical (pandas ``category`` dtype, as read from parquet; ``--cat-dtype str`` for Python
strings as read from CSV) with 5 to 50 levels of unequal frequencies, and --missing (5%) of the
values of every column missing.

Parts (--parts):

* ``holm``: ``compare(x, y, correction="holm", multivariate="c2st")`` (default ``max_rows`` = 5,000:
  the C2ST sees 5,000 rows of each table) on --rows rows per table (default 10^6); target < 60 s.
* ``maxT``: ``compare(x, y, correction="maxT", n_resamples=999, multivariate="none")`` on --maxt-rows
  rows per table (default 10^5); target < 60 s.

For each part the script also times the same call with ``multivariate="none"`` / the Holm correction
(`seconds_without`: what the C2ST, or the maxT relabellings, add). `cpu_seconds` is the process's
CPU time (above the wall time when BLAS or scikit-learn use both cores). --profile runs each part once
more under cProfile and prints the functions where the time goes (tottime and cumtime).
--omp-threads 1 limits the OpenMP threads of scikit-learn's gradient boosting (the C2ST) to one: on a
busy machine its two spinning threads can make the C2ST ten times slower.

Timings on a shared 2-core machine: read them as rough. Run:
`.venv/bin/python benchmarks/studies/bench_compare_speed.py [--rows 1000000] [--maxt-rows 100000] [--profile]
[--cat-dtype str] [--omp-threads 1] [--out ...]`
(2-3 minutes at the defaults; `--rows 100000 --maxt-rows 10000` for a quick run). Writes
benchmarks/results/compare_speed.csv.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import pstats
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import twosample as ts

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, write_table  # noqa: E402


def make_table(rows, columns, missing, cat_dtype, seed):
    """A mixed table: columns // 2 numeric then the rest categorical (5-50 levels), `missing` share missing."""
    rng = np.random.default_rng(seed)
    spec = np.random.default_rng(12345)  # the columns' laws: the same for every table
    n_num = columns // 2
    data = {}
    for j in range(n_num):
        mean, sd = spec.normal(0, 10), spec.uniform(0.5, 5)
        values = rng.normal(mean, sd, rows)
        values[rng.random(rows) < missing] = np.nan
        data[f"num{j:02d}"] = values
    for j in range(columns - n_num):
        k = int(spec.integers(5, 51))
        p = spec.dirichlet(np.ones(k))
        codes = rng.choice(k, rows, p=p)
        codes[rng.random(rows) < missing] = -1
        levels = [f"c{j}_level{i}" for i in range(k)]
        if cat_dtype == "category":
            data[f"cat{j:02d}"] = pd.Categorical.from_codes(codes, categories=levels)
        else:
            arr = np.array(levels + [None], dtype=object)[codes]  # code -1 picks None
            data[f"cat{j:02d}"] = pd.Series(arr, dtype=object)
    return pd.DataFrame(data)


def _limits(omp_threads):
    """OpenMP threads (scikit-learn's gradient boosting) limited to `omp_threads`, or left alone (0)."""
    if not omp_threads:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=omp_threads, user_api="openmp")


def _timed(kwargs, x, y, omp_threads=0):
    wall, cpu = time.perf_counter(), time.process_time()
    with _limits(omp_threads):
        res = ts.compare(x, y, rng=0, **kwargs)
    return res, time.perf_counter() - wall, time.process_time() - cpu


def _profile(kwargs, x, y, top):
    profiler = cProfile.Profile()
    profiler.enable()
    ts.compare(x, y, rng=0, **kwargs)
    profiler.disable()
    for key in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(key).print_stats(top)
        print(f"--- cProfile, sorted by {key} ---")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:8000])


PARTS = {
    "holm": (
        dict(correction="holm", multivariate="c2st"),
        dict(correction="holm", multivariate="none"),
        "C2ST",
    ),
    "maxT": (
        dict(correction="maxT", n_resamples=999, multivariate="none"),
        dict(correction="holm", n_resamples=999, multivariate="none"),
        "maxT relabellings",
    ),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows per table for the holm part")
    parser.add_argument("--maxt-rows", type=int, default=100_000, help="rows per table for the maxT part")
    parser.add_argument("--columns", type=int, default=50)
    parser.add_argument("--missing", type=float, default=0.05)
    parser.add_argument("--cat-dtype", choices=["category", "str"], default="category")
    parser.add_argument("--parts", default="holm,maxT")
    parser.add_argument("--target", type=float, default=60.0, help="seconds")
    parser.add_argument(
        "--omp-threads", type=int, default=0, help="limit OpenMP threads (the C2ST's trees) to this many; 0: no limit"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile each part once more")
    parser.add_argument("--top", type=int, default=25, help="functions shown by --profile")
    parser.add_argument("--out", default=str(RESULTS / "compare_speed.csv"))
    args = parser.parse_args()
    rows = []
    for part in args.parts.split(","):
        full, without, what = PARTS[part]
        n = args.rows if part == "holm" else args.maxt_rows
        start = time.perf_counter()
        x = make_table(n, args.columns, args.missing, args.cat_dtype, seed=1)
        y = make_table(n, args.columns, args.missing, args.cat_dtype, seed=2)
        print(f"{part}: two tables of {n:,} x {args.columns} drawn in {time.perf_counter() - start:.1f} s", flush=True)
        res, wall, cpu = _timed(full, x, y, args.omp_threads)
        _, wall_without, _ = _timed(without, x, y, args.omp_threads)
        mv = res.multivariate
        rows.append(
            {
                "part": part,
                "rows_per_table": n,
                "columns": args.columns,
                "cat_dtype": args.cat_dtype,
                "omp_threads": args.omp_threads or "default",
                "call": ", ".join(f"{k}={v!r}" for k, v in full.items()),
                "seconds": wall,
                "cpu_seconds": cpu,
                "seconds_without": wall_without,
                "without": what,
                "target": args.target,
                "met": wall < args.target,
                "reject": res.reject,
                "min_p_adjusted": float(res.columns["p_adjusted"].min()),
                "multivariate_p": np.nan if mv is None else mv.pvalue,
                "peak_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
            }
        )
        print(f"{part}: {wall:.1f} s (without the {what}: {wall_without:.1f} s)", flush=True)
        if args.profile:
            _profile(full, x, y, args.top)
        del x, y
    write_table(rows, args.out)
    print("timings taken on a shared 2-core machine")


if __name__ == "__main__":
    main()
