"""``ts.compare`` beside evidently's DataDriftPreset and alibi-detect's TabularDrift, on the same tables.

Each case draws x and y, writes them to parquet in a temporary directory, runs our ``compare`` in this
process (defaults: Holm, C2ST verdict, 9,999 draws per column null) and each peer through
benchmarks/peers/tables_peer.py in the peers' venv (--peer-python, default /work/peers-venv/bin/python;
the peers are skipped with a message when it is absent). The two peers run side by side in two
subprocesses (their imports take ~10 s each); ours runs alone.

Cases:

* ``null``: 50 columns (30 continuous, 10 discrete numeric with 5-8 values, 10 categorical with 3-12
  levels; 2% missing in 7 of them), n = m = 500, same law, --reps repetitions (default 20);
* ``sparse``: one categorical column with 200 equally likely levels, n = m = 50, same law,
  --reps-small repetitions (default 5);
* ``new-level``: 10 columns (8 numeric, 2 categorical), n = m = 200, same law except that 2 of y's 200
  rows of `cat00` are a level x never has; --reps-small repetitions;
* ``shift``: the ``null`` case with column `num06` (Gaussian) of x shifted by --shift sd (default 0.3),
  --reps-small repetitions (power).

Per method: `dataset_rate` the share of repetitions whose dataset verdict is "different" (ours: any
column rejected after Holm; row ``ours c2st``: the whole-table C2ST at alpha; evidently: >= 50% of
columns drift; alibi: any column p < alpha / n_columns), `column_rate` the share of null
(column, repetition) decisions flagged, `target_rate` the share of repetitions where the changed
column (sparse: its only column; new-level: `cat00`; shift: `num06`) is flagged, `target_p` the
median p-value (or evidently's distance) of that column, `seconds` the mean wall time of the
method's own computation (the peers' import excluded), `errors` runs that failed.

Run: `.venv/bin/python benchmarks/studies/bench_tables_peers.py [--reps 20] [--reps-small 5]`
(about 10 minutes at the defaults, mostly the peers' imports). Writes
benchmarks/results/tables_peers.csv. Ours alone on many null tables:
`... bench_tables_peers.py --skip-peers --cases null --reps 200 --multivariate none
--out benchmarks/results/tables_peers_ours_null.csv` (about 10 minutes).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import twosample as ts

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import BENCHMARKS, RESULTS, ROOT, write_table  # noqa: E402

PEER_SCRIPT = BENCHMARKS / "peers" / "tables_peer.py"
PEERS = ("evidently", "alibi")
TARGET = {"sparse": "cat00", "new-level": "cat00", "shift": "num06", "null": None}


def mixed_table(rng, n, *, numeric=40, categorical=10, shift=0.0):
    """The 'null' case's table (the column laws are fixed by one seed; `shift` moves num06 in sd)."""
    spec = np.random.default_rng(2024)
    data = {}
    n_continuous = numeric * 3 // 4
    for j in range(numeric):
        if j < n_continuous:
            mean, sd = spec.normal(0, 5), spec.uniform(0.5, 3)
            values = np.exp(rng.normal(0, 0.5, n)) * sd + mean if j % 3 == 2 else rng.normal(mean, sd, n)
            if j == 6:  # Gaussian, nothing missing: the shift case's column
                values = values + shift * sd
        else:  # discrete: counts 0-7 or a rating scale 0-4
            values = rng.poisson(2.0, n).clip(0, 7).astype(float) if j % 2 else rng.integers(0, 5, n).astype(float)
        if j < 5:
            values[rng.random(n) < 0.02] = np.nan
        data[f"num{j:02d}"] = values
    for j in range(categorical):
        k = int(spec.integers(3, 13))
        p = spec.dirichlet(np.full(k, 2.0))
        column = np.array([f"level{i}" for i in range(k)], dtype=object)[rng.choice(k, n, p=p)]
        if j < 2:
            column[rng.random(n) < 0.02] = None
        data[f"cat{j:02d}"] = column
    return pd.DataFrame(data)


def draw(case, rng, shift):
    if case in ("null", "shift"):
        return mixed_table(rng, 500, shift=shift if case == "shift" else 0.0), mixed_table(rng, 500)
    if case == "sparse":
        levels = np.array([f"L{i:03d}" for i in range(200)], dtype=object)
        return (pd.DataFrame({"cat00": levels[rng.integers(0, 200, 50)]}),) + (
            pd.DataFrame({"cat00": levels[rng.integers(0, 200, 50)]}),
        )
    if case == "new-level":
        x, y = (mixed_table(rng, 200, numeric=8, categorical=2) for _ in range(2))
        x["cat00"], y["cat00"] = x["cat00"].fillna("level0"), y["cat00"].fillna("level0")
        y.loc[rng.choice(200, 2, replace=False), "cat00"] = "only-in-y"
        return x, y
    raise ValueError(case)


def ours(x, y, rep, multivariate="c2st"):
    start = time.perf_counter()
    res = ts.compare(x, y, rng=rep, multivariate=multivariate)
    seconds = time.perf_counter() - start
    frame = res.columns.set_index("column")
    columns = {
        c: {"drift": bool(row["reject"]), "pvalue": float(row["pvalue"]), "test": row["test"]}
        for c, row in frame.iterrows()
    }
    out = {"dataset_drift": res.reject, "columns": columns, "seconds": seconds}
    if res.multivariate is None:
        return out, None
    mv = {
        "dataset_drift": bool(res.multivariate.pvalue <= res.alpha),
        "columns": {},
        "seconds": seconds,
        "pvalue": res.multivariate.pvalue,
    }
    return out, mv


def run_peers(peer_python, x_path, y_path, categorical):
    """Both peers side by side; {peer: parsed JSON or {"error": ...}}."""
    procs = {}
    for peer in PEERS:
        cmd = [str(peer_python), str(PEER_SCRIPT), "--peer", peer, str(x_path), str(y_path)]
        if categorical:
            cmd += ["--categorical", ",".join(categorical)]
        procs[peer] = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = {}
    for peer, proc in procs.items():
        out, err = proc.communicate()
        try:
            results[peer] = json.loads(out.strip().splitlines()[-1])
        except (json.JSONDecodeError, IndexError):
            results[peer] = {"error": f"exit {proc.returncode}: {err.strip()[-500:]}"}
    return results


def _summary(case, method, runs, target, reps):
    ok = [r for r in runs if "error" not in r]
    row = {"case": case, "method": method, "reps": reps, "errors": len(runs) - len(ok)}
    if not ok:
        row["note"] = runs[0]["error"][:200] if runs else ""
        return row
    row["dataset_rate"] = float(np.mean([bool(r["dataset_drift"]) for r in ok]))
    flags = [v["drift"] for r in ok for c, v in r["columns"].items() if c != target]
    row["column_rate"] = float(np.mean(flags)) if flags else np.nan
    if method == "alibi":  # what predict(drift_type="feature") reports, without Bonferroni
        raw = [v["drift_uncorrected"] for r in ok for c, v in r["columns"].items() if c != target]
        row["column_rate_uncorrected"] = float(np.mean(raw)) if raw else np.nan
    if method == "ours (columns, holm)":
        raw = [v["pvalue"] <= 0.05 for r in ok for c, v in r["columns"].items() if c != target]
        row["column_rate_uncorrected"] = float(np.mean(raw)) if raw else np.nan
    if target is not None:
        entries = [r["columns"].get(target) for r in ok]
        entries = [e for e in entries if e is not None]
        row["target_rate"] = float(np.mean([e["drift"] for e in entries])) if entries else np.nan
        values = [e.get("pvalue", e.get("score")) for e in entries]
        values = [v for v in values if v is not None]
        row["target_p"] = float(np.median(values)) if values else np.nan
        tests = sorted({e.get("test", "") for e in entries} - {""})
        row["target_test"] = ", ".join(tests)
    if method.startswith("ours ") and method != "ours (columns, holm)":  # the whole-table test
        row["target_p"] = float(np.median([r["pvalue"] for r in ok]))
    row["seconds"] = float(np.mean([r["seconds"] for r in ok]))
    warns = sorted({w for r in ok for w in r.get("warnings", [])})
    row["note"] = "; ".join(w[:120] for w in warns)[:300]
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20, help="repetitions of the null case")
    parser.add_argument("--reps-small", type=int, default=5, help="repetitions of the other cases")
    parser.add_argument("--shift", type=float, default=0.3, help="shift of num06 in the shift case (sd)")
    parser.add_argument("--cases", default="null,sparse,new-level,shift")
    parser.add_argument("--peer-python", default="/work/peers-venv/bin/python")
    parser.add_argument("--skip-peers", action="store_true", help="ours only (e.g. many null repetitions)")
    parser.add_argument("--multivariate", default="c2st", choices=["c2st", "mmd", "none"], help="our whole-table test")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(RESULTS / "tables_peers.csv"))
    parser.add_argument("--raw", default=None, help="also write every run's decisions as JSON here")
    args = parser.parse_args()
    peer_python = Path(args.peer_python)
    have_peers = peer_python.exists() and not args.skip_peers
    if not have_peers and not args.skip_peers:
        print(f"{peer_python} is absent: peers skipped (bash benchmarks/peers/make_venv.sh creates it)")
    rng = np.random.default_rng(args.seed)
    rows, raw = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for case in args.cases.split(","):
            reps = args.reps if case == "null" else args.reps_small
            whole = f"ours {args.multivariate}"
            runs = {"ours (columns, holm)": [], whole: [], **{p: [] for p in PEERS}}
            start = time.perf_counter()
            for rep in range(reps):
                x, y = draw(case, rng, args.shift)
                x_path, y_path = Path(tmp) / "x.parquet", Path(tmp) / "y.parquet"
                x.to_parquet(x_path), y.to_parquet(y_path)
                categorical = [c for c in x.columns if c.startswith("cat")]
                col, mv = ours(x, y, rep, args.multivariate)
                runs["ours (columns, holm)"].append(col)
                if mv is not None:
                    runs[whole].append(mv)
                if have_peers:
                    for peer, result in run_peers(peer_python, x_path, y_path, categorical).items():
                        runs[peer].append(result)
                raw.append({"case": case, "rep": rep, **{k: v[-1] for k, v in runs.items() if v}})
            print(f"{case}: {reps} repetitions in {time.perf_counter() - start:.0f} s", flush=True)
            for method, results in runs.items():
                if results:
                    rows.append(_summary(case, method, results, TARGET[case], reps))
    write_table(rows, args.out)
    if args.raw:
        Path(args.raw).write_text(json.dumps(raw, default=str))
    print("timings taken on a shared 2-core machine")


if __name__ == "__main__":
    main()
