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


# --- the fit-once detector ------------------------------------------------------------------------


def test_detector_statistic_matches_mmd_test_and_its_level_holds_per_batch():
    rng = np.random.default_rng(40)
    ref, batch = rng.normal(size=(300, 3)), rng.normal(size=(40, 3))
    det = ts.Detector(ref, n_resamples=199, rng=0)
    fresh = ts.mmd_test(ref, batch, bandwidth=det.bandwidth, n_resamples=199, rng=0)
    assert det.test(batch).statistic == pytest.approx(fresh.statistic, rel=1e-9, abs=1e-12)
    reps, count = 300, 0
    for child in np.random.SeedSequence(41).spawn(reps):
        r = np.random.default_rng(child)
        det = ts.Detector(r.normal(size=(60, 2)), n_resamples=99, rng=r)
        count += det.test(r.normal(size=(15, 2))).pvalue <= 0.05
    assert count <= stats.binom.interval(0.99, reps, 0.05)[1], count


def test_detector_finds_a_shifted_batch_and_reuses_its_relabellings():
    rng = np.random.default_rng(42)
    det = ts.Detector(rng.normal(size=(400, 2)), rng=1)
    assert not det.test(rng.normal(size=(50, 2))).reject
    shifted = det.test(rng.normal(0.8, 1, size=(50, 2)))
    assert shifted.reject and shifted.pvalue == pytest.approx(1 / 1000) and shifted.n_resamples == 999
    assert list(det._by_size) == [50]  # one set of relabellings for every batch of 50


def test_detector_save_and_load_round_trip(tmp_path):
    rng = np.random.default_rng(43)
    det = ts.Detector(rng.normal(size=(300, 2)), n_resamples=199, online=True, rng=2)
    for _ in range(3):
        det.test(rng.normal(0.3, 1, size=(40, 2)))
    path = det.save(tmp_path / "det.npz")
    back = ts.Detector.load(path)
    batch = rng.normal(size=(40, 2))
    assert back.test(batch).pvalue == det.test(batch).pvalue
    np.testing.assert_allclose(back.sequential.history["wealth"], det.sequential.history["wealth"], rtol=1e-9)
    assert back.online_reject == det.online_reject


def test_detector_files_are_written_atomically_and_checked(tmp_path, monkeypatch):
    rng = np.random.default_rng(44)
    det = ts.Detector(rng.normal(size=(50, 2)), n_resamples=99, rng=0)
    path = det.save(tmp_path / "det.npz")
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken)
    with pytest.raises(OSError):
        det.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before and list(tmp_path.iterdir()) == [path]  # the old file kept, no debris
    (tmp_path / "junk.npz").write_bytes(b"not a detector")
    with pytest.raises(ValueError, match="`path`"):
        ts.Detector.load(tmp_path / "junk.npz")
    np.savez(tmp_path / "other.npz", reference=np.zeros((5, 2)), meta=np.array('{"format": "twosample-detector/0"}'))
    with pytest.raises(ValueError, match="`path`.*format"):
        ts.Detector.load(tmp_path / "other.npz")


def test_detector_online_mode_rejects_a_drifting_stream():
    rng = np.random.default_rng(45)
    det = ts.Detector(rng.normal(size=(2000, 2)), n_resamples=99, online=True, rng=3)
    for _ in range(20):
        det.test(rng.normal(0.5, 1, size=(50, 2)))
    assert det.online_reject and det.sequential.n == 1000


@pytest.mark.parametrize(
    "kwargs, batch, match",
    [
        (dict(test="c2st"), None, "`test`"),
        (dict(alpha=0), None, "`alpha`"),
        (dict(bandwidth=0.0), None, "`bandwidth`"),
        (dict(n_resamples=10**6), None, "`n_resamples`"),
        (dict(), np.zeros((5, 3)), "`batch`"),
        (dict(), np.full((5, 2), np.nan), "`batch`"),
    ],
)
def test_detector_bad_input_is_named(kwargs, batch, match):
    ref = np.random.default_rng(0).normal(size=(30, 2))
    with pytest.raises((ValueError, TypeError), match=match):
        ts.Detector(ref, **kwargs).test(batch)
