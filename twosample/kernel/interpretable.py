r"""Tests at learned features: the ME and SCF tests of Jitkrittum, Szabó, Chwialkowski and Gretton (2016).

Both tests compare the two laws through :math:`J` features of the data:

* **ME** (mean embeddings): :math:`\phi_j(v) = \exp(-\|v - T_j\|^2 / 2\sigma^2)`, the Gaussian
  kernel at :math:`J` *locations* :math:`T_j` of the data space;
* **SCF** (smoothed characteristic functions): :math:`e^{-\|v - c\|^2 / 2\sigma^2}
  \big(\sin \omega_j^\top (v - c),\ \cos \omega_j^\top (v - c)\big)`, the characteristic function at
  :math:`J` *frequencies* :math:`\omega_j`, smoothed by a Gaussian window of width :math:`\sigma`
  centred at :math:`c` (:math:`2J` features).

The statistic is Hotelling's two-sample :math:`T^2` on the features,

.. math:: \lambda = \frac{n_x n_y}{n_x + n_y}\, \bar d^\top (S + \gamma I)^{-1} \bar d,

:math:`\bar d` the difference of the feature means, :math:`S` their pooled within-sample
covariance and :math:`\gamma` a small ridge (absolute in the training criterion, as the authors'). With
:math:`n_x = n_y` it is the paper's :math:`n \bar z^\top (S_z + \gamma I)^{-1} \bar z` on the
paired differences :math:`z_i = \phi(x_i) - \phi(y_i)` up to the covariance estimate; unlike that
form it takes unequal sizes and does not depend on how rows are paired.

Each sample is split into a training part and a held-out part (``rng``). On the training part the
locations (frequencies) and :math:`\sigma` are chosen to maximise :math:`\lambda`, the power
proxy of the paper (under the alternative :math:`\lambda/n` estimates the non-centrality per
row; the larger it is, the larger the power at the :math:`\chi^2` threshold): the bandwidth
starts at the best of a grid around the median heuristic and everything then follows the
gradient (torch autograd, steps along the normalised gradient of each start as the authors take
them, float64 on the CPU, one thread: deterministic), from several starts. The held-out part is
then tested with the features fixed: they are functions of the training rows only, so the
held-out statistic has its usual null whatever the fit found.

Nulls
-----
``"asymptotic"``
    Hotelling's F form: :math:`\frac{N - p - 1}{p (N - 2)} \lambda \sim F(p, N - p - 1)`
    (:math:`N` held-out rows, :math:`p` features), exact for Gaussian features and equal to the
    paper's :math:`\chi^2(p)` null as :math:`N` grows. At small :math:`N` the :math:`\chi^2`
    threshold is too low (as the normal one of a studentised mean is, where Student's t is used).
``"permutation"``
    The held-out rows relabelled with the features fixed, by the package's permutation engine:
    exact level at any size, a p-value never 0.

The data are rescaled by a power of two and standardised (the training split's pooled mean and
its root mean column variance) before anything else, so the result does not depend on the units;
locations, frequencies and bandwidth are reported in the data's own units.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Literal

import numpy as np
from scipy import stats

from twosample.core.optional import require
from twosample.core.resampling import PermutationStatistic, Resampling, holdout_split
from twosample.core.result import TestResult
from twosample.core.spec import choices, register
from twosample.core.torch_utils import maximise, torch_threads
from twosample.core.validation import (
    check_choice,
    check_int,
    check_real,
    check_samples,
    contains_nan,
    scale_exponent,
    warn_if_constant,
)
from twosample.kernel.kernels import median_distance

__all__ = ["FeatureHotelling", "InterpretableResult", "me_test", "scf_test"]

# The bandwidth's starting grid: the median heuristic times 2**k, k from -4 to 3 by quarters.
_GRID = 2.0 ** np.linspace(-4.0, 3.0, 29)
# The held-out statistic's ridge, relative to the mean feature variance (numerical safety only), and its floor.
_TEST_RIDGE = 1e-8
_FLOOR = 1e-300
# Initial ME locations: Gaussians fitted to the samples, eigenvalues shrunk to this power (the authors' 0.9).
_SHRINK = 0.9


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class InterpretableResult(TestResult):
    """A :class:`~twosample.TestResult` with the features the test chose, in the data's units.

    Attributes
    ----------
    locations : numpy.ndarray, shape (J, d)
        ME: the test locations :math:`T_j`, points of the data space where the two laws differ
        most (where the difference of the mean embeddings, normalised by its covariance, is
        largest). SCF: the frequencies :math:`\\omega_j` (radians per unit of the data) at which
        the smoothed characteristic functions differ most.
    bandwidth : float
        :math:`\\sigma`: the Gaussian kernel's length-scale (ME) or the window's width (SCF).
    centre : numpy.ndarray, shape (d,), or None
        SCF: the centre :math:`c` of the window (the training split's pooled mean); None for ME.
    criterion : float
        The power criterion :math:`\\lambda` on the training split at the chosen features.
    held_out : tuple of int
        The held-out rows of ``x`` and ``y`` that were tested.
    """

    locations: np.ndarray | None = None
    bandwidth: float = math.nan
    centre: np.ndarray | None = None
    criterion: float = math.nan
    held_out: tuple = (0, 0)

    def __str__(self) -> str:
        """The report of :class:`~twosample.TestResult`, then the features the test chose."""
        text = super().__str__()
        if self.locations is None:
            return text
        what = "locations" if self.centre is None else "frequencies"
        rows = [f"              {np.array2string(row, precision=4)}" for row in self.locations]
        return "\n".join([text, f"  {what:11} bandwidth {self.bandwidth:.6g}, held out {self.held_out}", *rows])


class FeatureHotelling(PermutationStatistic):
    r"""Hotelling's two-sample :math:`T^2` on feature rows, with a relative ridge, for batches of relabellings.

    :math:`\lambda = \frac{n_x n_y}{N} \bar d^\top (S + (\gamma \bar s + 10^{-300}) I)^{-1} \bar d`,
    :math:`S` the pooled within-sample covariance and :math:`\bar s` its mean diagonal. The
    pooled second moments are formed once; each relabelling costs one solve of size p.

    Parameters
    ----------
    reg : float
        :math:`\gamma`.
    """

    def __init__(self, reg: float):
        self.reg = reg

    def bind(self, pooled, n_x):
        n_total, p = pooled.shape
        n_y = n_total - n_x
        centred = pooled - pooled.mean(0)  # within-sample scatter does not change; cancellation does
        gram = centred.T @ centred
        total = centred.sum(0)
        eye = np.eye(p)

        def evaluate(masks):
            sum_x = masks.astype(float) @ centred
            mean_x, mean_y = sum_x / n_x, (total - sum_x) / n_y
            outer = n_x * mean_x[:, :, None] * mean_x[:, None, :] + n_y * mean_y[:, :, None] * mean_y[:, None, :]
            cov = (gram - outer) / (n_total - 2)
            ridge = self.reg * np.einsum("bii->b", cov) / p + _FLOOR
            diff = mean_x - mean_y
            sol = np.linalg.solve(cov + ridge[:, None, None] * eye, diff[:, :, None])[:, :, 0]
            return n_x * n_y / n_total * np.einsum("bi,bi->b", diff, sol)

        return evaluate


def _features(kind, z, locs, log_sigma):
    """Feature rows (R, n, p) of the rows `z` (n, d) for R sets of locations (R, J, d) and log-bandwidths (R,)."""
    torch = require("torch")

    sigma = torch.exp(log_sigma)[:, None, None]
    cross = z @ locs.mT  # (R, n, J)
    if kind == "me":
        sq = (z * z).sum(1)[None, :, None] + (locs * locs).sum(2)[:, None, :] - 2 * cross
        return torch.exp(-sq.clamp_min(0) / (2 * sigma**2))
    window = torch.exp(-(z * z).sum(1)[None, :, None] / (2 * sigma**2))
    phase = cross / sigma
    return torch.cat([torch.sin(phase) * window, torch.cos(phase) * window], dim=2)


def _criterion(fx, fy, reg):
    """The power criterion lambda (R,) of feature rows fx (R, n_x, p), fy (R, n_y, p) (differentiable).

    The ridge `reg` is absolute, as the authors' (the features lie in [-1, 1]): a feature whose
    variance is far below it, such as a location in the far tails, counts for little, however
    large its t-ratio on the training rows happens to be.
    """
    torch = require("torch")

    n_x, n_y, p = fx.shape[1], fy.shape[1], fx.shape[2]
    mean_x, mean_y = fx.mean(1), fy.mean(1)
    cx, cy = fx - mean_x[:, None], fy - mean_y[:, None]
    cov = (cx.mT @ cx + cy.mT @ cy) / (n_x + n_y - 2)
    diff = mean_x - mean_y
    eye = torch.eye(p, dtype=fx.dtype)
    sol = torch.linalg.solve(cov + reg * eye, diff[:, :, None])[:, :, 0]
    return n_x * n_y / (n_x + n_y) * (diff * sol).sum(1)


def _gaussian_draws(z, count, generator):
    """`count` points from the Gaussian fitted to the rows `z`, its eigenvalues shrunk (as the authors do)."""
    d = z.shape[1]
    cov = np.atleast_2d(np.cov(z, rowvar=False)) + 1e-3 * np.eye(d)
    values, vectors = np.linalg.eigh(cov)
    scale = np.sqrt(np.maximum(values, 1e-3) ** _SHRINK)
    return z.mean(0) + (generator.standard_normal((count, d)) * scale) @ vectors.T


def _starts(kind, zx, zy, n_features, n_restarts, generator):
    """Initial locations (R, J, d): ME, half from a Gaussian fitted to each sample (J = 1: to both);
    SCF, standard normal frequencies (in units of 1 / sigma)."""
    d = zx.shape[1]
    if kind == "scf":
        return generator.standard_normal((n_restarts, n_features, d))
    starts = []
    for _ in range(n_restarts):
        if n_features == 1:
            starts.append(_gaussian_draws(np.vstack([zx, zy]), 1, generator))
        else:
            half = n_features // 2
            starts.append(
                np.vstack([_gaussian_draws(zx, half, generator), _gaussian_draws(zy, n_features - half, generator)])
            )
    return np.stack(starts)


def _grid_bandwidth(kind, tx, ty, locs, median, reg):
    """log sigma (R,): for each start, the best of the grid around the median heuristic (the first, on ties).

    One grid value at a time for all starts: the memory of one ascent step, whatever the grid.
    """
    torch = require("torch")

    log_grid = torch.as_tensor(np.log(median * _GRID), dtype=torch.float64)
    values = []
    for log_sigma in log_grid:
        every = log_sigma.repeat(locs.shape[0])
        values.append(_criterion(_features(kind, tx, locs, every), _features(kind, ty, locs, every), reg))
    values = torch.nan_to_num(torch.stack(values, 1), nan=-math.inf)  # (R, G)
    return log_grid[values.argmax(1)]


class _NormalisedAscent:
    """The ascent of the fit: each start's parameters step along their own gradient's direction.

    Step t has length ``lr * sqrt(size) / sqrt(t)`` (``size``: the parameter's entries per start,
    so ``lr`` is the root-mean-square move of one entry): the authors' rule. Unlike Adam, which
    scales every coordinate on its own, it keeps the gradient's direction, so coordinates where
    the laws do not differ are not moved as far as those where they do (measured: Adam raised the
    training criterion most and the held-out one least). Has the two methods
    :func:`~twosample.core.torch_utils.maximise` calls.
    """

    def __init__(self, params, lr: float):
        self.params, self.lr, self.t = list(params), lr, 0

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        torch = require("torch")

        self.t += 1
        with torch.no_grad():
            for p in self.params:
                grad = p.grad.reshape(len(p), -1)  # one row per start; maximise gives the gradient of -lambda
                norm = grad.norm(dim=1, keepdim=True).clamp_min(1e-300)
                p -= (self.lr * math.sqrt(grad.shape[1] / self.t) * grad / norm).reshape(p.shape)


def _fit(kind, zx, zy, n_features, *, steps, n_restarts, lr, reg, generator):
    """(locations (J, d), sigma, criterion) in standardised units: lambda maximised on the training rows."""
    torch = require("torch")

    median = median_distance(np.vstack([zx, zy]), rng=generator)
    start = _starts(kind, zx, zy, n_features, n_restarts, generator)
    with torch_threads(1), torch.no_grad():
        tx, ty = torch.as_tensor(zx), torch.as_tensor(zy)
        locs0 = torch.as_tensor(start)
        log_sigma0 = _grid_bandwidth(kind, tx, ty, locs0, median, reg)
        value0 = _criterion(_features(kind, tx, locs0, log_sigma0), _features(kind, ty, locs0, log_sigma0), reg)
    locs, log_sigma = locs0.clone().requires_grad_(True), log_sigma0.clone().requires_grad_(True)
    if steps:
        optimizer = _NormalisedAscent([locs, log_sigma], lr=lr)

        def objective():  # the starts are independent: the sum's gradient is each start's own
            return _criterion(_features(kind, tx, locs, log_sigma), _features(kind, ty, locs, log_sigma), reg).sum()

        maximise(objective, optimizer, steps, what="the power criterion", desc=f"{kind}: fitting the features")
    with torch_threads(1), torch.no_grad():
        value = _criterion(_features(kind, tx, locs, log_sigma), _features(kind, ty, locs, log_sigma), reg)
    # Per start, the fitted features unless the ascent ended below where it began; then the best start.
    fitted = torch.nan_to_num(value, nan=-math.inf) >= torch.nan_to_num(value0, nan=-math.inf)
    locs_all = torch.where(fitted[:, None, None], locs.detach(), locs0)
    log_sigma_all = torch.where(fitted, log_sigma.detach(), log_sigma0)
    value_all = torch.where(fitted, value, value0)
    best = int(torch.nan_to_num(value_all, nan=-math.inf).argmax())
    return locs_all[best].numpy(), float(torch.exp(log_sigma_all[best])), float(value_all[best])


def _held_out_features(kind, z, locs, sigma):
    """Feature rows (n, p) of the standardised rows `z` at the fitted locations and bandwidth (NumPy)."""
    torch = require("torch")

    with torch_threads(1), torch.no_grad():
        log_sigma = torch.tensor([math.log(sigma)], dtype=torch.float64)
        return _features(kind, torch.as_tensor(z), torch.as_tensor(locs)[None], log_sigma)[0].numpy()


def _split_sizes(n: int, train_fraction: float) -> tuple[int, int]:
    """(training rows, held-out rows) of a sample of `n` rows, as :func:`holdout_split` cuts it."""
    n_test = min(max(1, round((1.0 - train_fraction) * n)), n - 1)
    return n - n_test, n_test


def _check_sizes(x, y, train_fraction, n_params, null, name, constant):
    """A ValueError naming the samples and the option to change when a part is too small to use."""
    held_out = 0
    for sample, label in ((x, "x"), (y, "y")):
        n_train, n_test = _split_sizes(len(sample), train_fraction)
        if min(n_train, n_test) < 2:
            raise ValueError(
                f"`{label}` has {len(sample)} rows: `train_fraction` = {train_fraction:g} leaves {n_train} for "
                f"training and {n_test} held out, and each part needs at least 2; give more rows or another "
                "`train_fraction`."
            )
        held_out += n_test
    if null == "asymptotic" and held_out < n_params + 2 and not constant:
        raise ValueError(
            f"the asymptotic null of {name} on {n_params} features needs at least {n_params + 2} held-out rows, "
            f"got {held_out} (`x` and `y` together, `train_fraction` = {train_fraction:g}); use fewer "
            f"`{'n_locations' if name == 'me_test' else 'n_frequencies'}`, a smaller `train_fraction`, "
            "or null='permutation'."
        )


def _feature_rank(pooled) -> int:
    """The dimension the held-out feature rows span: eigenvalues of their total covariance above the
    statistic's ridge (1e-8 of the mean variance). Labels play no part, so it is fixed under H0.

    Features of discrete data span fewer dimensions than there are features (a variable with five
    values gives at most four), and the F null must count only those: with all 2J = 10 SCF
    features the level on integers 0..4 measured 0.001 at alpha = 0.05 (n = 50, 1,000 repetitions).
    """
    values = np.linalg.eigvalsh(np.atleast_2d(np.cov(pooled, rowvar=False)))
    return int(np.count_nonzero(values > _TEST_RIDGE * max(values.mean(), 0.0)))


def _f_null(statistic, n_params, n_total, alpha):
    """p-value and threshold of Hotelling's F form on `n_params` dimensions; (1, nan) for a statistic
    of features that do not vary or with too few rows for F (constant data: the statistic is 0)."""
    df2 = n_total - n_params - 1
    if n_params == 0 or df2 < 1:
        return 1.0, math.nan
    factor = df2 / (n_params * (n_total - 2))
    pvalue = float(stats.f.sf(statistic * factor, n_params, df2))
    return pvalue, float(stats.f.isf(alpha, n_params, df2) / factor)


@dataclasses.dataclass(frozen=True)
class _Settings:
    """The checked options of one call (the kind: "me" or "scf")."""

    kind: str
    n_features: int
    train_fraction: float
    null: str
    steps: int
    n_restarts: int
    lr: float
    reg: float

    @property
    def n_params(self) -> int:
        """Features per row: J for ME, 2J (a sine and a cosine per frequency) for SCF."""
        return self.n_features * (2 if self.kind == "scf" else 1)


def _settings(func, kind, n_features, name, train_fraction, null, steps, n_restarts, lr, reg) -> _Settings:
    return _Settings(
        kind=kind,
        n_features=check_int(n_features, name),
        train_fraction=check_real(train_fraction, "train_fraction", low=0, high=1, low_open=True, high_open=True),
        null=check_choice(null, "null", choices(func, "null")),
        steps=check_int(steps, "steps", minimum=0),
        n_restarts=check_int(n_restarts, "n_restarts"),
        lr=check_real(lr, "lr", low=0, low_open=True),
        reg=check_real(reg, "reg", low=0, low_open=True),
    )


def _user_units(kind, locs, sigma, centre, spread, shift) -> dict:
    """Locations (ME) or frequencies (SCF), bandwidth and window centre in the data's own units."""
    bandwidth = math.ldexp(spread * sigma, shift)
    if kind == "me":
        return dict(locations=np.ldexp(centre + spread * locs, shift), bandwidth=bandwidth, centre=None)
    return dict(
        locations=np.ldexp(locs / (spread * sigma), -shift), bandwidth=bandwidth, centre=np.ldexp(centre, shift)
    )


def _run(settings: _Settings, name: str, x, y, options: Resampling) -> InterpretableResult:
    """Split, fit the features on the training rows, test the held-out rows (samples validated, no NaN)."""
    require("torch", purpose=name)
    kind = settings.kind
    shift = scale_exponent(x, y)  # a power of two: exact, and data near 1e300 or 1e-300 stays in range
    x, y = np.ldexp(x, -shift), np.ldexp(y, -shift)
    constant = warn_if_constant(np.vstack([x, y]))
    _check_sizes(x, y, settings.train_fraction, settings.n_params, settings.null, name, constant)
    (x_train, x_test), (y_train, y_test) = holdout_split(x, y, 1.0 - settings.train_fraction, options.rng)
    pooled = np.vstack([x_train, y_train])
    centre = pooled.mean(0)
    spread = math.sqrt(float(pooled.var(0).mean())) or 1.0

    def standard(a):
        return (a - centre) / spread

    locs, sigma, criterion = _fit(
        kind,
        standard(x_train),
        standard(y_train),
        settings.n_features,
        steps=0 if constant else settings.steps,
        n_restarts=settings.n_restarts,
        lr=settings.lr,
        reg=settings.reg,
        generator=options.rng,
    )
    fx = _held_out_features(kind, standard(x_test), locs, sigma)
    fy = _held_out_features(kind, standard(y_test), locs, sigma)
    hotelling = FeatureHotelling(_TEST_RIDGE)
    if settings.null == "permutation":
        res = options.run(fx, fy, hotelling)
    else:
        value = hotelling.value(fx, fy)
        rank = _feature_rank(np.vstack([fx, fy]))
        pvalue, threshold = _f_null(value, rank, len(fx) + len(fy), options.alpha)
        res = TestResult.from_analytic(
            statistic=value,
            pvalue=pvalue,
            alpha=options.alpha,
            threshold=threshold,
            method="asymptotic",
            n_x=len(x),
            n_y=len(y),
            test=options.test,
            seed=options.seed,
        )
    return InterpretableResult.extend(
        res,
        n_x=len(x),
        n_y=len(y),
        criterion=criterion,
        held_out=(len(x_test), len(y_test)),
        **_user_units(kind, locs, sigma, centre, spread, shift),
    )


@register("me", description="mean-embedding test at J learned locations (Jitkrittum et al. 2016)")
def me_test(
    x,
    y,
    *,
    n_locations=5,
    train_fraction=0.5,
    null: Literal["asymptotic", "permutation"] = "asymptotic",
    steps=100,
    n_restarts=3,
    lr=0.1,
    reg=1e-5,
    alpha=0.05,
    n_resamples=999,
    rng=None,
    nan_policy: Literal["raise", "propagate", "omit"] = "raise",
) -> InterpretableResult:
    r"""Mean-embedding (ME) test at learned locations (Jitkrittum et al. 2016).

    Compares the Gaussian-kernel mean embeddings of the two laws at :math:`J` locations
    :math:`T_j` of the data space, chosen with the bandwidth on a training split to maximise
    the power criterion; the held-out split is tested with them fixed (see the module notes).
    The locations returned are where the two laws differ most: a user can look at them.

    Parameters
    ----------
    x, y : array_like, shape (n, d) and (m, d)
        The samples (sizes may differ), at least 4 rows each.
    n_locations : int, default 5
        :math:`J`, the number of test locations.
    train_fraction : float, default 0.5
        Fraction of each sample that chooses the features; the rest is tested.
    null : {"asymptotic", "permutation"}, default "asymptotic"
        Hotelling's F null (:math:`\to \chi^2(J)`), or the held-out rows relabelled.
    steps : int, default 100
        Steps of the gradient ascent (0: the starts, with the grid's bandwidth).
    n_restarts : int, default 3
        Starts of the ascent; the one with the largest criterion on the training split is kept.
        Each draws its locations from Gaussians fitted to the two training samples (half from
        each, as the authors do) and takes the best bandwidth of a grid around the median
        heuristic.
    lr : float, default 0.1
        Step size: the root-mean-square move of one coordinate of a location in the first step,
        in units of the standardised data (and of log sigma), shrinking as :math:`1/\sqrt{t}`.
    reg : float, default 1e-5
        :math:`\gamma`, the ridge added to the feature covariance in the training criterion
        (absolute, as the authors': the features lie in [-1, 1]). The held-out statistic takes
        a ridge of 1e-8 of the mean feature variance (numerical safety only).
    alpha : float, default 0.05
    n_resamples : int, default 999
        Relabellings of ``null="permutation"``.
    rng : None, int, SeedSequence or Generator
        Seeds the split, the starts and the relabellings: the same `rng`, the same result.
    nan_policy : {"raise", "propagate", "omit"}, default "raise"
        Rows that contain a NaN, as in SciPy: ``"raise"``, an error; ``"propagate"``, a
        result with NaN statistic and p-value (``reject=False``) without running the test;
        ``"omit"``, each sample's rows with a NaN are dropped and the test runs on the rest.
        Infinite values are an error under every policy.

    Returns
    -------
    InterpretableResult
        The held-out :math:`\lambda` and its p-value, with the locations, the bandwidth and the
        training criterion; ``n_x``, ``n_y`` count the rows given, ``held_out`` those tested.

    Notes
    -----
    Cost: :math:`O(n J d)` per ascent step and start, and :math:`O(n J d + J^3)` for the test:
    linear in the sample size. Splitting costs power at small n; it buys features chosen for
    this alternative, and an interpretable answer.

    References
    ----------
    .. [1] Jitkrittum, W., Szabó, Z., Chwialkowski, K. and Gretton, A. (2016). Interpretable
       distribution features with maximum testing power. NeurIPS.
    .. [2] Chwialkowski, K., Ramdas, A., Sejdinovic, D. and Gretton, A. (2015). Fast two-sample
       testing with analytic representations of probability measures. NeurIPS.

    Examples
    --------
    >>> import numpy as np
    >>> from twosample import me_test
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.normal(size=(300, 2)), rng.normal(size=(300, 2)) + [1.0, 0.0]
    >>> res = me_test(x, y, n_locations=2, rng=0)
    >>> res.reject, res.locations.shape
    (True, (2, 2))
    """
    x, y = check_samples(x, y, min_rows=4, nan_policy=nan_policy)
    settings = _settings(me_test, "me", n_locations, "n_locations", train_fraction, null, steps, n_restarts, lr, reg)
    options = Resampling.of(me_test, alpha=alpha, n_resamples=n_resamples, rng=rng)
    if contains_nan(x, y):
        return InterpretableResult.extend(options.nan_result(x, y, method=settings.null))
    return _run(settings, "me_test", x, y, options)


@register("scf", description="smoothed characteristic-function test at J learned frequencies (Jitkrittum et al. 2016)")
def scf_test(
    x,
    y,
    *,
    n_frequencies=5,
    train_fraction=0.5,
    null: Literal["asymptotic", "permutation"] = "asymptotic",
    steps=100,
    n_restarts=3,
    lr=0.1,
    reg=1e-5,
    alpha=0.05,
    n_resamples=999,
    rng=None,
    nan_policy: Literal["raise", "propagate", "omit"] = "raise",
) -> InterpretableResult:
    r"""Smoothed characteristic-function (SCF) test at learned frequencies (Jitkrittum et al. 2016).

    Compares the characteristic functions of the two laws, smoothed by a Gaussian window of
    width :math:`\sigma`, at :math:`J` frequencies :math:`\omega_j` (a sine and a cosine each:
    :math:`2J` features), chosen with :math:`\sigma` on a training split to maximise the power
    criterion; the held-out split is tested with them fixed (see the module notes). The
    frequencies returned are those at which the two laws differ most: high ones for a
    difference of fine detail (or of spread), low ones for a shift.

    Parameters
    ----------
    x, y : array_like, shape (n, d) and (m, d)
        The samples (sizes may differ), at least 4 rows each.
    n_frequencies : int, default 5
        :math:`J`, the number of test frequencies.
    train_fraction : float, default 0.5
        Fraction of each sample that chooses the features; the rest is tested.
    null : {"asymptotic", "permutation"}, default "asymptotic"
        Hotelling's F null (:math:`\to \chi^2(2J)`), or the held-out rows relabelled.
    steps : int, default 100
        Steps of the gradient ascent (0: the starts, with the grid's bandwidth).
    n_restarts : int, default 3
        Starts of the ascent; the one with the largest criterion on the training split is kept.
        Each draws standard normal frequencies (in units of :math:`1/\sigma`) and takes the best
        window width of a grid around the median heuristic.
    lr : float, default 0.1
        Step size: the root-mean-square move of one coordinate of a frequency in the first step,
        in units of :math:`1/\sigma` (and of log sigma), shrinking as :math:`1/\sqrt{t}`.
    reg : float, default 1e-5
        :math:`\gamma`, the ridge added to the feature covariance in the training criterion
        (absolute, as the authors': the features lie in [-1, 1]). The held-out statistic takes
        a ridge of 1e-8 of the mean feature variance (numerical safety only).
    alpha : float, default 0.05
    n_resamples : int, default 999
        Relabellings of ``null="permutation"``.
    rng : None, int, SeedSequence or Generator
        Seeds the split, the starts and the relabellings: the same `rng`, the same result.
    nan_policy : {"raise", "propagate", "omit"}, default "raise"
        Rows that contain a NaN, as in SciPy: ``"raise"``, an error; ``"propagate"``, a
        result with NaN statistic and p-value (``reject=False``) without running the test;
        ``"omit"``, each sample's rows with a NaN are dropped and the test runs on the rest.
        Infinite values are an error under every policy.

    Returns
    -------
    InterpretableResult
        The held-out :math:`\lambda` and its p-value, with the frequencies (``locations``, in
        radians per unit of the data), the window's width (``bandwidth``) and centre
        (``centre``), and the training criterion.

    Notes
    -----
    The window is centred at the training split's pooled mean (the paper centres it at the
    origin of the data): the test does not depend on where the origin is. Cost as
    :func:`me_test`.

    References
    ----------
    .. [1] Jitkrittum, W., Szabó, Z., Chwialkowski, K. and Gretton, A. (2016). Interpretable
       distribution features with maximum testing power. NeurIPS.

    Examples
    --------
    >>> import numpy as np
    >>> from twosample import scf_test
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.normal(size=(300, 2)), rng.normal(size=(300, 2)) * [2.0, 1.0]
    >>> res = scf_test(x, y, n_frequencies=2, rng=0)
    >>> res.reject, res.locations.shape
    (True, (2, 2))
    """
    x, y = check_samples(x, y, min_rows=4, nan_policy=nan_policy)
    settings = _settings(
        scf_test, "scf", n_frequencies, "n_frequencies", train_fraction, null, steps, n_restarts, lr, reg
    )
    options = Resampling.of(scf_test, alpha=alpha, n_resamples=n_resamples, rng=rng)
    if contains_nan(x, y):
        return InterpretableResult.extend(options.nan_result(x, y, method=settings.null))
    return _run(settings, "scf_test", x, y, options)
