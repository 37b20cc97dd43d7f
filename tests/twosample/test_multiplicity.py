"""adjust_pvalues and the binomial intervals equal statsmodels', which the core install no longer needs."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from twosample.study.multiplicity import adjust_pvalues

PVALUES = st.lists(st.floats(0, 1) | st.sampled_from([0.0, 0.01, 0.05, 1.0]), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(PVALUES, st.sampled_from([("holm", "holm"), ("bonferroni", "bonferroni"), ("bh", "fdr_bh"), ("by", "fdr_by")]))
def test_adjusted_pvalues_are_statsmodels(pvalues, methods):
    ours, theirs = methods
    # atol: subnormal p-values (5e-324 * 9 / 2) have no relative precision left; they round either way
    expected = multipletests(pvalues, method=theirs)[1]
    np.testing.assert_allclose(adjust_pvalues(pvalues, ours), expected, rtol=1e-12, atol=1e-300)


def test_holm_by_hand_on_a_small_family():
    # sorted 0.01, 0.02, 0.04 times 3, 2, 1 -> 0.03, 0.04, 0.04 (monotone), back in the given order
    np.testing.assert_allclose(adjust_pvalues([0.04, 0.01, 0.02]), [0.04, 0.03, 0.04])
    assert adjust_pvalues([]).shape == (0,)


@pytest.mark.parametrize("bad", [[0.1, np.nan], [1.5], [-0.1]])
def test_pvalues_outside_zero_one_are_refused(bad):
    with pytest.raises(ValueError, match="`pvalues`"):
        adjust_pvalues(bad)


def test_an_unknown_method_is_named():
    with pytest.raises(ValueError, match="`method` must be one of holm, bonferroni, bh, by; got 'sidak'"):
        adjust_pvalues([0.1], "sidak")


@pytest.mark.parametrize("n", [1, 7, 120, 1000])
def test_clopper_pearson_and_wilson_intervals_are_statsmodels(n):
    for k in sorted({0, 1, n // 3, n - 1, n}):
        exact = stats.binomtest(k, n).proportion_ci(0.95, method="exact")
        wilson = stats.binomtest(k, n).proportion_ci(0.95, method="wilson")
        np.testing.assert_allclose((exact.low, exact.high), proportion_confint(k, n, 0.05, "beta"), atol=1e-12)
        np.testing.assert_allclose((wilson.low, wilson.high), proportion_confint(k, n, 0.05, "wilson"), atol=1e-12)
