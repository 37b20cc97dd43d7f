"""CTGAN and SDMetrics in their own venv, for benchmarks/studies/bench_tables_gan.py.

Two commands, each printing one JSON object on its last line of stdout:

``fit TRAIN.parquet --out SYNTH.parquet -n N --seed S [--epochs E | --budget SECONDS]``
    ``ctgan.CTGAN`` at its defaults (every hyperparameter as shipped, ``enable_gpu=False``), seeded
    by ``set_random_state(S)``, fitted on the table's rows, then ``sample(N)`` written to parquet.
    Its discrete columns are the non-numeric ones (text, categories, booleans). CTGAN refuses
    missing values in a numeric column, so rows with one are dropped first, as its error message
    asks a user to (``dropped_rows`` says how many). ``--budget`` picks the number of epochs that
    fills that many seconds of training: it times CTGAN's data transformer alone (the fixed cost), then
    fits of 4, 8, 16... epochs until one spends a tenth of the budget beyond it, and takes
    ``floor((budget - fixed) / per-epoch)`` epochs (at least 1). ``seconds`` is the
    final fit's wall time (its transformer included), as for our ``gan.train``.

``quality REAL.parquet SYNTH.parquet``
    SDMetrics' single-table ``QualityReport``: the column shapes score (KS complement for numbers,
    TV complement for categories) and the column pair trends score (correlation similarity,
    contingency similarity), each between 0 and 1 (1: same), numbers ``numerical`` and everything
    else ``categorical`` in its metadata.

It imports only pandas, numpy, ctgan and sdmetrics, so it runs where they are installed
(benchmarks/peers/make_ctgan_venv.sh), never in the project's venv.
"""

from __future__ import annotations

import argparse
import json
import math
import time
import warnings

import pandas as pd


def _discrete(table: pd.DataFrame) -> list[str]:
    """Columns that are not numbers (text, categories, booleans): CTGAN's discrete columns."""
    numeric = [c for c in table if pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c])]
    return [c for c in table if c not in numeric]


def _model(epochs: int, seed: int):
    from ctgan import CTGAN

    model = CTGAN(epochs=epochs, enable_gpu=False)
    model.set_random_state(seed)
    return model


def _timed_fit(table, discrete, epochs, seed):
    model = _model(epochs, seed)
    start = time.perf_counter()
    model.fit(table, discrete)
    return model, time.perf_counter() - start


def _budget_epochs(table, discrete, budget, seed) -> tuple[int, float, float]:
    """(epochs that fill `budget` seconds, fixed seconds, seconds per epoch). The fixed cost is CTGAN's data
    transformer fitted alone; the epochs' cost comes from fits of 4, 8, 16... epochs until one spends a
    tenth of the budget on its epochs (short fits are too noisy beside the transformer's time)."""
    from ctgan.data_transformer import DataTransformer

    start = time.perf_counter()
    DataTransformer().fit(table, discrete)
    fixed = time.perf_counter() - start
    epochs = 4
    while True:
        _, seconds = _timed_fit(table, discrete, epochs, seed)
        if seconds - fixed >= 0.1 * budget:
            break
        epochs *= 2
    per_epoch = (seconds - fixed) / epochs
    return max(1, math.floor((budget - fixed) / per_epoch)), fixed, per_epoch


def fit(args) -> dict:
    table = pd.read_parquet(args.train)
    discrete = _discrete(table)
    numeric = [c for c in table if c not in discrete]
    complete = table.dropna(subset=numeric).reset_index(drop=True)
    probe = None
    epochs = args.epochs
    if args.budget is not None:
        epochs, fixed, per_epoch = _budget_epochs(complete, discrete, args.budget, args.seed)
        probe = {"fixed_seconds": fixed, "seconds_per_epoch": per_epoch}
    model, seconds = _timed_fit(complete, discrete, epochs, args.seed)
    start = time.perf_counter()
    rows = model.sample(args.n)
    sample_seconds = time.perf_counter() - start
    rows.to_parquet(args.out)
    import ctgan

    return {
        "ctgan": ctgan.__version__,
        "epochs": epochs,
        "seconds": seconds,
        "sample_seconds": sample_seconds,
        "dropped_rows": len(table) - len(complete),
        "discrete": discrete,
        "probe": probe,
    }


def quality(args) -> dict:
    import sdmetrics
    from sdmetrics.reports.single_table import QualityReport

    real, synth = pd.read_parquet(args.real), pd.read_parquet(args.synth)
    discrete = set(_discrete(real))
    metadata = {"columns": {c: {"sdtype": "categorical" if c in discrete else "numerical"} for c in real}}
    report = QualityReport()
    report.generate(real, synth[real.columns], metadata, verbose=False)
    scores = report.get_properties().set_index("Property")["Score"]
    return {
        "sdmetrics": sdmetrics.__version__,
        "column_shapes": float(scores["Column Shapes"]),
        "pair_trends": float(scores["Column Pair Trends"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fit")
    f.add_argument("train")
    f.add_argument("--out", required=True)
    f.add_argument("-n", type=int, required=True)
    f.add_argument("--seed", type=int, default=0)
    f.add_argument("--epochs", type=int, default=300)
    f.add_argument("--budget", type=float, default=None)
    q = sub.add_parser("quality")
    q.add_argument("real")
    q.add_argument("synth")
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sdmetrics' deprecation notices; rdt's on dtypes
        print(json.dumps({"fit": fit, "quality": quality}[args.command](args)))


if __name__ == "__main__":
    main()
