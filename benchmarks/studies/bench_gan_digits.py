"""GANs on scikit-learn's bundled 8x8 digits at the defaults, conditional and not, trained on CPU and audited.

1,400 digits (with their labels) train the GAN; the other 397 are held out. Scores, per model:

* label accuracy (conditional): a logistic-regression classifier trained on the real digits'
  labels (all 1,797) labels 200 samples generated for each class; the share it labels as that
  class, per class (the target: at least 0.9 for every class). Unconditional models: the
  smallest share of any class among 2,000 samples (0.1 if balanced);
* Fréchet distances on the digits feature map: between 899 generated digits and one half of the
  real digits, beside the distance between the two halves (898 and 899 rows; the target: within
  2x of it; the distance is biased upward at small n, so sizes are matched); and the audit's
  (gan.audit, features="digits"): 397 generated against the 397 held-out digits, beside 397
  training digits against the same 397; with the audit's recall (target at least 0.5);
* a fresh C2ST's held-out accuracy and p-value (gan.audit's "c2st");
* the CPU seconds of training (target: 5 minutes), with the thread count a user leaves alone.

Sample grids (one row per class for the conditional model) go to docs/_static/gan_digits_<name>.png.

Run: `.venv/bin/python benchmarks/studies/bench_gan_digits.py [--seeds 1] [--steps N]`
Writes benchmarks/results/gan_digits.csv.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

import gan
from gan import datasets
from gan.training.plotting import save_image_grid

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, ROOT, write_table  # noqa: E402

CHECKS = ["c2st", "frechet", "prdc"]


def _split():
    digits = datasets.digits()
    order = np.random.default_rng(0).permutation(len(digits.rows))
    train, test = order[:1400], order[1400:]
    return digits, train, test


def _label_scores(model, classifier, rng):
    if model.n_classes:
        shares = []
        for k in range(model.n_classes):
            predicted = classifier.predict(model.sample(200, rng=rng, labels=k))
            shares.append(float(np.mean(predicted == k)))
        return {"label_accuracy_min": min(shares), "label_accuracy_mean": float(np.mean(shares)), "per_class": shares}
    predicted = classifier.predict(model.sample(2000, rng=rng))
    counts = np.bincount(predicted, minlength=10) / len(predicted)
    return {"smallest_class_share": float(counts.min()), "per_class": counts.round(3).tolist()}


def _real_references(digits, train, test):
    """Fréchet distances between real digits (digits feature map): two random halves (898 and 899
    rows), and, at the audit's sizes, 397 training digits against the 397 held-out ones (the
    distance is biased upward at small n, so this is the like-for-like reference)."""
    features = gan.auditing.digits_features()
    order = np.random.default_rng(1).permutation(len(digits.rows))
    half = len(order) // 2
    halves = gan.auditing.frechet_distance(features(digits.rows[order[:half]]), features(digits.rows[order[half:]]))
    picked = np.random.default_rng(2).choice(train, size=len(test), replace=False)
    same_size = gan.auditing.frechet_distance(features(digits.rows[picked]), features(digits.rows[test]))
    return halves, same_size


def _grid(model, name, figures):
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10), 10) if model.n_classes else None
    rows = model.sample(100, rng=rng, labels=labels)
    Path(figures).mkdir(parents=True, exist_ok=True)
    save_image_grid(rows, (8, 8), Path(figures) / f"gan_digits_{name}.png", columns=10, scale=4)


def run_one(name, kwargs, seed, digits, train, test, classifier, figures):
    train_set = datasets.from_array(
        digits.rows[train], name="digits-train", image_shape=(8, 8), labels=digits.labels[train]
    )
    start = time.process_time()
    model = gan.train(train_set, rng=seed, **kwargs)
    seconds = time.process_time() - start
    if seed == 0:
        _grid(model, name, figures)
    report = gan.audit(model, digits.rows[train], digits.rows[test], features="digits", checks=CHECKS, rng=1)
    features = gan.auditing.digits_features()
    half_b = np.random.default_rng(1).permutation(len(digits.rows))[len(digits.rows) // 2 :]
    generated = model.sample(len(half_b), rng=np.random.default_rng(3))
    frechet_halves = gan.auditing.frechet_distance(features(generated), features(digits.rows[half_b]))
    t = report.table.set_index("check")
    row = {"model": name, "seed": seed, "settings": json.dumps(kwargs), "cpu_seconds": round(seconds, 1)}
    row.update(_label_scores(model, classifier, np.random.default_rng(2)))
    row.update(frechet=t.loc["frechet", "statistic"], recall=t.loc["recall", "statistic"])
    row.update(frechet_vs_half=frechet_halves)
    row.update(precision=t.loc["precision", "statistic"], c2st_accuracy=t.loc["c2st", "statistic"])
    row.update(c2st_pvalue=t.loc["c2st", "pvalue"], final_monitor_pvalue=model.history["pvalue"].dropna().iloc[-1])
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--models", default='conditional={"conditional": true};unconditional={}')
    parser.add_argument("--out", default=str(RESULTS / "gan_digits.csv"))
    parser.add_argument("--figures", default=str(ROOT / "docs" / "_static"))
    args = parser.parse_args()
    digits, train, test = _split()
    classifier = LogisticRegression(max_iter=5000).fit(digits.rows, digits.labels)
    reference, same_size = _real_references(digits, train, test)
    print(f"Fréchet distance between real digits: halves {reference:.3f}, 397 vs 397 {same_size:.3f}", flush=True)
    rows = []
    for spec in args.models.split(";"):
        name, settings = spec.split("=", 1)
        for seed in range(args.seeds):
            row = run_one(name, json.loads(settings), seed, digits, train, test, classifier, args.figures)
            row.update(frechet_real_halves=reference, frechet_ratio=row["frechet_vs_half"] / reference)
            row.update(frechet_real_same_size=same_size, frechet_ratio_same_size=row["frechet"] / same_size)
            print({k: v for k, v in row.items() if k != "per_class"}, flush=True)
            rows.append(row)
    write_table(rows, args.out)


if __name__ == "__main__":
    main()
