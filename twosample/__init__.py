"""twosample: two-sample tests of H0: p = q, calibrated by one permutation engine.

Every test takes two samples ``x`` (n, d) and ``y`` (m, d) and returns a
:class:`TestResult` with the statistic, the p-value, the level ``alpha``, the
threshold ``t_alpha`` and the verdict.
"""

import importlib as _importlib
import sys as _sys

from twosample._core.resampling import PermutationStatistic, permutation_test
from twosample._core.result import TestResult
from twosample._core.validation import DegenerateDataWarning
from twosample.app.io import load_sample
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
from twosample.kernel.agginc import mmd_agginc_test
from twosample.kernel.mmd import linear_mmd_test, mmd2, mmd_agg_test, mmd_test, rff_mmd_test
from twosample.ksample import energy_ksample_test, ks_ksample_test, mmd_ksample_test
from twosample.learned.classifier_tests import C2STResult, c2st
from twosample.sequential import Detector, SequentialTest
from twosample.study import scenarios
from twosample.study.power import PowerResult, level, power, power_curve
from twosample.study.registry import TESTS, TestInfo, get_test

__version__ = "0.1.0.dev0"

# The modules' public paths from before the code was grouped in folders (twosample.kernels,
# twosample.mmd, ...): each is the moved module itself, so `import twosample.kernels` and
# `from twosample.kernels import Gaussian` keep working and refer to the same objects.
_PUBLIC_PATHS = {
    "_backend": "_core.backend",
    "_result": "_core.result",
    "_spec": "_core.spec",
    "progress": "_core.progress",
    "resampling": "_core.resampling",
    "torch_utils": "_core.torch_utils",
    "validation": "_core.validation",
    "statistics": "classical.statistics",
    "kernels": "kernel.kernels",
    "mmd": "kernel.mmd",
    "classifier_tests": "learned.classifier_tests",
    "torch_classifier": "learned.torch_classifier",
    "scenarios": "study.scenarios",
    "power": "study.power",
    "registry": "study.registry",
    "cli": "app.cli",
    "demo": "app.demo",
    "io": "app.io",
    "plotting": "app.plotting",
    "report": "app.report",
}
for _old, _new in _PUBLIC_PATHS.items():
    _sys.modules[f"{__name__}.{_old}"] = _importlib.import_module(f"{__name__}.{_new}")
    globals().setdefault(_old, _sys.modules[f"{__name__}.{_old}"])  # ts.power stays the function
del _old, _new

__all__ = [
    "TESTS",
    "C2STResult",
    "DegenerateDataWarning",
    "Detector",
    "PermutationStatistic",
    "PowerResult",
    "SequentialTest",
    "TestInfo",
    "TestResult",
    "anderson_test",
    "c2st",
    "cvm_test",
    "energy_ksample_test",
    "energy_test",
    "get_test",
    "hotelling_test",
    "ks_ksample_test",
    "ks_test",
    "linear_mmd_test",
    "level",
    "load_sample",
    "mannwhitney_test",
    "mean_difference_test",
    "mean_variance_test",
    "mmd2",
    "mmd_agg_test",
    "mmd_agginc_test",
    "mmd_ksample_test",
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
