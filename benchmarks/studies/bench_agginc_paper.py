"""MMDAggInc: the paper's "MMD vary N" power figure, ours beside the authors' numpy code.

Schrab, Kim, Guedj & Gretton (2022), Figure "MMD vary N" (experiments.ipynb of
github.com/antoninschrab/agginc-paper): X uniform on [0, 1], Y from the perturbed uniform
density (d = 1, 2 perturbations, multiplier e), n = m = N in 200..1000, alpha = 0.05, R = 200
subdiagonals. Data are drawn exactly as the authors' notebook draws them (their sampler, their
seeds), and on each data set both tests run: `ts.mmd_agginc_test(X, Y, subdiagonals=min(200,
N - 1), rng=seed)` (R = 200 > N - 1 is an error for us; the authors' code then uses the N - 1
there are) and the authors' `agginc.np.agginc("mmd", X, Y, R=200, seed=seed)`. The authors' code
is slow in numpy (seconds per test), so it runs on the first `--peer-reps` repetitions only;
the paper's own numbers (100 repetitions, their saved results) are printed beside.

The authors' repository is not a package and is not downloaded at run time: pass a checkout
(or a bare git directory) with `--paper-repo`. Needs psutil (their numpy code imports it).

Run: `.venv/bin/python benchmarks/studies/bench_agginc_paper.py --paper-repo PATH [--reps 100] [--peer-reps 30]`
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

import numpy as np
from statsmodels.stats.proportion import proportion_confint

import twosample as ts

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, write_table  # noqa: E402

N_VALUES = (200, 400, 600, 800, 1000)
PAPER_ROW = 5  # mmdagginc200 in the notebook's list [met, scf, ost, R=1, R=100, R=200, quadratic]
FILES = ("sampling.py", "agginc/np.py", "results/mmd_vary_n.npy")


def _extract(repo: Path, into: Path) -> Path:
    """The files this benchmark needs, from a checkout or from a bare git directory."""
    if (repo / "sampling.py").exists():
        return repo
    archive = subprocess.run(
        ["git", f"--git-dir={repo}", "archive", "--format=tar", "HEAD", *FILES], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def _load(root: Path):
    """The authors' sampler and numpy agginc (loaded by path: their package __init__ imports jax)."""
    sys.path.insert(0, str(root))
    from sampling import f_theta_sampler

    spec = importlib.util.spec_from_file_location("agginc_np", root / "agginc" / "np.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return f_theta_sampler, module.agginc


def _datasets(sampler, reps):
    """(rep, N, seed, X, Y) in the notebook's order: rs = RandomState(0), the seed counts up."""
    rs, seed, d = np.random.RandomState(0), 0, 1
    for rep in range(reps):
        for n in N_VALUES:
            seed += 1
            x = rs.uniform(0, 1, (n, d))
            y = sampler(0, seed, n, 2, 1, np.exp(d) * 2**1 / 2, d)
            yield rep, n, seed, x, y


def _summary(name, n, decisions, seconds):
    k, reps = int(np.sum(decisions)), len(decisions)
    low, high = proportion_confint(k, reps, alpha=0.05, method="beta")
    return {"test": name, "N": n, "reps": reps, "power": k / reps, "ci_low": low, "ci_high": high,
            "seconds_per_test": seconds / reps}  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paper-repo", required=True, help="a checkout or bare git dir of antoninschrab/agginc-paper")
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--peer-reps", type=int, default=30)
    parser.add_argument("--out", default=str(RESULTS / "agginc_paper.csv"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = _extract(Path(args.paper_repo), Path(tmp))
        sampler, theirs = _load(root)
        paper = np.load(root / "results" / "mmd_vary_n.npy")[PAPER_ROW]
        ours = {n: ([], [0.0]) for n in N_VALUES}
        peer = {n: ([], [0.0]) for n in N_VALUES}
        for rep, n, seed, x, y in _datasets(sampler, args.reps):
            start = time.perf_counter()
            ours[n][0].append(ts.mmd_agginc_test(x, y, subdiagonals=min(200, n - 1), rng=seed).reject)
            ours[n][1][0] += time.perf_counter() - start
            if rep < args.peer_reps:
                start = time.perf_counter()
                peer[n][0].append(bool(theirs("mmd", x, y, alpha=0.05, R=200, seed=seed)))
                peer[n][1][0] += time.perf_counter() - start
    rows = [_summary("ts.mmd_agginc_test", n, ours[n][0], ours[n][1][0]) for n in N_VALUES]
    for n in N_VALUES:  # the authors' code, and how often its decision equals ours on the same data
        row = _summary("authors' agginc.np (same data)", n, peer[n][0], peer[n][1][0])
        both = np.array(ours[n][0][: len(peer[n][0])]) == np.array(peer[n][0])
        rows.append({**row, "same_decision_as_ours": float(both.mean())})
    rows += [{"test": "paper (saved results, 100 reps)", "N": n, "reps": 100, "power": float(p)}
             for n, p in zip(N_VALUES, paper)]  # fmt: skip
    write_table(rows, args.out)


if __name__ == "__main__":
    main()
