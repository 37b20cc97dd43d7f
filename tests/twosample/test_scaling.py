"""standardize= on the distance and kernel tests, and the warning when columns differ in scale by orders of magnitude.

Found as a user would: energy on age alone p = 1e-4, on age and income p = 0.32; MMD 0.20, MMD-agg 0.45.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

import twosample as ts
from twosample.app.cli import main
from twosample.core.scaling import SCALE_RATIO, ColumnScaleWarning, column_scale

NAMES = ["energy", "mmd", "mmd-agg", "mmd-rff", "mmd-agginc", "energy-k", "mmd-k"]
FAST = {"n_resamples": 199}


def _age_and_income(seed=0, n=200, shift=10.0):
    rng = np.random.default_rng(seed)
    x = np.c_[rng.normal(40, 10, n), rng.normal(50_000, 20_000, n)]
    y = np.c_[rng.normal(40 + shift, 10, n), rng.normal(50_000, 20_000, n)]
    return x, y


@pytest.mark.parametrize("name", NAMES)
def test_a_shift_in_the_narrow_column_is_lost_unless_standardized(name):
    agginc = name == "mmd-agginc"  # linear-time statistic: less power, so more rows and a looser bar
    x, y = _age_and_income(n=1000 if agginc else 200)
    test = ts.get_test(name)
    with pytest.warns(ColumnScaleWarning, match=r"differ \d\.\d+e\+03-fold .* pass standardize=True"):
        lost = test(x, y, rng=0, **FAST)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ColumnScaleWarning)
        found = test(x, y, rng=0, standardize=True, **FAST)
    if agginc:
        assert found.pvalue <= 0.05 and found.pvalue < lost.pvalue
    else:
        assert lost.pvalue > 0.05 and found.pvalue <= 0.01


@pytest.mark.parametrize("name", NAMES)
def test_standardized_results_do_not_depend_on_the_columns_units(name):
    x, y = _age_and_income(seed=1)
    units = np.array([1 / 7, 3000.0])
    test = ts.get_test(name)
    a = test(x, y, rng=3, standardize=True, **FAST)
    b = test(x * units, y * units, rng=3, standardize=True, **FAST)
    assert a.pvalue == b.pvalue
    assert a.statistic == pytest.approx(b.statistic, rel=1e-9)


def test_the_witness_takes_points_in_the_data_units():
    x, y = _age_and_income(seed=2)
    res = ts.mmd_test(x, y, rng=0, standardize=True, n_resamples=99)
    by_hand = ts.mmd_test(x / res.column_scale, y / res.column_scale, rng=0, n_resamples=99)
    np.testing.assert_allclose(res.column_scale, np.vstack([x, y]).std(axis=0))
    points = np.array([[30.0, 40_000.0], [50.0, 60_000.0]])
    np.testing.assert_allclose(res.witness(points), by_hand.witness(points / res.column_scale), rtol=1e-12)
    assert res.statistic == pytest.approx(by_hand.statistic, rel=1e-12)


def test_the_warning_names_a_dataframe_columns_and_spares_similar_or_constant_ones():
    x, y = _age_and_income(seed=3)
    frame = lambda a: pd.DataFrame(a, columns=["age", "income"])  # noqa: E731
    with pytest.warns(ColumnScaleWarning, match=r"in column 'income', .* in column 'age'"):
        ts.energy_test(frame(x), frame(y), rng=0, n_resamples=99)
    similar = x[:, [0, 0]] * [1.0, SCALE_RATIO / 2]
    constant = np.c_[x[:, 0], np.full(len(x), 1e6)]  # sd 0: nothing to weigh
    with warnings.catch_warnings():
        warnings.simplefilter("error", ColumnScaleWarning)
        ts.energy_test(similar, similar + 1, rng=0, n_resamples=99)
        assert column_scale([constant, constant], True, "t").tolist() == [pytest.approx(x[:, 0].std()), 1.0]
        ts.mmd_test(x[:, :1], y[:, :1], rng=0, n_resamples=99)  # one column: nothing to compare


def test_standardize_must_be_a_bool():
    x, y = _age_and_income()
    with pytest.raises(ValueError, match="`standardize` must be True or False, got 'yes'"):
        ts.energy_test(x, y, standardize="yes")


def test_the_command_line_switch(tmp_path, capsys):
    x, y = _age_and_income()
    header = "age,income"
    np.savetxt(tmp_path / "x.csv", x, delimiter=",", header=header, comments="")
    np.savetxt(tmp_path / "y.csv", y, delimiter=",", header=header, comments="")
    files = [str(tmp_path / "x.csv"), str(tmp_path / "y.csv")]
    assert main(["test", *files, "--seed", "0", "--n-resamples", "199", "--standardize", "--json"]) == 0
    assert '"reject": true' in capsys.readouterr().out
    assert main(["test", *files, "--seed", "0", "--n-resamples", "199"]) == 0
    assert "(--standardize)" in capsys.readouterr().err
    assert main(["test", *files, "--test", "ks", "--columns", "age", "--standardize"]) == 2
    assert capsys.readouterr().err.strip() == "twosample: error: --standardize is not an option of ks"
