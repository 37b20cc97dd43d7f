"""gan.audit: level, power, memorisation, Fréchet distance, inputs, report and CLI."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from scipy import linalg, stats

import gan
from gan import auditing as A
from gan import datasets

VERDICT = ["c2st", "mmd", "features", "copying"]


def test_anderson_feature_family_can_reject_among_many_features():
    # SciPy's AD table floors p at 0.001: Holm over 64 features could then never go below 0.064
    rng = np.random.default_rng(0)
    train, test = rng.normal(size=(300, 64)), rng.normal(size=(300, 64))
    gen = rng.normal(size=(300, 64))
    gen[:, 5] += 1.0
    report = gan.audit(gen, train, test, checks=["features"], feature_test="ad", rng=0)
    assert report.table.set_index("check").loc["features", "reject"]
    assert "worst feature 5" in report.table.set_index("check").loc["features", "note"]


RING = datasets.get_dataset("ring")


def _ring_split(seed, n_train=3000, n_test=2500):
    rng = np.random.default_rng(seed)
    return RING.sampler(n_train, rng), RING.sampler(n_test, rng)


# --- Fréchet distance ------------------------------------------------------------------------


def test_frechet_distance_is_zero_for_identical_sets_and_symmetric():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(500, 6)), rng.normal(size=(400, 6)) * 1.3 + 0.2
    assert A.frechet_distance(x, x) == pytest.approx(0.0, abs=1e-9)
    assert A.frechet_distance(x, y) == pytest.approx(A.frechet_distance(y, x), rel=1e-9)
    assert A.frechet_distance(x, y) > 0.5


def test_frechet_distance_matches_the_closed_form_between_gaussians():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(4, 4)), rng.normal(size=(4, 4))
    s1, s2 = a @ a.T + np.eye(4), b @ b.T + 0.5 * np.eye(4)
    m1, m2 = rng.normal(size=4), rng.normal(size=4)
    root1 = linalg.sqrtm(s1).real  # the symmetric form tr(S1 + S2 - 2 (S1^1/2 S2 S1^1/2)^1/2)
    expected = np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 - 2 * linalg.sqrtm(root1 @ s2 @ root1).real)
    assert A.frechet_distance_gaussians(m1, s1, m2, s2) == pytest.approx(expected, rel=1e-9)
    # diagonal covariances: sum (sqrt a - sqrt b)^2
    assert A.frechet_distance_gaussians([0, 0], np.diag([1.0, 4.0]), [1, 0], np.diag([4.0, 9.0])) == pytest.approx(
        1 + 1 + 1
    )
    # and from large samples
    x = rng.multivariate_normal(m1, s1, 200_000)
    y = rng.multivariate_normal(m2, s2, 200_000)
    assert A.frechet_distance(x, y) == pytest.approx(expected, rel=0.02)


def test_frechet_distance_on_singular_features_follows_pytorch_fid():
    # Fewer rows than features and dead columns, as with large feature networks: pytorch-fid and
    # torch-fidelity take SciPy's root of the singular product as it is (an offset only if not finite).
    rng = np.random.default_rng(3)
    x, y = np.maximum(rng.normal(size=(40, 60)), 0), np.maximum(rng.normal(0.2, 1, size=(40, 60)), 0)
    x[:, :5] = y[:, :5] = 0.0
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    diff = x.mean(0) - y.mean(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SciPy's note that the product is singular
        root = linalg.sqrtm(s1 @ s2)
    expected = diff @ diff + np.trace(s1) + np.trace(s2) - 2 * np.trace(root.real)
    assert A.frechet_distance(x, y) == pytest.approx(expected, rel=1e-12)


def test_frechet_distance_survives_a_singular_covariance():
    x = np.zeros((50, 3))
    x[:, 0] = np.arange(50.0)
    assert np.isfinite(A.frechet_distance(x, x + 1.0))
    assert A.frechet_distance(x, x + 1.0) == pytest.approx(3.0, abs=1e-3)


# --- scores ------------------------------------------------------------------------------------


def test_precision_recall_density_coverage_extremes():
    rng = np.random.default_rng(2)
    real = rng.normal(size=(300, 2))
    same = A.precision_recall_density_coverage(real, real.copy())
    assert same["precision"] == 1 and same["recall"] == 1 and same["coverage"] == 1
    fresh = A.precision_recall_density_coverage(real, rng.normal(size=(300, 2)))
    assert fresh["density"] == pytest.approx(1.0, abs=0.15)  # E[density] = 1 for equal distributions
    far = A.precision_recall_density_coverage(real, real + 100)
    assert far == {"precision": 0.0, "recall": 0.0, "density": 0.0, "coverage": 0.0}
    collapsed = A.precision_recall_density_coverage(real, np.tile(real[:1], (300, 1)) + 1e-3 * real)
    assert collapsed["precision"] > 0.9 and collapsed["recall"] < 0.2  # quality without diversity


def _prdc_reference(real, fake, k, strict):
    """The four scores from full matrices of distances computed from differences (scipy's cdist):
    ``prdc``'s rule when strict (inside the ball), Kynkäänniemi et al.'s when not (boundary included)."""
    from scipy.spatial.distance import cdist

    inside = np.less if strict else np.less_equal
    r_real = np.partition(cdist(real, real), k, axis=1)[:, k]
    r_fake = np.partition(cdist(fake, fake), k, axis=1)[:, k]
    d = cdist(real, fake)
    return {
        "precision": inside(d, r_real[:, None]).any(0).mean(),
        "recall": inside(d, r_fake[None, :]).any(1).mean(),
        "density": inside(d, r_real[:, None]).sum(0).mean() / k,
        "coverage": inside(d.min(1), r_real).mean(),
    }


@pytest.mark.parametrize("boundary", ["exclude", "include"])
def test_prdc_decides_ties_exactly_like_a_reimplementation_of_each_convention(boundary, monkeypatch):
    # Integer-valued rows with memorised copies: many distances tie with a radius exactly.
    rng = np.random.default_rng(0)
    real = np.round(rng.normal(size=(400, 5)) * 2)
    fake = np.vstack([real[:150], np.round(rng.normal(size=(250, 5)) * 2)])
    expected = _prdc_reference(real, fake, 5, strict=boundary == "exclude")
    found = A.precision_recall_density_coverage(real, fake, boundary=boundary)
    assert found == pytest.approx(expected, abs=1e-12)
    from gan.auditing import scores

    monkeypatch.setattr(scores, "_BLOCK_BYTES", 8 * 400 * 7)  # blocks of 7 rows: the same answer
    assert A.precision_recall_density_coverage(real, fake, boundary=boundary) == found


def test_prdc_of_a_set_against_its_own_copy():
    real = np.random.default_rng(1).normal(size=(300, 3))
    assert A.precision_recall_density_coverage(real, real.copy())["density"] == 1.0
    assert A.precision_recall_density_coverage(real, real.copy(), boundary="include")["density"] == 1.2
    with pytest.raises(ValueError, match="`boundary`"):
        A.precision_recall_density_coverage(real, real, boundary="inside")


def test_kid_is_near_zero_under_h0_and_positive_under_h1():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(1000, 4)), rng.normal(size=(1000, 4))
    mean, sd = A.kid(x, y, n_subsets=20, subset_size=500, rng=0)
    assert abs(mean) < 3 * sd + 1e-3
    mean, sd = A.kid(x, y + 0.5, n_subsets=20, subset_size=500, rng=0)
    assert mean > 10 * sd


def _c_t_reference(train, test, generated, km, tau_rows=20):
    """Meehan et al.'s C_T re-implemented from their description: within each k-means cell, the
    nearest training row of the same cell, a continuity-corrected Mann-Whitney z, cells with more
    than `tau_rows` generated rows, weights the cells' share of held-out rows."""
    from scipy.spatial.distance import cdist

    c_train, c_test, c_gen = km.labels_, km.predict(test), km.predict(generated)
    total, weight = 0.0, 0.0
    for c in range(km.n_clusters):
        t, p, q = train[c_train == c], test[c_test == c], generated[c_gen == c]
        if len(q) <= tau_rows or len(p) == 0:
            continue
        lp, lq = cdist(p, t).min(1), cdist(q, t).min(1)
        u = (lq[:, None] > lp[None, :]).sum() + 0.5 * (lq[:, None] == lp[None, :]).sum()
        n, m = len(lp), len(lq)
        z = (u - (n * m / 2 - 0.5)) / np.sqrt(n * m * (n + m + 1) / 12)
        total, weight = total + len(p) / len(test) * z, weight + len(p) / len(test)
    return total / weight


def test_copying_statistic_follows_meehan_et_al():
    from sklearn.cluster import KMeans

    rng = np.random.default_rng(3)
    train, test = rng.normal(size=(1000, 10)), rng.normal(size=(400, 10))
    generated = np.vstack([train[:100] + 0.01 * rng.normal(size=(100, 10)), rng.normal(size=(300, 10))])
    res = A.copying_test(train, test, generated, cells=5, rng=4)
    seed = int(np.random.default_rng(4).integers(2**31 - 1))  # the k-means seed copying_test draws
    km = KMeans(n_clusters=5, n_init=3, random_state=seed).fit(train)
    assert res.statistic == pytest.approx(_c_t_reference(train, test, generated, km), rel=1e-10)
    assert res.statistic < 0 and res.cells_used == 5


def test_level_of_the_copying_test():
    # Generated rows from the data law, independent of the training set: p <= 0.05 at most 5% of
    # the time (99% binomial interval; the continuity correction makes it conservative).
    reps, count = 200, 0
    for child in np.random.SeedSequence(12).spawn(reps):
        rng = np.random.default_rng(child)
        train, test, gen = rng.normal(size=(400, 3)), rng.normal(size=(200, 3)), rng.normal(size=(200, 3))
        count += A.copying_test(train, test, gen, rng=rng).pvalue <= 0.05
    assert count <= stats.binom.interval(0.99, reps, 0.05)[1], count


def test_kid_subsets_are_smaller_than_the_samples():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(300, 3)), rng.normal(size=(300, 3))
    with pytest.raises(ValueError, match="`subset_size`"):
        A.kid(x, y)  # torch-fidelity's default of 1,000 rows is larger than the samples
    mean, sd = A.kid(x, y, subset_size=150, rng=0)
    assert sd > 0
    table = gan.audit(y, x, x, checks=["kid", "frechet"], rng=0).table.set_index("check")
    assert "150 rows" in table.loc["kid", "note"] and "(sd " in table.loc["kid", "note"]
    assert np.isnan(table.loc["kid", "ci_low"])  # an sd over subsets is no confidence interval
    assert table.loc["frechet", "ci_low"] < table.loc["frechet", "ci_high"]


def test_inception_score_splits():
    rng = np.random.default_rng(5)
    p = rng.dirichlet(np.full(10, 0.3), size=500)
    one, sd = A.inception_score(p, splits=1, rng=False)
    marginal = p.mean(0)
    assert one == pytest.approx(np.exp(np.mean(np.sum(p * np.log(p / marginal), 1))), rel=1e-12) and sd == 0
    parts = [A.inception_score(p[i * 50 : (i + 1) * 50], splits=1, rng=False)[0] for i in range(10)]
    assert A.inception_score(p, rng=False) == pytest.approx((np.mean(parts), np.std(parts)), rel=1e-12)
    with pytest.raises(ValueError, match="`splits`"):
        A.inception_score(p[:5], splits=10)


# --- the verdict -------------------------------------------------------------------------------


def test_level_of_the_corrected_battery():
    # A "generator" that samples from the data distribution, independently of the training
    # set, is rejected at most alpha of the time (99% binomial interval).
    reps, count = 60, 0
    for child in np.random.SeedSequence(10).spawn(reps):
        rng = np.random.default_rng(child)
        train, test = rng.normal(size=(300, 2)), rng.normal(size=(150, 2))
        report = gan.audit(lambda n, r: r.normal(size=(n, 2)), train, test, checks=VERDICT, rng=rng)
        count += report.reject
    assert count <= stats.binom.interval(0.99, reps, 0.05)[1], count


@pytest.mark.slow
def test_level_of_the_corrected_battery_long():
    reps, count = 300, 0
    for child in np.random.SeedSequence(11).spawn(reps):
        rng = np.random.default_rng(child)
        train, test = rng.normal(size=(300, 3)), rng.normal(size=(200, 3))
        count += gan.audit(lambda n, r: r.normal(size=(n, 3)), train, test, checks=VERDICT, rng=rng).reject
    assert count <= stats.binom.interval(0.99, reps, 0.05)[1], count


def _drop_first_mode(n, rng):
    x = RING.sampler(2 * n, rng)
    keep = np.abs(np.arctan2(x[:, 1], x[:, 0])) > 0.3  # the mode at angle 0 is gone
    return x[keep][:n]


def test_a_ring_generator_missing_one_mode_is_rejected_at_n_2500():
    train, test = _ring_split(4)
    report = gan.audit(_drop_first_mode, train, test, checks=VERDICT + ["modes"], dataset="ring", rng=0)
    assert report.reject
    table = report.table.set_index("check")
    assert table.loc["c2st", "reject"] and table.loc["features", "reject"]
    assert table.loc["modes captured", "statistic"] == 7
    assert "c2st" in report.verdict
    # where it differs: the data rows the fresh classifier is surest about lie in the dropped mode (angle 0)
    where = report.details["where"]
    assert where["missing"]["mode"]["mode"] == 0 and where["missing"]["mode"]["share"] >= 0.8
    assert "where (C2ST): the data has more mass than the generator near mode 0 at (1, 0)" in str(report)
    assert "where (MMD witness): the data has more mass than the generator near mode 0" in str(report)
    summary = json.loads(json.dumps(report.to_dict(), allow_nan=False))["where"]
    assert summary["missing"]["mode"]["mode"] == 0 and len(summary["missing"]["rows"]) == 10
    captions = [caption for caption, _ in report.figures()]
    assert any(caption.startswith("Where the generator differs") for caption in captions)
    assert captions[0] == "Generated samples beside held-out data"  # the ring's two coordinates are all of it


def test_where_names_whichever_mode_is_dropped():
    rng = np.random.default_rng(11)
    train, test = RING.sampler(1000, rng), RING.sampler(1000, rng)
    for dropped in (3, 6):
        keep = np.delete(RING.modes, dropped, axis=0)

        def sample(n, r, keep=keep):
            return keep[r.integers(0, len(keep), n)] + RING.mode_std * r.standard_normal((n, 2))

        report = gan.audit(sample, train, test, checks=["c2st"], dataset="ring", rng=dropped)
        assert report.details["where"]["missing"]["mode"]["mode"] == dropped


def test_the_optional_me_check_adds_its_locations_to_where():
    rng = np.random.default_rng(13)
    keep = np.delete(RING.modes, 1, axis=0)
    train, test = RING.sampler(800, rng), RING.sampler(800, rng)
    report = gan.audit(
        lambda n, r: keep[r.integers(0, 7, n)] + RING.mode_std * r.standard_normal((n, 2)),
        train,
        test,
        checks=["c2st", "me"],
        dataset="ring",
        rng=0,
    )
    table = report.table.set_index("check")
    assert table.loc["me", "in_verdict"] and table.loc["me", "reject"]
    assert report.details["where"]["me"]["locations"].shape == (5, 2)
    assert "where (ME locations" in str(report)
    json.dumps(report.to_dict(), allow_nan=False)
    assert any(caption.startswith("Where the generator differs") for caption, _ in report.figures())


def test_where_is_absent_without_a_fitted_classifier():
    rng = np.random.default_rng(12)
    report = gan.audit(RING.sampler(200, rng), RING.sampler(200, rng), RING.sampler(200, rng), checks=["mmd"], rng=0)
    assert "where" not in report.details and report.to_dict()["where"] is None and "where (" not in str(report)


def test_a_slightly_too_wide_generator_is_detected_and_named():
    train, test = _ring_split(5, n_test=1500)
    wide = datasets.get_dataset("ring")

    def sample(n, rng):  # the ring with sd 0.02 instead of 0.01
        x = wide.sampler(n, rng)
        centre = wide.modes[np.argmin(((x[:, None] - wide.modes[None]) ** 2).sum(-1), 1)]
        return centre + 2.0 * (x - centre)

    report = gan.audit(sample, train, test, checks=VERDICT, rng=1)
    assert report.reject
    named = [c for c in VERDICT if report.table.set_index("check").loc[c, "reject"]]
    assert named and all(c in report.verdict for c in named)


def test_a_memorising_generator_passes_the_two_sample_tests_but_is_flagged_for_copying():
    train, test = _ring_split(6, n_train=3000, n_test=1500)

    def memorise(n, rng):  # training rows (each at most once) plus tiny noise
        return train[rng.choice(len(train), n, replace=False)] + rng.normal(scale=1e-4, size=(n, 2))

    report = gan.audit(memorise, train, test, checks=VERDICT, rng=2)
    table = report.table.set_index("check")
    assert not table.loc["c2st", "reject"] and not table.loc["mmd", "reject"]
    assert table.loc["copying", "reject"] and table.loc["copying", "statistic"] > 0.8  # fresh draws: about 0.6 here
    assert table.loc["copying C_T", "statistic"] < -3 and not table.loc["copying C_T", "in_verdict"]
    assert report.reject and "copying" in report.verdict


@pytest.mark.parametrize("sd", [0.0055, 0.0075, 0.02])
def test_the_copying_test_keeps_its_level_for_samplers_that_never_saw_the_training_rows(sd):
    # Issue 32: C_T called fresh samplers narrower than the data "memorisation" (sd 0.0075: C_T -2.4, p 2e-23).
    reps, rejections = 60, 0
    for i in range(reps):
        r = np.random.default_rng([32, i])
        train, test = RING.sampler(600, r), RING.sampler(600, r)
        fresh = RING.modes[r.integers(0, 8, 600)] + sd * r.standard_normal((600, 2))
        rejections += A.copying_exchange_test(train, test, fresh, n_resamples=99, rng=i).pvalue <= 0.05
    assert rejections <= stats.binom.interval(0.99, reps, 0.05)[1]


def test_the_copying_test_sees_ten_percent_of_copied_rows():
    r = np.random.default_rng(33)
    train, test = RING.sampler(1000, r), RING.sampler(1000, r)
    fake = RING.modes[r.integers(0, 8, 1000)] + 0.01 * r.standard_normal((1000, 2))
    fake[:100] = train[r.choice(1000, 100, replace=False)] + 1e-4 * r.standard_normal((100, 2))
    assert A.copying_exchange_test(train, test, fake, n_resamples=199, rng=0).pvalue <= 0.05


# --- inputs, report, CLI -----------------------------------------------------------------------


def test_array_npy_callable_model_and_checkpoint_inputs(tmp_path):
    train, test = _ring_split(7, n_train=400, n_test=200)
    rows = RING.sampler(200, np.random.default_rng(8))
    np.save(tmp_path / "g.npy", rows)
    a = gan.audit(rows, train, test, checks=["c2st", "features"], rng=3)
    b = gan.audit(tmp_path / "g.npy", train, test, checks=["c2st", "features"], rng=3)
    np.testing.assert_array_equal(a.table["pvalue"], b.table["pvalue"])
    model = gan.train("ring", steps=5, rng=0)
    model.save(tmp_path / "m.pt")
    c = gan.audit(model, train, test, checks=["c2st"], rng=4)
    d = gan.audit(tmp_path / "m.pt", train, test, checks=["c2st"], rng=4)
    e = gan.audit(model.sample, train, test, checks=["c2st"], rng=4)
    assert c.table["pvalue"][0] == d.table["pvalue"][0] == e.table["pvalue"][0]
    assert c.reject  # 5 steps of training: far from the ring


def test_an_audit_hands_torch_no_read_only_rows(tmp_path, monkeypatch):
    # pandas >= 3 reads files and DataFrames as read-only views, and every audit of files printed torch's
    # "The given NumPy array is not writable". torch says it once per process, so a spy also records
    # whether each array torch is given is writable: the test does not depend on what ran before it.
    handed = []

    def spying(real):
        def spy(*args, **kwargs):
            data = args[0] if args else kwargs.get("data")
            if isinstance(data, np.ndarray):
                handed.append(data.flags.writeable)
            return real(*args, **kwargs)

        return spy

    for name in ("as_tensor", "from_numpy"):
        monkeypatch.setattr(torch, name, spying(getattr(torch, name)))
    train, test = _ring_split(9, n_train=400, n_test=200)
    rows = RING.sampler(200, np.random.default_rng(10))
    for name, value in (("train", train), ("test", test), ("gen", rows)):
        np.save(tmp_path / f"{name}.npy", value)
    budget = dict(power_reps=2, power_n=100, mmd_n=100, rng=0)  # every check, on a small budget
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="The given NumPy array is not writable", category=UserWarning)
        gan.audit(*(tmp_path / f"{name}.npy" for name in ("gen", "train", "test")), **budget)
        gan.audit(pd.DataFrame(rows), pd.DataFrame(train), np.broadcast_to(test, test.shape), **budget)
    assert handed and all(handed), f"{handed.count(False)} read-only arrays of {len(handed)}"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(generated=np.zeros((100, 3))), "`generated` has 3 columns, the real data has 2"),
        (dict(real_train=np.zeros((100, 1))), "`real_train` has 1 columns"),
        (
            dict(generated=np.full((100, 2), np.nan)),
            r"`generated` contains NaN or infinite values \(a broken generator",
        ),
        (dict(real_test=np.zeros((10, 2))), "`real_test` has 10 rows; the audit needs at least 20"),
        (dict(generated=np.zeros((5, 2))), "`generated` has 5 rows"),
        (dict(checks=["c2st", "fid"]), "`checks` must be one of"),
        (dict(checks=["inception"]), "'inception' needs a feature map with predict_proba"),
        (dict(alpha=1.5), "`alpha`"),
        (dict(features="inception-v3"), "`features` must be None, one of 'digits', a torch.nn.Module or a callable"),
        (dict(generated=np.zeros((100, 2, 2))), "`generated` must be 2-D"),
    ],
)
def test_bad_inputs_name_the_argument(kwargs, match):
    rng = np.random.default_rng(9)
    args = dict(
        generated=rng.normal(size=(100, 2)), real_train=rng.normal(size=(100, 2)), real_test=rng.normal(size=(100, 2))
    )
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        gan.audit(args.pop("generated"), args.pop("real_train"), args.pop("real_test"), rng=0, **args)


def test_a_check_asked_for_by_name_must_have_its_inputs():
    rng = np.random.default_rng(12)
    train, test = rng.normal(size=(50, 2)), rng.normal(size=(50, 2))
    with pytest.raises(ValueError, match="`checks`: 'modes' needs a dataset with known modes"):
        gan.audit(test, train, test, checks=["modes"])
    with pytest.raises(ValueError, match="`checks`: 'inception' needs a feature map with predict_proba"):
        gan.audit(test, train, test, checks=["inception"])
    assert "modes captured" not in set(gan.audit(test, train, test, rng=0, power_reps=2).table["check"])


def test_a_generator_that_returns_nan_is_named():
    rng = np.random.default_rng(10)
    with pytest.raises(ValueError, match="a broken generator"):
        gan.audit(lambda n, r: np.full((n, 2), np.nan), rng.normal(size=(50, 2)), rng.normal(size=(50, 2)))


def test_full_report_on_digits_with_the_feature_map(tmp_path):
    digits = datasets.get_dataset("digits")
    rows = digits.rows
    rng = np.random.default_rng(11)
    order = rng.permutation(len(rows))
    train, test = rows[order[:1000]], rows[order[1000:1400]]
    blurred = np.clip(rows[order[1400:]] + rng.normal(scale=0.5, size=(len(order) - 1400, 64)), -1, 1)
    report = gan.audit(
        blurred,
        train,
        test,
        features="digits",
        dataset="digits",
        power_reps=4,
        critic_steps=50,
        checks=[c for c in A.CHECKS if c != "modes"] + ["inception", "parzen"],
        rng=5,
    )
    assert report.reject
    checks = set(report.table["check"])
    assert {
        "frechet",
        "kid",
        "precision",
        "inception score",
        "parzen log-likelihood",
        "js lower bound",
        "n for power 0.8",
    } <= checks
    assert not report.table.set_index("check").loc["inception score", "in_verdict"]
    path = report.to_html(tmp_path / "rep")
    page = path.read_text()
    assert page.count("data:image/png;base64,") >= 3 and "reject H0" in page
    assert "Generated images beside held-out images (the first 64 of each)" in page  # not "two coordinates"
    data = json.loads((tmp_path / "rep" / "audit.json").read_text())
    assert data["reject"] is True and any(row["pvalue"] is None for row in data["checks"])
    assert (tmp_path / "rep" / "checks.csv").exists()


def test_cli_audit(tmp_path, capsys):
    from gan.app.cli import main

    train, test = _ring_split(12, n_train=400, n_test=300)
    np.save(tmp_path / "train.npy", train)
    np.save(tmp_path / "test.npy", test)
    np.save(tmp_path / "gen.npy", _drop_first_mode(300, np.random.default_rng(13)))
    code = main(
        [
            "audit",
            str(tmp_path / "gen.npy"),
            "--real-train",
            str(tmp_path / "train.npy"),
            "--real-test",
            str(tmp_path / "test.npy"),
            "--checks",
            "c2st,features,copying",
            "--out",
            str(tmp_path / "out"),
            "--seed",
            "0",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "verdict:" in out and (tmp_path / "out" / "report.html").exists()
    code = main(
        [
            "audit",
            str(tmp_path / "gen.npy"),
            "--real-train",
            str(tmp_path / "nope.npy"),
            "--real-test",
            str(tmp_path / "test.npy"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "nope.npy" in err
    args = ["audit", str(tmp_path / "gen.npy"), "--real-train", str(tmp_path / "train.npy")]
    args += ["--real-test", str(tmp_path / "test.npy"), "--checks", "c2st,kid,sample_size", "--seed", "0"]
    code = main(args + ["--json", "--power-reps", "3", "--power-n", "60"])
    data = json.loads(capsys.readouterr().out)  # strict JSON: the table's NaNs are null
    rows = {row["check"]: row for row in data["checks"]}
    assert code == 0 and rows["kid"]["reject"] is None and rows["c2st"]["reject"] in (True, False)
    assert "3 repetitions per size" in rows["n for power 0.8"]["note"]


def test_cli_audit_fail_on_reject_gates_on_the_verdict(tmp_path, capsys):
    from gan.app.cli import main

    train, test = _ring_split(14, n_train=300, n_test=200)
    np.save(tmp_path / "train.npy", train)
    np.save(tmp_path / "test.npy", test)
    np.save(tmp_path / "far.npy", test + 3.0)  # every row off the ring: rejected
    real = ["--real-train", str(tmp_path / "train.npy"), "--real-test", str(tmp_path / "test.npy")]
    args = ["audit", str(tmp_path / "far.npy"), *real, "--checks", "c2st", "--seed", "0"]
    assert main(args) == 0  # a verdict either way is a successful run
    assert main([*args, "--fail-on-reject"]) == 1 and "verdict:" in capsys.readouterr().out
    assert main(["audit", str(tmp_path / "nope.npy"), *real, "--fail-on-reject"]) == 2  # errors stay 2


def test_a_dataframe_of_generated_rows_is_rows_not_a_sampler():
    # DataFrame has a .sample method: it was called as a generator's sample(n, rng) and crashed
    train, test = _ring_split(15, n_train=300, n_test=200)
    rows = RING.sampler(200, np.random.default_rng(16))
    a = gan.audit(rows, train, test, checks=["c2st"], rng=3)
    b = gan.audit(pd.DataFrame(rows, columns=["x", "y"]), train, test, checks=["c2st"], rng=3)
    np.testing.assert_array_equal(a.table["pvalue"], b.table["pvalue"])


def test_each_check_draws_from_its_own_stream():
    # A check's numbers do not depend on which other checks ran before it.
    rng = np.random.default_rng(5)
    train, test, rows = rng.normal(size=(200, 3)), rng.normal(size=(200, 3)), rng.normal(size=(200, 3))
    alone = gan.audit(rows, train, test, checks=["divergence"], critic_steps=20, rng=7).table.set_index("check")
    after = gan.audit(rows, train, test, checks=["c2st", "divergence"], critic_steps=20, rng=7).table.set_index("check")
    assert alone.loc["js lower bound", "statistic"] == after.loc["js lower bound", "statistic"]


def test_inserting_or_removing_a_check_leaves_the_others_numbers(monkeypatch):
    # A check's stream comes from the audit's seed and its name, not from its place in the registry.
    from gan.auditing import battery

    rng = np.random.default_rng(5)
    train, test, rows = rng.normal(size=(200, 3)), rng.normal(size=(200, 3)), rng.normal(size=(200, 3))

    def kid_and_frechet():  # both draw from their streams (subsets, bootstrap)
        report = gan.audit(rows, train, test, checks=["kid", "frechet"], rng=7)
        return report.table.set_index("check")[["statistic", "ci_low", "ci_high"]]

    before = kid_and_frechet()
    monkeypatch.setattr(battery, "REGISTRY", (A.Check("first", lambda inp, r: ([], None)), *A.REGISTRY))
    inserted = kid_and_frechet()
    monkeypatch.setattr(battery, "REGISTRY", tuple(c for c in A.REGISTRY if c.name not in ("c2st", "mmd")))
    removed = kid_and_frechet()
    pd.testing.assert_frame_equal(before, inserted)
    pd.testing.assert_frame_equal(before, removed)


# --- generators trained elsewhere ---------------------------------------------------------------


def test_a_torch_module_trained_elsewhere_is_audited():
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(3, 16), torch.nn.Tanh(), torch.nn.Linear(16, 2))
    sampler = A.ModuleSampler(module)  # latent size from the first Linear, standard normal latent
    assert sampler.latent_shape == (3,)
    rng = np.random.default_rng(0)
    train, test = sampler(600, rng), sampler(400, rng)
    same = gan.audit(module, train, test, checks=VERDICT, rng=1)
    assert not same.reject and len(same.samples["generated"]) == 400
    shifted = torch.nn.Sequential(module, torch.nn.Linear(2, 2))
    with torch.no_grad():
        shifted[1].weight.copy_(torch.eye(2))
        shifted[1].bias.fill_(0.5)
    assert gan.audit(shifted, train, test, checks=["c2st", "mmd"], latent_dim=3, rng=1).reject
    assert module.training  # the module's mode is restored


def test_a_dcgan_style_module_with_image_output():
    class Tiny(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = torch.nn.Sequential(torch.nn.ConvTranspose2d(5, 1, 8), torch.nn.Tanh())

        def forward(self, z):
            return self.net(z)

    module = Tiny()
    sampler = A.ModuleSampler(module)
    assert sampler.latent_shape == (5, 1, 1)
    rows = sampler(30, np.random.default_rng(0))
    assert rows.shape == (30, 64) and sampler.image_shape == (8, 8)
    report = gan.audit(module, rows, rows, checks=["frechet"], rng=0)
    assert report.samples["image_shape"] == (8, 8)


def test_a_module_without_a_readable_latent_size_names_latent_dim():
    class Opaque(torch.nn.Module):
        def forward(self, z):
            return z * 2

    rows = np.random.default_rng(0).normal(size=(50, 2))
    with pytest.raises(ValueError, match="`latent_dim`"):
        gan.audit(Opaque(), rows, rows)
    assert gan.audit(Opaque(), rows, rows, latent_dim=2, checks=["c2st"], rng=0).table.shape[0] == 1
    with pytest.raises(ValueError, match="`generated` has 4 columns"):
        gan.audit(Opaque(), rows, rows, latent_dim=(2, 2), checks=["c2st"], rng=0)  # images, not rows


class _DigitsByClass(torch.nn.Module):
    """A conditional 'generator' trained nowhere: for label c it returns distinct digits of class c from a
    pool of rows no other sample holds (a draw without replacement, ordered by the latent draw), so it is a
    fresh sample of the data's law; `swap` sends one class's rows to another."""

    def __init__(self, rows, labels, swap=None):
        super().__init__()
        self.rows, self.labels, self.swap = torch.as_tensor(rows), torch.as_tensor(labels), swap or {}
        self.latent_dim = 2

    def forward(self, z, labels):
        out = torch.empty(len(z), self.rows.shape[1], dtype=self.rows.dtype)
        for c in labels.unique().tolist():
            where = torch.nonzero(labels == c).flatten()
            pool = self.rows[self.labels == self.swap.get(c, c)]
            ranks = torch.argsort(torch.argsort(z[where, 0]))  # distinct rows while the pool lasts
            out[where] = pool[ranks % len(pool)]
        return out.reshape(-1, 1, 8, 8)  # images, as a conditional DCGAN gives


def test_a_conditional_digits_generator_is_audited_per_class():
    digits = datasets.get_dataset("digits")
    order = np.random.default_rng(0).permutation(len(digits.rows))
    x, y = digits.rows[order], digits.labels[order]
    train, test, pool = slice(0, 600), slice(600, 1200), slice(1200, None)
    labels = (y[train], y[test])
    good = _DigitsByClass(x[pool], y[pool])
    checks = ["c2st", "mmd", "features"]
    report = gan.audit(good, x[train], x[test], labels=labels, checks=checks, mmd_n=None, rng=3)
    assert set(report.table["class"]) == set(range(10)) and not report.reject
    assert report.samples["generated"].shape == (600, 64) and report.samples["image_shape"] == (8, 8)
    swapped = _DigitsByClass(x[pool], y[pool], swap={3: 8})
    report = gan.audit(swapped, x[train], x[test], labels=labels, checks=checks, rng=3)
    assert report.reject and "(class 3)" in report.verdict
    assert not report.table[report.table["class"] != 3]["reject"].any()
    with pytest.raises(ValueError, match="`labels`"):
        gan.audit(x[pool], x[train], x[test], labels=labels)
    with pytest.raises(ValueError, match="`labels`"):
        gan.audit(good, x[train], x[test], labels=(y[train], y[test][:5]))


# --- feature maps --------------------------------------------------------------------------------


def test_features_from_a_module_a_callable_or_a_name_are_computed_once():
    rng = np.random.default_rng(20)
    train, test, gen = rng.normal(size=(200, 4)), rng.normal(size=(200, 4)), rng.normal(size=(200, 4))
    calls = []

    def double(rows):
        calls.append(len(rows))
        return 2 * rows

    by_callable = gan.audit(gen, train, test, features=double, checks=["frechet", "kid", "prdc"], rng=0)
    assert calls == [200, 200]  # real_test and generated, once each, shared by three checks
    layer = torch.nn.Linear(4, 4, bias=False)
    with torch.no_grad():
        layer.weight.copy_(2 * torch.eye(4))
    by_module = gan.audit(gen, train, test, features=layer, checks=["frechet", "kid", "prdc"], rng=0)
    pd_testing = pytest.importorskip("pandas.testing")
    pd_testing.assert_frame_equal(by_callable.table, by_module.table, rtol=1e-6)
    assert layer.training and layer.weight.grad is None


def test_module_features_reshape_rows_and_give_probabilities():
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 3, 3), torch.nn.Flatten())
    head = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 10))
    fmap = A.ModuleFeatures(net, input_shape=(1, 8, 8), probabilities=head, batch_size=7)
    rows = np.random.default_rng(0).normal(size=(30, 64))
    assert fmap(rows).shape == (30, 3 * 6 * 6) and fmap(rows).dtype == np.float64
    p = fmap.predict_proba(rows)
    assert p.shape == (30, 10) and np.allclose(p.sum(1), 1)
    report = gan.audit(rows, rows, rows, features=fmap, checks=["inception"], inception_splits=3, rng=0)
    assert report.table["statistic"].iloc[0] >= 1


def test_tests_can_run_on_the_embeddings():
    rng = np.random.default_rng(21)
    train, test, other = (rng.exponential(size=(300, 3)) for _ in range(3))
    flipped = -other  # a different law in the data space, the same one through abs
    assert gan.audit(flipped, train, test, checks=["c2st", "mmd"], rng=0).reject
    checks = ["c2st", "mmd", "features", "copying"]
    on_features = gan.audit(flipped, train, test, features=np.abs, test_space="features", checks=checks, rng=0)
    assert not on_features.reject
    assert on_features.samples["generated"].min() < 0  # the report shows the rows as drawn


@pytest.mark.parametrize(
    "features, match",
    [
        ("inception", "`features` must be None, one of 'digits'"),
        (lambda rows: rows[:5], "`features` must map 200 rows"),
        (lambda rows: rows * np.nan, "NaN or infinite"),
        (3, "`features` must be None"),
    ],
)
def test_bad_feature_maps_are_named(features, match):
    rows = np.random.default_rng(0).normal(size=(200, 2))
    with pytest.raises(ValueError, match=match):
        gan.audit(rows, rows, rows, features=features, checks=["frechet"])


def test_a_frechet_interval_that_excludes_its_estimate_says_why():
    # few rows in many dimensions: resampling rows with replacement inflates the distance
    rng = np.random.default_rng(0)
    train, test, gen = (rng.normal(size=(60, 40)) for _ in range(3))
    row = gan.audit(gen, train, test, checks=["frechet"], rng=0).table.set_index("check").loc["frechet"]
    assert not row["ci_low"] <= row["statistic"] <= row["ci_high"]
    assert "the interval excludes the estimate" in row["note"]


def test_a_negative_divergence_bound_is_flagged_as_saying_nothing():
    from gan.auditing.checks import _bound_note

    assert "NEGATIVE" in _bound_note("kl", -5e74) and "divergence is >= 0" in _bound_note("kl", -0.1)
    assert "NEGATIVE" not in _bound_note("js", 0.2)


def test_cli_audit_of_a_run_directory_uses_the_rows_it_trained_on_and_held_out(tmp_path, capsys):
    from gan.app.cli import main
    from gan.training.trainer import training_rows

    run = tmp_path / "run"
    assert main(["train", "--data", "ring", "--steps", "20", "--seed", "0", "--out", str(run)]) == 0
    config = json.loads((run / "config.json").read_text())
    rows, _, held, _ = training_rows(
        gan.datasets.get_dataset("ring"), config["n_train"], config["n_monitor"], config["data_seed"]
    )
    np.testing.assert_array_equal(np.load(run / "train_rows.npy"), rows)
    np.testing.assert_array_equal(np.load(run / "heldout_rows.npy"), held)
    capsys.readouterr()
    assert main(["audit", str(run), "--checks", "mmd", "--seed", "0", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [row["check"] for row in report["checks"]] == ["mmd"] and report["reject"] in (True, False)
    assert main(["audit", str(run / "checkpoint.pt"), "--checks", "mmd"]) == 2
    assert "--real-train and --real-test are needed unless GENERATED is a run directory" in capsys.readouterr().err
    assert main(["audit", str(tmp_path), "--checks", "mmd"]) == 2
    assert "has no checkpoint.pt" in capsys.readouterr().err
    assert main(["audit", str(run), "--labels", "only_one.npy"]) == 2
    assert "--labels takes two files, TRAIN,TEST" in capsys.readouterr().err


def test_a_conditional_run_keeps_its_labels_and_the_audit_goes_class_by_class(tmp_path, capsys):
    from gan.app.cli import main

    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 150)
    rows = rng.normal(size=(300, 2)) + 3.0 * labels[:, None]
    np.save(tmp_path / "rows.npy", rows)
    np.save(tmp_path / "labels.npy", labels)
    run = tmp_path / "run"
    args = ["train", "--data", str(tmp_path / "rows.npy"), "--labels", str(tmp_path / "labels.npy"), "--conditional"]
    assert main([*args, "--steps", "10", "--seed", "0", "--out", str(run)]) == 0
    held_labels = np.load(run / "heldout_labels.npy")
    assert len(held_labels) == len(np.load(run / "heldout_rows.npy")) and set(held_labels) == {0, 1}
    capsys.readouterr()
    assert main(["audit", str(run), "--checks", "mmd", "--seed", "0", "--json"]) == 0
    classes = {row.get("class") for row in json.loads(capsys.readouterr().out)["checks"]}
    assert classes == {0, 1}
