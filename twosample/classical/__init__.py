"""Classical two-sample tests.

Every test has the signature ``test(x, y, *, alpha=0.05, rng=None, ...)`` and
returns a :class:`~twosample.TestResult`. The default null is the permutation
engine (:func:`twosample.permutation_test`); where SciPy offers an exact or
asymptotic null, ``method=`` selects it and SciPy computes the p-value.

Modules: :mod:`~twosample.classical.multivariate` (tests for any dimension),
:mod:`~twosample.classical.univariate` (one-dimensional tests), :mod:`~twosample.classical.statistics`
(their batched statistics for the engine).
"""

from twosample.classical import statistics
from twosample.classical.multivariate import (
    energy_test,
    hotelling_test,
    mean_difference_test,
    mean_variance_test,
    moments_test,
)
from twosample.classical.univariate import anderson_test, cvm_test, ks_test, mannwhitney_test, t_test, wasserstein_test

__all__ = [
    "anderson_test",
    "cvm_test",
    "energy_test",
    "hotelling_test",
    "ks_test",
    "mannwhitney_test",
    "mean_difference_test",
    "mean_variance_test",
    "moments_test",
    "statistics",
    "t_test",
    "wasserstein_test",
]
