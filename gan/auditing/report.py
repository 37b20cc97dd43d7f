"""The audit's report: the table, the verdict (Holm's correction), JSON, HTML and figures."""

from __future__ import annotations

import dataclasses
import html
import json
from pathlib import Path

import numpy as np
import pandas as pd

from twosample.app.report import jsonable
from twosample.study.multiplicity import adjust_pvalues

from .where import where_lines, where_summary

__all__ = ["AuditReport", "report_samples", "verdict_table"]


@dataclasses.dataclass(repr=False)
class AuditReport:
    """The outcome of :func:`audit`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per check: ``check``, ``statistic``, ``pvalue`` (NaN for scores),
        ``pvalue_holm`` (the battery's Holm-adjusted p-value), ``reject``,
        ``ci_low`` / ``ci_high`` (a confidence interval where one exists; KID and the inception
        score give their sd in ``note``), ``in_verdict``, ``note``.
    reject : bool
        H0: generator = data is rejected at `alpha` by the corrected battery.
    verdict : str
        One sentence naming the checks that rejected.
    alpha : float
    details : dict
        Per-check extras (e.g. the MMD null distribution, the power curve).
    """

    table: pd.DataFrame
    reject: bool
    verdict: str
    alpha: float
    details: dict
    samples: dict

    def __repr__(self):
        return str(self)

    def __str__(self):
        cols = ("class", "check", "statistic", "pvalue", "pvalue_holm", "reject", "ci_low", "ci_high", "note")
        shown = self._shown()[[c for c in cols if c in self.table]]
        where = "".join(f"\n{line}" for line in where_lines(self.details.get("where")))
        return (
            shown.to_string(index=False, float_format=lambda v: f"{v:.4g}", na_rep="")
            + f"\n\nverdict: {self.verdict}"
            + where
        )

    def _shown(self) -> pd.DataFrame:
        """The table for reading: no verdict (a blank, not False) on rows that are not tests."""
        reject = self.table["reject"].astype(object)
        return self.table.assign(reject=reject.where(self.table["reject"].notna(), ""))

    def to_dict(self) -> dict:
        """Strict JSON data: NaN and infinities (an unreachable sample size, say) become null."""
        rows = self.table.to_dict(orient="records")
        out = {
            "alpha": self.alpha,
            "reject": self.reject,
            "verdict": self.verdict,
            "checks": rows,
            "sample_size_for_power_0.8": self.details.get("sample_size", {}).get("n80"),
            "where": where_summary(self.details.get("where")),
        }
        if "table" in self.details:  # a table audit: its columns, pairs and utility
            out["table"] = _table_summary(self.details["table"])
        return jsonable(out)

    def to_json(self, path=None) -> str:
        text = json.dumps(self.to_dict(), indent=2, allow_nan=False)
        if path is not None:
            Path(path).write_text(text + "\n")
        return text

    def to_html(self, out) -> Path:
        """Write ``report.html`` (figures embedded), ``audit.json`` and ``checks.csv`` into the folder `out`."""
        from twosample.app.report import figure_html, html_page

        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        self.table.to_csv(out / "checks.csv", index=False)
        self.to_json(out / "audit.json")
        body = [
            f"<h1>Generator audit</h1><p><b>{html.escape(self.verdict)}</b> (alpha = {self.alpha})</p>",
            "".join(f"<p>{html.escape(line)}</p>" for line in where_lines(self.details.get("where"))),
            self._shown().to_html(index=False, float_format=lambda v: f"{v:.4g}", na_rep=""),
        ]
        body += _table_html(self.details.get("table"))
        body += [figure_html(caption, fig) for caption, fig in self.figures()]
        page = html_page("Generator audit", body)
        path = out / "report.html"
        path.write_text(page, encoding="utf-8")
        return path

    def figures(self):
        """(caption, matplotlib Figure) pairs: samples vs data, MMD null, precision/recall, power curve."""
        figs = [(_samples_caption(self.samples, "table" in self.details), _samples_figure(self.samples))]
        mmd = self.details.get("mmd")
        if mmd is not None and mmd.null_distribution is not None:
            figs.append(("Aggregated MMD: the permutation null and the observed statistic", _mmd_figure(mmd)))
        where = self.details.get("where")
        if where is not None and self.samples.get("image_shape") is None and self.samples["real"].shape[1] <= 2:
            figs.append(
                (
                    "Where the generator differs: the rows a fresh classifier is surest about",
                    _where_figure(self.samples, where),
                )
            )
        if self.details.get("prdc") is not None:
            figs.append(("Precision, recall, density and coverage (k-NN balls)", _prdc_figure(self.details["prdc"])))
        if self.details.get("sample_size") is not None:
            curve = self.details["sample_size"]["curve"]
            figs.append(("How many samples until a fresh C2ST can tell (power 0.8)", _power_figure(curve)))
        return figs


def _table_summary(summary) -> dict:
    """A table audit's extras as plain data: the names, and the per-column and per-pair rows."""
    frames = {key: summary[key] for key in ("columns", "pairs")}
    return {
        "columns_differ": summary["columns_differ"],
        "worst_pair": summary["worst_pair"],
        "c2st_auc": summary["c2st_auc"],
        "utility": summary["utility"],
        **{key: None if frame is None else frame.to_dict(orient="records") for key, frame in frames.items()},
    }


def _table_html(summary) -> list:
    """A table audit's per-column and per-pair tables, for the HTML page (none for other audits)."""
    if summary is None:
        return []
    out = []
    for key, title in (("columns", "Per column (Holm)"), ("pairs", "Pairs of columns (maxT), worst first")):
        if summary[key] is not None:
            frame = summary[key].drop(columns=[c for c in ("method",) if c in summary[key]])
            out.append(f"<h2>{title}</h2>" + frame.to_html(index=False, float_format=lambda v: f"{v:.4g}", na_rep=""))
    return out


def _samples_caption(samples, table: bool) -> str:
    """What the samples figure shows: images, one coordinate, the first two, or a table's first two encoded
    columns."""
    if samples.get("image_shape") is not None:
        return "Generated images beside held-out images (the first 64 of each)"
    if table:
        return "Generated rows beside held-out rows: the first two columns of the encoded table"
    if samples["real"].shape[1] == 1:
        return "Generated samples beside held-out data (histograms)"
    extra = "" if samples["real"].shape[1] == 2 else " (first two coordinates)"
    return f"Generated samples beside held-out data{extra}"


def _samples_figure(samples):
    """Images side by side, or the data drawn large and light under the generated points."""
    import matplotlib.pyplot as plt

    real, fake, shape = samples["real"], samples["generated"], samples.get("image_shape")
    if shape is not None:
        from ..training.plotting import image_grid

        fig, axes = plt.subplots(1, 2, figsize=(8, 4.2))
        for ax, data, label in ((axes[0], real, "held-out data"), (axes[1], fake, "generated")):
            ax.imshow(image_grid(data[:64], shape, columns=8), interpolation="nearest")
            ax.set_title(label, fontsize=9)
            ax.axis("off")
        return fig
    fig, ax = plt.subplots(figsize=(4.5, 4))
    if real.shape[1] == 1:
        ax.hist(real[:, 0], bins=50, density=True, color="0.75", label="held-out data")
        ax.hist(fake[:, 0], bins=50, density=True, histtype="step", color="C3", lw=1.2, label="generated")
    else:  # data underneath in large light dots, generated on top in small dark ones: both stay visible
        ax.scatter(real[:, 0], real[:, 1], s=14, color="C0", alpha=0.25, lw=0, label="held-out data", zorder=1)
        ax.scatter(fake[:, 0], fake[:, 1], s=3, color="C3", alpha=0.7, lw=0, label="generated", zorder=2)
    ax.legend(fontsize=8, markerscale=2)
    _readable(ax)
    fig.tight_layout()
    return fig


def _where_figure(samples, where):
    """The data and generated rows, with the most confidently "data" rows (generator lacks mass) and
    the most confidently "generated" rows (too much mass) marked."""
    fig = _samples_figure(samples)
    ax = fig.axes[0]
    for side, marker, colour, label in (
        ("missing", "X", "k", "data, missing from the generator"),
        ("over", "P", "C1", "generated, too many here"),
    ):
        rows = where[side]["rows"]
        if rows.shape[1] == 1:
            ax.plot(rows[:, 0], np.zeros(len(rows)), marker, color=colour, ms=8, label=label, ls="none")
        else:
            ax.scatter(
                rows[:, 0], rows[:, 1], marker=marker, s=60, color=colour, edgecolor="w", lw=0.5, label=label, zorder=3
            )
    me = where.get("me")
    if me is not None and me["locations"].shape[1] >= 2:
        spots = me["locations"]
        ax.scatter(
            spots[:, 0],
            spots[:, 1],
            marker="*",
            s=160,
            color="C2",
            edgecolor="k",
            lw=0.5,
            zorder=4,
            label="ME locations (where the laws differ most)",
        )
    ax.legend(fontsize=7, markerscale=1)
    return fig


def _mmd_figure(mmd):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3))
    ax.hist(mmd.null_distribution, bins=40, color="grey", label="permutation null")
    ax.axvline(mmd.statistic, color="C3", label=f"observed (p = {mmd.pvalue:.3g})")
    ax.set_xlabel("MMD-agg statistic")
    ax.legend(fontsize=8)
    _readable(ax)
    fig.tight_layout()
    return fig


def _prdc_figure(prdc):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 3))
    ax.bar(list(prdc), list(prdc.values()), color=["C0", "C1", "C2", "C3"])
    ax.axhline(1.0, color="grey", lw=0.8, ls=":")
    _readable(ax, "y")
    ax.tick_params(axis="x", labelsize=8)
    fig.tight_layout()
    return fig


def _power_figure(curve):
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    fig, ax = plt.subplots(figsize=(5, 3))
    yerr = [curve["power"] - curve["ci_low"], curve["ci_high"] - curve["power"]]
    ax.errorbar(curve["n"], curve["power"], yerr=yerr, marker="o", capsize=3)
    ax.axhline(0.8, color="grey", ls=":")
    ax.set_xscale("log")
    ax.set_xticks(list(curve["n"]))
    ax.xaxis.set_major_formatter(ScalarFormatter())  # 62, 125, ... rather than 10^2
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("n = m (rows a side)")
    ax.set_ylabel("fresh C2ST power")
    _readable(ax)
    fig.tight_layout()
    return fig


def _readable(ax, which="xy"):
    """Few ticks with short labels on the numeric axes `which`: at most 6, scientific notation beyond 1e-3 .. 1e4."""
    from matplotlib.ticker import MaxNLocator, ScalarFormatter

    for axis in [a for name, a in (("x", ax.xaxis), ("y", ax.yaxis)) if name in which]:
        if axis.get_scale() == "linear":
            axis.set_major_locator(MaxNLocator(6))
            formatter = ScalarFormatter(useMathText=True)
            formatter.set_powerlimits((-3, 4))
            axis.set_major_formatter(formatter)
        axis.set_tick_params(labelsize=8)


def verdict_table(rows, alpha):
    """(table, reject, verdict): Holm's correction over the checks with a p-value that enter the verdict.

    Rows that are not tests (scores, and tests outside the verdict) have no ``reject``
    (``<NA>``), not False. Rows with a ``class`` (a per-class audit) are corrected together.
    """
    table = pd.DataFrame(rows)
    table["pvalue_holm"] = np.nan
    tested = table["in_verdict"] & table["pvalue"].notna()
    table["reject"] = pd.array([False if t else pd.NA for t in tested], dtype="boolean")
    if tested.any():
        adj = adjust_pvalues(table.loc[tested, "pvalue"], "holm")
        rej = adj <= alpha
        table.loc[tested, "pvalue_holm"] = adj
        table.loc[tested, "reject"] = rej
    front = ["class"] if "class" in table else []
    columns = ["check", "statistic", "pvalue", "pvalue_holm", "reject", "ci_low", "ci_high", "in_verdict", "note"]
    table = table[front + columns]
    if not tested.any():
        return table, False, "no check with a p-value was run: scores only, no verdict"
    hits = table[table["reject"].fillna(False).astype(bool)]
    classes = hits["class"] if front else [None] * len(hits)
    rejected = [check if cls is None else f"{check} (class {cls})" for check, cls in zip(hits["check"], classes)]
    if rejected:
        verdict = f"reject H0 (generator = data) at alpha = {alpha}: {' and '.join(rejected)}"
        if "copying" in set(hits["check"]):
            verdict += " (generated rows are closer to the training rows than to as many held-out rows: copying)"
        return table, True, verdict
    return table, False, f"no evidence against H0 (generator = data) at alpha = {alpha} after Holm's correction"


def report_samples(inp) -> dict:
    """What the report shows of one audit's inputs: up to 2,000 rows a side and the image shape."""
    samples = {
        "real": inp.real_test[:2000],
        "generated": inp.gen[:2000],
        "image_shape": getattr(inp.draw, "image_shape", None) if inp.dataset is None else inp.dataset.image_shape,
    }
    proba = getattr(inp.features, "predict_proba", None)
    if samples["image_shape"] is None and inp.d == 64 and proba is not None:
        samples["image_shape"] = (8, 8)
    return samples
