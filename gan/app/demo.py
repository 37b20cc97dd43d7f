"""``make demo``: the core's Gaussian vs Laplace power study, then a GAN on the ring at gan.train's defaults.

The GAN part trains ``gan.train("ring")`` as a new user would (the recipe for
vectors: the Jensen-Shannon f-GAN, 8,000 steps, about 30 s on one core),
scores it with PacGAN's protocol (modes captured, % high quality, reverse KL on
2,500 samples), and adds its figures to the study's report: the loss curves,
the samples over the data, and the critic watched as a two-sample test (its
p-value and held-out accuracy against the step).
"""

from __future__ import annotations

import argparse
import time

from twosample.app import demo as core_demo

from ..auditing import metrics
from ..data import datasets
from ..training.fit import train
from ..training.plotting import plot_critic_test, plot_losses, plot_samples

__all__ = ["main", "train_ring"]


def train_ring(*, steps: int | None = None, objective: str | None = None, rng=20261122, out=None, progress=None):
    """The demo's GAN: gan.train's defaults on the ring (or `objective`, `steps`); returns (model, PacGAN scores)."""
    ring = datasets.ring()
    model = train(ring, objective=objective, steps=steps, rng=rng, out=out, progress=progress)
    score = metrics.mode_coverage(model.sample(2500, rng=1), ring.modes, ring.mode_std)
    return model, score


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gan.app.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="out", help="folder for the report (default: out)")
    parser.add_argument("--steps", type=int, default=None, help="GAN steps (default: gan.train's)")
    args = parser.parse_args(argv)
    import matplotlib
    import torch

    matplotlib.use("Agg")
    torch.set_num_threads(1)  # tiny networks: one thread is as fast and never spin-waits on a busy machine
    start = time.perf_counter()
    print("GAN: gan.train on the ring of 8 Gaussians at its defaults, on CPU.")
    model, score = train_ring(steps=args.steps, out=f"{args.out}/gan-ring")
    watched = model.history.dropna(subset=["pvalue"])
    print(
        f"  {score.modes_captured}/8 modes, {100 * score.high_quality:.1f}% high quality, "
        f"reverse KL {score.reverse_kl:.3f}, modes {score.width_ratio:.2f}x the data's width; "
        "the critic's held-out p-value went "
        f"{watched['pvalue'].iloc[0]:.2g} -> {watched['pvalue'].iloc[-1]:.2g} "
        f"({time.perf_counter() - start:.0f} s)"
    )
    figures = [
        ("GAN on the ring: generator and critic losses", plot_losses(model.history)),
        (
            f"GAN on the ring: 2,500 samples over the data ({score.modes_captured}/8 modes, "
            f"{100 * score.high_quality:.1f}% high quality, reverse KL {score.reverse_kl:.3f})",
            plot_samples(model),
        ),
        (
            "GAN on the ring: the frozen critic as a two-sample test on held-out data (p-value, accuracy)",
            plot_critic_test(model.history),
        ),
    ]
    core_demo.main(["--out", args.out], extra_figures=figures)


if __name__ == "__main__":
    main()
