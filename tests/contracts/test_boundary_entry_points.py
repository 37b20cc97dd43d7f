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
