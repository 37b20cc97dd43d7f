r"""Learned statistics: tests whose statistic is fitted on a training split.

:mod:`~twosample.learned.classifier_tests` (the C2ST, :func:`c2st`), :mod:`~twosample.learned.deep_mmd`
(the deep-kernel MMD of Liu et al. 2020), :mod:`~twosample.learned.f_divergence` (the held-out
variational f-divergence bound), :mod:`~twosample.learned.torch_classifier` (the torch MLP classifier).
"""

from twosample.learned.classifier_tests import C2STResult, c2st, make_classifier
from twosample.learned.deep_mmd import DeepKernel, DeepMMDResult, deep_mmd_test
from twosample.learned.f_divergence import f_divergence_test

__all__ = ["C2STResult", "DeepKernel", "DeepMMDResult", "c2st", "deep_mmd_test", "f_divergence_test", "make_classifier"]
