"""Chi-square and G tests of a 2 x K table: where SciPy's chi-square null is as accurate as the default Monte Carlo one.

The tests' null is the exact conditional one: every table with the observed margins, weighted by
its hypergeometric probability (``method="exact"`` enumerates it when there are few tables, else
9,999 Monte Carlo tables). SciPy's ``chi2_contingency`` (``correction=False``) approximates it by
the chi-square law with K - 1 degrees of freedom. For each configuration (K levels whose pooled
frequencies follow a law, sizes n and m, the column totals of one multinomial draw), --reference
tables are drawn from the conditional null (``numpy.random.Generator.multivariate_hypergeometric``,
independent of the library's own table sampler) and, at every value t the statistic takes whose
exact tail P(T >= t) lies in [0.001, 0.5], the chi-square tail is compared with it: ``max_ratio``
is the largest |error| over the Monte Carlo sd of 9,999 tables at that p-value (below 1, the
chi-square null is the more accurate of the two), ``min_expected`` the smallest expected count
min_k n_k N_k / N of the table. ``method="auto"`` of :func:`twosample.chi2_test` and
:func:`twosample.g_test` takes the chi-square null where the rule this table supports holds
(docs/tables.md).

Run: `.venv/bin/python benchmarks/studies/bench_chi2_null.py [--reference 200000] [--draws 3]`
Writes benchmarks/results/chi2_null.csv (one row per configuration and statistic).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, write_table  # noqa: E402
from _common.nulls import MONTE_CARLO_RESAMPLES  # noqa: E402

from twosample.categorical.statistics import ChiSquare, LikelihoodRatio  # noqa: E402

LAWS = {
    "uniform": lambda k: np.full(k, 1.0 / k),
    "geometric": lambda k: 0.7 ** np.arange(k) / (0.7 ** np.arange(k)).sum(),  # a long thin tail of levels
    "one rare": lambda k: np.r_[0.02, np.full(k - 1, 0.98 / (k - 1))],
}
LEVELS = (2, 3, 4, 5, 10, 20)
SIZES = [
    (25, 25),
    (50, 50),
    (100, 100),
    (200, 200),
    (300, 300),
    (500, 500),
    (1000, 1000),
    (2000, 2000),
    (5000, 5000),
    (100, 300),
    (500, 2000),
]


def tail_errors(values: np.ndarray, dof: int) -> tuple[float, float, float]:
    """Largest |chi2 tail - exact tail| over the 9,999-table Monte Carlo sd, at the statistic's
    values whose exact tail is in [0.001, 0.5]; also the largest absolute error and the reference's sd."""
    values = np.round(values, 9)  # equal tables give equal statistics up to rounding
    support, counts = np.unique(values, return_counts=True)
    tail = np.cumsum(counts[::-1])[::-1] / len(values)  # P(T >= t) at each support point
    keep = (tail >= 1e-3) & (tail <= 0.5)
    if not keep.any():
        return np.nan, np.nan, np.nan
    q, t = tail[keep], support[keep]
    error = np.abs(stats.chi2.sf(t - 1e-9, dof) - q)
    sd = np.sqrt(q * (1 - q) / MONTE_CARLO_RESAMPLES)
    return float((error / sd).max()), float(error.max()), float(np.sqrt(q * (1 - q) / len(values)).max())


def rows_for(law, k, n_x, n_y, draw, reference, rng):
    """The two statistics' rows for one configuration and one draw of the column totals."""
    totals = rng.multinomial(n_x + n_y, LAWS[law](k))
    totals = totals[totals > 0]  # the tests keep the levels seen in either sample
    expected = np.outer([n_x, n_y], totals) / (n_x + n_y)
    x_counts = rng.multivariate_hypergeometric(totals, n_x, size=reference)
    out = []
    for name, statistic in (("pearson", ChiSquare()), ("g", LikelihoodRatio())):
        values = statistic.bind(totals, n_x)(x_counts)  # the tests' own statistics, on NumPy's tables
        max_ratio, max_error, reference_sd = tail_errors(values, len(totals) - 1)
        out.append(
            dict(statistic=name, law=law, levels=k, n=n_x, m=n_y, draw=draw, levels_seen=len(totals),
                 min_expected=float(expected.min()), max_ratio=max_ratio, max_abs_error=max_error,
                 reference_sd=reference_sd)
        )  # fmt: skip
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=int, default=200_000, help="tables drawn from the exact null")
    parser.add_argument("--draws", type=int, default=3, help="draws of the column totals per configuration")
    parser.add_argument("--out", default=str(RESULTS / "chi2_null.csv"))
    args = parser.parse_args()
    rng = np.random.default_rng(20261206)
    rows = []
    for law in LAWS:
        for k in LEVELS:
            for n_x, n_y in SIZES:
                for draw in range(args.draws):
                    rows += rows_for(law, k, n_x, n_y, draw, args.reference, rng)
    table = pd.DataFrame(rows)
    write_table(table, args.out)
    summary(table)


def summary(table: pd.DataFrame) -> None:
    """The worst ratio among configurations with K levels seen whose smallest expected count is at
    least each threshold (the rule of ``method="auto"`` is read off this table)."""
    table = table.dropna(subset=["max_ratio"])
    bands = {"2": (2, 2), "3": (3, 3), "4": (4, 4), ">=5": (5, 10**6)}
    for name, part in table.groupby("statistic"):
        print(f"\n{name}: worst max_ratio (configurations) with min_expected >= threshold")
        for band, (low, high) in bands.items():
            cells = []
            for threshold in (20, 50, 100, 200, 500, 1000):
                kept = part[part["levels_seen"].between(low, high) & (part["min_expected"] >= threshold)]
                cells.append(f">={threshold}: {kept['max_ratio'].max():5.2f} ({len(kept)})" if len(kept) else "")
            print(f"  K {band:>3}  " + "  ".join(cells))


if __name__ == "__main__":
    main()
