"""Figures of a training run: losses, samples over the data, and the critic-as-test curve."""

from __future__ import annotations

import numpy as np

__all__ = ["image_grid", "plot_critic_test", "plot_losses", "plot_samples", "plot_table_columns", "save_image_grid"]


def image_grid(rows, image_shape, *, columns=None, gap: int = 1, background: float = 0.7) -> np.ndarray:
    """Flattened images (pixels in [-1, 1]) tiled as a grid: an (H, W, 3) float array in [0, 1].

    Square cells for square images, `gap` pixels of `background` between them (1 = white;
    the default grey parts white-ground images), `columns` per row (default: the nearest
    square). Grey images are drawn dark on light, as digits are printed.
    """
    rows = np.clip(np.asarray(rows, dtype=float), -1, 1)
    shape = tuple(int(s) for s in image_shape)
    c, h, w = (1, *shape) if len(shape) == 2 else shape
    n = len(rows)
    columns = int(np.ceil(np.sqrt(n))) if columns is None else int(columns)
    lines = int(np.ceil(n / columns))
    images = rows.reshape(n, c, h, w).transpose(0, 2, 3, 1)
    images = (1 - images) / 2 if c == 1 else (images + 1) / 2  # grey: ink dark on white; colour: as is
    images = np.repeat(images, 3, axis=3) if c == 1 else images[..., :3]
    out = np.full((lines * (h + gap) + gap, columns * (w + gap) + gap, 3), float(background))
    for i, image in enumerate(images):
        top, left = gap + (i // columns) * (h + gap), gap + (i % columns) * (w + gap)
        out[top : top + h, left : left + w] = image
    return out


def save_image_grid(rows, image_shape, path, *, columns=None, scale: int | None = None):
    """Write :func:`image_grid` of `rows` to a PNG (Pillow); pixels drawn `scale` x `scale` (default: 32-pixel cells)"""
    from PIL import Image

    shape = tuple(int(s) for s in image_shape)
    scale = max(1, 32 // shape[-1]) if scale is None else int(scale)
    grid = image_grid(rows, shape, columns=columns)
    image = Image.fromarray((grid * 255).round().astype(np.uint8))
    if scale > 1:
        image = image.resize((image.width * scale, image.height * scale), Image.NEAREST)
    image.save(path)
    return path


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
    """The frozen critic as a two-sample test: p-value (log axis up to 1, alpha marked) and held-out accuracy."""
    import matplotlib.pyplot as plt

    rows = history.dropna(subset=["pvalue"])
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
    pvalues = np.clip(rows["pvalue"], 1e-300, 1.0)
    left.semilogy(rows["step"], pvalues, marker="o", ms=3, label="p-value of each look (valid for one look)")
    if "anytime_pvalue" in rows and rows["anytime_pvalue"].notna().any():
        anytime = rows.dropna(subset=["anytime_pvalue"])
        left.semilogy(
            anytime["step"], np.clip(anytime["anytime_pvalue"], 1e-300, 1.0), color="C2", lw=2, label="anytime p-value"
        )
        pvalues = np.r_[pvalues, np.clip(anytime["anytime_pvalue"], 1e-300, 1.0)]
    left.axhline(
        alpha, color="black", ls="--", lw=1, label=f"alpha = {alpha:g}: below, the critic still tells them apart"
    )
    left.set_ylim(max(pvalues.min() / 3, 1e-300) if len(pvalues) else 1e-3, 1.0)
    left.set_xlabel("generator step")
    left.set_ylabel("p-value (held-out real vs fresh fake)")
    left.legend(fontsize=8, loc="lower right")
    if rows["heldout_accuracy"].notna().any():
        right.plot(rows["step"], rows["heldout_accuracy"], marker="o", ms=3, label="held-out accuracy")
        right.set_ylabel("balanced accuracy")
        note = "below 1/2: the frozen critic is behind the generator (chance plus noise)"
    else:
        right.plot(rows["step"], rows["auc"], marker="o", ms=3, label="AUC of the critic's scores")
        right.set_ylabel("AUC")
        note = "1/2: the critic's scores no longer separate real from generated"
    right.axhline(0.5, color="black", ls="--", lw=1, label="chance")
    right.text(0.02, 0.02, note, transform=right.transAxes, fontsize=8, color="0.3")
    right.set_xlabel("generator step")
    right.legend(fontsize=8)
    fig.suptitle(title or "the critic as a two-sample test")
    fig.tight_layout()
    return fig


def plot_samples(model, dataset=None, *, n=2500, rng=0, title=None):
    """Generated samples over the data: 2-D scatter, 1-D histogram with the true density, or a digit grid."""
    import matplotlib.pyplot as plt

    dataset = dataset if dataset is not None else model.dataset
    if getattr(model, "table", None) is not None:
        return plot_table_columns(model, dataset, n=n, rng=rng, title=title)
    fake = model.sample(n, rng=rng)
    real = dataset.sample(n, rng=np.random.default_rng(rng).integers(2**32)) if dataset is not None else None
    if dataset is not None and dataset.image_shape is not None:
        fig, axes = plt.subplots(1, 2, figsize=(10, 5.2))
        for ax, rows, name in ((axes[0], real, "data"), (axes[1], fake, "generated")):
            ax.imshow(image_grid(rows[:64], dataset.image_shape, columns=8), interpolation="nearest")
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


def plot_table_columns(model, dataset=None, *, n=2500, rng=0, columns=12, title=None):
    """A table GAN's columns, each drawn from the data (its training rows, when `dataset` has them) and from
    the generator: histograms on shared bins for numbers, bars of the most frequent values otherwise (missing
    values as a value of their own); the first `columns` columns, four panels a row."""
    import matplotlib.pyplot as plt

    fake = model.sample(n, rng=rng)
    real = model.table.inverse_transform(dataset.rows) if dataset is not None and dataset.rows is not None else None
    names = list(fake.columns)[:columns]
    width = min(4, len(names))
    fig, axes = plt.subplots(-(-len(names) // width), width, figsize=(3.3 * width, 2.7 * -(-len(names) // width)))
    axes = np.atleast_1d(axes).ravel()
    for ax, name in zip(axes, names):
        _column_panel(ax, None if real is None else real[name], fake[name])
        ax.set_title(str(name), fontsize=9)
    for ax in axes[len(names) :]:
        ax.axis("off")
    axes[0].legend(fontsize=7)
    fig.suptitle(title or f"{model.objective.name}: columns, data and generated")
    fig.tight_layout()
    return fig


def _column_panel(ax, real, fake, *, top: int = 10) -> None:
    """One column's law from both sides on `ax` (`real` may be None)."""
    import pandas as pd

    sides = [(values, label) for values, label in ((real, "data"), (fake, "generated")) if values is not None]
    numeric = pd.api.types.is_numeric_dtype(fake) and not pd.api.types.is_bool_dtype(fake)
    if numeric and fake.nunique() > top:
        pooled = pd.concat([values.dropna() for values, _ in sides]).astype(float)
        bins = np.histogram_bin_edges(pooled, bins=30)
        for values, label in sides:
            ax.hist(values.dropna().astype(float), bins=bins, density=True, alpha=0.5, label=label)
        return
    shares = [
        values.astype(object).where(values.notna(), "missing").value_counts(normalize=True) for values, _ in sides
    ]
    levels = list(shares[0].index[:top])
    place = np.arange(len(levels))
    for k, ((_, label), share) in enumerate(zip(sides, shares)):
        ax.bar(place + k * 0.4, share.reindex(levels).fillna(0).to_numpy(), width=0.4, label=label)
    names = [str(level)[:12] for level in levels]
    ax.set_xticks(place + 0.2 * (len(sides) - 1), names, rotation=45, fontsize=7, ha="right")
