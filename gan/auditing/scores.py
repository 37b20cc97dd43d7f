"""Scores of a generated sample against real data, usable on their own: the Fréchet distance,
KID, precision / recall / density / coverage, and the data-copying test."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy import linalg, stats

import twosample as ts
from twosample.validation import check_int, check_rng

__all__ = [
    "CopyingResult",
    "copying_test",
    "frechet_distance",
    "frechet_distance_gaussians",
    "kid",
    "precision_recall_density_coverage",
]


def frechet_distance_gaussians(mu1, cov1, mu2, cov2) -> float:
    r"""Fréchet distance between :math:`N(\mu_1, \Sigma_1)` and :math:`N(\mu_2, \Sigma_2)`.

    :math:`\|\mu_1-\mu_2\|^2 + \mathrm{tr}(\Sigma_1 + \Sigma_2 - 2(\Sigma_1\Sigma_2)^{1/2})`,
    in float64 with :func:`scipy.linalg.sqrtm`. When the product is singular
    (SciPy warns, or the root is not finite), 1e-6 I is added to both covariances (as
    pytorch-fid does); a tiny imaginary part from rounding is dropped.
    """
    mu1, mu2 = np.atleast_1d(np.asarray(mu1, float)), np.atleast_1d(np.asarray(mu2, float))
    cov1, cov2 = np.atleast_2d(np.asarray(cov1, float)), np.atleast_2d(np.asarray(cov2, float))
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", linalg.LinAlgWarning)
        covmean = linalg.sqrtm(cov1 @ cov2)
    if caught or not np.isfinite(covmean).all():  # singular product: sqrtm is unreliable there
        offset = np.eye(len(cov1)) * 1e-6
        covmean = linalg.sqrtm((cov1 + offset) @ (cov2 + offset))
    covmean = np.real(covmean)
    diff = mu1 - mu2
    return float(max(diff @ diff + np.trace(cov1) + np.trace(cov2) - 2 * np.trace(covmean), 0.0))


def frechet_distance(x, y) -> float:
    """Fréchet distance between the Gaussians fitted to the rows of `x` and `y` (float64)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    return frechet_distance_gaussians(x.mean(0), np.cov(x, rowvar=False), y.mean(0), np.cov(y, rowvar=False))


def kid(x, y, *, n_subsets=100, subset_size=1000, rng=None) -> tuple[float, float]:
    """Kernel Inception Distance: mean and sd over subsets of the unbiased MMD² with the
    polynomial kernel (x·y/d + 1)^3 (Bińkowski et al. 2018; torch-fidelity's defaults)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    generator = check_rng(rng)
    size = min(subset_size, len(x), len(y))
    kernel = ts.kernels.Polynomial()
    values = [
        ts.mmd.mmd2_from_kernel(
            x[generator.choice(len(x), size, replace=False)], y[generator.choice(len(y), size, replace=False)], kernel
        )
        for _ in range(check_int(n_subsets, "n_subsets"))
    ]
    return float(np.mean(values)), float(np.std(values))


def precision_recall_density_coverage(real, fake, *, k=5) -> dict:
    """Precision and recall (Kynkäänniemi et al. 2019), density and coverage (Naeem et al. 2020).

    The manifold of a sample is the union of balls around its rows of radius
    the distance to the k-th nearest other row (scikit-learn's NearestNeighbors).
    """
    from sklearn.neighbors import NearestNeighbors

    real, fake = np.asarray(real, float), np.asarray(fake, float)
    k = check_int(k, "k")
    r_real = NearestNeighbors(n_neighbors=k + 1).fit(real).kneighbors(real)[0][:, -1]
    r_fake = NearestNeighbors(n_neighbors=k + 1).fit(fake).kneighbors(fake)[0][:, -1]
    d_fr = np.sqrt(np.maximum(_sq_dist(fake, real), 0.0))  # (m, n)
    inside = d_fr <= r_real[None, :]
    precision = float(inside.any(1).mean())
    density = float(inside.sum() / (k * len(fake)))
    recall = float((d_fr <= r_fake[:, None]).any(0).mean())
    coverage = float((d_fr.min(0) <= r_real).mean())
    return {"precision": precision, "recall": recall, "density": density, "coverage": coverage}


def _sq_dist(a, b):
    return (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T


@dataclasses.dataclass(frozen=True)
class CopyingResult:
    """Meehan et al.'s C_T with a p-value (one-sided: generated rows too close to the training set)."""

    statistic: float  # C_T: test-weighted mean of the per-cell Mann-Whitney z-scores
    pvalue: float  # Phi(sum w Z / sqrt(sum w^2)): the standardised combination is N(0, 1) under H0
    cells_used: int
    distance_ratio: float  # median NN distance to train: generated / held-out real


def copying_test(train, test, generated, *, cells=None, min_per_cell=None, rng=None) -> CopyingResult:
    r"""The data-copying test of Meehan, Chaudhuri and Dasgupta (2020).

    Distances to the nearest training row are compared, within each k-means
    cell of the training set, between held-out real rows and generated rows
    (a Mann-Whitney z-score :math:`Z_U(\pi)`; negative when generated rows sit
    closer to the training set than fresh real data). :math:`C_T` is the
    average of :math:`Z_U` weighted by the cells' share of held-out rows, over
    cells with enough generated rows. Under H0 (generated rows independent of
    the training set) each :math:`Z_U` is approximately N(0, 1), so the
    standardised sum :math:`\sum w Z / \sqrt{\sum w^2}` gives the p-value
    (Meehan et al. threshold :math:`C_T` itself, whose null variance is below 1).
    """
    from sklearn.cluster import KMeans
    from sklearn.neighbors import NearestNeighbors

    train, test, generated = (np.asarray(a, float) for a in (train, test, generated))
    generator = check_rng(rng)
    cells = cells or int(np.clip(min(len(test), len(generated)) // 50, 1, 20))
    min_per_cell = min_per_cell or 10
    km = KMeans(n_clusters=cells, n_init=3, random_state=int(generator.integers(2**31 - 1))).fit(train)
    nn = NearestNeighbors(n_neighbors=1).fit(train)
    d_test, d_gen = nn.kneighbors(test)[0][:, 0], nn.kneighbors(generated)[0][:, 0]
    c_test, c_gen = km.predict(test), km.predict(generated)
    zs, weights = [], []
    for c in range(cells):
        a, b = d_gen[c_gen == c], d_test[c_test == c]
        if len(a) < min_per_cell or len(b) < min_per_cell:
            continue
        u = stats.mannwhitneyu(a, b, alternative="two-sided").statistic  # pairs with generated farther
        m, n = len(a), len(b)
        zs.append((u - m * n / 2) / math.sqrt(m * n * (m + n + 1) / 12))
        weights.append(n / len(test))
    if not zs:
        raise ValueError(
            "`generated`: no k-means cell of the training set holds enough generated and held-out "
            f"rows (at least {min_per_cell} each); draw more samples."
        )
    zs, weights = np.array(zs), np.array(weights)
    c_t = float(weights @ zs / weights.sum())
    pvalue = float(stats.norm.cdf(weights @ zs / math.sqrt(weights @ weights)))
    ratio = float(np.median(d_gen) / np.median(d_test)) if np.median(d_test) > 0 else math.inf
    return CopyingResult(c_t, pvalue, len(zs), ratio)
