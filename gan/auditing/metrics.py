r"""Scores of generated samples (shared by the benchmarks, the demo and the audit).

:func:`mode_coverage` is the PacGAN protocol (Lin et al. 2018) for known
Gaussian mixtures: a sample is *high quality* when it lies within 3 standard
deviations of its nearest mode; a mode is *captured* when some high-quality
sample is nearest to it; the reverse KL compares the histogram of
high-quality samples over modes with the uniform weights of the mixture.

PacGAN's scores reward a generator whose modes are narrower than the data's
(every such sample is "high quality"), so :func:`mode_coverage` also reports
the *width ratio*: the sd of Gaussian modes that would give the high-quality
samples' mean squared distance to their mode, over the data's (1 for samples
from the mixture; 0.5 for modes half as wide).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy import optimize, stats
from sklearn.neighbors import NearestNeighbors

from twosample.core.validation import check_sample

__all__ = ["ModeCoverage", "mode_coverage"]


@dataclasses.dataclass(frozen=True)
class ModeCoverage:
    """PacGAN scores.

    Attributes
    ----------
    modes_captured : int
    n_modes : int
    high_quality : float
        Fraction of samples within 3 sd of their nearest mode (in [0, 1]).
    reverse_kl : float
        :math:`\\sum_k \\hat g_k \\log(\\hat g_k K)` over the high-quality histogram
        :math:`\\hat g` (inf when no sample is high quality).
    counts : numpy.ndarray
        High-quality samples per mode.
    width_ratio : float
        Width of the generated modes over the data's, s / sigma: the sd s of Gaussian modes
        whose samples within the threshold t sigma of their mode have the mean squared
        distance r^2 to it that the high-quality samples have
        (:math:`E[r^2 \\mid r \\le t\\sigma] = s^2 d\\, F_{d+2}(t^2\\sigma^2/s^2) / F_d(t^2\\sigma^2/s^2)`,
        F the chi-squared distribution functions). 1 for samples from the data's law, 0.5 for
        modes half as wide (NaN when no sample is high quality).
    """

    modes_captured: int
    n_modes: int
    high_quality: float
    reverse_kl: float
    counts: np.ndarray
    width_ratio: float = math.nan

    def to_dict(self) -> dict:
        return {
            "modes_captured": self.modes_captured,
            "n_modes": self.n_modes,
            "high_quality": self.high_quality,
            "reverse_kl": self.reverse_kl,
            "width_ratio": self.width_ratio,
        }


def mode_coverage(samples, modes, std: float, *, threshold: float = 3.0) -> ModeCoverage:
    """Modes captured, fraction of high-quality samples and reverse KL (PacGAN's protocol).

    Parameters
    ----------
    samples : array_like, shape (n, d)
        Generated rows (PacGAN scores 2,500).
    modes : array_like, shape (K, d)
        Mode centres (equal weights).
    std : float
        Standard deviation of each mode.
    threshold : float, default 3.0
        High quality means within ``threshold * std`` of the nearest mode.

    Examples
    --------
    >>> import numpy as np
    >>> from gan import datasets, metrics
    >>> ring = datasets.ring()
    >>> score = metrics.mode_coverage(ring.sample(2500, rng=0), ring.modes, ring.mode_std)
    >>> score.modes_captured, round(score.high_quality, 3), score.reverse_kl < 0.01
    (8, 0.992, True)
    >>> round(score.width_ratio, 2)
    1.0
    """
    samples = check_sample(samples, "samples")
    modes = check_sample(modes, "modes", min_rows=1)
    if samples.shape[1] != modes.shape[1]:
        raise ValueError(f"`samples` have {samples.shape[1]} columns but `modes` have {modes.shape[1]}.")
    if not std > 0:
        raise ValueError(f"`std` must be positive, got {std!r}.")
    dist, nearest = NearestNeighbors(n_neighbors=1).fit(modes).kneighbors(samples)
    good = dist[:, 0] <= threshold * std
    counts = np.bincount(nearest[good, 0], minlength=len(modes))
    n_good = int(good.sum())
    if n_good == 0:
        rev_kl = math.inf
    else:
        freq = counts[counts > 0] / n_good
        rev_kl = float(np.sum(freq * np.log(freq * len(modes))))
    return ModeCoverage(
        modes_captured=int(np.count_nonzero(counts)),
        n_modes=len(modes),
        high_quality=n_good / len(samples),
        reverse_kl=rev_kl,
        counts=counts,
        width_ratio=_width_ratio(dist[good, 0], std, threshold, modes.shape[1]),
    )


def _width_ratio(radii: np.ndarray, std: float, threshold: float, dim: int) -> float:
    """The s / std for which Gaussian modes of sd s, truncated at threshold * std, have the samples' mean r^2."""
    if len(radii) == 0:
        return math.nan
    mean_r2 = float(np.mean(radii**2)) / std**2  # in units of std

    def truncated_mean_r2(s):  # E[r^2 | r <= threshold] for N(0, s^2 I_dim), std = 1
        cut = (threshold / s) ** 2
        return s**2 * dim * stats.chi2.cdf(cut, dim + 2) / stats.chi2.cdf(cut, dim)

    if mean_r2 <= 0:
        return 0.0
    upper = 1.0
    while truncated_mean_r2(upper) < mean_r2 and upper < 1e3:
        upper *= 2  # the truncated mean tends to threshold^2 dim / (dim + 2) as s grows
    if truncated_mean_r2(upper) < mean_r2:
        return math.inf
    return float(optimize.brentq(lambda s: truncated_mean_r2(s) - mean_r2, 1e-9, upper, xtol=1e-10))
