"""gan.audit: time and peak memory of a default audit, PRDC at scale, agreement with reference code.

Three parts, each writing a CSV under benchmarks/results/:

* ``speed`` (audit_speed.csv): a default audit (every default check) of a sampler on the ring at
  n = 2,500 rows a side, and on 64-dimensional embeddings (a ten-component Gaussian mixture; the
  generator's components 10% too wide) at n = 10,000, by the current code and by the code of a
  baseline commit (default: the last commit before the audit was rebuilt), each in a fresh
  process: wall and CPU seconds, peak resident memory. A baseline run that passes `--timeout` is
  stopped and reported as such.
* ``prdc`` (audit_prdc.csv): precision / recall / density / coverage on 50,000 x 50,000 rows of
  dimension 64, in a fresh process: seconds and peak memory (target: under 4 GiB).
* ``agreement`` (audit_agreement.csv): our scores against the reference packages on the same
  feature arrays: FD against pytorch-fid and torch-fidelity, KID and IS against torch-fidelity,
  PRDC against prdc (Naeem et al.), on continuous features and on a set with memorised copies
  (exact ties). The three packages are installed with ``pip --no-deps --target`` into
  benchmarks/.peers (they would pull a CUDA torchvision beside the CPU torch); torchvision is
  stubbed, since only their metric functions on feature arrays are called.

Run: `.venv/bin/python benchmarks/bench_audit.py [--part speed prdc agreement] [--baseline REF]`
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np
from _report import write_table

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PEERS = ROOT / "benchmarks" / ".peers"
BASELINE = "d0d9c5d"  # main before issue 17 (the audit as it was)
DATA_SEED = 12345  # the data's stream; the audit's is rng=0 (the same seed would make the sampler replay the data)


# --- the workloads (run in fresh processes) ----------------------------------------------------


def _ring(n):
    from gan import datasets

    ring = datasets.ring()
    rng = np.random.default_rng(DATA_SEED)
    return ring.sample(n, rng), ring.sample(n, rng), ring.sample, "ring"


def _embeddings(n, d=64, components=10):
    centres = np.random.default_rng(1).normal(size=(components, d))

    def mixture(size, rng, sd=0.5):
        return centres[rng.integers(0, components, size)] + sd * rng.normal(size=(size, d))

    rng = np.random.default_rng(DATA_SEED)
    return mixture(n, rng), mixture(n, rng), lambda size, r: mixture(size, r, sd=0.55), None


def _run_audit(data: str, n: int) -> dict:
    import gan

    train, test, sampler, dataset = (_ring if data == "ring" else _embeddings)(n)
    start, cpu = time.perf_counter(), time.process_time()
    report = gan.audit(sampler, train, test, dataset=dataset, rng=0)
    return {
        "seconds": time.perf_counter() - start,
        "cpu_seconds": time.process_time() - cpu,
        "reject": bool(report.reject),
        "verdict": report.verdict,
    }


def _run_prdc(n: int, d: int) -> dict:
    from gan.auditing import precision_recall_density_coverage

    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(n, d)), rng.normal(0.1, 1.0, size=(n, d))
    start = time.perf_counter()
    scores = precision_recall_density_coverage(real, fake)
    return {"seconds": time.perf_counter() - start, **scores}


def _worker(spec: str) -> None:
    job = json.loads(spec)
    out = _run_audit(job["data"], job["n"]) if job["kind"] == "audit" else _run_prdc(job["n"], job["d"])
    out["peak_gib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # Linux: KiB
    print(json.dumps(out))


def _in_process(job: dict, pythonpath: Path, timeout: float) -> dict:
    env = dict(os.environ, PYTHONPATH=str(pythonpath))
    cmd = [sys.executable, __file__, "--worker", json.dumps(job)]
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, cwd=pythonpath)
    except subprocess.TimeoutExpired:
        return {"seconds": float("nan"), "note": f"stopped after {timeout:.0f} s"}
    if proc.returncode != 0:
        return {"seconds": float("nan"), "note": "failed: " + proc.stderr.strip().splitlines()[-1][:200]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _baseline_tree(ref: str) -> Path:
    """The packages as they were at `ref`, extracted from git into a temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="audit-baseline-"))
    archive = subprocess.run(["git", "archive", ref, "twosample", "gan"], cwd=ROOT, capture_output=True, check=True)
    with tempfile.TemporaryFile() as tmp:
        tmp.write(archive.stdout)
        tmp.seek(0)
        with tarfile.open(fileobj=tmp) as tar:
            tar.extractall(folder, filter="data")
    return folder


# --- the parts -------------------------------------------------------------------------------


def part_speed(baseline: str, timeout: float) -> None:
    old = _baseline_tree(baseline)
    rows = []
    for data, n in (("ring", 2500), ("embeddings d=64", 10_000)):
        job = {"kind": "audit", "data": data.split()[0], "n": n}
        for code, path in (("current", ROOT), (f"baseline {baseline}", old)):
            found = _in_process(job, path, timeout)
            rows.append({"data": data, "n": n, "code": code, **found})
            print(rows[-1], flush=True)
    write_table(rows, RESULTS / "audit_speed.csv")


def part_prdc(n: int) -> None:
    found = _in_process({"kind": "prdc", "n": n, "d": 64}, ROOT, timeout=3600)
    write_table([{"n = m": n, "d": 64, **found}], RESULTS / "audit_prdc.csv")


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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", nargs="+", default=["speed", "prdc", "agreement"])
    parser.add_argument("--baseline", default=BASELINE, help="git commit of the code to compare against")
    parser.add_argument("--timeout", type=float, default=900, help="seconds before a baseline run is stopped")
    parser.add_argument("--prdc-n", type=int, default=50_000)
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        return _worker(args.worker)
    if "agreement" in args.part:
        part_agreement()
    if "prdc" in args.part:
        part_prdc(args.prdc_n)
    if "speed" in args.part:
        part_speed(args.baseline, args.timeout)


if __name__ == "__main__":
    main()
