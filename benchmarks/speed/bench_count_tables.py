"""Categorical tests once the counts are formed: time per test against the number of levels.

A relabelling of the rows is a draw of the 2 x K table with the observed margins, so after one
counting pass the test costs O(K) per draw whatever the number of rows. This script counts
``--rows`` rows per sample (integer codes, ``np.bincount``; timed apart) for several numbers of
levels, then times the chi-square test on the counts: the full Monte Carlo null (9,999 tables),
the engine's early stopping (``early_stop=True``: the same tables, stopped when the answer is
known), and SciPy's asymptotic null; under H0 and under a small shift.

Run: `.venv/bin/python benchmarks/speed/bench_count_tables.py [--rows 100000000] [--levels 10 1000 100000]`
Writes benchmarks/results/count_tables.csv.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, write_table  # noqa: E402

from twosample.categorical.statistics import ChiSquare  # noqa: E402
from twosample.core.count_tables import run_table_test  # noqa: E402
from twosample.core.resampling import Resampling  # noqa: E402


def _counts(rows: int, levels: int, shift: float, rng) -> tuple[np.ndarray, np.ndarray, float]:
    """Counts per level of two samples of `rows` codes each (the second tilted by `shift`), and the counting time."""
    probs = rng.dirichlet(np.ones(levels))
    tilted = probs * np.exp(shift * (np.arange(levels) % 2))
    out, seconds = [], 0.0
    for p in (probs, tilted / tilted.sum()):
        codes = np.searchsorted(np.cumsum(p), rng.random(rows, dtype=np.float32)).astype(np.int32)
        np.minimum(codes, levels - 1, out=codes)
        start = time.perf_counter()
        out.append(np.bincount(codes, minlength=levels))
        seconds += time.perf_counter() - start
        del codes
    return out[0], out[1], seconds


def _time_test(a, b, **options) -> tuple[float, float, int]:
    start = time.perf_counter()
    res = run_table_test(a, b, ChiSquare(), Resampling.of("chi2", rng=0, **options), exact=False)
    return time.perf_counter() - start, res.pvalue, res.n_resamples


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10**8, help="rows per sample (default 10^8)")
    parser.add_argument("--levels", type=int, nargs="+", default=[10, 1000, 100_000])
    parser.add_argument("--shift", type=float, default=0.002, help="log-odds tilt of every other level under H1")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(20261205)
    records = []
    for levels in args.levels:
        for case, shift in (("H0", 0.0), ("H1", args.shift)):
            a, b, counting = _counts(args.rows, levels, shift, rng)
            full = _time_test(a, b, n_resamples=9999)
            early = _time_test(a, b, n_resamples=9999, early_stop=True)
            start = time.perf_counter()
            asym = stats.chi2_contingency(np.vstack([a, b])[:, (a + b) > 0], correction=False).pvalue
            records.append(
                dict(
                    levels=levels,
                    case=case,
                    rows_per_sample=args.rows,
                    counting_s=counting,
                    full_s=full[0],
                    full_p=full[1],
                    early_s=early[0],
                    early_p=early[1],
                    early_tables=early[2],
                    asymptotic_s=time.perf_counter() - start,
                    asymptotic_p=asym,
                )
            )
            print(records[-1], flush=True)
    write_table(records, RESULTS / "count_tables.csv")


if __name__ == "__main__":
    main()
