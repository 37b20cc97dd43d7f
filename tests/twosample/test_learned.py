"""The variational f-divergence test."""

import numpy as np
import pytest
from scipy import stats

from twosample import divergences as D
from twosample.learned.f_divergence import _HeldOutBound, f_divergence_test


def test_statistic_is_the_held_out_bound():
    rng = np.random.default_rng(0)
    v_x, v_y = rng.normal(1, 1, 30), rng.normal(0, 1, 20)
    div = D.get("kl")
    assert _HeldOutBound(div)(v_x, v_y) == pytest.approx(float(div.lower_bound(v_x, v_y)), rel=1e-12)


@pytest.mark.parametrize("divergence", ["js", "kl", "hellinger"])
def test_detects_a_shift_and_is_reproducible(divergence):
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(200, 2)), rng.normal(size=(200, 2)) + [1.0, 0.0]
    a = f_divergence_test(x, y, divergence=divergence, steps=200, n_resamples=199, rng=0)
    b = f_divergence_test(x, y, divergence=divergence, steps=200, n_resamples=199, rng=0)
    assert a.reject and a.pvalue == b.pvalue and a.statistic == b.statistic


def test_level():
    reps, count = 150, 0
    for child in np.random.SeedSequence(5).spawn(reps):
        rng = np.random.default_rng(child)
        x, y = rng.normal(size=(40, 2)), rng.normal(size=(30, 2))
        count += f_divergence_test(x, y, steps=50, hidden=16, n_resamples=99, rng=rng).reject
    lo, hi = stats.binom.interval(0.99, reps, 0.05)
    assert lo <= count <= hi  # continuous statistic, permutation null: exact level


def test_bad_divergence_is_named():
    with pytest.raises(ValueError, match="`divergence` must be one of"):
        f_divergence_test(np.zeros((10, 1)) + np.arange(10)[:, None], np.arange(10.0), divergence="tv")


# --- deep-kernel MMD (Liu et al. 2020) --------------------------------------------------

from twosample import mmd_test, scenarios  # noqa: E402
from twosample.learned.mmd_deep import DeepKernel, _power_criterion, mmd_deep_test  # noqa: E402


def _deep_kernel_by_hand(a, b, k):
    f = np.exp(-((a[:, None, : k.n_features] - b[None, :, : k.n_features]) ** 2).sum(-1) / (2 * k.bandwidth**2))
    q = np.exp(-((a[:, None, k.n_features :] - b[None, :, k.n_features :]) ** 2).sum(-1) / (2 * k.input_bandwidth**2))
    return ((1 - k.epsilon) * f + k.epsilon) * q


def test_deep_kernel_matrix_paired_and_torch_agree_with_the_formula():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(7, 5)), rng.normal(size=(6, 5))
    k = DeepKernel(bandwidth=0.7, n_features=3, input_bandwidth=1.3, epsilon=0.2)
    expected = _deep_kernel_by_hand(a, b, k)
    np.testing.assert_allclose(k.matrix(a, b), expected, rtol=1e-12)
    np.testing.assert_allclose(k.paired(a, b[:1].repeat(7, 0)), expected[:, 0], rtol=1e-12)
    np.testing.assert_allclose(k.matrix(torch.as_tensor(a), torch.as_tensor(b)).numpy(), expected, rtol=1e-12)
    gram = k.matrix(a, a)
    np.testing.assert_allclose(np.diag(gram), 1.0, rtol=1e-12)
    assert np.linalg.eigvalsh(gram).min() > -1e-12  # positive semi-definite


def test_power_criterion_matches_the_u_statistic_and_its_variance():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    n = 9
    kxx, kyy, kxy = (rng.uniform(size=(n, n)) for _ in range(3))
    kxx, kyy = (kxx + kxx.T) / 2, (kyy + kyy.T) / 2
    h = kxx + kyy - kxy - kxy.T
    mmd2 = sum(h[i, j] for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    var = 4 * (np.mean(h.mean(1) ** 2) - h.mean() ** 2)
    got = _power_criterion(*(torch.as_tensor(m) for m in (kxx, kyy, kxy)), reg=1e-8).item()
    assert got == pytest.approx(mmd2 / np.sqrt(var + 1e-8), rel=1e-10)


def test_deep_mmd_is_reproducible_and_leaves_its_kernel():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(120, 2)), rng.normal(size=(100, 2)) * [1.0, 2.0]
    a = mmd_deep_test(x, y, steps=60, n_resamples=199, rng=3)
    b = mmd_deep_test(x, y, steps=60, n_resamples=199, rng=3)
    assert a.pvalue == b.pvalue and a.statistic == b.statistic and a.reject
    assert (a.n_x, a.n_y, a.test, len(a.history)) == (120, 100, "mmd-deep", 60)
    assert a.kernel.bandwidth > 0 and a.kernel.input_bandwidth > 0 and 0 < a.kernel.epsilon < 1
    emb = a.embed(x[:5])
    assert emb.shape == (5, a.kernel.n_features + 2)
    # the inputs, standardised by the pooled moments as the test does before anything else
    pooled = np.vstack([x, y])
    np.testing.assert_allclose(emb[:, -2:], (x[:5] - pooled.mean(0)) / pooled.std(0), rtol=1e-12)


def test_deep_mmd_training_raises_the_power_criterion_on_blobs():
    x, y = scenarios.blob().sample(450, None, 7)
    res = mmd_deep_test(x, y, n_resamples=99, rng=0)
    start, end = res.history[:20].mean(), res.history[-20:].mean()
    assert end > start + 0.1, (start, end)


@pytest.mark.slow
def test_deep_mmd_beats_the_median_heuristic_on_blobs():
    # Liu et al.'s showcase: within-blob correlations that a median bandwidth
    # (set by the spacing of the grid) cannot see. 20 repetitions each at n = 450.
    deep, median = 0, 0
    for rep in range(20):
        x, y = scenarios.blob().sample(450, None, 100 + rep)
        deep += mmd_deep_test(x, y, n_resamples=199, rng=rep).reject
        median += mmd_test(x, y, n_resamples=199, rng=rep).reject
    assert deep >= 4 and deep > median, (deep, median)


def test_deep_mmd_level_with_unequal_sizes():
    reps, count = 150, 0
    for child in np.random.SeedSequence(6).spawn(reps):
        rng = np.random.default_rng(child)
        x, y = rng.normal(size=(40, 3)), rng.normal(size=(28, 3))
        count += mmd_deep_test(x, y, steps=20, n_resamples=99, rng=rng).reject
    lo, hi = stats.binom.interval(0.99, reps, 0.05)
    assert lo <= count <= hi


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"steps": -1}, "`steps`"),
        ({"lr": 0.0}, "`lr`"),
        ({"n_features": 0}, "`n_features`"),
        ({"test_size": 1.5}, "`test_size`"),
        ({"alpha": 2.0}, "`alpha`"),
    ],
)
def test_deep_mmd_bad_arguments_are_named(kwargs, match):
    x = np.arange(20.0)[:, None]
    with pytest.raises(ValueError, match=match):
        mmd_deep_test(x, x + 1, **kwargs)
