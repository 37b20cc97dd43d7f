"""How the modes' width evolves during training: the trained weights beside their moving average.

Every 500 steps of ``gan.train(data, rng=seed, **settings)`` a callback draws 2,500 rows (rng=1) from
the generator's trained weights and from the sampling generator (the moving average when the run
keeps one) and scores both by PacGAN's protocol and the mode width
(gan.auditing.metrics.mode_coverage). Issue 32's diagnosis: with the previous vectors recipe (a 0.999
moving average, a latent of 2, no linear path, no mixture of iterates) the trained weights oscillate
around the modes and end at 0.83 of the data's width on ring seed 0 while their average contracts
steadily to 0.57.

Run: `.venv/bin/python benchmarks/studies/bench_gan_width_trace.py --data ring,grid --seed 0
--set ema=0.999 --set iterates=1 --set z_dim=2 --set generator_options='{"skip": false}'`
(the previous recipe; without --set, today's defaults).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

import gan
from gan import datasets, metrics
from gan.training.callbacks import Callback

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, show  # noqa: E402


class WidthTrace(Callback):
    """Scores the trained weights and the sampling generator every `every` steps."""

    def __init__(self, ds, seed, every=500):
        self.ds, self.seed, self.every, self.rows = ds, seed, every, []

    def on_step_end(self, trainer, step, losses) -> None:
        if step % self.every:
            return
        model = trainer.current_model()
        kept, iterates = model.generator, model.iterates
        model.iterates = None  # one generator at a time
        try:
            for name, net in (
                ("trained weights", trainer.generator),
                ("sampling generator", trainer.sampling_generator),
            ):
                model.generator = net
                score = metrics.mode_coverage(model.sample(2500, rng=1), self.ds.modes, self.ds.mode_std)
                self.rows.append(
                    {
                        "data": self.ds.name,
                        "seed": self.seed,
                        "step": step,
                        "generator": name,
                        "modes": score.modes_captured,
                        "high_quality": round(100 * score.high_quality, 1),
                        "width_ratio": round(score.width_ratio, 2),
                    }
                )
        finally:
            model.generator, model.iterates = kept, iterates


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="ring,grid")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=JSON", help="a gan.train argument")
    parser.add_argument("--out", default=str(RESULTS / "gan_width_trace.csv"))
    args = parser.parse_args()
    settings = {key: json.loads(value) for key, _, value in (item.partition("=") for item in args.set)}
    rows = []
    for data in args.data.split(","):
        ds = datasets.get_dataset(data)
        trace = WidthTrace(ds, args.seed)
        gan.train(ds, rng=args.seed, progress=False, callbacks=[trace], **settings)
        rows += [{**row, "settings": json.dumps(settings, sort_keys=True)} for row in trace.rows]
    table = pd.DataFrame(rows)
    table.to_csv(args.out, index=False)
    print(show(table))


if __name__ == "__main__":
    main()
