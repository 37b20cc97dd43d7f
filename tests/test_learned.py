"""The variational f-divergence test."""

import numpy as np
import pytest
from scipy import stats

from twosample import divergences as D
from twosample.learned import _HeldOutBound, f_divergence_test


def test_statistic_is_the_held_out_bound():
    rng = np.random.default_rng(0)
    v_x, v_y = rng.normal(1, 1, 30), rng.normal(0, 1, 20)
    div = D.get("kl")
    assert _HeldOutBound(div)(v_x, v_y) == pytest.approx(float(div.lower_bound(v_x, v_y)), rel=1e-12)


@pytest.mark.parametrize("divergence", ["js", "kl", "hellinger"])
def test_detects_a_shift_and_is_reproducible(divergence):
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(200, 2)), rng.normal(size=(200, 2)) + [1.0, 0.0]
    a = f_divergence_test(x, y, divergence=divergence, steps=200, n_resamples=199, rng=0)
    b = f_divergence_test(x, y, divergence=divergence, steps=200, n_resamples=199, rng=0)
    assert a.reject and a.pvalue == b.pvalue and a.statistic == b.statistic


def test_level():
    reps, count = 150, 0
    for child in np.random.SeedSequence(5).spawn(reps):
        rng = np.random.default_rng(child)
        x, y = rng.normal(size=(40, 2)), rng.normal(size=(30, 2))
        count += f_divergence_test(x, y, steps=50, hidden=16, n_resamples=99, rng=rng).reject
    lo, hi = stats.binom.interval(0.99, reps, 0.05)
    assert lo <= count <= hi  # continuous statistic, permutation null: exact level


def test_bad_divergence_is_named():
    with pytest.raises(ValueError, match="`divergence` must be one of"):
        f_divergence_test(np.zeros((10, 1)) + np.arange(10)[:, None], np.arange(10.0), divergence="tv")
