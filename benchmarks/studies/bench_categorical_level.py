"""Level of the categorical tests where the asymptotic chi-square null fails: exact conditional vs asymptotic.

Under H0 (both samples drawn from one law over K levels), each repetition draws x and y and runs
chi2_test, g_test and tvd_test with their default null (``method="auto"``: every table with the
observed margins when they are at most 200,000, else Monte Carlo draws of such tables), and
chi2_test and g_test with ``method="asymptotic"`` (SciPy's chi2_contingency, no continuity
correction), all on the same data. The level is the share of p-values <= alpha; `band_low` and
`band_high` are the 99% binomial band of a level-alpha test over `reps` repetitions
(scipy.stats.binom.interval(0.99, reps, alpha) / reps), `inside` says whether the level is in it
and `valid` whether it is at most the band's top (an exact conditional test of a discrete
statistic may be conservative: below the band is valid, above is not).

Regimes:

* ``sparse-expected``: 10 levels, probabilities proportional to 0.5^k, n = m = 15 (most expected
  counts below 1);
* ``many-levels``: 200 levels, uniform, n = m = 50 (half of the levels unseen, most seen once);
* ``unbalanced``: n = 20 against m = 2,000, 8 levels of which three are rare
  (0.02, 0.007, 0.003): expected counts in x far below 1 for the rare levels.

The Monte Carlo nulls use --n-resamples (default 999, for speed; the library's default is 9,999).

Run: `.venv/bin/python benchmarks/studies/bench_categorical_level.py [--reps 2000] [--n-resamples 999]`
(about 3 minutes at the defaults on 2 cores). Writes benchmarks/results/categorical_level.csv.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from scipy import stats

import twosample as ts

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, write_table  # noqa: E402


def _geometric(k, ratio=0.5):
    p = ratio ** np.arange(k)
    return p / p.sum()


_RARE = np.array([0.30, 0.25, 0.20, 0.15, 0.07, 0.02, 0.007, 0.003])
REGIMES = {
    "sparse-expected": dict(p=_geometric(10), n=15, m=15, text="10 levels, p ~ 0.5^k, n = m = 15"),
    "many-levels": dict(p=np.full(200, 1 / 200), n=50, m=50, text="200 levels uniform, n = m = 50"),
    "unbalanced": dict(p=_RARE / _RARE.sum(), n=20, m=2000, text="8 levels (3 rare), n = 20, m = 2000"),
}
TESTS = [
    ("chi2", ts.chi2_test, "auto"),
    ("chi2", ts.chi2_test, "asymptotic"),
    ("g", ts.g_test, "auto"),
    ("g", ts.g_test, "asymptotic"),
    ("tvd", ts.tvd_test, "auto"),
]


def _regime(name, spec, reps, n_resamples, alpha, early_stop, seed):
    rng = np.random.default_rng(seed)
    k = len(spec["p"])
    rejections = np.zeros(len(TESTS), dtype=int)
    nulls = [dict() for _ in TESTS]
    seconds = np.zeros(len(TESTS))
    min_expected = []
    for rep in range(reps):
        x, y = rng.choice(k, spec["n"], p=spec["p"]), rng.choice(k, spec["m"], p=spec["p"])
        totals = np.bincount(np.r_[x, y], minlength=k)
        seen = totals[totals > 0]
        min_expected.append(min(spec["n"], spec["m"]) * seen.min() / (spec["n"] + spec["m"]))
        for j, (_, test, method) in enumerate(TESTS):
            start = time.perf_counter()
            res = test(x, y, method=method, alpha=alpha, n_resamples=n_resamples, rng=rep, early_stop=early_stop)
            seconds[j] += time.perf_counter() - start
            rejections[j] += res.pvalue <= alpha
            nulls[j][res.method] = nulls[j].get(res.method, 0) + 1
    low, high = (v / reps for v in stats.binom.interval(0.99, reps, alpha))
    rows = []
    for j, (test_name, _, method) in enumerate(TESTS):
        level = rejections[j] / reps
        rows.append(
            {
                "regime": name,
                "setting": spec["text"],
                "test": test_name,
                "method": method,
                "null_used": ", ".join(f"{m} {c}" for m, c in sorted(nulls[j].items())),
                "reps": reps,
                "level": level,
                "band_low": low,
                "band_high": high,
                "inside": bool(low <= level <= high),
                "valid": bool(level <= high),
                "median_min_expected": float(np.median(min_expected)),
                "ms_per_test": 1000 * seconds[j] / reps,
            }
        )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=2000, help="null repetitions per regime")
    parser.add_argument("--n-resamples", type=int, default=999, help="Monte Carlo tables per test")
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--early-stop", action="store_true", help="sequential Monte Carlo p-values (level exact)")
    parser.add_argument("--regimes", default=",".join(REGIMES), help="comma-separated subset of " + ",".join(REGIMES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(RESULTS / "categorical_level.csv"))
    args = parser.parse_args()
    rows = []
    start = time.perf_counter()
    for i, name in enumerate(args.regimes.split(",")):
        rows += _regime(name, REGIMES[name], args.reps, args.n_resamples, args.alpha, args.early_stop, args.seed + i)
    write_table(rows, args.out)
    total = time.perf_counter() - start
    print(f"total {total:.0f} s (n_resamples = {args.n_resamples}, early_stop = {args.early_stop})")


if __name__ == "__main__":
    main()
