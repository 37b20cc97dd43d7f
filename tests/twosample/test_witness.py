"""The witness of the kernel tests: its formula, its sign, its units, its extremes and its plots."""

import json

import numpy as np
import pandas as pd
import pytest

import twosample as ts
from twosample.kernel import Gaussian, witness

KERNEL_TESTS = {
    "mmd": lambda x, y, **kw: ts.mmd_test(x, y, n_resamples=49, **kw),
    "mmd-agg": lambda x, y, **kw: ts.mmd_agg_test(x, y, n_resamples=49, n_bandwidths=3, **kw),
    "mmd-linear": lambda x, y, **kw: ts.mmd_linear_test(x, y, **kw),
    "mmd-rff": lambda x, y, **kw: ts.mmd_rff_test(x, y, n_resamples=49, **kw),
    "mmd-agginc": lambda x, y, **kw: ts.mmd_agginc_test(x, y, n_resamples=50, n_bandwidths=3, **kw),
}


def _samples(d=2, n=60, m=70, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)) + 0.7, rng.normal(size=(m, d))


def _direct(x, y, points, kind, bandwidth):
    """The witness written out, one point at a time."""
    out = []
    for t in points:
        if kind == "gaussian":
            kx, ky = (np.exp(-((s - t) ** 2).sum(1) / (2 * bandwidth**2)) for s in (x, y))
        else:
            kx, ky = (np.exp(-np.abs(s - t).sum(1) / bandwidth) for s in (x, y))
        out.append(kx.mean() - ky.mean())
    return np.array(out)


@pytest.mark.parametrize("kind", ["gaussian", "laplace"])
def test_witness_is_the_difference_of_kernel_means(kind, monkeypatch):
    x, y = _samples()
    points = np.random.default_rng(1).uniform(-3, 3, size=(17, 2))
    res = ts.mmd_test(x, y, kernel=kind, bandwidth=1.3, n_resamples=19, rng=0)
    want = _direct(x, y, points, kind, 1.3)
    np.testing.assert_allclose(res.witness(points), want, rtol=1e-12, atol=1e-15)
    # tiny blocks (5 sample rows, 1-2 points at a time) give the same numbers
    monkeypatch.setattr(witness, "_SAMPLE_BLOCK", 5)
    monkeypatch.setattr(witness, "_BLOCK_ELEMENTS", 7)
    np.testing.assert_allclose(res.witness(points), want, rtol=1e-12, atol=1e-15)


def test_witness_is_positive_where_x_has_more_mass():
    rng = np.random.default_rng(2)
    x, y = rng.normal(1.5, 1, size=200), rng.normal(-1.5, 1, size=200)
    w = ts.mmd_test(x, y, n_resamples=19, rng=0).witness([-3.0, -1.5, 1.5, 3.0])
    assert w[0] < 0 and w[1] < 0 and w[2] > 0 and w[3] > 0
    assert w[2] > 0.1 and w[1] < -0.1  # the modes, not just the tails


@pytest.mark.parametrize("name", list(KERNEL_TESTS))
def test_witness_does_not_depend_on_the_data_magnitude(name):
    x, y = _samples()
    points = np.random.default_rng(3).uniform(-3, 3, size=(9, 2))
    plain = KERNEL_TESTS[name](x, y, rng=5)
    big = KERNEL_TESTS[name](x * 2.0**40, y * 2.0**40, rng=5)
    np.testing.assert_array_equal(big.witness(points * 2.0**40), plain.witness(points))
    np.testing.assert_allclose(np.array(big.bandwidths) / 2.0**40, plain.bandwidths, rtol=1e-15)
    assert big.kernel_index == plain.kernel_index


def test_dataframe_points_are_matched_by_column_name():
    x, y = _samples()
    fx = pd.DataFrame(x, columns=["a", "b"])
    fy = pd.DataFrame(y[:, ::-1], columns=["b", "a"])
    res = ts.mmd_test(fx, fy, n_resamples=19, rng=0)
    assert res.columns == ("a", "b")
    points = np.array([[0.0, 1.0], [2.0, -1.0]])
    want = ts.mmd_test(x, y, n_resamples=19, rng=0).witness(points)
    np.testing.assert_array_equal(res.witness(pd.DataFrame(points[:, ::-1], columns=["b", "a"])), want)
    with pytest.raises(ValueError, match="`points`"):
        res.witness(pd.DataFrame(points, columns=["a", "c"]))


@pytest.mark.parametrize(
    "points, match",
    [
        (np.zeros((3, 3)), "`points` must have the samples' 2 columns"),
        (np.zeros(3), "`points` must have the samples' 2 columns"),
        ([[0.0, np.nan]], "`points` contains NaN"),
        ([["a", "b"]], "`points` must be numeric"),
    ],
)
def test_bad_points_are_refused_by_name(points, match):
    res = ts.mmd_test(*_samples(), n_resamples=19, rng=0)
    with pytest.raises(ValueError, match=match):
        res.witness(points)


def test_extremes_point_at_the_extra_mode():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(300, 2)), rng.normal(size=(300, 2))
    x[:30] = rng.normal(size=(30, 2)) * 0.3 + 3.0  # x has a cluster at (3, 3) that y lacks
    res = ts.mmd_test(x, y, n_resamples=19, rng=0)
    top = res.witness_extremes(10)
    assert list(top.columns) == ["sample", "row", "witness", "dim0", "dim1"] and len(top) == 20
    over = top[top["sample"] == "x"]
    assert (over["row"] < 30).all()  # the rows of the cluster
    assert (np.hypot(over["dim0"] - 3, over["dim1"] - 3) < 1.5).all()
    assert (over["witness"] > 0).all() and over["witness"].is_monotonic_decreasing
    under = top[top["sample"] == "y"]
    assert (under["witness"] < 0).all() and under["witness"].is_monotonic_increasing
    np.testing.assert_array_equal(under[["dim0", "dim1"]].to_numpy(), y[under["row"]])


def _normalised_mmd2(x, y, bandwidth):
    """MMD-FUSE's term for one Gaussian kernel, written out: unbiased MMD² over the root mean square
    of the pooled Gram matrix off its diagonal."""
    z = np.vstack([x, y])
    gram = np.exp(-((z[:, None] - z[None]) ** 2).sum(-1) / (2 * bandwidth**2))
    n, m = len(x), len(y)
    kxx, kyy, kxy = gram[:n, :n], gram[n:, n:], gram[:n, n:]
    mmd2 = (kxx.sum() - n) / (n * (n - 1)) + (kyy.sum() - m) / (m * (m - 1)) - 2 * kxy.mean()
    return mmd2 / np.sqrt(((gram**2).sum() - len(z)) / (len(z) * (len(z) - 1)))


@pytest.mark.parametrize("bandwidths, best", [((0.3, 3.0), 0), ((3.0, 0.3), 1)])
def test_agg_default_kernel_is_the_largest_normalised_mmd(bandwidths, best):
    x, y = _samples(seed=6)
    kernels = [Gaussian(bandwidth=b) for b in bandwidths]
    res = ts.mmd_agg_test(x, y, kernels=kernels, n_resamples=49, rng=0)
    assert int(np.argmax([_normalised_mmd2(x, y, b) for b in bandwidths])) == best == res.kernel_index
    for i, k in enumerate(kernels):  # kernel=i is that kernel's own witness
        single = ts.mmd_test(x, y, kernel=k, n_resamples=19, rng=0)
        np.testing.assert_allclose(res.witness(x[:5], kernel=i), single.witness(x[:5]), rtol=1e-12)
    with pytest.raises(ValueError, match="`kernel`"):
        res.witness(x[:5], kernel=2)


def test_rff_witness_estimates_the_gaussian_witness(monkeypatch):
    x, y = _samples(seed=7)
    points = np.random.default_rng(8).uniform(-2, 3, size=(25, 2))
    rff = ts.mmd_rff_test(x, y, bandwidth=1.5, n_features=4096, n_resamples=19, rng=0)
    exact = ts.mmd_test(x, y, bandwidth=1.5, n_resamples=19, rng=0).witness(points)
    values = rff.witness(points)
    np.testing.assert_allclose(values, exact, atol=0.03)
    assert np.abs(exact).max() > 0.1  # a witness far from 0, so the agreement says something
    monkeypatch.setattr(witness, "_BLOCK_ELEMENTS", 5000)  # one row of 4,096 features at a time
    np.testing.assert_allclose(rff.witness(points), values, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", list(KERNEL_TESTS))
def test_every_kernel_test_returns_a_witness(name):
    x, y = _samples()
    res = KERNEL_TESTS[name](x, y, rng=0)
    assert isinstance(res, ts.KernelTestResult) and res.test == name
    values = res.witness(np.vstack([x[:4], y[:4]]))
    assert values.shape == (8,) and np.isfinite(values).all() and values[:4].mean() > values[4:].mean()
    d = res.to_dict()
    assert "x" not in d and "y" not in d
    json.dumps(d, allow_nan=False)
    assert len(res.witness_extremes(3)) == 6


def test_to_dict_gives_the_bandwidths_in_the_data_units():
    x, y = _samples()
    res = ts.mmd_test(x * 1000, y * 1000, bandwidth=2500.0, n_resamples=19, rng=0)
    assert res.scale_exponent != 0 and res.kernels[0].bandwidth != 2500.0
    assert json.loads(json.dumps(res.to_dict(), allow_nan=False))["bandwidths"] == [2500.0]
    assert ts.mmd_test(x, y, kernel="linear", n_resamples=19, rng=0).bandwidths == (None,)


def test_a_test_that_did_not_run_has_no_witness():
    x, y = _samples()
    x[0, 0] = np.nan
    res = ts.mmd_test(x, y, nan_policy="propagate", n_resamples=19, rng=0)
    with pytest.raises(ValueError, match="did not run"):
        res.witness([[0.0, 0.0]])


def test_plots_in_one_and_two_dimensions(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from twosample.app.plotting import plot_witness

    for d in (1, 2):
        x, y = _samples(d=d)
        fig = plot_witness(ts.mmd_test(x, y, n_resamples=19, rng=0), resolution=30)
        fig.savefig(tmp_path / f"witness_{d}d.png", dpi=50)
        assert (tmp_path / f"witness_{d}d.png").stat().st_size > 1000
    with pytest.raises(ValueError, match="1-D and 2-D"):
        plot_witness(ts.mmd_test(*_samples(d=3), n_resamples=19, rng=0))
    with pytest.raises(ValueError, match="kernel test"):
        plot_witness(ts.ks_test(x[:, 0], y[:, 0]))


def test_agginc_default_bandwidth_is_the_one_that_decides():
    from twosample.kernel.agginc import _deciding_bandwidth

    reference = np.sort(np.random.default_rng(9).normal(size=(3, 99)), axis=1)
    uniform = np.full(3, 1 / 3)
    # bandwidth 1 beats all its draws, the others are in the middle of theirs
    assert _deciding_bandwidth(np.array([0.0, 5.0, 0.1]), reference, uniform) == 1
    # 1 and 2 both beat every draw (same p-value): the one further out in sds wins
    assert _deciding_bandwidth(np.array([0.0, 5.0, 9.0]), reference, uniform) == 2
    # a weight can overrule: bandwidth 0 at p = 0.5 with weight 0.98 against p = 0.01 with 0.01
    assert _deciding_bandwidth(np.array([0.0, 5.0, 0.1]), reference, np.array([0.98, 0.01, 0.01])) == 0
