"""Pinned results: moving code must not move a number.

Each value was computed by the code as it stood when the restructuring began (the commit
that adds this file). Statistics agree to 1e-12 relative (the torch-trained ones to 1e-6:
float32 training), p-values exactly. A change of statistic, null or default is a change of
behaviour: it updates this table in its own commit, with the reason, never together with a
move of code.

Changes of behaviour since: mmd-agg's p-value 0.84 -> 10/11 when mmd_agg_test stopped relabelling
early by default (early_stop=True: the 10th exceedance came at relabelling 11; same statistic).
c2st (0.6, p 0.111 -> 0.554, p 0.251) when the held-out scores became log-odds less the training
prior's (these samples are unbalanced, 70 vs 60 rows, so the accuracy threshold moved to p = q).
mmd-deep's statistic 3.4463e-05 -> 3.4365e-05 (same p-value) when the machine changed: trained numbers
are pinned per machine (tests/pinned/_machine.py).
"""

import numpy as np
import pytest
from _machine import skip_unless_pinned_machine

import twosample as ts
from twosample.learned import f_divergence_test, mmd_deep_test

rng = np.random.default_rng(2026)
x2, y2 = rng.normal(size=(70, 3)), rng.normal(0.3, 1.2, size=(60, 3))
x1, y1 = rng.normal(size=80), rng.laplace(scale=0.8, size=90)
CASES = {
    "mean": lambda: ts.mean_difference_test(x2, y2, n_resamples=499, rng=1),
    "meanvar": lambda: ts.mean_variance_test(x2, y2, n_resamples=499, rng=2),
    "moments": lambda: ts.moments_test(x1, y1, n_resamples=499, rng=3),
    "t-perm": lambda: ts.t_test(x1, y1, n_resamples=499, rng=4),
    "t-analytic": lambda: ts.t_test(x1, y1, method="analytic"),
    "ks": lambda: ts.ks_test(x1, y1),
    "ks-perm": lambda: ts.ks_test(x1, y1, method="permutation", n_resamples=499, rng=5),
    "cvm": lambda: ts.cvm_test(x1, y1, n_resamples=499, rng=6),
    "ad": lambda: ts.anderson_test(x1, y1, n_resamples=499, rng=7),
    "mwu": lambda: ts.mannwhitney_test(x1, y1, n_resamples=499, rng=8),
    "energy": lambda: ts.energy_test(x2, y2, n_resamples=499, rng=9),
    "wasserstein": lambda: ts.wasserstein_test(x1, y1, n_resamples=499, rng=10),
    "hotelling": lambda: ts.hotelling_test(x2, y2, method="analytic"),
    "mmd": lambda: ts.mmd_test(x2, y2, n_resamples=499, rng=11),
    "mmd-agg": lambda: ts.mmd_agg_test(x2, y2, n_resamples=199, rng=12),
    "mmd-linear": lambda: ts.mmd_linear_test(x2, y2, rng=13),
    "mmd-rff": lambda: ts.mmd_rff_test(x2, y2, n_resamples=199, rng=14),
    "c2st": lambda: ts.c2st_test(x2, y2, classifier="logistic", rng=15),
    "c2st-perm": lambda: ts.c2st_test(
        x2, y2, classifier="logistic", statistic="auc", null="permutation", n_resamples=199, rng=16
    ),
    "f-divergence": lambda: f_divergence_test(x2, y2, steps=40, n_resamples=99, rng=17),
    "mmd-deep": lambda: mmd_deep_test(x2, y2, steps=20, n_resamples=99, rng=18),
}

PINNED = {
    "mean": (0.3956028007385298, 0.272),
    "meanvar": (0.5153540949545412, 0.146),
    "moments": (5.86212741645164, 0.192),
    "t-perm": (-1.6842664759785477, 0.104),
    "t-analytic": (-1.6842664759785462, 0.09403151263116312),
    "ks": (0.175, 0.13043268117339332),
    "ks-perm": (0.175, 0.112),
    "cvm": (0.29258169934640677, 0.146),
    "ad": (1.1017159910334842, 0.09),
    "mwu": (3162.0, 0.17242048295937984),
    "energy": (2.4126770614486013, 0.394),
    "wasserstein": (0.29342890029154434, 0.164),
    "hotelling": (3.0798090774866846, 0.3904526798800046),
    "mmd": (-0.0011415209505032387, 0.478),
    "mmd-agg": (-0.010389082764232583, 0.9090909090909091),
    "mmd-linear": (0.027025725826781213, 0.31875330595706153),
    "mmd-rff": (0.10167617886061661, 0.55),
    "c2st": (0.5538461538461539, 0.2511190540512791),
    "c2st-perm": (0.5333333333333333, 0.35),
    "f-divergence": (-0.0036942044073067504, 0.43),
    "mmd-deep": (3.4365190296703485e-05, 0.37),
}


TRAINED = ("f-divergence", "mmd-deep")  # float32 training: pinned per machine (tests/pinned/_machine.py)


@pytest.mark.parametrize("name", list(PINNED))
def test_result_is_unchanged(name):
    statistic, pvalue = CASES[name]()
    want_statistic, want_pvalue = PINNED[name]
    rel = 1e-6 if name in TRAINED else 1e-12
    if name in TRAINED:
        skip_unless_pinned_machine((statistic, pvalue))
    assert statistic == pytest.approx(want_statistic, rel=rel, abs=1e-15)
    assert pvalue == want_pvalue
