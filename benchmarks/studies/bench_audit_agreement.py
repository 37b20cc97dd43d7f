"""gan.audit's scores beside the reference packages' on the same feature arrays.

FD against pytorch-fid and torch-fidelity, KID and IS against torch-fidelity, PRDC against prdc
(Naeem et al.), on continuous features and on a set with memorised copies (exact ties): our value,
theirs and the absolute difference. The three packages are installed with ``pip --no-deps
--target`` into benchmarks/.peers (they would pull a CUDA torchvision beside the CPU torch);
torchvision is stubbed, since only their metric functions on feature arrays are called.

Run: `.venv/bin/python benchmarks/studies/bench_audit_agreement.py`
Writes benchmarks/results/audit_agreement.csv.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import BENCHMARKS, RESULTS, write_table  # noqa: E402

PEERS = BENCHMARKS / ".peers"


def _install_peers() -> None:
    if not (PEERS / "prdc").exists():
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(PEERS)]
            + ["prdc==0.2", "torch-fidelity==0.4.0", "pytorch-fid==0.3.0"],
            check=True,
        )


def _stub_torchvision() -> None:
    """Peers import torchvision at module level for their image pipelines; the metric functions never
    use it. Every ``torchvision.*`` import gets a stub module whose capitalised names are empty classes."""
    import importlib.abc
    import importlib.machinery
    import types

    class Stub(types.ModuleType):
        def __getattr__(self, name):
            if name.startswith("__"):
                raise AttributeError(name)
            if name[:1].isupper():  # a class the peer subclasses or names
                return type(name, (), {"__init__": lambda self, *a, **k: None})
            return importlib.import_module(f"{self.__name__}.{name}")

    class Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
        def find_spec(self, name, path=None, target=None):
            if name == "torchvision" or name.startswith("torchvision."):
                return importlib.machinery.ModuleSpec(name, self, is_package=True)
            return None

        def create_module(self, spec):
            return Stub(spec.name)

        def exec_module(self, module):
            module.__path__ = []

    sys.meta_path.insert(0, Finder())


def _feature_arrays():
    """Digits through the built-in feature map: real halves, a noisy generator, memorised copies."""
    from gan import auditing, datasets

    features = auditing.digits_features()
    rows = datasets.digits().rows
    order = np.random.default_rng(0).permutation(len(rows))
    real = features(rows[order[:800]])
    noisy = features(np.clip(rows[order[800:1600]] + np.random.default_rng(1).normal(0, 0.3, (800, 64)), -1, 1))
    copies = np.vstack([real[:400], features(rows[order[1600:]])])  # half of them memorised real rows
    logits = np.log(np.clip(features.predict_proba(rows[order[800:1600]]), 1e-300, None))
    return real, noisy, copies, logits


def _agreement_rows(real, noisy, copies, logits):
    import torch
    from prdc import compute_prdc
    from pytorch_fid.fid_score import calculate_frechet_distance
    from torch_fidelity.metric_fid import fid_features_to_statistics, fid_statistics_to_metric
    from torch_fidelity.metric_isc import isc_features_to_metric
    from torch_fidelity.metric_kid import kid_features_to_metric

    from gan import auditing as A

    t = lambda a: torch.as_tensor(a, dtype=torch.float64)  # noqa: E731
    stats = [fid_features_to_statistics(t(a)) for a in (real, noisy)]
    fid_tf = fid_statistics_to_metric(*stats, verbose=False)["frechet_inception_distance"]
    mu = [a.mean(0) for a in (real, noisy)]
    cov = [np.cov(a, rowvar=False) for a in (real, noisy)]
    rows = [
        (
            "FD",
            "pytorch-fid",
            A.frechet_distance(real, noisy),
            calculate_frechet_distance(mu[0], cov[0], mu[1], cov[1]),
        ),
        ("FD", "torch-fidelity", A.frechet_distance(real, noisy), fid_tf),
    ]
    kid_n = dict(kid_subsets=10, kid_subset_size=len(real), verbose=False)  # every subset = the whole sample
    ours = A.kid(real, noisy, n_subsets=10, subset_size=len(real), rng=0)[0]
    rows.append(("KID, subsets = n", "torch-fidelity", ours, kid_features_to_metric(t(real), t(noisy), **kid_n)))
    kid_small = dict(kid_subsets=100, kid_subset_size=400, verbose=False, rng_seed=0)
    tf_mean = kid_features_to_metric(t(real), t(noisy), **kid_small)["kernel_inception_distance_mean"]
    rows.append(
        (
            "KID, 100 subsets of 400 (own draws)",
            "torch-fidelity",
            A.kid(real, noisy, subset_size=400, rng=0)[0],
            tf_mean,
        )
    )
    ours_is = A.inception_score(np.exp(logits), splits=10, rng=False)[0]
    rows.append(
        (
            "IS, 10 splits",
            "torch-fidelity",
            ours_is,
            isc_features_to_metric(t(logits), 10, shuffle=False)["inception_score_mean"],
        )
    )
    for label, fake in (("continuous", noisy), ("memorised copies (ties)", copies)):
        theirs = compute_prdc(real, fake, nearest_k=5)
        ours = A.precision_recall_density_coverage(real, fake, k=5)
        rows += [(f"{key}, {label}", "prdc", ours[key], theirs[key]) for key in ours]
    return rows


def part_agreement() -> None:
    _install_peers()
    sys.path.insert(0, str(PEERS))
    _stub_torchvision()
    rows = []
    for score, peer, ours, theirs in _agreement_rows(*_feature_arrays()):
        theirs = float(theirs["kernel_inception_distance_mean"] if isinstance(theirs, dict) else theirs)
        diff = abs(ours - theirs)
        rows.append({"score": score, "reference": peer, "ours": ours, "reference_value": theirs, "abs_diff": diff})
    write_table(rows, RESULTS / "audit_agreement.csv")


def main():
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    part_agreement()


if __name__ == "__main__":
    main()
