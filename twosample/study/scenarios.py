r"""Named pairs of distributions for level and power studies.

A :class:`Scenario` holds two samplers ``sample_p(n, rng)`` and
``sample_q(n, rng)`` returning arrays of shape (n, d). ``scenario.null()`` is
the same scenario with q replaced by p, for level studies.

Built-in pairs:

* :func:`gaussian_vs_laplace` -- the textbook chapter's canonical pair: N(0, 1) against a
  Laplace with the same mean, and (``variance_matched=True``) the same variance
  (scale :math:`1/\sqrt 2`), or scale 1.
* :func:`mean_shift`, :func:`variance_shift` -- Gaussians differing in one coordinate.
* :func:`student_t` -- standardised Gaussian against standardised Student-t
  (Lopez-Paz and Oquab 2017).
* :func:`blob` and :func:`hdgm` -- the Blob and HDGM setups of Liu et al. (2020).
* :func:`gaussian_mixture` -- a two-component mixture against the Gaussian with its moments.
* :func:`from_callables`, :func:`from_data` -- any two samplers, or two data sets resampled.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from twosample.core.validation import check_bool, check_int, check_real, check_sample

__all__ = [
    "SCENARIOS",
    "Scenario",
    "blob",
    "from_callables",
    "from_data",
    "gaussian_mixture",
    "gaussian_vs_laplace",
    "get_scenario",
    "hdgm",
    "mean_shift",
    "null_scenarios",
    "student_t",
    "variance_shift",
]

Sampler = Callable[[int, np.random.Generator], np.ndarray]


@dataclasses.dataclass(frozen=True)
class Scenario:
    """A pair of distributions (p, q) given by their samplers.

    Attributes
    ----------
    name : str
    sample_p, sample_q : callable
        ``sample(n, rng) -> array (n, d)``.
    effect : float or None
        The scenario's effect size (its meaning is the constructor's).
    description : str
    iid_rows : bool, default True
        Whether the samplers' rows are independent and identically distributed, so that
        ``sample(R * n, rng)`` is R samples of size n at once (:meth:`sample_stack`). True for
        every built-in scenario; :func:`from_callables` asks.
    """

    name: str
    sample_p: Sampler
    sample_q: Sampler
    effect: float | None = None
    description: str = ""
    iid_rows: bool = True

    def sample(self, n: int, m: int | None, rng) -> tuple[np.ndarray, np.ndarray]:
        """Draw x ~ p of size n and y ~ q of size m (default n), as float arrays (n, d)."""
        generator = np.random.default_rng(rng)
        m = n if m is None else m
        x = check_sample(self.sample_p(n, generator), "sample_p(n, rng)")
        y = check_sample(self.sample_q(m, generator), "sample_q(m, rng)")
        return x, y

    def sample_stack(self, reps: int, n: int, m: int | None, rng) -> tuple[np.ndarray, np.ndarray]:
        """`reps` pairs of samples as arrays (reps, n, d) and (reps, m, d), drawn from one stream.

        With i.i.d. rows, one call per sampler draws every repetition (what makes a power study of
        a fast test cost about as much as SciPy's); otherwise one :meth:`sample` per repetition.
        """
        generator = np.random.default_rng(rng)
        m = n if m is None else m
        if not self.iid_rows:
            pairs = [self.sample(n, m, generator) for _ in range(reps)]
            return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])
        x = check_sample(self.sample_p(reps * n, generator), "sample_p(n, rng)")
        y = check_sample(self.sample_q(reps * m, generator), "sample_q(m, rng)")
        return x.reshape(reps, n, -1), y.reshape(reps, m, -1)

    def null(self) -> Scenario:
        """The same scenario under H0: both samples from p."""
        return dataclasses.replace(
            self,
            name=f"{self.name} (null)",
            sample_q=self.sample_p,
            description=f"H0: both samples from p of {self.name}",
        )


def _column(values: np.ndarray) -> np.ndarray:
    return values.reshape(len(values), -1)


def gaussian_vs_laplace(*, variance_matched: bool = True) -> Scenario:
    r"""N(0, 1) against Laplace(0, b), :math:`b = 1/\sqrt2` (same variance) or :math:`b = 1`."""
    scale = 1 / np.sqrt(2) if variance_matched else 1.0
    label = "variance-matched" if variance_matched else "unmatched"
    return Scenario(
        name=f"gaussian-laplace{'' if variance_matched else '-unmatched'}",
        sample_p=lambda n, rng: _column(rng.normal(size=n)),
        sample_q=lambda n, rng: _column(rng.laplace(scale=scale, size=n)),
        effect=scale,
        description=f"N(0, 1) vs Laplace(0, {scale:.4g}) ({label})",
    )


def mean_shift(effect: float = 0.5, *, d: int = 1) -> Scenario:
    """N(0, I_d) against N(effect e_1, I_d)."""
    effect, d = check_real(effect, "effect"), check_int(d, "d")
    shift = np.zeros(d)
    shift[0] = effect
    return Scenario(
        "mean-shift",
        lambda n, rng: rng.normal(size=(n, d)),
        lambda n, rng: rng.normal(size=(n, d)) + shift,
        effect,
        f"N(0, I_{d}) vs N({effect} e_1, I_{d})",
    )


def variance_shift(effect: float = 2.0, *, d: int = 1) -> Scenario:
    """N(0, I_d) against N(0, diag(effect, 1, ..., 1)) (`effect` is the variance of coordinate 1)."""
    effect, d = check_real(effect, "effect", low=0, low_open=True), check_int(d, "d")
    scale = np.ones(d)
    scale[0] = np.sqrt(effect)
    return Scenario(
        "variance-shift",
        lambda n, rng: rng.normal(size=(n, d)),
        lambda n, rng: rng.normal(size=(n, d)) * scale,
        effect,
        f"N(0, I_{d}) vs variance {effect} in coordinate 1",
    )


def student_t(df: float = 3.0, *, d: int = 1) -> Scenario:
    """Standardised Gaussian against a standardised Student-t with `df` degrees of freedom.

    For ``df <= 2`` the variance is infinite and the t sample is left unscaled.
    """
    df, d = check_real(df, "df", low=0, low_open=True), check_int(d, "d")
    scale = np.sqrt((df - 2) / df) if df > 2 else 1.0
    return Scenario(
        "student-t",
        lambda n, rng: rng.normal(size=(n, d)),
        lambda n, rng: rng.standard_t(df, size=(n, d)) * scale,
        df,
        f"N(0, 1) vs standardised Student-t({df})",
    )


def blob(*, rows: int = 3, sigma2: float = 0.03) -> Scenario:
    """Liu et al. (2020) Blob: a 3 x 3 grid of Gaussian blobs; Q's blobs have small correlations.

    P's blob covariance is ``sigma2 * I``; Q's blob i (of 9) has the off-diagonal
    covariance -0.02 - 0.002 i (i < 4), 0 (i = 4), 0.02 + 0.002 (i - 5) (i > 4),
    as in Liu et al.'s code (covariance entries beside the variance 0.03, i.e.
    correlations -0.67 ... 0.93; kept as correlations when `sigma2` changes). `n` is the total sample size
    (points are spread
    uniformly over the blobs).
    """
    rows, sigma2 = check_int(rows, "rows"), check_real(sigma2, "sigma2", low=0, low_open=True)
    centres = np.array([(i, j) for i in range(rows) for j in range(rows)], dtype=float)
    k = len(centres)
    covs = np.array([-0.02 - 0.002 * i if i < 4 else (0.0 if i == 4 else 0.02 + 0.002 * (i - 5)) for i in range(k)])
    corrs = covs / 0.03  # Liu et al.'s covariances are relative to their variance 0.03

    def sample_p(n, rng):
        idx = rng.integers(0, k, n)
        return centres[idx] + rng.normal(scale=np.sqrt(sigma2), size=(n, 2))

    def sample_q(n, rng):
        idx = rng.integers(0, k, n)
        z = rng.normal(size=(n, 2))
        rho = corrs[idx]
        second = rho * z[:, 0] + np.sqrt(1 - rho**2) * z[:, 1]
        return centres[idx] + np.sqrt(sigma2) * np.column_stack([z[:, 0], second])

    return Scenario("blob", sample_p, sample_q, None, "Liu et al. (2020) Blob, 3 x 3 grid")


def hdgm(*, d: int = 10) -> Scenario:
    """Liu et al. (2020) HDGM: two modes (means 0 and 0.5 in every coordinate); Q has +-0.5
    correlation between dimensions 1 and 2 (+0.5 in the first mode, -0.5 in the second)."""
    d = check_int(d, "d", minimum=2)
    means = np.stack([np.zeros(d), np.full(d, 0.5)])

    def draw(n, rng, rhos):
        mode = rng.integers(0, 2, n)
        z = rng.normal(size=(n, d))
        rho = np.asarray(rhos)[mode]
        z[:, 1] = rho * z[:, 0] + np.sqrt(1 - rho**2) * z[:, 1]
        return means[mode] + z

    return Scenario(
        "hdgm",
        lambda n, rng: draw(n, rng, (0.0, 0.0)),
        lambda n, rng: draw(n, rng, (0.5, -0.5)),
        None,
        f"Liu et al. (2020) HDGM, d = {d}",
    )


def gaussian_mixture(separation: float = 2.0) -> Scenario:
    """Equal mixture of N(-s/2, 1) and N(s/2, 1) against the Gaussian with the same mean and variance."""
    separation = check_real(separation, "separation", low=0)
    sd = np.sqrt(1 + separation**2 / 4)
    return Scenario(
        "gaussian-mixture",
        lambda n, rng: _column(rng.normal(size=n) + separation / 2 * rng.choice([-1.0, 1.0], size=n)),
        lambda n, rng: _column(rng.normal(scale=sd, size=n)),
        separation,
        f"0.5 N(-{separation / 2}, 1) + 0.5 N({separation / 2}, 1) vs N(0, {sd**2:.4g})",
    )


def from_callables(
    sample_p: Sampler, sample_q: Sampler, *, name: str = "custom", effect=None, iid_rows: bool = False
) -> Scenario:
    """A scenario from any two samplers ``sample(n, rng) -> array``.

    ``iid_rows=True`` declares that their rows are i.i.d. (a power study then draws many
    repetitions in one call); by default each repetition calls the samplers once.
    """
    if not (callable(sample_p) and callable(sample_q)):
        raise TypeError("`sample_p` and `sample_q` must be callables sample(n, rng) -> array.")
    return Scenario(name, sample_p, sample_q, effect, "user samplers", check_bool(iid_rows, "iid_rows"))


def from_data(data_p, data_q, *, name: str = "data") -> Scenario:
    """A scenario that resamples two data sets with replacement (a bootstrap of each)."""
    data_p, data_q = check_sample(data_p, "data_p"), check_sample(data_q, "data_q")
    if data_p.shape[1] != data_q.shape[1]:
        raise ValueError("`data_p` and `data_q` must have the same number of columns.")
    return Scenario(
        name,
        lambda n, rng: data_p[rng.integers(0, len(data_p), n)],
        lambda n, rng: data_q[rng.integers(0, len(data_q), n)],
        None,
        f"resampling {len(data_p)} and {len(data_q)} rows",
    )


#: Scenarios by the names the CLI uses, each with its default effect.
SCENARIOS: dict[str, Callable[[], Scenario]] = {
    "gaussian-laplace": lambda: gaussian_vs_laplace(variance_matched=True),
    "gaussian-laplace-unmatched": lambda: gaussian_vs_laplace(variance_matched=False),
    "mean-shift": mean_shift,
    "variance-shift": variance_shift,
    "student-t": student_t,
    "blob": blob,
    "hdgm": hdgm,
    "gaussian-mixture": gaussian_mixture,
}


def get_scenario(name: str) -> Scenario:
    """The scenario called `name` (see :data:`SCENARIOS`), with its default effect."""
    if name not in SCENARIOS:
        raise ValueError(f"`scenario` must be one of {', '.join(SCENARIOS)}; got {name!r}.")
    return SCENARIOS[name]()


def null_scenarios() -> dict[str, tuple[Scenario, int | None]]:
    """The null scenarios of the calibration study: name -> (scenario with p = q, m or None for m = n).

    Gaussian, heavy-tailed (Student-t with 2 degrees of freedom), discrete with
    ties (integers 0..4), unequal sizes (m = n / 2), and d = 20 (multivariate tests only).
    """
    return {
        "gaussian": (mean_shift(0.0).null(), None),
        # Both samples Student-t(2): student_t(2).null() would keep its p, the Gaussian.
        "student-t2": (
            from_callables(
                lambda n, rng: rng.standard_t(2.0, size=(n, 1)),
                lambda n, rng: rng.standard_t(2.0, size=(n, 1)),
                name="student-t2",
            ),
            None,
        ),
        "discrete-ties": (
            from_callables(
                lambda n, rng: rng.integers(0, 5, size=(n, 1)).astype(float),
                lambda n, rng: rng.integers(0, 5, size=(n, 1)).astype(float),
                name="discrete",
            ),
            None,
        ),
        "unequal-sizes": (mean_shift(0.0).null(), "half"),
        "gaussian-d20": (mean_shift(0.0, d=20).null(), None),
    }
