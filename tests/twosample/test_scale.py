"""Large-data tests (twosample.scale): every source type, each summary test against its in-memory
twin, partition invariance (1, 3 and 17 partitions), the level of the new nulls, bad input."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import twosample as ts
from twosample import scale
from twosample.categorical.statistics import AndersonDarling, CramerVonMises, Wasserstein
from twosample.scale.exact import ExactMoments, exact_sum, to_float
from twosample.scale.summaries import row_keys


def _table(n, seed, shift=0.0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "a": rng.normal(shift, 1, n),
            "b": rng.integers(0, 5, n).astype(float),
            "c": rng.choice(["p", "q", "r"], n, p=[0.5, 0.3, 0.2] if not shift else [0.4, 0.3, 0.3]),
            "d": rng.random(n) < 0.3,
        }
    )
    frame.loc[rng.random(n) < 0.05, "a"] = np.nan
    frame.loc[rng.random(n) < 0.05, "c"] = None
    return frame


@pytest.fixture(scope="module")
def tables():
    return _table(3000, 1), _table(2500, 2, shift=0.15)


def _write(frame, path, parts):
    """`frame` as one parquet file with `parts` row groups."""
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, row_group_size=-(-len(frame) // parts))
    return str(path)


# ---- exact sums -------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e300, 1e300, allow_nan=False, width=64), min_size=1, max_size=60))
def test_exact_sum_is_the_exact_sum(values):
    exact = sum((Fraction(v) for v in values), Fraction(0))
    assert to_float(exact_sum(np.array(values))) == float(exact)


def test_exact_moments_do_not_depend_on_the_split_and_have_no_cancellation():
    rng = np.random.default_rng(0)
    rows = rng.normal(1e8, 1.0, size=(5000, 3))
    whole = ExactMoments.of(rows)
    split = ExactMoments.of(rows[:1234]).merge(ExactMoments.of(rows[1234:4000])).merge(ExactMoments.of(rows[4000:]))
    assert np.array_equal(whole.covariance(), split.covariance())
    assert np.array_equal(whole.mean(), split.mean())
    column = [Fraction(v) for v in rows[:, 0]]
    mean = sum(column) / len(column)
    exact_var = sum((v - mean) ** 2 for v in column) / (len(column) - 1)
    assert whole.covariance()[0, 0] == float(exact_var)  # the one rounding of the exact variance


def test_row_keys_do_not_depend_on_the_split():
    whole = row_keys(7, 1, 0, 103)
    parts = np.concatenate([row_keys(7, 1, 0, 5), row_keys(7, 1, 5, 50), row_keys(7, 1, 55, 48)])
    assert np.array_equal(whole, parts)
    assert not np.array_equal(row_keys(7, 0, 0, 103), whole)  # each sample has its own stream


# ---- count statistics on ordered levels ------------------------------------------------------


def _counts(x, y):
    values = np.unique(np.r_[x, y])
    return values, np.array([(x == v).sum() for v in values]), np.array([(y == v).sum() for v in values])


def test_ordered_count_statistics_match_scipy():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=40), rng.normal(0.4, 1.2, 55)
    values, a, b = _counts(x, y)
    assert CramerVonMises().value(a, b) == pytest.approx(stats.cramervonmises_2samp(x, y).statistic, rel=1e-12)
    assert Wasserstein(values).value(a, b) == pytest.approx(stats.wasserstein_distance(x, y), rel=1e-12)
    xt, yt = np.round(x), np.round(y)
    values, a, b = _counts(xt, yt)
    from scipy.stats._morestats import _anderson_ksamp_midrank

    pooled = np.sort(np.r_[xt, yt])
    reference = _anderson_ksamp_midrank([xt, yt], pooled, np.unique(pooled), 2, np.array([40, 55]), 95)
    assert AndersonDarling().value(a, b) == pytest.approx(reference, rel=1e-12)
    assert Wasserstein(values).value(a, b) == pytest.approx(stats.wasserstein_distance(xt, yt), rel=1e-12)


# ---- each test against its in-memory twin ----------------------------------------------------


def test_counts_test_is_chi2_test_bit_for_bit(tables):
    x, y = tables
    cx, cy = x["c"].dropna().to_numpy(), y["c"].dropna().to_numpy()
    for name, twin in (("chi2", ts.chi2_test), ("g", ts.g_test), ("tvd", ts.tvd_test)):
        ours = scale.counts_test(x[["c"]], y[["c"]], statistic=name, rng=5, n_resamples=499)
        theirs = twin(cx, cy, rng=5, n_resamples=499)
        assert (ours.statistic, ours.pvalue, ours.method) == (theirs.statistic, theirs.pvalue, theirs.method)


def test_binned_test_of_few_values_is_the_exact_ordinal_test(tables):
    x, y = tables
    bx, by = x["b"].to_numpy(), y["b"].to_numpy()
    ours = scale.binned_test(bx, by, rng=4, n_resamples=499)
    theirs = ts.ordinal_ks_test(bx, by, rng=4, n_resamples=499)
    assert (ours.statistic, ours.pvalue) == (theirs.statistic, theirs.pvalue)
    assert ours.statistic == pytest.approx(ts.ks_test(bx, by).statistic, rel=1e-12)


def test_binned_statistics_equal_the_unbinned_ones_on_distinct_values():
    rng = np.random.default_rng(8)
    x, y = rng.normal(size=300), rng.normal(0.3, 1, 250)
    assert scale.binned_test(x, y, statistic="ks", rng=0, n_resamples=99).statistic == pytest.approx(
        stats.ks_2samp(x, y).statistic, rel=1e-12
    )
    assert scale.binned_test(x, y, statistic="cvm", rng=0, n_resamples=99).statistic == pytest.approx(
        stats.cramervonmises_2samp(x, y).statistic, rel=1e-12
    )
    assert scale.binned_test(x, y, statistic="wasserstein", rng=0, n_resamples=99).statistic == pytest.approx(
        stats.wasserstein_distance(x, y), rel=1e-12
    )


def test_binned_ks_loses_little_with_many_values():
    rng = np.random.default_rng(9)
    x, y = rng.normal(size=20_000), rng.normal(0.05, 1, 20_000)
    binned = scale.binned_test(x, y, bins=1024, rng=0, n_resamples=99).statistic
    exact = stats.ks_2samp(x, y).statistic
    assert exact - 2 / 1024 <= binned <= exact  # the sup over fewer points, within one bin's mass


def test_moment_tests_agree_with_the_in_memory_analytic_tests(tables):
    x, y = tables
    ax, ay = x["a"].dropna().to_numpy(), y["a"].dropna().to_numpy()
    ours = scale.welch_test(x[["a"]], y[["a"]])
    theirs = ts.t_test(ax, ay, method="analytic")
    assert ours.statistic == pytest.approx(theirs.statistic, rel=1e-12)
    assert ours.pvalue == pytest.approx(theirs.pvalue, rel=1e-10)
    rows_x, rows_y = x[["a", "b"]].dropna().to_numpy(), y[["a", "b"]].dropna().to_numpy()
    ours = scale.hotelling_test(x[["a", "b"]], y[["a", "b"]])
    theirs = ts.hotelling_test(rows_x, rows_y, method="analytic")
    assert ours.statistic == pytest.approx(theirs.statistic, rel=1e-10)
    assert ours.pvalue == pytest.approx(theirs.pvalue, rel=1e-8)


def test_compare_matches_the_in_memory_comparison(tables):
    x, y = tables
    # with more bins than distinct values every column's statistic is the in-memory one
    ours = scale.compare(x, y, rng=0, multivariate="none", n_resamples=999, bins=8192).columns.set_index("column")
    theirs = ts.compare(x, y, rng=0, multivariate="none", n_resamples=999).columns.set_index("column")
    for col in ["a", "b", "c", "d"]:
        assert ours.loc[col, "statistic"] == pytest.approx(theirs.loc[col, "statistic"], rel=1e-12)
    assert ours.loc["d", "pvalue"] == pytest.approx(theirs.loc["d", "pvalue"], rel=1e-12)  # Fisher
    for col in ["a", "b", "c", "d"]:
        assert ours.loc[col, "missing_pvalue"] == pytest.approx(theirs.loc[col, "missing_pvalue"], nan_ok=True)
        assert ours.loc[col, "effect"] == pytest.approx(theirs.loc[col, "effect"], rel=1e-12)
    assert ours.loc["a", "smd"] == pytest.approx(theirs.loc["a", "smd"], rel=1e-12)
    assert ours.loc["a", "wasserstein"] == pytest.approx(theirs.loc["a", "wasserstein"], rel=1e-12)


# ---- sources and partition invariance -----------------------------------------------------------


def _results(x, y, **kwargs):
    """Every large-data test on `x`, `y`, as comparable plain data."""
    out = {"compare": scale.compare(x, y, rng=1, n_resamples=199, sample_size=500, **kwargs).to_dict()}
    out["ks"] = scale.binned_test(x, y, "a", bins=64, sample_size=500, rng=2, n_resamples=199, **kwargs)
    out["chi2"] = scale.counts_test(x, y, "c", rng=3, n_resamples=199, **kwargs)
    out["welch"] = scale.welch_test(x, y, "a", **kwargs)
    out["hotelling"] = scale.hotelling_test(x, y, ["a", "b"], **kwargs)
    out["rff"] = scale.rff_mmd_test(x, y, ["a", "b"], sample_size=500, rng=4, **kwargs)
    out["c2st"] = scale.classifier_test(x, y, sample_size=800, bins=64, n_resamples=199, rng=5, **kwargs)
    return {k: v if isinstance(v, dict) else v.to_dict() for k, v in out.items()}


@pytest.fixture(scope="module")
def reference(tables):
    return _results(*tables)


@pytest.mark.parametrize("parts", [1, 3, 17])
def test_parquet_results_do_not_depend_on_the_partitions(tables, reference, tmp_path, parts):
    x, y = tables
    assert _results(_write(x, tmp_path / "x.parquet", parts), _write(y, tmp_path / "y.parquet", parts)) == reference


def test_every_source_type_gives_the_same_results(tables, reference, tmp_path):
    import dask.dataframe as dd

    x, y = tables
    (tmp_path / "dx").mkdir()
    for part in range(3):
        _write(x.iloc[part * 1000 : (part + 1) * 1000], tmp_path / "dx" / f"part-{part}.parquet", 2)
    _write(y, tmp_path / "y.parquet", 4)
    assert _results(str(tmp_path / "dx"), str(tmp_path / "y.parquet")) == reference  # a directory
    assert _results(str(tmp_path / "dx" / "*.parquet"), ds.dataset(str(tmp_path / "y.parquet"))) == reference  # glob
    assert _results(pa.Table.from_pandas(x), y) == reference
    dx, dy = dd.from_pandas(x, npartitions=5), dd.from_pandas(y, npartitions=2)
    assert _results(dx, dy) == reference
    chunks = lambda frame: lambda: (frame.iloc[i : i + 700] for i in range(0, len(frame), 700))  # noqa: E731
    assert _results(chunks(x), chunks(y)) == reference  # iterators, remade for each pass


def test_arrays_dask_arrays_and_one_shot_iterators():
    import dask.array as da

    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(4000, 2)), rng.normal(size=(3000, 2))
    ref = scale.hotelling_test(x, y).to_dict()
    assert scale.hotelling_test(da.from_array(x, chunks=(333, 1)), da.from_array(y, chunks=(1000, 2))).to_dict() == ref
    assert scale.hotelling_test(iter(np.array_split(x, 4)), iter(np.array_split(y, 3))).to_dict() == ref
    ks = scale.binned_test(x[:, 0], y[:, 0], rng=0, n_resamples=99).to_dict()
    assert scale.binned_test(da.from_array(x[:, 0], chunks=500), y[:, 0], rng=0, n_resamples=99).to_dict() == ks
    dx = da.from_array(x, chunks=(700, 2))
    unknown = dx[dx[:, 0] > -np.inf]  # a filter: chunk sizes unknown until computed
    assert scale.hotelling_test(unknown, y).to_dict() == ref
    with pytest.raises(ValueError, match="iterator, which can be read only once"):
        scale.binned_test(iter(np.array_split(x[:, 0], 4)), y[:, 0], rng=0)


# ---- level of the nulls built here ---------------------------------------------------------------


def _rejections(test, reps, n, seed):
    rng = np.random.default_rng(seed)
    return sum(
        test(rng.normal(size=n), rng.normal(size=n), int(rng.integers(2**31))).pvalue <= 0.05 for _ in range(reps)
    )


def _within(rejections, reps, alpha=0.05):
    low, high = stats.binomtest(rejections, reps, alpha).proportion_ci(0.99)
    return low <= alpha <= high


def test_binned_ks_controls_its_level():
    # the bins come from a pooled keyed sample of 100 of the 600 rows: the binned test is exact anyway
    def test(x, y, seed):
        return scale.binned_test(x, y, bins=16, sample_size=100, rng=seed, n_resamples=199)

    assert _within(_rejections(test, 300, 300, 11), 300)


def test_rff_mmd_controls_its_level():
    def test(x, y, seed):
        rng = np.random.default_rng(seed)
        x, y = np.c_[x, rng.normal(size=len(x))], np.c_[y, rng.normal(size=len(y))]
        return scale.rff_mmd_test(x, y, n_features=8, sample_size=500, rng=seed)

    assert _within(_rejections(test, 300, 4000, 12), 300)


@pytest.mark.slow
def test_classifier_test_controls_its_level():
    def test(x, y, seed):
        return scale.classifier_test(x, y, sample_size=400, bins=64, n_resamples=199, rng=seed)

    assert _within(_rejections(test, 200, 1000, 13), 200)


def test_classifier_test_level_subset():
    def test(x, y, seed):
        return scale.classifier_test(x, y, sample_size=300, bins=32, n_resamples=99, rng=seed)

    rejections = _rejections(test, 24, 400, 14)
    assert stats.binomtest(rejections, 24, 0.05).pvalue > 0.001


def test_the_tests_see_a_difference(tables):
    x, y = tables
    res = scale.compare(x, y, rng=0, n_resamples=499, sample_size=1000)
    assert res.reject and res.multivariate.pvalue <= 0.05
    assert set(res.columns.loc[res.columns["reject"], "column"]) >= {"a", "c"}


# ---- bad input --------------------------------------------------------------------------------------


def test_bad_input_names_the_argument(tables, tmp_path):
    x, y = tables
    with pytest.raises(ValueError, match="statistic"):
        scale.binned_test(x, y, "a", statistic="median")
    with pytest.raises(ValueError, match="numeric"):
        scale.binned_test(x, y, "c")
    with pytest.raises(ValueError, match="name the one to compare"):
        scale.binned_test(x[["a", "b"]], y[["a", "b"]])
    with pytest.raises(ValueError, match="columns"):
        scale.compare(x, y, columns=["zz"])
    with pytest.raises(ValueError, match="no parquet file"):
        scale.welch_test(str(tmp_path / "none-*.parquet"), y, "a")
    with pytest.raises(TypeError, match="`x` must be"):
        scale.welch_test(42, y, "a")
    with pytest.raises(ValueError, match="correction"):
        scale.compare(x, y, correction="maxT")
    with pytest.raises(ValueError, match="2 or more values"):
        scale.welch_test(np.array([1.0]), np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="constant"):
        scale.hotelling_test(np.ones((10, 2)), np.ones((12, 2)))
    with pytest.raises(TypeError, match="`client`"):
        scale.welch_test(x, y, "a", client="tcp://nowhere")


def test_a_corrupt_file_is_named_and_nothing_is_written(tables, tmp_path):
    x, y = tables
    data = tmp_path / "data"
    data.mkdir()
    _write(x, data / "good.parquet", 2)
    (data / "bad.parquet").write_bytes(b"PAR1 this is not a parquet file")
    before = sorted(p.name for p in data.iterdir())
    with pytest.raises(ValueError, match="bad.parquet"):
        scale.compare(str(data), y, rng=0)
    assert sorted(p.name for p in data.iterdir()) == before
    assert math.isfinite(scale.welch_test(str(data / "good.parquet"), y, "a").pvalue)


def test_asymptotic_nulls_on_merged_counts(tables):
    x, y = tables
    cx, cy = x["c"].dropna().to_numpy(), y["c"].dropna().to_numpy()
    ours = scale.counts_test(x[["c"]], y[["c"]], method="asymptotic")
    theirs = ts.chi2_test(cx, cy, method="asymptotic")
    assert (ours.statistic, ours.pvalue) == (theirs.statistic, theirs.pvalue)
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=3000), rng.normal(0.1, 1, 2000)
    ours = scale.binned_test(a, b, method="asymptotic", bins=8192)
    assert ours.pvalue == pytest.approx(ts.ks_test(a, b, method="asymptotic").pvalue, rel=1e-9)
    with pytest.raises(ValueError, match="statistic='ks' only"):
        scale.binned_test(a, b, statistic="cvm", method="asymptotic")


def test_identifier_columns_are_skipped_with_a_warning():
    rng = np.random.default_rng(0)
    x = pd.DataFrame({"id": [f"u{i}" for i in range(3000)], "v": rng.normal(size=3000)})
    y = pd.DataFrame({"id": [f"w{i}" for i in range(2000)], "v": rng.normal(size=2000)})
    with pytest.warns(UserWarning, match="'id' has 5,000 distinct values"):
        res = scale.compare(x, y, rng=0, multivariate="none", n_resamples=99)
    assert res.skipped == ("id",) and list(res.columns["column"]) == ["v"]
    ids = pd.DataFrame({"id": np.arange(100_001).astype(str)})
    with pytest.raises(ValueError, match="more than 100,000 levels"):
        scale.counts_test(ids, ids.iloc[:10], "id", rng=0)


def test_review_edge_cases_give_clear_errors(tmp_path):
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=500), rng.normal(size=400)
    with pytest.raises(ValueError, match="column '0' holds infinite values in `x`"):
        scale.welch_test(np.r_[a, np.inf], b)
    with pytest.raises(ValueError, match="1.3e154"):
        scale.welch_test(a * 1e200, b)
    parts = [pd.DataFrame({"v": a[:250]}), pd.DataFrame({"v": ["seven", *a[251:500]]})]
    with pytest.raises(ValueError, match="column 'v' is numeric but a partition of `x` holds 'seven'"):
        scale.welch_test(iter(parts), pd.DataFrame({"v": b}))
    _write(pd.DataFrame({"v": a, "s": a}), tmp_path / "p0.parquet", 1)
    _write(pd.DataFrame({"v": b}), tmp_path / "p1.parquet", 1)
    with pytest.raises(ValueError, match="p1.parquet' lacks the columns \\['s'\\]"):
        scale.welch_test(str(tmp_path / "p*.parquet"), pd.DataFrame({"s": b}), "s")
    codes = [pd.DataFrame({"c": [1, 2] * 50}), pd.DataFrame({"c": ["1", "2"] * 50})]
    with pytest.raises(ValueError, match="numbers in some partitions and text in others"):
        scale.counts_test(iter(codes), pd.DataFrame({"c": [1, 2] * 30}), rng=0)
    with pytest.raises(ValueError, match="reads it 2 times"):
        scale.binned_test(iter([pd.DataFrame({"v": a})]), b, rng=0)


def test_empty_first_file_and_degenerate_moments_behave_as_in_memory(tmp_path):
    rng = np.random.default_rng(6)
    a, b = rng.normal(size=300), rng.normal(size=200)
    (tmp_path / "x").mkdir()
    pq.write_table(pa.Table.from_pandas(pd.DataFrame({"v": a[:0]})), tmp_path / "x" / "a-empty.parquet")
    _write(pd.DataFrame({"v": a}), tmp_path / "x" / "b.parquet", 2)
    frame_b = pd.DataFrame({"v": b})
    assert scale.welch_test(str(tmp_path / "x"), frame_b).to_dict() == scale.welch_test(a, b).to_dict()
    zeros, ones = np.zeros(20), np.ones(30)
    ours, theirs = scale.welch_test(zeros, ones), ts.t_test(zeros, ones, method="analytic")
    assert (ours.statistic, ours.pvalue, ours.reject) == (theirs.statistic, theirs.pvalue, theirs.reject)
    split = np.c_[rng.normal(size=(40, 1)), np.zeros(40)], np.c_[rng.normal(size=(30, 1)), np.ones(30)]
    ours, theirs = scale.hotelling_test(*split), ts.hotelling_test(*split, method="analytic")
    # no spread within the samples along column 2: infinite (exactly, here; 1e17 after NumPy's rounding)
    assert ours.statistic == np.inf and theirs.statistic > 1e15 and ours.pvalue == theirs.pvalue == 0.0
    with pytest.raises(ValueError, match="collinear"):
        scale.hotelling_test(np.c_[a, 2 * a], np.c_[b, 2 * b])


def test_a_one_row_partition_changes_no_feature():
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(1001, 2)), rng.normal(size=(800, 2))
    whole = scale.rff_mmd_test(x, y, rng=3, sample_size=200).to_dict()
    frames = lambda: (pd.DataFrame(x[i:j]) for i, j in ((0, 1), (1, 2), (2, 1001)))  # noqa: E731
    assert scale.rff_mmd_test(frames, y, rng=3, sample_size=200).to_dict() == whole
