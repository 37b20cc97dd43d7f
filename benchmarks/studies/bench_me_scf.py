"""ME and SCF tests at learned features: the toy problems of Jitkrittum et al. (2016), ours beside hyppo's.

Jitkrittum, Szabó, Chwialkowski & Gretton (2016), "Interpretable distribution features with maximum
testing power", Figure 2 (the four toy problems), with the settings of the authors' script
freqopttest/ex/ex1_power_vs_n.py (github.com/wittawatj/interpretable-test): alpha = 0.01, J = 5,
half of each sample for training, n per sample 2,000 ... 10,000 (the figure's x-axis is the
held-out size, 1,000 ... 5,000), 500 trials. The problems are drawn as their freqopttest/data.py
draws them:

* SG: P = Q = N(0, I_50) (H0 true: the figure shows the type-I error);
* GMD: P = N(0, I_100), Q = N((1, 0, ..., 0), I_100);
* GVD: P = N(0, I_50), Q = N(0, diag(2, 1, ..., 1));
* Blobs: a 4 x 4 grid of Gaussians 5 apart in 2-D; P's are isotropic, Q's have eigenvalue
  ratio 2 and are rotated by pi/4.

On each data set: `ts.me_test` and `ts.scf_test` (defaults: features learned on the training half,
Hotelling's F null on the held-out half), and hyppo 0.5.2's `MeanEmbeddingTest` and `SmoothCFTest`
(J = 5 random standard normal locations / frequencies, unit bandwidth, chi-square null) on the
held-out half (hyppo has no training step). Power with 95% Clopper-Pearson intervals, and CPU
seconds per test (`time.process_time`, one thread: not inflated by other load on the machine).
Each trial's data come from its own spawned stream, the same for every test.

Run: `OMP_NUM_THREADS=1 .venv/bin/python benchmarks/studies/bench_me_scf.py [--trials 500] [--n 2000]
[--problems sg,gmd,gvd,blobs]` (writes benchmarks/results/me_scf.csv).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
from statsmodels.stats.proportion import proportion_confint

import twosample as ts

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, write_table  # noqa: E402

ALPHA, J = 0.01, 5


def _blobs(rng, n, stretch, angle, distance=5.0, count=4):
    """The authors' gen_blobs: a count x count grid of Gaussians, `stretch` the eigenvalue ratio."""
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    shape = rotation @ np.diag([math.sqrt(stretch), 1.0])
    centres = rng.integers(0, count, size=(n, 2)) * distance - distance * (count - 1) / 2
    return rng.standard_normal((n, 2)) @ shape + centres


def _sample(problem, rng, n):
    if problem == "blobs":
        return _blobs(rng, n, 1.0, 0.0), _blobs(rng, n, 2.0, math.pi / 4)
    d = {"sg": 50, "gmd": 100, "gvd": 50}[problem]
    x, y = rng.standard_normal((n, d)), rng.standard_normal((n, d))
    if problem == "gmd":
        y[:, 0] += 1.0
    elif problem == "gvd":
        y[:, 0] *= math.sqrt(2.0)
    return x, y


def _hyppo(cls):
    """hyppo's test on the held-out half of each sample (the half ours tests), J random features."""

    def run(x, y, rng):
        held_x, held_y = x[len(x) // 2 :], y[len(y) // 2 :]
        seed = int(rng.integers(1, 2**31 - 1))
        return cls(num_randfreq=J).test(held_x, held_y, random_state=seed).pvalue <= ALPHA

    return run


def _tests():
    from hyppo.ksample import MeanEmbeddingTest, SmoothCFTest

    return {
        "ts.me_test": lambda x, y, rng: ts.me_test(x, y, n_locations=J, alpha=ALPHA, rng=rng).reject,
        "ts.scf_test": lambda x, y, rng: ts.scf_test(x, y, n_frequencies=J, alpha=ALPHA, rng=rng).reject,
        "hyppo MeanEmbeddingTest": _hyppo(MeanEmbeddingTest),
        "hyppo SmoothCFTest": _hyppo(SmoothCFTest),
    }


def _summary(problem, n, name, decisions, seconds):
    k, trials = int(np.sum(decisions)), len(decisions)
    low, high = proportion_confint(k, trials, alpha=0.05, method="beta")
    return {"problem": problem, "n_per_sample": n, "n_test": n // 2, "test": name, "trials": trials,
            "rejection_rate": k / trials, "ci_low": low, "ci_high": high,
            "cpu_seconds_per_test": seconds / trials}  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=500)
    parser.add_argument("--n", type=int, nargs="+", default=[2000], help="rows per sample (half are tested)")
    parser.add_argument("--problems", default="sg,gmd,gvd,blobs")
    parser.add_argument("--out", default=str(RESULTS / "me_scf.csv"))
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    if os.environ.get("OMP_NUM_THREADS") != "1":
        print("note: run with OMP_NUM_THREADS=1 for the published timings")
    tests, rows = _tests(), []
    for problem in args.problems.split(","):
        for n in args.n:
            decisions = {name: [] for name in tests}
            seconds = dict.fromkeys(tests, 0.0)
            for trial, child in enumerate(np.random.SeedSequence([2016, n]).spawn(args.trials)):
                x, y = _sample(problem, np.random.default_rng(child), n)
                for name, test in tests.items():
                    start = time.process_time()  # CPU seconds: one thread each, not inflated by other load
                    decisions[name].append(bool(test(x, y, np.random.default_rng([trial, n]))))
                    seconds[name] += time.process_time() - start
            rows += [_summary(problem, n, name, decisions[name], seconds[name]) for name in tests]
            print(rows[-4:], flush=True)
    write_table(rows, args.out)


if __name__ == "__main__":
    main()
