r"""Data for GAN training: the PacGAN toys, 1-D laws, the swiss roll, digits, and user data.

A :class:`Dataset` is a sampler ``sample(n, rng)`` with what is known about
the law: its mode centres and width for the mixtures (to score mode
collapse), its density for 1-D laws (to plot against and to compute exact
divergences), the image shape for digits. Synthetic data sets have unlimited
fresh samples; a finite data set (digits, user data) samples rows with
replacement from its array.

The ring and the grid follow the PacGAN protocol (Lin et al. 2018): 8 modes
evenly spaced on the unit circle with standard deviation 0.01, and 25 modes on
:math:`\{-4, -2, 0, 2, 4\}^2` with standard deviation 0.05, equal weights.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy import stats

from twosample.io import load_sample
from twosample.validation import check_int, check_real, check_rng, check_sample

__all__ = [
    "Dataset",
    "digits",
    "gaussian_1d",
    "get_dataset",
    "grid",
    "laplace_1d",
    "mixture_1d",
    "names",
    "ring",
    "swiss_roll",
    "from_array",
]


@dataclasses.dataclass(frozen=True)
class Dataset:
    """A named law to train on and score against.

    Attributes
    ----------
    name : str
    sampler : callable
        ``sampler(n, rng) -> (n, d) float array``.
    dim : int
        Number of columns.
    modes : numpy.ndarray, optional
        ``(K, d)`` centres of an equal-weight Gaussian mixture.
    mode_std : float, optional
        Standard deviation of each mode.
    density : callable, optional
        For 1-D laws, a frozen SciPy distribution-like object with ``pdf`` and
        ``logpdf``.
    image_shape : tuple, optional
        ``(h, w)`` for image data (rows are flattened images in [-1, 1]).
    rows : numpy.ndarray, optional
        For a finite data set, its rows; samples are drawn from them with replacement.
    """

    name: str
    sampler: Callable
    dim: int
    modes: np.ndarray | None = None
    mode_std: float | None = None
    density: object | None = None
    image_shape: tuple | None = None
    rows: np.ndarray | None = dataclasses.field(default=None, repr=False)

    @property
    def finite(self) -> bool:
        return self.rows is not None

    def sample(self, n: int, rng=None) -> np.ndarray:
        """``n`` rows, shape (n, dim), float64, from the stream `rng`."""
        n = check_int(n, "n")
        return np.asarray(self.sampler(n, check_rng(rng)), dtype=np.float64).reshape(n, self.dim)


def _mixture_sampler(centres: np.ndarray, std: float):
    def sample(n, rng):
        which = rng.integers(0, len(centres), size=n)
        return centres[which] + std * rng.standard_normal((n, centres.shape[1]))

    return sample


def ring(n_modes: int = 8, radius: float = 1.0, std: float = 0.01) -> Dataset:
    """PacGAN's ring: `n_modes` Gaussians evenly spaced on a circle (angles 2 pi k / K, k < K)."""
    n_modes = check_int(n_modes, "n_modes")
    radius, std = check_real(radius, "radius", low=0, low_open=True), check_real(std, "std", low=0, low_open=True)
    # endpoint excluded: linspace(0, 2 pi, K) would put the first and last modes at the same angle
    angles = 2 * np.pi * np.arange(n_modes) / n_modes
    centres = radius * np.column_stack([np.cos(angles), np.sin(angles)])
    return Dataset("ring", _mixture_sampler(centres, std), 2, modes=centres, mode_std=std)


def grid(side: int = 5, spacing: float = 2.0, std: float = 0.05) -> Dataset:
    """PacGAN's grid: side x side Gaussians at {-4, -2, 0, 2, 4}^2 (for the defaults)."""
    side = check_int(side, "side")
    spacing = check_real(spacing, "spacing", low=0, low_open=True)
    std = check_real(std, "std", low=0, low_open=True)
    axis = spacing * (np.arange(side) - (side - 1) / 2)
    centres = np.array([(a, b) for a in axis for b in axis], dtype=float)
    return Dataset("grid", _mixture_sampler(centres, std), 2, modes=centres, mode_std=std)


def _scipy_1d(name: str, dist) -> Dataset:
    return Dataset(name, lambda n, rng: dist.rvs(size=n, random_state=rng), 1, density=dist)


def gaussian_1d(mean: float = 0.0, std: float = 1.0) -> Dataset:
    """N(mean, std^2)."""
    mean, std = check_real(mean, "mean"), check_real(std, "std", low=0, low_open=True)
    return _scipy_1d("gaussian", stats.norm(mean, std))


def laplace_1d(mean: float = 0.0, scale: float = 1 / math.sqrt(2)) -> Dataset:
    """Laplace(mean, scale); the default has variance 1."""
    mean, scale = check_real(mean, "mean"), check_real(scale, "scale", low=0, low_open=True)
    return _scipy_1d("laplace", stats.laplace(mean, scale))


class _Mixture1D:
    """A 1-D Gaussian mixture with the frozen-distribution methods plots and exact divergences use.

    pdf, logpdf, cdf, sf, ppf, support, rvs: enough for
    :func:`twosample.divergences.f_divergence`.
    """

    def __init__(self, weights, means, stds):
        self.weights = np.asarray(weights, dtype=float) / np.sum(weights)
        self.means, self.stds = np.asarray(means, dtype=float), np.asarray(stds, dtype=float)

    def logpdf(self, x):
        x = np.asarray(x, dtype=float)[..., None]
        return np.logaddexp.reduce(np.log(self.weights) + stats.norm.logpdf(x, self.means, self.stds), axis=-1)

    def pdf(self, x):
        return np.exp(self.logpdf(x))

    def cdf(self, x):
        x = np.asarray(x, dtype=float)[..., None]
        return (self.weights * stats.norm.cdf(x, self.means, self.stds)).sum(-1)

    def sf(self, x):
        x = np.asarray(x, dtype=float)[..., None]
        return (self.weights * stats.norm.sf(x, self.means, self.stds)).sum(-1)

    def support(self):
        return -np.inf, np.inf

    def ppf(self, q):
        """Quantiles by root finding on the cdf (bracketed by the components' extreme quantiles)."""
        from scipy.optimize import brentq

        q = np.asarray(q, dtype=float)
        out = np.full(q.shape, np.nan)
        for i, level in np.ndenumerate(q):
            if level <= 0 or level >= 1:
                out[i] = -np.inf if level == 0 else (np.inf if level == 1 else np.nan)
                continue
            lo = float(np.min(stats.norm.ppf(level, self.means, self.stds)))
            hi = float(np.max(stats.norm.ppf(level, self.means, self.stds)))
            out[i] = lo if lo == hi else brentq(lambda t, v=level: float(self.cdf(t)) - v, lo, hi, xtol=1e-12)
        return out

    def rvs(self, size, random_state):
        which = random_state.choice(len(self.weights), size=size, p=self.weights)
        return self.means[which] + self.stds[which] * random_state.standard_normal(size)


def mixture_1d(weights=(0.7, 0.3), means=(-2.0, 2.0), stds=(0.5, 0.5)) -> Dataset:
    """A 1-D Gaussian mixture; the default has a big mode at -2 and a small one at 2."""
    if not len(weights) == len(means) == len(stds) or len(weights) == 0:
        raise ValueError("`weights`, `means` and `stds` must have the same non-zero length.")
    if np.any(np.asarray(weights) <= 0) or np.any(np.asarray(stds) <= 0):
        raise ValueError("`weights` and `stds` must be positive.")
    dist = _Mixture1D(weights, means, stds)
    return Dataset("mixture", lambda n, rng: dist.rvs(n, rng), 1, density=dist)


def swiss_roll(noise: float = 0.25) -> Dataset:
    """scikit-learn's swiss roll, its (x, z) plane, scaled by 1/5 (about [-2, 2.5]^2)."""
    from sklearn.datasets import make_swiss_roll

    noise = check_real(noise, "noise", low=0)

    def sample(n, rng):
        points, _ = make_swiss_roll(n, noise=noise, random_state=np.random.RandomState(rng.integers(2**31)))
        return points[:, [0, 2]] / 5.0

    return Dataset("swiss_roll", sample, 2)


def from_array(data, name: str = "data", image_shape=None) -> Dataset:
    """A finite data set: rows drawn with replacement from `data` (array, or a path to .npy/.csv/.parquet)."""
    if isinstance(data, (str, Path)):
        name = Path(data).stem if name == "data" else name
        data = load_sample(data)
    array = check_sample(data, "data")
    array = np.ascontiguousarray(array, dtype=np.float64)
    return Dataset(
        name,
        lambda n, rng: array[rng.integers(0, len(array), size=n)],
        array.shape[1],
        image_shape=image_shape,
        rows=array,
    )


def digits() -> Dataset:
    """scikit-learn's bundled 8x8 digits (1,797 images), pixels scaled from [0, 16] to [-1, 1]."""
    from sklearn.datasets import load_digits

    images = load_digits().data / 8.0 - 1.0
    return from_array(images, name="digits", image_shape=(8, 8))


_FACTORIES = {
    "ring": ring,
    "grid": grid,
    "gaussian": gaussian_1d,
    "laplace": laplace_1d,
    "mixture": mixture_1d,
    "swiss_roll": swiss_roll,
    "digits": digits,
}


def names() -> list[str]:
    """Names accepted by :func:`get_dataset`."""
    return list(_FACTORIES)


def get_dataset(data) -> Dataset:
    """A :class:`Dataset` from a name, a Dataset, an array or a path to .npy / .csv / .parquet."""
    if isinstance(data, Dataset):
        return data
    if isinstance(data, str) and data in _FACTORIES:
        return _FACTORIES[data]()
    if isinstance(data, (str, Path)):
        if not Path(data).is_file():
            raise ValueError(f"`data` must be one of {', '.join(_FACTORIES)} or an existing file, got {str(data)!r}.")
        try:
            return from_array(data)
        except ValueError as exc:
            raise ValueError(f"`data`: {exc}") from None
    if isinstance(data, np.ndarray) or isinstance(data, (list, tuple)):
        return from_array(data)
    raise TypeError(f"`data` must be a dataset name, a Dataset, an array or a path, got {type(data).__name__}.")
