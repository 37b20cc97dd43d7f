r"""f-divergences: the registry, exact values, and estimates from samples.

:func:`get` returns a row of the table (f, f', f*, dom f*, g_f, the stable
f*(g_f(v)), T* = f'(p/q)); every method works on NumPy arrays and on torch
tensors. The lower bound :math:`D_f(P\|Q) \ge E_P T - E_Q f^*(T)` is what
f-GAN critics maximise and what :func:`variational_lower_bound` estimates.
"""

from ._registry import FDivergence, get, names
from .estimators import (
    FittedCritic,
    GeneratorLossCurves,
    VariationalEstimate,
    fit_critic,
    generator_loss_gradients,
    jensen_shannon_from_discriminator,
    optimal_discriminator,
    variational_lower_bound,
    wasserstein_1d,
)
from .exact import (
    f_divergence,
    hellinger_gaussian,
    jensen_shannon,
    kl_gaussian,
    pearson_gaussian_1d,
    total_variation_gaussian_1d,
)

__all__ = [
    "FDivergence",
    "FittedCritic",
    "GeneratorLossCurves",
    "VariationalEstimate",
    "f_divergence",
    "fit_critic",
    "generator_loss_gradients",
    "get",
    "hellinger_gaussian",
    "jensen_shannon",
    "jensen_shannon_from_discriminator",
    "kl_gaussian",
    "names",
    "optimal_discriminator",
    "pearson_gaussian_1d",
    "total_variation_gaussian_1d",
    "variational_lower_bound",
    "wasserstein_1d",
]
