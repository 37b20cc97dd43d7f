"""The multivariate large-data tests: a linear-time MMD on random Fourier features, and a classifier
fitted on a keyed sample and tested on every other row.

Both fit what they need (feature frequencies, a classifier) on the first pass's keyed sample and sum
over the rows in the second; the second pass's summaries are exact integers, so the result does not
depend on how the rows are partitioned.
"""

from __future__ import annotations

import numpy as np
from scipy import stats
from scipy.spatial.distance import pdist
from sklearn.ensemble import HistGradientBoostingClassifier

from twosample.categorical.mixed import HGB_MAX_LEVELS
from twosample.categorical.statistics import AreaUnderCurve
from twosample.core.result import TestResult
from twosample.core.validation import check_int, scale_exponent
from twosample.scale._scan import label_counts, open_scan, seed_key
from twosample.scale.features import MAX_ROWS, FourierFeatures, ScoreBins, TableEncoder
from twosample.scale.tests import BINS, SAMPLE_SIZE, _options, table_result

__all__ = ["classifier_test", "fit_scorer", "fourier_features", "held_out_result", "rff_mmd_test", "rff_result"]

_BANDWIDTH_ROWS = 2000  # rows of the keyed sample for the median heuristic


def rff_mmd_test(
    x,
    y,
    columns=None,
    *,
    n_features: int = 32,
    bandwidth: float | None = None,
    sample_size: int = 10_000,
    alpha: float = 0.05,
    rng=None,
    client=None,
) -> TestResult:
    r"""A linear-time MMD: the mean difference of random Fourier features of a Gaussian kernel.

    The numeric ``columns`` (complete rows) are centred and scaled by the pooled keyed sample's
    median and standard deviation; the bandwidth is the median pairwise distance in that sample
    (label-free) unless given. With :math:`z` the difference of the feature means and
    :math:`S = \hat\Sigma_x / n + \hat\Sigma_y / m`, the statistic :math:`z^\top S^{-1} z` is
    chi-square with ``n_features`` degrees of freedom under H0 for large samples (the ME/SCF tests'
    null, Jitkrittum et al. 2016); its accuracy needs about 10^4 rows per sample or more.

    Returns
    -------
    TestResult
        ``method="asymptotic"``; the biased RFF estimate of MMD^2 is ``2 / n_features * |z|^2``.
    """
    n_features = check_int(n_features, "n_features", minimum=1)
    options = _options("rff-mmd", alpha=alpha, n_resamples=1, rng=rng, early_stop=False)
    key = seed_key(options.seed, options.rng)
    scan = open_scan(x, y, columns, key=key, client=client, kinds=("numeric",), passes=2)
    scan.first(check_int(sample_size, "sample_size", minimum=10))
    if max(scan.first_x.rows, scan.first_y.rows) > MAX_ROWS:
        raise ValueError(f"rff_mmd_test sums at most {MAX_ROWS:,} rows per sample exactly.")
    step = fourier_features(scan, scan.names, n_features, bandwidth, options.rng)
    second_x, second_y = scan.second({}, features=step)
    return rff_result(second_x.features, second_y.features, options)


def fourier_features(scan, names, n_features, bandwidth, rng) -> FourierFeatures:
    """Random Fourier features of the numeric columns `names`, centred, scaled and with a bandwidth from
    the pooled keyed sample (label-free)."""
    rows = scan.sample.rows[list(names)].to_numpy(dtype=float)
    rows = rows[~np.isnan(rows).any(axis=1)]
    if len(rows) < 2:
        raise ValueError("the keyed sample has fewer than 2 complete rows; raise `sample_size`.")
    centre = np.median(rows, axis=0)
    exponent = scale_exponent(rows - centre)  # the sd on rows scaled by a power of two: no underflow at 1e-300
    scale = np.ldexp(np.ldexp(rows - centre, -exponent).std(axis=0), exponent)
    scale[~(scale > 0)] = 1.0
    if bandwidth is None:
        bandwidth = float(np.median(pdist(((rows - centre) / scale)[:_BANDWIDTH_ROWS]))) or 1.0
    weights = rng.normal(scale=1.0 / bandwidth, size=(len(names), n_features))
    phase = rng.uniform(0, 2 * np.pi, size=n_features)
    return FourierFeatures(tuple(names), centre, scale, weights, phase)


def rff_result(fx, fy, options) -> TestResult:
    """The chi-square test of the feature means' difference (:func:`rff_mmd_test`)."""
    if max(fx.n, fy.n) > MAX_ROWS:
        raise ValueError(f"rff_mmd_test sums at most {MAX_ROWS:,} rows per sample exactly; got {max(fx.n, fy.n):,}.")
    diff = fx.mean() - fy.mean()
    cov = fx.covariance() / fx.n + fy.covariance() / fy.n
    rank = np.linalg.matrix_rank(cov)
    statistic = float(diff @ np.linalg.pinv(cov, hermitian=True) @ diff)
    return TestResult.from_analytic(
        statistic=statistic,
        pvalue=stats.chi2.sf(statistic, rank),
        alpha=options.alpha,
        threshold=stats.chi2.isf(options.alpha, rank),
        method="asymptotic",
        n_x=fx.n,
        n_y=fy.n,
        test="rff-mmd",
        seed=options.seed,
    )


def classifier_test(
    x,
    y,
    columns=None,
    *,
    categorical=(),
    sample_size: int = SAMPLE_SIZE,
    bins: int = BINS,
    alpha: float = 0.05,
    n_resamples: int = 9999,
    early_stop: bool = False,
    rng=None,
    client=None,
) -> TestResult:
    """A classifier two-sample test at any size: train on a keyed sample, test on every other row.

    Gradient-boosted trees (scikit-learn's ``HistGradientBoostingClassifier``, native categories and
    missing values) learn to tell ``y`` from ``x`` on the pooled rows with the `sample_size` smallest
    keys (at most half of all rows). Every other row is scored in the second pass, the scores
    counted per bin (edges: quantiles of the training scores), and the held-out AUC (the chance a
    ``y`` row scores above an ``x`` row) is tested against its exact conditional null: the held-out
    rows never touched the classifier, so under H0 their labels are exchangeable given the scores.

    Returns
    -------
    TestResult
        ``statistic`` is the held-out AUC (0.5: no difference found); ``n_x``, ``n_y`` the held-out rows.
    """
    options = _options("scale-c2st", alpha=alpha, n_resamples=n_resamples, rng=rng, early_stop=early_stop)
    key = seed_key(options.seed, options.rng)
    scan = open_scan(x, y, columns, categorical=categorical, key=key, client=client, passes=2)
    scan.first(check_int(sample_size, "sample_size", minimum=10))
    scorer = fit_scorer(scan, check_int(bins, "bins", minimum=2), options.rng)
    second_x, second_y = scan.second({}, scorer=scorer)
    return held_out_result(second_x.scores, second_y.scores, options)


def held_out_result(a, b, options) -> TestResult:
    """The conditional test of the held-out AUC from the counts per score bin of each sample."""
    if min(a.sum(), b.sum()) == 0:
        raise ValueError(
            f"the classifier test has {a.sum()} held-out rows of x and {b.sum()} of y; it needs some of each: "
            "lower `sample_size` (the training rows) or give more rows."
        )
    return table_result(a, b, AreaUnderCurve(), options)


def fit_scorer(scan, bins: int, rng) -> ScoreBins:
    """Gradient-boosted trees fitted on the pooled keyed sample (at most half of all rows), and the bins
    of their scores (:func:`classifier_test`)."""
    total = scan.first_x.rows + scan.first_y.rows
    sample = scan.sample
    train = np.flatnonzero(sample.keys <= np.sort(sample.keys)[min(len(sample.keys), total // 2) - 1])
    encoder = TableEncoder(
        tuple(s.name for s in scan.specs if s.kind == "numeric"),
        {s.name: _top_levels(scan, s.name) for s in scan.specs if s.kind != "numeric"},
    )
    features, labels = encoder(sample.rows.iloc[train]), sample.label[train]
    if len(np.unique(labels)) < 2:
        raise ValueError("the keyed training sample holds rows of one sample only; raise `sample_size`.")
    mask = encoder.categorical_mask
    model = HistGradientBoostingClassifier(
        categorical_features=mask if mask.any() else None, random_state=int(rng.integers(2**31))
    ).fit(features, labels)
    cuts = np.quantile(model.predict_proba(features)[:, 1], np.arange(1, bins) / bins, method="inverted_cdf")
    return ScoreBins(model, encoder, int(sample.keys[train].max()), np.unique(np.r_[cuts, 1.0]))


def _top_levels(scan, name) -> tuple:
    """The most frequent pooled levels of a label column, as many as the trees take as categories."""
    levels, a, b = label_counts(scan, name)
    order = np.argsort(-(a + b), kind="stable")[: HGB_MAX_LEVELS - 1]
    return tuple(levels[i] for i in sorted(order))
