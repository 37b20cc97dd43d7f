"""A self-contained HTML report of a power study (figures embedded), with its CSV."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

from twosample.core.result import jsonable

__all__ = ["figure_html", "html_page", "jsonable", "png_base64", "write_power_report"]


def png_base64(fig) -> str:
    """A matplotlib figure as base64 PNG text, for an <img src="data:..."> in a self-contained page."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def figure_html(caption: str, fig) -> str:
    """A <figure> with `fig` embedded as a PNG and its caption (the figure is closed)."""
    import matplotlib.pyplot as plt

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
