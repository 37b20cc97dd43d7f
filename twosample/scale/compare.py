"""``twosample.scale.compare``: the per-column table of :func:`twosample.compare` on sources of any size.

Two passes over each sample, whatever the number of columns (docs/scale.md):

1. counts per level of every label column, missing counts, range, few distinct values and exact
   moments of every numeric column, and the pooled rows with the smallest random keys;
2. counts per label-free bin of every numeric column, and the multivariate test's summary (a
   classifier's held-out scores, or random Fourier features).

Each column's test is then the one :func:`twosample.compare` runs on counts: chi-square (exact
conditional null) for categorical columns, Fisher's exact test for booleans, the ordinal KS for
ordered levels, and the binned KS (exact conditional null; the exact KS test when the column has at
most ``bins`` distinct values) for numbers; the effect sizes and the missing-share tests are the same
functions as in memory, fed from the summaries. Corrections: Holm, BH, BY or none (maxT needs the
rows: it relabels them all at once).
"""

from __future__ import annotations

import math

import numpy as np

from twosample.categorical.statistics import ChiSquare, OrdinalKS
from twosample.categorical.tests import fisher_counts_result
from twosample.core.resampling import Resampling
from twosample.core.result import TestResult
from twosample.core.validation import check_alpha, check_choice, check_int, check_n_resamples, check_real, seeded_rng
from twosample.scale._scan import bin_edges, identifiers, label_counts, open_scan, seed_key
from twosample.scale.learned import fit_scorer, fourier_features, held_out_result, rff_result
from twosample.scale.tests import BINS, SAMPLE_SIZE, table_result
from twosample.study._column_tests import ks_effect, label_effects, missing_pvalue, smd_effect, wasserstein_effect
from twosample.study.tables import TableComparison, adjust, adjusted_frame

__all__ = ["compare"]

CORRECTIONS = ("holm", "bh", "by", "none")
MULTIVARIATE = ("c2st", "mmd", "none")  # the words of twosample.compare


def compare(
    x,
    y,
    *,
    columns=None,
    categorical=(),
    correction: str = "holm",
    alpha: float = 0.05,
    n_resamples: int = 9999,
    multivariate: str = "c2st",
    bins: int = BINS,
    sample_size: int = SAMPLE_SIZE,
    confidence: float = 0.95,
    rng=None,
    client=None,
) -> TableComparison:
    """Compare two tables of any size column by column (module docstring), with a multivariate test.

    Parameters
    ----------
    x, y : source
        A parquet file, directory or glob, a pyarrow dataset or table, a Dask DataFrame, a pandas
        DataFrame or an iterator of DataFrames (:mod:`twosample.scale.sources`).
    columns, categorical, alpha, n_resamples, confidence, rng
        As in :func:`twosample.compare`.
    correction : {"holm", "bh", "by", "none"}, default "holm"
    multivariate : {"c2st", "mmd", "none"}, default "c2st"
        The test of the whole table, as in :func:`twosample.compare`: a classifier test
        (:func:`~twosample.scale.classifier_test`) on every column, or an MMD
        (:func:`~twosample.scale.rff_mmd_test`) on the numeric columns.
    bins : int, default 4096
        Bins of each numeric column (label-free; its distinct values when it has at most this many).
    sample_size : int, default 100000
        Pooled rows drawn by their random keys for the bin edges and the classifier's training.
    client : distributed.Client, None or False, default None
        Where the passes run: this client's workers; None: the active client if any, else this
        machine; False: this machine, one partition at a time.

    Returns
    -------
    TableComparison
        As :func:`twosample.compare`'s; numeric rows report the binned KS (``method`` ``"exact"`` or
        ``"permutation"``) and effects from the bins and the exact moments.
    """
    alpha, n_resamples = check_alpha(alpha), check_n_resamples(n_resamples)
    check_choice(correction, "correction", CORRECTIONS)
    check_choice(multivariate, "multivariate", MULTIVARIATE)
    confidence = check_real(confidence, "confidence", low=0, high=1, low_open=True, high_open=True)
    bins, sample_size = check_int(bins, "bins", minimum=2), check_int(sample_size, "sample_size", minimum=100)
    generator, seed = seeded_rng(rng)
    scan = open_scan(x, y, columns, categorical=categorical, key=seed_key(seed, generator), client=client, passes=2)
    scan.first(sample_size)
    skipped = identifiers(scan)
    scan.specs = tuple(s for s in scan.specs if s.name not in skipped)
    if not scan.specs:
        raise ValueError("no column is left to compare (every column looks like an identifier).")
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(int(generator.integers(2**63))).spawn(3)]
    mv, frame = _second_pass_and_rows(scan, multivariate, bins, correction, alpha, n_resamples, confidence, streams)
    return TableComparison(
        frame,
        correction,
        alpha,
        bool(frame["reject"].any()),
        mv,
        tuple(skipped),
        scan.first_x.rows,
        scan.first_y.rows,
        seed,
    )


def _second_pass_and_rows(scan, multivariate, bins, correction, alpha, n_resamples, confidence, streams):
    """The second pass (bins, and the multivariate test's summary), then the rows and the verdict."""
    numeric = [s.name for s in scan.specs if s.kind == "numeric"]
    edges = {name: bin_edges(scan, name, bins) for name in numeric}
    scorer = features = None
    if multivariate == "c2st":
        scorer = fit_scorer(scan, bins, streams[0])
    elif multivariate == "mmd" and numeric:
        features = fourier_features(scan, numeric, 32, None, streams[0])
    second_x, second_y = scan.second(edges, features=features, scorer=scorer)
    column_rng = np.random.SeedSequence(int(streams[1].integers(2**63))).spawn(len(scan.specs))
    rows = [
        _row(scan, spec, edges, second_x, second_y, alpha, n_resamples, confidence, np.random.default_rng(stream))
        for spec, stream in zip(scan.specs, column_rng)
    ]
    frame = adjusted_frame(rows, *adjust(rows, correction, alpha), alpha)
    options = Resampling.of("scale-c2st", alpha=alpha, n_resamples=n_resamples, rng=streams[2])
    mv = None
    if scorer is not None:
        mv = held_out_result(second_x.scores, second_y.scores, options)
    elif features is not None:
        mv = rff_result(second_x.features, second_y.features, options)
    return mv, frame


def _row(scan, spec, edges, second_x, second_y, alpha, n_resamples, confidence, rng) -> dict:
    """One column's test, effects and missingness, from the summaries."""
    name, options = spec.name, Resampling.of("scale", alpha=alpha, n_resamples=n_resamples, rng=rng)
    first_x, first_y = scan.first_x.columns[name], scan.first_y.columns[name]
    if spec.kind == "numeric":
        a, b = second_x.bins[name], second_y.bins[name]
        test, result = "ks", table_result(a, b, OrdinalKS(), options)
        mx, my = first_x.moments, first_y.moments
        effects = ks_effect(a, b, confidence)
        effects.update(smd_effect(mx.n, mx.mean()[0], _var(mx), my.n, my.mean()[0], _var(my), confidence))
        effects["wasserstein"] = wasserstein_effect(a, b, edges[name])
    else:
        _, a, b = label_counts(scan, name)
        test, result = _label_test(spec.kind, a, b, options)
        effects = ks_effect(a, b, confidence) if spec.kind == "ordinal" else {}
        effects.update(label_effects(a, b, confidence, rng, primary=spec.kind != "ordinal"))
    n_x, n_y = scan.first_x.rows, scan.first_y.rows
    missing = missing_pvalue(first_x.missing, n_x, first_y.missing, n_y)
    return {
        "column": name,
        "kind": spec.kind,
        "test": test,
        "method": result.method,
        "statistic": result.statistic,
        "pvalue": result.pvalue,
        **effects,
        "missing_x": first_x.missing / n_x,
        "missing_y": first_y.missing / n_y,
        "missing_pvalue": math.nan if missing is None else missing,
        "note": "",
    }


def _var(moments) -> float:
    return float(moments.variance()[0]) if moments.n > 1 else 0.0


def _label_test(kind, a, b, options) -> tuple[str, TestResult]:
    seen = (a + b) > 0
    if kind == "boolean" and seen.sum() == 2 and len(a) == 2:
        fisher = Resampling.of("fisher", alpha=options.alpha, alternative="two-sided")
        return "fisher", fisher_counts_result(a, b, fisher)
    if kind == "ordinal":
        return "ordinal-ks", table_result(a, b, OrdinalKS(), options)
    return "chi2", table_result(a, b, ChiSquare(), options)
