"""SequentialTest: anytime level under peeking, power, reproducibility and bad input."""

import numpy as np
import pytest
from scipy import stats

import twosample as ts

BETTORS = {"mmd": 2, "c2st": 2, "ks": 1}  # test -> dimension of the simulated data


def _ever_rejects(test, d, seed, *, pairs=400, batch=10, alpha=0.2, shift=0.0):
    rng = np.random.default_rng(seed)
    seq = ts.SequentialTest(test, alpha=alpha, rng=rng)
    for _ in range(pairs // batch):  # peek after every batch, stop at the first rejection
        seq.update(rng.normal(size=(batch, d)), rng.normal(shift, 1, size=(batch, d)))
        if seq.reject:
            return True
    return False


@pytest.mark.parametrize("test", list(BETTORS))
def test_anytime_level_with_peeking_after_every_batch(test):
    # Ville: P(the wealth ever reaches 1/alpha) <= alpha. alpha = 0.2 makes a broken martingale visible
    # in 150 streams (99% binomial interval).
    reps = 150
    count = sum(_ever_rejects(test, BETTORS[test], seed) for seed in np.random.SeedSequence(30).spawn(reps))
    assert count <= stats.binom.interval(0.99, reps, 0.2)[1], count


def test_peeking_at_a_fixed_sample_test_breaks_its_level():
    # The point of the page: a t-test looked at after every batch of 10 (40 looks) rejects a true null
    # far more often than alpha.
    rng = np.random.default_rng(31)
    reps, count = 300, 0
    for _ in range(reps):
        x, y = rng.normal(size=400), rng.normal(size=400)
        count += any(stats.ttest_ind(x[:k], y[:k]).pvalue <= 0.05 for k in range(10, 401, 10))
    assert count / reps > 0.15


@pytest.mark.parametrize("test", list(BETTORS))
def test_power_on_a_mean_shift(test):
    assert _ever_rejects(test, BETTORS[test], 0, pairs=1000, batch=25, alpha=0.05, shift=0.5)


@pytest.mark.parametrize("test", list(BETTORS))
def test_the_path_does_not_depend_on_how_the_stream_is_batched(test):
    rng = np.random.default_rng(32)
    d = BETTORS[test]
    x, y = rng.normal(size=(300, d)), rng.normal(0.2, 1, size=(300, d))
    whole = ts.SequentialTest(test, rng=5).update(x, y)
    pieces = ts.SequentialTest(test, rng=5)
    for k in range(0, 300, 7):
        pieces.update(x[k : k + 7], y[k : k + 7])
    np.testing.assert_allclose(whole.history["wealth"], pieces.history["wealth"], rtol=1e-12)


def test_state_evalue_pvalue_and_unpaired_rows():
    rng = np.random.default_rng(33)
    seq = ts.SequentialTest("mmd", alpha=0.05, rng=0)
    seq.update(rng.normal(size=(7, 2)), rng.normal(size=(3, 2)))
    assert seq.n == 3  # four x rows wait for partners
    seq.update(None, rng.normal(size=(4, 2)))
    assert seq.n == 7
    for _ in range(40):
        seq.update(rng.normal(size=(20, 2)), rng.normal(0.6, 1, size=(20, 2)))
    h = seq.history
    assert seq.reject and seq.pvalue == pytest.approx(1 / h["wealth"].max()) and seq.evalue == h["wealth"].iloc[-1]
    assert (np.diff(h["pvalue"]) <= 0).all() and h["reject"].iloc[h["reject"].values.argmax() :].all()
    assert (h["fraction"].between(0, 0.5)).all() and (h["payoff"].abs() <= 1).all()
    assert (h["payoff"].iloc[:20] == 0).all()  # burn-in: no bet


@pytest.mark.parametrize(
    "kwargs, update, match",
    [
        (dict(test="energy"), None, "`test`"),
        (dict(alpha=1.5), None, "`alpha`"),
        (dict(bandwidth=-1.0), None, "`bandwidth`"),
        (dict(burn_in=1), None, "`burn_in`"),
        (dict(refit=0.5), None, "`refit`"),
        (dict(test="ks"), (np.zeros((5, 2)), np.zeros((5, 2))), "`x`"),
        (dict(), (np.full((5, 2), np.nan), np.zeros((5, 2))), "`x`"),
        (dict(), (np.zeros((5, 2)), np.zeros((5, 3))), "`y`"),
    ],
)
def test_bad_input_is_named(kwargs, update, match):
    with pytest.raises((ValueError, TypeError), match=match):
        seq = ts.SequentialTest(**kwargs)
        seq.update(*update)


def test_a_classifier_without_probabilities_is_refused():
    from sklearn.svm import LinearSVC

    with pytest.raises(TypeError, match="`classifier`"):
        ts.SequentialTest("c2st", classifier=LinearSVC())
