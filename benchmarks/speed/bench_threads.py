"""torch CPU threads for the small networks this package trains: one thread against torch's default.

Times three training loops at ``threads=1`` (the package's default for small networks) and at
torch's own default (one thread per core), on an idle machine and with one busy process beside
them (a pure-Python spin loop, as when a notebook, a browser or another job shares the cores):
``gan.train`` on the ring (MLP, 128 x 3), ``divergences.fit_critic`` (MLP 64 x 2) and the C2ST
``torch-mlp`` preset. Writes benchmarks/results/threads.csv.

Run: `.venv/bin/python benchmarks/speed/bench_threads.py [--steps 600]`
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

import gan
import twosample as ts
from twosample.divergences import fit_critic

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, write_table  # noqa: E402


def _workloads(steps: int):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(2000, 2)), rng.normal(0.3, 1, size=(2000, 2))
    # The torch-mlp preset (100 epochs) as a classifier object, so that `threads` can be set.
    return {
        f"gan.train ring, {steps} steps": lambda threads: gan.train(
            "ring", steps=steps, rng=0, threads=threads, progress=False
        ),
        f"gan.train digits (DCGAN pair, 32 channels), {steps // 4} steps": lambda threads: gan.train(
            "digits", steps=steps // 4, rng=0, threads=threads, progress=False
        ),
        f"fit_critic js, {steps} steps": lambda threads: fit_critic(x, y, "js", steps=steps, rng=0, threads=threads),
        "c2st torch-mlp, n = 2000 (100 epochs)": lambda threads: _c2st(x, y, threads),
    }


def _c2st(x, y, threads):
    from twosample.learned.torch_classifier import TorchMLPClassifier

    ts.c2st_test(x, y, classifier=TorchMLPClassifier(threads=threads), rng=0)


def _time(call, threads, repeats=3) -> float:
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        call(threads)
        best = min(best, time.perf_counter() - start)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--out", default=str(RESULTS / "threads.csv"))
    args = parser.parse_args()
    default_threads = torch.get_num_threads()
    rows = []
    for load in ("idle", "one busy process"):
        spinner = None
        if load != "idle":
            spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        try:
            for name, call in _workloads(args.steps).items():
                one = _time(call, 1)
                default = _time(call, default_threads)
                rows.append(
                    {
                        "workload": name,
                        "load": load,
                        "threads=1 s": one,
                        f"threads={default_threads} (torch default) s": default,
                        "default / one": default / one,
                    }
                )
        finally:
            if spinner is not None:
                spinner.kill()
    print(f"torch {torch.__version__}, {default_threads} threads by default on this machine")
    write_table(rows, args.out)


if __name__ == "__main__":
    main()
