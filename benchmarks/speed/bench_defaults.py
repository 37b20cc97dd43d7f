"""Every registered test at its defaults, beside SciPy's equivalent, at n = m = 200 and 5,000.

Each cell runs in a fresh process (so one test's memory does not weigh on the next) with a
--timeout: the test at its defaults on one pair of samples (numeric: N(0, 1) against N(delta, 1),
delta = 1.5 / sqrt(n), one column; categorical: five levels, one shifted by 0.1; boolean: rates
0.5 and 0.6), the median wall time of --repeats calls (one at 5,000), its p-value and `method`; then
SciPy's equivalent on the same samples, where SciPy has one (Welch's t, KS, Cramer-von Mises,
Anderson-Darling's table, Mann-Whitney, the contingency chi-square and G tests, Fisher's exact test,
and `scipy.stats.permutation_test` with the mean difference), its time and p-value; and at n = 200 a
reference p-value: the test's permutation null with 10^5 relabellings where it has one (the
column `ref_sd` is that reference's own Monte Carlo sd) or an exact null. `abs_error` is |p - reference|.

Run: `.venv/bin/python benchmarks/speed/bench_defaults.py [--sizes 200 5000] [--timeout 120]`
(about 15 minutes; cells that pass the timeout are reported as such). Writes
benchmarks/results/defaults.csv.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, write_table  # noqa: E402

REFERENCE_RESAMPLES = 100_000


def _samples(kind, n, rng):
    if kind == "numeric":
        return rng.normal(size=n), rng.normal(1.5 / np.sqrt(n), 1, size=n)
    if kind == "boolean":
        return rng.random(n) < 0.5, rng.random(n) < 0.6
    levels = np.array(list("abcde"))
    p = np.full(5, 0.2)
    q = p + np.array([0.1, -0.1, 0, 0, 0])
    return rng.choice(levels, n, p=p), rng.choice(levels, n, p=q)


def _table(x, y):
    levels = np.union1d(x, y)
    return np.array([[np.sum(x == v) for v in levels], [np.sum(y == v) for v in levels]])


def _scipy(name, x, y):
    """SciPy's equivalent p-value, or None."""
    calls = {
        "t": lambda: stats.ttest_ind(x, y, equal_var=False).pvalue,
        "ks": lambda: stats.ks_2samp(x, y).pvalue,
        "cvm": lambda: stats.cramervonmises_2samp(x, y).pvalue,
        "ad": lambda: stats.anderson_ksamp([x, y], variant="midrank").pvalue,
        "mwu": lambda: stats.mannwhitneyu(x, y).pvalue,
        "chi2": lambda: stats.chi2_contingency(_table(x, y), correction=False).pvalue,
        "g": lambda: stats.chi2_contingency(_table(x, y), correction=False, lambda_="log-likelihood").pvalue,
        "fisher": lambda: stats.fisher_exact(_table(x, y)).pvalue,
        "mean": lambda: (
            stats.permutation_test(
                (x, y), lambda a, b, axis: a.mean(axis) - b.mean(axis), vectorized=True, n_resamples=9999
            ).pvalue
        ),
    }
    return calls[name]() if name in calls else None


def _reference(name, info, x, y):
    """(p, sd) of a high-precision null at the test's statistic, or (None, None)."""
    if name in ("ks", "mwu"):  # SciPy's exact nulls (no ties in continuous data)
        call = stats.ks_2samp if name == "ks" else stats.mannwhitneyu
        return float(call(x, y, method="exact").pvalue), 0.0
    if "permutation" not in info.methods or not info.resampling:
        return None, None
    kwargs = {info.method_parameter: "permutation"} if info.method_parameter else {}
    p = info(x, y, n_resamples=REFERENCE_RESAMPLES, rng=1, **kwargs).pvalue
    return float(p), float(np.sqrt(p * (1 - p) / REFERENCE_RESAMPLES))


def _cell(name, n, repeats):
    import twosample as ts

    info = ts.TESTS[name]
    kind = info.kinds[-1] if info.kinds != ("numeric", "categorical") else "numeric"
    x, y = _samples(kind, n, np.random.default_rng(n))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        info(x, y, rng=0)  # warm: imports
        times = []
        for i in range(repeats):
            start = time.perf_counter()
            res = info(x, y, rng=i)
            times.append(time.perf_counter() - start)
        start = time.perf_counter()
        p_scipy = _scipy(name, x, y)
        t_scipy = time.perf_counter() - start if p_scipy is not None else None
        ref, sd = _reference(name, info, x, y) if n <= 500 else (None, None)
    return {
        "test": name,
        "n": n,
        "method": getattr(res, "method", ""),
        "seconds": float(np.median(times)),
        "pvalue": float(res.pvalue),
        "scipy_seconds": t_scipy,
        "scipy_pvalue": None if p_scipy is None else float(p_scipy),
        "ratio": None if t_scipy is None else float(np.median(times)) / t_scipy,
        "reference": ref,
        "ref_sd": sd,
        "abs_error": None if ref is None else abs(float(res.pvalue) - ref),
    }


def _run_cell(name, n, repeats, timeout):
    cmd = [sys.executable, __file__, "--cell", name, str(n), str(repeats)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])
    except subprocess.TimeoutExpired:
        return {"test": name, "n": n, "method": f"over {timeout} s"}
    except subprocess.CalledProcessError as exc:
        return {"test": name, "n": n, "method": "error: " + exc.stderr.strip().splitlines()[-1][:80]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 5000])
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--tests", nargs="*", help="registry names (default: all)")
    parser.add_argument("--out", default=str(RESULTS / "defaults.csv"))
    parser.add_argument("--cell", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cell:
        name, n, repeats = args.cell
        print(json.dumps(_cell(name, int(n), int(repeats))))
        return
    import twosample as ts

    names = args.tests or list(ts.TESTS)
    rows = [_run_cell(name, n, 3 if n <= 500 else 1, args.timeout) for n in args.sizes for name in names]
    write_table(rows, args.out)


if __name__ == "__main__":
    main()
