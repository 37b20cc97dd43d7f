r"""The audit itself (:func:`audit`, gan.audit): validate the options, turn the generator into rows
(:func:`~gan.auditing.sources.as_sampler`), build one :class:`~gan.auditing.inputs.AuditInputs`, run
each wanted check of :data:`~gan.auditing.checks.REGISTRY` on it, and correct the verdict (Holm).
What the audit decides and which data goes where: :mod:`gan.auditing`.
"""

from __future__ import annotations

import functools

import numpy as np

from twosample.core.progress import progress_bar, progress_enabled
from twosample.core.validation import check_alpha, check_choice, check_int, check_rng

from ..data.datasets import get_dataset
from .checks import REGISTRY, missing_input, wanted_checks
from .features import get_feature_map
from .inputs import MIN_ROWS, AuditInputs, on_features
from .report import AuditReport, report_samples, verdict_table
from .sources import as_rows, as_sampler, draw_rows
from .table_battery import audit_table
from .table_inputs import is_table_audit, read_real_tables
from .where import where_differs

__all__ = ["audit"]


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
    power_n=1000,
    mmd_n=1000,
    inception_splits=10,
    test_space="data",
    latent_dim=None,
    latent=None,
    labels=None,
    target=None,
    n_resamples=999,
    rng=None,
    device="cpu",
) -> AuditReport:
    r"""Audit a frozen generator: decide H0: generator = data at level `alpha`.

    Parameters
    ----------
    generated : array_like, DataFrame, torch.nn.Module, callable, GAN or path
        Generated rows ``(m, d)`` (a DataFrame of a table: the table audit, below);
        any ``torch.nn.Module`` mapping latent rows to samples (rows, or images that are flattened), trained anywhere
        (:class:`ModuleSampler`: batched, on `device`, without gradients); a
        callable ``sample(n, rng) -> rows``; a :class:`gan.GAN`; a checkpoint
        ``.pt`` (safe loading) or a ``.npy`` / ``.csv`` / ``.parquet`` file of rows.
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
    features : None, str, torch.nn.Module or callable
        Feature map for the Fréchet distance, KID and precision/recall
        (default: raw rows): a name in :data:`FEATURE_MAPS` (``"digits"``:
        :func:`digits_features`), any ``torch.nn.Module`` (:class:`ModuleFeatures`:
        batched, on `device`, without gradients; wrap it yourself for
        ``input_shape`` or a logits head), or a callable ``rows -> features``.
        Embeddings are computed once per audit and shared by the checks. No
        weights are downloaded: to score with Inception or CLIP features, pass
        the network whose weights you have (docs/audit.md).
    test_space : {"data", "features"}, default "data"
        Where the tests (C2ST, MMD, per-feature, copying, critics, power curve)
        run: on the rows as drawn, or on their embeddings (images through a
        feature network, say).
    dataset : str or gan.data.datasets.Dataset, optional
        A known mixture (``"ring"``, ``"grid"``) for the mode scores.
    feature_test : {"ks", "ad"}, default "ks"
        Per-feature test: KS with SciPy's nulls, or Anderson-Darling with the
        limiting law of :math:`A^2` (:func:`twosample.anderson_test`, ``method="asymptotic"``).
    feature_correction : {"holm", "fdr_bh"}, default "holm"
        Correction across features (statsmodels); the family's p-value is the
        smallest adjusted one.
    critic_steps : int, default 300
        Training steps of the fresh JS / KL critics.
    power_reps : int, default 20
        Repetitions per size of the C2ST power curve (``"sample_size"``), each
        on its own stream (:func:`twosample.power`).
    power_n : int, default 1000
        Largest size a side of the power curve (five sizes up to it, geometric;
        at most half the held-out rows, drawn without replacement).
    mmd_n : int or None, default 1000
        Rows a side the aggregated MMD test sees, drawn without replacement
        (its cost grows as the square; None: all rows).
    inception_splits : int, default 10
        Splits of the Inception score (torch-fidelity's default).
    latent_dim : int or tuple, optional
        A module's latent shape, when it cannot be read from the module.
    latent : callable, optional
        A module's latent law, ``latent(shape, rng) -> array`` (default standard normal).
    labels : (array_like, array_like), optional
        Class labels of `real_train` and `real_test`, for a conditional
        generator (a conditional :class:`gan.GAN`, a module called as
        ``module(z, labels)``, or ``sample(n, rng, labels=c)``): each class c is
        audited on its own rows against the generator's rows of class c, and
        all the classes' tests are corrected together (Holm); the table gains a
        ``class`` column.
    target : str, optional
        Tables: the column to predict for the utility scores (train on synthetic,
        test on real, beside train on real), not part of the verdict.
    n_resamples : int, default 999
        Tables: relabellings of the column, pair, MMD and copying tests.
    rng : None, int, SeedSequence or Generator
    device : str, default "cpu"
        For the critics and a module generator.

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

    **Tables.** When the real rows are DataFrames with a column that is not a number
    (categories, booleans, text) or with missing values, when `generated` is a GAN of a
    table, or when `target` is given, the audit is that of a synthetic table
    (:mod:`gan.auditing.table_battery`): per-column comparison (:func:`twosample.compare`,
    Holm), the mixed-type C2ST and MMD, pair-wise dependence (maxT over pairs), the copying
    exchange test with the distance to the closest record, and the utility scores; the five
    tests corrected together by Holm, the verdict naming the columns that differ and the worst
    pair. `generated` is then a DataFrame of rows, a table GAN, a callable ``sample(n, rng)``
    or an object with ``.sample(n)`` (a ``ctgan`` model) returning DataFrames. The options of
    images and feature maps (`features`, `dataset`, `labels`, `test_space`) do not apply.
    """
    real_train, real_test = read_real_tables(real_train, real_test)
    if is_table_audit(generated, real_train, real_test, target):
        _no_image_options(features=features, dataset=dataset, labels=labels, test_space=test_space)
        table = dict(alpha=alpha, n=n, checks=checks, target=target, n_resamples=n_resamples, mmd_n=mmd_n, rng=rng)
        return audit_table(generated, real_train, real_test, **table)
    options = dict(
        feature_test=check_choice(feature_test, "feature_test", ("ks", "ad")),
        feature_correction=check_choice(feature_correction, "feature_correction", ("holm", "fdr_bh")),
        critic_steps=check_int(critic_steps, "critic_steps"),
        power_reps=check_int(power_reps, "power_reps"),
        power_n=check_int(power_n, "power_n", minimum=MIN_ROWS),
        mmd_n=None if mmd_n is None else check_int(mmd_n, "mmd_n", minimum=MIN_ROWS),
        inception_splits=check_int(inception_splits, "inception_splits"),
        test_space=check_choice(test_space, "test_space", ("data", "features")),
        device=device,
        module=dict(latent_dim=latent_dim, latent=latent, device=device),
    )
    if options["test_space"] == "features" and features is None:
        raise ValueError(
            "`test_space='features'` needs `features` (a feature map); without one the tests run on the data."
        )
    common = dict(alpha=alpha, n=n, checks=checks, features=features, dataset=dataset, options=options)
    if labels is not None:
        return _audit_by_class(generated, real_train, real_test, labels, common, rng)
    return _audit_one(_prepare(generated, real_train, real_test, rng=rng, **common), checks)


def _no_image_options(**given):
    """A table audit refuses the options of vectors and images, by name."""
    defaults = dict(features=None, dataset=None, labels=None, test_space="data")
    wrong = [n for n, v in given.items() if (v is not None if defaults[n] is None else v != defaults[n])]
    if wrong:
        raise ValueError(f"{', '.join(f'`{w}`' for w in wrong)}: not an option of a table audit; leave it out.")


def _audit_one(inputs: AuditInputs, checks) -> AuditReport:
    """Run the wanted checks on one audit's inputs and give the verdict."""
    for check in REGISTRY:  # asked for by name, a check must be able to run
        reason = missing_input(check, inputs) if checks is not None and check.name in inputs.wanted else None
        if reason:
            raise ValueError(f"`checks`: {reason}.")
    rows, details = [], {}
    # A bar on a terminal when the caller asked for progress (the gan command does); the core tests
    # it runs show their own (the aggregated MMD's relabellings).
    with progress_bar(None, progress_enabled(), desc="audit", unit="score") as bar:
        for check in REGISTRY:
            if check.name not in inputs.wanted or missing_input(check, inputs):
                continue  # by default a check runs where its inputs exist
            found, detail = check.run(inputs, inputs.stream(check.name))
            rows += [{"in_verdict": check.in_verdict, **row} for row in found]  # a row may say it is a score
            if detail is not None:
                details[check.name] = detail
            bar.set_postfix_str(check.name, refresh=False)
            bar.update(len(found))
    where = where_differs(inputs, details)
    if where is not None:
        details["where"] = where
    table, reject, verdict = verdict_table(rows, inputs.alpha)
    return AuditReport(table, reject, verdict, inputs.alpha, details, inputs.samples)


def _audit_by_class(generated, real_train, real_test, labels, common, rng) -> AuditReport:
    """One audit per class of `real_test`'s labels, all tests corrected together."""
    draw, _ = as_sampler(generated, common["options"]["module"])
    if draw is None:
        raise ValueError(
            "`labels`: a per-class audit draws each class from the generator; pass a conditional generator "
            "(a conditional GAN, a module called as module(z, labels), or sample(n, rng, labels=c)), not rows."
        )
    real_train, real_test = as_rows(real_train, "real_train"), as_rows(real_test, "real_test")
    y_train, y_test = _class_labels(labels, len(real_train), len(real_test))
    classes = np.unique(y_test)
    streams = np.random.SeedSequence(int(check_rng(rng).integers(0, 2**63 - 1))).spawn(len(classes))
    rows, details, samples = [], {}, []
    for c, stream in zip(classes, streams):
        label = c.item()
        inputs = _prepare(
            functools.partial(_draw_class, draw, label),
            real_train[y_train == c],
            real_test[y_test == c],
            rng=np.random.default_rng(stream),
            **common,
        )
        report = _audit_one(inputs, common["checks"])
        rows += [
            dict(row, **{"class": label})
            for row in report.table.drop(columns=["pvalue_holm", "reject"]).to_dict("records")
        ]
        details.update({(label, name): value for name, value in report.details.items()})
        samples.append(report.samples)
    table, reject, verdict = verdict_table(rows, common["alpha"])
    merged = {key: np.vstack([s[key] for s in samples])[:2000] for key in ("real", "generated")}
    merged["image_shape"] = samples[0]["image_shape"] or getattr(draw, "image_shape", None)  # a module's images
    return AuditReport(table, reject, verdict, common["alpha"], details, dict(samples[0], **merged))


def _draw_class(draw, label, n, rng):
    return draw(n, rng, labels=label)


def _class_labels(labels, n_train, n_test):
    """(train labels, test labels) as integer arrays of the right lengths, else an error naming `labels`."""
    if not isinstance(labels, (tuple, list)) or len(labels) != 2:
        raise ValueError("`labels` must be a pair (labels of real_train, labels of real_test).")
    out = []
    for values, n, name in ((labels[0], n_train, "real_train"), (labels[1], n_test, "real_test")):
        arr = np.asarray(values)
        if arr.shape != (n,) or not np.issubdtype(arr.dtype, np.integer):
            raise ValueError(
                f"`labels`: the labels of {name} must be {n} integers, got shape {arr.shape} ({arr.dtype})."
            )
        out.append(arr)
    return out


def _prepare(generated, real_train, real_test, *, alpha, n, checks, features, dataset, options, rng) -> AuditInputs:
    """Validate the audit's arguments and draw the generated rows (in the order the first release did)."""
    alpha = check_alpha(alpha)
    generator = check_rng(rng)
    real_test = as_rows(real_test, "real_test")
    d = real_test.shape[1]
    real_train = as_rows(real_train, "real_train", d)
    wanted = wanted_checks(checks)
    draw, fixed = as_sampler(generated, options["module"])
    n = len(real_test) if n is None else check_int(n, "n", minimum=MIN_ROWS)
    if draw is not None:
        gen = draw_rows(draw, n, generator, d)
        gen_fit = draw_rows(draw, n, generator, d) if "divergence" in wanted else None
    else:
        gen, gen_fit = as_rows(fixed, "generated", d), None
    for name, arr in (("real_test", real_test), ("real_train", real_train), ("generated", gen)):
        if len(arr) < MIN_ROWS:
            raise ValueError(f"`{name}` has {len(arr)} rows; the audit needs at least {MIN_ROWS}.")
    gen_eval = gen
    if "divergence" in wanted and gen_fit is None:  # an array: critics fit on half, tested on the other half
        order = generator.permutation(len(gen))
        gen_fit, gen_eval = gen[order[: len(gen) // 2]], gen[order[len(gen) // 2 :]]
    inputs = AuditInputs(
        real_train,
        real_test,
        gen,
        gen_fit,
        gen_eval,
        draw,
        get_feature_map(features, device=options["device"]),
        None if dataset is None else get_dataset(dataset, name="dataset"),
        alpha,
        wanted,
        options,
        int(generator.integers(0, 2**63 - 1)),  # each check's stream: this and its name (AuditInputs.stream)
        raw_gen=gen,
    )
    inputs.samples = report_samples(inputs)
    return on_features(inputs) if options["test_space"] == "features" and inputs.features is not None else inputs
