r"""Classifier two-sample tests (C2ST): learn the statistic.

Label D1 (``x``) as 1 and D2 (``y``) as 0, train a classifier on part of the
data and test it on the rest. Its held-out score :math:`d(z)` (a log-odds, or a
probability) plays the role of :math:`\hat t - t_\alpha` in the textbook chapter: the
statistic is the held-out accuracy
:math:`\hat t = \frac1{n}\sum_{D_1}\mathbb 1\{d > 0\} + \frac1{m}\sum_{D_2}\mathbb 1\{d < 0\}`
(pooled over the held-out points), the mean logit difference (C2ST-L), or the AUC.

Nulls
-----
``"binomial"`` (accuracy only)
    The exact form of Lopez-Paz and Oquab's binomial null. Conditional on the
    trained classifier, under H0 the held-out labels are a uniformly random
    arrangement of :math:`n_1` ones among :math:`N` points, so the number of
    correct predictions is :math:`2\,TP + N - \hat n_1 - n_1` with
    :math:`TP \sim \mathrm{Hypergeometric}(N, n_1, \hat n_1)` (:math:`\hat n_1`:
    points predicted 1). Exact for any sizes; with unequal sizes the chance
    level is not 1/2 and this null accounts for it. (Binomial(N, 1/2) is only an
    approximation, conservative for balanced held-out sets.)
``"permutation"``
    Permutes the held-out labels with the classifier fixed (valid conditionally
    on the training part), through the package's permutation engine; any statistic.
``"crossfit"``
    K folds, every point scored once by a model that did not see it; the null
    re-runs the whole cross-fitting on relabelled data for each of
    ``n_resamples`` relabellings (the only simple scheme whose level is exact:
    the out-of-fold scores of different folds are not exchangeable). Costs
    ``K * (n_resamples + 1)`` fits: keep ``n_resamples`` modest and use cheap
    classifiers, or ``n_jobs``.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from typing import Literal

import numpy as np
from joblib import Parallel, delayed
from scipy import stats
from sklearn import config_context
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from twosample.core.resampling import CallableStatistic, PermutationStatistic, Resampling, holdout_split
from twosample.core.result import TestResult
from twosample.core.spec import choices, register
from twosample.core.validation import (
    check_choice,
    check_device,
    check_int,
    check_n_jobs,
    check_points,
    check_samples,
    contains_nan,
    scale_exponent,
    warn_if_constant,
)
from twosample.learned._mlp import LeanMLPClassifier

__all__ = ["C2STResult", "c2st_test", "make_classifier"]

STATISTICS = ("accuracy", "logit", "auc")
PRESETS = ("auto", "mlp", "logistic", "knn", "torch-mlp")
# "auto": logistic regression or the MLP, compared by cross-validation on the training split.
_AUTO_FOLDS = 3
_AUTO_MARGIN = -1.0  # the MLP unless logistic regression wins by more than one standard error


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class C2STResult(TestResult):
    """A :class:`~twosample.TestResult` with the classifier's held-out view of the data.

    Attributes
    ----------
    scores_x, scores_y : numpy.ndarray
        Held-out scores of the x and y points that were tested: the classifier's
        log-odds of "from p" less the training split's prior log-odds (an estimate
        of log p/q): large on regions where p has more mass than q, the witness of
        the difference.
    x_test, y_test : numpy.ndarray
        Those held-out points, in the units of the data passed.
    classifier : estimator or None
        The fitted clone (None for ``null="crossfit"``, which fits one per fold). The
        presets were fitted on the data times ``2**-scale_exponent``; :meth:`scores`
        applies it to points in the data's units.
    scale_exponent : int
        The power of two the presets' inputs were divided by (0 for a user's classifier).
    prior : float
        The training split's prior log-odds, subtracted from the classifier's log-odds.
    """

    scores_x: np.ndarray | None = None
    scores_y: np.ndarray | None = None
    x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    classifier: object = None
    scale_exponent: int = 0
    prior: float = 0.0

    def scores(self, points) -> np.ndarray:
        """The fitted classifier's score (log p/q estimate, as `scores_x`) at `points` (k, d), in the data's units.

        Raises a ValueError for ``null="crossfit"`` (no single classifier) and for
        `points` of another width or with NaN.
        """
        if self.classifier is None or self.x_test is None:
            raise ValueError("this result has no single fitted classifier (null='crossfit' fits one per fold).")
        points = check_points(points, self.x_test.shape[1])
        return _scores(self.classifier, np.ldexp(points, -self.scale_exponent)) - self.prior


def make_classifier(name: str, n_train: int, random_state: int, device="cpu"):
    """The preset classifier `name` ("mlp", "logistic", "knn", "torch-mlp") for `n_train` training points.

    * ``"mlp"``: one hidden layer of 20 ReLU units, Adam, 100 epochs, as in
      Lopez-Paz and Oquab (2017) (inputs standardised): scikit-learn's ``MLPClassifier`` with those
      settings, computed by :class:`~twosample.learned._mlp.LeanMLPClassifier` (the same numbers,
      without scikit-learn's per-epoch overhead: 3.5 times faster at n = 50);
    * ``"logistic"``: logistic regression (inputs standardised);
    * ``"knn"``: k nearest neighbours with k = floor(sqrt(n_train));
    * ``"torch-mlp"``: the same network as ``"mlp"`` in torch
      (:class:`~twosample.learned.torch_classifier.TorchMLPClassifier`), on ``device``.
    """
    check_choice(name, "classifier", PRESETS[1:])
    if name == "torch-mlp":
        from twosample.learned.torch_classifier import TorchMLPClassifier

        return TorchMLPClassifier(random_state=random_state, device=device)
    if name == "mlp":
        return make_pipeline(
            StandardScaler(),
            LeanMLPClassifier(hidden=20, max_iter=100, random_state=random_state),
        )
    if name == "logistic":
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    return KNeighborsClassifier(n_neighbors=max(1, math.isqrt(max(n_train, 1))))


def _call_model(model, method, *args):
    """``model.method(*args)``; a failure inside the user's classifier is an error naming `classifier`."""
    try:
        return getattr(model, method)(*args)
    except Exception as exc:
        raise ValueError(
            f"`classifier` failed in {method}: {type(exc).__name__}: {' '.join(str(exc).split())}"
        ) from exc


def _scores(model, z):
    """Log-odds of class 1 from decision_function or predict_proba (clipped away from 0 and 1)."""
    if hasattr(model, "decision_function"):
        out = np.asarray(_call_model(model, "decision_function", z), dtype=float)
        if out.ndim == 1:
            if out.shape != (len(z),) or not np.isfinite(out).all():
                raise ValueError(f"`classifier`'s decision_function must give {len(z)} finite scores.")
            return out
    proba = np.asarray(_call_model(model, "predict_proba", z), dtype=float)
    classes = list(getattr(model, "classes_", [0, 1]))
    if proba.ndim != 2 or proba.shape != (len(z), 2) or 1 not in classes or not np.isfinite(proba).all():
        raise ValueError(
            f"`classifier`'s predict_proba must give finite probabilities of shape ({len(z)}, 2) "
            f"for the classes 0 and 1; got shape {proba.shape}"
            + ("" if np.isfinite(proba).all() else " with NaN or infinite values")
            + "."
        )
    p1 = np.clip(proba[:, classes.index(1)], 1e-12, 1 - 1e-12)
    return np.log(p1) - np.log1p(-p1)


def _check_classifier(classifier):
    if classifier is None or isinstance(classifier, str):
        return None if classifier is None else check_choice(classifier, "classifier", PRESETS)
    if isinstance(classifier, type):
        raise TypeError(
            f"`classifier` must be an estimator instance, e.g. {classifier.__name__}(), "
            f"not the class {classifier.__name__}."
        )
    if not hasattr(classifier, "fit") or not (
        hasattr(classifier, "predict_proba") or hasattr(classifier, "decision_function")
    ):
        raise TypeError(
            "`classifier` must be a preset name or a scikit-learn estimator with fit and "
            "predict_proba or decision_function."
        )
    return classifier


def _fit_preset(name, z, labels, seed, device, *, scaled=False):
    """The preset `name` fitted on (z, labels); `scaled`: `z` is already standardised, fit the
    pipeline's last step alone (the "mlp" and "logistic" presets)."""
    model = make_classifier(name, len(z), seed, device)
    if scaled:
        model = model[-1]
    with warnings.catch_warnings():
        # The "mlp" preset stops at 100 epochs by design (Lopez-Paz and Oquab's setting).
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(z, labels)


def select_preset(z, labels, seed, device="cpu") -> str:
    """The "auto" choice between logistic regression and the MLP, from the training data alone.

    Both are cross-validated on the training split (3 stratified folds, seeded: every training
    point is scored once by models that did not see it) by per-point log-loss, a proper scoring
    rule. The MLP is chosen unless logistic regression is better by more than one standard error
    of the paired loss differences. Measured (benchmarks/bench_c2st.py, bench_c2st_lpo.py):
    logistic regression on every mean shift at n = m = 10,000, d = 20, where the MLP alone is
    blind; the MLP on every Student-t sample of Lopez-Paz and Oquab's experiment at n = 500
    and 2,000, where a linear model cannot see a change of tails. Preferring logistic
    regression unless the MLP won by one standard error chose it on 44% of those t samples
    (power 0.56 against the MLP's 0.90). Only training data are used, so the held-out test
    stays valid.
    """
    counts = np.bincount(labels.astype(int), minlength=2)
    if counts.min() < _AUTO_FOLDS:
        return "logistic"
    folds = StratifiedKFold(n_splits=_AUTO_FOLDS, shuffle=True, random_state=seed % (2**32))
    losses = np.zeros((2, len(labels)))
    for fit_idx, val_idx in folds.split(z, labels):
        # Both presets are StandardScaler pipelines: the fold's scaler is fitted once and the two
        # models on its output, the numbers each pipeline would compute (fit_transform, transform).
        scaler = StandardScaler().fit(z[fit_idx])
        z_fit, z_val = scaler.transform(z[fit_idx]), scaler.transform(z[val_idx])
        for row, name in enumerate(("logistic", "mlp")):
            model = _fit_preset(name, z_fit, labels[fit_idx], seed, device, scaled=True)
            proba = np.clip(model.predict_proba(z_val)[:, 1], 1e-12, 1 - 1e-12)
            l_val = labels[val_idx]
            losses[row, val_idx] = -(l_val * np.log(proba) + (1 - l_val) * np.log1p(-proba))
    gain = losses[0] - losses[1]  # > 0 where the MLP is better
    better = gain.mean() > _AUTO_MARGIN * gain.std(ddof=1) / math.sqrt(len(gain))
    return "mlp" if better else "logistic"


def _fit(classifier, z, labels, seed, device="cpu"):
    if classifier is None or isinstance(classifier, str):
        name = classifier or "auto"
        # The presets' parameters are ours and the data were checked finite: scikit-learn's own
        # checks of both, on each of the auto rule's seven fits, were a tenth of a C2ST at n = 25.
        with config_context(assume_finite=True, skip_parameter_validation=True):
            if name == "auto":
                name = select_preset(z, labels, seed, device)
            return _fit_preset(name, z, labels, seed, device)
    # Never fit the user's object: a clone (a deep copy when it has no get_params).
    model = clone(classifier, safe=False)
    if hasattr(model, "get_params") and "random_state" in model.get_params():
        model.set_params(random_state=seed)
    _call_model(model, "fit", z, labels)
    return model


class _HeldOutStatistic(PermutationStatistic):
    """Accuracy, mean logit difference or AUC of fixed held-out scores under relabelling."""

    def __init__(self, statistic):
        self.statistic = statistic

    def bind(self, pooled, n_x):
        s = pooled[:, 0]
        n_y = len(s) - n_x
        positive = (s > 0).astype(float)
        ranks = stats.rankdata(s)

        def evaluate(masks):
            m = masks.astype(float)
            if self.statistic == "accuracy":
                hits_x = m @ positive
                hits_y = n_y - ((1 - m) @ positive)
                return (hits_x + hits_y) / len(s)
            if self.statistic == "logit":
                sum_x = m @ s
                return sum_x / n_x - (s.sum() - sum_x) / n_y
            return (m @ ranks - n_x * (n_x + 1) / 2) / (n_x * n_y)

        return evaluate


def _crossfit_statistic(classifier, statistic, folds, seeds, device="cpu"):
    """A fixed function (x, y) -> out-of-fold statistic, for the crossfit null."""

    def compute(x, y):
        z = np.vstack([x, y])
        labels = np.r_[np.ones(len(x)), np.zeros(len(y))]
        scores = np.empty(len(z))
        for k in range(folds.max() + 1):
            test = folds == k
            model = _fit(classifier, z[~test], labels[~test], seeds[k], device)
            scores[test] = _scores(model, z[test])
        return float(_HeldOutStatistic(statistic)(scores[: len(x)], scores[len(x) :]))

    return compute


@register("c2st", description="classifier two-sample test (MLP, held-out accuracy, exact null)")
def c2st_test(
    x,
    y,
    *,
    classifier=None,
    statistic="accuracy",
    test_size=0.5,
    null: Literal["binomial", "permutation", "crossfit"] = "binomial",
    folds=5,
    alpha=0.05,
    n_resamples=999,
    rng=None,
    n_jobs=1,
    device="cpu",
    nan_policy: Literal["raise", "propagate", "omit"] = "raise",
) -> C2STResult:
    r"""Classifier two-sample test (Lopez-Paz and Oquab 2017).

    Parameters
    ----------
    x, y : array_like, shape (n, d) and (m, d)
        Samples from p (label 1) and q (label 0).
    classifier : None, str or estimator
        ``None`` (default) or ``"auto"``: the ``"mlp"``, or logistic regression when
        its cross-validated log-loss on the training split (3 folds) is lower by
        more than one standard error (:func:`select_preset`); the choice is
        refitted on the whole training split and the held-out part is not touched,
        so the null is unchanged. ``"mlp"``: one
        hidden layer of 20 ReLU units (Lopez-Paz and Oquab's C2ST-NN);
        ``"logistic"``; ``"knn"`` (k = floor(sqrt(n_train))); or any
        scikit-learn-compatible estimator with ``fit`` and ``predict_proba`` or
        ``decision_function``. It is cloned, never fitted in place; its
        ``random_state``, if any, is set from `rng`. ``"torch-mlp"``: the
        ``"mlp"`` network in torch, trained on `device`.
    statistic : {"accuracy", "logit", "auc"}, default "accuracy"
        Held-out accuracy (threshold at log-odds 0), mean log-odds difference
        between x and y points (C2ST-L), or the area under the ROC curve.
    test_size : float, default 0.5
        Held-out fraction of each sample (not used by ``null="crossfit"``).
    null : {"binomial", "permutation", "crossfit"}, default "binomial"
        See the module notes; ``"binomial"`` requires ``statistic="accuracy"``.
    folds : int, default 5
        K for ``null="crossfit"``.
    alpha : float, default 0.05
    n_resamples : int, default 999
        Relabellings for the permutation and crossfit nulls.
    rng : None, int, SeedSequence or Generator
        Seeds the split, the folds, the classifiers and the relabellings.
    n_jobs : int, default 1
        joblib workers for the per-fold fits of ``null="crossfit"``; the
        result does not depend on it.
    device : str, default "cpu"
        Where the ``"torch-mlp"`` preset trains (e.g. ``"cuda"``).
    nan_policy : {"raise", "propagate", "omit"}, default "raise"
        Rows that contain a NaN, as in SciPy: ``"raise"``, an error; ``"propagate"``, a
        result with NaN statistic and p-value (``reject=False``) without running the test;
        ``"omit"``, each sample's rows with a NaN are dropped and the test runs on the rest.
        Infinite values are an error under every policy.

    Returns
    -------
    C2STResult
        A TestResult with the held-out scores (the witness), the held-out
        points and the fitted classifier. The statistic is on its own scale
        (accuracy or AUC in [0, 1]; log-odds difference).

    Examples
    --------
    >>> import numpy as np
    >>> from twosample import c2st_test
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.normal(size=(300, 2)), rng.normal(size=(300, 2)) + [1.0, 0.0]
    >>> res = c2st_test(x, y, classifier="logistic", rng=0)
    >>> res.reject, res.method, 0.6 < res.statistic < 0.8
    (True, 'exact', True)
    """
    x, y = check_samples(x, y, min_rows=2, nan_policy=nan_policy)
    check_choice(statistic, "statistic", STATISTICS)
    check_choice(null, "null", choices(c2st_test, "null"))
    options = Resampling.of(c2st_test, alpha=alpha, n_resamples=n_resamples, rng=rng)
    n_jobs = check_n_jobs(n_jobs)
    device = check_device(device)
    classifier = _check_classifier(classifier)
    if null == "binomial" and statistic != "accuracy":
        raise ValueError(f"`null='binomial'` is for `statistic='accuracy'`; use null='permutation' for {statistic!r}.")
    if contains_nan(x, y):
        return C2STResult.extend(options.nan_result(x, y, method=null))
    shift = 0
    if classifier is None or isinstance(classifier, str):
        # The presets are scale-equivariant (standardised inputs, or distances): rescaling by a power
        # of two changes nothing at scale 1 and keeps data near 1e300 or 1e-300 in range.
        shift = scale_exponent(x, y)
        x, y = np.ldexp(x, -shift), np.ldexp(y, -shift)
    generator = options.rng
    warn_if_constant(np.vstack([x, y]))
    if null == "crossfit":
        return _c2st_crossfit(x, y, classifier, statistic, folds, options, n_jobs, device)
    (x_train, x_test), (y_train, y_test) = holdout_split(x, y, test_size, generator)
    z_train = np.vstack([x_train, y_train])
    labels = np.r_[np.ones(len(x_train)), np.zeros(len(y_train))]
    model = _fit(classifier, z_train, labels, int(generator.integers(0, 2**31 - 1)), device)
    # Log density ratios: the classifier's log-odds less the training prior's, so that the accuracy
    # thresholds at p(z) = q(z) and an unbalanced training split does not predict one class only.
    prior = math.log(len(x_train) / len(y_train))
    scores_x, scores_y = _scores(model, x_test) - prior, _scores(model, y_test) - prior
    extra = dict(
        scores_x=scores_x,
        scores_y=scores_y,
        x_test=np.ldexp(x_test, shift),
        y_test=np.ldexp(y_test, shift),
        classifier=model,
        scale_exponent=shift,
        prior=prior,
    )

    if null == "permutation":
        res = options.run(scores_x[:, None], scores_y[:, None], _HeldOutStatistic(statistic))
        return C2STResult.extend(res, n_x=len(x), n_y=len(y), **extra)

    return _binomial_result(scores_x, scores_y, options, len(x), len(y), extra)


def _binomial_result(scores_x, scores_y, options: Resampling, n_x_all, n_y_all, extra) -> C2STResult:
    """The held-out accuracy (threshold p = q) with its exact conditional (hypergeometric) null."""
    n_x, n_y = len(scores_x), len(scores_y)
    total = n_x + n_y
    predicted_1 = int(np.count_nonzero(scores_x > 0) + np.count_nonzero(scores_y > 0))
    tp = int(np.count_nonzero(scores_x > 0))
    correct = 2 * tp + total - predicted_1 - n_x
    null_tp = stats.hypergeom(total, n_x, predicted_1)
    pvalue = float(null_tp.sf(tp - 1))  # P(TP >= tp) = P(correct >= observed)
    # Smallest accuracy a with P(correct >= a N) <= alpha; reject iff statistic > threshold.
    tp_crit = int(null_tp.isf(options.alpha))  # P(TP > tp_crit) <= alpha
    threshold = (2 * tp_crit + total - predicted_1 - n_x) / total
    return C2STResult.from_analytic(
        statistic=correct / total,
        pvalue=pvalue,
        alpha=options.alpha,
        threshold=threshold,
        method="exact",
        n_x=n_x_all,
        n_y=n_y_all,
        test=options.test,
        seed=options.seed,
        **extra,
    )


def _c2st_crossfit(x, y, classifier, statistic, folds, options: Resampling, n_jobs, device):
    generator = options.rng
    folds = check_int(folds, "folds", minimum=2)
    n_total = len(x) + len(y)
    if folds > min(len(x), len(y)):
        raise ValueError(f"`folds` = {folds} exceeds the smaller sample size {min(len(x), len(y))}.")
    fold_of = generator.permutation(np.arange(n_total) % folds)
    seeds = [int(s) for s in generator.integers(0, 2**31 - 1, size=folds)]
    compute = _crossfit_statistic(classifier, statistic, fold_of, seeds, device)

    if n_jobs in (None, 1):
        statistic_fn = CallableStatistic(compute, squeeze=False)
    else:  # the same function, its relabellings spread over workers in order
        statistic_fn = _ParallelStatistic(compute, n_jobs)
    return C2STResult.extend(options.run(x, y, statistic_fn))


class _ParallelStatistic(PermutationStatistic):
    """Evaluates a per-relabelling function over a batch with joblib (order preserved)."""

    def __init__(self, func, n_jobs):
        self.func = func
        self.n_jobs = n_jobs

    def bind(self, pooled, n_x):
        def evaluate(masks):
            values = Parallel(n_jobs=self.n_jobs)(delayed(self.func)(pooled[m], pooled[~m]) for m in masks)
            return np.asarray(values, dtype=float)

        return evaluate
