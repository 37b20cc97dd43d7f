"""MMDAggInc (mmd-agginc): the incomplete U-statistic, its wild bootstrap, aggregation, level, errors."""

import numpy as np
import pytest
from scipy import stats

import twosample as ts
from twosample.kernel import agginc as A


def _incomplete_mmd_direct(x, y, n_sub, sigma):
    """The incomplete U-statistic by a double loop over the kept pairs (i, i + r)."""

    def k(a, b):
        return np.exp(-((a - b) ** 2).sum() / (2 * sigma**2))

    total, count = 0.0, 0
    for r in range(1, n_sub + 1):
        for i in range(len(x) - r):
            j = i + r
            total += k(x[i], x[j]) - k(x[i], y[j]) - k(y[i], x[j]) + k(y[i], y[j])
            count += 1
    return total / count


def test_incomplete_sums_match_a_double_loop_and_the_wild_bootstrap_is_a_pair_swap():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(25, 2)), rng.normal(0.5, 1, size=(25, 2))
    sigmas = np.array([0.5, 2.0])
    signs = np.where(rng.random((25, 3)) < 0.5, -1.0, 1.0)
    signs[:, 0] = 1.0  # the observed labelling
    boot = A._incomplete_sums(x, y, 4, sigmas, signs, batch=2, dtype=np.float64)
    observed = boot[:, 0]
    n_terms = 4 * 25 - 4 * 5 // 2
    for ell, sigma in enumerate(sigmas):
        assert observed[ell] / n_terms == pytest.approx(_incomplete_mmd_direct(x, y, 4, sigma), rel=1e-12)
        for b in range(3):  # swap x_i and y_i where the sign is -1
            swap = signs[:, b] < 0
            xs, ys = np.where(swap[:, None], y, x), np.where(swap[:, None], x, y)
            want = _incomplete_mmd_direct(xs, ys, 4, sigma)
            assert boot[ell, b] / n_terms == pytest.approx(want, rel=1e-10, abs=1e-14)


def test_complete_u_statistic_at_r_equal_n_minus_1():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(30, 2)), rng.normal(size=(30, 2))
    observed = A._incomplete_sums(x, y, 29, np.array([1.0]), np.ones((30, 1)), 1, np.float64)[:, 0]
    assert observed[0] / (29 * 30 / 2) == pytest.approx(_incomplete_mmd_direct(x, y, 29, 1.0), rel=1e-12)


def test_weights_follow_mmdagg():
    for kind in A.WEIGHTS:
        w = A.agginc_weights(7, kind)
        assert w.sum() == pytest.approx(1.0) and (w > 0).all()
    np.testing.assert_allclose(A.agginc_weights(3, "decreasing"), np.array([1, 1 / 2, 1 / 3]) / (11 / 6))
    assert A.agginc_weights(5, "centred").argmax() == 2


def test_level_within_the_binomial_interval():
    reps, alpha, rejections = 300, 0.1, 0
    for child in np.random.SeedSequence(9).spawn(reps):
        rng = np.random.default_rng(child)
        x, y = rng.normal(size=(60, 2)), rng.normal(size=(50, 2))
        rejections += ts.mmd_agginc_test(x, y, alpha=alpha, n_resamples=200, subdiagonals=10, rng=rng).reject
    assert rejections <= stats.binom.ppf(0.995, reps, alpha), rejections / reps


def test_power_and_reproducibility():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(500, 3)), rng.normal(size=(500, 3)) + [0.4, 0, 0]
    res = ts.mmd_agginc_test(x, y, rng=3)
    assert res.reject and res.method == "wild bootstrap" and res.alternative == "less"
    assert res.reject == (res.statistic <= res.threshold)
    perm = rng.permutation(500)
    same = ts.mmd_agginc_test(x[perm], y, rng=3, batch=7)
    assert (same.pvalue, same.statistic) == (res.pvalue, res.statistic)
    f64 = ts.mmd_agginc_test(x, y, rng=3, dtype=np.float64)
    assert f64.pvalue == pytest.approx(res.pvalue, abs=3 / 500)


def test_scale_free_with_given_bandwidths():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(80, 2)), rng.normal(0.3, 1, size=(80, 2))
    base = ts.mmd_agginc_test(x, y, bandwidths=[0.5, 1.0, 2.0], rng=0)
    huge = ts.mmd_agginc_test(x * 2.0**400, y * 2.0**400, bandwidths=[0.5 * 2.0**400, 2.0**400, 2.0**401], rng=0)
    assert (huge.pvalue, huge.statistic) == (base.pvalue, base.statistic)


def test_errors_name_the_argument():
    x, y = np.arange(20.0).reshape(10, 2), np.arange(20.0).reshape(10, 2) + 0.5
    with pytest.raises(ValueError, match="`subdiagonals` = 10 is larger than the sample"):
        ts.mmd_agginc_test(x, y, subdiagonals=10)
    with pytest.raises(ValueError, match="`subdiagonals`"):
        ts.mmd_agginc_test(x, y, subdiagonals=0)
    with pytest.raises(ValueError, match="`bandwidths`"):
        ts.mmd_agginc_test(x, y, bandwidths=[1.0, -2.0])
    with pytest.raises(ValueError, match="`weights`"):
        ts.mmd_agginc_test(x, y, weights="heavy")
    with pytest.raises(ValueError, match="`n_resamples`"):
        ts.mmd_agginc_test(x, y, n_resamples=1)
    assert ts.mmd_agginc_test(x, y, subdiagonals=9, n_resamples=50, rng=0).n_x == 10
