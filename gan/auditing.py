r"""Auditing a frozen generator: a verdict with a p-value, not just a score.

:func:`audit` draws fresh samples from a generator that is no longer trained,
and decides H0: generator = data at level alpha with a battery of two-sample
tests from :mod:`twosample` (a fresh classifier two-sample test, the aggregated
MMD test, per-feature KS tests) and the data-copying test of Meehan et al.
(2020), corrected together for multiplicity (Holm, statsmodels). Beside the
verdict it reports the usual scores, each with an interval where one exists:
fresh-critic lower bounds of JS and KL, the Fréchet distance and KID (on raw
features or a feature map), precision / recall / density / coverage, mode
scores for known mixtures, and the sample size at which the fresh C2ST would
detect this generator with power 0.8.

Which data goes where
---------------------
* ``real_test`` against fresh generated rows: every two-sample test and score.
* ``real_train``: the data-copying test (distances to the training set, cells
  from k-means on it), and, with a second batch of generated rows, the
  training of the divergence critics (which are then evaluated on the test pair).
"""

from __future__ import annotations

import dataclasses
import html
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import linalg, stats

import twosample as ts
from twosample.io import load_sample
from twosample.progress import progress_bar, progress_enabled
from twosample.report import jsonable
from twosample.validation import check_alpha, check_choice, check_int, check_rng

from . import metrics
from .datasets import get_dataset

__all__ = [
    "AuditReport",
    "CHECKS",
    "audit",
    "copying_test",
    "digits_features",
    "frechet_distance",
    "frechet_distance_gaussians",
    "kid",
    "precision_recall_density_coverage",
]

CHECKS = ("c2st", "mmd", "features", "copying", "divergence", "frechet", "kid", "prdc", "modes", "sample_size")
OPTIONAL = ("inception", "parzen")
_VERDICT_CHECKS = ("c2st", "mmd", "features", "copying")  # the ones with a p-value, corrected together
_MIN_ROWS = 20


# --- scores usable on their own ------------------------------------------------------------


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


_DIGITS_MODEL = None


class ClassifierFeatures:
    """A feature map with the class probabilities beside it: ``f(rows) -> features`` and
    ``f.predict_proba(rows)`` (what the Inception score reads), declared rather than attached.

    Parameters
    ----------
    model : fitted scikit-learn ``MLPClassifier``
        Its first hidden layer (ReLU) is the feature map.
    n_columns : int
        Columns the rows must have.
    """

    def __init__(self, model, n_columns: int):
        self.model = model
        self.n_columns = n_columns

    def __call__(self, rows):
        rows = np.asarray(rows, float)
        if rows.shape[1] != self.n_columns:
            raise ValueError(f"`features='digits'` needs {self.n_columns} columns (8x8 images), got {rows.shape[1]}.")
        return np.maximum(rows @ self.model.coefs_[0] + self.model.intercepts_[0], 0.0)

    def predict_proba(self, rows):
        return self.model.predict_proba(rows)


def digits_features() -> ClassifierFeatures:
    """A feature map for 8x8 digits in [-1, 1]: the hidden layer (64 ReLU) of a small
    scikit-learn MLP trained on the bundled digits (random_state 0), with ``predict_proba``
    for the Inception score."""
    global _DIGITS_MODEL
    if _DIGITS_MODEL is None:
        import warnings

        from sklearn.datasets import load_digits
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier

        data = load_digits()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            _DIGITS_MODEL = MLPClassifier(hidden_layer_sizes=(64,), max_iter=300, random_state=0).fit(
                data.data / 8.0 - 1.0, data.target
            )
    return ClassifierFeatures(_DIGITS_MODEL, 64)


# --- the report ----------------------------------------------------------------------------


@dataclasses.dataclass(repr=False)
class AuditReport:
    """The outcome of :func:`audit`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per check: ``check``, ``statistic``, ``pvalue`` (NaN for scores),
        ``pvalue_holm`` (the battery's Holm-adjusted p-value), ``reject``,
        ``low`` / ``high`` (an interval where one exists), ``in_verdict``, ``note``.
    reject : bool
        H0: generator = data is rejected at `alpha` by the corrected battery.
    verdict : str
        One sentence naming the checks that rejected.
    alpha : float
    details : dict
        Per-check extras (e.g. the MMD null distribution, the power curve).
    """

    table: pd.DataFrame
    reject: bool
    verdict: str
    alpha: float
    details: dict
    samples: dict

    def __repr__(self):
        return str(self)

    def __str__(self):
        cols = ["check", "statistic", "pvalue", "pvalue_holm", "reject", "low", "high", "note"]
        return (
            self.table[cols].to_string(index=False, float_format=lambda v: f"{v:.4g}", na_rep="")
            + f"\n\nverdict: {self.verdict}"
        )

    def to_dict(self) -> dict:
        """Strict JSON data: NaN and infinities (an unreachable sample size, say) become null."""
        rows = self.table.to_dict(orient="records")
        return jsonable(
            {
                "alpha": self.alpha,
                "reject": self.reject,
                "verdict": self.verdict,
                "checks": rows,
                "sample_size_for_power_0.8": self.details.get("sample_size", {}).get("n80"),
            }
        )

    def to_json(self, path=None) -> str:
        text = json.dumps(self.to_dict(), indent=2, allow_nan=False)
        if path is not None:
            Path(path).write_text(text + "\n")
        return text

    def to_html(self, out) -> Path:
        """Write ``report.html`` (figures embedded), ``audit.json`` and ``checks.csv`` into the folder `out`."""
        from twosample.report import figure_html, html_page

        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        self.table.to_csv(out / "checks.csv", index=False)
        self.to_json(out / "audit.json")
        body = [
            f"<h1>Generator audit</h1><p><b>{html.escape(self.verdict)}</b> (alpha = {self.alpha})</p>",
            self.table.to_html(index=False, float_format=lambda v: f"{v:.4g}", na_rep=""),
        ]
        body += [figure_html(caption, fig) for caption, fig in self.figures()]
        page = html_page("Generator audit", body)
        path = out / "report.html"
        path.write_text(page, encoding="utf-8")
        return path

    def figures(self):
        """(caption, matplotlib Figure) pairs: samples vs data, MMD null, precision/recall, power curve."""
        import matplotlib.pyplot as plt

        figs = []
        real, fake = self.samples["real"], self.samples["generated"]
        shape = self.samples.get("image_shape")
        if shape is not None:
            from .plotting import image_grid

            fig, axes = plt.subplots(1, 2, figsize=(8, 4.2))
            for ax, data, label in ((axes[0], real, "held-out data"), (axes[1], fake, "generated")):
                ax.imshow(image_grid(data[:64], shape, columns=8), interpolation="nearest")
                ax.set_title(label, fontsize=9)
                ax.axis("off")
        else:
            fig, ax = plt.subplots(figsize=(4.5, 4))
            if real.shape[1] == 1:
                ax.hist([real[:, 0], fake[:, 0]], bins=50, density=True, label=["data", "generated"])
            else:
                ax.scatter(real[:, 0], real[:, 1], s=3, alpha=0.4, label="held-out data")
                ax.scatter(fake[:, 0], fake[:, 1], s=3, alpha=0.4, label="generated")
            ax.legend(fontsize=8)
        figs.append(("Generated samples beside held-out data (first two coordinates)", fig))
        mmd = self.details.get("mmd")
        if mmd is not None and mmd.null_distribution is not None:
            fig, ax = plt.subplots(figsize=(5, 3))
            ax.hist(mmd.null_distribution, bins=40, color="grey", label="permutation null")
            ax.axvline(mmd.statistic, color="C3", label=f"observed (p = {mmd.pvalue:.3g})")
            ax.set_xlabel("MMD-agg statistic")
            ax.legend(fontsize=8)
            fig.tight_layout()
            figs.append(("Aggregated MMD: the permutation null and the observed statistic", fig))
        prdc = self.details.get("prdc")
        if prdc is not None:
            fig, ax = plt.subplots(figsize=(4.5, 3))
            ax.bar(list(prdc), list(prdc.values()), color=["C0", "C1", "C2", "C3"])
            ax.axhline(1.0, color="grey", lw=0.8, ls=":")
            fig.tight_layout()
            figs.append(("Precision, recall, density and coverage (k-NN balls)", fig))
        curve = self.details.get("sample_size")
        if curve is not None:
            fig, ax = plt.subplots(figsize=(5, 3))
            c = curve["curve"]
            ax.errorbar(
                c["n"], c["power"], yerr=[c["power"] - c["ci_low"], c["ci_high"] - c["power"]], marker="o", capsize=3
            )
            ax.axhline(0.8, color="grey", ls=":")
            ax.set_xscale("log")
            ax.set_xlabel("n = m")
            ax.set_ylabel("fresh C2ST power")
            fig.tight_layout()
            figs.append(("How many samples until a fresh C2ST can tell (power 0.8)", fig))
        return figs


# --- the audit -----------------------------------------------------------------------------


def _as_rows(value, name, d=None):
    if isinstance(value, (str, Path)):
        value = load_sample(value)
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"`{name}` must be 2-D (rows x features), got shape {arr.shape}.")
    if not np.isfinite(arr).all():
        raise ValueError(
            f"`{name}` contains NaN or infinite values" + (" (a broken generator?)." if name == "generated" else ".")
        )
    if d is not None and arr.shape[1] != d:
        raise ValueError(f"`{name}` has {arr.shape[1]} columns, the real data has {d}.")
    return arr


def _draw(draw, n, rng, d):
    """`n` rows from a generator's ``draw(n, rng)``; its failures and short answers name `generated`."""
    try:
        rows = draw(n, rng)
    except Exception as exc:
        raise ValueError(
            f"`generated` raised {type(exc).__name__} when asked for {n} rows: {' '.join(str(exc).split())}"
        ) from exc
    rows = _as_rows(rows, "generated", d)
    if len(rows) != n:
        raise ValueError(f"`generated` returned {len(rows)} rows when asked for {n}.")
    return rows


def _sampler(generated):
    """(draw(n, rng) or None, fixed array or None) for an array, a callable, a GAN or a path."""
    if isinstance(generated, (str, Path)):
        path = Path(generated)
        if path.suffix == ".pt":
            from .train import load

            generated = load(path)
        else:
            return None, load_sample(path)
    if hasattr(generated, "sample") and callable(generated.sample):
        return generated.sample, None
    if callable(generated):
        return generated, None
    return None, generated


def audit(
    generated,
    real_train,
    real_test,
    *,
    alpha=0.05,
    n=None,
    checks=None,
    features=None,
    dataset=None,
    feature_test="ks",
    feature_correction="holm",
    critic_steps=300,
    power_reps=20,
    rng=None,
    device="cpu",
) -> AuditReport:
    r"""Audit a frozen generator: decide H0: generator = data at level `alpha`.

    Parameters
    ----------
    generated : array_like, callable, GAN or path
        Generated rows ``(m, d)``; or ``sample(n, rng) -> rows`` (any generator,
        not only ones trained here); a :class:`gan.GAN`; a checkpoint ``.pt``
        (safe loading) or a ``.npy`` / ``.csv`` / ``.parquet`` file of rows.
    real_train, real_test : array_like or path
        Real rows the generator was trained on, and held-out real rows it never saw.
    alpha : float, default 0.05
        Level of the corrected battery.
    n : int, optional
        Generated rows drawn from a sampler for the tests (default: as many as
        `real_test`); an array is used as given.
    checks : sequence of str, optional
        A subset of :data:`CHECKS` (default all), plus ``"inception"`` /
        ``"parzen"`` (never part of the verdict).
    features : None, callable or "digits"
        Feature map for the Fréchet distance, KID and precision/recall
        (default: raw rows); ``"digits"``: :func:`digits_features`.
    dataset : str or gan.datasets.Dataset, optional
        A known mixture (``"ring"``, ``"grid"``) for the mode scores.
    feature_test : {"ks", "ad"}, default "ks"
        Per-feature test (SciPy; AD's p-values are capped to [0.001, 0.25]).
    feature_correction : {"holm", "fdr_bh"}, default "holm"
        Correction across features (statsmodels); the family's p-value is the
        smallest adjusted one.
    critic_steps : int, default 300
        Training steps of the fresh JS / KL critics.
    power_reps : int, default 20
        Repetitions per size of the C2ST power curve (``"sample_size"``).
    rng : None, int, SeedSequence or Generator
    device : str, default "cpu"
        For the critics.

    Returns
    -------
    AuditReport

    Notes
    -----
    The verdict corrects the four checks with a p-value (fresh C2ST, MMD-agg,
    the per-feature family and data copying) with Holm's method, so the
    probability of rejecting a generator that samples from the data
    distribution independently of the training set is at most `alpha` (checked
    by simulation in the suite). Data copying tests a different way of failing
    (memorising the training set) and is reported by name in the verdict.
    """
    inputs = _prepare(
        generated,
        real_train,
        real_test,
        alpha=alpha,
        n=n,
        checks=checks,
        features=features,
        dataset=dataset,
        options=dict(
            feature_test=check_choice(feature_test, "feature_test", ("ks", "ad")),
            feature_correction=check_choice(feature_correction, "feature_correction", ("holm", "fdr_bh")),
            critic_steps=critic_steps,
            power_reps=power_reps,
            device=device,
        ),
        rng=rng,
    )
    rows, details = [], {}
    # A bar on a terminal when the caller asked for progress (the gan command does); the core tests
    # it runs show their own (the aggregated MMD's relabellings).
    with progress_bar(None, progress_enabled(), desc="audit", unit="score") as bar:
        for name, run_check in _REGISTRY.items():
            if name not in inputs.wanted:
                continue
            found, detail = run_check(inputs)
            rows += found
            if detail is not None:
                details[name] = detail
            bar.set_postfix_str(name, refresh=False)
            bar.update(len(found))
    table, reject, verdict = _verdict(rows, inputs.alpha)
    return AuditReport(table, reject, verdict, inputs.alpha, details, _report_samples(inputs))


@dataclasses.dataclass
class _Inputs:
    """The validated inputs of one audit, shared by its checks (the checks draw from `rng` in registry order)."""

    real_train: np.ndarray
    real_test: np.ndarray
    gen: np.ndarray
    gen_fit: np.ndarray | None
    gen_eval: np.ndarray
    draw: object
    features: object
    dataset: object
    alpha: float
    wanted: list
    options: dict
    rng: np.random.Generator
    _mapped: tuple | None = None

    @property
    def d(self) -> int:
        return self.real_test.shape[1]

    def mapped(self):
        """(real_test, generated) through the feature map (computed once)."""
        if self._mapped is None:
            feat = self.features if callable(self.features) else (lambda a: a)
            self._mapped = (feat(self.real_test), feat(self.gen))
        return self._mapped


def _wanted_checks(checks) -> list:
    if isinstance(checks, str):
        checks = [checks]
    wanted = list(CHECKS) if checks is None else list(checks)
    if not wanted:
        raise ValueError(f"`checks` is empty; choose some of {', '.join(CHECKS + OPTIONAL)} (None: all).")
    for c in wanted:
        check_choice(c, "checks", CHECKS + OPTIONAL)
    return wanted


def _feature_map(features):
    if features == "digits":
        return digits_features()
    if features is not None and not callable(features):
        raise ValueError(f"`features` must be None, 'digits' or a callable mapping rows to features; got {features!r}.")
    return features


def _prepare(generated, real_train, real_test, *, alpha, n, checks, features, dataset, options, rng) -> _Inputs:
    """Validate the audit's arguments and draw the generated rows (in the order the first release did)."""
    alpha = check_alpha(alpha)
    generator = check_rng(rng)
    real_test = _as_rows(real_test, "real_test")
    d = real_test.shape[1]
    real_train = _as_rows(real_train, "real_train", d)
    wanted = _wanted_checks(checks)
    draw, fixed = _sampler(generated)
    n = len(real_test) if n is None else check_int(n, "n", minimum=_MIN_ROWS)
    if draw is not None:
        gen = _draw(draw, n, generator, d)
        gen_fit = _draw(draw, n, generator, d) if "divergence" in wanted else None
    else:
        gen, gen_fit = _as_rows(fixed, "generated", d), None
    for name, arr in (("real_test", real_test), ("real_train", real_train), ("generated", gen)):
        if len(arr) < _MIN_ROWS:
            raise ValueError(f"`{name}` has {len(arr)} rows; the audit needs at least {_MIN_ROWS}.")
    gen_eval = gen
    if "divergence" in wanted and gen_fit is None:  # an array: critics fit on half, tested on the other half
        order = generator.permutation(len(gen))
        gen_fit, gen_eval = gen[order[: len(gen) // 2]], gen[order[len(gen) // 2 :]]
    return _Inputs(
        real_train,
        real_test,
        gen,
        gen_fit,
        gen_eval,
        draw,
        _feature_map(features),
        None if dataset is None else get_dataset(dataset),
        alpha,
        wanted,
        options,
        generator,
    )


def _row(check, statistic, pvalue=math.nan, low=math.nan, high=math.nan, note=""):
    return {
        "check": check,
        "statistic": float(statistic),
        "pvalue": float(pvalue),
        "low": float(low),
        "high": float(high),
        "in_verdict": check in _VERDICT_CHECKS,
        "note": note,
    }


# --- the checks: each takes the audit's inputs and returns (rows, details or None) ---------------


def _check_c2st(inp: _Inputs):
    res = ts.c2st(inp.real_test, inp.gen, rng=inp.rng)
    chance = max(len(inp.real_test), len(inp.gen)) / (len(inp.real_test) + len(inp.gen))
    return [_row("c2st", res.statistic, res.pvalue, note=f"fresh MLP's held-out accuracy (chance {chance:.2f})")], res


def _check_mmd(inp: _Inputs):
    res = ts.mmd_agg_test(inp.real_test, inp.gen, rng=inp.rng)
    return [_row("mmd", res.statistic, res.pvalue, note="aggregated MMD (Gaussian and Laplace bandwidths)")], res


def _feature_pvalue(a, b, test):
    """(statistic, p-value) of one feature's two-sample test (the same constant on both sides: 0, 1)."""
    if np.all(a == a[0]) and np.all(b == a[0]):
        return 0.0, 1.0
    if test == "ks":
        r = stats.ks_2samp(a, b)
        return r.statistic, r.pvalue
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # SciPy's p-value cap notice
        r = stats.anderson_ksamp([a, b])
    return r.statistic, r.pvalue


def _check_features(inp: _Inputs):
    from statsmodels.stats.multitest import multipletests

    test, correction = inp.options["feature_test"], inp.options["feature_correction"]
    stat, pvals = zip(*(_feature_pvalue(inp.real_test[:, j], inp.gen[:, j], test) for j in range(inp.d)))
    reject_j, adjusted, _, _ = multipletests(list(pvals), alpha=inp.alpha, method=correction)
    detail = pd.DataFrame(
        {"feature": range(inp.d), "statistic": stat, "pvalue": pvals, "adjusted": adjusted, "reject": reject_j}
    )
    worst = int(np.argmin(adjusted))
    note = f"{test.upper()} per feature, {correction}: {int(reject_j.sum())} of {inp.d} reject; worst feature {worst}"
    return [_row("features", max(stat), float(np.min(adjusted)), note=note)], detail


def _check_copying(inp: _Inputs):
    res = copying_test(inp.real_train, inp.real_test, inp.gen, rng=inp.rng)
    note = (
        f"Meehan et al. C_T over {res.cells_used} cells (negative: closer to the training set than "
        f"fresh data); NN distance ratio generated / held-out = {res.distance_ratio:.3f}"
    )
    return [_row("copying", res.statistic, res.pvalue, note=note)], res


def _check_divergence(inp: _Inputs):
    rows = []
    for name in ("js", "kl"):
        args = (inp.real_train, inp.gen_fit, inp.real_test, inp.gen_eval, name, inp.options["critic_steps"])
        est, lo, hi = _critic_bound(*args, inp.rng, inp.options["device"])
        note = f"fresh {name.upper()} critic on fresh data; 95% bootstrap interval (the critic fixed)"
        rows.append(_row(f"{name} lower bound", est, low=lo, high=hi, note=note))
    return rows, None


def _check_frechet(inp: _Inputs):
    f_real, f_gen = inp.mapped()
    fd = frechet_distance(f_real, f_gen)
    rng = inp.rng
    boot = [
        frechet_distance(
            f_real[rng.integers(0, len(f_real), len(f_real))], f_gen[rng.integers(0, len(f_gen), len(f_gen))]
        )
        for _ in range(50)
    ]
    low, high = np.quantile(boot, 0.025), np.quantile(boot, 0.975)
    note = "float64; 95% bootstrap interval (50 resamples); biased upward at small n"
    return [_row("frechet", fd, low=low, high=high, note=note)], None


def _check_kid(inp: _Inputs):
    mean, sd = kid(*inp.mapped(), rng=inp.rng)
    note = "unbiased polynomial-kernel MMD², mean ± sd over 100 subsets"
    return [_row("kid", mean, low=mean - sd, high=mean + sd, note=note)], None


def _check_prdc(inp: _Inputs):
    prdc = precision_recall_density_coverage(*inp.mapped())
    return [_row(key, value, note="k-NN balls, k = 5") for key, value in prdc.items()], prdc


def _check_modes(inp: _Inputs):
    if inp.dataset is None or inp.dataset.modes is None:
        return [], None
    score = metrics.mode_coverage(inp.gen, inp.dataset.modes, inp.dataset.mode_std)
    return [
        _row("modes captured", score.modes_captured, note=f"of {score.n_modes}"),
        _row("high quality", score.high_quality, note="share within 3 sd of a mode"),
        _row("reverse KL (modes)", score.reverse_kl, note="mode histogram vs uniform"),
    ], None


def _check_sample_size(inp: _Inputs):
    curve = _c2st_power_curve(inp.real_test, inp.gen, inp.draw, inp.options["power_reps"], inp.alpha, inp.rng)
    return [_row("n for power 0.8", curve["n80"], note=curve["note"])], curve


def _check_inception(inp: _Inputs):
    proba = getattr(inp.features, "predict_proba", None)
    if proba is None:
        raise ValueError("`checks`: 'inception' needs a feature map with predict_proba (features='digits').")
    p = np.clip(proba(inp.gen), 1e-12, 1)
    marginal = p.mean(0)
    score = float(np.exp(np.mean(np.sum(p * (np.log(p) - np.log(marginal)), 1))))
    return [
        _row("inception score", score, note="not in the verdict: ignores the data and rewards confident classes")
    ], None


def _check_parzen(inp: _Inputs):
    note = (
        "not in the verdict: Gaussian KDE on the generated rows, bandwidth chosen on real_train; "
        "unreliable in more than a few dimensions"
    )
    return [_row("parzen log-likelihood", _parzen(inp.real_train, inp.real_test, inp.gen, inp.rng), note=note)], None


# The checks in the order they run (and draw from the audit's rng).
_REGISTRY = {
    "c2st": _check_c2st,
    "mmd": _check_mmd,
    "features": _check_features,
    "copying": _check_copying,
    "divergence": _check_divergence,
    "frechet": _check_frechet,
    "kid": _check_kid,
    "prdc": _check_prdc,
    "modes": _check_modes,
    "sample_size": _check_sample_size,
    "inception": _check_inception,
    "parzen": _check_parzen,
}
assert set(_REGISTRY) == set(CHECKS + OPTIONAL)


def _verdict(rows, alpha):
    """(table, reject, verdict): Holm's correction over the checks with a p-value that enter the verdict."""
    from statsmodels.stats.multitest import multipletests

    table = pd.DataFrame(rows)
    table["pvalue_holm"] = np.nan
    table["reject"] = False
    tested = table["in_verdict"] & table["pvalue"].notna()
    if tested.any():
        rej, adj, _, _ = multipletests(table.loc[tested, "pvalue"], alpha=alpha, method="holm")
        table.loc[tested, "pvalue_holm"] = adj
        table.loc[tested, "reject"] = rej
    table = table[["check", "statistic", "pvalue", "pvalue_holm", "reject", "low", "high", "in_verdict", "note"]]
    rejected = list(table.loc[table["reject"], "check"])
    if not tested.any():
        return table, False, "no check with a p-value was run: scores only, no verdict"
    if rejected:
        verdict = f"reject H0 (generator = data) at alpha = {alpha}: {' and '.join(rejected)}"
        if "copying" in rejected:
            verdict += " (generated rows are closer to the training set than fresh data: memorisation)"
        return table, True, verdict
    return table, False, f"no evidence against H0 (generator = data) at alpha = {alpha} after Holm's correction"


def _report_samples(inp: _Inputs) -> dict:
    samples = {
        "real": inp.real_test[:2000],
        "generated": inp.gen[:2000],
        "image_shape": None if inp.dataset is None else inp.dataset.image_shape,
    }
    proba = getattr(inp.features, "predict_proba", None)
    if samples["image_shape"] is None and inp.d == 64 and proba is not None:
        samples["image_shape"] = (8, 8)
    return samples


def _critic_bound(real_train, gen_fit, real_test, gen_eval, name, steps, generator, device):
    """Held-out bound E_P T - E_Q f*(T) of a fresh critic and its 95% bootstrap interval."""
    from twosample import divergences

    div = divergences.get(name)
    critic = divergences.fit_critic(real_train, gen_fit, div, steps=steps, rng=generator, device=device)
    t = np.asarray(div.activation(critic(real_test)), float)
    c = np.asarray(div.conjugate_activation(critic(gen_eval)), float)
    est = t.mean() - c.mean()
    idx_t = generator.integers(0, len(t), (1000, len(t)))
    idx_c = generator.integers(0, len(c), (1000, len(c)))
    boot = t[idx_t].mean(1) - c[idx_c].mean(1)
    return est, np.quantile(boot, 0.025), np.quantile(boot, 0.975)


def _c2st_power_curve(real, gen, draw, reps, alpha, generator):
    """Power of a fresh C2ST at sizes up to the available rows; where it crosses 0.8."""
    top = min(len(real), len(gen)) // 2  # subsamples without replacement, so repetitions differ
    if draw is not None:
        top = len(real) // 2
    sizes = sorted({int(s) for s in np.geomspace(max(_MIN_ROWS, top // 16), top, 5)})
    reps = check_int(reps, "power_reps")
    out = []
    for s in sizes:
        rejections = 0
        for _ in range(reps):
            xr = real[generator.choice(len(real), s, replace=False)]
            xg = draw(s, generator) if draw is not None else gen[generator.choice(len(gen), s, replace=False)]
            rejections += ts.c2st(xr, np.asarray(xg, float), rng=generator).reject
        lo, hi = _clopper_pearson(rejections, reps)
        out.append({"n": s, "power": rejections / reps, "ci_low": lo, "ci_high": hi})
    curve = pd.DataFrame(out)
    above = curve[curve["power"] >= 0.8]
    if above.empty:
        n80, note = math.inf, f"power below 0.8 up to n = {sizes[-1]} ({reps} repetitions per size)"
    elif above.index[0] == 0:
        n80, note = float(sizes[0]), f"power >= 0.8 already at the smallest size tried ({sizes[0]})"
    else:
        i = above.index[0]
        (n0, p0), (n1, p1) = curve.loc[i - 1, ["n", "power"]], curve.loc[i, ["n", "power"]]
        frac = (0.8 - p0) / (p1 - p0)
        n80 = float(np.exp(np.log(n0) + frac * (np.log(n1) - np.log(n0))))
        note = f"interpolated on a log scale between n = {int(n0)} and {int(n1)} ({reps} repetitions per size)"
    return {"curve": curve, "n80": n80, "note": note}


def _clopper_pearson(k, n):
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = proportion_confint(k, n, alpha=0.05, method="beta")
    return float(lo), float(hi)


def _parzen(real_train, real_test, gen, generator):
    from sklearn.neighbors import KernelDensity

    val = real_train[generator.choice(len(real_train), min(500, len(real_train)), replace=False)]
    best = max(np.geomspace(0.01, 2.0, 12) * np.std(gen), key=lambda h: KernelDensity(bandwidth=h).fit(gen).score(val))
    return float(KernelDensity(bandwidth=best).fit(gen).score_samples(real_test).mean())
