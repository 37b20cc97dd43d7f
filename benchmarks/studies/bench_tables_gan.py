"""Our table GAN beside CTGAN (the ``ctgan`` package) at equal wall clock, on three real mixed tables.

For each table (benchmarks/_common/tables.py: palmerpenguins, statsmodels' anes96 and fair) and seed,
the rows are split at random, two thirds for training and a third held out. Then:

* ``ours``: ``gan.train(train, rng=seed)`` at its defaults (the "tables" recipe: 3,000 steps);
  its training wall time T is the budget;
* ``ctgan (equal time)``: ``ctgan.CTGAN`` at its default hyperparameters with the number of epochs that
  fills T (benchmarks/peers/ctgan_worker.py times its transformer and a 3-epoch fit first);
* ``ctgan (300 epochs)``: CTGAN exactly at its defaults, in its own time.

Each generator draws as many rows as are held out; the rows are audited by ``gan.audit(rows, train,
held_out, target=...)`` at its defaults (C2ST held-out accuracy, its p-value and held-out AUC, the
per-column, pair and copying p-values, DCR, train-on-synthetic accuracy beside train-on-real) and scored
by SDMetrics' QualityReport against the held-out rows (column shapes, pair trends: 1 is identical).
The row ``real (train)`` scores the training rows themselves against the held-out ones: the ceiling
the sampling noise of the held-out third allows.

CTGAN returns plain columns (text, floats); they are given the real table's dtypes (categories,
integers) before the audit, as a user comparing tables would. CTGAN needs its own venv
(benchmarks/peers/make_ctgan_venv.sh; --ctgan-python, default /work/ctgan-venv/bin/python).

Run: ``.venv/bin/python benchmarks/studies/bench_tables_gan.py [--tables penguins,anes96,fair]
[--seeds 0]`` (about 20 minutes a seed on 2 cores: the training budgets are ours). Writes
benchmarks/results/tables_gan.csv.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import BENCHMARKS, RESULTS, write_table  # noqa: E402
from _common.tables import load, split  # noqa: E402

import gan  # noqa: E402

WORKER = BENCHMARKS / "peers" / "ctgan_worker.py"


def _worker(python: str, *args) -> dict:
    """Run ctgan_worker.py in CTGAN's venv; its last stdout line is a JSON object."""
    done = subprocess.run([python, str(WORKER), *map(str, args)], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"ctgan_worker {args[0]} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _like(rows: pd.DataFrame, real: pd.DataFrame) -> pd.DataFrame:
    """`rows` with `real`'s columns and dtypes: categories over the real category set, integers rounded."""
    out = rows[list(real.columns)].copy()
    for column, dtype in real.dtypes.items():
        if isinstance(dtype, pd.CategoricalDtype):
            out[column] = pd.Categorical(out[column], categories=dtype.categories)
        elif pd.api.types.is_integer_dtype(dtype):
            values = pd.to_numeric(out[column]).round()
            out[column] = values.astype(dtype if not values.isna().any() else "Int64")
        else:
            out[column] = out[column].astype(dtype)
    return out


def _audit_row(rows, train, test, target, seed) -> dict:
    """The audit's verdict and scores for one generator's rows."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # exact-null notices on ties
        report = gan.audit(rows, train, test, target=target, rng=seed)
    table = report.table.set_index("check")
    summary = report.to_dict()["table"]
    return {
        "verdict": "reject" if report.reject else "accept",
        "rejected_by": ",".join(table.index[table["reject"].fillna(False).astype(bool)]),
        "c2st_accuracy": table.loc["c2st", "statistic"],
        "c2st_auc": summary["c2st_auc"],
        "c2st_p": table.loc["c2st", "pvalue"],
        "columns_p": table.loc["columns", "pvalue"],
        "pairs_p": table.loc["pairs", "pvalue"],
        "mmd_p": table.loc["mmd", "pvalue"],
        "copying_p": table.loc["copying", "pvalue"],
        "dcr_ratio": table.loc["dcr", "statistic"],
        "tstr": table.loc["utility TSTR", "statistic"],
        "trtr": table.loc["utility TRTR", "statistic"],
        "columns_differ": ",".join(summary["columns_differ"]),
    }


def _score(args, folder, name, rows, train, test, target, seed) -> dict:
    """One generator's row: the audit, and SDMetrics' scores against the held-out rows."""
    path = folder / f"{name}.parquet"
    rows.to_parquet(path)
    quality = _worker(args.ctgan_python, "quality", folder / "test.parquet", path)
    audit = _audit_row(rows, train, test, target, seed) if name != "real_train" else {}
    return {"column_shapes": quality["column_shapes"], "pair_trends": quality["pair_trends"], **audit}


def _ours(train, n, seed, steps=None):
    start = time.perf_counter()
    model = gan.train(train, rng=seed, progress=False, **({} if steps is None else {"steps": steps}))
    seconds = time.perf_counter() - start
    return model.sample(n, rng=seed + 1), {"seconds": seconds, "steps": model.config["steps"]}


def _ctgan(args, folder, train, n, seed, budget=None):
    out = folder / ("ctgan_equal.parquet" if budget else "ctgan_default.parquet")
    options = ["--budget", budget] if budget else ["--epochs", 300]
    info = _worker(args.ctgan_python, "fit", folder / "train.parquet", "--out", out, "-n", n, "--seed", seed, *options)
    return _like(pd.read_parquet(out), train), {"seconds": info["seconds"], "epochs": info["epochs"]}


def _one(args, name, seed) -> list[dict]:
    """Every generator's row for one table and seed."""
    table, target = load(name)
    train, test = split(table, seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        train.to_parquet(folder / "train.parquet")
        test.to_parquet(folder / "test.parquet")
        ours, ours_info = _ours(train, len(test), seed, args.steps)
        found = {"ours": (ours, ours_info)}
        found["ctgan (equal time)"] = _ctgan(args, folder, train, len(test), seed, budget=ours_info["seconds"])
        found["ctgan (300 epochs)"] = _ctgan(args, folder, train, len(test), seed)
        base = {"table": name, "rows": len(table), "seed": seed, "train": len(train), "held_out": len(test)}
        out = []
        for method, (rows, info) in found.items():
            key = method.split(" ")[0] + ("_equal" if "equal" in method else "_default" if "300" in method else "")
            scores = _score(args, folder, key, rows, train, test, target, seed)
            out.append({**base, "method": method, **info, **scores})
            print(f"{name} seed {seed} {method}: {info} AUC {scores['c2st_auc']:.3f}", flush=True)
        real = _score(args, folder, "real_train", train, train, test, target, seed)
        out.append({**base, "method": "real (train)", **real})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", default="penguins,anes96,fair")
    parser.add_argument("--seeds", default="0", help="comma-separated seeds")
    parser.add_argument("--steps", type=int, default=None, help="our GAN's steps (default: the recipe's; a smoke test)")
    parser.add_argument("--ctgan-python", default="/work/ctgan-venv/bin/python")
    parser.add_argument("--out", default=str(RESULTS / "tables_gan.csv"))
    args = parser.parse_args()
    if not Path(args.ctgan_python).exists():
        sys.exit(f"--ctgan-python {args.ctgan_python} not found: bash benchmarks/peers/make_ctgan_venv.sh")
    rows = []
    for name in args.tables.split(","):
        for seed in map(int, args.seeds.split(",")):
            rows += _one(args, name, seed)
    columns = ["table", "seed", "method", "seconds", "epochs", "steps", "verdict", "c2st_auc", "c2st_accuracy"]
    table = write_table(rows, args.out)
    print(table[[c for c in columns if c in table]].to_string(index=False))


if __name__ == "__main__":
    main()
