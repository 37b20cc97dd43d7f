"""A small GAN on scikit-learn's bundled 8x8 digits, trained on CPU, then audited.

1,400 digits train the GAN (the convolutional pair of gan.networks); the other 397 are held
out for gan.audit, with the digits feature map (the hidden layer of a small MLP trained on the
bundled digits) for the Fréchet distance, KID, precision / recall and the Inception score.
Sample grids go to docs/_static/gan_digits_<objective>.png.

Run: `OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_gan_digits.py [--steps 4000] [--objectives js,wgan-gp]`
Writes benchmarks/results/gan_digits.csv.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import torch  # noqa: E402
from _report import write_table  # noqa: E402

import gan  # noqa: E402
from gan import auditing, datasets  # noqa: E402
from gan.plotting import plot_samples  # noqa: E402

CHECKS = ["c2st", "mmd", "features", "copying", "frechet", "kid", "prdc", "inception"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--objectives", default="js,wgan-gp")
    here = Path(__file__).parent
    parser.add_argument("--out", default=str(here / "results" / "gan_digits.csv"))
    parser.add_argument("--figures", default=str(here.parent / "docs" / "_static"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows = datasets.get_dataset("digits").rows
    order = np.random.default_rng(0).permutation(len(rows))
    train_rows, test_rows = rows[order[:1400]], rows[order[1400:]]
    train_set = datasets.from_array(train_rows, name="digits-train", image_shape=(8, 8))
    features = auditing.digits_features()
    p = np.clip(features.predict_proba(test_rows), 1e-12, 1)
    real_is = float(np.exp(np.mean(np.sum(p * (np.log(p) - np.log(p.mean(0))), 1))))
    table = []
    for objective in args.objectives.split(","):
        start = time.process_time()
        model = gan.train(train_set, objective=objective, steps=args.steps, batch_size=args.batch_size, rng=0)
        seconds = time.process_time() - start
        fig = plot_samples(model, title=f"{objective}, {args.steps} steps")
        Path(args.figures).mkdir(parents=True, exist_ok=True)
        fig.savefig(Path(args.figures) / f"gan_digits_{objective}.png", dpi=90)
        report = gan.audit(model, train_rows, test_rows, features="digits", checks=CHECKS, rng=1)
        t = report.table.set_index("check")["statistic"]
        table.append(
            {
                "objective": objective,
                "steps": args.steps,
                "cpu_seconds": seconds,
                "c2st_accuracy": t["c2st"],
                "reject": report.reject,
                "verdict": report.verdict,
                "frechet": t["frechet"],
                "kid": t["kid"],
                "precision": t["precision"],
                "recall": t["recall"],
                "copying_C_T": t["copying"],
                "inception_score": t["inception score"],
                "inception_score_real": real_is,
            }
        )
    write_table(table, args.out)


if __name__ == "__main__":
    main()
