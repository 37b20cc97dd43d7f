"""Name -> test, with the metadata the CLI and the power engine need."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from . import classical, classifier_tests, learned, mmd

__all__ = ["TESTS", "TestInfo", "get_test", "info_for"]


@dataclasses.dataclass(frozen=True)
class TestInfo:
    """A registered test.

    Attributes
    ----------
    name : str
        Registry name (used by the CLI: ``--test NAME``).
    function : callable
        ``function(x, y, *, alpha=0.05, rng=None, ...) -> TestResult``.
    multivariate : bool
        Whether samples may have more than one column.
    methods : tuple of str
        Values accepted by ``method=``; the first is the default. A test with
        only ``"permutation"`` takes no ``method`` argument.
    alternatives : tuple of str
        Values accepted by ``alternative=`` (``("greater",)``: the test takes
        no ``alternative`` argument).
    description : str
        One line for listings.
    resampling : bool
        Whether the test takes ``n_resamples`` (its default null is a
        permutation null).
    learned : bool
        Whether the test fits its statistic (a torch network) on a training
        split; it takes ``steps`` (training length) and ``device``.
    stacked : callable or None
        ``stacked(xs, ys, *, alpha, rngs, **kwargs)``: the p-values of many
        repetitions at once (SciPy's vectorised analytic nulls), used by
        :func:`twosample.power`; it returns None for options it does not
        vectorise. None: the power engine runs the test once per repetition.
    """

    __test__ = False  # not a pytest test class, despite the name

    name: str
    function: Callable
    multivariate: bool
    methods: tuple[str, ...]
    alternatives: tuple[str, ...]
    description: str
    resampling: bool = True
    learned: bool = False
    stacked: Callable | None = None

    def __call__(self, x, y, **kwargs):
        return self.function(x, y, **kwargs)


_TWO_SIDED = ("two-sided", "greater", "less")
# SciPy's exact null where it is exact for the data, else the permutation null (see ks_test).
_AUTO = ("auto", "permutation", "exact", "asymptotic")

TESTS: dict[str, TestInfo] = {
    info.name: info
    for info in [
        TestInfo("mean", classical.mean_difference_test, True, ("permutation",), ("greater",),
                 "norm of the difference of means"),
        TestInfo("meanvar", classical.mean_variance_test, True, ("permutation",), ("greater",),
                 "difference of the (mean, variance) vectors"),
        TestInfo("moments", classical.moments_test, True, ("permutation",), ("greater",),
                 "difference of the first k standardised moments"),
        TestInfo("t", classical.t_test, False, ("permutation", "analytic"), _TWO_SIDED,
                 "Welch's t", stacked=classical.t_test_stacked),
        TestInfo("ks", classical.ks_test, False, _AUTO, _TWO_SIDED, "Kolmogorov-Smirnov"),
        TestInfo("cvm", classical.cvm_test, False, _AUTO, ("greater",), "Cramer-von Mises"),
        TestInfo("ad", classical.anderson_test, False, ("permutation", "asymptotic"), ("greater",),
                 "Anderson-Darling (k-sample, midrank)"),
        TestInfo("mwu", classical.mannwhitney_test, False, _AUTO, _TWO_SIDED, "Mann-Whitney U",
                 stacked=classical.mannwhitney_test_stacked),
        TestInfo("energy", classical.energy_test, True, ("permutation",), ("greater",),
                 "energy distance"),
        TestInfo("wasserstein", classical.wasserstein_test, False, ("permutation",), ("greater",),
                 "1-D Wasserstein-1 distance"),
        TestInfo("hotelling", classical.hotelling_test, True, ("permutation", "analytic"), ("greater",),
                 "Hotelling's T^2"),
        TestInfo("mmd", mmd.mmd_test, True, ("permutation",), ("greater",),
                 "kernel MMD (Gaussian, median bandwidth)"),
        TestInfo("mmd-agg", mmd.mmd_agg_test, True, ("permutation",), ("greater",),
                 "MMD aggregated over Gaussian and Laplace bandwidths (MMD-FUSE)"),
        TestInfo("mmd-linear", mmd.linear_mmd_test, True, ("asymptotic",), ("greater",),
                 "linear-time MMD, normal null", resampling=False),
        TestInfo("mmd-rff", mmd.rff_mmd_test, True, ("permutation",), ("greater",),
                 "random-Fourier-feature MMD, O(n) per permutation"),
        TestInfo("c2st", classifier_tests.c2st, True, ("exact",), ("greater",),
                 "classifier two-sample test (MLP, held-out accuracy, exact null)", resampling=False),
        TestInfo("mmd-deep", learned.deep_mmd_test, True, ("permutation",), ("greater",),
                 "MMD with a deep kernel fitted on half the data (Liu et al. 2020)", learned=True),
        TestInfo("f-divergence", learned.f_divergence_test, True, ("permutation",), ("greater",),
                 "held-out variational f-divergence bound of a fitted critic (JS)", learned=True),
    ]
}


def info_for(test) -> TestInfo | None:
    """The registry entry of `test` (a TestInfo, or a registered function such as ``ts.t_test``), else None."""
    if isinstance(test, TestInfo):
        return test
    return next((info for info in TESTS.values() if info.function is test), None)


def get_test(name: str) -> TestInfo:
    """The registered test called `name`, with an error listing the valid names."""
    try:
        return TESTS[name]
    except (KeyError, TypeError):
        raise ValueError(f"`test` must be one of {', '.join(TESTS)}; got {name!r}.") from None
