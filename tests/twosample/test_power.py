"""Scenarios and the level/power estimator."""

import sys

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

import twosample as ts
from twosample import scenarios as S
from twosample.study.registry import info_for
from twosample.study.simulation import level, power

GL = S.gaussian_vs_laplace()


def test_power_is_the_plain_proportion_with_clopper_pearson_interval():
    res = power("mean", S.mean_shift(0.4), n=40, reps=120, rng=0, n_resamples=199)
    assert res.power == res.rejections / res.reps == np.mean(res.pvalues <= 0.05)
    lo, hi = proportion_confint(res.rejections, 120, alpha=0.05, method="beta")
    assert (res.ci_low, res.ci_high) == pytest.approx((lo, hi))
    assert len(res.pvalues) == 120


def test_printing_a_power_result_shows_the_rate_and_interval_not_every_pvalue():
    res = ts.PowerResult(0.82, 0.794, 0.844, 820, 1000, 0.05, np.linspace(0, 1, 1000))
    text, line = str(res), repr(res)
    assert text.splitlines()[0] == "Rejection rate 0.82   (820 of 1000 repetitions at alpha = 0.05)"
    assert "95% interval   [0.794, 0.844]" in text and len(text) < 250  # before: 1,000 p-values
    assert line.startswith("PowerResult(power=0.82, ci_low=0.794, ci_high=0.844, rejections=820, reps=1000,")
    assert line.endswith("pvalues=<1000 values>)") and len(line) < 200


def test_identical_for_n_jobs_1_and_2_and_reproducible():
    a = power("ks", GL, n=60, reps=40, rng=7, n_resamples=99)
    b = power("ks", GL, n=60, reps=40, rng=7, n_resamples=99, n_jobs=2)
    # two blocks, each one's repetitions split among the workers
    two = [power("energy", GL, n=10, reps=300, rng=5, n_resamples=19, n_jobs=j).pvalues for j in (1, 2)]
    np.testing.assert_array_equal(*two)
    c = power("ks", GL, n=60, reps=40, rng=7, n_resamples=99)
    np.testing.assert_array_equal(a.pvalues, b.pvalues)
    np.testing.assert_array_equal(a.pvalues, c.pvalues)
    assert not np.array_equal(a.pvalues, power("ks", GL, n=60, reps=40, rng=8, n_resamples=99).pvalues)


def test_seed_study_shape_at_small_scale():
    # Variance-matched Gaussian vs Laplace: mean-based statistics stay at alpha, KS gains power.
    mean = power("mean", GL, n=500, reps=200, rng=3, n_resamples=199)
    meanvar = power("meanvar", GL, n=500, reps=200, rng=3, n_resamples=199)
    ks = power("ks", GL, n=500, reps=200, rng=3, n_resamples=199)
    assert mean.ci_low <= 0.05 <= mean.ci_high and meanvar.ci_low <= 0.05 <= meanvar.ci_high
    assert ks.ci_low <= 0.7 <= ks.ci_high  # "KS reaches about 0.7 at n = 500 per sample" (measured 0.675)
    assert power("ks", GL, n=50, reps=200, rng=3, n_resamples=199).power < ks.power
    unmatched = power("meanvar", S.gaussian_vs_laplace(variance_matched=False), n=200, reps=100, rng=3, n_resamples=199)
    assert unmatched.power > 0.8


@pytest.mark.parametrize("name", ["energy", "mmd", "c2st"])
def test_distribution_tests_gain_power_with_n_on_the_matched_pair(name):
    # The seed study's other half: tests that see the whole distribution gain power with n.
    # Measured (60 reps, rng=7): energy 0.08 -> 0.68, mmd 0.17 -> 0.80, c2st 0.05 -> 0.42 (n = 50 -> 400).
    kwargs = {} if name == "c2st" else {"n_resamples": 199}
    small = power(name, GL, n=50, reps=60, rng=7, **kwargs)
    large = power(name, GL, n=400, reps=60, rng=7, **kwargs)
    assert large.ci_low > small.ci_high  # disjoint 95% intervals


def test_level_uses_the_null_and_agrees_with_scipy_power():
    res = level(ts.t_test, S.mean_shift(1.0), n=25, reps=400, rng=4, method="analytic")
    lo, hi = stats.binom.interval(0.99, 400, 0.05)
    assert lo <= res.rejections <= hi
    # power of the analytic t-test against scipy.stats.power on the same setting.
    ours = power(ts.t_test, S.mean_shift(0.8), n=25, reps=2000, rng=5, method="analytic")
    gen = np.random.default_rng(6)
    ref = stats.power(
        lambda x, y, axis=-1: stats.ttest_ind(x, y, equal_var=False, axis=axis),
        (lambda size: gen.normal(0, 1, size=size), lambda size: gen.normal(0.8, 1, size=size)),
        (25, 25),
        significance=0.05,
        n_resamples=2000,
    ).power
    assert ours.ci_low - 0.02 <= ref <= ours.ci_high + 0.02


@pytest.mark.parametrize(
    "scenario",
    [
        GL,
        S.gaussian_vs_laplace(variance_matched=False),
        S.mean_shift(0.5, d=3),
        S.variance_shift(2.0),
        S.student_t(3),
        S.blob(),
        S.hdgm(d=10),
        S.gaussian_mixture(2.0),
    ],
    ids=lambda s: s.name,
)
def test_scenarios_sample_the_right_shapes(scenario):
    x, y = scenario.sample(50, 40, 0)
    assert x.shape[0] == 50 and y.shape[0] == 40 and x.shape[1] == y.shape[1]
    nx, ny = scenario.null().sample(30, None, 1)
    assert nx.shape == ny.shape


def test_scenario_moments():
    rng = np.random.default_rng(0)
    x, y = GL.sample(200_000, None, rng)
    assert np.var(y) == pytest.approx(1.0, rel=0.02) and np.var(x) == pytest.approx(1.0, rel=0.02)
    x, y = S.student_t(5).sample(200_000, None, rng)
    assert np.var(y) == pytest.approx(1.0, rel=0.05)
    x, y = S.gaussian_mixture(2.0).sample(200_000, None, rng)
    assert np.var(x) == pytest.approx(np.var(y), rel=0.02)
    x, y = S.hdgm(d=4).sample(200_000, None, rng)
    # P: independent within modes; the mode means (0 and 0.5) alone give corr 0.0625 / 1.0625.
    assert np.corrcoef(x[:, 0], x[:, 1])[0, 1] == pytest.approx(0.0625 / 1.0625, abs=0.01)
    # Q: +0.5 within the mode at 0. Selecting on coordinates 3 and 4 keeps ~80% of that mode
    # (measured corr 0.35 in Q, 0.03 in P at this threshold).
    first_q, first_p = y[:, 2] + y[:, 3] < -2, x[:, 2] + x[:, 3] < -2
    assert np.corrcoef(y[first_q, 0], y[first_q, 1])[0, 1] > 0.25
    assert abs(np.corrcoef(x[first_p, 0], x[first_p, 1])[0, 1]) < 0.1


def test_blob_correlations():
    rng = np.random.default_rng(1)
    # Liu et al.'s code: blob 8 has covariance 0.02 + 0.002 * 3 = 0.026 beside the variance 0.03,
    # i.e. correlation 0.867; blob 0 -0.02 / 0.03. Narrow blobs so that rounding finds the centre.
    _, y = S.blob(sigma2=0.003).sample(400_000, None, rng)
    centre = np.round(y).astype(int)
    for (i, j), corr in [((2, 2), 0.026 / 0.03), ((0, 0), -0.02 / 0.03), ((1, 1), 0.0)]:
        sel = (centre[:, 0] == i) & (centre[:, 1] == j)
        assert np.corrcoef(y[sel, 0], y[sel, 1])[0, 1] == pytest.approx(corr, abs=0.02)  # 4 sd at ~44k points


def test_from_callables_and_data():
    sc = S.from_callables(lambda n, r: r.normal(size=n), lambda n, r: r.normal(1, 1, size=n), name="mine")
    x, y = sc.sample(20, 30, 0)
    assert x.shape == (20, 1) and y.shape == (30, 1)
    data = S.from_data(np.arange(10.0), np.arange(10.0) + 100)
    x, y = data.sample(15, None, 0)
    assert set(x[:, 0]) <= set(range(10)) and y.min() >= 100


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: power("nope", GL, n=10), ValueError, "`test` must be one of"),
        (lambda: power(3, GL, n=10), TypeError, "`test` must be a test function or a registry name"),
        (lambda: power("mean", "gl", n=10), TypeError, "`scenario` must be a twosample.study.scenarios.Scenario"),
        (lambda: power("mean", GL, n=0), ValueError, "`n` must be an integer >= 2"),
        (lambda: power("mean", GL, n=10, reps=0), ValueError, "`reps` must be a positive integer"),
        (lambda: power("mean", GL, n=10, alpha=1.5), ValueError, r"`alpha` must be in \(0, 1\)"),
        (lambda: S.hdgm(d=1), ValueError, "`d` must be an integer >= 2"),
        (lambda: S.from_callables(1, 2), TypeError, "`sample_p` and `sample_q` must be callables"),
        (lambda: S.from_data(np.zeros((5, 2)), np.zeros((5, 3))), ValueError, "same number of columns"),
        (
            lambda: S.from_callables(lambda n, r: np.full(n, np.nan), lambda n, r: np.zeros(n)).sample(5, 5, 0),
            ValueError,
            r"`sample_p\(n, rng\)` contains NaN",
        ),
    ],
)
def test_errors_name_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


NULL_CASES = [
    (test, null)
    for test in ("mean", "ks", "mmd", "c2st")
    for null in S.null_scenarios()
    if not (null == "gaussian-d20" and not ts.TESTS[test].multivariate)
]


@pytest.mark.parametrize(("test", "null"), NULL_CASES, ids=[f"{t}-{n}" for t, n in NULL_CASES])
def test_level_on_null_scenarios(test, null):
    # Quick subset of benchmarks/bench_calibration.py (every test x every null, 1,000 reps).
    scenario, m = S.null_scenarios()[null]
    info = ts.TESTS[test]
    extra = {"n_resamples": 99} if info.resampling else {}
    res = power(info, scenario, n=30, m=15 if m == "half" else None, reps=200, rng=31, **extra)
    lo, hi = stats.binom.interval(0.99, 200, 0.05)
    assert res.rejections <= hi, res.power
    if test in ("mean", "mmd") and null != "discrete-ties":  # continuous statistics: exact level
        assert res.rejections >= lo, res.power


def test_heavy_tailed_null_is_heavy_tailed():
    x, y = S.null_scenarios()["student-t2"][0].sample(50_000, None, 0)
    assert np.mean(np.abs(x) > 5) > 0.02 and np.mean(np.abs(y) > 5) > 0.02  # Gaussian: ~6e-7


def _one_by_one(test):
    """The same test without its stacked path: power() then calls it once per repetition."""
    return lambda x, y, **kw: test(x, y, **kw)


@pytest.mark.parametrize(
    "test, kwargs",
    [
        (ts.t_test, {"method": "analytic"}),
        (ts.t_test, {"method": "analytic", "alternative": "less"}),
        (ts.mannwhitney_test, {"method": "asymptotic"}),
        (ts.mannwhitney_test, {"method": "exact", "alternative": "greater"}),
    ],
)
def test_stacked_repetitions_give_the_one_by_one_pvalues(test, kwargs):
    # reps > the stack size, so several stacks and a partial last one are exercised.
    sc = S.mean_shift(0.4)
    batched = power(test, sc, n=20, m=25, reps=600, rng=3, **kwargs)
    single = power(_one_by_one(test), sc, n=20, m=25, reps=600, rng=3, **kwargs)
    # SciPy's vectorised t differs from its 1-D call by at most an ulp or two.
    np.testing.assert_allclose(batched.pvalues, single.pvalues, rtol=1e-12, atol=0)
    assert batched.rejections == single.rejections
    parallel = power(test, sc, n=20, m=25, reps=600, rng=3, n_jobs=2, **kwargs)
    np.testing.assert_array_equal(parallel.pvalues, batched.pvalues)


def test_stacked_path_declines_what_it_does_not_vectorise():
    rngs = [np.random.default_rng(i) for i in range(3)]
    xs, ys = [r.normal(size=10) for r in rngs], [r.normal(size=10) for r in rngs]
    assert ts.get_test("t").stacked(xs, ys, alpha=0.05, rngs=rngs) is None  # permutation is the default
    assert ts.get_test("t").stacked(xs, ys, alpha=0.05, rngs=rngs, method="analytic", n_resamples=9) is None
    with pytest.raises(ValueError, match="alternative"):
        ts.get_test("t").stacked(xs, ys, alpha=0.05, rngs=rngs, method="analytic", alternative="bigger")
    # permutation nulls still go through power() one by one, with the same result
    sc = S.mean_shift(1.0)
    a = power(ts.t_test, sc, n=10, reps=20, rng=0, n_resamples=99)
    b = power(_one_by_one(ts.t_test), sc, n=10, reps=20, rng=0, n_resamples=99)
    np.testing.assert_array_equal(a.pvalues, b.pvalues)


def test_stacked_constant_repetition_warns_and_gives_one():
    constant = S.from_callables(lambda size, rng: np.ones(size), lambda size, rng: np.ones(size))
    with pytest.warns(ts.DegenerateDataWarning):
        res = power(ts.t_test, constant, n=5, reps=3, rng=0, method="analytic")
    np.testing.assert_array_equal(res.pvalues, 1.0)


def test_power_uses_the_declared_stacked_path(monkeypatch):
    # The registry declares it (no attribute found on a function): a spy in its place is called once for
    # all the blocks' repetitions (SciPy's fixed cost paid once), or once per group of blocks that fits.
    import dataclasses

    from twosample.study import simulation as P

    info = ts.get_test("t")
    calls = []

    def spy(xs, ys, **kw):
        calls.append(len(xs))
        return info.stacked(xs, ys, **kw)

    spied = dataclasses.replace(info, stacked=spy)
    res = power(spied, S.mean_shift(0.5), n=15, reps=300, rng=0, method="analytic")
    assert calls == [300] and res.reps == 300
    calls.clear()
    monkeypatch.setattr(P, "_STACKED_ELEMENTS", 2 * 256 * 30)  # two blocks of n + m = 30 rows a group
    grouped = power(spied, S.mean_shift(0.5), n=15, reps=700, rng=0, method="analytic")
    assert calls == [512, 188]
    np.testing.assert_allclose(grouped.pvalues[:256], res.pvalues[:256], rtol=1e-12)  # the same first block
    assert info_for(ts.t_test) is info and info_for(lambda x, y: None) is None


def test_blocks_of_repetitions_replay_one_by_one():
    """Each block's samples come from one draw, each repetition's test from its own stream: replayed by hand."""
    from twosample.study import simulation as P

    sc = S.mean_shift(0.5)
    res = power("mean", sc, n=20, reps=300, rng=np.random.SeedSequence(4), n_resamples=99)
    blocks = np.random.SeedSequence(4).spawn(2)
    want = []
    for block, size in zip(blocks, (256, 44)):
        data = np.random.SeedSequence(block.entropy, spawn_key=(*block.spawn_key, 0))
        xs, ys = sc.sample_stack(size, 20, None, data)
        streams = P._LazyStreams(block, size)
        want += [ts.mean_difference_test(xs[i], ys[i], n_resamples=99, rng=streams[i]).pvalue for i in range(size)]
    np.testing.assert_array_equal(res.pvalues, want)
    # the analytic t's stacked path gives the one-by-one p-values
    t_res = power(ts.t_test, sc, n=20, reps=300, rng=np.random.SeedSequence(4), method="analytic")
    loop = []
    for block, size in zip(blocks, (256, 44)):
        data = np.random.SeedSequence(block.entropy, spawn_key=(*block.spawn_key, 0))
        xs, ys = sc.sample_stack(size, 20, None, data)
        loop += [ts.t_test(xs[i], ys[i], method="analytic").pvalue for i in range(size)]
    np.testing.assert_allclose(t_res.pvalues, loop, rtol=1e-12)


def test_samplers_without_iid_rows_are_called_once_per_repetition():
    calls = []

    def sample(n, rng):
        calls.append(n)
        return rng.normal(size=(n, 1))

    power("mean", S.from_callables(sample, sample), n=10, reps=5, rng=0, n_resamples=19)
    assert calls == [10] * 10
    calls.clear()
    power("mean", S.from_callables(sample, sample, iid_rows=True), n=10, reps=5, rng=0, n_resamples=19)
    assert calls == [50, 50]
    with pytest.raises(ValueError, match="`iid_rows`"):
        S.from_callables(sample, sample, iid_rows="yes")


def test_a_power_result_says_which_test_scenario_and_sizes():
    res = power("mean", S.mean_shift(1.0), n=12, m=9, reps=10, rng=0, n_resamples=99)
    assert (res.test, res.scenario, res.n, res.m) == ("mean", "mean-shift", 12, 9)
    assert str(res).startswith("Rejection rate of mean on mean-shift at n = 12, m = 9: ")
    assert repr(res).endswith("test='mean', scenario='mean-shift', n=12, m=9)")


def test_power_shows_a_bar_when_asked_and_gives_the_same_pvalues(capsys):
    scenario = ts.scenarios.gaussian_vs_laplace()
    loud = ts.power("ks", scenario, n=20, reps=300, rng=4, progress=True)
    assert "power of ks" in capsys.readouterr().err
    quiet = ts.power("ks", scenario, n=20, reps=300, rng=4)  # stderr is captured here: nobody watches
    assert capsys.readouterr().err == ""
    np.testing.assert_array_equal(loud.pvalues, quiet.pvalues)


def test_a_jupyter_kernel_counts_as_watched(monkeypatch):
    import types

    from twosample.core.progress import watched

    class ZMQInteractiveShell:  # the class name IPython's kernel shell has
        pass

    assert not watched()  # pytest captures stderr: not a terminal
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=ZMQInteractiveShell))
    assert watched()
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: None))  # plain IPython
    assert not watched()


@pytest.mark.parametrize("n", [1, 7, 120, 2000])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.999])
def test_clopper_pearson_bounds_are_scipys_exact_interval(n, confidence):
    from twosample.study.simulation import clopper_pearson

    for k in sorted({0, 1, n // 3, n // 2, n - 1, n}):
        scipy_ci = stats.binomtest(k, n).proportion_ci(confidence, method="exact")
        np.testing.assert_allclose(clopper_pearson(k, n, confidence), (scipy_ci.low, scipy_ci.high), atol=1e-12)
        alpha = 1 - confidence
        np.testing.assert_allclose(
            clopper_pearson(k, n, confidence), proportion_confint(k, n, alpha, "beta"), atol=1e-15
        )
