"""Sequential Monte Carlo p-values (``early_stop=True``): level, decisions, reproducibility, errors."""

import numpy as np
import pytest
from scipy import stats

import twosample as ts
from twosample.core.early_stop import EarlyStop, Stop


def _u_model_pvalues(rule, reps, seed):
    """p-values of the rule when the observed statistic's rank is U ~ Uniform (H0, continuous)."""
    rng = np.random.default_rng(seed)
    out = np.empty(reps)
    for i in range(reps):
        exceed = rng.random(rule.n_resamples) < rng.random()
        out[i] = rule.pvalue(rule.stop(exceed))
    return out


@pytest.mark.parametrize(("n_resamples", "alpha"), [(1999, 0.05), (999, 0.1), (199, 0.05)])
def test_pvalue_is_super_uniform_under_the_null(n_resamples, alpha):
    rule = EarlyStop(n_resamples, alpha)
    pvalues = _u_model_pvalues(rule, 6000, seed=n_resamples)
    for u in (1 / (rule.reject_look + 1), 0.01, alpha, 0.2, 0.5):
        lo, hi = stats.binom.interval(0.999, len(pvalues), u)
        count = np.count_nonzero(pvalues <= u + 1e-12)
        assert count <= hi, (u, count / len(pvalues))
    # the rule spends the level: P(p <= alpha) is close to alpha, not far below
    assert np.mean(pvalues <= alpha) > 0.8 * alpha


def test_pvalue_formula_matches_a_direct_sum():
    rule = EarlyStop(1999, 0.05)
    look, big = rule.reject_look, rule.n_resamples
    for c in (1, 7, 99):
        # P(c_B <= c) + P(c_L1 = 0, c_B > c) by numerical integration over U
        u = np.linspace(0, 1, 400001)
        integrand = stats.binom.cdf(c, big, u) + (1 - u) ** look * stats.binom.sf(c, big - look, u)
        direct = np.trapezoid(integrand, u)
        assert rule.pvalue(Stop(big, c, "complete")) == pytest.approx(direct, rel=1e-4)
    assert rule.pvalue(Stop(look, 0, "reject")) == 1 / (look + 1)
    assert rule.pvalue(Stop(250, rule.h, "accept")) == rule.h / 250


def test_level_of_a_permutation_test_with_early_stop():
    reps, alpha = 600, 0.1
    rejections = 0
    for child in np.random.SeedSequence(42).spawn(reps):
        rng = np.random.default_rng(child)
        x, y = rng.normal(size=(15, 2)), rng.normal(size=(12, 2))
        res = ts.energy_test(x, y, alpha=alpha, n_resamples=199, rng=rng, early_stop=True)
        rejections += res.reject
    lo, hi = stats.binom.interval(0.99, reps, alpha)
    assert lo <= rejections <= hi, rejections / reps


def test_early_stop_does_not_depend_on_batch_and_accepts_only_where_the_full_test_accepts():
    rng = np.random.default_rng(3)
    for shift in (0.0, 0.25, 0.5, 1.0):
        x, y = rng.normal(size=(60, 3)), rng.normal(shift, size=(50, 3))
        full = ts.mmd_test(x, y, n_resamples=999, rng=7)
        runs = [ts.mmd_test(x, y, n_resamples=999, rng=7, early_stop=True, batch=b) for b in (None, 13, 150, 1000)]
        assert len({(r.pvalue, r.n_resamples, r.statistic) for r in runs}) == 1
        early = runs[0]
        assert early.method == "sequential permutation"
        # the same relabellings in the same order (values up to the BLAS rounding of another batch shape)
        np.testing.assert_allclose(early.null_distribution, full.null_distribution[: early.n_resamples], rtol=1e-9)
        if early.n_resamples < 999 and not early.reject:
            assert not full.reject
        assert early.reject == (early.statistic > early.threshold)


def test_the_first_event_stops_wherever_the_looks_fall():
    rule = EarlyStop(999, 0.05)  # h = 50, L_1 = 399
    late = np.r_[np.zeros(399, bool), np.ones(200, bool)]  # none by L_1, then h at once
    assert rule.stop(late) == Stop(399, 0, "reject")
    early = np.r_[np.ones(50, bool), np.zeros(549, bool)]
    assert rule.stop(early) == Stop(50, 50, "accept")
    assert rule.stop(np.r_[np.ones(49, bool), np.zeros(300, bool)]) is None


@pytest.mark.parametrize(("n_resamples", "alpha", "batch"), [(1999, 0.05, 10**6), (199, 0.05, 10**6), (999, 0.1, 70)])
def test_looks_double_from_4h_with_one_at_the_rejection_look(n_resamples, alpha, batch):
    rule = EarlyStop(n_resamples, alpha)
    sizes = list(rule.look_sizes(batch))
    ends = np.cumsum(sizes)
    assert ends[-1] == n_resamples and max(sizes) <= batch
    assert rule.reject_look in ends and sizes[0] == min(4 * rule.h, rule.reject_look, batch)


def test_early_stop_saves_relabellings_at_both_ends():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(80, 2)), rng.normal(size=(80, 2))
    null = ts.mmd_test(x, y, rng=1, early_stop=True)
    far = ts.mmd_test(x, y + 1.0, rng=1, early_stop=True)
    assert null.n_resamples < 1999 and not null.reject
    assert far.n_resamples == 399 and far.reject and far.pvalue == 1 / 400


def test_early_stop_errors_name_the_argument():
    x, y = np.arange(30.0), np.arange(30.0) + 0.5
    with pytest.raises(ValueError, match="`early_stop`"):
        ts.permutation_test(x, y, lambda a, b: a.mean() - b.mean(), early_stop="yes")
    with pytest.raises(ValueError, match="`early_stop`.*two-sided"):
        ts.permutation_test(x, y, lambda a, b: a.mean() - b.mean(), alternative="two-sided", early_stop=True)


def test_exact_enumeration_ignores_early_stop():
    x, y = [1.2, 3.1, 2.2, 2.9], [0.1, 0.8, 1.1]
    res = ts.permutation_test(x, y, lambda a, b: a.mean() - b.mean(), early_stop=True)
    assert res.method == "exact" and res.n_resamples == 35
