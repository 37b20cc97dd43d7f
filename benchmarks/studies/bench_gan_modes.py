"""PacGAN's mode-collapse protocol on the ring (8 modes) and the grid (25 modes) at gan.train's defaults.

For each objective and seed: ``gan.train(data, objective=..., rng=seed)`` with every other setting
left to the library (the recipe for vectors, gan.model.config.RECIPES, and the objective's own learning
rate where it is not the recipe's), as a user calls it, with the thread count a user leaves alone;
then 2,500 samples are scored: modes captured, % high quality (within 3 sd of the nearest mode),
reverse KL over the mode histogram and the modes' width over the data's
(gan.auditing.metrics.mode_coverage), with the CPU time of the run and the final held-out critic
p-value. One table beside the published numbers of Lin et al. 2018 (../shared/REFERENCES.md); rows
are appended to the CSV as they finish.

Run: `.venv/bin/python benchmarks/studies/bench_gan_modes.py [--objectives js] [--seeds 10] [--data ring]`
(`--steps N` or `--pack 2` override the defaults for every run; `--set ema=0 --set lr_decay='"none"'`
any other gan.train argument, its value read as JSON; `--audit-n 2500` adds the audit's C2ST and MMD
p-values for 2,500 generated rows against 2,500 fresh training and 2,500 fresh held-out rows).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import gan
from gan import datasets, metrics, objectives

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, show  # noqa: E402

PUBLISHED = [  # Lin et al. 2018, table 2 (10 trials); VEEGAN under its own protocol
    {"objective": "GAN (published)", "data": "ring", "modes": 6.3, "high_quality": 98.2, "reverse_kl": 0.45},
    {"objective": "PacGAN2 (published)", "data": "ring", "modes": 7.9, "high_quality": 95.6, "reverse_kl": 0.07},
    {"objective": "PacGAN4 (published)", "data": "ring", "modes": 7.8, "high_quality": 95.9, "reverse_kl": 0.07},
    {"objective": "GAN (published)", "data": "grid", "modes": 17.3, "high_quality": 94.8, "reverse_kl": 0.70},
    {"objective": "PacGAN2 (published)", "data": "grid", "modes": 23.8, "high_quality": 91.3, "reverse_kl": 0.13},
    {"objective": "PacGAN4 (published)", "data": "grid", "modes": 24.8, "high_quality": 93.6, "reverse_kl": 0.04},
]


def audit_pvalues(model, ds, seed, n) -> dict:
    """The audit's C2ST and MMD p-values for `n` generated rows against `n` fresh training and `n`
    fresh held-out rows of the data's law (what a user's `gan audit` at n rows sees)."""
    rng = np.random.default_rng([30_000, seed])
    train, test = ds.sample(n, rng), ds.sample(n, rng)
    report = gan.audit(model.sample(n, rng=rng), train, test, checks=("c2st", "mmd"), rng=seed)
    pvalues = report.table.set_index("check")["pvalue"]
    return {"audit_n": n, "audit_c2st_p": float(pvalues["c2st"]), "audit_mmd_p": float(pvalues["mmd"])}


def run_one(ds, objective, seed, overrides, audit_n=0) -> dict:
    """One training run at the defaults (plus `overrides`), scored by PacGAN's protocol (and audited)."""
    start = time.process_time()
    row = {"objective": objective or "(default)", "data": ds.name, "seed": seed, **overrides}
    try:
        model = gan.train(ds, objective=objective, rng=seed, progress=False, **overrides)
    except gan.TrainingDiverged as exc:
        return {**row, "diverged": True, "error": str(exc), "cpu_seconds": time.process_time() - start}
    seconds = time.process_time() - start
    score = metrics.mode_coverage(model.sample(2500, rng=10_000 + seed), ds.modes, ds.mode_std)
    return {
        **row,
        "modes": score.modes_captured,
        "high_quality": 100 * score.high_quality,
        "reverse_kl": score.reverse_kl,
        "width_ratio": score.width_ratio,
        "final_pvalue": model.history["pvalue"].dropna().iloc[-1],
        "steps": model.config["steps"],
        "diverged": False,
        "error": "",
        "cpu_seconds": seconds,
        **(audit_pvalues(model, ds, seed, audit_n) if audit_n else {}),
    }


def summarise(df: pd.DataFrame, targets) -> pd.DataFrame:
    df = df.assign(all_modes=df["modes"] == df["data"].map(targets))
    return (
        df.groupby(["data", "objective"], sort=False)
        .agg(
            runs=("seed", "size"),
            all_modes=("all_modes", "sum"),
            modes=("modes", "mean"),
            min_modes=("modes", "min"),
            high_quality=("high_quality", "mean"),
            min_high_quality=("high_quality", "min"),
            reverse_kl=("reverse_kl", "mean"),
            **({"width_ratio": ("width_ratio", "mean")} if "width_ratio" in df else {}),
            cpu_seconds=("cpu_seconds", "mean"),
            max_cpu_seconds=("cpu_seconds", "max"),
        )
        .reset_index()
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--objectives", default="default," + ",".join(objectives.names()))
    parser.add_argument("--data", default="ring,grid")
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--pack", type=int, default=None)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=JSON", help="another gan.train argument")
    parser.add_argument("--audit-n", type=int, default=0, help="audit each generator's C2ST and MMD at n rows")
    parser.add_argument("--out", default=str(RESULTS / "gan_modes_defaults.csv"))
    args = parser.parse_args()
    overrides = {k: v for k, v in (("steps", args.steps), ("pack", args.pack)) if v is not None}
    for item in args.set:
        key, _, value = item.partition("=")
        overrides[key] = json.loads(value)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows, targets = [], {}
    for data in args.data.split(","):
        ds = datasets.get_dataset(data)
        targets[ds.name] = len(ds.modes)
        for objective in args.objectives.split(","):
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                row = run_one(ds, None if objective == "default" else objective, seed, overrides, args.audit_n)
                rows.append(row)
                pd.DataFrame([row]).to_csv(out, mode="a", header=not out.exists(), index=False)
                print({k: v for k, v in row.items() if k != "error"}, flush=True)
    summary = summarise(pd.DataFrame(rows), targets)
    print(show(pd.concat([summary, pd.DataFrame(PUBLISHED)], ignore_index=True)))


if __name__ == "__main__":
    main()
