"""gan.audit: time and peak memory of a default audit, and of PRDC at scale.

Two parts, each writing a CSV under benchmarks/results/ (the scores' agreement with the reference
packages is benchmarks/studies/bench_audit_agreement.py):

* ``speed`` (audit_speed.csv): a default audit (every default check) of a sampler on the ring at
  n = 2,500 rows a side, and on 64-dimensional embeddings (a ten-component Gaussian mixture; the
  generator's components 10% too wide) at n = 10,000, by the current code and by the code of a
  baseline commit (default: the last commit before the audit was rebuilt), each in a fresh
  process: wall and CPU seconds, peak resident memory. A baseline run that passes `--timeout` is
  stopped and reported as such.
* ``prdc`` (audit_prdc.csv): precision / recall / density / coverage on 50,000 x 50,000 rows of
  dimension 64, in a fresh process: seconds and peak memory (target: under 4 GiB).

Run: `.venv/bin/python benchmarks/speed/bench_audit.py [--part speed prdc] [--baseline REF]`
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the helpers in _common
from _common import RESULTS, ROOT, write_table  # noqa: E402

BASELINE = "d0d9c5d"  # the last commit with the audit as it was before it was rebuilt
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", nargs="+", default=["speed", "prdc"], choices=["speed", "prdc"])
    parser.add_argument("--baseline", default=BASELINE, help="git commit of the code to compare against")
    parser.add_argument("--timeout", type=float, default=900, help="seconds before a baseline run is stopped")
    parser.add_argument("--prdc-n", type=int, default=50_000)
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        return _worker(args.worker)
    if "prdc" in args.part:
        part_prdc(args.prdc_n)
    if "speed" in args.part:
        part_speed(args.baseline, args.timeout)


if __name__ == "__main__":
    main()
