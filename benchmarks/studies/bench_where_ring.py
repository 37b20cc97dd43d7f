"""Does the audit say where? A ring generator that drops one mode, 10 seeds (issue 28).

PacGAN's ring (8 modes, sd 0.01). Seed s draws 2,500 training and 2,500 held-out rows of the ring
and audits a generator that samples the other 7 modes exactly (mode s mod 8 dropped) with the
audit's C2ST and MMD. ``named`` is the mode the "where" section names for "the data has more mass
than the generator" (the held-out rows the fresh classifier is surest are data, by nearest mode),
``share`` the share of those 10 rows nearest to it. Found when ``named == dropped``;
``witness_named`` the same from the aggregated MMD's witness (its 10 largest values over the data).

Run: `.venv/bin/python benchmarks/studies/bench_where_ring.py` (about 2 minutes).
Writes benchmarks/results/where_ring.csv.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, write_table  # noqa: E402

import gan  # noqa: E402
from gan import datasets  # noqa: E402

RING = datasets.ring()


def dropping(mode):
    keep = np.delete(RING.modes, mode, axis=0)

    def sample(n, rng):
        return keep[rng.integers(0, len(keep), n)] + RING.mode_std * rng.standard_normal((n, 2))

    return sample


def one_seed(seed):
    rng = np.random.default_rng([2028, seed])
    train, test = RING.sampler(2500, rng), RING.sampler(2500, rng)
    dropped = seed % len(RING.modes)
    report = gan.audit(dropping(dropped), train, test, checks=["c2st", "mmd"], dataset="ring", rng=seed)
    where = report.details["where"]["missing"]["mode"]
    witness = report.details["where"]["witness"]["missing"]["mode"]
    table = report.table.set_index("check")
    return {
        "seed": seed,
        "dropped": dropped,
        "named": where["mode"],
        "share": where["share"],
        "found": where["mode"] == dropped,
        "witness_named": witness["mode"],
        "witness_found": witness["mode"] == dropped,
        "c2st_pvalue": table.loc["c2st", "pvalue"],
        "mmd_pvalue": table.loc["mmd", "pvalue"],
    }


def main():
    rows = [one_seed(seed) for seed in range(10)]
    write_table(rows, RESULTS / "where_ring.csv")
    print(f"dropped mode named in {sum(r['found'] for r in rows)} of {len(rows)} seeds (C2ST rows), ", end="")
    print(f"{sum(r['witness_found'] for r in rows)} of {len(rows)} (MMD witness extremes)")


if __name__ == "__main__":
    main()
