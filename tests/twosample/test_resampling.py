"""The permutation engine: exactness against SciPy, p-value rules, invariances."""

import math

import numpy as np
import pytest
from scipy import stats

from twosample import PermutationStatistic, permutation_test
from twosample.classical.statistics import MeanDifference
from twosample.core.resampling import _random_splits


def signed_mean_diff(x, y, axis=-1):
    return np.mean(x, axis=axis) - np.mean(y, axis=axis)


class SignedMeanDiff(PermutationStatistic):
    """Vectorised twin of signed_mean_diff for 1-D data."""

    def bind(self, pooled, n_x):
        z = pooled[:, 0]
        n_y = len(z) - n_x

        def evaluate(masks):
            sx = masks @ z
            return sx / n_x - (z.sum() - sx) / n_y

        return evaluate


@pytest.mark.parametrize("alternative", ["greater", "less", "two-sided"])
@pytest.mark.parametrize("vectorised", [False, True])
def test_exact_matches_scipy_permutation_test(alternative, vectorised):
    rng = np.random.default_rng(1)
    x, y = rng.normal(0.3, 1, 7), rng.normal(0, 1, 6)
    ref = stats.permutation_test(
        (x, y),
        signed_mean_diff,
        permutation_type="independent",
        vectorized=True,
        n_resamples=np.inf,
        alternative=alternative,
    )
    stat = SignedMeanDiff() if vectorised else (lambda a, b: a.mean() - b.mean())
    res = permutation_test(x, y, stat, alternative=alternative, n_resamples=10_000)
    assert res.method == "exact"
    assert res.n_resamples == math.comb(13, 7)
    assert res.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert res.pvalue == pytest.approx(ref.pvalue, rel=1e-12)
    np.testing.assert_allclose(np.sort(res.null_distribution), np.sort(ref.null_distribution), rtol=1e-10, atol=1e-12)


def test_exact_uses_no_plus_one_and_monte_carlo_does():
    x, y = [10.0, 11.0, 12.0], [0.0, 1.0, 2.0]  # the most extreme of C(6,3) = 20 splits
    exact = permutation_test(x, y, lambda a, b: a.mean() - b.mean(), n_resamples=20)
    assert exact.method == "exact" and exact.pvalue == pytest.approx(1 / 20)
    mc = permutation_test(x, y, lambda a, b: a.mean() - b.mean(), n_resamples=19, rng=0)
    assert mc.method == "permutation"
    count = np.count_nonzero(mc.null_distribution >= mc.statistic)
    assert mc.pvalue == pytest.approx((1 + count) / 20)


def test_monte_carlo_pvalue_never_zero():
    rng = np.random.default_rng(0)
    res = permutation_test(rng.normal(5, 1, 200), rng.normal(0, 1, 200), MeanDifference(), n_resamples=99, rng=1)
    assert res.pvalue == pytest.approx(1 / 100)
    assert res.reject


@pytest.mark.parametrize("alternative", ["greater", "less", "two-sided"])
def test_threshold_agrees_with_pvalue(alternative):
    rng = np.random.default_rng(3)
    for trial in range(40):
        shift = rng.uniform(-0.8, 0.8)
        x, y = rng.normal(shift, 1, 30), rng.normal(0, 1, 25)
        res = permutation_test(x, y, SignedMeanDiff(), alternative=alternative, n_resamples=199, rng=trial)
        if alternative == "greater":
            by_threshold = res.statistic > res.threshold
        elif alternative == "less":
            by_threshold = res.statistic < res.threshold
        else:
            lo, hi = res.threshold
            by_threshold = res.statistic < lo or res.statistic > hi
        assert by_threshold == res.reject, (trial, res)


def test_threshold_is_the_right_order_statistic():
    rng = np.random.default_rng(0)
    res = permutation_test(
        rng.normal(size=40), rng.normal(size=40), MeanDifference(), n_resamples=999, rng=0, alpha=0.05
    )
    # p <= 0.05 <=> at most 49 null values >= t, so t_alpha is the 50th largest.
    assert res.threshold == np.sort(res.null_distribution)[::-1][49]


@pytest.mark.parametrize("batch", [1, 7, 1000])
def test_result_independent_of_batch(batch):
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(40, 3)), rng.normal(0.2, 1, size=(35, 3))
    ref = permutation_test(x, y, MeanDifference(), n_resamples=500, rng=11)
    res = permutation_test(x, y, MeanDifference(), n_resamples=500, rng=11, batch=batch)
    assert res.pvalue == ref.pvalue
    # Same relabellings; only BLAS rounding (matrix-vector vs matrix-matrix) may differ.
    np.testing.assert_allclose(res.null_distribution, ref.null_distribution, rtol=1e-12)


def test_exact_enumeration_independent_of_batch():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=6), rng.normal(size=5)
    a = permutation_test(x, y, SignedMeanDiff(), n_resamples=1000, batch=1)
    b = permutation_test(x, y, SignedMeanDiff(), n_resamples=1000, batch=7)
    assert a.method == b.method == "exact"
    assert a.pvalue == b.pvalue
    np.testing.assert_allclose(a.null_distribution, b.null_distribution, rtol=1e-12)


def test_result_independent_of_row_order():
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(30, 2)), rng.normal(size=(25, 2))
    ref = permutation_test(x, y, MeanDifference(), n_resamples=300, rng=3)
    res = permutation_test(x[rng.permutation(30)], y[rng.permutation(25)], MeanDifference(), n_resamples=300, rng=3)
    assert res.pvalue == ref.pvalue


@pytest.mark.parametrize(
    "make_rng", [lambda: 42, lambda: np.random.SeedSequence(42), lambda: np.random.default_rng(42)]
)
def test_same_rng_same_result(make_rng):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=50), rng.normal(size=50)
    a = permutation_test(x, y, MeanDifference(), n_resamples=200, rng=make_rng())
    b = permutation_test(x, y, MeanDifference(), n_resamples=200, rng=make_rng())
    np.testing.assert_array_equal(a.null_distribution, b.null_distribution)


def test_different_rng_different_null():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=50), rng.normal(size=50)
    a = permutation_test(x, y, MeanDifference(), n_resamples=200, rng=1)
    b = permutation_test(x, y, MeanDifference(), n_resamples=200, rng=2)
    assert not np.array_equal(a.null_distribution, b.null_distribution)


def test_random_splits_are_uniform():
    # Each of the N rows should land in x with probability n/N; and each mask has exactly n.
    rng = np.random.default_rng(0)
    masks = np.vstack(list(_random_splits(10, 4, 20000, 3000, rng)))
    assert (masks.sum(axis=1) == 4).all()
    freq = masks.mean(axis=0)
    assert np.abs(freq - 0.4).max() < 4 * np.sqrt(0.4 * 0.6 / 20000)
    # Every one of the C(10, 4) = 210 subsets appears at a rate consistent with 1/210.
    codes = masks @ (1 << np.arange(10))
    counts = np.unique(codes, return_counts=True)[1]
    assert len(counts) == 210
    assert stats.chisquare(counts).pvalue > 1e-3


def test_callable_gets_1d_arrays_for_1d_input():
    seen = []

    def stat(a, b):
        seen.append((a.ndim, b.ndim))
        return a.mean() - b.mean()

    permutation_test([1.0, 2, 3], [4.0, 5, 6], stat, n_resamples=30)
    assert set(seen) == {(1, 1)}
    seen.clear()
    permutation_test([[1.0], [2], [3]], [[4.0], [5], [6]], stat, n_resamples=30)
    assert set(seen) == {(2, 2)}


def test_bad_statistic_is_rejected():
    with pytest.raises(TypeError, match="`statistic` must be a callable"):
        permutation_test([1.0, 2, 3], [4.0, 5, 6], "mean")
    with pytest.raises(ValueError, match="`statistic` must return a real scalar"):
        permutation_test([1.0, 2, 3], [4.0, 5, 6], lambda a, b: "big")
    with pytest.raises(ValueError, match="statistic is NaN on the observed"):
        permutation_test([1.0, 2, 3], [4.0, 5, 6], lambda a, b: np.nan)
