"""Figures: power curves, null distributions, the columns of two tables, a kernel test's witness (matplotlib)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from twosample.core.optional import require

__all__ = ["TOP_LEVELS", "plot_column", "plot_null_distribution", "plot_power_curve", "plot_witness"]

TOP_LEVELS = 20  # levels a bar chart shows (the most frequent in the two samples together)
MAX_BINS = 50
SCATTER_POINTS = 500  # rows of each sample drawn over a 2-D witness (evenly spaced in the sample)


def plot_power_curve(df, *, title=None):
    """Power against n, one line per test with its confidence band, and the alpha line.

    Parameters
    ----------
    df : pandas.DataFrame
        The output of :func:`twosample.power_curve`. With level rows, a second
        panel shows the level of each test against the same n.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    plt = require("matplotlib.pyplot")

    kinds = [k for k in ("power", "level") if k in set(df["kind"])]
    fig, axes = plt.subplots(1, len(kinds), figsize=(6.2 * len(kinds), 4.4), squeeze=False)
    alpha = float(df["alpha"].iloc[0])
    for ax, kind in zip(axes[0], kinds):
        part = df[df["kind"] == kind]
        for (name, effect), rows in part.groupby(["test", "effect"], dropna=False, sort=False):
            rows = rows.sort_values("n")
            label = name if effect is None or (isinstance(effect, float) and np.isnan(effect)) else f"{name} ({effect})"
            (line,) = ax.plot(rows["n"], rows["power"], marker="o", ms=3, label=label)
            ax.fill_between(rows["n"], rows["ci_low"], rows["ci_high"], color=line.get_color(), alpha=0.15)
        ax.axhline(alpha, color="black", ls="--", lw=1, label=f"alpha = {alpha:g}")
        ax.set_xscale("log")
        sizes = sorted(set(part["n"]))
        ax.set_xticks(sizes, [str(n) for n in sizes])
        ax.minorticks_off()
        ax.set_xlabel("n per sample")
        ax.set_ylabel("rejection rate")
        ax.set_ylim(0, 1 if kind == "power" else max(0.2, float(part["ci_high"].max()) + 0.02))
        ax.set_title("power under H1" if kind == "power" else "level under H0")
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=8, loc="upper left")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_null_distribution(result, *, ax=None, bins=50):
    """Histogram of a test's permutation null with t_alpha and the observed statistic marked.

    Parameters
    ----------
    result : TestResult
        With a null distribution (permutation or exact method).
    ax : matplotlib Axes, optional
    bins : int, default 50

    Returns
    -------
    matplotlib.figure.Figure
    """
    plt = require("matplotlib.pyplot")

    if result.null_distribution is None:
        raise ValueError("`result` has no null distribution (an analytic null); run the permutation method.")
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 3.8))
    else:
        fig = ax.figure
    ax.hist(result.null_distribution, bins=bins, color="0.7", edgecolor="white", label="null (relabellings)")
    thresholds = result.threshold if isinstance(result.threshold, tuple) else (result.threshold,)
    for i, t in enumerate(thresholds):
        if np.isfinite(t):
            ax.axvline(t, color="tab:orange", ls="--", label=f"t_alpha (alpha = {result.alpha:g})" if i == 0 else None)
    ax.axvline(result.statistic, color="tab:red", lw=2, label=f"observed, p = {result.pvalue:.3g}")
    ax.set_xlabel(f"{result.test or 'statistic'}")
    ax.set_ylabel("count")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_column(x, y, *, kind: str, name: str = "", labels=("x", "y")):
    """One column of two tables: overlaid histograms (numeric) or the shares of its levels side by side.

    Parameters
    ----------
    x, y : pandas.Series (or 1-D array-likes)
        The column in each table; missing values are left out (the report gives their shares).
    kind : {"numeric", "boolean", "categorical", "ordinal"}
        The column's kind (``TableComparison.columns["kind"]``). Labels show the
        :data:`TOP_LEVELS` most frequent levels, an ordinal column in its order.
    name : str, optional
        The title.
    labels : (str, str)
        The names of the two samples in the legend.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure  # not pyplot: no window, whatever the backend (the report's PNGs)

    x, y = pd.Series(x), pd.Series(y)
    fig = Figure(figsize=(4.6, 2.9))
    ax = fig.subplots()
    if kind == "numeric":
        _histograms(ax, x, y, labels)
    else:
        shown, total = _level_shares(ax, x, y, labels, ordered=kind == "ordinal")
        name += f" (top {shown} of {total} levels)" if shown < total else ""
    ax.set_title(name, fontsize=9)
    ax.legend(fontsize=7)
    ax.tick_params(labelsize=7)
    fig.tight_layout()
    return fig


def _histograms(ax, x: pd.Series, y: pd.Series, labels) -> None:
    vx, vy = (pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan) for s in (x, y))
    vx, vy = vx[np.isfinite(vx)], vy[np.isfinite(vy)]
    pooled = np.r_[vx, vy]
    edges = np.histogram_bin_edges(pooled, bins="auto")
    if len(edges) > MAX_BINS + 1:
        edges = np.histogram_bin_edges(pooled, bins=MAX_BINS)
    for values, label, color in zip((vx, vy), labels, ("tab:blue", "tab:orange")):
        ax.hist(values, bins=edges, density=True, alpha=0.5, color=color, label=f"{label} (n = {len(values):,})")
    ax.set_ylabel("density", fontsize=8)


def _level_shares(ax, x: pd.Series, y: pd.Series, labels, *, ordered: bool) -> tuple[int, int]:
    """Bars of each level's share of the observed values; (levels shown, levels seen)."""
    counts = pd.concat([x.value_counts(), y.value_counts()], axis=1, keys=["x", "y"]).fillna(0)
    counts = counts[counts.sum(axis=1) > 0]
    shares = counts / counts.sum()
    top = list(counts.sum(axis=1).sort_values(ascending=False, kind="stable").index[:TOP_LEVELS])
    if ordered:
        kept = set(top)
        top = [level for level in x.dtype.categories if level in kept]
    shares = shares.reindex(top)  # by label: .loc would read a list of booleans as a mask
    position = np.arange(len(top))
    for offset, key, label, color in zip((-0.2, 0.2), ("x", "y"), labels, ("tab:blue", "tab:orange")):
        n = int(counts[key].sum())
        ax.bar(position + offset, shares[key], 0.4, color=color, label=f"{label} (n = {n:,})")
    names = [str(level) for level in top]
    tilt = len(top) > 6 or max(map(len, names), default=0) > 8
    ax.set_xticks(position, names, rotation=45 if tilt else 0, ha="right" if tilt else "center")
    ax.set_ylabel("share of observed", fontsize=8)
    ax.set_ylim(0, 1.25 * float(shares.to_numpy().max(initial=0.0)) or 1.0)  # room for the legend
    return len(top), len(counts)


def plot_witness(result, *, ax=None, kernel=None, resolution=None, labels=("x", "y")):
    """The witness of a kernel test beside the two samples: where, and which way, they differ.

    In 1-D, histograms of the two samples (densities) and the witness on a
    twin axis; in 2-D, a heat map of the witness (red where ``x`` has more
    mass, blue where ``y`` has) with up to 500 rows of each sample over it.
    The grid spans the pooled samples plus 5% on each side.

    Parameters
    ----------
    result : KernelTestResult
        The result of a kernel test (:func:`~twosample.mmd_test` and the others).
    ax : matplotlib Axes, optional
    kernel : int, optional
        As in :meth:`~twosample.KernelTestResult.witness`.
    resolution : int, optional
        Grid points per axis: default 400 in 1-D, 120 in 2-D. The witness costs
        ``(n + m) * resolution**d`` kernel values.
    labels : (str, str)
        The names of the two samples in the legend.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        For samples of more than 2 columns: evaluate ``result.witness`` at
        points of your choice, or list ``result.witness_extremes()``.
    """
    plt = require("matplotlib.pyplot")

    if not hasattr(result, "witness"):
        raise ValueError(f"`result` must come from a kernel test (a KernelTestResult), got {type(result).__name__}.")
    result._check_ran()
    d = result.x.shape[1]
    if d > 2:
        raise ValueError(
            f"plot_witness draws 1-D and 2-D samples, these have {d} columns: evaluate result.witness(points) "
            "at points of your choice, or list result.witness_extremes()."
        )
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.2, 4.2) if d == 1 else (6.0, 5.0))
    else:
        fig = ax.figure
    if d == 1:
        _witness_1d(ax, result, kernel, resolution or 400, labels)
    else:
        _witness_2d(ax, result, kernel, resolution or 120, labels)
    ax.set_title(f"witness of {result.test or 'the kernel test'} (p = {result.pvalue:.3g})", fontsize=10)
    fig.tight_layout()
    return fig


def _grid_axis(*columns, resolution):
    """`resolution` points spanning the values of `columns` plus 5% on each side."""
    lo, hi = min(float(c.min()) for c in columns), max(float(c.max()) for c in columns)
    pad = 0.05 * (hi - lo) if hi > lo else max(abs(lo), 1.0) * 0.05
    return np.linspace(lo - pad, hi + pad, resolution)


def _witness_1d(ax, result, kernel, resolution, labels) -> None:
    _histograms(ax, pd.Series(result.x[:, 0]), pd.Series(result.y[:, 0]), labels)
    grid = _grid_axis(result.x[:, 0], result.y[:, 0], resolution=resolution)
    values = result.witness(grid, kernel=kernel)
    twin = ax.twinx()
    twin.plot(grid, values, color="black", lw=1.6, label="witness")
    top = float(np.abs(values).max()) * 1.15 or 1.0
    twin.set_ylim(-top, top)  # 0 in the middle: above, x has more mass; below, y has
    twin.axhline(0.0, color="black", lw=0.6, ls=":")
    twin.set_ylabel(f"witness (> 0: more {labels[0]})")
    if result.columns is not None:
        ax.set_xlabel(str(result.columns[0]))
    handles, names = ax.get_legend_handles_labels()
    more, more_names = twin.get_legend_handles_labels()
    ax.legend(handles + more, names + more_names, fontsize=8, loc="upper left")


def _witness_2d(ax, result, kernel, resolution, labels) -> None:
    x, y = result.x, result.y
    g0 = _grid_axis(x[:, 0], y[:, 0], resolution=resolution)
    g1 = _grid_axis(x[:, 1], y[:, 1], resolution=resolution)
    mesh0, mesh1 = np.meshgrid(g0, g1)
    values = result.witness(np.column_stack([mesh0.ravel(), mesh1.ravel()]), kernel=kernel).reshape(mesh0.shape)
    top = float(np.abs(values).max()) or 1.0
    image = ax.pcolormesh(g0, g1, values, cmap="RdBu_r", vmin=-top, vmax=top, shading="auto")
    ax.figure.colorbar(image, ax=ax, label=f"witness (> 0: more {labels[0]})")
    for sample, label, style in zip((x, y), labels, (dict(c="black", marker="."), dict(c="tab:green", marker="x"))):
        rows = np.unique(np.linspace(0, len(sample) - 1, min(len(sample), SCATTER_POINTS)).astype(int))
        ax.scatter(sample[rows, 0], sample[rows, 1], s=10, lw=0.8, label=f"{label} (n = {len(sample):,})", **style)
    names = result.columns if result.columns is not None else ("dim0", "dim1")
    ax.set_xlabel(str(names[0]))
    ax.set_ylabel(str(names[1]))
    ax.legend(fontsize=8, loc="upper left")
