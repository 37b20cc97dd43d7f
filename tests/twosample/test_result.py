"""TestResult: frozen, readable, serialisable."""

import dataclasses
import json

import numpy as np
import pytest

import twosample as ts


@pytest.fixture
def result():
    rng = np.random.default_rng(0)
    return ts.ks_test(rng.normal(size=30), rng.normal(1, 1, 30), method="permutation", n_resamples=199, rng=0)


def test_fields(result):
    names = {f.name for f in dataclasses.fields(ts.TestResult)}
    assert {
        "statistic",
        "pvalue",
        "alpha",
        "threshold",
        "reject",
        "null_distribution",
        "method",
        "alternative",
        "n_x",
        "n_y",
        "n_resamples",
    } <= names
    assert result.n_resamples == 199 and len(result.null_distribution) == 199
    assert result.reject == (result.pvalue <= result.alpha)


def test_frozen(result):
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.pvalue = 0.5


def test_to_dict_is_json(result):
    d = result.to_dict()
    assert "null_distribution" not in d
    text = json.dumps(d)
    assert json.loads(text)["test"] == "ks"
    full = result.to_dict(include_null=True)
    assert len(full["null_distribution"]) == 199
    json.dumps(full)
    assert isinstance(d["reject"], bool) and isinstance(d["statistic"], float)


def test_two_sided_threshold_is_a_pair_in_json():
    rng = np.random.default_rng(1)
    res = ts.t_test(rng.normal(size=20), rng.normal(size=20), n_resamples=99, rng=0)
    assert isinstance(res.threshold, tuple) and res.threshold[0] < res.threshold[1]
    assert json.loads(json.dumps(res.to_dict()))["threshold"] == list(res.threshold)


def test_text(result):
    text = str(result)
    assert "Two-sample test: ks" in text and "reject H0: p = q" in text
    assert "t_alpha" in text and "199 resamples" in text
    assert repr(result).startswith("TestResult(test='ks', statistic=")


def test_nan_threshold_is_shown_as_not_available():
    rng = np.random.default_rng(2)
    res = ts.ks_test(rng.normal(size=10), rng.normal(size=10), method="exact")
    text = str(res)
    assert (
        np.isnan(res.threshold)
        and "t_alpha     none: this null gives p-values, not quantiles; reject when p-value <= alpha = 0.05" in text
    )
    assert "seed        none needed (the null is computed" in text  # the exact KS null draws nothing
    nan = ts.ks_test([1.0, np.nan, 3.0], [2.0, 4.0, 5.0], nan_policy="propagate")
    assert "t_alpha     n/a" in str(nan)
    c2st = ts.c2st_test(rng.normal(size=(60, 2)), rng.normal(size=(60, 2)), rng=np.random.default_rng(0))
    assert "seed" not in str(c2st)  # a random split from a Generator: no seed to give, and none claimed


@pytest.mark.parametrize(
    "call",
    [
        lambda x, y: ts.c2st_test(x, y, classifier="logistic", rng=0),
        lambda x, y: ts.c2st_test(x, y, classifier="logistic", null="permutation", n_resamples=99, rng=0),
        lambda x, y: ts.c2st_test(x, y, classifier="logistic", null="crossfit", n_resamples=9, rng=0),
        lambda x, y: __import__("twosample.learned").learned.f_divergence_test(x, y, steps=5, n_resamples=49, rng=0),
        lambda x, y: __import__("twosample.learned").learned.mmd_deep_test(x, y, steps=5, n_resamples=49, rng=0),
        lambda x, y: ts.mmd_linear_test(x, y, rng=0),
        lambda x, y: ts.mmd_test(x, y, n_resamples=49, rng=0),
    ],
    ids=["c2st-binomial", "c2st-permutation", "c2st-crossfit", "f-divergence", "mmd-deep", "mmd-linear", "mmd"],
)
def test_sizes_are_those_of_the_samples_passed(call):
    # One rule for n_x, n_y: the samples as passed, whatever part a split held out.
    rng = np.random.default_rng(0)
    res = call(rng.normal(size=(50, 2)), rng.normal(size=(36, 2)))
    assert (res.n_x, res.n_y) == (50, 36)


def test_constructors_fill_the_derived_fields():
    res = ts.TestResult.from_analytic(
        statistic=2,
        pvalue=0.01,
        alpha=0.05,
        threshold=(-1, 1),
        method="analytic",
        alternative="two-sided",
        n_x=3,
        n_y=4,
        test="t",
    )
    assert res.reject and res.n_resamples == 0 and res.null_distribution is None and res.threshold == (-1.0, 1.0)
    null = np.arange(9.0)
    res = ts.TestResult.from_null(
        statistic=8.5,
        pvalue=0.1,
        alpha=0.05,
        threshold=7.5,
        null_distribution=null,
        exact=False,
        alternative="greater",
        n_x=3,
        n_y=4,
        test="x",
        seed=3,
    )
    assert not res.reject and res.n_resamples == 9 and res.method == "permutation" and res.seed == 3
