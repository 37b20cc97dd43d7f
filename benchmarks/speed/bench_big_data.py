"""Large-data tests end to end: ``scale.compare`` (+ the classifier test) and ``scale.rff_mmd_test`` on
parquet tables of 10^6 to 10^8 rows per sample, on this machine and on a 2-worker Dask LocalCluster.

Each sample has 10 columns: 5 numeric (N(0, 1); the first shifted by 0.005 in y) and 5 categorical
(10, 20, 30, 40, 50 levels), written by this script to ``--data-dir`` (default
/tmp/twosample-big-data; never the repository) as 5,000,000-row files with 1,000,000-row row
groups, once (the writing is timed apart). Every (size, mode) runs in a fresh process: ``seconds``
is the test's wall time from the parquet paths to the result (both passes, every column's null,
the classifier's training), ``peak_rss_gib`` the peak resident memory of that process (local) or of
the busiest worker (cluster, sampled every 0.2 s with psutil). Defaults: every test at the
library's defaults (9,999 tables per column, 4,096 bins, a keyed training sample of 10^5 rows).

``--evidently 1e7``: evidently's DataDriftPreset on the same files (read into memory in the peers'
venv, benchmarks/peers; ``compare_seconds`` its own computation, ``total_seconds`` with reading
and import), the tool users would otherwise reach for.

Run: `.venv/bin/python benchmarks/speed/bench_big_data.py [--evidently 1e7]`
(default ``--runs local:1e6 local:1e7 cluster:1e6 cluster:1e7 cluster:1e8``, about 40 minutes).
Writes benchmarks/results/big_data.csv.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, write_table  # noqa: E402

FILE_ROWS = 5_000_000
GROUP_ROWS = 1_000_000
SHIFT = 0.005


def write_sample(directory: Path, rows: int, seed: int, shift: float) -> None:
    """`rows` rows of the benchmark table in parquet files under `directory` (skipped when present)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    done = directory / "_done"
    if done.exists():
        return
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for number, start in enumerate(range(0, rows, FILE_ROWS)):
        m = min(FILE_ROWS, rows - start)
        columns = {f"x{i}": rng.normal(shift if i == 0 else 0.0, 1.0, m) for i in range(5)}
        for i in range(5):
            levels = [f"L{j}" for j in range(10 * (i + 1))]
            columns[f"c{i}"] = pd.Categorical.from_codes(rng.integers(0, len(levels), m), levels)
        table = pa.Table.from_pandas(pd.DataFrame(columns), preserve_index=False)
        pq.write_table(table, directory / f"part-{number:04d}.parquet", row_group_size=GROUP_ROWS)
    done.touch()


def _peak_worker_rss(client, stop: threading.Event, peaks: dict) -> None:
    import psutil

    pids = list(client.run(os.getpid).values())
    while not stop.is_set():
        for pid in pids:
            try:
                peaks[pid] = max(peaks.get(pid, 0), psutil.Process(pid).memory_info().rss)
            except psutil.NoSuchProcess:  # a worker restarted by its nanny: its peak so far stays
                continue
        stop.wait(0.2)


def run_one(mode: str, rows: int, data_dir: Path) -> dict:
    """One timed run (in this process): compare with the classifier, then RFF-MMD."""
    from twosample import scale

    x, y = str(data_dir / f"x{rows}"), str(data_dir / f"y{rows}")
    client = cluster = None
    peaks, stop = {}, threading.Event()
    if mode == "cluster":
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, memory_limit="4GiB")
        client = Client(cluster)
        threading.Thread(target=_peak_worker_rss, args=(client, stop, peaks), daemon=True).start()
    start = time.perf_counter()
    res = scale.compare(x, y, rng=0, client=client if client else False)
    compare_seconds = time.perf_counter() - start
    start = time.perf_counter()
    rff = scale.rff_mmd_test(x, y, [f"x{i}" for i in range(5)], rng=0, client=client if client else False)
    rff_seconds = time.perf_counter() - start
    stop.set()
    if cluster is not None:
        client.close()
        cluster.close()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    cols = res.columns.set_index("column")
    return {
        "mode": mode,
        "rows_per_sample": rows,
        "compare_seconds": compare_seconds,
        "rff_seconds": rff_seconds,
        "total_seconds": compare_seconds + rff_seconds,
        "peak_rss_gib": (max(peaks.values()) if peaks else own) / 2**30,
        "client_rss_gib": own / 2**30,
        "x0_ks_pvalue": float(cols.loc["x0", "pvalue"]),
        "x0_ks_distance": float(cols.loc["x0", "effect"]),
        "columns_rejected": int(res.columns["reject"].sum()),
        "classifier_auc": res.multivariate.statistic,
        "classifier_pvalue": res.multivariate.pvalue,
        "rff_pvalue": rff.pvalue,
    }


def run_evidently(rows: int, data_dir: Path, peer_python: str) -> dict:
    """evidently's DataDriftPreset on the same two tables, read into memory (benchmarks/peers)."""
    script = Path(__file__).resolve().parents[1] / "peers" / "tables_peer.py"
    x, y = str(data_dir / f"x{rows}"), str(data_dir / f"y{rows}")
    categorical = ",".join(f"c{i}" for i in range(5))
    start = time.perf_counter()
    out = subprocess.run(
        [peer_python, str(script), "--peer", "evidently", x, y, "--categorical", categorical, "--alpha", "0.05"],
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - start
    peer = json.loads(out.stdout.strip().splitlines()[-1])
    x0 = peer["columns"]["x0"]
    return {
        "mode": f"evidently {peer['version']} (in memory)",
        "rows_per_sample": rows,
        "compare_seconds": peer["seconds"],
        "total_seconds": wall,
        "x0_ks_pvalue": x0.get("pvalue", float("nan")),
        "x0_score": x0.get("score", float("nan")),
        "x0_test": x0.get("test", ""),
        "columns_rejected": sum(bool(c.get("drift")) for c in peer["columns"].values()),
        "dataset_drift": peer.get("dataset_drift"),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", nargs="+", default=["local:1e6", "local:1e7", "cluster:1e6", "cluster:1e7", "cluster:1e8"]
    )
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/twosample-big-data"))
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--evidently", type=float, nargs="*", default=[], help="rows per sample for evidently's run")
    parser.add_argument("--peer-python", default="/work/peers-venv/bin/python")
    parser.add_argument("--out", type=Path, default=RESULTS / "big_data.csv")
    args = parser.parse_args(argv)
    if args.one:
        mode, rows = args.one.split(":")
        print(json.dumps(run_one(mode, int(float(rows)), args.data_dir)))
        return
    records = []
    for run in args.runs:
        mode, rows = run.split(":")
        rows = int(float(rows))
        start = time.perf_counter()
        write_sample(args.data_dir / f"x{rows}", rows, 1, 0.0)
        write_sample(args.data_dir / f"y{rows}", rows, 2, SHIFT)
        print(f"{run}: data ready ({time.perf_counter() - start:.0f} s)", flush=True)
        out = subprocess.run(
            [sys.executable, __file__, "--one", run, "--data-dir", str(args.data_dir)],
            capture_output=True,
            text=True,
            check=True,
        )
        records.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(json.dumps(records[-1]), flush=True)
    for rows in args.evidently:
        records.append(run_evidently(int(rows), args.data_dir, args.peer_python))
        print(json.dumps(records[-1]), flush=True)
    write_table(records, args.out)


if __name__ == "__main__":
    main()
