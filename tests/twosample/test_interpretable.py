"""The ME and SCF tests at learned features (Jitkrittum et al. 2016)."""

import json

import numpy as np
import pytest
from scipy import stats

import twosample as ts
from twosample.kernel.interpretable import FeatureHotelling, InterpretableResult

TESTS = {"me": ts.me_test, "scf": ts.scf_test}
COUNT = {"me": "n_locations", "scf": "n_frequencies"}


def _hotelling_by_hand(fx, fy, reg):
    n_x, n_y = len(fx), len(fy)
    cov = ((n_x - 1) * np.cov(fx, rowvar=False) + (n_y - 1) * np.cov(fy, rowvar=False)) / (n_x + n_y - 2)
    cov = np.atleast_2d(cov)
    cov = cov + (reg * np.trace(cov) / len(cov) + 1e-300) * np.eye(len(cov))
    diff = fx.mean(0) - fy.mean(0)
    return n_x * n_y / (n_x + n_y) * diff @ np.linalg.solve(cov, diff)


def test_feature_hotelling_is_the_two_sample_t2_for_every_relabelling():
    rng = np.random.default_rng(0)
    fx, fy = rng.random((9, 3)), rng.random((7, 3))
    pooled = np.vstack([fx, fy])
    masks = np.zeros((4, 16), dtype=bool)
    for b in range(4):
        masks[b, rng.permutation(16)[:9]] = True
    got = FeatureHotelling(1e-5).bind(pooled, 9)(masks)
    want = [_hotelling_by_hand(pooled[m], pooled[~m], 1e-5) for m in masks]
    np.testing.assert_allclose(got, want, rtol=1e-10)


@pytest.mark.parametrize("name", TESTS)
def test_asymptotic_pvalue_is_hotellings_f(name):
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(60, 2)), rng.normal(size=(50, 2)) + [0.3, 0.0]
    res = TESTS[name](x, y, steps=20, rng=0)
    p = 5 if name == "me" else 10
    n_total = sum(res.held_out)
    factor = (n_total - p - 1) / (p * (n_total - 2))
    assert res.pvalue == pytest.approx(stats.f.sf(res.statistic * factor, p, n_total - p - 1), rel=1e-12)
    assert res.reject == (res.statistic > res.threshold)
    assert (res.n_x, res.n_y, res.held_out) == (60, 50, (30, 25))


def _level(test, reps, seed, **kwargs):
    count = 0
    for child in np.random.SeedSequence(seed).spawn(reps):
        rng = np.random.default_rng(child)
        x, y = rng.normal(size=(40, 2)), rng.normal(size=(30, 2))
        count += test(x, y, steps=10, rng=rng, **kwargs).reject
    return count


@pytest.mark.parametrize("null", ["asymptotic", "permutation"])
@pytest.mark.parametrize("name", TESTS)
def test_level_under_the_null(name, null):
    reps = 200
    extra = {"n_resamples": 99} if null == "permutation" else {}
    count = _level(TESTS[name], reps, 7, null=null, **extra)
    lo, hi = stats.binom.interval(0.99, reps, 0.05)
    assert lo <= count <= hi, count / reps


@pytest.mark.parametrize("name", TESTS)
def test_power_on_a_mean_shift(name):
    rejections = 0
    for seed in range(10):
        rng = np.random.default_rng(seed)
        x, y = rng.normal(size=(300, 3)), rng.normal(size=(300, 3)) + [0.6, 0, 0]
        rejections += TESTS[name](x, y, rng=seed).reject
    assert rejections >= 8


@pytest.mark.parametrize("name", TESTS)
def test_unequal_sizes(name):
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(300, 3)), rng.normal(size=(90, 3)) + [0.8, 0, 0]
    res = TESTS[name](x, y, rng=0)
    assert res.reject and (res.n_x, res.n_y, res.held_out) == (300, 90, (150, 45))
    perm = TESTS[name](x, y, null="permutation", n_resamples=199, rng=0)
    assert perm.reject and perm.pvalue <= 0.02 and perm.statistic == pytest.approx(res.statistic, rel=1e-12)


def _bump(rng, n, centre, weight=0.2):
    """N(0, I) in 2-D with a share `weight` of the rows moved to a tight bump at `centre`."""
    z = rng.normal(size=(n, 2))
    moved = rng.random(n) < weight
    z[moved] = centre + 0.3 * rng.normal(size=(moved.sum(), 2))
    return z


def test_me_location_lands_on_the_extra_bump():
    centre = np.array([2.0, -2.0])
    rng = np.random.default_rng(3)
    x, y = _bump(rng, 600, centre), rng.normal(size=(600, 2))
    start = ts.me_test(x, y, n_locations=1, steps=0, rng=0)
    res = ts.me_test(x, y, n_locations=1, rng=0)
    assert res.reject
    assert np.linalg.norm(res.locations[0] - centre) < 0.5
    assert np.linalg.norm(res.locations[0] - centre) < np.linalg.norm(start.locations[0] - centre)
    assert res.criterion > start.criterion


def _modulated(rng, n, frequency=4.0, depth=0.8):
    """Rows of the density (1 + depth cos(frequency v)) phi(v) / Z: its characteristic function is the
    standard normal one plus bumps at +-frequency (rejection sampling from N(0, 1))."""
    out = np.empty(0)
    while len(out) < n:
        v = rng.normal(size=4 * n)
        out = np.r_[out, v[rng.random(4 * n) < (1 + depth * np.cos(frequency * v)) / (1 + depth)]]
    return out[:n]


def test_scf_frequency_lands_on_the_modulation():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=800), _modulated(rng, 800)
    start = ts.scf_test(x, y, n_frequencies=1, steps=0, rng=0)
    res = ts.scf_test(x, y, n_frequencies=1, rng=0)
    assert res.reject and 3.5 < abs(res.locations[0, 0]) < 4.5
    assert abs(abs(res.locations[0, 0]) - 4) < abs(abs(start.locations[0, 0]) - 4)
    assert res.statistic > start.statistic  # on the held-out rows: the fit found something real


def test_scf_sees_a_variance_difference_that_a_mean_test_cannot():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(600, 2)), rng.normal(size=(600, 2)) * [2.0, 1.0]
    res = ts.scf_test(x, y, n_frequencies=3, rng=0)
    assert res.reject and res.pvalue < 1e-6
    assert not ts.hotelling_test(x, y, method="analytic").reject
    assert res.bandwidth > 0 and res.centre == pytest.approx([0, 0], abs=0.2)


@pytest.mark.parametrize("name", TESTS)
def test_scale_free(name):
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(120, 2)), rng.normal(size=(100, 2)) + [0.7, 0.0]
    base = TESTS[name](x, y, rng=0)
    far = TESTS[name](x * 2.0**40, y * 2.0**40, rng=0)
    assert (far.pvalue, far.statistic, far.criterion) == (base.pvalue, base.statistic, base.criterion)
    assert far.bandwidth == base.bandwidth * 2.0**40
    power = 1 if name == "me" else -1  # locations are points, frequencies their inverse
    np.testing.assert_array_equal(far.locations, base.locations * 2.0 ** (40 * power))
    for scale in (1e300, 1e-300):
        big = TESTS[name](x * scale, y * scale, rng=0)
        assert big.pvalue == pytest.approx(base.pvalue, rel=1e-6) and base.pvalue < 0.05
        np.testing.assert_allclose(big.locations, base.locations * scale**power, rtol=1e-6)


@pytest.mark.parametrize("name", TESTS)
def test_reproducible_from_rng(name):
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(80, 2)), rng.normal(size=(80, 2))
    a, b = TESTS[name](x, y, rng=3), TESTS[name](x, y, rng=3)
    assert (a.pvalue, a.statistic, a.seed) == (b.pvalue, b.statistic, 3)
    np.testing.assert_array_equal(a.locations, b.locations)
    assert TESTS[name](x, y, rng=4).statistic != a.statistic  # another split
    unseeded = TESTS[name](x, y)
    assert TESTS[name](x, y, rng=unseeded.seed).pvalue == unseeded.pvalue
    shuffled = TESTS[name](x[::-1], y[rng.permutation(80)], rng=3)
    assert shuffled.pvalue == a.pvalue  # the split does not depend on the row order


@pytest.mark.parametrize("name", TESTS)
def test_clear_errors(name):
    x = np.arange(40.0).reshape(20, 2)
    test = TESTS[name]
    with pytest.raises(ValueError, match=f"`{COUNT[name]}` must be a positive integer"):
        test(x, x + 1, **{COUNT[name]: 0})
    with pytest.raises(ValueError, match=r"`train_fraction` must be in \(0, 1\)"):
        test(x, x + 1, train_fraction=1.0)
    with pytest.raises(ValueError, match=r"`x` has 20 rows: `train_fraction` = 0.95 leaves 19 for training and 1"):
        test(x, x + 1, train_fraction=0.95)
    with pytest.raises(ValueError, match=r"needs at least 4"):
        test(x[:3], x + 1)
    small = x[:6]  # 3 + 3 held-out rows: too few for the F null on 5 (ME) or 10 (SCF) features
    with pytest.raises(ValueError, match=f"held-out rows.*use fewer `{COUNT[name]}`.*null='permutation'"):
        test(small, small + 1)
    assert test(small, small + 1, null="permutation", n_resamples=99, rng=0).method == "exact"


@pytest.mark.parametrize("name", TESTS)
def test_permutation_pvalue_is_never_zero_and_result_is_strict_json(name):
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(200, 2)), rng.normal(size=(200, 2)) + [2.0, 0.0]
    res = TESTS[name](x, y, null="permutation", n_resamples=99, rng=0)
    assert isinstance(res, InterpretableResult) and res.pvalue == 0.01 and len(res.null_distribution) == 99
    out = json.loads(json.dumps(res.to_dict(include_arrays=True), allow_nan=False))
    assert np.shape(out["locations"]) == (5, 2) and out["bandwidth"] > 0 and out["criterion"] > 0
    assert (out["centre"] is None) == (name == "me")


def test_report_lists_the_features():
    rng = np.random.default_rng(8)
    x, y = rng.normal(size=(60, 2)), rng.normal(size=(60, 2)) + [1.0, 0.0]
    me, scf = ts.me_test(x, y, n_locations=2, rng=0), ts.scf_test(x, y, n_frequencies=2, rng=0)
    assert "  locations   bandwidth" in str(me) and "  frequencies bandwidth" in str(scf)
    assert len(str(me).splitlines()) == len(str(ts.mmd_test(x, y, rng=0, n_resamples=9)).splitlines()) + 3
    nan = ts.me_test(np.r_[x[:-1], [[np.nan, 0.0]]], y, nan_policy="propagate")
    assert "locations" not in str(nan) and "verdict     none" in str(nan)


@pytest.mark.parametrize("name", TESTS)
def test_f_null_counts_the_dimensions_the_features_span(name):
    # Three distinct values: any features of them span at most two dimensions (one is the constant).
    rng = np.random.default_rng(9)
    x, y = rng.integers(0, 3, 80).astype(float), rng.integers(0, 3, 80).astype(float) + (rng.random(80) < 0.2)
    res = TESTS[name](np.minimum(x, 2), np.minimum(y, 2), rng=0)
    n_total = sum(res.held_out)
    factor = (n_total - 2 - 1) / (2 * (n_total - 2))
    assert res.pvalue == pytest.approx(stats.f.sf(res.statistic * factor, 2, n_total - 3), rel=1e-9)
