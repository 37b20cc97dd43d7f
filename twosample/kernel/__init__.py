"""Kernel tests: kernels and bandwidths (:mod:`~twosample.kernel.kernels`), the MMD statistics and
tests (:mod:`~twosample.kernel.mmd`), the incomplete aggregated test (:mod:`~twosample.kernel.agginc`),
their results with the witness function (:mod:`~twosample.kernel.witness`), and the ME and SCF tests at
learned features (:mod:`~twosample.kernel.interpretable`)."""

from twosample.kernel.agginc import agginc_weights, mmd_agginc_test
from twosample.kernel.interpretable import FeatureHotelling, InterpretableResult, me_test, scf_test
from twosample.kernel.kernels import (
    IMQ,
    CallableKernel,
    Gaussian,
    Kernel,
    Laplace,
    Linear,
    Polynomial,
    check_bandwidth,
    fourier_features,
    kernel_scale_exponent,
    make_kernel,
    median_distance,
    pairwise_distances,
    positive_distances,
    scale_free_inputs,
    squared_distances,
    subsample_rows,
)
from twosample.kernel.mmd import (
    FuseStatistic,
    MMDStatistic,
    fuse_kernels,
    mmd2,
    mmd2_from_kernel,
    mmd_agg_test,
    mmd_linear_test,
    mmd_rff_test,
    mmd_test,
)
from twosample.kernel.witness import KernelTestResult

__all__ = [
    "IMQ",
    "agginc_weights",
    "CallableKernel",
    "FeatureHotelling",
    "check_bandwidth",
    "fourier_features",
    "fuse_kernels",
    "FuseStatistic",
    "Gaussian",
    "InterpretableResult",
    "Kernel",
    "kernel_scale_exponent",
    "KernelTestResult",
    "Laplace",
    "Linear",
    "make_kernel",
    "me_test",
    "median_distance",
    "mmd2",
    "mmd2_from_kernel",
    "mmd_agg_test",
    "mmd_agginc_test",
    "mmd_linear_test",
    "mmd_rff_test",
    "mmd_test",
    "MMDStatistic",
    "pairwise_distances",
    "Polynomial",
    "positive_distances",
    "scale_free_inputs",
    "scf_test",
    "squared_distances",
    "subsample_rows",
]
