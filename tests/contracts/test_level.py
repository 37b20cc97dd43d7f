"""Type-I error of every registered test under H0, within a 99% binomial interval.

The default run is a real but quick calibration (400 repetitions per test and
null); the ``slow`` run uses 2,000 repetitions on more sizes.

For continuous statistics with a permutation null and alpha (B + 1) an
integer, the level is exactly alpha, so both ends of the interval are checked
(a test that is too conservative also fails). Rank and ECDF statistics have
ties in their null, and analytic nulls of discrete statistics are conservative,
so for them only the upper end (level control) is checked.

A count outside the band is confirmed on five times the repetitions before it fails
(:func:`check_level_of`); each test's stream is seeded from a hash of its name, so registering
a test leaves every other test's data as it was.
"""

import inspect
import warnings
import zlib
from types import SimpleNamespace

import numpy as np
import pytest
from _kinds import draw_pair
from scipy import stats

import twosample as ts

ALPHA = 0.05
DISCRETE = {"ks", "cvm", "ad", "mwu", "c2st"} | {n for n, i in ts.TESTS.items() if i.kinds != ("numeric",)}
CONFIRM = 5  # a count outside the band is re-judged on five times the repetitions


def rejection_count(test, reps, n, m, d, seed, start=0, **kwargs):
    """Rejections over repetitions ``start .. start + reps - 1`` of the stream `seed` (each its own child)."""
    count = 0
    for child in np.random.SeedSequence(seed).spawn(start + reps)[start:]:
        rng = np.random.default_rng(child)
        x, y = (
            draw_pair(test, rng, n, m, d)
            if hasattr(test, "kinds")
            else (rng.normal(size=(n, d)), rng.normal(size=(m, d)))
        )
        count += test(x, y, alpha=ALPHA, rng=rng, **kwargs).reject
    return count


def name_seed(name, suite):
    """The seed of `name`'s repetitions in one suite: from a CRC-32 of the name, so registering another test
    leaves every other test's data as it was (a position in the list of tests would shift)."""
    return (zlib.crc32(name.encode()), suite)


def in_band(count, reps, two_sided):
    lo, hi = stats.binom.interval(0.99, reps, ALPHA)
    return count <= hi and (count >= lo or not two_sided)


def check_level_of(test, reps, n, m, d, seed, two_sided, **kwargs):
    """The level of `test` within the 99% band, confirmed on more repetitions when the first ones fall outside.

    A count outside the band is judged again on CONFIRM times the repetitions (the first ones included, the
    rest fresh): a test whose level is off fails the larger run too (its band is narrower), while a chance
    excursion of a calibrated test (1 case in 100 per run: with ~40 cases, a third of all seedings has one)
    is not reported as a level violation.
    """
    count = rejection_count(test, reps, n, m, d, seed, **kwargs)
    if not in_band(count, reps, two_sided):
        count += rejection_count(test, (CONFIRM - 1) * reps, n, m, d, seed, start=reps, **kwargs)
        reps *= CONFIRM
    check_level(count, reps, two_sided)


def _biased_coin(level):
    """A fake test that rejects with probability `level` whatever the data."""
    return lambda x, y, *, alpha, rng: SimpleNamespace(reject=rng.random() < level)


def test_the_confirmation_still_fails_an_anticonservative_test():
    with pytest.raises(AssertionError, match="above the 99% interval"):
        check_level_of(_biased_coin(0.08), 400, 5, 5, 1, seed=3, two_sided=False)
    check_level_of(_biased_coin(0.05), 400, 5, 5, 1, seed=3, two_sided=True)


def check_level(count, reps, two_sided):
    lo, hi = stats.binom.interval(0.99, reps, ALPHA)
    assert count <= hi, f"level {count / reps:.3f} above the 99% interval [{lo / reps:.3f}, {hi / reps:.3f}]"
    if two_sided:
        assert count >= lo, f"level {count / reps:.3f} below the 99% interval [{lo / reps:.3f}, {hi / reps:.3f}]"


def _cases(sizes):
    return list(_iter_cases(sizes))


def _iter_cases(sizes):
    for name in ts.TESTS:
        for n, m in sizes:
            yield pytest.param(name, n, m, id=f"{name}-{n}-{m}")


def check_permutation_level(name, n, m, *, d_multi, reps, n_resamples, seed):
    info = ts.TESTS[name]
    d = d_multi if info.multivariate else 1
    extra = {"n_resamples": n_resamples} if info.resampling else {}
    if info.learned:  # the held-out null is valid for any fitted statistic; a short fit keeps 400 reps cheap
        extra["steps"] = 30
    check_level_of(info, reps, n, m, d, seed, two_sided=name not in DISCRETE, **extra)


def check_analytic_level(name, method, n, m, *, d_multi, reps, seed):
    info = ts.TESTS[name]
    d = d_multi if info.multivariate else 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # SciPy's AD p-value cap notice
        check_level_of(info, reps, n, m, d, seed, two_sided=False, **{info.method_parameter: method})


# The nulls other than the default that do not resample (those are calibrated with the engine above).
ANALYTIC = [
    (name, method)
    for name, info in ts.TESTS.items()
    for method in info.methods[1:]
    if method not in ("auto", "permutation", "crossfit")
]
# Tests whose only null is asymptotic are calibrated with the permutation ones (no method= to pass).
ANALYTIC_IDS = [f"{a}-{b}" for a, b in ANALYTIC]


@pytest.mark.parametrize(("name", "n", "m"), _cases([(20, 15)]))
def test_level_permutation_quick(name, n, m):
    check_permutation_level(name, n, m, d_multi=3, reps=400, n_resamples=199, seed=name_seed(name, 1000))


# Tests whose default null is "auto" (SciPy's exact null when it applies): their permutation null too.
EXPLICIT_PERMUTATION = [name for name, info in ts.TESTS.items() if info.methods[0] == "auto"]


@pytest.mark.parametrize("name", EXPLICIT_PERMUTATION)
def test_level_explicit_permutation_quick(name):
    info = ts.TESTS[name]
    check_level_of(info, 400, 20, 15, 1, name_seed(name, 2000), two_sided=False, method="permutation", n_resamples=199)


def test_level_of_mannwhitney_auto_where_it_is_asymptotic():
    # untied samples beyond the exact null's size limit: method="auto" takes the asymptotic null
    info = ts.TESTS["mwu"]
    assert info(np.arange(250.0), np.arange(250.0) + 0.5).method == "asymptotic"
    check_level_of(info, 2000, 250, 250, 1, name_seed("mwu", 3000), two_sided=False)


@pytest.mark.parametrize("name", ["cvm", "ad"])
def test_level_of_cvm_and_anderson_auto_where_they_are_asymptotic(name):
    info = ts.TESTS[name]
    assert info(np.arange(250.0), np.arange(250.0) + 0.5).method == "asymptotic"
    check_level_of(info, 2000, 250, 250, 1, name_seed(name, 3000), two_sided=True)


@pytest.mark.parametrize(("name", "method"), ANALYTIC, ids=ANALYTIC_IDS)
def test_level_analytic_quick(name, method):
    check_analytic_level(name, method, 14, 11, d_multi=3, reps=400, seed=77)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "n", "m"), _cases([(10, 10), (50, 30), (200, 200)]))
def test_level_permutation_full(name, n, m):
    check_permutation_level(name, n, m, d_multi=5, reps=2000, n_resamples=399, seed=5000 + n + m)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "method"), ANALYTIC, ids=ANALYTIC_IDS)
def test_level_analytic_full(name, method):
    check_analytic_level(name, method, 20, 16, d_multi=5, reps=2000, seed=88)


STANDARDIZED = [name for name, info in ts.TESTS.items() if "standardize" in inspect.signature(info.function).parameters]
UNITS = np.array([1e-3, 1.0, 1e3])  # columns in very different units


@pytest.mark.parametrize("name", STANDARDIZED)
def test_level_standardized_quick(name):
    # Dividing by the pooled sd is the same under every relabelling: the permutation null stays exact
    info = ts.TESTS[name]
    extra = {"n_resamples": 199} if info.resampling else {}

    def standardized(x, y, **kwargs):
        return info(x * UNITS, y * UNITS, standardize=True, **kwargs)

    check_level_of(standardized, 400, 20, 15, 3, name_seed(name, 3000), two_sided=name not in DISCRETE, **extra)


def test_level_of_t_auto_where_it_is_analytic():
    # untied light-tailed samples of 500 rows each: method="auto" takes SciPy's Welch null
    info = ts.TESTS["t"]
    rng = np.random.default_rng(0)
    assert info(rng.normal(size=500), rng.normal(size=500)).method == "analytic"
    check_level_of(info, 2000, 500, 500, 1, name_seed("t", 3000), two_sided=True)


def test_level_of_hotelling_auto_where_it_is_the_f_null():
    # normal samples of 200 rows a side in 3 columns: method="auto" takes the F null
    info = ts.TESTS["hotelling"]
    rng = np.random.default_rng(0)
    assert info(rng.normal(size=(200, 3)), rng.normal(size=(200, 3))).method == "analytic"
    check_level_of(info, 2000, 200, 200, 3, name_seed("hotelling", 3000), two_sided=True)
