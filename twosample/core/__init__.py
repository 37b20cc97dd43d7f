"""The core: the result type (:mod:`~twosample.core.result`), the permutation engine
(:mod:`~twosample.core.resampling`, :mod:`~twosample.core.early_stop`), the test declaration
(:mod:`~twosample.core.spec`), every argument check (:mod:`~twosample.core.validation`), the array
backend, progress bars and torch helpers (:mod:`~twosample.core.backend`, :mod:`~twosample.core.progress`,
:mod:`~twosample.core.torch_utils`). It imports nothing above it."""

from twosample.core.resampling import (
    CallableStatistic,
    PermutationStatistic,
    Resampling,
    holdout_split,
    permutation_test,
)
from twosample.core.result import TestResult, jsonable
from twosample.core.spec import (
    TESTS,
    TestInfo,
    choices,
    info_for,
    name_of,
    register,
)
from twosample.core.validation import DegenerateDataWarning

__all__ = [
    "TESTS",
    "CallableStatistic",
    "choices",
    "DegenerateDataWarning",
    "holdout_split",
    "info_for",
    "jsonable",
    "name_of",
    "permutation_test",
    "PermutationStatistic",
    "register",
    "Resampling",
    "TestInfo",
    "TestResult",
]
