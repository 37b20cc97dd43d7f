r"""Learned statistics: tests whose statistic is fitted on a training split.

:mod:`~twosample.learned.classifier_tests` (the C2ST, :func:`c2st_test`), :mod:`~twosample.learned.mmd_deep`
(the deep-kernel MMD of Liu et al. 2020), :mod:`~twosample.learned.f_divergence` (the held-out
variational f-divergence bound), :mod:`~twosample.learned.torch_classifier` (the torch MLP classifier).
"""

from twosample.learned.classifier_tests import C2STResult, c2st_test, make_classifier
from twosample.learned.f_divergence import f_divergence_test
from twosample.learned.mmd_deep import DeepKernel, DeepMMDResult, mmd_deep_test

__all__ = [
    "c2st_test",
    "C2STResult",
    "DeepKernel",
    "DeepMMDResult",
    "f_divergence_test",
    "make_classifier",
    "mmd_deep_test",
]
