"""SciPy's `nan_policy` on every registered test of numeric columns, enumerated from the registry.

``"raise"`` (the default) names the sample and the first row; ``"propagate"`` returns a NaN result
without running the test (the Generator passed is not drawn from); ``"omit"`` gives exactly the result
of the test on the samples without those rows, with the same rng. Tests of other column kinds
(categorical labels) are left to their own suites.
"""

import inspect
import json
import re

import numpy as np
import pandas as pd
import pytest

import twosample as ts

NUMERIC = [name for name, info in ts.TESTS.items() if info.kinds == ("numeric",)]
# The one wording of the parameter in every docstring.
WORDING = """nan_policy : {"raise", "propagate", "omit"}, default "raise"
    Rows that contain a NaN, as in SciPy: ``"raise"``, an error; ``"propagate"``, a
    result with NaN statistic and p-value (``reject=False``) without running the test;
    ``"omit"``, each sample's rows with a NaN are dropped and the test runs on the rest.
    Infinite values are an error under every policy."""
NAN_ROWS = (3, 0, 5)  # the row of each sample (x, y, samples[0]) that gets a NaN


def _is_ksample(info) -> bool:
    return any(p.kind is p.VAR_POSITIONAL for p in inspect.signature(info.function).parameters.values())


def _cheap(info) -> dict:
    """Few relabellings and a short fit (as in test_level.py): the contract is about the rows, not the null."""
    extra = {"n_resamples": 49} if info.resampling else {}
    if info.learned:
        extra["steps"] = 30
    return extra


def _samples(name):
    """Clean samples (three for a k-sample test) and the same with a NaN in one row of each."""
    info = ts.TESTS[name]
    rng = np.random.default_rng(0)
    d = 2 if info.multivariate else 1
    clean = [rng.normal(size=(n, d)) for n in ((16, 14, 12) if _is_ksample(info) else (16, 14))]
    dirty = [s.copy() for s in clean]
    for sample, row in zip(dirty, NAN_ROWS):
        sample[row, -1] = np.nan
    return clean, dirty


@pytest.mark.parametrize("name", NUMERIC)
def test_raise_is_the_default_and_names_the_sample(name):
    clean, dirty = _samples(name)
    info = ts.TESTS[name]
    for policy in ({}, {"nan_policy": "raise"}):
        with pytest.raises(ValueError, match=r"`y` contains NaN or infinite values \(first at row 0\)"):
            info(clean[0], dirty[1], *clean[2:], rng=0, **_cheap(info), **policy)


@pytest.mark.parametrize("name", NUMERIC)
def test_propagate_returns_a_nan_result_without_running(name):
    clean, dirty = _samples(name)
    info = ts.TESTS[name]
    generator = np.random.default_rng(1)
    before = generator.bit_generator.state
    res = info(*dirty, alpha=0.1, rng=generator, nan_policy="propagate", **_cheap(info))
    assert generator.bit_generator.state == before  # nothing drawn: no relabelling, split or training
    assert np.isnan(res.statistic) and np.isnan(res.pvalue) and np.isnan(res.threshold)
    assert res.reject is False and res.null_distribution is None and res.n_resamples == 0
    assert (res.test, res.alpha, res.method) == (name, 0.1, info.methods[0])
    assert (res.n_x, res.n_y) == (len(dirty[0]), sum(len(s) for s in dirty[1:]))  # the rows given
    reference = info(*clean, alpha=0.1, rng=1, **_cheap(info))
    assert type(res) is type(reference) and res.alternative == reference.alternative
    got = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert got["statistic"] is None and got["pvalue"] is None and got["reject"] is False
    assert "statistic=nan" in repr(res) and "verdict     none (the p-value is NaN)" in str(res)


@pytest.mark.parametrize("name", NUMERIC)
def test_omit_equals_the_test_without_those_rows(name):
    clean, dirty = _samples(name)
    info = ts.TESTS[name]
    got = info(*dirty, rng=2, nan_policy="omit", **_cheap(info))
    want = info(*[np.delete(s, row, axis=0) for s, row in zip(clean, NAN_ROWS)], rng=2, **_cheap(info))
    assert (got.statistic, got.pvalue, got.reject, got.method) == (
        want.statistic,
        want.pvalue,
        want.reject,
        want.method,
    )
    assert (got.n_x, got.n_y) == (want.n_x, want.n_y)
    if want.null_distribution is not None:
        np.testing.assert_array_equal(got.null_distribution, want.null_distribution)


def test_omit_takes_the_rows_of_each_sample_separately_and_matches_tables_by_name():
    rng = np.random.default_rng(3)
    x = pd.DataFrame({"a": rng.normal(size=30), "b": rng.normal(size=30)})
    y = pd.DataFrame({"b": rng.normal(size=25), "a": rng.normal(size=25)})
    x.iloc[[2, 7], 0] = np.nan
    y.iloc[4, 0] = np.nan  # column "b" of y: a different row in a different column
    got = ts.energy_test(x, y, n_resamples=99, rng=0, nan_policy="omit")
    want = ts.energy_test(x.dropna(), y.dropna()[["a", "b"]], n_resamples=99, rng=0)
    assert (got.pvalue, got.statistic, got.n_x, got.n_y) == (want.pvalue, want.statistic, 28, 24)


@pytest.mark.parametrize("name", NUMERIC)
def test_an_unknown_nan_policy_is_named(name):
    clean, _ = _samples(name)
    with pytest.raises(ValueError, match=r"`nan_policy` must be one of 'raise', 'propagate', 'omit'; got 'ignore'"):
        ts.TESTS[name](*clean, nan_policy="ignore")


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: ts.mean_difference_test([1.0, np.nan, np.nan], [1.0, 2.0], nan_policy="omit"),
            r"`x` has 1 of its 3 rows left after `nan_policy`='omit' dropped those that contain NaN; it needs "
            r"at least 2\.",
        ),
        (
            lambda: ts.mmd_deep_test(np.ones((6, 2)), [[np.nan, 0.0]] * 3 + [[1.0, 1.0]] * 2, nan_policy="omit"),
            r"`y` has 2 of its 5 rows left after `nan_policy`='omit' .* it needs at least 4\.",
        ),
        (
            lambda: ts.energy_ksample_test([1.0, 2.0], [3.0, 4.0], [np.nan, 5.0], nan_policy="omit"),
            r"`samples\[0\]` has 1 of its 2 rows left after `nan_policy`='omit'",
        ),
    ],
    ids=["two-sample", "learned-minimum", "k-sample"],
)
def test_omit_leaving_too_few_rows_is_a_clear_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("policy", ["omit", "propagate"])
def test_infinities_stay_an_error(policy):
    with pytest.raises(ValueError, match=r"`x` contains infinite values \(`nan_policy` concerns NaN only\) \(first"):
        ts.ks_test([1.0, np.inf, np.nan, 2.0], [1.0, 2.0, 3.0], nan_policy=policy)


@pytest.mark.parametrize("name", NUMERIC)
def test_the_docstring_says_it_in_the_one_wording(name):
    doc = inspect.getdoc(ts.TESTS[name].function)
    referred = re.findall(r"as in :func:`(\w+)`", doc)  # "Parameters and returns as in :func:`...`"
    texts = [doc] + [inspect.getdoc(getattr(ts, other)) for other in referred if hasattr(ts, other)]
    assert any(WORDING in text for text in texts), f"{name}: no nan_policy entry in the shared wording"


def test_power_studies_do_not_pass_it_and_may():
    scenario = ts.scenarios.mean_shift(0.5)
    plain = ts.power("t", scenario, n=20, reps=40, rng=0, method="analytic")  # the stacked (vectorised) path
    omitted = ts.power("t", scenario, n=20, reps=40, rng=0, method="analytic", nan_policy="omit")  # one by one
    assert plain.rejections == omitted.rejections
