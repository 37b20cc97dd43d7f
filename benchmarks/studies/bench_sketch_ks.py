"""Our binned KS beside KS tests on KLL sketches (DataSketches, whylogs), on the same samples (issue 27).

Sketch-based KS tests (whylogs, Deequ, Apache DataSketches) compute KS from KLL quantile sketches,
whose rank error (about 1.33% at k = 200, whatever n) bounds what they can see; KLL is randomized,
so the same data give a different answer on every build. This study puts numbers on both, side by
side with ``twosample.scale.binned_test(x, y, statistic="ks", bins=4096, rng=seed)``.

Cases (x ~ N(0, 1), y ~ N(delta, 1), --n rows each, default 10^7):

* ``shift``: delta chosen so that the population KS distance 2 Phi(delta / 2) - 1 is --ks (0.003:
  delta = 0.00752), about 1.6 times the exact two-sample KS's 5% critical distance at n = m = 10^7
  (1.358 sqrt(2 / n) = 0.00061 there; 0.0019 at 10^6);
* ``null``: delta = 0 (false alarms).

Each case's x and y are drawn once and saved as .npy in a temporary directory. On them:

* ours: ``scale.binned_test`` with rng = 0, 1, 2, then rng = 0 again (same rng: the same p-value
  expected), in this process; skipped with a message while twosample.scale is absent;
* the exact KS statistic of the full samples, ``scipy.stats.ks_2samp(x, y, method="asymp")``,
  once (a reference: what a sketch approximates);
* the sketch peers through benchmarks/peers/sketch_ks.py in the sketch venv (--sketch-python,
  default /work/sketch-venv/bin/python; ``bash benchmarks/peers/make_sketch_venv.sh`` creates it;
  skipped with a message when absent), --repeats independent sketch builds (default 10) per k in
  --sketch-k (default 200 and 1024, whylogs' own default): DataSketches' ``ks_test`` at p = alpha
  (a reject decision; ``statistic`` its delta, ``threshold`` its bound) and whylogs'
  ``calculate_drift_scores`` KS p-value. How each peer decides: benchmarks/peers/README.md.

Writes benchmarks/results/sketch_ks.csv, one row per method x case x repeat (method, case, n, delta,
ks_population, repeat, k, statistic, pvalue, reject, threshold, seconds, note), and prints a summary
per method and case: the reject rate, the range of the statistic and of the p-value, how many
distinct p-values, the mean seconds (ours: the test; peers: building both sketches and testing).

Ours: the rng also picks the random keys that draw the rows for the bin edges, so the statistic moves a
little with it; its p-value is a Monte Carlo one over 9,999 tables (at least 1 / 10,000).

Run: ``PYTHONPATH=. .venv/bin/python benchmarks/studies/bench_sketch_ks.py`` (10^7 rows: about 13
minutes, 11 of them whylogs profiling 2 x 10^7 rows 40 times); ``--n 1000000`` for a quick look
(under a minute without ours, which takes about 6 s a call there and 10 s at 10^7).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import BENCHMARKS, RESULTS, ROOT, show  # noqa: E402

PEER_SCRIPT = BENCHMARKS / "peers" / "sketch_ks.py"
OURS = "ours binned_test ks"
OUR_SEEDS = (("rng=0", 0), ("rng=1", 1), ("rng=2", 2), ("rng=0 again", 0))


def shift_for(ks: float) -> float:
    """The location shift delta of N(delta, 1) against N(0, 1) whose KS distance 2 Phi(delta/2) - 1 is ks."""
    return float(2.0 * stats.norm.ppf((1.0 + ks) / 2.0))


def ks_distance(delta: float) -> float:
    return float(2.0 * stats.norm.cdf(abs(delta) / 2.0) - 1.0)


def row(method, case, n, delta, repeat, **values):
    base = {
        "method": method,
        "case": case,
        "n": n,
        "delta": delta,
        "ks_population": ks_distance(delta),
        "repeat": repeat,
        "k": None,
        "statistic": np.nan,
        "pvalue": np.nan,
        "reject": None,
        "threshold": np.nan,
        "seconds": np.nan,
        "note": "",
    }
    base.update(values)
    return base


def run_ours(x, y, bins, alpha, common):
    """Our binned KS with rng 0, 1, 2 and 0 again; [] and a message while twosample.scale is absent."""
    try:
        from twosample import scale

        test = scale.binned_test
    except (ImportError, AttributeError) as exc:
        print(f"ours skipped: twosample.scale.binned_test is not available ({exc})", flush=True)
        return []
    print(f"  ours from {Path(scale.__file__).parent}", flush=True)  # the worktree's, not another checkout's
    rows = []
    for label, seed in OUR_SEEDS:
        start = time.perf_counter()
        res = test(x, y, statistic="ks", bins=bins, rng=seed)
        seconds = time.perf_counter() - start
        pvalue = float(res.pvalue)
        rows.append(
            row(
                f"{OURS} (bins={bins})",
                **common,
                repeat=label,
                statistic=float(res.statistic),
                pvalue=pvalue,
                reject=pvalue <= alpha,
                seconds=seconds,
                note=str(res.method),
            )
        )
    return rows


def run_exact(x, y, alpha, common):
    start = time.perf_counter()
    res = stats.ks_2samp(x, y, method="asymp")
    seconds = time.perf_counter() - start
    pvalue = float(res.pvalue)
    return [
        row(
            "scipy ks_2samp (exact D)",
            **common,
            repeat="once",
            statistic=float(res.statistic),
            pvalue=pvalue,
            reject=pvalue <= alpha,
            seconds=seconds,
            note="asymptotic p",
        )
    ]


def run_sketches(sketch_python, x_path, y_path, k, repeats, alpha, common):
    """One sketch_ks.py run (both peers, `repeats` builds at this k); rows and the versions it reports."""
    cmd = [str(sketch_python), str(PEER_SCRIPT), str(x_path), str(y_path)]
    cmd += ["--k", str(k), "--repeats", str(repeats), "--alpha", str(alpha)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    try:
        out = json.loads(proc.stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        note = f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}"
        return [row(f"sketch peers (k={k})", **common, repeat="error", k=k, note=note)], {}
    rows = []
    for i, r in enumerate(out.get("datasketches", [])):
        if "error" in r:
            rows.append(row("datasketches ks_test", **common, repeat=i, k=k, note=r["error"]))
            continue
        note = f"implied_p={r['implied_p']:.3g}; retained={r['retained']}"
        if not r["rule_agrees"]:
            note += "; restated rule DISAGREES with ks_test"
        rows.append(
            row(
                "datasketches ks_test",
                **common,
                repeat=i,
                k=k,
                statistic=r["statistic"],
                reject=r["reject"],
                threshold=r["threshold"],
                seconds=r["build_seconds"] + r["test_seconds"],
                note=note,
            )
        )
    for i, r in enumerate(out.get("whylogs", [])):
        if "error" in r:
            rows.append(row("whylogs drift ks", **common, repeat=i, k=k, note=r["error"]))
            continue
        rows.append(
            row(
                "whylogs drift ks",
                **common,
                repeat=i,
                k=r["sketch_k"],
                statistic=r["statistic"],
                pvalue=r["pvalue"],
                reject=r["reject"],
                seconds=r["build_seconds"] + r["test_seconds"],
                note=str(r["drift_category"]),
            )
        )
    return rows, out.get("versions", {})


def summary(table: pd.DataFrame) -> pd.DataFrame:
    out = []
    for (case, method, k), g in table.groupby(["case", "method", "k"], dropna=False, sort=False):
        p = g["pvalue"].dropna()
        rej = g["reject"].dropna().astype(bool)
        out.append(
            {
                "case": case,
                "method": method,
                "k": "" if pd.isna(k) else int(k),
                "runs": len(g),
                "reject_rate": rej.mean() if len(rej) else np.nan,
                "stat_min": g["statistic"].min(),
                "stat_max": g["statistic"].max(),
                "p_min": p.min() if len(p) else np.nan,
                "p_max": p.max() if len(p) else np.nan,
                "distinct_p": p.nunique() if len(p) else 0,
                "threshold": g["threshold"].max(),
                "seconds": g["seconds"].mean(),
            }
        )
    return pd.DataFrame(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000_000, help="rows per sample")
    parser.add_argument("--ks", type=float, default=0.003, help="population KS distance of the shift case")
    parser.add_argument("--cases", default="shift,null")
    parser.add_argument("--bins", type=int, default=4096, help="our binned_test's bins")
    parser.add_argument("--sketch-k", default="200,1024", help="KLL k of the peers' sketches, comma-separated")
    parser.add_argument("--repeats", type=int, default=10, help="independent sketch builds per k")
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0, help="seed of the data")
    parser.add_argument("--sketch-python", default="/work/sketch-venv/bin/python")
    parser.add_argument("--skip-ours", action="store_true")
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument("--out", default=str(RESULTS / "sketch_ks.csv"))
    args = parser.parse_args()
    sketch_python = Path(args.sketch_python)
    have_peers = sketch_python.exists() and not args.skip_peers
    if not have_peers and not args.skip_peers:
        print(f"{sketch_python} is absent: peers skipped (bash benchmarks/peers/make_sketch_venv.sh creates it)")
    crit = math.sqrt(-0.5 * math.log(args.alpha / 2)) * math.sqrt(2 / args.n)
    print(f"n = m = {args.n:,}: the exact KS's asymptotic {args.alpha:g} critical distance is {crit:.5f}")
    rows, versions = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for index, case in enumerate(args.cases.split(",")):
            if case not in ("shift", "null"):
                raise SystemExit(f"unknown case {case!r}")
            delta = shift_for(args.ks) if case == "shift" else 0.0
            rng = np.random.default_rng([args.seed, index])
            x = rng.standard_normal(args.n)
            y = rng.standard_normal(args.n) + delta
            x_path, y_path = Path(tmp) / "x.npy", Path(tmp) / "y.npy"
            np.save(x_path, x), np.save(y_path, y)
            common = {"case": case, "n": args.n, "delta": delta}
            print(f"{case}: delta = {delta:.6f}, population KS {ks_distance(delta):.5f}", flush=True)
            start = time.perf_counter()
            rows += run_exact(x, y, args.alpha, common)
            if not args.skip_ours:
                rows += run_ours(x, y, args.bins, args.alpha, common)
            print(f"  exact and ours: {time.perf_counter() - start:.0f} s", flush=True)
            if have_peers:
                del x, y  # the peers load their own copies
                for k in (int(v) for v in args.sketch_k.split(",")):
                    start = time.perf_counter()
                    more, versions = run_sketches(sketch_python, x_path, y_path, k, args.repeats, args.alpha, common)
                    rows += more
                    print(f"  sketches k={k}: {time.perf_counter() - start:.0f} s", flush=True)
    table = pd.DataFrame(rows)
    table["k"] = table["k"].astype("Int64")  # empty for the methods without a sketch
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False)
    print(show(summary(table).to_dict("records")))
    if versions:
        print("peers:", ", ".join(f"{k} {v}" for k, v in versions.items()))
    if args.skip_ours or not table["method"].str.startswith(OURS).any():
        print("ours: not run")
    print(f"wrote {args.out} (timings taken on a shared 2-core machine)")


if __name__ == "__main__":
    main()
