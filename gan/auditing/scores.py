"""Scores of a generated sample against real data, usable on their own: the Fréchet distance,
KID, precision / recall / density / coverage, and the data-copying test."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy import linalg, stats

from twosample.core.validation import check_choice, check_int, check_rng
from twosample.kernel.kernels import Polynomial, squared_distances
from twosample.kernel.mmd import mmd2_from_kernel

__all__ = [
    "CopyingResult",
    "ExchangeResult",
    "copying_exchange_test",
    "copying_test",
    "frechet_distance",
    "frechet_distance_gaussians",
    "inception_score",
    "kid",
    "knn_radii",
    "precision_recall_density_coverage",
]


def frechet_distance_gaussians(mu1, cov1, mu2, cov2) -> float:
    r"""Fréchet distance between :math:`N(\mu_1, \Sigma_1)` and :math:`N(\mu_2, \Sigma_2)`.

    :math:`\|\mu_1-\mu_2\|^2 + \mathrm{tr}(\Sigma_1 + \Sigma_2 - 2(\Sigma_1\Sigma_2)^{1/2})`,
    in float64 with :func:`scipy.linalg.sqrtm`, as pytorch-fid and torch-fidelity compute
    it: only when the root is not finite is 1e-6 I added to both covariances (a singular
    product, as with fewer rows than features, is otherwise taken as SciPy returns it, with
    its warning silenced); a tiny imaginary part from rounding is dropped, and a negative
    value from rounding is reported as 0.
    """
    mu1, mu2 = np.atleast_1d(np.asarray(mu1, float)), np.atleast_1d(np.asarray(mu2, float))
    cov1, cov2 = np.atleast_2d(np.asarray(cov1, float)), np.atleast_2d(np.asarray(cov2, float))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        covmean = linalg.sqrtm(cov1 @ cov2)
        if not np.isfinite(covmean).all():
            offset = np.eye(len(cov1)) * 1e-6
            covmean = linalg.sqrtm((cov1 + offset) @ (cov2 + offset))
    covmean = np.real(covmean)
    diff = mu1 - mu2
    return float(max(diff @ diff + np.trace(cov1) + np.trace(cov2) - 2 * np.trace(covmean), 0.0))


def frechet_distance(x, y) -> float:
    """Fréchet distance between the Gaussians fitted to the rows of `x` and `y` (float64)."""
    x, y = (np.asarray(a, float) for a in (x, y))
    x, y = (a[:, None] if a.ndim == 1 else a for a in (x, y))  # 1-D: one feature
    for sample, name in ((x, "x"), (y, "y")):
        if sample.ndim != 2 or len(sample) < 2:
            raise ValueError(
                f"the Fréchet distance fits a covariance to `{name}`: it needs 2 or more rows (shape {sample.shape})."
            )
    return frechet_distance_gaussians(x.mean(0), np.cov(x, rowvar=False), y.mean(0), np.cov(y, rowvar=False))


def kid(x, y, *, n_subsets=100, subset_size=1000, rng=None) -> tuple[float, float]:
    """Kernel Inception Distance: mean and sd over subsets of the unbiased MMD² with the
    polynomial kernel (x·y/d + 1)^3 (Bińkowski et al. 2018; torch-fidelity's defaults).

    Each subset draws `subset_size` rows of `x` and of `y` without replacement.
    As in torch-fidelity, a `subset_size` larger than either sample is refused:
    subsets as large as the sample would all be the whole sample, with an sd of 0.
    """
    x, y = _float_rows(x, "x"), _float_rows(y, "y")
    generator = check_rng(rng)
    n_subsets = check_int(n_subsets, "n_subsets")  # every argument checked before the data's sizes
    size = check_int(subset_size, "subset_size", minimum=2)
    if size > min(len(x), len(y)):
        raise ValueError(
            f"`subset_size` ({size}) is larger than the smaller sample ({min(len(x), len(y))} rows); "
            "choose a smaller subset (half the rows, say) so that subsets differ."
        )
    kernel = Polynomial()
    values = [
        mmd2_from_kernel(
            x[generator.choice(len(x), size, replace=False)], y[generator.choice(len(y), size, replace=False)], kernel
        )
        for _ in range(n_subsets)
    ]
    return float(np.mean(values)), float(np.std(values))


def inception_score(probabilities, *, splits=10, rng=None) -> tuple[float, float]:
    r"""Inception score: mean and sd over `splits` parts of :math:`\exp E_x KL(p(y|x) \| p(y))`.

    As torch-fidelity computes it (default 10 splits): the rows are shuffled
    (by `rng`; ``rng=False`` keeps their order), cut into `splits` parts of
    near-equal size, and each part's marginal :math:`p(y)` is its own mean;
    in float64.

    Parameters
    ----------
    probabilities : array_like, shape (m, classes)
        Class probabilities of the generated rows (rows sum to 1).
    splits : int, default 10
    rng : None, int, SeedSequence, Generator or False
    """
    p = _float_rows(probabilities, "probabilities")
    splits = check_int(splits, "splits")
    if splits > len(p):
        raise ValueError(f"`splits` ({splits}) is larger than the number of rows ({len(p)}).")
    if rng is not False:
        p = p[check_rng(rng).permutation(len(p))]
    log_p = np.log(np.clip(p, 1e-300, None))
    scores = []
    for i in range(splits):
        part = slice(i * len(p) // splits, (i + 1) * len(p) // splits)
        marginal = np.log(np.clip(p[part].mean(0), 1e-300, None))
        scores.append(math.exp(np.mean(np.sum(p[part] * (log_p[part] - marginal), 1))))
    return float(np.mean(scores)), float(np.std(scores))


_BLOCK_BYTES = 64 * 2**20  # one block of squared distances; a handful of such temporaries at a time
_SLACK = 8  # extra neighbour candidates per row, re-measured exactly


def _exact_sq(a, b) -> np.ndarray:
    """Squared distances of the row pairs (a_i, b_i) from their differences: symmetric and exact at ties."""
    diff = a - b
    return np.einsum("ij,ij->i", diff, diff)


def _band(a_norms, b_norms) -> np.ndarray:
    """Bound on the rounding of the expansion |a|^2 + |b|^2 - 2 a.b (generous: 1e-9 of the squared norms)."""
    return 1e-9 * (a_norms[:, None] + b_norms[None, :]) + 1e-300


def _block_rows(n_columns: int) -> int:
    return max(1, _BLOCK_BYTES // (8 * max(n_columns, 1)))


def knn_radii(rows, k: int) -> np.ndarray:
    """Distance from each row to its k-th nearest other row (float64, exact at ties; see :func:`_knn_sq_radii`)."""
    return np.sqrt(_knn_sq_radii(np.asarray(rows, float), check_int(k, "k")))


def _knn_sq_radii(rows, k: int) -> np.ndarray:
    """Squared distance from each row to its k-th nearest other row (float64, exact at ties).

    The expansion |a|^2 + |b|^2 - 2 a.b (one matrix product per block of rows,
    never the full n x n matrix) picks k + 1 + 8 candidates per row; they are
    re-measured from their differences, so a duplicate is at exactly 0 and two
    rows at the same distance tie exactly. A row whose candidates cannot be
    told apart from the rest within rounding is measured in full.
    """
    n = len(rows)
    if k >= n:
        raise ValueError(f"`k` must be below the number of rows ({n}), got {k}.")
    norms = np.einsum("ij,ij->i", rows, rows)
    take = min(n, k + 1 + _SLACK)
    radii = np.empty(n)
    step = _block_rows(n)
    for start in range(0, n, step):
        block = rows[start : start + step]
        d2 = squared_distances(block, rows, np)
        cand = np.argpartition(d2, take - 1, axis=1)[:, :take]
        exact = _exact_sq(np.repeat(block, take, 0), rows[cand.ravel()]).reshape(len(block), take)
        kth = np.sort(exact, axis=1)[:, k]
        # Every row left out has an expansion value >= the candidates' largest; it could still be
        # nearer than the k-th only if that largest is within rounding of it.
        largest = np.take_along_axis(d2, cand, 1).max(1)
        margin = 2e-9 * (norms[start : start + len(block)] + norms.max()) + 1e-300
        for i in np.flatnonzero((largest - margin <= kth) & (take < n)):
            kth[i] = np.partition(_exact_sq(np.broadcast_to(block[i], rows.shape), rows), k)[k]
        radii[start : start + len(block)] = kth
    return radii


def _inside(block, real, r2_real, r2_fake_block, strict):
    """(fake-in-real-ball, real-in-fake-ball) boolean blocks; pairs near a radius re-measured exactly."""
    d2 = squared_distances(block, real, np)
    band = _band(np.einsum("ij,ij->i", block, block), np.einsum("ij,ij->i", real, real))
    near = (np.abs(d2 - r2_real[None, :]) <= band) | (np.abs(d2 - r2_fake_block[:, None]) <= band)
    i, j = np.nonzero(near)
    if len(i):
        d2[i, j] = _exact_sq(block[i], real[j])
    if strict:
        return d2 < r2_real[None, :], d2 < r2_fake_block[:, None]
    return d2 <= r2_real[None, :], d2 <= r2_fake_block[:, None]


def precision_recall_density_coverage(real, fake, *, k=5, boundary="exclude") -> dict:
    r"""Precision and recall (Kynkäänniemi et al. 2019), density and coverage (Naeem et al. 2020).

    The manifold of a sample is the union of balls around its rows, each of
    radius the distance to the row's k-th nearest other row
    (:func:`knn_radii`). Precision: share of fake rows inside the real
    manifold; recall: share of real rows inside the fake manifold; density:
    the number of (fake row, real ball) memberships over ``k * len(fake)``;
    coverage: share of real balls holding a fake row.

    Parameters
    ----------
    real, fake : array_like, shape (n, d) and (m, d)
    k : int, default 5
    boundary : {"exclude", "include"}, default "exclude"
        A row exactly on a ball's boundary: ``"exclude"`` counts only rows
        strictly inside (the ``prdc`` package of Naeem et al.), ``"include"``
        counts the boundary too (Kynkäänniemi et al.'s code). They differ only
        at exact ties, e.g. a fake set holding copies of real rows: a set
        against its own copy has density 1 when excluding and (k + 1) / k when
        including.

    Notes
    -----
    Radii and cross distances come from one routine: distances through a
    matrix product in float64, in blocks of rows (memory linear in the
    sample sizes, never the m x n matrix), with every pair within rounding of
    a radius re-measured from its difference, so that ties are decided
    exactly rather than by rounding.
    """
    real, fake = _float_rows(real, "real"), _float_rows(fake, "fake")
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"`fake` has {fake.shape[1]} columns, `real` has {real.shape[1]}.")
    k = check_int(k, "k")
    strict = check_choice(boundary, "boundary", ("exclude", "include")) == "exclude"
    r2_real, r2_fake = _knn_sq_radii(real, k), _knn_sq_radii(fake, k)
    in_real = np.zeros(len(fake), bool)
    memberships = 0
    covered = np.zeros(len(real), bool)
    recalled = np.zeros(len(real), bool)
    step = _block_rows(len(real))
    for start in range(0, len(fake), step):
        stop = start + step
        fake_in_real, real_in_fake = _inside(fake[start:stop], real, r2_real, r2_fake[start:stop], strict)
        in_real[start:stop] = fake_in_real.any(1)
        memberships += int(fake_in_real.sum())
        covered |= fake_in_real.any(0)
        recalled |= real_in_fake.any(0)
    return {
        "precision": float(in_real.mean()),
        "recall": float(recalled.mean()),
        "density": memberships / (k * len(fake)),
        "coverage": float(covered.mean()),
    }


def _float_rows(value, name) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if arr.ndim != 2 or len(arr) < 2 or not np.isfinite(arr).all():
        raise ValueError(f"`{name}` must be a finite 2-D array of at least 2 rows, got shape {arr.shape}.")
    return arr


@dataclasses.dataclass(frozen=True)
class ExchangeResult:
    """The copying test calibrated by exchanging training and held-out rows (exact level)."""

    statistic: float  # mean over generated rows of d_H / (d_T + d_H): its null centre for fresh draws, 1 for copies
    pvalue: float  # permutation p-value over re-splits of the pooled training and held-out rows
    share_closer_to_train: float  # generated rows whose nearest pooled row is a training row
    n_train: int  # training rows (all of them: a copier's sources are among them)
    n_test: int  # held-out rows
    n_resamples: int


_EXCHANGE_NEIGHBOURS = 64  # nearest pooled rows kept per generated row: both labels appear among them


def _nearest_pooled(pooled: np.ndarray, generated: np.ndarray, k: int):
    """(distances, indices) of the `k` nearest pooled rows of every generated row, nearest first."""
    from sklearn.neighbors import NearestNeighbors

    return NearestNeighbors(n_neighbors=k).fit(pooled).kneighbors(generated)


def _closeness(dist: np.ndarray, index: np.ndarray, is_train: np.ndarray) -> tuple[float, float]:
    """(mean d_H / (d_T + d_H), share with d_T < d_H) for one labelling of the pooled rows (`is_train`)."""
    labels = is_train[index]  # (m, k) in nearest-first order
    # The nearest of each set among the k kept; a set absent from them is at least the k-th distance away (any
    # fixed rule keeps the permutation null exact: relabellings are scored by the same function).
    d_train = np.where(labels.any(1), np.take_along_axis(dist, labels.argmax(1)[:, None], 1)[:, 0], dist[:, -1])
    d_held = np.where((~labels).any(1), np.take_along_axis(dist, (~labels).argmax(1)[:, None], 1)[:, 0], dist[:, -1])
    total = d_train + d_held
    ratio = np.where(total > 0, d_held / np.where(total > 0, total, 1.0), 0.5)
    return float(ratio.mean()), float(np.mean(d_train < d_held))


def copying_exchange_test(train, test, generated, *, n_resamples=999, rng=None) -> ExchangeResult:
    r"""Is the generator closer to its training rows than to fresh rows? Exact whatever its dispersion.

    Under H0 "the generator never saw the training rows", the training rows and the held-out rows
    are exchangeable with respect to it: all are draws of the data's law that the generator does
    not depend on. For each generated row :math:`g`, :math:`d_T(g)` and
    :math:`d_H(g)` are its distances to the nearest training and held-out row; the statistic is
    the mean of :math:`d_H / (d_T + d_H)` (1 for an exact copy of a training row). Its null
    re-splits the pooled training and held-out rows at random into two sets of their sizes and
    recomputes it (with more training rows than held-out ones its null centre is above 1/2, and the
    null accounts for it): an exact permutation test, so a generator narrower, wider, shifted or missing a
    mode, none of which saw the training rows, is rejected at rate at most alpha. (Meehan et al.'s
    :math:`C_T`, :func:`copying_test`, compares generated and held-out rows instead, so any
    generator more concentrated than the data near dense training regions also lowers it.)
    """
    train, test, generated = (np.asarray(a, float) for a in (train, test, generated))
    generator = check_rng(rng)
    n_resamples = check_int(n_resamples, "n_resamples")
    pooled = np.vstack([train, test])
    k = min(len(pooled), _EXCHANGE_NEIGHBOURS)
    dist, index = _nearest_pooled(pooled, generated, k)
    is_train = np.r_[np.ones(len(train), bool), np.zeros(len(test), bool)]
    observed, share = _closeness(dist, index, is_train)
    null = np.empty(n_resamples)
    for b in range(n_resamples):
        relabelled = is_train[generator.permutation(len(pooled))]
        null[b] = _closeness(dist, index, relabelled)[0]
    pvalue = (1 + np.count_nonzero(null >= observed - 1e-12)) / (n_resamples + 1)
    return ExchangeResult(observed, float(pvalue), share, len(train), len(test), n_resamples)


@dataclasses.dataclass(frozen=True)
class CopyingResult:
    """Meehan et al.'s C_T with a p-value (one-sided: generated rows too close to the training set)."""

    statistic: float  # C_T: test-weighted mean of the per-cell Mann-Whitney z-scores
    pvalue: float  # Phi(sum w Z / sqrt(sum w^2)): the standardised combination is N(0, 1) under H0
    cells_used: int
    distance_ratio: float  # median NN distance to train: generated / held-out real


def copying_test(train, test, generated, *, cells=None, min_generated=20, rng=None) -> CopyingResult:
    r"""The data-copying test of Meehan, Chaudhuri and Dasgupta (2020), as in their reference code.

    The training set is cut into k-means cells. Within each cell
    :math:`\pi`, every held-out and every generated row is measured against
    its nearest training row *of the same cell*, and the two sets of
    distances are compared by a Mann-Whitney z-score with continuity
    correction, :math:`Z_U(\pi) = (U - nm/2 + 1/2) / \sqrt{nm(n+m+1)/12}`
    (U counts pairs where the generated row is farther; negative when
    generated rows sit closer to the training set than fresh real data).
    :math:`C_T` averages :math:`Z_U` weighted by the cells' share of held-out
    rows, over the cells holding more than `min_generated` generated rows
    (the paper's :math:`\Pi_\tau`). Under H0 (generated rows independent of
    the training set) each :math:`Z_U` is approximately N(0, 1), so the
    standardised sum :math:`\sum w Z / \sqrt{\sum w^2}` gives the p-value
    (Meehan et al. threshold :math:`C_T` itself, whose null variance is below
    1); the continuity correction makes it slightly conservative.

    Parameters
    ----------
    train, test, generated : array_like, shape (l, d), (n, d), (m, d)
    cells : int, optional
        k-means cells (default ``min(n, m) // 50`` between 1 and 20).
    min_generated : int, default 20
        A cell enters :math:`C_T` only with more generated rows than this.
    rng : None, int, SeedSequence or Generator
        Seeds k-means.
    """
    from sklearn.cluster import KMeans

    train, test, generated = (np.asarray(a, float) for a in (train, test, generated))
    generator = check_rng(rng)
    cells = int(np.clip(min(len(test), len(generated)) // 50, 1, 20)) if cells is None else check_int(cells, "cells")
    min_generated = check_int(min_generated, "min_generated", minimum=0)
    km = KMeans(n_clusters=cells, n_init=3, random_state=int(generator.integers(2**31 - 1))).fit(train)
    c_train, c_test, c_gen = km.labels_, km.predict(test), km.predict(generated)
    zs, weights, d_test, d_gen = [], [], [], []
    for c in range(cells):
        found = _cell_distances(train[c_train == c], test[c_test == c], generated[c_gen == c])
        if found is None or len(found[1]) <= min_generated:
            continue
        zs.append(_mann_whitney_z(found[1], found[0]))
        weights.append(len(found[0]) / len(test))
        d_test.append(found[0])
        d_gen.append(found[1])
    if not zs:
        raise ValueError(
            "`generated`: no k-means cell of the training set holds held-out rows and more than "
            f"{min_generated} generated rows; draw more samples."
        )
    zs, weights = np.array(zs), np.array(weights)
    c_t = float(weights @ zs / weights.sum())
    pvalue = float(stats.norm.cdf(weights @ zs / math.sqrt(weights @ weights)))
    d_test, d_gen = np.concatenate(d_test), np.concatenate(d_gen)
    ratio = float(np.median(d_gen) / np.median(d_test)) if np.median(d_test) > 0 else math.inf
    return CopyingResult(c_t, pvalue, len(zs), ratio)


def _cell_distances(train, test, generated):
    """(held-out, generated) distances to the nearest training row of one cell; None if a side is empty."""
    from sklearn.neighbors import NearestNeighbors

    if not (len(train) and len(test) and len(generated)):
        return None
    nn = NearestNeighbors(n_neighbors=1).fit(train)
    return nn.kneighbors(test)[0][:, 0], nn.kneighbors(generated)[0][:, 0]


def _mann_whitney_z(generated, held_out) -> float:
    """Z of U (pairs with the generated distance larger), continuity-corrected towards the mean as in
    Meehan et al.'s code (which tests the alternative 'generated closer')."""
    m, n = len(generated), len(held_out)
    u = stats.mannwhitneyu(generated, held_out).statistic
    return (u - m * n / 2 + 0.5) / math.sqrt(m * n * (m + n + 1) / 12)
