"""Malformed input, generated: every public entry point names the argument it cannot use.

Hypothesis draws bad values for each argument class (levels, counts, seeds,
choices, kernels, bandwidths, devices, dtypes, classifiers, split sizes,
learning rates...) and drives every registered test, the power engine, the
divergences, ``gan.train``, ``gan.audit`` and both command lines with them. A
call must raise ``ValueError`` or ``TypeError`` whose message names the argument
in backticks (the command lines: exit status 2 and one line on stderr), never
a traceback from inside NumPy or torch, never a silent result.
"""

import contextlib
import inspect
import io
import math
import os

import numpy as np
import pytest
from _kinds import draw_pair
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression

import gan
import twosample as ts
from twosample import divergences, scenarios

# 12 examples per case in the suite; FUZZ_EXAMPLES=150 for a longer hunt.
EXAMPLES = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 12)), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _not_in(choices):
    return st.text(max_size=8).filter(lambda s: s not in choices)


def _bad_positive_int(minimum=1):
    return st.one_of(
        st.integers(max_value=minimum - 1),
        st.floats().filter(lambda v: not v.is_integer()),
        st.text(min_size=1, max_size=4),
        st.just(True),
    )


def _bad_positive_real():
    return st.one_of(
        st.floats().filter(lambda v: not (v > 0 and math.isfinite(v))),
        st.text(min_size=1, max_size=4),
        st.just(True),
        st.lists(st.floats(), min_size=1, max_size=2),
    )


BAD = {
    "alpha": st.one_of(st.floats().filter(lambda v: not 0 < v < 1), st.text(max_size=4), st.just(True), st.just(None)),
    "n_resamples": st.one_of(
        st.integers(max_value=0),
        st.integers(min_value=10**8 + 1, max_value=10**15),
        st.floats().filter(lambda v: not (v.is_integer() and 1 <= v <= 1e8)),
        st.text(min_size=1, max_size=4),
    ),
    "batch": _bad_positive_int(),
    "early_stop": st.one_of(st.text(max_size=4), st.integers(), st.floats(), st.just(None)),
    "standardize": st.one_of(st.text(max_size=4), st.integers(), st.floats(), st.just(None)),
    "rng": st.one_of(st.integers(max_value=-1), st.floats(), st.text(min_size=1, max_size=4), st.just(True)),
    "order": _bad_positive_int(),
    "method": _not_in({"auto", "permutation", "exact", "asymptotic", "analytic"}),
    "alternative": _not_in({"two-sided", "greater", "less"}),
    "kernel": st.one_of(
        _not_in({"gaussian", "laplace", "imq", "linear", "polynomial"}),
        st.integers(),
        st.lists(st.just("gaussian"), min_size=1, max_size=2),
    ),
    "bandwidth": st.one_of(_bad_positive_real(), st.text(max_size=6).filter(lambda s: s != "median"), st.just(1e-320)),
    "estimator": _not_in({"unbiased", "biased"}),
    "device": st.one_of(
        st.sampled_from(["gpu", "cuda", "cuda:3", "tpu", "", "cpu:x", "meta"]), st.integers(min_value=0, max_value=3)
    ),
    "dtype": st.sampled_from([int, "int32", "float16", "banana", np.int64, object, np.complex128]),
    "kernels": st.one_of(
        st.just([]), st.text(max_size=8), st.integers(), st.lists(st.integers(), min_size=1, max_size=2)
    ),
    "n_bandwidths": _bad_positive_int(),
    # not a size (letters only, non-integers, <= 0, bools), or too small for one block of 24 rows
    "memory": st.one_of(
        st.integers(max_value=0),
        st.integers(min_value=1, max_value=100),
        st.floats().filter(lambda v: not v.is_integer()),
        st.text(alphabet="xyz!? ", min_size=1, max_size=4),
        st.just(True),
    ),
    # the fuzzed samples have 12 rows: at most 11 subdiagonals
    "subdiagonals": st.one_of(
        _bad_positive_int(), st.integers(min_value=12), st.text(max_size=6).filter(lambda s: s != "auto")
    ),
    "bandwidths": st.one_of(
        st.just([]),
        st.text(min_size=1, max_size=4),
        st.lists(_bad_positive_real().filter(lambda v: not isinstance(v, list)), min_size=1, max_size=2),
    ),
    "weights": _not_in({"uniform", "decreasing", "increasing", "centred"}),
    "n_features": _bad_positive_int(),
    "classifier": st.one_of(
        _not_in({"mlp", "logistic", "knn", "torch-mlp"}), st.integers(), st.just(LogisticRegression)
    ),
    "statistic": _not_in({"accuracy", "logit", "auc"}),
    "null": _not_in({"binomial", "permutation", "crossfit"}),
    "test_size": st.one_of(st.floats().filter(lambda v: not 0 < v < 1), st.text(min_size=1, max_size=4), st.just(None)),
    "train_fraction": st.one_of(
        st.floats().filter(lambda v: not 0 < v < 1), st.text(min_size=1, max_size=4), st.just(None), st.just(True)
    ),
    "n_locations": _bad_positive_int(),
    "n_frequencies": _bad_positive_int(),
    "n_restarts": _bad_positive_int(),
    "reg": _bad_positive_real(),
    "n_jobs": st.one_of(st.just(0), st.text(min_size=1, max_size=4), st.floats()),
    "steps": _bad_positive_int(0),
    "hidden": _bad_positive_int(),
    "layers": _bad_positive_int(0),
    "batch_size": _bad_positive_int(2),
    "lr": _bad_positive_real(),
    "threads": _bad_positive_int(),
    "divergence": _not_in(set(divergences.names())),
    "categorical": st.one_of(
        st.lists(st.text(alphabet="xyz", min_size=1, max_size=3), min_size=1, max_size=2),
        st.integers(),
        st.just(None),
        st.just([0]),
    ),
    "nan_policy": st.one_of(_not_in({"raise", "propagate", "omit"}), st.integers(), st.just(None)),
}
# Arguments that a test accepts but checks only in combination with another (folds: crossfit only).
SKIP = {"folds", "params"}


def _tiny(name):
    rng = np.random.default_rng(0)
    info = ts.TESTS[name]
    x, y = draw_pair(info, rng, 12, 12, 2 if info.multivariate else 1, shift=0.5)
    return (x[:, 0], y[:, 0]) if x.ndim == 2 and not info.multivariate else (x, y)


def _cases():
    for name, info in ts.TESTS.items():
        params = inspect.signature(info.function).parameters.values()
        for arg in [p.name for p in params if p.kind is p.KEYWORD_ONLY]:  # the k-sample tests' *samples are data
            if arg not in SKIP:
                assert arg in BAD, f"no bad-value strategy for {name}'s `{arg}`"
                yield name, arg


CASES = list(_cases())


def _assert_named(call, arg):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    assert f"`{arg}`" in str(info.value), str(info.value)


@pytest.mark.parametrize(("name", "arg"), CASES, ids=[f"{n}-{a}" for n, a in CASES])
@EXAMPLES
@given(data=st.data())
def test_every_registered_test_names_a_bad_argument(name, arg, data):
    value = data.draw(BAD[arg], label=arg)
    x, y = _tiny(name)
    _assert_named(lambda: ts.TESTS[name](x, y, **{arg: value}), arg)


def _is_float(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


BAD_SAMPLES = st.one_of(
    st.just([]),
    st.just(None),
    st.just(5.0),
    st.just([[1.0, 2.0], [3.0]]),
    st.just(np.zeros((3, 2, 2))),
    st.lists(st.text(min_size=1, max_size=3), min_size=3, max_size=5).filter(  # numeric strings are numbers
        lambda v: not all(_is_float(t) for t in v)
    ),
    st.lists(st.floats(), min_size=3, max_size=6).filter(lambda v: not np.isfinite(v).all()),
    st.lists(
        st.complex_numbers(allow_nan=False, allow_infinity=False).filter(lambda c: c.imag != 0), min_size=3, max_size=5
    ),
)


# Labels may be any hashable values (strings, even complex numbers); what no test of labels takes:
BAD_LABELS = st.one_of(
    st.just([]),
    st.just(None),
    st.just(np.zeros((3, 2, 2))),
    st.just(np.zeros((4, 2))),
    st.lists(st.just(float("nan")), min_size=3, max_size=5),
    st.lists(st.one_of(st.text(max_size=2), st.none()), min_size=3, max_size=5).filter(lambda v: None in v),
)
BAD_TABLES = st.one_of(
    st.just([]), st.just(None), st.just(5.0), st.just(np.zeros((3, 2, 2))), st.just(np.zeros((4, 3)))
)


def _bad_samples_for(info):
    """What no test of its kinds takes: tables, labels (any hashable values are labels) or numbers."""
    if len(info.kinds) > 1:
        return BAD_TABLES
    return BAD_SAMPLES if info.kinds == ("numeric",) else BAD_LABELS


@pytest.mark.parametrize("name", list(ts.TESTS))
@EXAMPLES
@given(data=st.data(), which=st.sampled_from(["x", "y"]))
def test_every_registered_test_names_bad_samples(name, data, which):
    bad = data.draw(_bad_samples_for(ts.TESTS[name]), label="bad")
    x, y = _tiny(name)
    args = (bad, y) if which == "x" else (x, bad)
    _assert_named(lambda: ts.TESTS[name](*args), which)


# --- the power engine ------------------------------------------------------------------------

GL = scenarios.gaussian_vs_laplace()
POWER_BAD = {
    "n": _bad_positive_int(2),
    "m": _bad_positive_int(2),
    "reps": _bad_positive_int(),
    "alpha": BAD["alpha"],
    "n_jobs": BAD["n_jobs"],
    "rng": BAD["rng"],
    "confidence": st.one_of(st.floats().filter(lambda v: not 0 < v < 1), st.text(min_size=1, max_size=3)),
}


@pytest.mark.parametrize("arg", list(POWER_BAD))
@EXAMPLES
@given(data=st.data())
def test_power_names_a_bad_argument(arg, data):
    kwargs = {"n": 10, "reps": 3, "n_resamples": 19, arg: data.draw(POWER_BAD[arg], label=arg)}
    _assert_named(lambda: ts.power("mean", GL, **kwargs), arg)


CURVE_BAD = {
    "sizes": st.one_of(
        st.just([]),
        st.text(min_size=1, max_size=3),
        st.lists(st.floats().filter(lambda v: not v.is_integer()), min_size=1, max_size=2),
        st.lists(st.integers(max_value=1), min_size=1, max_size=2),
        st.integers(),
    ),
    "effects": st.one_of(
        st.just([]),
        st.text(min_size=1, max_size=3),
        st.lists(st.text(max_size=2), min_size=1, max_size=2),
        st.lists(st.floats().filter(lambda v: not math.isfinite(v)), min_size=1, max_size=2),
    ),
    "reps": _bad_positive_int(),
    "alpha": BAD["alpha"],
}


@pytest.mark.parametrize("arg", list(CURVE_BAD))
@EXAMPLES
@given(data=st.data())
def test_power_curve_names_a_bad_argument(arg, data):
    kwargs = {"sizes": [10], "reps": 2, "n_resamples": 19, "include_level": False}
    kwargs[arg] = data.draw(CURVE_BAD[arg], label=arg)
    scenario = scenarios.mean_shift if arg == "effects" else GL
    _assert_named(lambda: ts.power_curve(["mean"], scenario, **kwargs), arg)


SCENARIO_BAD = [
    (
        scenarios.mean_shift,
        "effect",
        _bad_positive_real().filter(lambda v: not isinstance(v, float) or not math.isfinite(v)),
    ),
    (scenarios.mean_shift, "d", _bad_positive_int()),
    (scenarios.variance_shift, "effect", _bad_positive_real()),
    (scenarios.student_t, "df", _bad_positive_real()),
    (scenarios.blob, "sigma2", _bad_positive_real()),
    (scenarios.hdgm, "d", _bad_positive_int(2)),
]


@pytest.mark.parametrize(
    ("make", "arg", "strategy"), SCENARIO_BAD, ids=[f"{m.__name__}-{a}" for m, a, _ in SCENARIO_BAD]
)
@EXAMPLES
@given(data=st.data())
def test_scenarios_name_a_bad_parameter(make, arg, strategy, data):
    value = data.draw(strategy, label=arg)
    _assert_named(lambda: make(**{arg: value}), arg)


# --- divergences -----------------------------------------------------------------------------


@EXAMPLES
@given(order=st.one_of(st.text(max_size=3), st.sampled_from([0, 1, 0.0, 1.0, math.nan, math.inf]), st.none()))
def test_alpha_divergence_names_a_bad_order(order):
    _assert_named(lambda: divergences.get("alpha", order=order), "order")


@EXAMPLES
@given(
    sd=_bad_positive_real(),
    which=st.sampled_from(["sd_p", "sd_q"]),
    func=st.sampled_from([divergences.total_variation_gaussian_1d, divergences.pearson_gaussian_1d]),
)
def test_closed_forms_name_a_degenerate_gaussian(sd, which, func):
    kwargs = {"mean_p": 0.0, "sd_p": 1.0, "mean_q": 1.0, "sd_q": 2.0, which: sd}
    _assert_named(lambda: func(**kwargs), which)


@EXAMPLES
@given(bad=BAD_SAMPLES)
def test_estimators_name_bad_samples(bad):
    _assert_named(lambda: divergences.variational_lower_bound(bad, np.zeros((10, 1)), steps=1), "x")
    _assert_named(lambda: divergences.jensen_shannon_from_discriminator(bad, [0.1, 0.2]), "logits_p")


@pytest.mark.parametrize("arg", ["lr", "steps", "hidden", "layers", "batch_size", "threads"])
@EXAMPLES
@given(data=st.data())
def test_fit_critic_names_a_bad_argument(arg, data):
    value = data.draw(BAD[arg] if arg != "steps" else _bad_positive_int(), label=arg)
    x = np.random.default_rng(0).normal(size=(20, 1))
    _assert_named(lambda: divergences.fit_critic(x, x + 1, "js", **{"steps": 2, arg: value}), arg)


# --- gan.train and gan.audit -----------------------------------------------------------------

TRAIN_BAD = {
    "lr": _bad_positive_real(),
    "steps": _bad_positive_int(),
    "batch_size": _bad_positive_int(2),
    "z_dim": _bad_positive_int(),
    "pack": _bad_positive_int(),
    "alpha": BAD["alpha"],
    "device": BAD["device"],
    "threads": _bad_positive_int(),
    "hidden": _bad_positive_int(),
    "depth": _bad_positive_int(),
    "critic_steps": _bad_positive_int(),
    "n_monitor": _bad_positive_int(10),
    "lr_decay": _not_in({"none", "linear"}),
    "rng": BAD["rng"],
    "betas": st.one_of(
        st.text(max_size=3),
        st.lists(st.floats(min_value=0, max_value=0.99), max_size=1),
        st.tuples(st.floats().filter(lambda v: not 0 <= v < 1), st.floats(0, 0.9)),
    ),
    "objective": _not_in(set(gan.objectives.names())),
    "data": _not_in(set(gan.datasets.names())).filter(lambda s: s not in ("", ".")),
}


@pytest.mark.parametrize("arg", list(TRAIN_BAD))
@EXAMPLES
@given(data=st.data())
def test_gan_train_names_a_bad_argument(arg, data):
    value = data.draw(TRAIN_BAD[arg], label=arg)
    kwargs = {"steps": 2, "n_train": 200, "n_monitor": 40, arg: value}
    _assert_named(lambda: gan.train(kwargs.pop("data", "ring"), **kwargs), arg)


@pytest.mark.parametrize(
    ("make", "arg"),
    [
        (gan.datasets.ring, "std"),
        (gan.datasets.ring, "radius"),
        (gan.datasets.grid, "std"),
        (gan.datasets.grid, "spacing"),
        (gan.datasets.gaussian_1d, "std"),
        (gan.datasets.swiss_roll, "noise"),
    ],
)
@EXAMPLES
@given(value=st.one_of(st.floats(max_value=-1e-9), st.sampled_from([math.nan, math.inf]), st.text(max_size=3)))
def test_gan_datasets_name_a_bad_parameter(make, arg, value):
    _assert_named(lambda: make(**{arg: value}), arg)


AUDIT_ROWS = np.random.default_rng(0).normal(size=(120, 2))
AUDIT_BAD = {
    "alpha": BAD["alpha"],
    "n": _bad_positive_int(20),
    "checks": st.one_of(
        st.just([]),
        st.lists(
            _not_in(
                {
                    "c2st",
                    "mmd",
                    "features",
                    "copying",
                    "divergence",
                    "frechet",
                    "kid",
                    "prdc",
                    "modes",
                    "sample_size",
                    "inception",
                    "parzen",
                }
            ),
            min_size=1,
            max_size=2,
        ),
    ),
    "feature_test": _not_in({"ks", "ad"}),
    "feature_correction": _not_in({"holm", "fdr_bh"}),
    "critic_steps": _bad_positive_int(),
    "power_reps": _bad_positive_int(),
    "power_n": _bad_positive_int(20),
    "mmd_n": _bad_positive_int(20),
    "inception_splits": _bad_positive_int(),
    "test_space": _not_in({"data", "features"}),
    "features": st.one_of(_not_in({"digits"}), st.integers(), st.just([1, 2])),
    "labels": st.one_of(
        st.just("abc"),
        st.just([1, 2, 3]),
        st.just((None, None)),
        st.just((np.zeros(3, int), np.zeros(120, int))),
        st.just((np.zeros(120), np.zeros(120))),
    ),
    "rng": BAD["rng"],
}


@pytest.mark.parametrize("arg", list(AUDIT_BAD))
@EXAMPLES
@given(data=st.data())
def test_gan_audit_names_a_bad_argument(arg, data):
    value = data.draw(AUDIT_BAD[arg], label=arg)
    sampler = lambda n, rng: rng.normal(size=(n, 2))  # noqa: E731
    _assert_named(lambda: gan.audit(sampler, AUDIT_ROWS, AUDIT_ROWS, **{arg: value}), arg)


@EXAMPLES
@given(failure=st.sampled_from(["raise", "short", "nan", "columns"]))
def test_gan_audit_names_a_broken_generator(failure):
    def sampler(n, rng):
        if failure == "raise":
            raise RuntimeError("the model is on another machine")
        rows = rng.normal(size=(n - 5 if failure == "short" else n, 3 if failure == "columns" else 2))
        if failure == "nan":
            rows[3, 0] = np.nan
        return rows

    _assert_named(lambda: gan.audit(sampler, AUDIT_ROWS, AUDIT_ROWS, checks=["mmd"]), "generated")


# --- the command lines -----------------------------------------------------------------------


def _run(main, argv):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = main(argv)
        except SystemExit as exc:  # argparse's own usage errors
            status = exc.code
    return status, err.getvalue()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    rng = np.random.default_rng(0)
    np.save(folder / "x.npy", rng.normal(size=(20, 2)))
    np.save(folder / "y.npy", rng.normal(size=(20, 2)))
    return folder


CLI_BAD = st.one_of(
    st.tuples(st.just("--alpha"), st.one_of(st.text(max_size=4), st.sampled_from(["0", "1", "-1", "nan", "2"]))),
    st.tuples(st.just("--n-resamples"), st.one_of(st.text(max_size=4), st.sampled_from(["0", "-3", "2.5"]))),
    st.tuples(st.just("--test"), _not_in(set(ts.TESTS))),
    st.tuples(st.just("--method"), _not_in({"permutation"})),
    st.tuples(st.just("--seed"), st.one_of(st.text(max_size=4), st.just("-1"))),
    st.tuples(st.just("--kernel"), st.sampled_from(["banana", "linear"])),
    st.tuples(st.just("--bandwidth"), st.sampled_from(["0", "-2", "wide", "nan"])),
)


@EXAMPLES
@given(option=CLI_BAD)
def test_twosample_command_fails_in_one_line(files, option):
    from twosample.app.cli import main

    flag, value = option
    argv = ["test", str(files / "x.npy"), str(files / "y.npy"), "--test", "mean", flag, value]
    if flag in ("--kernel", "--bandwidth") or (flag == "--test" and value.startswith("-")):
        argv[argv.index("mean")] = "energy"  # a test without kernels: the option itself is the error
    if flag == "--test" and value.startswith("-"):
        return  # argparse reads it as an option: covered by the other cases
    status, err = _run(main, argv)
    if flag == "--seed" and value.lstrip("-").isdigit() and not value.startswith("-"):
        return
    assert status == 2, (argv, err)
    assert len(err.strip().splitlines()) == 1, err


@EXAMPLES
@given(
    option=st.one_of(
        st.tuples(st.just("--steps"), st.sampled_from(["0", "-5", "x", "2.5"])),
        st.tuples(st.just("--lr"), st.sampled_from(["0", "-1", "nan", "inf", "fast"])),
        st.tuples(st.just("--objective"), _not_in(set(gan.objectives.names())).filter(lambda s: not s.startswith("-"))),
        st.tuples(st.just("--device"), st.sampled_from(["gpu", "cuda", "cuda:7", "tpu"])),
        st.tuples(st.just("--threads"), st.sampled_from(["0", "-1", "many"])),
        st.tuples(st.just("--pack"), st.sampled_from(["0", "-2"])),
    )
)
def test_gan_command_fails_in_one_line(tmp_path_factory, option):
    from gan.app.cli import main

    out = tmp_path_factory.mktemp("run")
    status, err = _run(main, ["train", "--steps", "2", "--out", str(out), *option])
    assert status == 2, err
    assert len(err.strip().splitlines()) == 1, err
