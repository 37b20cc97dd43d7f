"""k-sample tests: agreement with the two-sample statistics at k = 2, level, power, input and the CLI."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import twosample as ts
from twosample.kernel.kernels import median_distance

K_TESTS = {"energy-k": 2, "mmd-k": 2, "ks-k": 1}


def test_at_k_2_the_statistics_are_the_two_sample_ones():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(60, 2)), rng.normal(0.3, 1, size=(45, 2))
    # DISCO's between-sample energy is half the two-sample energy statistic
    assert ts.energy_ksample_test(x, y, rng=0).statistic == pytest.approx(ts.energy_test(x, y).statistic / 2)
    ks = ts.ks_ksample_test(x[:, 0], y[:, 0], rng=0).statistic
    assert ks == pytest.approx(stats.ks_2samp(x[:, 0], y[:, 0]).statistic * np.sqrt(60 * 45 / 105))
    z = np.vstack([x, y])
    h = median_distance(z, rng=np.random.default_rng(0))
    gram = lambda a, b: np.exp(-((a[:, None] - b[None]) ** 2).sum(-1) / (2 * h**2))  # noqa: E731
    biased = gram(x, x).mean() + gram(y, y).mean() - 2 * gram(x, y).mean()
    assert ts.mmd_ksample_test(x, y, rng=0).statistic == pytest.approx(60 * 45 / 105 * biased)


@pytest.mark.parametrize("name", list(K_TESTS))
def test_level_with_three_samples(name):
    reps, count = 200, 0
    d = K_TESTS[name]
    for child in np.random.SeedSequence(5).spawn(reps):
        rng = np.random.default_rng(child)
        samples = [rng.normal(size=(n, d)) for n in (20, 25, 15)]
        count += ts.TESTS[name](*samples, n_resamples=99, rng=rng).pvalue <= 0.05
    assert count <= stats.binom.interval(0.99, reps, 0.05)[1], count


@pytest.mark.parametrize("name", list(K_TESTS))
def test_power_names_nothing_but_rejects_one_shifted_sample(name):
    rng = np.random.default_rng(6)
    d = K_TESTS[name]
    samples = [rng.normal(size=(60, d)), rng.normal(size=(60, d)), rng.normal(0.8, 1, size=(60, d))]
    res = ts.TESTS[name](*samples, rng=0)
    assert res.reject and res.pvalue > 0 and res.n_x == 60 and res.n_y == 120
    assert ts.TESTS[name](*samples, rng=0).pvalue == res.pvalue  # reproducible from rng


def test_bad_input_and_tables_matched_by_name():
    rng = np.random.default_rng(7)
    a = pd.DataFrame(rng.normal(size=(30, 2)), columns=["u", "v"])
    b = pd.DataFrame(rng.normal(size=(30, 2)), columns=["u", "v"])
    c = b[["v", "u"]]  # the same table, columns in another order
    assert ts.energy_ksample_test(a, b, c, rng=0).statistic == ts.energy_ksample_test(a, b, b, rng=0).statistic
    with pytest.raises(ValueError, match="`samples\\[0\\]`"):
        ts.energy_ksample_test(a, b, pd.DataFrame(rng.normal(size=(30, 2)), columns=["u", "w"]))
    with pytest.raises(ValueError, match="`samples\\[0\\]`"):
        ts.energy_ksample_test(rng.normal(size=(30, 2)), rng.normal(size=(30, 2)), rng.normal(size=(30, 3)))
    with pytest.raises(ValueError, match="`x`"):
        ts.ks_ksample_test(rng.normal(size=(30, 2)), rng.normal(size=(30, 2)))


def test_cli_takes_several_files(tmp_path, capsys):
    from twosample.app.cli import main

    rng = np.random.default_rng(8)
    paths = []
    for i, shift in enumerate((0.0, 0.0, 1.0)):
        paths.append(str(tmp_path / f"s{i}.npy"))
        np.save(paths[-1], rng.normal(shift, 1, size=(50, 2)))
    assert main(["test", *paths, "--test", "energy-k", "--seed", "0"]) == 0
    assert "energy-k" in capsys.readouterr().out
    assert main(["test", *paths, "--test", "energy", "--seed", "0"]) == 2
    assert "energy-k" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["energy-k", "mmd-k", "ks-k"])
def test_row_order_and_magnitude_change_nothing(name):
    # the boundary rule of the two-sample tests: canonical row order, one exact power-of-two scale
    test = ts.get_test(name).function
    rng = np.random.default_rng(4)
    d = 1 if name == "ks-k" else 2
    a, b, c = (np.round(rng.normal(shift, 1, (40, d)), 1) for shift in (0.0, 0.0, 0.5))
    base = test(a, b, c, rng=7, n_resamples=199)
    assert test(a[::-1], b[rng.permutation(40)], c, rng=7, n_resamples=199).pvalue == base.pvalue
    degree = 1 if name == "energy-k" else 0
    for scale in (2.0**-990, 2.0**990, 1e-300, 1e300):
        res = test(a * scale, b * scale, c * scale, rng=7, n_resamples=199)
        assert res.pvalue == base.pvalue
        assert res.statistic == pytest.approx(base.statistic * scale**degree, rel=1e-12)
