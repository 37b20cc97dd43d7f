"""Entry points outside the registry that the boundary rules must reach too (issue 31): each case
failed before its fix (a silent reading or a bare IndexError)."""

import numpy as np
import pandas as pd
import pytest

import twosample as ts
from twosample.kernel.kernels import make_kernel


def test_a_string_is_one_column_name_never_its_letters(tmp_path):
    path = tmp_path / "ab.csv"
    pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0], "ab": [5.0, 6.0]}).to_csv(path, index=False)
    assert ts.load_sample(path, columns="ab").tolist() == [[5.0], [6.0]]
    with pytest.raises(ValueError, match="ab"):
        ts.load_sample(tmp_path / "ab.csv", columns="zz")
    pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]}).to_csv(path, index=False)
    with pytest.raises(ValueError, match="ab"):  # was: columns a and b, read without a word
        ts.load_sample(path, columns="ab")


def test_the_median_bandwidth_without_data_names_the_argument():
    with pytest.raises(ValueError, match="pooled"):  # was: IndexError from inside the heuristic
        make_kernel("gaussian", "median", None)


@pytest.mark.parametrize("flag", ["no", None, 1])
def test_strings_and_none_are_not_booleans(flag):
    reference = np.random.default_rng(0).normal(size=(50, 2))
    with pytest.raises(ValueError, match="`online` must be True or False"):
        ts.Detector(reference, online=flag)


@pytest.mark.parametrize(
    "option, flag",
    [("conditional", "no"), ("conditional", None), ("conditional", 1), ("standardize", "yes"), ("standardize", 0)],
)  # standardize=None is its documented "the data kind's default"
def test_gan_train_flags_are_booleans(option, flag):
    import gan

    with pytest.raises(ValueError, match=f"`{option}` must be True or False"):
        gan.train("ring", steps=1, progress=False, **{option: flag})


def test_audit_errors_name_the_audit_arguments():
    import gan
    from gan.auditing import scores

    rng = np.random.default_rng(0)
    rows = rng.normal(size=(100, 2))
    with pytest.raises(ValueError, match="`dataset` must be one of"):  # was: `data`
        gan.audit(rows, real_train=rows, real_test=rows, dataset="nope")
    with pytest.raises(ValueError, match="`x`: it needs 2 or more rows"):  # was: LinAlgError from sqrtm
        scores.frechet_distance(rows[:1], rows)


def test_sequential_options_of_another_bettor_and_bad_payoffs_are_refused():
    with pytest.raises(ValueError, match="`classifier` is an option of test='c2st'"):
        ts.SequentialTest("mmd", classifier="logistic")
    with pytest.raises(ValueError, match="`bandwidth` is an option of test='mmd'"):
        ts.SequentialTest("ks", bandwidth=1.0)
    wealth = ts.sequential.Wealth()
    for payoff in (5.0, -1.5, float("nan")):
        with pytest.raises(ValueError, match="payoff must be in \\[-1, 1\\]"):
            wealth.bet(payoff)
    assert wealth.bet(0.5) >= 0 and wealth.evalue > 0


def _resave(path, out, **changes):
    import json

    with np.load(path, allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    meta = json.loads(str(arrays["meta"]))
    for key, value in changes.items():
        if value is None:
            meta.pop(key)
        else:
            meta[key] = value
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(out, **arrays)
    return out


@pytest.mark.parametrize(
    "changes, expected",
    [({"alpha": None}, "missing 'alpha'"), ({"used": -3}, "`used`"), ({"used": 10**6}, "reference rows used")],
)
def test_a_detector_file_with_a_bad_header_is_named(tmp_path, changes, expected):
    reference = np.random.default_rng(0).normal(size=(60, 2))
    path = ts.Detector(reference, rng=0).save(tmp_path / "d.npz")
    bad = _resave(path, tmp_path / "bad.npz", **changes)
    with pytest.raises(ValueError, match="bad.npz is not a valid saved Detector") as info:
        ts.Detector.load(bad)
    assert expected in str(info.value)
    assert ts.Detector.load(path).alpha == 0.05  # the file it came from still loads


def test_nan_parameters_are_refused_by_name():
    from gan.data.datasets import mixture_1d
    from twosample.divergences.exact import kl_gaussian

    with pytest.raises(ValueError, match="`mean_p` must be finite"):  # was: KL = nan
        kl_gaussian(np.nan, 1.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="`cov_q` must be finite"):
        kl_gaussian(0.0, 1.0, 0.0, np.inf)
    with pytest.raises(ValueError, match="`stds` must be finite"):  # was: a data set that samples NaN
        mixture_1d(stds=(np.nan, 1.0))


def _stream(seed=0, n=240, d=3):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(n, d)), rng.normal(size=(n, d))
    y[:, 0] += 0.4
    return x, y


def _wealth_path(test, x, y, step=40):
    sequential = ts.SequentialTest(test, rng=1)
    for i in range(0, len(x), step):
        sequential.update(x[i : i + step], y[i : i + step])
    return sequential.history["wealth"].to_numpy()


@pytest.mark.parametrize("test", ["mmd", "c2st", "ks"])
def test_sequential_paths_do_not_depend_on_magnitude_or_offset(test):
    # Before: wealth inf at 1e300 (mmd), a bandwidth error the user never passed, another path for c2st.
    x, y = _stream(d=1 if test == "ks" else 3)
    base = _wealth_path(test, x, y)
    np.testing.assert_array_equal(_wealth_path(test, x * 2.0**40, y * 2.0**40), base)
    for change in (lambda a: a * 1e300, lambda a: a * 1e-300, lambda a: a + 1e8):
        changed = _wealth_path(test, change(x), change(y))
        np.testing.assert_allclose(np.log(changed), np.log(base), rtol=0, atol=1e-6)


def test_sequential_and_detector_match_dataframes_by_name():
    # Before: the same frames with columns in another order gave another wealth path and p-value.
    x, y = _stream(1)
    cols = ["a", "b", "c"]
    same, shuffled = ts.SequentialTest("mmd", rng=1), ts.SequentialTest("mmd", rng=1)
    for i in range(0, len(x), 40):
        fx, fy = pd.DataFrame(x[i : i + 40], columns=cols), pd.DataFrame(y[i : i + 40], columns=cols)
        same.update(fx, fy)
        shuffled.update(fx[["c", "a", "b"]], fy[["b", "c", "a"]])
    np.testing.assert_array_equal(shuffled.history["wealth"], same.history["wealth"])
    detector = ts.Detector(pd.DataFrame(x[:150], columns=cols), rng=0)
    batch = pd.DataFrame(y[150:200], columns=cols)
    assert detector.test(batch[["b", "a", "c"]]).pvalue == detector.test(batch).pvalue
    with pytest.raises(ValueError, match="batch"):
        detector.test(batch.rename(columns={"a": "z"}))


def test_detector_pvalues_do_not_depend_on_magnitude_or_offset():
    x, y = _stream(2)
    base = ts.Detector(x[:200], rng=0)
    want = [base.test(y[:40]).pvalue, base.test(x[200:]).pvalue]
    for change in (lambda a: a * 2.0**40, lambda a: a * 1e300, lambda a: a * 1e-300, lambda a: a + 1e8):
        detector = ts.Detector(change(x[:200]), rng=0)
        assert [detector.test(change(y[:40])).pvalue, detector.test(change(x[200:])).pvalue] == want


def test_a_classifier_bettor_with_nan_probabilities_is_an_error():
    class Broken:
        def get_params(self, deep=True):
            return {}

        def fit(self, z, labels):
            self.classes_ = np.array([0.0, 1.0])
            return self

        def predict_proba(self, z):
            return np.full((len(z), 2), np.nan)

    x, y = _stream(3)
    sequential = ts.SequentialTest("c2st", classifier=Broken(), rng=0)
    with pytest.raises(ValueError, match="classifier"):
        sequential.update(x, y)


def test_the_mmd_bettor_keeps_a_bounded_support():
    # Before: the witness used every past pair, so one update of 100,000 pairs was quadratic (over 5 minutes).
    x, y = _stream(4, n=2600, d=2)
    sequential = ts.SequentialTest("mmd", rng=0).update(x, y)
    assert sequential.n == 2600 and len(sequential._bettor.x) == sequential._bettor.SUPPORT == 2000
    assert np.isfinite(sequential.evalue)


def test_conditional_labels_are_checked_at_the_boundary(tmp_path):
    import gan
    from gan.app.cli import main

    rows = np.random.default_rng(5).normal(size=(200, 2))
    labels = np.where(rows[:, 0] > 0, "right", "left").astype(object)
    with_none = labels.copy()
    with_none[7] = None
    with pytest.raises(ValueError, match="row 7 has None"):  # was a comparison TypeError from NumPy
        gan.train(rows, labels=with_none, conditional=True, steps=1, progress=False)
    run = tmp_path / "run"
    gan.train(rows, labels=labels, conditional=True, steps=2, rng=0, out=run, progress=False)
    three = np.where(rows[:, 0] > 0.5, "right", np.where(rows[:, 0] < -0.5, "left", "middle"))
    with pytest.raises(ValueError, match="n_classes=2, this call has 3"):  # was an IndexError from torch
        gan.train(rows, labels=three, conditional=True, steps=4, resume=run / "checkpoint.pt", progress=False)
    fractional = tmp_path / "labels.npy"
    np.save(fractional, np.full(5, 0.7))
    argv = ["sample", str(run / "checkpoint.pt"), "-n", "5", "--labels", str(fractional)]
    assert main([*argv, "--out", str(tmp_path / "s.npy")]) == 2  # 0.7 was read as class 0
    assert not (tmp_path / "s.npy").exists()


def test_checkpoint_errors_name_the_file(tmp_path):
    import torch

    import gan
    from gan.model.checkpoint import read_checkpoint, write_checkpoint

    model = gan.train("ring", steps=2, rng=0, progress=False)
    saved = model.save(tmp_path / "ok.pt")
    with pytest.raises(ValueError, match="is a directory"):  # was IsADirectoryError
        model.save(tmp_path)
    for name, change in (
        ("shape.pt", lambda s: s["generator"].update({next(iter(s["generator"])): torch.zeros(3, 3)})),
        ("history.pt", lambda s: s.update(history=[1, 2])),
    ):
        state = read_checkpoint(saved)
        change(state)
        write_checkpoint({k: v for k, v in state.items() if k != "format"}, tmp_path / name)
        with pytest.raises(ValueError, match=f"{name}' does not hold a consistent GAN"):  # RuntimeError, AttributeError
            gan.load(tmp_path / name)


def test_audit_feature_modules_are_checked_by_name():
    import torch

    import gan
    from gan.auditing.features import ModuleFeatures

    rng = np.random.default_rng(6)
    real, fake = rng.normal(size=(60, 4)), rng.normal(size=(60, 4))

    class OneRow(torch.nn.Module):
        def forward(self, z):
            return z.mean(0, keepdim=True)

    def audit(features, **kw):
        return gan.audit(fake, real, real, features=features, checks=["frechet"], rng=0, **kw)

    with pytest.raises(ValueError, match="must map 60 rows to 60 feature rows"):  # was torch's RuntimeError
        audit(OneRow())
    with pytest.raises(ValueError, match="`features`: the module failed"):  # another width: torch's RuntimeError
        audit(torch.nn.Linear(7, 2))
    for bad in (dict(input_shape=(0,)), dict(input_shape=(2, -2)), dict(batch_size=0)):
        with pytest.raises(ValueError, match="input_shape|batch_size"):  # were accepted
            ModuleFeatures(torch.nn.Identity(), **bad)
    with pytest.raises(ValueError, match="test_space='features'` needs `features`"):  # ran on the data silently
        audit(None, test_space="features")


def test_image_folders_and_npz_files_are_named_when_unreadable(tmp_path):
    from PIL import Image

    import gan

    folder = tmp_path / "images"
    (folder / "cats").mkdir(parents=True)
    for i in range(3):
        Image.new("L", (4, 4), color=40 * i).save(folder / "cats" / f"{i}.png")
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    with pytest.raises(ValueError, match="broken.png is not a readable image"):  # was Pillow's error
        gan.train(folder, steps=1, progress=False)
    Image.new("L", (4, 4)).save(folder / "broken.png")
    with pytest.raises(ValueError, match="both in class subfolders and directly in it"):  # was a class named "."
        gan.train(folder, steps=1, progress=False)
    rows = np.random.default_rng(0).normal(size=(60, 2))
    np.savez(tmp_path / "full.npz", x=rows)
    (tmp_path / "cut.npz").write_bytes((tmp_path / "full.npz").read_bytes()[:300])
    with pytest.raises(ValueError, match="cut.npz is not a readable .npz"):  # was a zipfile error
        gan.train(tmp_path / "cut.npz", steps=1, progress=False)
    np.savez(tmp_path / "objects.npz", x=np.array([{"a": 1}] * 60, dtype=object))
    with pytest.raises(ValueError, match="objects.npz holds objects"):  # was NumPy's allow_pickle error
        gan.train(tmp_path / "objects.npz", steps=1, progress=False)


def test_audit_rows_kid_and_divergence_arguments_are_named():
    from scipy import stats

    import gan
    from gan.auditing.scores import kid
    from twosample.divergences import f_divergence

    real = np.random.default_rng(7).normal(size=(60, 2))
    for field, bad in (
        ("generated", [["a", "b"]] * 60),
        ("generated", [[1.0, 2.0], [3.0]] * 30),
        ("real_train", [["a", "b"]] * 60),
    ):
        args = {**dict(generated=real, real_train=real, real_test=real), field: bad}
        with pytest.raises(ValueError, match=f"`{field}` must be rows of numbers"):  # NumPy's conversion error
            gan.audit(args["generated"], args["real_train"], args["real_test"], checks=["mmd"], rng=0)
    with pytest.raises(ValueError, match="`n_subsets`"):  # named subset_size
        kid(real, real, n_subsets=0)
    with pytest.raises(ValueError, match="`q` must have a density"):  # inf with RuntimeWarnings
        f_divergence(stats.norm(0, 1), stats.norm(0, 0))
    assert f_divergence(stats.cauchy(0, 1), stats.norm(0, 1)) == np.inf  # heavy tails are not degenerate


def test_a_variational_bound_on_constant_samples_warns():
    from twosample.divergences import variational_lower_bound

    constant = np.zeros((40, 1))
    with pytest.warns(ts.DegenerateDataWarning, match="one value"):  # was silent
        variational_lower_bound(constant, constant, "kl", steps=2, rng=0)
