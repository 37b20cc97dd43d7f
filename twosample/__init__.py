"""twosample: two-sample tests of H0: p = q, calibrated by one permutation engine.

Every test takes two samples ``x`` (n, d) and ``y`` (m, d) and returns a
:class:`TestResult` with the statistic, the p-value, the level ``alpha``, the
threshold ``t_alpha`` and the verdict.
"""

from . import scenarios
from ._result import TestResult
from .classical import (
    anderson_test,
    cvm_test,
    energy_test,
    hotelling_test,
    ks_test,
    mannwhitney_test,
    mean_difference_test,
    mean_variance_test,
    moments_test,
    t_test,
    wasserstein_test,
)
from .classifier_tests import C2STResult, c2st
from .io import load_sample
from .mmd import linear_mmd_test, mmd2, mmd_agg_test, mmd_test, rff_mmd_test
from .power import PowerResult, level, power, power_curve
from .registry import TESTS, TestInfo, get_test
from .resampling import PermutationStatistic, permutation_test
from .validation import DegenerateDataWarning

__version__ = "0.1.0.dev0"

__all__ = [
    "TESTS",
    "C2STResult",
    "DegenerateDataWarning",
    "PermutationStatistic",
    "PowerResult",
    "TestInfo",
    "TestResult",
    "anderson_test",
    "c2st",
    "cvm_test",
    "energy_test",
    "get_test",
    "hotelling_test",
    "ks_test",
    "linear_mmd_test",
    "level",
    "load_sample",
    "mannwhitney_test",
    "mean_difference_test",
    "mean_variance_test",
    "mmd2",
    "mmd_agg_test",
    "mmd_test",
    "moments_test",
    "permutation_test",
    "power",
    "power_curve",
    "rff_mmd_test",
    "scenarios",
    "t_test",
    "wasserstein_test",
]
