"""PacGAN's mode-collapse protocol on the ring (8 modes) and the grid (25 modes), per objective.

For each objective and seed: train on 100,000 points, draw 2,500 samples, score modes captured,
% high quality (within 3 sd of the nearest mode) and reverse KL over the mode histogram
(gan.metrics.mode_coverage), with the CPU time of the run; then one table beside the published
numbers of Lin et al. 2018 (../shared/REFERENCES.md). Rows are appended to the CSV as they finish.

Defaults: 20,000 steps, batch 500, learning rates decayed linearly to 0 (`lr_decay="linear"`).

Run: `OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_gan_modes.py [--steps 20000] [--seeds 2]`
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd
import torch
from _report import show

import gan
from gan import datasets, metrics

PUBLISHED = [  # Lin et al. 2018, table 2 (10 trials); VEEGAN under its own protocol
    {"objective": "GAN (published)", "data": "ring", "modes": 6.3, "high_quality": 98.2, "reverse_kl": 0.45},
    {"objective": "PacGAN2 (published)", "data": "ring", "modes": 7.9, "high_quality": 95.6, "reverse_kl": 0.07},
    {"objective": "PacGAN4 (published)", "data": "ring", "modes": 7.8, "high_quality": 95.9, "reverse_kl": 0.07},
    {"objective": "GAN (published)", "data": "grid", "modes": 17.3, "high_quality": 94.8, "reverse_kl": 0.70},
    {"objective": "PacGAN2 (published)", "data": "grid", "modes": 23.8, "high_quality": 91.3, "reverse_kl": 0.13},
    {"objective": "PacGAN4 (published)", "data": "grid", "modes": 24.8, "high_quality": 93.6, "reverse_kl": 0.04},
]

OBJECTIVES = [
    "js",
    "minimax",
    "kl",
    "reverse_kl",
    "hellinger",
    "pearson",
    "total_variation",
    "wgan",
    "wgan-gp",
    "wgan-sn",
    "mmd",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20000)
    parser.add_argument("--lr-decay", default="linear")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--pack", type=int, default=1, help="PacGAN packing of the critic's input (gan.train's pack)")
    parser.add_argument("--standardize", action="store_true", help="networks on standardised rows (gan.train's)")
    parser.add_argument("--objectives", default=",".join(OBJECTIVES))
    parser.add_argument("--data", default="ring,grid")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "gan_modes.csv"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    for data in args.data.split(","):
        ds = datasets.get_dataset(data)
        for objective in args.objectives.split(","):
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                start = time.process_time()
                try:
                    model = gan.train(
                        ds,
                        objective=objective,
                        steps=args.steps,
                        batch_size=args.batch_size,
                        lr_decay=args.lr_decay,
                        pack=args.pack,
                        standardize=args.standardize,
                        rng=seed,
                    )
                    score = metrics.mode_coverage(model.sample(2500, rng=10_000 + seed), ds.modes, ds.mode_std)
                    row = {
                        "objective": objective,
                        "data": data,
                        "seed": seed,
                        "modes": score.modes_captured,
                        "high_quality": 100 * score.high_quality,
                        "reverse_kl": score.reverse_kl,
                        "final_pvalue": model.history["pvalue"].dropna().iloc[-1],
                        "diverged": False,
                        "error": "",
                    }
                except gan.TrainingDiverged as exc:
                    row = {
                        "objective": objective,
                        "data": data,
                        "seed": seed,
                        "modes": float("nan"),
                        "high_quality": float("nan"),
                        "reverse_kl": float("nan"),
                        "final_pvalue": float("nan"),
                        "diverged": True,
                        "error": str(exc),
                    }
                row.update(
                    steps=args.steps,
                    batch_size=args.batch_size,
                    lr_decay=args.lr_decay,
                    pack=args.pack,
                    standardize=args.standardize,
                    cpu_seconds=time.process_time() - start,
                )
                rows.append(row)
                pd.DataFrame([row]).to_csv(out, mode="a", header=not out.exists(), index=False)
                print(row, flush=True)
    df = pd.DataFrame(rows)
    summary = (
        df.groupby(["data", "objective", "pack", "standardize"], sort=False)
        .agg(
            runs=("seed", "size"),
            modes=("modes", "mean"),
            high_quality=("high_quality", "mean"),
            reverse_kl=("reverse_kl", "mean"),
            cpu_seconds=("cpu_seconds", "mean"),
        )
        .reset_index()
    )
    print(show(pd.concat([summary, pd.DataFrame(PUBLISHED)], ignore_index=True)))


if __name__ == "__main__":
    main()
