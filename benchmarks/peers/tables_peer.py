"""Run one peer's per-column drift check on two tables (executed in the peers' own venv).

Usage (from the repository root):

    PEER_PYTHON benchmarks/peers/tables_peer.py --peer evidently|alibi x.parquet y.parquet \
        [--categorical col1,col2] [--alpha 0.05] [--alibi-nan drop-rows|keep]

x is the reference sample, y the current one. Prints ONE JSON object on stdout:
{"peer", "version", "seconds" (wall time of the peer's own computation), "dataset_drift",
 "columns": {col: {"drift", "pvalue" or "score", "test", ...}}, "notes", "warnings", ...}.
Non-finite p-values are written as null with the raw value in "raw".

Standalone: imports only pandas / numpy / json / time and the peer (no twosample), so that it runs
in benchmarks/peers' venv (see README.md there).

Column types: the --categorical columns, plus every bool column and every non-numeric column
(noted in "notes"); the rest are numeric.

evidently (0.7.x API): ``Report([DataDriftPreset()], include_tests=True).run(current, reference)``
at the preset's defaults, the column types given by a DataDefinition; per-column decisions are the
ValueDrift tests' statuses, the dataset decision the DriftedColumnsCount test (share of drifted
columns >= drift_share = 0.5). evidently drops missing (and infinite) values column by column.

alibi-detect: ``TabularDrift(x_ref, p_val=alpha, categories_per_feature={i: None ...})``, default
correction (Bonferroni), ``predict(y, drift_type="batch")``. alibi needs one numeric array: a user
must encode categorical columns as integer codes over the pooled levels of x and y (done here;
a missing categorical value is its own level, since a NaN code makes chi2_contingency raise) and
choose what to do with missing numeric values (alibi passes them to ks_2samp, whose p-value is
then NaN, which never flags drift): --alibi-nan drop-rows (default) drops, in each sample
separately, the rows with a missing numeric value; --alibi-nan keep passes them through.
Per-column "drift" is p < alpha / n_columns (the Bonferroni threshold alibi's dataset decision
uses); "drift_uncorrected" is p < alpha (what ``drift_type="feature"`` reports).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings

os.environ.setdefault("DO_NOT_TRACK", "1")  # evidently's (UI-only) usage telemetry
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # alibi imports transformers (no torch here)

import numpy as np
import pandas as pd


def _float(value):
    """A JSON-safe float: None for NaN / inf (the raw value is kept by the caller)."""
    value = float(value)
    return value if np.isfinite(value) else None


def _column_kinds(x: pd.DataFrame, categorical: list[str]) -> tuple[list[str], list[str], list[str]]:
    notes = []
    cat = list(categorical)
    for col in x.columns:
        if col in cat:
            continue
        if pd.api.types.is_bool_dtype(x[col]) or not pd.api.types.is_numeric_dtype(x[col]):
            cat.append(col)
            notes.append(f"column {col!r} ({x[col].dtype}) treated as categorical")
    num = [c for c in x.columns if c not in cat]
    cat = [c for c in x.columns if c in cat]  # table order
    return num, cat, notes


def _warnings_list(caught) -> list[str]:
    seen = []
    for w in caught:
        text = f"{w.category.__name__}: {w.message}"
        if text not in seen:
            seen.append(text)
    return seen


def run_evidently(x, y, num, cat, alpha):
    t0 = time.perf_counter()
    import evidently
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    import_seconds = time.perf_counter() - t0
    notes = [
        "DataDriftPreset() at its defaults: per column, reference <= 1000 rows: K-S (numeric, > 5 values), "
        "chi-square goodness of fit of current against the reference's scaled counts (categorical or <= 5 "
        "values, > 2 values), two-proportion Z-test (2 values); reference > 1000 rows: Wasserstein distance "
        "(normed) / Jensen-Shannon distance with threshold 0.1, not tests; no multiplicity correction; "
        "dataset drift when >= 50% of the columns drift",
        "missing and infinite values dropped column by column by evidently itself (a difference in "
        "missingness is not tested)",
    ]
    preset_kwargs = {}
    if alpha != 0.05:
        preset_kwargs["threshold"] = alpha
        notes.append(f"threshold={alpha} passed to DataDriftPreset (applies to distance methods too)")
    for name, frame in (("x", x), ("y", y)):
        missing = {c: int(n) for c, n in frame.isna().sum().items() if n}
        if missing:
            notes.append(f"missing values in {name} (dropped by evidently): {missing}")

    definition = DataDefinition(numerical_columns=num, categorical_columns=cat)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        current = Dataset.from_pandas(y, data_definition=definition)
        reference = Dataset.from_pandas(x, data_definition=definition)
        snapshot = Report([DataDriftPreset(**preset_kwargs)], include_tests=True).run(current, reference)
        result = snapshot.dict()
        seconds = time.perf_counter() - start

    by_id = {m["id"]: m for m in result["metrics"]}
    columns, dataset_drift, share = {}, None, None
    for test in result["tests"]:
        metric = by_id[test["metric_config"]["metric_id"]]
        config = metric["config"]
        if config["type"].endswith("ValueDrift"):
            method, value = config["method"], metric["value"]
            key = "pvalue" if "p_value" in method else "score"
            entry = {
                "drift": test["status"] == "FAIL",
                key: _float(value),
                "test": method,
                "threshold": config["threshold"],
            }
            if entry[key] is None:
                entry["raw"] = str(value)
            columns[config["column"]] = entry
        elif config["type"].endswith("DriftedColumnsCount"):
            dataset_drift = test["status"] == "FAIL"
            share = metric["value"]["share"]
    return {
        "peer": "evidently",
        "version": evidently.__version__,
        "seconds": seconds,
        "import_seconds": import_seconds,
        "dataset_drift": dataset_drift,
        "dataset_rule": f"share of drifted columns ({share:.3g}) >= drift_share 0.5",
        "columns": {c: columns[c] for c in x.columns if c in columns},
        "notes": notes,
        "warnings": _warnings_list(caught),
    }


def _encode_for_alibi(x, y, num, cat, nan_mode):
    """What an alibi-detect user must do: one float array per sample, categories as integer codes."""
    notes = []
    x, y = x.copy(), y.copy()
    for col in cat:
        pooled_missing = bool(x[col].isna().any() or y[col].isna().any())
        sx, sy = x[col].astype(object), y[col].astype(object)
        levels = sorted(set(map(str, sx.dropna())) | set(map(str, sy.dropna())))
        if pooled_missing:
            notes.append(f"categorical {col!r}: missing coded as its own level")
        mapping = {level: i for i, level in enumerate(levels)}
        for frame, series in ((x, sx), (y, sy)):
            codes = series.map(lambda v: mapping[str(v)] if pd.notna(v) else len(levels))
            frame[col] = codes.astype(float)
        only_y = sorted(set(map(str, sy.dropna())) - set(map(str, sx.dropna())))
        if only_y:
            notes.append(f"categorical {col!r}: levels only in y: {only_y[:10]}{' ...' if len(only_y) > 10 else ''}")
    for col in num:
        x[col], y[col] = x[col].astype(float), y[col].astype(float)
    if num and nan_mode == "drop-rows":
        sizes = (len(x), len(y))
        x, y = x.dropna(subset=num), y.dropna(subset=num)
        if (len(x), len(y)) != sizes:
            notes.append(
                f"--alibi-nan drop-rows: rows with a missing numeric value dropped: x {sizes[0]} -> {len(x)}, "
                f"y {sizes[1]} -> {len(y)}"
            )
    elif num and nan_mode == "keep":
        bad = [c for c in num if x[c].isna().any() or y[c].isna().any()]
        if bad:
            notes.append(f"--alibi-nan keep: NaN passed to alibi in {bad} (ks_2samp p-value NaN -> no drift)")
    return x.to_numpy(dtype=float), y.to_numpy(dtype=float), notes


def run_alibi(x, y, num, cat, alpha, nan_mode):
    t0 = time.perf_counter()
    import alibi_detect
    from alibi_detect.cd import TabularDrift

    import_seconds = time.perf_counter() - t0
    order = list(x.columns)
    start = time.perf_counter()
    x_arr, y_arr, notes = _encode_for_alibi(x, y, num, cat, nan_mode)
    prep_seconds = time.perf_counter() - start
    notes = [
        "TabularDrift default: ks_2samp(mode='asymp') per numeric column, chi2_contingency (2 x k, Yates "
        "correction when k = 2) per categorical column; Bonferroni over all columns; p-values stored as float32",
        "categorical columns encoded by this script as integer codes over the pooled levels of x and y "
        "(alibi needs a numeric array)",
    ] + notes
    cats = {order.index(c): None for c in cat}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        detector = TabularDrift(x_arr, p_val=alpha, categories_per_feature=cats)
        out = detector.predict(y_arr, drift_type="batch", return_p_val=True, return_distance=True)["data"]
        seconds = time.perf_counter() - start
    threshold = float(out["threshold"])
    columns = {}
    for i, col in enumerate(order):
        p = out["p_val"][i]
        entry = {
            "drift": bool(p < threshold),
            "drift_uncorrected": bool(p < alpha),
            "pvalue": _float(p),
            "statistic": _float(out["distance"][i]),
            "test": "chi2_contingency" if col in cat else "ks_2samp (asymp)",
        }
        if entry["pvalue"] is None:
            entry["raw"] = str(p)
        columns[col] = entry
    return {
        "peer": "alibi",
        "version": alibi_detect.__version__,
        "seconds": seconds,
        "prep_seconds": prep_seconds,
        "import_seconds": import_seconds,
        "dataset_drift": bool(out["is_drift"]),
        "dataset_rule": f"min p < alpha / n_columns = {threshold:.4g} (Bonferroni)",
        "n_x": int(x_arr.shape[0]),
        "n_y": int(y_arr.shape[0]),
        "columns": columns,
        "notes": notes,
        "warnings": _warnings_list(caught),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--peer", choices=["evidently", "alibi"], required=True)
    parser.add_argument("x", help="reference table (parquet)")
    parser.add_argument("y", help="current table (parquet)")
    parser.add_argument("--categorical", default="", help="comma-separated categorical columns")
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--alibi-nan", choices=["drop-rows", "keep"], default="drop-rows")
    args = parser.parse_args(argv)

    x, y = pd.read_parquet(args.x), pd.read_parquet(args.y)
    if list(x.columns) != list(y.columns):
        sys.exit(f"x and y have different columns: {list(x.columns)} / {list(y.columns)}")
    categorical = [c for c in args.categorical.split(",") if c]
    unknown = [c for c in categorical if c not in x.columns]
    if unknown:
        sys.exit(f"unknown --categorical columns: {unknown}")
    num, cat, notes = _column_kinds(x, categorical)

    try:
        if args.peer == "evidently":
            result = run_evidently(x, y, num, cat, args.alpha)
        else:
            result = run_alibi(x, y, num, cat, args.alpha, args.alibi_nan)
    except Exception as error:  # the peer's failure is a result too
        from importlib.metadata import version

        dist = "evidently" if args.peer == "evidently" else "alibi-detect"
        result = {"peer": args.peer, "version": version(dist), "error": f"{type(error).__name__}: {error}"}
    result.update({"alpha": args.alpha, "n_x_rows": len(x), "n_y_rows": len(y), "numeric": num, "categorical": cat})
    result["notes"] = notes + result.get("notes", [])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
