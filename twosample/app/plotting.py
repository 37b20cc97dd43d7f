"""Figures: power curves and null distributions (matplotlib)."""

from __future__ import annotations

import numpy as np

__all__ = ["plot_null_distribution", "plot_power_curve"]


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
    import matplotlib.pyplot as plt

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
    import matplotlib.pyplot as plt

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
