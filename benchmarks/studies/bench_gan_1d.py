"""Mode seeking vs mode covering: a single Gaussian fitted to a two-component mixture, per divergence.

The data are 0.7 N(-2, 0.5^2) + 0.3 N(2, 0.5^2); the generator is affine, g(z) = b + w z, so the
model is exactly N(b, w^2). For each f-divergence D_f(P || Q) (P the data, Q the model) the table
gives the fitted (mean, sd) after f-GAN training and the exact minimiser over (mean, sd), found by
Nelder-Mead on the quadrature value twosample.divergences.f_divergence; with the exact divergence
at both. Reverse KL (= KL(Q || P)) should sit on the big mode, KL spread over both, JS in between.
Writes benchmarks/results/gan_1d.csv and docs/_static/gan_1d.png.

Run: `OMP_NUM_THREADS=1 .venv/bin/python benchmarks/studies/bench_gan_1d.py [--steps 3000]`
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import matplotlib
import numpy as np
import torch
from scipy import optimize, stats

import gan
from gan import datasets
from twosample import divergences

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, ROOT, write_table  # noqa: E402

matplotlib.use("Agg")
DIVERGENCES = ["reverse_kl", "hellinger", "js", "total_variation", "kl", "pearson"]


def exact_minimiser(p, name):
    def objective(theta):
        value = divergences.f_divergence(p, stats.norm(theta[0], np.exp(theta[1])), name)
        return value if np.isfinite(value) else 1e6

    best = None
    for start in ([-2.0, np.log(0.5)], [0.0, np.log(2.0)], [-0.8, np.log(2.0)]):
        res = optimize.minimize(
            objective, start, method="Nelder-Mead", options={"xatol": 1e-4, "fatol": 1e-7, "maxiter": 2000}
        )
        if best is None or res.fun < best.fun:
            best = res
    return best.x[0], float(np.exp(best.x[1])), best.fun


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--out", default=str(RESULTS / "gan_1d.csv"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = datasets.mixture_1d()
    p = data.density
    rows, fits = [], {}
    for name in DIVERGENCES:
        start = time.process_time()
        e_mean, e_sd, e_value = exact_minimiser(p, name)
        try:
            model = gan.train(
                data,
                objective=name,
                steps=args.steps,
                lr=args.lr,
                z_dim=1,
                generator_options={"depth": 0},
                n_train=20_000,
                rng=0,
            )
        except gan.TrainingDiverged as exc:
            print(exc)
            rows.append(
                {
                    "divergence": name,
                    "exact_mean": e_mean,
                    "exact_sd": e_sd,
                    "exact_min_divergence": e_value,
                    "diverged": True,
                    "cpu_seconds": time.process_time() - start,
                }
            )
            fits[name] = (np.nan, np.nan, e_mean, e_sd)
            continue
        linear = model.generator.body[0]
        mean, sd = float(linear.bias.detach()), abs(float(linear.weight.detach()))
        fits[name] = (mean, sd, e_mean, e_sd)
        rows.append(
            {
                "divergence": name,
                "fitted_mean": mean,
                "fitted_sd": sd,
                "fitted_divergence": divergences.f_divergence(p, stats.norm(mean, sd), name),
                "exact_mean": e_mean,
                "exact_sd": e_sd,
                "exact_min_divergence": e_value,
                "diverged": False,
                "cpu_seconds": time.process_time() - start,
            }
        )
    write_table(rows, args.out)

    import matplotlib.pyplot as plt

    grid = np.linspace(-5, 5, 600)
    fig, axes = plt.subplots(2, 3, figsize=(12, 6), sharex=True, sharey=True)
    for ax, name in zip(axes.flat, DIVERGENCES):
        mean, sd, e_mean, e_sd = fits[name]
        ax.fill_between(grid, p.pdf(grid), color="0.85", label="data")
        if np.isfinite(mean):
            ax.plot(grid, stats.norm(mean, sd).pdf(grid), label="f-GAN fit")
        ax.plot(grid, stats.norm(e_mean, e_sd).pdf(grid), ls="--", color="black", label="exact minimiser")
        ax.set_title(name)
    axes[0, 0].legend(fontsize=8)
    fig.suptitle("One Gaussian fitted to 0.7 N(-2, 0.25) + 0.3 N(2, 0.25) under each divergence")
    fig.tight_layout()
    static = ROOT / "docs" / "_static"
    static.mkdir(exist_ok=True)
    fig.savefig(static / "gan_1d.png", dpi=100)
    print(f"wrote {static / 'gan_1d.png'}")


if __name__ == "__main__":
    main()
