"""Where data enters and results leave: each case here gave a silently wrong answer before.

DataFrames matched by column name, CSV files as people write them, data at any
magnitude, infinite statistics, row order, f-divergences that overflowed,
SciPy-like results, user kernels, strict JSON, the seed of an unseeded run,
exact default nulls.
"""

import dataclasses
import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import twosample as ts
from twosample import PermutationStatistic, permutation_test
from twosample.app.io import DataFileWarning, load_sample, load_table
from twosample.divergences import f_divergence, pearson_gaussian_1d

# --- DataFrames ------------------------------------------------------------------------------


def frames(seed=0, n=300):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({"weight": rng.normal(70, 10, n), "height": rng.normal(170, 8, n)})
    y = pd.DataFrame({"weight": rng.normal(70, 10, n), "height": rng.normal(170, 8, n)})
    return x, y


def test_dataframe_columns_are_matched_by_name():
    x, y = frames()
    same = ts.energy_test(x, y, n_resamples=499, rng=0)
    swapped = ts.energy_test(x, y[["height", "weight"]], n_resamples=499, rng=0)
    assert swapped.pvalue == same.pvalue and swapped.statistic == same.statistic
    assert same.pvalue > 0.05  # same law: by position the swap gave p = 0.002


def test_dataframes_with_different_columns_are_an_error_naming_both():
    x, y = frames()
    with pytest.raises(ValueError, match=r"`x` has \['weight', 'height'\], `y` has \['weight', 'age'\]"):
        ts.energy_test(x, y.rename(columns={"height": "age"}))


def test_pandas_index_is_never_data():
    x, y = frames()
    shifted_index = y.set_index(np.arange(len(y)) + 10**6)
    assert ts.mean_difference_test(x, shifted_index, rng=0).pvalue == ts.mean_difference_test(x, y, rng=0).pvalue


def test_tensor_that_requires_grad_is_accepted():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(40, 2)), rng.normal(size=(30, 2))
    res = ts.mmd_test(torch.tensor(a, requires_grad=True), torch.tensor(b), rng=0, n_resamples=99)
    assert res.pvalue == ts.mmd_test(a, b, rng=0, n_resamples=99).pvalue


# --- files -----------------------------------------------------------------------------------


@pytest.fixture
def table():
    rng = np.random.default_rng(1)
    return pd.DataFrame(rng.normal(size=(50, 2)), columns=["a", "b"])


def test_to_csv_index_column_is_dropped_with_a_warning(tmp_path, table):
    table.to_csv(tmp_path / "x.csv")  # index=True, the default
    with pytest.warns(DataFileWarning, match="first column has no header"):
        got = load_sample(tmp_path / "x.csv")
    np.testing.assert_allclose(got, table.to_numpy())


@pytest.mark.parametrize("delimiter", [" ", ",", "\t"])
def test_headerless_savetxt_file_is_read_whole(tmp_path, table, delimiter):
    np.savetxt(tmp_path / "x.csv", table.to_numpy(), delimiter=delimiter)
    got = load_sample(tmp_path / "x.csv")
    assert got.shape == (50, 2)  # the first row was eaten as a header before
    np.testing.assert_allclose(got, table.to_numpy())


@pytest.mark.parametrize("name", ["x.tsv", "x.csv.gz", "x.csv.bz2", "x.csv.xz", "x.csv.zip", "x.tsv.gz"])
def test_tsv_and_compressed_text(tmp_path, table, name):
    table.to_csv(tmp_path / name, index=False, sep="\t" if ".tsv" in name else ",")
    np.testing.assert_allclose(load_sample(tmp_path / name), table.to_numpy())


@pytest.mark.parametrize("sep, header", [(";", True), ("\t", False), (",", True)])
def test_decimal_commas_are_named_and_read_with_decimal(tmp_path, table, sep, header):
    # as a French or German spreadsheet writes it: 3,25 (quoted when the fields are comma-separated)
    table.to_csv(tmp_path / "x.csv", index=False, sep=sep, decimal=",", header=header)
    if header:  # without a header, the commas look like the separator: the columns themselves are wrong
        with pytest.raises(ValueError, match=r"decimal commas \('-?\d+,\d+'\); read them with `decimal` ','"):
            load_sample(tmp_path / "x.csv")
    np.testing.assert_allclose(load_sample(tmp_path / "x.csv", decimal=","), table.to_numpy())
    assert load_table(tmp_path / "x.csv", decimal=",").dtypes.eq(np.float64).all()
    with pytest.raises(ValueError, match=r"`decimal` must be '.' or ',', got ';'"):
        load_sample(tmp_path / "x.csv", decimal=";")


def test_header_without_rows_is_named(tmp_path, table):
    table.iloc[:0].to_csv(tmp_path / "x.csv", index=False)
    with pytest.raises(ValueError, match=r"has a header \(a, b\) and no rows"):
        load_sample(tmp_path / "x.csv")


def test_parser_error_is_one_line(tmp_path):
    (tmp_path / "x.csv").write_text("a,b\n1,2\n3,4,5\n")
    with pytest.raises(ValueError) as info:
        load_sample(tmp_path / "x.csv")
    assert "x.csv" in str(info.value) and "\n" not in str(info.value)


# --- magnitudes ------------------------------------------------------------------------------

SCALE_FREE = {
    "meanvar": ts.mean_variance_test,
    "moments": ts.moments_test,
    "hotelling": ts.hotelling_test,
    "mmd": ts.mmd_test,
    "mmd-agg": ts.mmd_agg_test,
    "mmd-rff": ts.mmd_rff_test,
}
SCALED = {"mean": ts.mean_difference_test, "energy": ts.energy_test}


@pytest.mark.parametrize("scale", [1e300, 1e-300])
@pytest.mark.parametrize("name", [*SCALE_FREE, *SCALED, "mmd-linear", "c2st", "t", "t-analytic", "hotelling-analytic"])
def test_same_pvalue_at_any_representable_scale(name, scale):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(200, 2)), rng.normal(1.0, 1, size=(150, 2))
    calls = {
        **SCALE_FREE,
        **SCALED,
        "mmd-linear": ts.mmd_linear_test,
        "c2st": lambda a, b, **k: ts.c2st_test(a, b, classifier="logistic", **k),
        "t": lambda a, b, **k: ts.t_test(a[:, 0], b[:, 0], **k),
        "t-analytic": lambda a, b, **k: ts.t_test(a[:, 0], b[:, 0], method="analytic", **k),
        "hotelling-analytic": lambda a, b, **k: ts.hotelling_test(a, b, method="analytic", **k),
    }
    test = calls[name]
    kwargs = {"n_resamples": 199} if name in {*SCALE_FREE, *SCALED, "t"} else {}
    base, far = test(x, y, rng=0, **kwargs), test(x * scale, y * scale, rng=0, **kwargs)
    # x * 1e300 rounds differently from x (1e300 is not a power of two): equal up to that rounding
    assert far.pvalue == pytest.approx(base.pvalue, rel=1e-9) and base.pvalue < 0.05
    degree = 1 if name in SCALED else 0
    assert far.statistic == pytest.approx(base.statistic * scale**degree, rel=1e-12)


def test_numeric_bandwidth_scales_with_the_data():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 2)), rng.normal(0.8, 1, size=(40, 2))
    base = ts.mmd_test(x, y, bandwidth=0.7, rng=0, n_resamples=99)
    far = ts.mmd_test(x * 1e300, y * 1e300, bandwidth=0.7e300, rng=0, n_resamples=99)
    assert far.pvalue == base.pvalue and far.statistic == pytest.approx(base.statistic, rel=1e-12)


def test_statistic_that_cannot_be_computed_names_x_and_y():
    x, y = np.full((5, 1), 1e300), np.full((5, 1), -1e300)
    with pytest.raises(ValueError, match=r"NaN on the observed samples `x` and `y`"), np.errstate(invalid="ignore"):
        permutation_test(x, y, lambda a, b: np.inf - np.inf * (a.mean() > 0))


# --- the engine ------------------------------------------------------------------------------


class _HalfInfinite(PermutationStatistic):
    """+inf when the first pooled row is labelled x (the observed split included), else 0."""

    def bind(self, pooled, n_x):
        return lambda masks: np.where(masks[:, 0], np.inf, 0.0)


def test_infinite_statistic_ties_with_infinite_relabellings():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=10) - 100, rng.normal(size=10)  # the smallest row is in x: observed = +inf
    res = permutation_test(x, y, _HalfInfinite(), n_resamples=1999, rng=0)
    assert res.statistic == math.inf
    assert 0.45 < res.pvalue < 0.55  # p was 1/2000 when the tie tolerance was inf - inf


# --- row order -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda a, b: ts.mmd_test(a, b, n_resamples=99, rng=0),
        lambda a, b: ts.mmd_agg_test(a, b, n_bandwidths=3, n_resamples=99, rng=0),
        lambda a, b: ts.mmd_linear_test(a, b, rng=0),
        lambda a, b: ts.c2st_test(a, b, classifier="logistic", rng=0),
        lambda a, b: ts.c2st_test(a, b, classifier="logistic", null="permutation", n_resamples=99, rng=0),
    ],
    ids=["mmd-median-subsample", "mmd-agg-grid", "linear-pairing", "c2st-split", "c2st-permutation"],
)
def test_row_order_does_not_matter(call):
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(700, 2)), rng.normal(0.1, 1, size=(600, 2))  # N = 1,300 > 1,000: subsampled
    a, b = call(x, y), call(x[rng.permutation(700)], y[rng.permutation(600)])
    assert a.pvalue == b.pvalue and a.statistic == b.statistic


def test_learned_splits_do_not_depend_on_row_order():
    from twosample.learned import f_divergence_test

    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(80, 2)), rng.normal(0.5, 1, size=(80, 2))
    a = f_divergence_test(x, y, steps=30, n_resamples=99, rng=0)
    b = f_divergence_test(x[::-1], y[rng.permutation(80)], steps=30, n_resamples=99, rng=0)
    assert a.pvalue == b.pvalue and a.statistic == b.statistic


# --- f-divergences between continuous laws ---------------------------------------------------


def test_power_type_divergences_no_longer_overflow():
    assert f_divergence(stats.norm(0, 1), stats.norm(0, 0.8), "pearson") == pytest.approx(
        pearson_gaussian_1d(0, 1, 0, 0.8), rel=1e-9
    )  # 0.2095; was inf
    neyman = f_divergence(stats.norm(2, 3), stats.norm(0, 1), "neyman")  # chi2(Q || P) = Pearson(Q, P)
    assert neyman == pytest.approx(pearson_gaussian_1d(0, 1, 2, 3), rel=1e-9)  # 1.762; was inf


@pytest.mark.parametrize(
    ("p", "q", "name"),
    [
        (stats.norm(0, 1), stats.norm(0, 0.5), "pearson"),  # 2 sd_q^2 < sd_p^2
        (stats.cauchy(0, 1), stats.norm(0, 1), "kl"),  # heavy tail against a light one
    ],
)
def test_divergent_integrals_are_inf(p, q, name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # decided before integrating: no IntegrationWarning
        assert f_divergence(p, q, name) == math.inf  # was about 1e204


def test_kl_of_a_gaussian_from_a_cauchy_is_finite():
    # E_N[log phi - log c] in closed form: -log(2 pi)/2 - 1/2 + log(pi) + E log(1 + X^2)
    e_log = stats.norm.expect(lambda t: np.log1p(t * t))
    exact = -0.5 * math.log(2 * math.pi) - 0.5 + math.log(math.pi) + e_log
    assert f_divergence(stats.norm(0, 1), stats.cauchy(0, 1), "kl") == pytest.approx(exact, rel=1e-8)


# --- results as SciPy's, kernels as users bring them, JSON, seeds ----------------------------


def test_result_unpacks_like_scipy():
    res = ts.t_test([1.0, 2.0, 3.5, 4.0], [2.0, 5.0, 6.0, 7.5], method="analytic")
    statistic, pvalue = res
    ref = stats.ttest_ind([1.0, 2.0, 3.5, 4.0], [2.0, 5.0, 6.0, 7.5], equal_var=False)
    assert (statistic, pvalue) == pytest.approx((ref.statistic, ref.pvalue))
    assert res[0] == res.statistic and res[1] == res.pvalue and len(res) == 2


@pytest.mark.parametrize("kernel", ["callable", "sklearn"])
def test_user_kernels(kernel):
    from sklearn.gaussian_process.kernels import RBF
    from sklearn.metrics.pairwise import rbf_kernel

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(50, 2)), rng.normal(size=(40, 2)) * [1.0, 1.8]
    ours = ts.mmd_test(x, y, kernel="gaussian", bandwidth=1.5, n_resamples=199, rng=0)
    user = (lambda a, b: rbf_kernel(a, b, gamma=1 / (2 * 1.5**2))) if kernel == "callable" else RBF(1.5)
    theirs = ts.mmd_test(x, y, kernel=user, n_resamples=199, rng=0)
    assert theirs.pvalue == ours.pvalue and theirs.statistic == pytest.approx(ours.statistic, rel=1e-10)
    agg = ts.mmd_agg_test(x, y, kernels=[user, RBF(0.5)], n_resamples=99, rng=0)
    assert 0 < agg.pvalue <= 1
    lin = ts.mmd_linear_test(x, y, kernel=user, rng=0)
    assert math.isfinite(lin.statistic)


def test_kernel_that_returns_the_wrong_shape_is_named():
    with pytest.raises(ValueError, match=r"`kernel` must return the Gram matrix of shape"):
        ts.mmd_test(np.zeros((5, 1)) + np.arange(5)[:, None], np.ones((4, 1)), kernel=lambda a, b: np.ones(3))


@pytest.mark.parametrize(
    "call",
    [
        lambda x, y: ts.c2st_test(x, y, rng=0),
        lambda x, y: ts.c2st_test(x, y, classifier="logistic", null="permutation", n_resamples=99, rng=0),
        lambda x, y: ts.t_test(x[:, 0], y[:, 0], method="analytic"),
        lambda x, y: ts.ks_test(x[:, 0], np.full(60, 0.0)),
        lambda x, y: ts.mmd_test(x, y, n_resamples=99, rng=0),
    ],
    ids=["c2st", "c2st-permutation", "analytic", "ks", "mmd"],
)
def test_to_dict_is_strict_json(call):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(60, 2)), rng.normal(0.3, 1, size=(60, 2))
    res = call(x, y)
    text = json.dumps(res.to_dict(include_null=True), allow_nan=False)
    assert json.loads(text)["pvalue"] == res.pvalue


def test_deep_mmd_result_is_strict_json():
    from twosample.learned import mmd_deep_test

    rng = np.random.default_rng(0)
    res = mmd_deep_test(rng.normal(size=(60, 2)), rng.normal(size=(60, 2)), steps=5, n_resamples=49, rng=0)
    d = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert d["kernel"]["type"] == "DeepKernel" and d["feature_map"] == "Sequential"


def test_nan_and_inf_become_null():
    res = dataclasses.replace(
        ts.t_test([1.0, 2.0, 3.0], [1.5, 2.5, 4.0], method="analytic"), threshold=math.nan, statistic=math.inf
    )
    d = res.to_dict()
    assert d["threshold"] is None and d["statistic"] is None


def test_unseeded_run_reports_the_seed_that_repeats_it():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(30, 2)), rng.normal(size=(30, 2))
    for test in (ts.mean_difference_test, ts.mmd_test, ts.c2st_test):
        first = test(x, y)
        assert isinstance(first.seed, int)
        again = test(x, y, rng=first.seed)
        assert again.pvalue == first.pvalue and again.seed == first.seed
    assert ts.mmd_test(x, y, rng=np.random.default_rng(1)).seed is None


# --- default nulls ---------------------------------------------------------------------------


def test_ks_default_is_scipys_exact_null_without_ties():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=40), rng.normal(0.6, 1, size=35)
    res = ts.ks_test(x, y)
    assert res.method == "exact" and res.pvalue == stats.ks_2samp(x, y, method="exact").pvalue


def test_ks_with_ties_falls_back_to_the_permutation_null():
    x, y = np.repeat([0.0, 1.0, 2.0], 10), np.repeat([1.0, 2.0, 3.0], 10)
    assert ts.ks_test(x, y, rng=0).method == "permutation"


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_ks_alternative_matches_scipy(alternative):
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=30), rng.normal(0.5, 1, size=25)
    ref = stats.ks_2samp(x, y, alternative=alternative, method="exact")
    exact = ts.ks_test(x, y, alternative=alternative)
    sign = -1 if alternative == "less" else 1  # "less": min(F_x - F_y) = -D-
    assert exact.pvalue == pytest.approx(ref.pvalue) and exact.statistic == pytest.approx(sign * ref.statistic)
    perm = ts.ks_test(x, y, alternative=alternative, method="permutation", n_resamples=1999, rng=0)
    assert perm.statistic == pytest.approx(exact.statistic)
    assert perm.pvalue == pytest.approx(ref.pvalue, abs=0.03)  # Monte Carlo against the exact null


@pytest.mark.parametrize(
    ("test", "scipy_call"),
    [
        (ts.mannwhitney_test, lambda x, y: stats.mannwhitneyu(x, y, method="exact")),
        (ts.cvm_test, lambda x, y: stats.cramervonmises_2samp(x, y, method="exact")),
    ],
)
def test_mwu_and_cvm_default_to_the_exact_null_when_it_is_exact(test, scipy_call):
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=12), rng.normal(0.8, 1, size=15)
    res = test(x, y)
    assert res.method == "exact" and res.pvalue == pytest.approx(scipy_call(x, y).pvalue)
