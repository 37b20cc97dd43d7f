"""Where two samples differ: attribution with maxT, C2ST permutation importance, confident rows."""

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import twosample as ts
from twosample.explain import attribute, c2st_importance, confident_rows


def _upper(reps, alpha=0.05):
    return stats.binom.interval(0.99, reps, alpha)[1]


def test_attribution_finds_a_sparse_shift():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(600, 30)), rng.normal(size=(600, 30))
    y[:, [4, 17, 21]] += 0.4
    res = attribute(x, y, n_resamples=299, rng=1)
    assert set(res.top(3)) == {"x4", "x17", "x21"}
    assert set(res.significant) == {"x4", "x17", "x21"}
    assert (res.table["p_adjusted"] >= res.table["pvalue"]).all()
    json.dumps(res.to_dict(), allow_nan=False)
    assert "maxT" in str(res)


def test_attribution_family_wise_error_under_the_null():
    # Correlated features (a shared factor) so that maxT's joint null matters; any rejection is a family error.
    reps, errors = 120, 0
    for seed in range(reps):
        rng = np.random.default_rng([7, seed])
        factor_x, factor_y = rng.normal(size=(80, 1)), rng.normal(size=(80, 1))
        x = factor_x + rng.normal(size=(80, 8))
        y = factor_y + rng.normal(size=(80, 8))
        errors += bool(attribute(x, y, n_resamples=99, rng=seed).significant)
    assert errors <= _upper(reps)


def test_attribution_groups_name_the_group_that_differs():
    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.normal(size=(400, 6)), columns=list("abcdef"))
    y = pd.DataFrame(rng.normal(size=(400, 6)), columns=list("abcdef"))
    y["e"] *= 1.8
    res = attribute(x, y, groups={"first": ["a", "b", "c"], "second": ["d", "e", "f"]}, n_resamples=199, rng=0)
    assert res.significant == ["second"]
    assert list(res.table["test"]) == ["group", "group"]
    with pytest.raises(ValueError, match="groups"):
        attribute(x, y, groups={"bad": ["zz"]}, n_resamples=19, rng=0)


def test_attribution_takes_mixed_tables_with_missing_values():
    rng = np.random.default_rng(4)
    x = pd.DataFrame({"age": rng.normal(40, 5, 300), "city": rng.choice(list("abc"), 300)})
    y = pd.DataFrame({"age": rng.normal(40, 5, 300), "city": rng.choice(list("abc"), 300, p=[0.6, 0.2, 0.2])})
    y.loc[:40, "age"] = np.nan
    res = attribute(x, y, n_resamples=199, rng=0)
    by_feature = res.table.set_index("feature")
    assert by_feature.loc["city", "test"] == "chi2" and by_feature.loc["city", "reject"]
    assert by_feature.loc["age (missing)", "reject"] and not by_feature.loc["age", "reject"]


def test_attribution_is_reproducible_from_rng():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(100, 4)), rng.normal(size=(100, 4))
    a, b = attribute(x, y, n_resamples=99, rng=11), attribute(x, y, n_resamples=99, rng=11)
    pd.testing.assert_frame_equal(a.table, b.table)


def _shifted(rng, n=300, d=4, shift=1.0):
    x, y = rng.normal(size=(n, d)), rng.normal(size=(n, d))
    y[:, 1] += shift
    return x, y


def test_importance_names_the_feature_that_carries_the_difference():
    x, y = _shifted(np.random.default_rng(0))
    res = ts.c2st_test(x, y, classifier="logistic", rng=0)
    imp = c2st_importance(res, n_resamples=199, rng=0)
    assert imp.significant == ["x1"]
    assert imp.table["importance"].iloc[0] > 0.5
    assert (imp.table["p_adjusted"] >= imp.table["pvalue"]).all()
    json.dumps(imp.to_dict(), allow_nan=False)
    named = c2st_importance(res, feature_names=list("abcd"), groups={"bc": ["b", "c"], "ad": [0, 3]}, rng=0)
    assert named.significant == ["bc"]


def test_importance_pvalues_are_calibrated_under_the_null():
    reps, small = 150, 0
    for seed in range(reps):
        rng = np.random.default_rng([9, seed])
        x, y = rng.normal(size=(80, 2)), rng.normal(size=(80, 2))
        res = ts.c2st_test(x, y, classifier="logistic", rng=seed)
        imp = c2st_importance(res, n_resamples=99, correction="none", rng=seed)
        small += float(imp.table.set_index("feature").loc["x0", "pvalue"]) <= 0.05
    assert small <= _upper(reps)


def test_importance_refuses_what_it_cannot_explain():
    x, y = _shifted(np.random.default_rng(1), n=60, d=2)
    with pytest.raises(TypeError, match="res"):
        c2st_importance(ts.ks_test(x[:, 0], y[:, 0], rng=0))
    crossfit = ts.c2st_test(x, y, classifier="logistic", null="crossfit", n_resamples=9, rng=0)
    with pytest.raises(ValueError, match="crossfit"):
        c2st_importance(crossfit)
    res = ts.c2st_test(x, y, classifier="logistic", rng=0)
    with pytest.raises(ValueError, match="correction"):
        c2st_importance(res, correction="sidak")
    with pytest.raises(ValueError, match="feature_names"):
        c2st_importance(res, feature_names=["a"])


def test_confident_rows_point_at_an_extra_mode():
    rng = np.random.default_rng(2)
    x = np.vstack([rng.normal(size=(300, 2)), rng.normal(3, 0.2, size=(60, 2))])
    y = rng.normal(size=(360, 2))
    res = ts.c2st_test(x, y, classifier="knn", rng=0)
    rows = confident_rows(res, k=5, feature_names=["u", "v"])
    top_x = rows[rows["sample"] == "x"]
    assert len(rows) == 10 and list(rows.columns) == ["sample", "score", "u", "v"]
    assert (np.hypot(top_x["u"] - 3, top_x["v"] - 3) < 1.0).all()


def test_c2st_scores_are_in_the_data_units_at_any_magnitude():
    x, y = _shifted(np.random.default_rng(3), n=100, d=2)
    for scale in (1.0, 1e300, 1e-300):
        res = ts.c2st_test(x * scale, y * scale, classifier="logistic", rng=0)
        np.testing.assert_array_equal(res.scores(res.x_test), res.scores_x)
        assert np.isin(res.x_test[:, 0], x[:, 0] * scale).all()
    with pytest.raises(ValueError, match="points"):
        res.scores(np.ones((3, 5)))
