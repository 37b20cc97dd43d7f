"""The witness figures of docs/where.md: where two samples differ, in 1-D and in 2-D.

* 1-D: x is N(0, 1) with 15% of its mass moved to a bump at 3; y is N(0, 1). `mmd_test`'s witness
  beside the two histograms: positive at the bump, negative where x lost that mass.
* 2-D: x has an extra cluster at (3, 3) (10% of its rows) that y lacks; y is N(0, I). The heat map
  of the witness with both samples over it.

Writes docs/_static/witness_1d.png and docs/_static/witness_2d.png (a few seconds).

Run: `.venv/bin/python benchmarks/studies/make_where_figures.py`
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

import twosample as ts  # noqa: E402
from twosample.app.plotting import plot_witness  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def samples_1d(rng, n=400):
    """x: N(0, 1) with 15% of its rows moved to N(3, 0.4^2); y: N(0, 1)."""
    x = rng.normal(size=n)
    x[: int(0.15 * n)] = rng.normal(3.0, 0.4, size=int(0.15 * n))
    return x, rng.normal(size=n)


def samples_2d(rng, n=400):
    """x: N(0, I) with 10% of its rows in a cluster at (3, 3); y: N(0, I)."""
    x = rng.normal(size=(n, 2))
    x[: n // 10] = rng.normal(size=(n // 10, 2)) * 0.4 + 3.0
    return x, rng.normal(size=(n, 2))


def main():
    rng = np.random.default_rng(0)
    out = ROOT / "docs" / "_static"
    for name, (x, y) in (("witness_1d", samples_1d(rng)), ("witness_2d", samples_2d(rng))):
        res = ts.mmd_test(x, y, n_resamples=999, rng=1)
        fig = plot_witness(res)
        fig.savefig(out / f"{name}.png", dpi=100)
        print(f"{name}: p = {res.pvalue:.3g}; wrote {out / f'{name}.png'}")


if __name__ == "__main__":
    main()
