"""Every public entry point that takes two samples keeps the boundary rules, enumerated from the public names.

The entry points are found, not listed: every public callable of ``twosample``, ``twosample.explain``,
``twosample.scale`` and ``gan`` whose first two parameters are ``x`` and ``y`` runs through the same
checks (DataFrame columns matched by name, the rows' order, a sample of another width or an empty one,
a sample that is not data: one error naming ``x`` or ``y``). Every other public name must be
classified in :data:`OTHER` (what it is, and where its own boundary is tested), so a new public
function fails this suite until it is either a two-sample entry point that keeps the rules or says
why it is not one. The size of the suite (entry points x input classes) is printed by
``test_the_suite_covers_every_public_name``.
"""

import inspect
import warnings

import numpy as np
import pandas as pd
import pytest

import gan
import twosample as ts

MODULES = {"twosample": ts, "twosample.explain": ts.explain, "twosample.scale": ts.scale, "gan": gan}

# Public names that do not take two samples, and where their boundary is tested.
OTHER = {
    "twosample.TableComparison": "result type",
    "twosample.C2STResult": "result type",
    "twosample.KernelTestResult": "result type",
    "twosample.InterpretableResult": "result type",
    "twosample.TestResult": "result type",
    "twosample.PowerResult": "result type",
    "twosample.TestInfo": "registry record",
    "twosample.PermutationStatistic": "base class for user statistics (test_resampling)",
    "twosample.DegenerateDataWarning": "warning class",
    "twosample.ColumnScaleWarning": "warning class (test_scaling)",
    "twosample.Detector": "stream of batches (test_boundary_entry_points: columns, magnitudes, files)",
    "twosample.SequentialTest": "stream of pairs (test_boundary_entry_points: columns, magnitudes, options)",
    "twosample.get_test": "registry lookup (test_validation)",
    "twosample.level": "simulation study of a test (test_power, test_validation)",
    "twosample.power": "simulation study of a test (test_power, test_validation)",
    "twosample.power_curve": "simulation study of tests (test_power_curve)",
    "twosample.load_sample": "file reader (test_boundary: files)",
    "twosample.load_table": "file reader (test_boundary: files)",
    "twosample.explain.Attribution": "result type",
    "twosample.explain.Importance": "result type",
    "twosample.explain.c2st_importance": "reads a fitted C2ST result (test_explain)",
    "twosample.explain.confident_rows": "reads a fitted C2ST result (test_explain)",
    "twosample.scale.Source": "scan plan of a large-data source (test_scale)",
    "twosample.scale.as_source": "large-data source reader (test_scale: files, columns)",
    "gan.AuditReport": "result type",
    "gan.GAN": "model type (test_gan_library)",
    "gan.MonitorRejectsWarning": "warning class (test_gan_train)",
    "gan.TrainConfig": "configuration record (test_gan_train)",
    "gan.Trainer": "training loop (test_gan_train)",
    "gan.TrainingDiverged": "exception class",
    "gan.audit": "generator audit (test_boundary_entry_points, test_gan_audit, tables: test_gan_audit_tables)",
    "gan.load": "checkpoint reader (test_boundary_entry_points: checkpoints)",
    "gan.train": "GAN training (test_boundary_entry_points, test_gan_train)",
}

# Extra arguments that keep a call quick, or that the entry point needs.
FAST = {"n_resamples": 99, "steps": 5, "rng": 0}
NEEDS = {
    "twosample.permutation_test": {"statistic": lambda a, b: abs(a.mean() - b.mean())},
    "twosample.compare": {"multivariate": "none"},
    "twosample.scale.compare": {"multivariate": "none"},
}
# Entry points whose p-value may depend on the rows' order, and why (documented gaps).
ROW_ORDER_EXEMPT = {
    "twosample.scale.binned_test": "bin edges from a keyed sample chosen by row position (docs/scale.md)",
    "twosample.scale.compare": "bin edges from a keyed sample chosen by row position (docs/scale.md)",
    "twosample.scale.classifier_test": "training rows chosen by row position (docs/scale.md)",
    "twosample.scale.rff_mmd_test": "exact sums in another order round alike, but the keyed split does not",
}


def _entry_points():
    found = {}
    for prefix, module in MODULES.items():
        for name in module.__all__:
            obj = getattr(module, name)
            if not callable(obj) or inspect.isclass(obj):
                continue
            try:
                params = list(inspect.signature(obj).parameters)
            except (TypeError, ValueError):
                continue
            if params[:2] == ["x", "y"]:
                found[f"{prefix}.{name}"] = obj
    return found


ENTRY_POINTS = _entry_points()
# Entry points whose result may move with the data's magnitude or offset, and why.
_EXACT_SUMS = (
    "large-data moments are exact sums: beyond 1.3e154 or below 3e-151 a column is refused by name (test_scale)"
)
BOTH = ("1e300", "1e-300")
MAGNITUDE_EXEMPT = {  # name -> (the changes it is exempt from, why)
    "twosample.mmd_rff_test": (("offset 1e8",), "random Fourier features are translation invariant in law only"),
    "twosample.scale.welch_test": (BOTH, _EXACT_SUMS),
    "twosample.scale.hotelling_test": (BOTH, _EXACT_SUMS),
    "twosample.scale.rff_mmd_test": (BOTH, _EXACT_SUMS),
    "twosample.scale.binned_test": (BOTH, _EXACT_SUMS),
    "twosample.scale.classifier_test": (BOTH, _EXACT_SUMS),
    "twosample.scale.compare": (BOTH, _EXACT_SUMS),
}
ONE_COLUMN = {
    name
    for name in ENTRY_POINTS
    if name.startswith("twosample.scale.") and name.split(".")[-1] in ("binned_test", "counts_test", "welch_test")
}


def _info(qualified):
    function = ENTRY_POINTS[qualified]
    return next((info for info in ts.TESTS.values() if info.function is function), None)


def _frames(qualified, seed=0):
    """(x, y) DataFrames of the kind the entry point takes: numeric, or labels for categorical tests."""
    rng = np.random.default_rng(seed)
    info = _info(qualified)
    univariate = (info is not None and not info.multivariate) or qualified in ONE_COLUMN
    names = ["b"] if univariate else ["b", "c", "a"]
    if info is not None and info.kinds[0] != "numeric":
        levels = np.array(["p", "q"], dtype=object)  # two levels: Fisher's test takes no more
        make = lambda n: {c: rng.choice(levels, n) for c in names}  # noqa: E731
    else:
        make = lambda n: {c: rng.normal(size=n) for c in names}  # noqa: E731
    return pd.DataFrame(make(60)), pd.DataFrame(make(50))


def _call(qualified, x, y):
    function = ENTRY_POINTS[qualified]
    params = inspect.signature(function).parameters
    kwargs = {k: v for k, v in FAST.items() if k in params}
    kwargs.update(NEEDS.get(qualified, {}))
    if qualified in ONE_COLUMN:
        kwargs["column"] = list(x.columns)[0] if hasattr(x, "columns") else 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(x, y, **kwargs)


def _pvalue(result):
    for attribute in ("pvalue", "reject"):
        if hasattr(result, attribute):
            return getattr(result, attribute)
    if isinstance(result, float):
        return result
    return result.to_dict() if hasattr(result, "to_dict") else result


def _same_on_moved_data(moved, base):
    """Monte Carlo and exact p-values must be equal; analytic ones and plain numbers agree to 1e-6 relative (a
    magnitude that is not a power of two, or an offset, rounds the data itself: 1e8 + z keeps z to 1.5e-8)."""
    if getattr(base, "method", "") in ("permutation", "exact", "sequential permutation"):
        return _pvalue(moved) == _pvalue(base)
    a, b = _pvalue(moved), _pvalue(base)
    return a == pytest.approx(b, rel=1e-6, abs=1e-12) if isinstance(b, float) else a == b


def test_the_suite_covers_every_public_name(capsys):
    public = {f"{p}.{n}" for p, m in MODULES.items() for n in m.__all__ if callable(getattr(m, n))}
    unclassified = sorted(public - set(ENTRY_POINTS) - set(OTHER))
    assert not unclassified, f"public names neither two-sample entry points nor classified in OTHER: {unclassified}"
    stale = sorted(set(OTHER) - public)
    assert not stale, f"OTHER lists names that are not public: {stale}"
    with capsys.disabled():
        print(f"\nentry-point contract: {len(ENTRY_POINTS)} two-sample entry points x {len(CHECKS)} input classes")


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
def test_dataframe_columns_are_matched_by_name(name):
    x, y = _frames(name)
    if x.shape[1] == 1:
        pytest.skip("one column: nothing to reorder")
    assert _pvalue(_call(name, x, y[list(reversed(y.columns))])) == _pvalue(_call(name, x, y))


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
def test_the_rows_order_changes_nothing(name):
    if name in ROW_ORDER_EXEMPT:
        pytest.skip(ROW_ORDER_EXEMPT[name])
    x, y = _frames(name, seed=1)
    order = np.random.default_rng(9)
    shuffled = _call(name, x.iloc[order.permutation(len(x))], y.iloc[order.permutation(len(y))])
    assert _pvalue(shuffled) == _pvalue(_call(name, x, y))


NUMERIC = sorted(n for n in ENTRY_POINTS if _info(n) is None or _info(n).kinds[0] == "numeric")


@pytest.mark.parametrize("change", ["1e300", "1e-300", "offset 1e8"])
@pytest.mark.parametrize("name", NUMERIC)
def test_magnitude_and_offset_change_nothing(name, change):
    changes, why = MAGNITUDE_EXEMPT.get(name, ((), ""))
    if change in changes:
        pytest.skip(why)
    x, y = _frames(name, seed=5)
    move = {"1e300": lambda t: t * 1e300, "1e-300": lambda t: t * 1e-300, "offset 1e8": lambda t: t + 1e8}[change]
    assert _same_on_moved_data(_call(name, move(x), move(y)), _call(name, x, y))


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
def test_other_columns_are_an_error_naming_the_sample(name):
    x, y = _frames(name, seed=2)
    other = y.rename(columns={y.columns[0]: "zz"})
    with pytest.raises(ValueError, match=r"`?y`?|columns|zz"):
        _call(name, x, other)


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
def test_an_empty_sample_is_an_error_naming_it(name):
    x, y = _frames(name, seed=3)
    with pytest.raises(ValueError, match=r"\by\b|`y`|empty|rows"):
        _call(name, x, y.iloc[:0])


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
def test_a_sample_that_is_not_data_is_an_error_naming_it(name):
    x, _ = _frames(name, seed=4)
    with pytest.raises((ValueError, TypeError), match=r"`?y`?"):
        _call(name, x, "not data")


CHECKS = [
    test_dataframe_columns_are_matched_by_name,
    test_the_rows_order_changes_nothing,
    test_magnitude_and_offset_change_nothing,
    test_other_columns_are_an_error_naming_the_sample,
    test_an_empty_sample_is_an_error_naming_it,
    test_a_sample_that_is_not_data_is_an_error_naming_it,
]
