"""Classifier two-sample tests: exact nulls, level for every statistic and null, reproducibility."""

import numpy as np
import pytest
from scipy import stats
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC

import twosample as ts
from twosample.learned.classifier_tests import _HeldOutStatistic, make_classifier


def shifted(n=200, m=200, shift=1.0, seed=0, d=2):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.normal(size=(m, d)) + np.r_[shift, np.zeros(d - 1)]


def test_hypergeometric_null_equals_enumerating_all_label_arrangements():
    rng = np.random.default_rng(1)
    for n_x, n_y in [(6, 5), (4, 7)]:
        scores_x, scores_y = rng.normal(0.5, 1, n_x), rng.normal(0, 1, n_y)
        exact = ts.permutation_test(
            scores_x[:, None], scores_y[:, None], _HeldOutStatistic("accuracy"), n_resamples=10_000
        )
        assert exact.method == "exact"
        total, tp = n_x + n_y, int((scores_x > 0).sum())
        predicted_1 = tp + int((scores_y > 0).sum())
        assert exact.pvalue == pytest.approx(stats.hypergeom(total, n_x, predicted_1).sf(tp - 1), rel=1e-12)


def test_reject_threshold_and_witness():
    x, y = shifted()
    res = ts.c2st_test(x, y, classifier="logistic", rng=0)
    assert res.reject and res.method == "exact" and (res.statistic > res.threshold) == res.reject
    assert len(res.scores_x) == 100 and len(res.scores_y) == 100 and res.x_test.shape == (100, 2)
    # The witness: the classifier's log-odds are larger where p has more mass (x is shifted left).
    assert np.corrcoef(res.x_test[:, 0], res.scores_x)[0, 1] < -0.9


@pytest.mark.parametrize("statistic", ["accuracy", "logit", "auc"])
def test_permutation_null_statistics(statistic):
    # shift 1.0: at 0.8 the held-out accuracy of one split (0.615) leaves p = 0.008, not the minimum
    x, y = shifted(shift=1.0)
    res = ts.c2st_test(x, y, classifier="logistic", statistic=statistic, null="permutation", n_resamples=499, rng=0)
    assert res.reject and res.method == "permutation" and res.pvalue == pytest.approx(1 / 500)
    if statistic == "auc":
        assert res.statistic == pytest.approx(stats.mannwhitneyu(res.scores_x, res.scores_y).statistic / 100**2)


def test_users_classifier_is_cloned_not_fitted():
    x, y = shifted()
    model = LogisticRegression(C=0.5)
    before = model.get_params()
    res = ts.c2st_test(x, y, classifier=model, rng=0)
    assert not hasattr(model, "coef_") and model.get_params() == before
    assert hasattr(res.classifier, "coef_") and res.classifier is not model
    svc = SVC()  # decision_function only
    assert ts.c2st_test(x, y, classifier=svc, rng=0).reject and not hasattr(svc, "support_")


def test_reproducible_and_n_jobs_invariant():
    x, y = shifted(n=60, m=50, shift=0.4)
    a = ts.c2st_test(x, y, classifier="knn", null="crossfit", n_resamples=29, rng=3)
    b = ts.c2st_test(x, y, classifier="knn", null="crossfit", n_resamples=29, rng=3, n_jobs=2)
    np.testing.assert_array_equal(a.null_distribution, b.null_distribution)
    assert a.pvalue == b.pvalue
    c, d = ts.c2st_test(x, y, rng=5), ts.c2st_test(x, y, rng=5)
    np.testing.assert_array_equal(c.scores_x, d.scores_x)


def test_presets():
    knn = make_classifier("knn", 400, 0)
    assert isinstance(knn, KNeighborsClassifier) and knn.n_neighbors == 20
    mlp = make_classifier("mlp", 400, 0)[-1]
    assert mlp.hidden == 20 and mlp.max_iter == 100 and mlp.random_state == 0  # scikit-learn's MLP, see below


def level_count(reps, seed, n, m, **kwargs):
    count = 0
    for child in np.random.SeedSequence(seed).spawn(reps):
        rng = np.random.default_rng(child)
        count += ts.c2st_test(rng.normal(size=(n, 2)), rng.normal(size=(m, 2)), rng=rng, **kwargs).reject
    return count


@pytest.mark.parametrize(
    ("kwargs", "sizes"),
    [
        (dict(classifier="logistic"), (40, 40)),
        (dict(classifier="knn"), (60, 20)),  # unequal: the chance level is not 1/2
        (dict(classifier="logistic", null="permutation", statistic="logit", n_resamples=99), (40, 25)),
        (dict(classifier="knn", null="permutation", statistic="auc", n_resamples=99), (30, 30)),
        (dict(classifier="logistic", null="permutation", statistic="accuracy", n_resamples=99), (50, 20)),
    ],
    ids=["binomial", "binomial-unequal", "logit", "auc", "accuracy-perm-unequal"],
)
def test_level(kwargs, sizes):
    reps = 300
    count = level_count(reps, 21, *sizes, **kwargs)
    lo, hi = stats.binom.interval(0.99, reps, 0.05)
    assert count <= hi, count / reps
    if kwargs.get("statistic") in ("logit", "auc"):  # continuous statistics: exact level
        assert count >= lo, count / reps


def test_level_crossfit():
    reps = 100
    count = level_count(reps, 22, 30, 20, classifier="knn", null="crossfit", folds=3, n_resamples=19)
    assert count <= stats.binom.interval(0.99, reps, 0.05)[1]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(statistic="f1"), ValueError, "`statistic` must be one of 'accuracy', 'logit', 'auc'"),
        (dict(null="bootstrap"), ValueError, "`null` must be one of 'binomial', 'permutation', 'crossfit'"),
        (dict(statistic="auc"), ValueError, "`null='binomial'` is for `statistic='accuracy'`"),
        (dict(classifier="forest"), ValueError, "`classifier` must be one of 'auto', 'mlp', 'logistic', 'knn'"),
        (dict(classifier=object()), TypeError, "`classifier` must be a preset name or a scikit-learn estimator"),
        (dict(test_size=1.5), ValueError, r"`test_size` must be a number in \(0, 1\)"),
        (dict(null="crossfit", folds=1), ValueError, "`folds` must be an integer >= 2"),
    ],
)
def test_errors_name_the_argument(kwargs, error, match):
    x, y = shifted(n=20, m=20)
    with pytest.raises(error, match=match):
        ts.c2st_test(x, y, **kwargs)


def test_torch_mlp_preset_and_estimator():
    from sklearn.base import clone

    from twosample.learned.torch_classifier import TorchMLPClassifier

    x, y = shifted(n=150, m=150, shift=1.2)
    a = ts.c2st_test(x, y, classifier="torch-mlp", rng=0)
    b = ts.c2st_test(x, y, classifier="torch-mlp", rng=0)
    assert a.reject and np.array_equal(a.scores_x, b.scores_x)  # reproducible from rng
    model = TorchMLPClassifier(epochs=20, random_state=0)
    assert clone(model).get_params() == model.get_params()
    res = ts.c2st_test(x, y, classifier=model, rng=1)
    assert res.reject and not hasattr(model, "module_")  # the user's object is untouched
    assert make_classifier("torch-mlp", 100, 0).hidden == 20


def test_torch_mlp_level():
    reps = 100
    count = level_count(reps, 23, 40, 40, classifier="torch-mlp")
    assert count <= stats.binom.interval(0.99, reps, 0.05)[1]


def test_auto_picks_the_linear_model_for_a_mean_shift_and_the_mlp_for_a_variance_change():
    from twosample.learned.classifier_tests import select_preset

    rng = np.random.default_rng(0)
    # 10-d mean shift: the MLP over-fits and logistic regression wins by more than a standard error
    x, y = rng.normal(size=(1500, 10)), rng.normal(size=(1500, 10)) + 0.15
    z, labels = np.vstack([x, y]), np.r_[np.ones(1500), np.zeros(1500)]
    assert select_preset(z, labels, seed=1) == "logistic"
    # a change of scale: no linear boundary
    x, y = rng.normal(size=(600, 2)), rng.normal(size=(600, 2)) * 2.0
    labels = np.r_[np.ones(600), np.zeros(600)]
    assert select_preset(np.vstack([x, y]), labels, seed=1) == "mlp"
    res = ts.c2st_test(x, y, rng=0)
    assert res.reject and type(res.classifier[-1]).__name__ == "LeanMLPClassifier"


def test_unbalanced_samples_are_not_a_blind_spot():
    # 2,000 reference rows against 100 shifted ones: thresholding the log-odds at 0 predicted the
    # majority class everywhere (p = 1); the scores are now log density ratios.
    rng = np.random.default_rng(1)
    ref, batch = rng.normal(size=(2000, 3)), rng.normal(size=(100, 3)) + [0.8, 0.0, 0.0]
    assert ts.c2st_test(ref, batch, classifier="logistic", rng=0).reject
    res = ts.c2st_test(ref, rng.normal(size=(100, 3)), classifier="logistic", rng=0)
    assert abs(float(np.mean(res.scores_x > 0)) - 0.5) < 0.3  # not one class everywhere


@pytest.mark.parametrize(("n", "d", "seed"), [(10, 1, 0), (37, 1, 1), (199, 3, 3), (401, 5, 4), (3000, 2, 6)])
def test_the_lean_mlp_computes_scikit_learns_mlp(n, d, seed):
    # the "mlp" preset's network, operation for operation (weights, shuffles, Adam, the stopping rule)
    import warnings

    from sklearn.neural_network import MLPClassifier

    from twosample.learned._mlp import LeanMLPClassifier

    rng = np.random.default_rng(seed)
    x, labels = rng.normal(size=(n, d)), (rng.random(n) < 0.4).astype(float)
    x[labels == 1] += 0.3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's ConvergenceWarning at 100 epochs
        theirs = MLPClassifier(hidden_layer_sizes=(20,), solver="adam", max_iter=100, random_state=seed).fit(x, labels)
    ours = LeanMLPClassifier(hidden=20, max_iter=100, random_state=seed).fit(x, labels)
    points = rng.normal(size=(200, d))
    np.testing.assert_array_equal(ours.predict_proba(points), theirs.predict_proba(points))
    np.testing.assert_array_equal(ours.predict(points), theirs.predict(points))
    assert ours.n_iter_ == theirs.n_iter_ and ours.loss_curve_ == theirs.loss_curve_
