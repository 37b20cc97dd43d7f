"""Run alibi-detect's MMDDrift and ClassifierDrift on saved data (executed in alibi-detect's own venv).

Usage: python _alibi_worker.py DATA.npz N_PERMUTATIONS  -> JSON rows on stdout.
"""

import json
import sys
import time

import numpy as np
from alibi_detect.cd import ClassifierDrift, MMDDrift
from sklearn.linear_model import LogisticRegression

data = np.load(sys.argv[1])
reference, batches = data["reference"].astype(np.float32), data["batches"].astype(np.float32)
detectors = {
    "alibi-detect MMDDrift (pytorch, CPU)": MMDDrift(
        reference, backend="pytorch", p_val=0.05, n_permutations=int(sys.argv[2])
    ),
    "alibi-detect ClassifierDrift (sklearn logistic)": ClassifierDrift(
        reference, model=LogisticRegression(), backend="sklearn", p_val=0.05, preds_type="probs"
    ),
}
rows = []
for name, detector in detectors.items():
    for i, batch in enumerate(batches):
        start = time.perf_counter()
        out = detector.predict(batch)
        rows.append(
            {"method": name, "batch": i, "seconds": time.perf_counter() - start, "pvalue": float(out["data"]["p_val"])}
        )
print(json.dumps(rows))
