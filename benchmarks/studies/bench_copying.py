"""The audit's copying test: level for generators that never saw the training rows, power for copiers (issue 32).

PacGAN's ring (8 modes, sd 0.01): 1,000 training and 1,000 held-out rows per run, 1,000 generated
rows. Samplers that never saw the training rows (level, `--runs` runs each): fresh draws of the
ring; modes narrower (sd 0.0055, 0.0075) and wider (0.02); shifted by 0.005; missing one mode.
Copiers (power, `--power-runs` runs each): 5%, 10% or 50% of the generated rows are training rows,
exactly or with noise of sd 1e-4 (a hundredth of a mode's sd). Side by side: the exchange test
(`gan.auditing.copying_exchange_test`, 199 re-splits) and Meehan et al.'s C_T with its normal
p-value (`gan.auditing.copying_test`), both at alpha = 0.05; Clopper-Pearson 95% intervals.

Run: `.venv/bin/python benchmarks/studies/bench_copying.py [--runs 200] [--power-runs 100]`
(about 8 minutes). Writes benchmarks/results/copying.csv.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, write_table  # noqa: E402

from gan import datasets  # noqa: E402
from gan.auditing import copying_exchange_test, copying_test  # noqa: E402

RING = datasets.ring()
N = 1000


def _mixture(modes, sd, shift=0.0):
    return lambda r: modes[r.integers(0, len(modes), N)] + shift + sd * r.standard_normal((N, 2))


FRESH = {
    "fresh draws (sd 0.01)": _mixture(RING.modes, 0.01),
    "narrower (sd 0.0055)": _mixture(RING.modes, 0.0055),
    "narrower (sd 0.0075)": _mixture(RING.modes, 0.0075),
    "wider (sd 0.02)": _mixture(RING.modes, 0.02),
    "shifted by 0.005": _mixture(RING.modes, 0.01, shift=0.005),
    "missing one mode": _mixture(RING.modes[1:], 0.01),
}


def _copier(share, noise):
    def draw(r, train):
        fake = _mixture(RING.modes, 0.01)(r)
        k = int(share * N)
        fake[:k] = train[r.choice(len(train), k, replace=False)] + noise * r.standard_normal((k, 2))
        return fake

    return draw


def _run(seed, draw, copier):
    r = np.random.default_rng([2032, seed])
    train, test = RING.sampler(N, r), RING.sampler(N, r)
    fake = draw(r, train) if copier else draw(r)
    exchange = copying_exchange_test(train, test, fake, n_resamples=199, rng=seed)
    meehan = copying_test(train, test, fake, rng=seed)
    return exchange.pvalue <= 0.05, meehan.pvalue <= 0.05, exchange.statistic, meehan.statistic


def _row(name, kind, runs, draw, copier=False):
    found = np.array([_run(seed, draw, copier) for seed in range(runs)], dtype=float)
    row = {"generator": name, "kind": kind, "runs": runs}
    for column, label in ((0, "exchange"), (1, "meehan_ct")):
        hits = int(found[:, column].sum())
        low, high = stats.binomtest(hits, runs).proportion_ci(0.95)
        row.update({f"{label}_rejects": hits / runs, f"{label}_ci_low": low, f"{label}_ci_high": high})
    row.update(exchange_statistic=found[:, 2].mean(), meehan_ct=found[:, 3].mean())
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--power-runs", type=int, default=100)
    args = parser.parse_args(argv)
    rows = [_row(name, "level (never saw the training rows)", args.runs, draw) for name, draw in FRESH.items()]
    for share in (0.05, 0.1, 0.5):
        for noise in (0.0, 1e-4):
            name = f"{share:.0%} copied" + (" + noise 1e-4" if noise else " exactly")
            rows.append(_row(name, "power (copier)", args.power_runs, _copier(share, noise), copier=True))
    write_table(rows, RESULTS / "copying.csv")


if __name__ == "__main__":
    main()
