"""Figures of a training run: losses, samples over the data, and the critic-as-test curve."""

from __future__ import annotations

import numpy as np

__all__ = ["plot_critic_test", "plot_losses", "plot_samples"]


def plot_losses(history, *, title=None):
    """Generator and critic losses against the step (as on the slides)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.2, 4.0))
    ax.plot(history["step"], history["critic_loss"], label="critic loss", lw=1)
    ax.plot(history["step"], history["generator_loss"], label="generator loss", lw=1)
    ax.set_xlabel("generator step")
    ax.set_ylabel("loss")
    ax.legend()
    ax.set_title(title or "training losses")
    fig.tight_layout()
    return fig


def plot_critic_test(history, *, alpha=0.05, title=None):
    """The frozen critic as a two-sample test: p-value (log scale) and held-out accuracy against the step."""
    import matplotlib.pyplot as plt

    rows = history.dropna(subset=["pvalue"])
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
    left.semilogy(rows["step"], np.maximum(rows["pvalue"], 1e-300), marker="o", ms=3)
    left.axhline(alpha, color="black", ls="--", lw=1, label=f"alpha = {alpha:g}")
    left.set_xlabel("generator step")
    left.set_ylabel("p-value (held-out real vs fresh fake)")
    left.legend()
    if rows["heldout_accuracy"].notna().any():
        right.plot(rows["step"], rows["heldout_accuracy"], marker="o", ms=3, label="held-out accuracy")
        right.axhline(0.5, color="black", ls="--", lw=1, label="chance")
        right.set_ylabel("accuracy")
    else:
        right.plot(rows["step"], rows["auc"], marker="o", ms=3, label="AUC of the critic's scores")
        right.axhline(0.5, color="black", ls="--", lw=1, label="chance")
        right.set_ylabel("AUC")
    right.set_xlabel("generator step")
    right.legend()
    fig.suptitle(title or "the critic as a two-sample test")
    fig.tight_layout()
    return fig


def plot_samples(model, dataset=None, *, n=2500, rng=0, title=None):
    """Generated samples over the data: 2-D scatter, 1-D histogram with the true density, or a digit grid."""
    import matplotlib.pyplot as plt

    dataset = dataset if dataset is not None else model.dataset
    fake = model.sample(n, rng=rng)
    real = dataset.sample(n, rng=np.random.default_rng(rng).integers(2**32)) if dataset is not None else None
    if dataset is not None and dataset.image_shape is not None:
        h, w = dataset.image_shape
        k = 8
        fig, axes = plt.subplots(1, 2, figsize=(9, 4.6))
        for ax, rows, name in ((axes[0], real, "data"), (axes[1], fake, "generated")):
            tiles = np.clip(rows[: k * k], -1, 1).reshape(k, k, h, w).transpose(0, 2, 1, 3).reshape(k * h, k * w)
            ax.imshow(tiles, cmap="gray_r", vmin=-1, vmax=1)
            ax.set_title(name)
            ax.axis("off")
    elif fake.shape[1] == 1:
        fig, ax = plt.subplots(figsize=(6.2, 4.0))
        ax.hist(fake[:, 0], bins=80, density=True, alpha=0.5, label="generated")
        if dataset is not None and dataset.density is not None:
            grid = np.linspace(min(fake.min(), real.min()), max(fake.max(), real.max()), 400)
            ax.plot(grid, dataset.density.pdf(grid), color="black", label="true density")
        ax.legend()
    else:
        fig, ax = plt.subplots(figsize=(5.2, 5.2))
        if real is not None:
            ax.scatter(real[:, 0], real[:, 1], s=2, alpha=0.3, label="data")
        ax.scatter(fake[:, 0], fake[:, 1], s=2, alpha=0.5, label="generated")
        if dataset is not None and dataset.modes is not None:
            ax.scatter(dataset.modes[:, 0], dataset.modes[:, 1], marker="x", color="black", label="modes")
        ax.set_aspect("equal")
        ax.legend(loc="upper right", markerscale=3)
    fig.suptitle(title or f"{model.objective.name}: samples")
    fig.tight_layout()
    return fig
