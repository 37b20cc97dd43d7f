"""Lopez-Paz & Oquab (2017), synthetic experiment: standardised Gaussian vs Student-t.

alpha = 0.05; n = m in {50, 100, 500, 1000, 2000} with nu = 3, and nu in {1, 2, 5, 10, 15, 20}
with n = 2000 (../shared/REFERENCES.md). Tests side by side on the same repetitions (each
repetition's samples come from the same spawned stream for every test): C2ST-NN (one hidden
layer of 20 ReLU, held-out accuracy, exact null), C2ST-KNN (k = floor(sqrt(n_train))), the
median-bandwidth MMD, MMD-agg (MMD-FUSE), the deep-kernel MMD, KS as the classical 1-D
reference, and ts.c2st_test's default ("auto": logistic regression unless the MLP validates better).
Power with 95% Clopper-Pearson intervals.

Run: `.venv/bin/python benchmarks/studies/bench_c2st_lpo.py [--reps 100] [--tests ...] [--settings all|n|nu]
[--n-jobs 2]` (resumable: rows already in the CSV are skipped).
Writes benchmarks/results/c2st_lpo.csv and docs/_static/c2st_lpo.png.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

import twosample as ts  # noqa: E402
from twosample import scenarios  # noqa: E402
from twosample.learned import mmd_deep_test  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, ROOT, show  # noqa: E402

TESTS = {
    "C2ST-NN": functools.partial(ts.c2st_test, classifier="mlp"),
    "C2ST default (auto)": ts.c2st_test,
    "C2ST-KNN": functools.partial(ts.c2st_test, classifier="knn"),
    "MMD (median)": functools.partial(ts.mmd_test, n_resamples=199),
    "MMD-agg": functools.partial(ts.mmd_agg_test, n_resamples=199),
    "MMD-deep": functools.partial(mmd_deep_test, n_resamples=199),
    "KS": functools.partial(ts.ks_test, method="asymptotic"),
}
SIZES = [(n, 3.0) for n in (50, 100, 500, 1000, 2000)]
DOFS = [(2000, nu) for nu in (1.0, 2.0, 5.0, 10.0, 15.0, 20.0)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--tests", default=",".join(TESTS))
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument(
        "--settings",
        default="all",
        choices=["all", "n", "nu"],
        help="the n sweep (nu = 3), the nu sweep (n = 2000), or both",
    )
    parser.add_argument("--out", default=str(RESULTS / "c2st_lpo.csv"))
    parser.add_argument("--figure", default=str(ROOT / "docs" / "_static" / "c2st_lpo.png"))
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)  # two torch threads spin against joblib workers on a 2-core machine
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    done = pd.read_csv(out) if out.exists() else pd.DataFrame(columns=["test", "n", "nu"])
    settings = {"all": SIZES + DOFS, "n": SIZES, "nu": DOFS}[args.settings]
    for n, nu in settings:
        for name in args.tests.split(","):
            if ((done["test"] == name) & (done["n"] == n) & (done["nu"] == nu)).any():
                continue  # resumable: rows already measured are kept
            start = time.perf_counter()
            res = ts.power(
                TESTS[name], scenarios.student_t(nu), n=n, reps=args.reps, rng=int(nu * 1000) + n, n_jobs=args.n_jobs
            )
            row = {
                "test": name,
                "n": n,
                "nu": nu,
                "power": res.power,
                "ci_low": res.ci_low,
                "ci_high": res.ci_high,
                "reps": res.reps,
                "seconds_per_test": (time.perf_counter() - start) * args.n_jobs / args.reps,
            }
            print(row, flush=True)
            pd.DataFrame([row]).to_csv(out, mode="a", header=not out.exists(), index=False)
            done = pd.read_csv(out)
    table = pd.read_csv(out)
    print(show(table.pivot_table(index=["n", "nu"], columns="test", values="power").reset_index()))
    figure(table, args.figure)


def figure(table, path):
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for ax, (key, fixed, label) in zip(
        axes, [("n", ("nu", 3.0), "n = m (nu = 3)"), ("nu", ("n", 2000), "nu (n = m = 2000)")]
    ):
        sub = table[table[fixed[0]] == fixed[1]]
        for name, rows in sub.groupby("test", sort=False):
            rows = rows.sort_values(key)
            errors = [rows["power"] - rows["ci_low"], rows["ci_high"] - rows["power"]]
            ax.errorbar(rows[key], rows["power"], yerr=errors, marker="o", capsize=3, label=name)
        ax.set_xscale("log")
        ax.set_xlabel(label)
        ax.axhline(0.05, color="grey", lw=0.8, ls=":")
    axes[0].set_ylabel("power (95% CI)")
    axes[1].legend(fontsize=8)
    fig.suptitle("Gaussian vs standardised Student-t (Lopez-Paz & Oquab 2017), alpha = 0.05")
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
