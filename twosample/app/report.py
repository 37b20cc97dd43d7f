"""Self-contained HTML reports (figures embedded): a power study with its CSV, a table comparison with its JSON."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import pandas as pd

from twosample.core.optional import require
from twosample.core.result import jsonable

__all__ = ["figure_html", "html_page", "jsonable", "png_base64", "write_power_report", "write_table_report"]

_CORRECTIONS = {
    "holm": "Holm's step-down (family-wise error rate)",
    "bh": "Benjamini-Hochberg (false discovery rate)",
    "by": "Benjamini-Yekutieli (false discovery rate, any dependence)",
    "maxT": "Westfall-Young's maxT step-down over shared relabellings (family-wise error rate)",
    "none": "no correction (each p-value against alpha on its own)",
}
# Effects shown beside the main one: (label, column of TableComparison.columns).
_OTHER_EFFECTS = (("W1", "wasserstein"), ("SMD", "smd"), ("TVD", "tvd"), ("Cramér's V", "cramers_v"))


def png_base64(fig) -> str:
    """A matplotlib figure as base64 PNG text, for an <img src="data:..."> in a self-contained page."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def figure_html(caption: str, fig) -> str:
    """A <figure> with `fig` embedded as a PNG and its caption (the figure is closed)."""
    plt = require("matplotlib.pyplot")

    data = png_base64(fig)
    plt.close(fig)
    return (
        f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def html_page(title: str, body) -> str:
    """A self-contained HTML page: `title` and the HTML fragments of `body`, with the house style."""
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>" + html.escape(title) + "</title>"
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
        "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px}"
        "img{max-width:100%}</style></head><body>" + "\n".join(body) + "</body></html>"
    )


def write_power_report(df, out, *, title: str, description: str = "", extra_figures=()) -> Path:
    """Write ``power.csv``, ``power.png`` and ``report.html`` into the folder `out`.

    Parameters
    ----------
    df : pandas.DataFrame
        From :func:`twosample.power_curve`.
    out : str or Path
        Folder (created if missing).
    title, description : str
        Heading and a paragraph for the report.
    extra_figures : sequence of (caption, Figure)
        More figures to embed (e.g. a null distribution).

    Returns
    -------
    pathlib.Path
        The path of ``report.html``.
    """
    from twosample.app.plotting import plot_power_curve

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    df.to_csv(out / "power.csv", index=False)
    fig = plot_power_curve(df, title=title)
    fig.savefig(out / "power.png", dpi=110)
    figures = [figure_html("Power under H1 and level under H0, with 95% Clopper-Pearson bands", fig)]
    figures += [figure_html(caption, extra) for caption, extra in extra_figures]
    table = df.pivot_table(index=["kind", "test"], columns="n", values="power", sort=False)
    body = [f"<h1>{html.escape(title)}</h1>", f"<p>{html.escape(description)}</p>", *figures]
    body.append("<h2>Rejection rates</h2>")
    body.append(table.to_html(float_format=lambda v: f"{v:.3f}"))
    body.append("<h2>All cells</h2>")
    body.append(df.to_html(index=False, float_format=lambda v: f"{v:.4g}"))
    page = html_page(title, body)
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def write_table_report(result, x, y, out, *, title: str = "Table comparison", labels=("x", "y")) -> Path:
    """Write ``report.json`` (``result.to_dict()``, strict JSON) and ``report.html`` into the folder `out`.

    The page gives the verdict and its correction, the multivariate test, the per-column
    table (sorted by effect size) and a figure for each column, drawn from the tables
    themselves (a :class:`~twosample.TableComparison` keeps no data).

    Parameters
    ----------
    result : TableComparison
        From :func:`twosample.compare`.
    x, y : pandas.DataFrame or None
        The two tables that were compared (columns matched by name); None for a comparison of
        data that was not held in memory (:func:`twosample.scale.compare`): no figures then.
    out : str or Path
        Folder (created if missing).
    title : str
        Heading of the page.
    labels : (str, str)
        Names of the two tables (file names on the command line).

    Returns
    -------
    pathlib.Path
        The path of ``report.html``.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(result.to_json(indent=2), encoding="utf-8")
    body = [
        f"<h1>{html.escape(title)}</h1>",
        _verdict_html(result, labels),
        _multivariate_html(result),
        "<h2>Columns, largest effect first</h2>",
        _columns_frame(result).to_html(index=False, na_rep=""),
        "<h2>Each column</h2>",
        _figures_html(result, x, y, labels)
        if x is not None and y is not None
        else "<p>No figures: the comparison ran on summaries of the data (<code>twosample.scale</code>), "
        "not on rows held in memory.</p>",
    ]
    path = out / "report.html"
    path.write_text(html_page(title, body), encoding="utf-8")
    return path


def _verdict_html(result, labels) -> str:
    rows = result.columns
    n_missing = int(rows["missing_pvalue"].notna().sum())
    verdict = "The tables differ" if result.reject else "No difference found"
    family = f"{len(rows)} columns' values" + (f" and {n_missing} missing shares" if n_missing else "")
    text = (
        f"<p><b>{verdict}</b> at alpha = {result.alpha:g}, with {_CORRECTIONS[result.correction]} over "
        f"{family}.<br>{html.escape(labels[0])}: {result.n_x:,} rows; {html.escape(labels[1])}: {result.n_y:,} rows"
    )
    if result.seed is not None:
        text += f"; seed {result.seed} (rng={result.seed} repeats the comparison)"
    if result.skipped:
        text += f".<br>Not compared (identifiers): {html.escape(', '.join(result.skipped))}"
    return text + ".</p>"


def _multivariate_html(result) -> str:
    mv = result.multivariate
    if mv is None:
        return "<p>No test of the whole table was run.</p>"
    verdict = "reject H0: the tables differ" if mv.reject else "H0 kept"
    return (
        f"<p>Whole table ({html.escape(str(mv.test))}, {html.escape(str(mv.method))}): statistic "
        f"{mv.statistic:.4g}, p-value {mv.pvalue:.3g}: {verdict} at alpha = {mv.alpha:g}.</p>"
    )


def _number(value, spec: str = ".3g") -> str:
    return "" if value is None or value != value else format(value, spec)


def _interval(row, key: str) -> str:
    value = row.get(key)
    if value is None or value != value:
        return ""
    low, high = row.get(f"{key}_low"), row.get(f"{key}_high")
    bounds = f" [{_number(low)}, {_number(high)}]" if low is not None and low == low else ""
    return _number(value) + bounds


def _columns_frame(result) -> pd.DataFrame:
    """The per-column table as the page shows it: numbers rounded, intervals in brackets."""
    shown = []
    for row in result.columns.to_dict(orient="records"):
        others = [(label, _interval(row, key)) for label, key in _OTHER_EFFECTS if label != row["effect_name"]]
        missing_p = _number(row["missing_pvalue"])
        shown.append(
            {
                "column": row["column"],
                "kind": row["kind"],
                "test": row["test"],
                "effect": f"{row['effect_name']} {_interval(row, 'effect')}",
                "p": _number(row["pvalue"]),
                "p adjusted": _number(row["p_adjusted"]),
                "other effects": "; ".join(f"{label} {text}" for label, text in others if text),
                "missing x": _number(row["missing_x"], ".1%"),
                "missing y": _number(row["missing_y"], ".1%"),
                "missing p (adjusted)": f"{missing_p} ({_number(row['missing_p_adjusted'])})" if missing_p else "",
                "reject": "yes" if row["reject"] else "",
                "note": row["note"],
            }
        )
    return pd.DataFrame(shown)


def _figures_html(result, x, y, labels) -> str:
    """One figure per compared column, in the table's order."""
    from twosample.app.plotting import plot_column

    by_name = [{str(c): c for c in frame.columns} for frame in (x, y)]
    figures = []
    for name, kind in zip(result.columns["column"], result.columns["kind"]):
        sx, sy = (frame[names[name]] for frame, names in zip((x, y), by_name))
        fig = plot_column(sx, sy, kind=kind, name=name, labels=labels)
        figures.append(figure_html(f"{name} ({kind})", fig))
    return '<div style="display:flex;flex-wrap:wrap;gap:8px">' + "\n".join(figures) + "</div>"
