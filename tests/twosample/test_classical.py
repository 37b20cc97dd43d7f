"""Classical tests: statistics and nulls cross-checked against SciPy and direct formulas."""

import math
import warnings

import numpy as np
import pytest
from scipy import stats
from scipy.spatial.distance import cdist

import twosample as ts
from twosample.classical import statistics as S
from twosample.classical.univariate import scipy_anderson_midrank


@pytest.fixture
def samples():
    rng = np.random.default_rng(2024)
    return rng.normal(0, 1, 37), rng.normal(0.4, 1.5, 29)


@pytest.fixture
def tied_samples():
    rng = np.random.default_rng(7)
    return rng.integers(0, 6, 30).astype(float), rng.integers(1, 7, 25).astype(float)


# --- statistics equal SciPy's (or the textbook formula) ---------------------------------


def test_ks_statistic_matches_scipy(samples, tied_samples):
    for x, y in (samples, tied_samples):
        assert S.KolmogorovSmirnov()(x, y) == pytest.approx(stats.ks_2samp(x, y).statistic, abs=1e-15)


def test_cvm_statistic_matches_scipy(samples, tied_samples):
    for x, y in (samples, tied_samples):
        assert S.CramerVonMises()(x, y) == pytest.approx(stats.cramervonmises_2samp(x, y).statistic, rel=1e-12)


@pytest.mark.filterwarnings("ignore:p-value capped:UserWarning")
def test_anderson_statistic_matches_scipy(samples, tied_samples):
    for x, y in (samples, tied_samples):
        ref = scipy_anderson_midrank(x, y).statistic
        assert S.AndersonDarling()(x, y) == pytest.approx(ref, rel=1e-10)


def test_mannwhitney_statistic_matches_scipy(samples, tied_samples):
    for x, y in (samples, tied_samples):
        assert S.MannWhitneyU()(x, y) == pytest.approx(stats.mannwhitneyu(x, y).statistic, rel=1e-12)


def test_wasserstein_statistic_matches_scipy(samples, tied_samples):
    for x, y in (samples, tied_samples):
        assert S.Wasserstein1()(x, y) == pytest.approx(stats.wasserstein_distance(x, y), rel=1e-12)


def test_welch_t_matches_scipy(samples):
    x, y = samples
    x = x + 1e6  # a large offset must not cost precision (the pooled mean is removed first)
    y = y + 1e6
    ref = stats.ttest_ind(x, y, equal_var=False).statistic
    assert S.WelchT()(x, y) == pytest.approx(ref, rel=1e-7)


def test_energy_statistic_matches_scipy_in_1d(samples):
    x, y = samples
    n, m = len(x), len(y)
    ref = n * m / (n + m) * stats.energy_distance(x, y) ** 2
    assert S.EnergyDistance()(x, y) == pytest.approx(ref, rel=1e-10)


@pytest.mark.parametrize("kind", ["normal", "ties", "cauchy"])
def test_energy_on_the_line_equals_the_distance_matrix_form(kind):
    """1-D energy takes cumulative sums along the sorted sample (no N x N matrix); every relabelling's
    value is the distance matrix's -w'Dw, and the test's null distribution with it."""
    rng = np.random.default_rng(3)
    draw = {
        "normal": rng.normal,
        "ties": lambda size: np.round(rng.normal(size=size), 1),
        "cauchy": rng.standard_cauchy,
    }
    z = draw[kind](size=(230, 1))
    n_x = 100
    masks = np.array([rng.permutation(230) < n_x for _ in range(25)])
    w = np.where(masks, 1 / n_x, -1 / 130)
    dense = -(n_x * 130 / 230) * np.einsum("bi,bi->b", w @ cdist(z, z), w)
    np.testing.assert_allclose(S.EnergyDistance().bind(z, n_x)(masks), dense, rtol=1e-12)
    res = ts.energy_test(z[:n_x, 0], z[n_x:, 0], n_resamples=499, rng=4)
    wide = ts.energy_test(np.c_[z[:n_x], np.zeros(n_x)], np.c_[z[n_x:], np.zeros(130)], n_resamples=499, rng=4)
    assert res.pvalue == wide.pvalue  # a constant second column: the matrix form, the same distances
    np.testing.assert_allclose(res.null_distribution, wide.null_distribution, rtol=1e-12)


def test_energy_statistic_matches_definition_in_3d():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(20, 3)), rng.normal(size=(15, 3))
    n, m = len(x), len(y)
    direct = 2 * cdist(x, y).mean() - cdist(x, x).mean() - cdist(y, y).mean()
    assert S.EnergyDistance()(x, y) == pytest.approx(n * m / (n + m) * direct, rel=1e-10)


def test_hotelling_matches_pooled_covariance_formula():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(30, 4)), rng.normal(size=(25, 4)) + 0.3
    n, m = len(x), len(y)
    pooled_cov = ((n - 1) * np.cov(x.T) + (m - 1) * np.cov(y.T)) / (n + m - 2)
    delta = x.mean(0) - y.mean(0)
    direct = n * m / (n + m) * delta @ np.linalg.solve(pooled_cov, delta)
    assert S.HotellingT2()(x, y) == pytest.approx(direct, rel=1e-10)
    res = ts.hotelling_test(x, y, method="analytic")
    d, big_n = 4, n + m
    f_stat = (big_n - d - 1) / (d * (big_n - 2)) * direct
    assert res.pvalue == pytest.approx(stats.f.sf(f_stat, d, big_n - d - 1), rel=1e-10)


def test_mean_and_meanvar_and_moments_match_definitions():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(40, 2)), rng.normal(size=(30, 2)) * 1.3
    assert S.MeanDifference()(x, y) == pytest.approx(np.linalg.norm(x.mean(0) - y.mean(0)), rel=1e-12)
    z = np.vstack([x, y])
    s = z.std(0)
    direct = (((x.mean(0) - y.mean(0)) / s) ** 2).sum() + (((x.var(0, ddof=1) - y.var(0, ddof=1)) / s**2) ** 2).sum()
    assert S.MeanVariance()(x, y) == pytest.approx(direct, rel=1e-10)
    # Moments of order 1 is the squared, scaled mean difference of the standardised data.
    zs = (z - z.mean(0)) / s
    se2 = zs.var(0) * (1 / 40 + 1 / 30)
    direct1 = ((zs[:40].mean(0) - zs[40:].mean(0)) ** 2 / se2).sum()
    assert S.Moments(1)(x, y) == pytest.approx(direct1, rel=1e-10)


# --- exact nulls equal SciPy's exact nulls ---------------------------------------------


def test_ks_permutation_exact_matches_scipy_exact():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=7), rng.normal(0.8, 1, size=6)
    res = ts.ks_test(x, y, n_resamples=math.comb(13, 6))
    assert res.method == "exact"
    assert res.pvalue == pytest.approx(stats.ks_2samp(x, y, method="exact").pvalue, rel=1e-9)


def test_cvm_permutation_exact_matches_scipy_exact():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=7), rng.normal(0.8, 1, size=6)
    res = ts.cvm_test(x, y, n_resamples=10_000)
    assert res.method == "exact"
    assert res.pvalue == pytest.approx(stats.cramervonmises_2samp(x, y, method="exact").pvalue, rel=1e-9)


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_mannwhitney_permutation_exact_matches_scipy_exact(alternative):
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=7), rng.normal(0.5, 1, size=6)
    res = ts.mannwhitney_test(x, y, alternative=alternative, n_resamples=10_000)
    ref = stats.mannwhitneyu(x, y, alternative=alternative, method="exact")
    assert res.method == "exact"
    assert res.pvalue == pytest.approx(ref.pvalue, rel=1e-9)


def test_swapping_samples_exact_same_pvalue(samples):
    x, y = samples[0][:7], samples[1][:6]
    for test in (ts.ks_test, ts.energy_test, ts.mean_difference_test, ts.anderson_test):
        assert test(x, y).pvalue == pytest.approx(test(y, x).pvalue, rel=1e-12)


# --- analytic nulls are SciPy's --------------------------------------------------------


def test_analytic_methods_are_scipys(samples):
    x, y = samples
    assert ts.t_test(x, y, method="analytic").pvalue == pytest.approx(
        stats.ttest_ind(x, y, equal_var=False).pvalue, rel=1e-12
    )
    assert ts.ks_test(x, y, method="exact").pvalue == pytest.approx(
        stats.ks_2samp(x, y, method="exact").pvalue, rel=1e-12
    )
    assert ts.ks_test(x, y, method="asymptotic").pvalue == pytest.approx(
        stats.ks_2samp(x, y, method="asymp").pvalue, rel=1e-12
    )
    assert ts.cvm_test(x, y, method="asymptotic").pvalue == pytest.approx(
        stats.cramervonmises_2samp(x, y, method="asymptotic").pvalue, rel=1e-12
    )
    assert ts.mannwhitney_test(x, y, method="asymptotic").pvalue == pytest.approx(
        stats.mannwhitneyu(x, y, method="asymptotic").pvalue, rel=1e-12
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # SciPy's p-value floor/cap notice
        ad = ts.anderson_test(x, y, method="table")
        ref = scipy_anderson_midrank(x, y)
    assert ad.pvalue == pytest.approx(ref.pvalue)
    assert ad.statistic == pytest.approx(ref.statistic)


def test_anderson_limit_law_matches_the_published_points_and_a_simulation():
    from twosample.classical._nulls import anderson_limit_isf, anderson_limit_sf

    # Anderson and Darling (1954): upper 10%, 5%, 2.5% and 1% points 1.933, 2.492, 3.070, 3.857, to the
    # accuracy of their tables (the simulation below agrees with the series: 0.02516 and 0.01025 at the
    # last two, 1e6 draws, where the series gives 0.02522 and 0.01024)
    for point, level in [(1.933, 0.10), (2.492, 0.05), (3.070, 0.025), (3.857, 0.01)]:
        assert anderson_limit_sf(point) == pytest.approx(level, abs=3e-4)
        assert anderson_limit_sf(anderson_limit_isf(level)) == pytest.approx(level, rel=1e-9)
    # sum_j chi2_1 / (j (j + 1)), simulated (1,000 terms, the rest by its mean)
    rng = np.random.default_rng(0)
    weights = 1.0 / (np.arange(1, 1001) * np.arange(2, 1002))
    draws = rng.standard_normal((40_000, 1000)) ** 2 @ weights + 1.0 / 1001
    for z in (0.5, 1.0, 2.0, 4.0):
        p = np.mean(draws > z)
        assert abs(anderson_limit_sf(z) - p) < 4 * np.sqrt(p * (1 - p) / len(draws))
    # the tail's expansion beyond 20 continues the series
    assert anderson_limit_sf(20.0 + 1e-9) == pytest.approx(anderson_limit_sf(20.0), rel=2e-3)
    assert anderson_limit_sf(0.0) == 1.0 and 0.0 < anderson_limit_sf(300.0) < 1e-120


def test_anderson_asymptotic_threshold_agrees_with_its_pvalue():
    rng = np.random.default_rng(3)
    for shift in (0.0, 0.1, 0.2, 0.3):
        res = ts.anderson_test(rng.normal(shift, 1, 300), rng.normal(size=250), method="asymptotic", alpha=0.05)
        assert res.reject == (res.statistic > res.threshold) == (res.pvalue <= 0.05)


@pytest.mark.parametrize("test", [ts.cvm_test, ts.anderson_test])
def test_cvm_and_anderson_auto_take_the_asymptotic_null_only_where_it_is_accurate(test):
    big, tied = np.arange(200.0), np.repeat(np.arange(100.0), 2)
    assert test(big, big + 0.5).method == "asymptotic"
    assert test(big[:199], big[:199] + 0.5, n_resamples=99).method == "permutation"
    assert test(tied, tied + 0.5, n_resamples=99).method == "permutation"


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_analytic_t_threshold_agrees_with_pvalue(alternative):
    rng = np.random.default_rng(8)
    for _trial in range(30):
        x, y = rng.normal(rng.uniform(-1, 1), 1, 20), rng.normal(0, 2, 25)
        res = ts.t_test(x, y, alternative=alternative, method="analytic")
        if alternative == "two-sided":
            by_threshold = not (res.threshold[0] <= res.statistic <= res.threshold[1])
        elif alternative == "greater":
            by_threshold = res.statistic > res.threshold
        else:
            by_threshold = res.statistic < res.threshold
        assert by_threshold == res.reject


def test_asymptotic_ks_and_hotelling_thresholds_agree_with_pvalue():
    rng = np.random.default_rng(9)
    for _ in range(30):
        x, y = rng.normal(rng.uniform(0, 0.8), 1, 60), rng.normal(0, 1, 50)
        res = ts.ks_test(x, y, method="asymptotic")
        assert (res.statistic > res.threshold) == res.reject
        xm, ym = rng.normal(size=(40, 3)) + rng.uniform(0, 0.6), rng.normal(size=(35, 3))
        res = ts.hotelling_test(xm, ym, method="analytic")
        assert (res.statistic > res.threshold) == res.reject


# --- behaviour -------------------------------------------------------------------------


NUMERIC = [name for name, info in ts.TESTS.items() if info.kinds == ("numeric",)]


@pytest.mark.parametrize("name", NUMERIC)
def test_every_test_detects_a_clear_difference(name):
    # Guards against a test that can never reject: a 1.5-sd shift at n = 60.
    rng = np.random.default_rng(10)
    x, y = rng.normal(0, 1, 60), rng.normal(1.5, 1, 60)
    info = ts.TESTS[name]
    if not info.resampling:  # asymptotic null: the linear-time MMD uses only 30 pairs here
        x, y = rng.normal(0, 1, 2000), rng.normal(1.5, 1, 2000)
        res = info(x, y, rng=0)
        assert res.reject and res.pvalue < 1e-6 and res.test == name
        return
    res = info(x, y, n_resamples=499, rng=0)
    assert res.test == name
    if res.method == "wild bootstrap":  # MMDAggInc: the min-p statistic is discrete and ties among
        # the B2 draws at its smallest value (p_lambda = 1/(B1+1) for some bandwidth), so p > 1/(B2+1)
        assert res.reject and res.statistic == min(res.null_distribution.min(), res.statistic)
        assert res.pvalue == (1 + np.count_nonzero(res.null_distribution <= res.statistic)) / 251
        return
    if res.method == "asymptotic":  # an asymptotic default beside a permutation option (me, scf): they test
        # the held-out half only (30 + 30 rows here) on 5 or 10 features, with Hotelling's F null
        assert res.reject and res.pvalue < 1e-4
        return
    if res.method == "exact":  # method="auto" took SciPy's exact null (no ties in this data)
        assert res.reject and res.pvalue < 1e-6
        return
    if res.method == "sequential permutation":  # mmd-agg stops early: none of the first 399 relabellings
        # reached the statistic (the rejection look at alpha = 0.05), p = 1 / 400
        assert res.reject and res.n_resamples == 399 and res.pvalue == pytest.approx(1 / 400)
        return
    smallest = 2 / 500 if res.alternative == "two-sided" else 1 / 500
    assert res.reject and res.pvalue == pytest.approx(smallest)


@pytest.mark.parametrize("name", NUMERIC)
def test_constant_samples_warn_and_do_not_reject(name):
    x = np.full(10, 3.0)
    extra = {"n_resamples": 99} if ts.TESTS[name].resampling else {}
    with pytest.warns(ts.DegenerateDataWarning, match="pooled sample is constant"):
        res = ts.TESTS[name](x, x.copy(), rng=0, **extra)
    assert res.pvalue == 1.0 and not res.reject
    assert np.isfinite(res.statistic)


@pytest.mark.parametrize("name", [n for n in NUMERIC if len(ts.TESTS[n].methods) > 1])
def test_constant_samples_with_analytic_null(name):
    x = np.full(10, 3.0)
    info = ts.TESTS[name]
    method = next(m for m in info.methods if m not in ("auto", "permutation", "crossfit"))
    with pytest.warns(ts.DegenerateDataWarning):
        res = info(x, x.copy(), **{info.method_parameter: method})
    assert res.pvalue == 1.0 and res.null_distribution is None and res.n_resamples == 0


def test_constant_column_is_ignored_by_multivariate_tests():
    rng = np.random.default_rng(11)
    x, y = rng.normal(size=(30, 2)), rng.normal(size=(30, 2)) + [0.9, 0]
    x[:, 1] = 5.0
    y[:, 1] = 5.0
    for test in (ts.mean_variance_test, ts.moments_test, ts.hotelling_test):
        res = test(x, y, n_resamples=199, rng=0)
        ref = test(x[:, :1], y[:, :1], n_resamples=199, rng=0)
        assert res.pvalue == ref.pvalue


def test_hotelling_needs_more_rows_than_features():
    rng = np.random.default_rng(12)
    with pytest.raises(ValueError, match="needs more observations than features"):
        ts.hotelling_test(rng.normal(size=(3, 6)), rng.normal(size=(3, 6)))
    x, y = rng.normal(size=(20, 2)), rng.normal(size=(20, 2))
    x = np.column_stack([x, x[:, 0] + x[:, 1]])
    y = np.column_stack([y, y[:, 0] + y[:, 1]])
    with pytest.raises(ValueError, match="pooled covariance is singular"):
        ts.hotelling_test(x, y)


def test_univariate_tests_reject_multivariate_input():
    x = np.zeros((10, 2))
    for info in ts.TESTS.values():
        if not info.multivariate and info.kinds == ("numeric",):
            with pytest.raises(ValueError, match="this test is for 1-D samples"):
                info(x, x)


def test_moments_order_is_validated():
    with pytest.raises(ValueError, match="`order` must be a positive integer"):
        ts.moments_test([1.0, 2, 3], [2.0, 3, 4], order=0)


def test_unknown_method_is_rejected():
    with pytest.raises(ValueError, match="`method` must be one of 'auto', 'permutation', 'exact', 'asymptotic'"):
        ts.ks_test([1.0, 2, 3], [2.0, 3, 4], method="bootstrap")


def test_moments_test_sees_gaussian_vs_laplace_but_mean_test_does_not():
    rng = np.random.default_rng(13)
    x, y = rng.normal(size=3000), rng.laplace(scale=1 / np.sqrt(2), size=3000)
    assert ts.moments_test(x, y, n_resamples=499, rng=0).reject
    assert ts.energy_test(x[:1000], y[:1000], n_resamples=499, rng=0).reject


def test_mannwhitney_auto_takes_the_asymptotic_null_only_where_it_is_accurate():
    rng = np.random.default_rng(11)
    x, y = rng.normal(size=300), rng.normal(0.2, 1, 300)  # untied, n m = 90,000 > the exact null's limit
    res = ts.mannwhitney_test(x, y)
    assert res.method == "asymptotic"
    assert res.pvalue == stats.mannwhitneyu(x, y, method="asymptotic").pvalue
    # ties, or a sample under 50 rows: the permutation null (the asymptotic one is no more accurate there)
    assert ts.mannwhitney_test(np.round(x), np.round(y), n_resamples=99, rng=0).method == "permutation"
    assert ts.mannwhitney_test(x[:40], rng.normal(size=2000), n_resamples=99, rng=0).method == "permutation"
    assert ts.mannwhitney_test(x[:150], y[:150]).method == "exact"  # n m = 22,500, untied: exact as before


def test_the_null_that_auto_takes_is_logged_at_debug(caplog):
    import logging

    with caplog.at_level(logging.DEBUG, logger="twosample"):
        ts.mannwhitney_test(np.arange(5.0), np.arange(6.0) + 0.5)
    assert "method='auto' took the exact null (n = 5, m = 6, ties: False)" in caplog.text


def test_welch_null_terms_are_the_pooled_skewness_and_kurtosis_scaled_by_the_sizes():
    from twosample.classical._nulls import welch_null_terms

    rng = np.random.default_rng(3)
    x, y = rng.exponential(size=40), rng.exponential(size=120)
    pooled = np.r_[x, y]
    skew_term, kurt_term = welch_null_terms(x, y)
    assert skew_term == pytest.approx(abs(stats.skew(pooled)) * 80 / np.sqrt(40 * 120 * 160))
    assert kurt_term == pytest.approx(abs(stats.kurtosis(pooled)) * 160 / (40 * 120))
    assert welch_null_terms(x, x[::-1])[0] == 0.0  # equal sizes: relabelling makes the statistic symmetric
    assert welch_null_terms(np.ones(5), np.ones(5)) == (0.0, 0.0)


def test_hotelling_null_terms_are_mardias_skewness_and_kurtosis_scaled_by_the_sizes():
    from twosample.classical._nulls import hotelling_null_terms, welch_null_terms

    rng = np.random.default_rng(5)
    x, y = rng.exponential(size=(40, 3)), rng.exponential(size=(90, 3)) @ [[1, 0.5, 0], [0, 1, 0], [0, 0.2, 1]]
    pooled = np.vstack([x, y])
    centred = pooled - pooled.mean(axis=0)
    gram = centred @ np.linalg.solve(centred.T @ centred / len(pooled), centred.T)  # Mardia's d_i' S^-1 d_j
    b1, b2 = np.mean(gram**3), np.mean(np.diag(gram) ** 2)
    skew_term, kurt_term = hotelling_null_terms(x, y)
    assert skew_term == pytest.approx(np.sqrt(b1) * 50 / np.sqrt(40 * 90 * 130))
    assert kurt_term == pytest.approx(abs(b2 - 15) * 130 / (40 * 90))
    assert hotelling_null_terms(x[:, :1], y[:, :1]) == pytest.approx(welch_null_terms(x[:, 0], y[:, 0]))
    assert hotelling_null_terms(np.ones((5, 2)), np.ones((6, 2))) == (0.0, 0.0)


def test_hotelling_auto_takes_the_f_null_only_where_it_was_measured_as_accurate():
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(300, 3)), rng.normal(0.1, 1, size=(300, 3))
    res = ts.hotelling_test(x, y)
    assert res.method == "analytic"
    assert res.pvalue == ts.hotelling_test(x, y, method="analytic").pvalue
    kept = {
        "too few rows": (x[:199], y[:199]),
        "too many columns": (rng.normal(size=(300, 11)), rng.normal(size=(300, 11))),
        "heavy tails": (rng.standard_t(3, size=(1000, 2)), rng.standard_t(3, size=(1000, 2))),
        "skewed and unequal sizes": (rng.exponential(size=(200, 2)), rng.exponential(size=(2000, 2))),
    }
    for why, (a, b) in kept.items():
        assert ts.hotelling_test(a, b, n_resamples=99, rng=0).method == "permutation", why


def test_t_auto_takes_scipys_null_only_where_it_was_measured_as_accurate():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=600), rng.normal(0.1, 1, size=600)
    res = ts.t_test(x, y)
    assert res.method == "analytic" and res.pvalue == pytest.approx(stats.ttest_ind(x, y, equal_var=False).pvalue)
    kept = {
        "too few rows": (x[:499], y[:499]),
        "ties": (np.round(x, 1), np.round(y, 1)),
        "a heavy tail": (np.r_[x[:-1], 80.0], y),
        "skewed and unequal sizes": (rng.exponential(size=500), rng.exponential(size=2000)),
    }
    for why, (a, b) in kept.items():
        assert ts.t_test(a, b, n_resamples=99, rng=0).method == "permutation", why
