"""twosample: two-sample tests of H0: p = q, calibrated by one permutation engine.

Every test takes two samples ``x`` (n, d) and ``y`` (m, d) and returns a
:class:`TestResult` with the statistic, the p-value, the level ``alpha``, the
threshold ``t_alpha`` and the verdict.
"""

import logging

from twosample import explain, scale
from twosample.app.io import load_sample, load_table
from twosample.categorical import (
    c2st_mixed_test,
    chi2_test,
    fisher_test,
    g_test,
    mmd_mixed_test,
    ordinal_ks_test,
    ordinal_mwu_test,
    tvd_test,
)
from twosample.classical import (
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
from twosample.core.resampling import PermutationStatistic, permutation_test
from twosample.core.result import TestResult
from twosample.core.scaling import ColumnScaleWarning
from twosample.core.validation import DegenerateDataWarning
from twosample.kernel.agginc import mmd_agginc_test
from twosample.kernel.interpretable import InterpretableResult, me_test, scf_test
from twosample.kernel.mmd import mmd2, mmd_agg_test, mmd_linear_test, mmd_rff_test, mmd_test
from twosample.kernel.witness import KernelTestResult
from twosample.ksample import energy_ksample_test, ks_ksample_test, mmd_ksample_test
from twosample.learned import C2STResult, c2st_test, f_divergence_test, mmd_deep_test
from twosample.sequential import Detector, SequentialTest
from twosample.study import scenarios
from twosample.study.registry import TESTS, TestInfo, get_test
from twosample.study.simulation import PowerResult, level, power, power_curve
from twosample.study.tables import TableComparison, compare

__version__ = "0.1.0.dev0"

# Quiet unless the application configures logging (logging.basicConfig(level=logging.INFO) shows it).
logging.getLogger(__name__).addHandler(logging.NullHandler())


__all__ = [
    "TESTS",
    "scale",
    "explain",
    "TableComparison",
    "compare",
    "mmd_mixed_test",
    "c2st_mixed_test",
    "tvd_test",
    "ordinal_mwu_test",
    "ordinal_ks_test",
    "g_test",
    "fisher_test",
    "chi2_test",
    "anderson_test",
    "c2st_test",
    "C2STResult",
    "cvm_test",
    "ColumnScaleWarning",
    "DegenerateDataWarning",
    "Detector",
    "energy_ksample_test",
    "energy_test",
    "f_divergence_test",
    "get_test",
    "hotelling_test",
    "KernelTestResult",
    "InterpretableResult",
    "ks_ksample_test",
    "ks_test",
    "level",
    "load_sample",
    "load_table",
    "mannwhitney_test",
    "me_test",
    "mean_difference_test",
    "mean_variance_test",
    "mmd2",
    "mmd_agg_test",
    "mmd_agginc_test",
    "mmd_deep_test",
    "mmd_ksample_test",
    "mmd_linear_test",
    "mmd_rff_test",
    "mmd_test",
    "moments_test",
    "permutation_test",
    "PermutationStatistic",
    "power",
    "power_curve",
    "PowerResult",
    "scenarios",
    "scf_test",
    "SequentialTest",
    "t_test",
    "TestInfo",
    "TestResult",
    "wasserstein_test",
]
