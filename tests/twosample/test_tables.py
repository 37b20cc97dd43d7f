"""ts.compare: column kinds, errors naming the column, corrections, missingness, effect sizes, a real table."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

import twosample as ts


def _tables(rng, n=300, shift=0.0, missing=0.0):
    def one(s):
        frame = pd.DataFrame(
            {
                "age": rng.normal(40 + s, 10, n),
                "visits": rng.poisson(3, n),
                "city": rng.choice(["paris", "lyon", "nice"], n, p=[0.5, 0.3, 0.2]),
                "member": rng.random(n) < 0.4,
                "grade": pd.Categorical(rng.choice(["low", "mid", "high"], n), ["low", "mid", "high"], ordered=True),
            }
        )
        if missing:
            frame.loc[rng.random(n) < missing, "age"] = np.nan
            frame.loc[rng.random(n) < missing, "city"] = None
        return frame

    return one(0.0), one(shift)


def test_each_kind_gets_its_test_and_effect():
    x, y = _tables(np.random.default_rng(0), shift=6.0)
    res = ts.compare(x, y, rng=1, multivariate="none", n_resamples=999)
    rows = res.columns.set_index("column")
    assert dict(rows["kind"]) == {
        "age": "numeric",
        "visits": "numeric",
        "city": "categorical",
        "member": "boolean",
        "grade": "ordinal",
    }
    assert dict(rows["test"]) == {
        "age": "ks",
        "visits": "ks",
        "city": "chi2",
        "member": "fisher",
        "grade": "ordinal-ks",
    }
    assert rows.loc["age", "reject"] and res.reject and res.columns["column"].iloc[0] == "age"  # sorted by effect
    assert rows.loc["age", "effect_low"] <= rows.loc["age", "effect"] <= rows.loc["age", "effect_high"]
    assert rows.loc["age", "smd_low"] < -0.6 < rows.loc["age", "smd_high"] < 0  # true SMD -0.6
    json.dumps(res.to_dict(), allow_nan=False)
    assert "age" in repr(res)


def test_holm_is_statsmodels_on_the_raw_pvalues():
    x, y = _tables(np.random.default_rng(2), shift=2.0, missing=0.1)
    res = ts.compare(x, y, rng=3, multivariate="none", n_resamples=999)
    rows = res.columns
    family = np.r_[rows["pvalue"], rows["missing_pvalue"].dropna()]
    adjusted = multipletests(family, method="holm")[1]
    assert np.allclose(np.r_[rows["p_adjusted"], rows["missing_p_adjusted"].dropna()], adjusted)


def test_missingness_is_information():
    rng = np.random.default_rng(4)
    x, y = _tables(rng)
    y.loc[: len(y) // 3, "age"] = np.nan  # a third missing in y only, the observed values alike
    row = ts.compare(x, y, rng=5, multivariate="none").columns.set_index("column").loc["age"]
    assert row["missing_x"] == 0 and row["missing_y"] > 0.3
    assert row["missing_p_adjusted"] < 1e-6 and row["reject"] and row["pvalue"] > 0.01


def test_the_comparison_does_not_depend_on_row_order():
    rng = np.random.default_rng(6)
    x, y = _tables(rng, shift=1.0, missing=0.05)
    a = ts.compare(x, y, rng=7, multivariate="none", n_resamples=499).columns
    b = ts.compare(
        x.sample(frac=1, random_state=1), y.sample(frac=1, random_state=2), rng=7, multivariate="none", n_resamples=499
    ).columns
    pd.testing.assert_frame_equal(a, b)


def test_maxt_is_at_least_as_powerful_as_bonferroni_and_matches_a_single_column():
    rng = np.random.default_rng(8)
    x, y = _tables(rng, shift=3.0)
    res = ts.compare(x, y, correction="maxT", rng=9, multivariate="none", n_resamples=999)
    rows = res.columns
    assert (rows["p_adjusted"] >= rows["pvalue"] - 1e-12).all()
    assert (rows["p_adjusted"] <= np.minimum(1, len(rows) * rows["pvalue"]) + 0.02).all()
    one = ts.compare(x[["age"]], y[["age"]], correction="maxT", rng=9, multivariate="none", n_resamples=999)
    assert one.columns["p_adjusted"].iloc[0] == pytest.approx(one.columns["pvalue"].iloc[0])  # a family of one


def test_maxt_controls_the_familywise_error_with_correlated_columns():
    # 20 columns sharing one factor (correlation 0.8), global null: rejections within the binomial band
    rng = np.random.default_rng(10)
    reps, rejections = 60, 0
    for _ in range(reps):
        factor = rng.normal(size=(60, 1)), rng.normal(size=(60, 1))
        x, y = (pd.DataFrame(0.9 * f + 0.45 * rng.normal(size=(60, 20))) for f in factor)
        rejections += ts.compare(x, y, correction="maxT", n_resamples=99, rng=rng, multivariate="none").reject
    assert rejections <= 8  # binom.ppf(0.995, 60, 0.05) = 8


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda x, y: (x, y.drop(columns="city")), "only in `x`: \\['city'\\]"),
        (lambda x, y: (x, y.assign(age=y["age"].astype(str))), "column 'age' is numeric in `x` but categorical"),
        (lambda x, y: (x, y.assign(city=None)), "column 'city': every value is missing in `y`"),
        (lambda x, y: (x.assign(when=pd.Timestamp("2026-01-01")), y.assign(when=pd.Timestamp("2026-02-01"))), "dates"),
    ],
)
def test_bad_tables_name_the_column(change, message):
    x, y = change(*_tables(np.random.default_rng(11), n=30))
    with pytest.raises(ValueError, match=message):
        ts.compare(x, y, multivariate="none")


def test_bad_options_name_the_argument():
    x, y = _tables(np.random.default_rng(12), n=30)
    for kwargs, name in [({"correction": "bonf"}, "correction"), ({"categorical": ["nope"]}, "categorical")]:
        with pytest.raises(ValueError, match=f"`{name}`"):
            ts.compare(x, y, multivariate="none", **kwargs)
    with pytest.raises(ValueError, match="`columns`"):
        ts.compare(x, y, columns=["nope"])


def test_an_identifier_column_is_skipped_with_a_warning():
    rng = np.random.default_rng(13)
    x, y = _tables(rng, n=1500)
    x["id"], y["id"] = [f"u{i}" for i in range(1500)], [f"v{i}" for i in range(1500)]
    with pytest.warns(UserWarning, match="looks like an identifier"):
        res = ts.compare(x, y, multivariate="none", n_resamples=199, rng=0)
    assert res.skipped == ("id",) and "id" not in set(res.columns["column"])


def test_codes_named_categorical_are_compared_as_categories():
    x, y = _tables(np.random.default_rng(14), n=200)
    res = ts.compare(x, y, categorical=["visits"], multivariate="none", n_resamples=199, rng=0)
    assert res.columns.set_index("column").loc["visits", "test"] == "chi2"


@pytest.mark.parametrize("which", ["c2st", "mmd"])
def test_the_multivariate_test_sees_a_joint_change(which):
    # same margins, different dependence: x's city follows age, y's does not
    rng = np.random.default_rng(15)
    age = rng.normal(size=(2, 600))
    x = pd.DataFrame({"age": age[0], "old": np.where(age[0] > 0, "yes", "no")})
    y = pd.DataFrame({"age": age[1], "old": rng.permutation(np.where(age[1] > 0, "yes", "no"))})
    res = ts.compare(x, y, multivariate=which, n_resamples=199, rng=1)
    assert not res.reject and res.multivariate.reject
    assert res.multivariate.test == f"{which}-mixed"


def test_penguins_islands_differ_and_random_halves_do_not():
    penguins = pytest.importorskip("palmerpenguins").load_penguins()
    biscoe, dream = (penguins[penguins.island == i].drop(columns="island") for i in ("Biscoe", "Dream"))
    res = ts.compare(biscoe, dream, rng=0, n_resamples=999, multivariate="none")
    assert res.columns.set_index("column").loc["species", "reject"]
    rng = np.random.default_rng(16)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        halves = [
            ts.compare(
                *np.array_split(penguins.sample(frac=1, random_state=s), 2), rng=s, n_resamples=199, multivariate="none"
            ).reject
            for s in range(10)
        ]
    assert sum(halves) <= 3  # binom.ppf(0.995, 10, 0.05) = 3
    del rng


def test_large_numeric_columns_agree_with_scipy():
    # beyond 10,000 rows a sample the KS p-value and W1 come from counts per distinct value
    rng = np.random.default_rng(17)
    x, y = pd.DataFrame({"v": rng.normal(size=12000)}), pd.DataFrame({"v": rng.normal(0.03, 1, size=11000)})
    x.loc[:99, "v"] = np.nan
    row = ts.compare(x, y, multivariate="none").columns.iloc[0]
    vx, vy = x["v"].dropna().to_numpy(), y["v"].to_numpy()
    ref = ts.ks_test(vx, vy, method="asymptotic")
    assert row["method"] == "asymptotic" and row["statistic"] == pytest.approx(ref.statistic)
    assert row["pvalue"] == pytest.approx(ref.pvalue, rel=1e-9)
    assert row["wasserstein"] == pytest.approx(stats.wasserstein_distance(vx, vy), rel=1e-9)
    ties = ts.compare(x.round(1), y.round(1), multivariate="none", n_resamples=999, rng=0).columns.iloc[0]
    assert ties["method"] == "permutation"  # few distinct values: the exact conditional null over tables


def test_label_effect_intervals_hold_their_estimate():
    # distances of empirical laws are biased upward: the bias-corrected interval still surrounds the estimate
    rng = np.random.default_rng(18)
    for _ in range(20):
        x, y = _tables(rng, n=80)
        rows = ts.compare(x, y, multivariate="none", n_resamples=99, rng=rng).columns
        labels = rows[rows["kind"] != "numeric"]
        assert (labels["tvd_low"] <= labels["tvd"]).all() and (labels["tvd"] <= labels["tvd_high"]).all()
        assert (labels["cramers_v_low"] <= labels["cramers_v"]).all()
        assert (labels["cramers_v"] <= labels["cramers_v_high"]).all()


def test_maxt_relabels_many_valued_columns_through_their_order_with_the_same_statistics(monkeypatch):
    from twosample.study import _maxt
    from twosample.study._columns import prepare_columns

    rng = np.random.default_rng(19)
    frames = []
    for _ in range(2):
        frame = pd.DataFrame({"ties": np.round(rng.normal(size=400), 1), "v": rng.normal(size=400)})
        frame.loc[rng.random(400) < 0.1, "ties"] = np.nan
        frames.append(frame)
    columns, _ = prepare_columns(*frames)
    monkeypatch.setattr(_maxt, "SORTED_MIN_LEVELS", 5)
    by_order = _maxt._Layout(columns)
    monkeypatch.setattr(_maxt, "SORTED_MIN_LEVELS", 10**9)
    by_counts = _maxt._Layout(columns)
    assert len(by_order.sorted) == 2 and not by_counts.sorted
    for _ in range(5):
        rows = rng.permutation(800)[:400]
        np.testing.assert_allclose(by_order.statistics(rows), by_counts.statistics(rows), rtol=1e-12, atol=1e-15)
