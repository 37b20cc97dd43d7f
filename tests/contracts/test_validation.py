"""Bad input gets a clear error naming the argument; odd-but-legal input is accepted."""

import numpy as np
import pandas as pd
import pytest

import twosample as ts

GOOD = [0.1, 0.5, 0.9, 1.3]


@pytest.mark.parametrize(
    ("x", "error", "match"),
    [
        ([0.1, np.nan, 0.3], ValueError, r"`x` contains NaN or infinite values \(first at row 1\)"),
        ([0.1, np.inf, 0.3], ValueError, r"`x` contains NaN or infinite values"),
        ([], ValueError, r"`x` is empty"),
        ([1.0], ValueError, r"`x` needs at least 2 observations \(rows\), got 1"),
        (np.zeros((3, 2, 2)), ValueError, r"`x` must be 1-D \(n,\) or 2-D \(n, d\), got a 3-D array"),
        (5.0, ValueError, r"`x` must be a 1-D or 2-D array of observations, got a scalar"),
        (["a", "b", "c"], ValueError, r"`x` must be numeric"),
        ([1 + 2j, 3j, 1j], ValueError, r"`x` must be real, got complex values"),
        ([[1.0, 2.0], [3.0]], ValueError, r"`x` could not be read as an array"),
        (None, TypeError, r"`x` is required"),
    ],
)
def test_bad_x(x, error, match):
    with pytest.raises(error, match=match):
        ts.mean_difference_test(x, GOOD)


def test_bad_y_is_named():
    with pytest.raises(ValueError, match=r"`y` contains NaN"):
        ts.ks_test(GOOD, [1.0, np.nan])


def test_mismatched_dimensions():
    with pytest.raises(ValueError, match=r"`x` and `y` must have the same number of columns \(features\), got 2 and 3"):
        ts.energy_test(np.zeros((4, 2)), np.zeros((4, 3)))


@pytest.mark.parametrize("alpha", [0, 1, -0.1, 1.5])
def test_alpha_out_of_range(alpha):
    with pytest.raises(ValueError, match=r"`alpha` must be in \(0, 1\)"):
        ts.mean_difference_test(GOOD, GOOD, alpha=alpha)


@pytest.mark.parametrize("alpha", ["0.05", None, True])
def test_alpha_wrong_type(alpha):
    with pytest.raises(TypeError, match=r"`alpha` must be a real number in \(0, 1\)"):
        ts.mean_difference_test(GOOD, GOOD, alpha=alpha)


def test_alpha_checked_for_analytic_methods_too():
    with pytest.raises(ValueError, match=r"`alpha` must be in \(0, 1\)"):
        ts.t_test(GOOD, GOOD, method="analytic", alpha=2)


@pytest.mark.parametrize("n_resamples", [0, -5])
def test_n_resamples_non_positive(n_resamples):
    with pytest.raises(ValueError, match=r"`n_resamples` must be a positive integer"):
        ts.mean_difference_test(GOOD, GOOD, n_resamples=n_resamples)


@pytest.mark.parametrize("n_resamples", [2.5, "100", None])
def test_n_resamples_wrong_type(n_resamples):
    with pytest.raises(TypeError, match=r"`n_resamples` must be a positive integer"):
        ts.mean_difference_test(GOOD, GOOD, n_resamples=n_resamples)


@pytest.mark.parametrize("batch", [0, -1, 2.0])
def test_bad_batch(batch):
    with pytest.raises(ValueError, match=r"`batch` must be None or a positive integer"):
        ts.mean_difference_test(GOOD, GOOD, batch=batch)


def test_bad_alternative():
    with pytest.raises(ValueError, match=r"`alternative` must be one of 'greater', 'less', 'two-sided'; got 'bigger'"):
        ts.t_test(GOOD, GOOD, alternative="bigger")


@pytest.mark.parametrize(
    ("rng", "error", "match"),
    [
        ("seed", TypeError, r"`rng` must be None, an int"),
        (-1, ValueError, r"`rng` must be a non-negative integer seed"),
        (True, TypeError, r"`rng` must be None, an int, a SeedSequence or a Generator, got a bool"),
    ],
)
def test_bad_rng(rng, error, match):
    with pytest.raises(error, match=match):
        ts.mean_difference_test(GOOD, GOOD, rng=rng)


def test_unknown_registry_name():
    with pytest.raises(ValueError, match=r"`test` must be one of mean, meanvar"):
        ts.get_test("nope")


def test_lists_arrays_and_pandas_give_the_same_answer():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(30, 2)), rng.normal(size=(20, 2))
    ref = ts.energy_test(x, y, n_resamples=99, rng=0).pvalue
    assert ts.energy_test(x.tolist(), y.tolist(), n_resamples=99, rng=0).pvalue == ref
    assert ts.energy_test(pd.DataFrame(x), pd.DataFrame(y), n_resamples=99, rng=0).pvalue == ref
    x1, y1 = x[:, 0], y[:, 0]
    ref1 = ts.ks_test(x1, y1, n_resamples=99, rng=0).pvalue
    assert ts.ks_test(pd.Series(x1), pd.Series(y1), n_resamples=99, rng=0).pvalue == ref1
    assert ts.ks_test(x1[:, None], y1[:, None], n_resamples=99, rng=0).pvalue == ref1


def test_integer_and_boolean_data_are_numeric():
    res = ts.mannwhitney_test([1, 2, 3, 4, 5], [True, False, True, False], n_resamples=99, rng=0)
    assert res.n_x == 5 and res.n_y == 4
