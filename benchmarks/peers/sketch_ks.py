"""Sketch-based KS tests on two 1-D samples (executed in the sketch venv, never the project's).

Usage (from the repository root):

    /work/sketch-venv/bin/python benchmarks/peers/sketch_ks.py x.npy y.npy \
        [--column COL] [--k 200] [--repeats 10] [--alpha 0.05] [--peers datasketches,whylogs]

x is the reference sample, y the current one: .npy files, or parquet files with --column.
Non-finite values are dropped (counted in "dropped"). For each of --repeats independent sketch
builds (KLL is randomized: each build draws new random compaction bits), both peers sketch x and y
with KLL sketches of parameter k and decide. Prints ONE JSON object on stdout: the peers' versions,
the settings, per peer a list of per-repeat results, and the build times.

Standalone: imports only numpy / pandas / pyarrow / scipy, datasketches and whylogs (no twosample),
so that it runs in the sketch venv (benchmarks/peers/make_sketch_venv.sh; README.md there).

What each peer does (read from their sources; the rules are restated, not copied):

* **Apache DataSketches** ``datasketches.ks_test(sk1, sk2, p)`` on two ``kll_doubles_sketch``:
  the binding (datasketches-python src/ks_wrapper.cpp) calls ``kolmogorov_smirnov::test`` of
  datasketches-cpp common/include/kolmogorov_smirnov_impl.hpp, which returns ``delta > threshold``:

  - delta: walk the two sketches' sorted views (retained items with inclusive cumulative weights)
    in merge order, taking the max of |W1/n1 - W2/n2| at each step (and once more at the end);
  - threshold: sqrt(-0.5 ln(p / 2)) * sqrt((r1 + r2) / (r1 r2)) + eps1 + eps2, where r1, r2 are the
    sketches' numbers of RETAINED items (not n) and eps = the single-sided normalized rank error
    2.296 / k^0.9723 (0.0133 at k = 200).

  So it answers reject / not only, and its bound does not shrink with n: at k = 200 and
  n = 10^7 (about 600 retained items a sketch) the threshold is about 0.10. Here ``reject`` is
  ks_test's answer; ``statistic`` and ``threshold`` are the rule above recomputed from the sketches
  (``rule_agrees``: the recomputed rule gives ks_test's answer); ``implied_p`` is the smallest p at
  which ks_test would reject (2 exp(-2 c^2), c = (delta - eps1 - eps2) / sqrt((r1 + r2) / (r1 r2));
  1 when delta <= eps1 + eps2), a reading of the rule, not a number DataSketches reports.

* **whylogs** (v1) drift KS, the default algorithm for numeric columns of
  ``whylogs.viz.drift.column_drift_algorithms.calculate_drift_scores`` (class ``KS``,
  ``_compute_ks_score``; the same rule as ``whylogs.viz.utils.drift_calculations._compute_ks_test_p_value``):
  both profiles' KLL sketches give their quantiles at ``KSTestConfig().quantiles`` =
  ``np.linspace(0, 1, 100)``; at each of those 200 values both sketches' CDFs are read and D is the
  largest |CDF_target - CDF_ref|; the p-value is ``scipy.stats.kstwo.sf(D, round(n m / (n + m)))``,
  the exact one-sample KS law at the effective size, as if D were the exact two-sample statistic of
  the full samples (the sketch's rank error is not accounted for). Drift category: p < 0.05 "DRIFT",
  0.05-0.15 "POSSIBLE_DRIFT". Run here as a user would: ``why.log(pandas.DataFrame({"v": values}),
  schema=DatasetSchema(default_configs=MetricConfig(kll_k=k, large_kll_k=False)))`` for each sample,
  then ``calculate_drift_scores(target_view=y_view, reference_view=x_view, with_thresholds=True)``.
  whylogs' own default is k = 1024 (``MetricConfig.large_kll_k=True``, ``kll_k_large=1024``); pass
  --k 1024 to measure that. whylogs sketches with its fork ``whylogs_sketching`` (datasketches-cpp 3.4).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from importlib import metadata

os.environ.setdefault("WHYLOGS_NO_ANALYTICS", "True")  # whylogs' usage telemetry off

import numpy as np
import pandas as pd


def load(path: str, column: str | None) -> tuple[np.ndarray, int]:
    """The sample as contiguous float64, non-finite values dropped (and counted)."""
    if path.endswith(".npy"):
        values = np.load(path)
    else:
        if column is None:
            raise SystemExit(f"{path}: a parquet file needs --column")
        values = pd.read_parquet(path, columns=[column])[column].to_numpy()
    values = np.ascontiguousarray(values, dtype=np.float64).ravel()
    finite = np.isfinite(values)
    dropped = int(values.size - finite.sum())
    return (values if dropped == 0 else values[finite]), dropped


def _sorted_view(sketch) -> tuple[np.ndarray, np.ndarray]:
    """Retained items in order with their inclusive cumulative weights (the C++ sorted view)."""
    pairs = list(sketch)
    items = np.array([p[0] for p in pairs], dtype=np.float64)
    weights = np.array([p[1] for p in pairs], dtype=np.float64)
    order = np.argsort(items, kind="stable")
    return items[order], np.cumsum(weights[order])


def ds_delta(sk1, sk2) -> float:
    """kolmogorov_smirnov::delta (datasketches-cpp common/include/kolmogorov_smirnov_impl.hpp), restated."""
    items1, cum1 = _sorted_view(sk1)
    items2, cum2 = _sorted_view(sk2)
    n1, n2 = float(sk1.n), float(sk2.n)
    i = j = 0
    delta = 0.0
    while i < len(items1) and j < len(items2):
        delta = max(delta, abs(cum1[i] / n1 - cum2[j] / n2))
        if items1[i] < items2[j]:
            i += 1
        elif items2[j] < items1[i]:
            j += 1
        else:
            i += 1
            j += 1
    last1 = 1.0 if i == len(items1) else cum1[i] / n1
    last2 = 1.0 if j == len(items2) else cum2[j] / n2
    return float(max(delta, abs(last1 - last2)))


def ds_threshold(sk1, sk2, p: float) -> tuple[float, float, float]:
    """kolmogorov_smirnov::threshold, restated: (threshold, the sampling part's scale, eps1 + eps2)."""
    r1, r2 = float(sk1.num_retained), float(sk2.num_retained)
    scale = math.sqrt((r1 + r2) / (r1 * r2))
    eps = sk1.normalized_rank_error(False) + sk2.normalized_rank_error(False)
    return math.sqrt(-0.5 * math.log(0.5 * p)) * scale + eps, scale, eps


def run_datasketches(x, y, k, alpha):
    import datasketches as ds

    start = time.perf_counter()
    sk_x, sk_y = ds.kll_doubles_sketch(k), ds.kll_doubles_sketch(k)
    sk_x.update(x)
    sk_y.update(y)
    build = time.perf_counter() - start
    start = time.perf_counter()
    reject = bool(ds.ks_test(sk_x, sk_y, alpha))
    test = time.perf_counter() - start
    delta = ds_delta(sk_x, sk_y)
    threshold, scale, eps = ds_threshold(sk_x, sk_y, alpha)
    c = (delta - eps) / scale
    implied_p = 1.0 if c <= 0 else min(1.0, 2.0 * math.exp(-2.0 * c * c))
    return {
        "reject": reject,
        "statistic": delta,
        "threshold": threshold,
        "rank_error_part": eps,
        "rule_agrees": bool((delta > threshold) == reject),
        "implied_p": implied_p,
        "retained": [int(sk_x.num_retained), int(sk_y.num_retained)],
        "build_seconds": build,
        "test_seconds": test,
    }


def run_whylogs(x, y, k, alpha):
    import whylogs as why
    from whylogs.core.metrics.metrics import MetricConfig
    from whylogs.core.schema import DatasetSchema
    from whylogs.viz.drift.column_drift_algorithms import calculate_drift_scores

    schema = DatasetSchema(default_configs=MetricConfig(kll_k=k, large_kll_k=False))
    start = time.perf_counter()
    view_x = why.log(pd.DataFrame({"v": x}), schema=schema).view()
    view_y = why.log(pd.DataFrame({"v": y}), schema=schema).view()
    build = time.perf_counter() - start
    start = time.perf_counter()
    score = calculate_drift_scores(target_view=view_y, reference_view=view_x, with_thresholds=True)["v"]
    test = time.perf_counter() - start
    sketch_k = view_x.get_column("v").get_metric("distribution").kll.value.get_k()
    pvalue = float(score["pvalue"])
    return {
        "pvalue": pvalue,
        "reject": bool(pvalue <= alpha),
        "statistic": float(score["statistic"]),
        "drift_category": score.get("drift_category"),
        "algorithm": score["algorithm"],
        "sketch_k": int(sketch_k),
        "build_seconds": build,  # why.log of both samples: the whole profile (counts, types, cardinality, ...)
        "test_seconds": test,
    }


def _version(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("x", help="reference sample: .npy, or .parquet with --column")
    parser.add_argument("y", help="current sample")
    parser.add_argument("--column", default=None, help="the parquet column")
    parser.add_argument("--k", type=int, default=200, help="KLL parameter k of every sketch (default 200)")
    parser.add_argument("--repeats", type=int, default=10, help="independent sketch builds")
    parser.add_argument("--alpha", type=float, default=0.05, help="DataSketches' p; whylogs rejects at p <= alpha")
    parser.add_argument("--peers", default="datasketches,whylogs")
    args = parser.parse_args()
    peers = [p for p in args.peers.split(",") if p]
    runners = {"datasketches": run_datasketches, "whylogs": run_whylogs}
    unknown = set(peers) - set(runners)
    if unknown:
        raise SystemExit(f"unknown peers: {sorted(unknown)}")
    start = time.perf_counter()
    x, dropped_x = load(args.x, args.column)
    y, dropped_y = load(args.y, args.column)
    load_seconds = time.perf_counter() - start
    out = {
        "versions": {
            name: _version(name)
            for name in ("datasketches", "whylogs", "whylogs-sketching", "numpy", "pandas", "scipy")
        },
        "python": sys.version.split()[0],
        "k": args.k,
        "alpha": args.alpha,
        "n": [int(x.size), int(y.size)],
        "dropped": [dropped_x, dropped_y],
        "load_seconds": load_seconds,
        "repeats": args.repeats,
    }
    for peer in peers:
        start = time.perf_counter()
        __import__({"datasketches": "datasketches", "whylogs": "whylogs.viz"}[peer])
        out.setdefault("import_seconds", {})[peer] = time.perf_counter() - start
        runs = []
        for _ in range(args.repeats):
            try:
                runs.append(runners[peer](x, y, args.k, args.alpha))
            except Exception as exc:  # reported, not raised: the other peer still runs
                runs.append({"error": f"{type(exc).__name__}: {exc}"[:500]})
        out[peer] = runs
    print(json.dumps(out))


if __name__ == "__main__":
    main()
