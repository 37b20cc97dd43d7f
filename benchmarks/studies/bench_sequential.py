"""SequentialTest: the level under peeking, and the price of looking, by simulation.

* Anytime level: null streams (both sides N(0, I_2); 1-D for the KS bettor) of up to `--pairs`
  pairs, looked at after every batch of `--batch` pairs; the fraction of streams that *ever*
  reject, for each bettor, beside the same fraction for a fixed-sample `mmd_test` (199
  relabellings) re-run on all rows so far at every look of the first `--fixed-pairs` pairs.
  Writes benchmarks/results/sequential_level.csv and docs/_static/sequential_peeking.png (the
  fraction rejected so far against the number of looks).
* Power: the stopping time (pairs until the wealth reaches 1/alpha, looked at after every batch)
  against effect size for a mean shift, a variance shift and Gaussian vs Laplace (variance
  matched), beside the fixed-sample `mmd_test`'s sample size for power 0.8 (from
  `twosample.power` at a grid of sizes). Writes benchmarks/results/sequential_power.csv.
* Detector: per-batch time of `Detector.test` against a fresh `mmd_test` (999 relabellings, the
  same bandwidth) on the same reference and batches. Writes benchmarks/results/detector.csv.
* alibi (not in the default run: it creates benchmarks/.alibi-venv with alibi-detect 0.12, NumPy
  < 2 and torch's CPU wheel): the Detector and a fresh C2ST per batch beside alibi-detect's
  MMDDrift and ClassifierDrift on one reference (2,000 x 10) and six batches of 100 (the last
  shifted by 0.3 in every coordinate), 199 relabellings. Writes detector_alibi.csv.

Run: `.venv/bin/python benchmarks/studies/bench_sequential.py [--reps 100] [--pairs 10000]`
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

import twosample as ts

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import BENCHMARKS, RESULTS, ROOT, write_table  # noqa: E402

ALPHA = 0.05


def _first_rejection(test, stream, pairs, batch, rng):
    """Pairs seen when the sequential test first rejects (inf if it never does within `pairs`)."""
    seq = ts.SequentialTest(test, alpha=ALPHA, rng=rng)
    for start in range(0, pairs, batch):
        x, y = stream(batch, rng)
        seq.update(x, y)
        if seq.reject:
            return start + batch
    return np.inf


def _fixed_first_rejection(stream, pairs, batch, rng):
    """Looks until a fixed-sample mmd_test on all rows so far first has p <= alpha (peeking)."""
    xs, ys = [], []
    for start in range(0, pairs, batch):
        x, y = stream(batch, rng)
        xs.append(x)
        ys.append(y)
        if ts.mmd_test(np.vstack(xs), np.vstack(ys), n_resamples=199, rng=rng).pvalue <= ALPHA:
            return start + batch
    return np.inf


def _null(d):
    return lambda k, rng: (rng.normal(size=(k, d)), rng.normal(size=(k, d)))


def level(reps, pairs, batch, fixed_pairs):
    seeds = np.random.SeedSequence(2026).spawn(reps)
    rows, curves = [], {}
    for test, d in (("mmd", 2), ("c2st", 2), ("ks", 1)):
        start = time.perf_counter()
        stops = np.array([_first_rejection(test, _null(d), pairs, batch, np.random.default_rng(s)) for s in seeds])
        rows.append(_level_row(f"SequentialTest({test!r})", stops, pairs, batch, reps, time.perf_counter() - start))
        curves[f"SequentialTest({test!r})"] = stops
    start = time.perf_counter()
    stops = np.array([_fixed_first_rejection(_null(2), fixed_pairs, batch, np.random.default_rng(s)) for s in seeds])
    rows.append(
        _level_row("mmd_test re-run at every look", stops, fixed_pairs, batch, reps, time.perf_counter() - start)
    )
    curves["mmd_test re-run at every look"] = stops
    write_table(rows, RESULTS / "sequential_level.csv")
    _plot_level(curves, batch, fixed_pairs)


def _level_row(name, stops, pairs, batch, reps, seconds):
    from statsmodels.stats.proportion import proportion_confint

    k = int(np.isfinite(stops).sum())
    low, high = proportion_confint(k, reps, alpha=0.05, method="beta")
    return {
        "test": name,
        "pairs": pairs,
        "looks": pairs // batch,
        "streams": reps,
        "ever_rejected": k / reps,
        "ci_low": low,
        "ci_high": high,
        "seconds_per_stream": seconds / reps,
    }


def _plot_level(curves, batch, fixed_pairs):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.6))
    looks = np.arange(1, fixed_pairs // batch + 1)
    for name, stops in curves.items():
        ax.plot(looks, [(stops <= k * batch).mean() for k in looks], marker=".", label=name)
    ax.axhline(ALPHA, color="grey", ls=":", label=f"alpha = {ALPHA}")
    ax.set_xlabel(f"looks (one every {batch} pairs)")
    ax.set_ylabel("null streams rejected so far")
    ax.legend(fontsize=7)
    fig.tight_layout()
    out = ROOT / "docs" / "_static" / "sequential_peeking.png"
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")


SCENARIOS = {
    "mean shift": (lambda e: ts.scenarios.mean_shift(effect=e, d=2), [0.2, 0.35, 0.5]),
    "variance shift": (lambda e: ts.scenarios.variance_shift(effect=e, d=2), [1.5, 2.0, 3.0]),
    "gaussian vs laplace": (lambda e: ts.scenarios.gaussian_vs_laplace(variance_matched=True), [None]),
}


def power(reps, pairs, batch):
    rows = []
    for name, (make, effects) in SCENARIOS.items():
        for effect in effects:
            scenario = make(effect)

            def stream(k, rng, scenario=scenario):
                return scenario.sample(k, k, rng)

            seeds = np.random.SeedSequence(7).spawn(reps)
            stops = np.array([_first_rejection("mmd", stream, pairs, batch, np.random.default_rng(s)) for s in seeds])
            rows.append(
                {
                    "scenario": name,
                    "effect": effect,
                    "sequential: rejected within": pairs,
                    "share rejected": float(np.isfinite(stops).mean()),
                    "median stopping pairs": float(np.median(stops)),
                    "fixed mmd_test: n for power 0.8": _n80(scenario, rng=1),
                }
            )
            print(rows[-1], flush=True)
    write_table(rows, RESULTS / "sequential_power.csv")


def _n80(scenario, rng, sizes=(25, 50, 100, 200, 400, 800, 1600)):
    for n in sizes:
        if ts.power("mmd", scenario, n=n, reps=100, rng=rng, n_resamples=199).power >= 0.8:
            return n
    return np.inf


def detector(repeats=20):
    """Per-batch time of Detector.test against a fresh mmd_test on the same reference and batch."""
    rows = []
    for n, m, d in ((2000, 100, 10), (2000, 500, 10), (5000, 200, 20)):
        rng = np.random.default_rng(3)
        reference = rng.normal(size=(n, d))
        start = time.perf_counter()
        det = ts.Detector(reference, n_resamples=999, rng=0)
        fit = time.perf_counter() - start
        det.test(rng.normal(size=(m, d)))  # the first batch of a size computes its relabellings' reference part
        batches = [rng.normal(size=(m, d)) for _ in range(repeats)]
        start = time.perf_counter()
        found = [det.test(b) for b in batches]
        per_batch = (time.perf_counter() - start) / repeats
        start = time.perf_counter()
        fresh = [ts.mmd_test(reference, b, bandwidth=det.bandwidth, n_resamples=999, rng=0) for b in batches[:5]]
        per_fresh = (time.perf_counter() - start) / 5
        rows.append(
            {
                "n reference": n,
                "m batch": m,
                "d": d,
                "fit s": fit,
                "Detector.test s": per_batch,
                "fresh mmd_test s": per_fresh,
                "ratio": per_batch / per_fresh,
                "same statistic": bool(np.allclose([r.statistic for r in found[:5]], [r.statistic for r in fresh])),
            }
        )
        print(rows[-1], flush=True)
    write_table(rows, RESULTS / "detector.csv")


ALIBI_VENV = BENCHMARKS / ".alibi-venv"


def _alibi_python() -> Path:
    """alibi-detect in its own venv (it needs NumPy < 2, beside torch's CPU wheel): created once."""
    import subprocess
    import sys

    python = ALIBI_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(ALIBI_VENV)], check=True)
        pins = ["numpy<2", "alibi-detect==0.12.0", "torch==2.13.0", "scikit-learn"]
        subprocess.run([str(python), "-m", "pip", "install", "-q", *pins], check=True)
    return python


def alibi(n_resamples=199):
    """Side by side on one reference and the same batches: our Detector and a fresh C2ST per batch
    against alibi-detect's MMDDrift and ClassifierDrift (time per batch, p-values, the shifted batch)."""
    import json
    import subprocess
    import tempfile

    rng = np.random.default_rng(11)
    reference = rng.normal(size=(2000, 10))
    batches = np.stack([rng.normal(size=(100, 10)) for _ in range(5)] + [rng.normal(0.3, 1, size=(100, 10))])
    rows = []
    det = ts.Detector(reference, n_resamples=n_resamples, rng=0)
    for name, run in (
        ("twosample Detector (MMD, fit once)", det.test),
        (
            "twosample c2st (logistic, AUC), fresh per batch",
            lambda b: ts.c2st_test(
                reference, b, classifier="logistic", statistic="auc", null="permutation", n_resamples=199, rng=0
            ),
        ),
    ):
        for i, batch in enumerate(batches):
            start = time.perf_counter()
            pvalue = run(batch).pvalue
            rows.append({"method": name, "batch": i, "seconds": time.perf_counter() - start, "pvalue": pvalue})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.npz"
        np.savez(path, reference=reference, batches=batches)
        worker = BENCHMARKS / "_common" / "alibi_worker.py"
        out = subprocess.run(
            [str(_alibi_python()), str(worker), str(path), str(n_resamples)], capture_output=True, text=True
        )
        if out.returncode != 0:
            raise RuntimeError(out.stderr.strip().splitlines()[-1])
        rows += json.loads(out.stdout.strip().splitlines()[-1])
    _alibi_table(rows)


def _alibi_table(rows):
    import pandas as pd

    frame = pd.DataFrame(rows)
    summary = []
    for method, part in frame.groupby("method", sort=False):
        null, shifted = part[part["batch"] < 5], part[part["batch"] == 5]
        summary.append(
            {
                "method": method,
                "seconds per batch (after the first)": part["seconds"].iloc[1:].mean(),
                "first batch s": part["seconds"].iloc[0],
                "null batches: p-values": " ".join(f"{p:.3g}" for p in null["pvalue"]),
                "shifted batch: p-value": float(shifted["pvalue"].iloc[0]),
            }
        )
    write_table(summary, RESULTS / "detector_alibi.csv")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", nargs="+", default=["level", "power", "detector"])
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--fixed-pairs", type=int, default=2_000)
    args = parser.parse_args()
    if "level" in args.part:
        level(args.reps, args.pairs, args.batch, args.fixed_pairs)
    if "power" in args.part:
        power(args.reps, min(args.pairs, 4_000), 20)
    if "detector" in args.part:
        detector()
    if "alibi" in args.part:
        alibi()


if __name__ == "__main__":
    main()
