"""The categorical family: statistics against SciPy, the conditional null against the permutation of rows."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import twosample as ts
from twosample.categorical.statistics import ChiSquare


def _labels(rng, n, probs, names="abcdefghij"):
    return rng.choice(np.array(list(names[: len(probs)]), dtype=object), n, p=probs)


def _chi2_of_rows(a, b):
    """Pearson's chi-square from two arrays of integer codes (for the permutation engine on rows)."""
    ta, tb = np.bincount(a.astype(int), minlength=3), np.bincount(b.astype(int), minlength=3)
    keep = (ta + tb) > 0
    return ChiSquare().value(ta[keep], tb[keep])


def test_exact_table_null_is_the_exact_permutation_null_of_the_rows():
    rng = np.random.default_rng(1)
    x, y = rng.integers(0, 3, 12), rng.integers(0, 3, 9)
    tables = ts.chi2_test(x, y, method="exact")
    rows = ts.permutation_test(x.astype(float), y.astype(float), _chi2_of_rows, n_resamples=10**6)
    assert rows.method == "exact" and tables.method == "exact"
    assert tables.statistic == pytest.approx(rows.statistic)
    assert tables.pvalue == pytest.approx(rows.pvalue, rel=1e-12)


def test_monte_carlo_tables_agree_with_the_exact_null():
    rng = np.random.default_rng(2)
    x, y = rng.integers(0, 3, 12), rng.integers(0, 3, 9)
    exact = ts.chi2_test(x, y, method="exact").pvalue
    mc = ts.chi2_test(x, y, method="permutation", n_resamples=20000, rng=3).pvalue
    assert abs(mc - exact) < 4 * np.sqrt(exact * (1 - exact) / 20000)


@pytest.mark.parametrize("lambda_, test", [("pearson", ts.chi2_test), ("log-likelihood", ts.g_test)])
def test_asymptotic_null_is_scipys(lambda_, test):
    rng = np.random.default_rng(4)
    x, y = _labels(rng, 80, [0.5, 0.3, 0.2]), _labels(rng, 60, [0.3, 0.3, 0.4])
    table = np.array([[np.sum(x == c) for c in "abc"], [np.sum(y == c) for c in "abc"]])
    ref = stats.chi2_contingency(table, correction=False, lambda_=lambda_)
    res = test(x, y, method="asymptotic")
    assert res.statistic == pytest.approx(ref.statistic) and res.pvalue == pytest.approx(ref.pvalue)


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_fisher_is_scipys(alternative):
    x = [True] * 8 + [False] * 2
    y = [True] * 3 + [False] * 9
    ref = stats.fisher_exact([[8, 2], [3, 9]], alternative=alternative)
    res = ts.fisher_test(x, y, alternative=alternative)
    assert res.statistic == pytest.approx(ref.statistic) and res.pvalue == pytest.approx(ref.pvalue)


def test_fisher_needs_two_labels():
    with pytest.raises(ValueError, match="Fisher's test is for two"):
        ts.fisher_test(["a", "b", "c"], ["a", "b"])


def test_ordinal_statistics_are_scipys_and_ties_are_exact():
    rng = np.random.default_rng(5)
    x, y = rng.integers(1, 6, 9), rng.integers(2, 6, 8)
    assert ts.ordinal_mwu_test(x, y).statistic == pytest.approx(stats.mannwhitneyu(x, y).statistic)
    assert ts.ordinal_ks_test(x, y).statistic == pytest.approx(stats.ks_2samp(x, y).statistic)
    rows = ts.mannwhitney_test(x.astype(float), y.astype(float), method="permutation", n_resamples=10**6)
    tables = ts.ordinal_mwu_test(x, y, method="exact")
    assert rows.method == "exact" and tables.pvalue == pytest.approx(rows.pvalue, rel=1e-9)


def test_ordered_categorical_keeps_its_order():
    cats = pd.CategoricalDtype(["low", "mid", "high"], ordered=True)
    x = pd.Series(["low"] * 10 + ["mid"] * 5 + ["high"] * 2, dtype=cats)
    y = pd.Series(["low"] * 2 + ["mid"] * 5 + ["high"] * 10, dtype=cats)
    res = ts.ordinal_mwu_test(x, y, alternative="less")
    codes_x, codes_y = x.cat.codes.to_numpy(), y.cat.codes.to_numpy()
    assert res.statistic == pytest.approx(stats.mannwhitneyu(codes_x, codes_y).statistic)
    assert res.reject


def test_result_does_not_depend_on_batch_row_order_or_label_spelling():
    rng = np.random.default_rng(6)
    x, y = _labels(rng, 300, [0.4, 0.3, 0.2, 0.1]), _labels(rng, 250, [0.35, 0.3, 0.2, 0.15])
    base = ts.tvd_test(x, y, method="permutation", n_resamples=2999, rng=7)
    assert ts.tvd_test(x, y, method="permutation", n_resamples=2999, rng=7, batch=17).pvalue == base.pvalue
    assert ts.tvd_test(
        rng.permutation(x), rng.permutation(y), method="permutation", n_resamples=2999, rng=7
    ).pvalue == (base.pvalue)
    assert ts.tvd_test(pd.Categorical(x), list(y), method="permutation", n_resamples=2999, rng=7).pvalue == base.pvalue


def test_early_stop_gives_an_exact_sequential_pvalue():
    rng = np.random.default_rng(8)
    x, y = _labels(rng, 400, [0.5, 0.5]), _labels(rng, 400, [0.3, 0.7])
    res = ts.chi2_test(x, y, method="permutation", early_stop=True, rng=1)
    assert res.method == "sequential permutation" and res.n_resamples == 399 and res.reject


def test_unseen_and_rare_levels_are_data():
    x = ["a"] * 20 + ["b"] * 5
    y = ["a"] * 20 + ["b"] * 3 + ["new"] * 2
    for test in (ts.chi2_test, ts.g_test, ts.tvd_test):
        res = test(x, y, rng=0)
        assert 0 < res.pvalue <= 1 and np.isfinite(res.statistic)


def test_cost_per_draw_does_not_grow_with_rows():
    # 2 x 10^6 rows: counting is one pass; 999 draws of a 3-level table are then instant
    rng = np.random.default_rng(9)
    x, y = rng.integers(0, 3, 10**6), rng.integers(0, 3, 10**6)
    res = ts.chi2_test(x, y, method="permutation", n_resamples=999, rng=0)
    assert res.n_x == res.n_y == 10**6 and res.n_resamples == 999


def test_nan_policy_on_labels():
    x, y = ["a", None, "b", "a"], ["b", "b", np.nan, "a"]
    with pytest.raises(ValueError, match="`x` contains missing values"):
        ts.chi2_test(x, y)
    omitted = ts.chi2_test(x, y, nan_policy="omit")
    assert omitted.pvalue == ts.chi2_test(["a", "b", "a"], ["b", "b", "a"]).pvalue
    propagated = ts.chi2_test(x, y, nan_policy="propagate")
    assert np.isnan(propagated.pvalue) and not propagated.reject
    with pytest.raises(ValueError, match="`nan_policy`"):
        ts.chi2_test(x, y, nan_policy="drop")


def test_labels_of_two_kinds_are_an_error():
    with pytest.raises(ValueError, match="`x` holds numbers and `y` holds text"):
        ts.chi2_test([1, 2, 3], ["a", "b", "c"])


def test_level_of_the_exact_null_where_the_asymptotic_one_fails():
    # expected counts below 1 (10 levels, geometric, n = m = 15): the exact conditional null keeps its level
    rng = np.random.default_rng(10)
    probs = 0.5 ** np.arange(1, 11)
    probs /= probs.sum()
    reps, exact = 400, 0
    for _ in range(reps):
        x, y = _labels(rng, 15, probs), _labels(rng, 15, probs)
        exact += ts.chi2_test(x, y, n_resamples=499, rng=rng).reject
    assert exact <= stats.binom.ppf(0.995, reps, 0.05)


@pytest.mark.parametrize("rows", [10**4, 10**8])
def test_drawn_tables_and_their_chi_square_are_right_at_any_size(rows):
    # under the conditional null the chi-square of a 2 x 10 table has mean 9 (within 0.5: 5 standard errors);
    # at 10^8 rows it was 48,749: the statistic multiplied counts in int64 and overflowed
    from twosample.core.count_tables import _random_tables

    totals = np.full(10, rows // 10)
    tables = np.vstack(list(_random_tables(totals, rows // 2, 2000, np.random.default_rng(0))))
    assert (tables.sum(axis=1) == rows // 2).all() and (tables <= totals).all() and (tables >= 0).all()
    chi2 = ChiSquare().bind(totals, rows // 2)(tables)
    assert abs(chi2.mean() - 9) < 0.5
    first = tables[:, 0]
    assert abs(first.mean() - rows / 20) < 5 * np.sqrt(rows / 20 * 0.9 * 0.5 / 2000)


@pytest.mark.parametrize("test", [ts.chi2_test, ts.g_test])
def test_auto_takes_the_chi_square_null_only_where_it_was_measured_accurate(test):
    """bench_chi2_null.py's rule: at least 4 levels and every expected count >= 100 (200 with 4 levels);
    elsewhere the exact (few tables) or Monte Carlo conditional null."""
    rng = np.random.default_rng(11)
    five = [0.2] * 5
    x, y = _labels(rng, 5000, five), _labels(rng, 5000, [0.3, 0.1, 0.2, 0.2, 0.2])  # smallest expected ~750
    res = test(x, y, rng=0)
    assert res.method == "asymptotic" and res.pvalue == test(x, y, method="asymptotic").pvalue < 1e-20
    few = test(_labels(rng, 300, five), _labels(rng, 300, five), rng=0)  # expected ~60 < 100: Monte Carlo
    assert few.method == "permutation"
    two = test(_labels(rng, 5000, [0.5, 0.5]), _labels(rng, 5000, [0.5, 0.5]), rng=0)  # 2 levels: lattice
    assert two.method in ("exact", "permutation")
    four = [0.25] * 4  # 4 levels: expected 250 from n = m = 1,000 passes, 150 (n = m = 600) does not
    assert test(_labels(rng, 1000, four), _labels(rng, 1000, four), rng=0).method == "asymptotic"
    assert test(_labels(rng, 600, four), _labels(rng, 600, four), rng=0).method == "permutation"


@pytest.mark.parametrize("test", [ts.chi2_test, ts.g_test])
def test_level_of_auto_where_it_is_the_chi_square_null(test):
    # 5 equally likely levels, n = m = 1,000 (expected counts ~200): the asymptotic path, 2,000 repetitions
    rng = np.random.default_rng(12)
    reps, rejections = 2000, 0
    for _ in range(reps):
        res = test(_labels(rng, 1000, [0.2] * 5), _labels(rng, 1000, [0.2] * 5), rng=rng)
        assert res.method == "asymptotic"
        rejections += res.reject
    low, high = stats.binom.interval(0.99, reps, 0.05)
    assert low <= rejections <= high
