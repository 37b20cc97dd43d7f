"""`twosample compare`: two table files in, a table, report.json and report.html out; bad input, one line and exit 2."""

import json

import numpy as np
import pandas as pd
import pytest

import twosample as ts
from twosample.app.cli import main
from twosample.app.plotting import plot_column

COLUMNS = ["income", "age", "city", "member", "grade", "code"]
FAST = ["--n-resamples", "199", "--multivariate", "none", "--seed", "1"]


def _table(rng, n, shift):
    city = rng.choice(["Lyon", "Paris", "Nice", None], n, p=[0.3, 0.3, 0.3, 0.1])
    age = rng.normal(40, 10, n)
    age[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "income": rng.normal(30 + shift, 5, n),  # the shifted column
            "age": age,
            "city": city,
            "member": rng.random(n) < 0.4,
            "grade": pd.Categorical(rng.choice(["low", "mid", "high"], n), ["low", "mid", "high"], ordered=True),
            "code": rng.integers(1, 5, n),
        }
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tables")
    rng = np.random.default_rng(0)
    x, y = _table(rng, 150, 0.0), _table(rng, 120, 4.0)
    x.drop(columns="grade").to_csv(folder / "x.csv", index=False)  # strings and empty fields
    y.drop(columns="grade").to_parquet(folder / "y.parquet")
    x.to_parquet(folder / "x.parquet")  # the ordered categorical survives in parquet only
    y.to_parquet(folder / "y_grade.parquet")
    x.drop(columns="grade").assign(extra=1.0).to_csv(folder / "extra.csv", index=False)
    y.drop(columns="grade").assign(age=y["age"].astype(object).where(y.index > 2, "unknown")).to_csv(
        folder / "typed.csv", index=False
    )
    return folder


def _strict_json(text):
    def refuse(constant):
        raise ValueError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def test_compare_prints_the_table_and_writes_both_reports(files, tmp_path, capsys):
    out = tmp_path / "report"
    argv = ["compare", str(files / "x.parquet"), str(files / "y_grade.parquet"), "--out", str(out), *FAST]
    assert main(argv) == 0
    printed = capsys.readouterr()
    assert "TableComparison" in printed.out and "--seed 1 repeats" in printed.out and str(out) in printed.out
    assert all(name in printed.out for name in COLUMNS)
    report = _strict_json((out / "report.json").read_text())
    rows = {row["column"]: row for row in report["columns"]}
    assert set(rows) == set(COLUMNS)
    assert rows["income"]["reject"] and rows["income"]["kind"] == "numeric"
    assert rows["grade"]["kind"] == "ordinal" and rows["city"]["kind"] == "categorical"
    assert rows["city"]["missing_x"] > 0 and rows["age"]["missing_pvalue"] is not None
    page = (out / "report.html").read_text()
    assert all(name in page for name in COLUMNS)
    assert page.count("<img") == len(COLUMNS) and "data:image/png;base64," in page
    assert "Holm" in page and "No test of the whole table" in page


def test_compare_gives_what_the_python_function_gives(files, tmp_path, capsys):
    out = tmp_path / "report"
    argv = ["compare", str(files / "x.csv"), str(files / "y.parquet"), "--correction", "bh", "--out", str(out), *FAST]
    assert main(argv) == 0
    x, y = ts.load_table(files / "x.csv"), ts.load_table(files / "y.parquet")
    expected = ts.compare(x, y, correction="bh", n_resamples=199, multivariate="none", rng=1)
    assert _strict_json((out / "report.json").read_text()) == _strict_json(expected.to_json())


def test_compare_reads_categorical_repeated_or_comma_separated(files, tmp_path, capsys):
    kinds = []
    for flags in (["--categorical", "code", "--categorical", "age"], ["--categorical", "code,age"]):
        out = tmp_path / "-".join(flags)
        assert main(["compare", str(files / "x.csv"), str(files / "y.parquet"), *flags, "--out", str(out), *FAST]) == 0
        report = _strict_json((out / "report.json").read_text())
        kinds.append({row["column"]: row["kind"] for row in report["columns"]})
    assert kinds[0] == kinds[1]
    assert kinds[0]["code"] == "categorical" and kinds[0]["income"] == "numeric"


def test_compare_runs_the_whole_table_test_and_keeps_only_named_columns(files, tmp_path, capsys):
    out = tmp_path / "report"
    argv = ["compare", str(files / "x.csv"), str(files / "y.parquet"), "--columns", "income,city", "--out", str(out)]
    assert main([*argv, "--n-resamples", "199", "--multivariate", "mmd", "--seed", "2"]) == 0
    assert "multivariate (mmd-mixed)" in capsys.readouterr().out
    report = _strict_json((out / "report.json").read_text())
    assert [row["column"] for row in report["columns"]] == ["income", "city"]
    assert report["multivariate"]["test"] == "mmd-mixed"
    assert "mmd-mixed" in (out / "report.html").read_text()


@pytest.mark.parametrize(
    "files_and_flags, expected",
    [
        (("extra.csv", "y.parquet"), "only in `{files}/extra.csv`: ['extra']"),
        (("x.csv", "typed.csv"), "x.csv` but categorical in `"),
        (("x.csv", "y.parquet", "--categorical", "zip"), "--categorical names columns the tables do not have: ['zip']"),
        (("x.csv", "y.parquet", "--columns", "income,nope"), "not found: ['nope']"),
        (("x.csv", "y.parquet", "--correction", "bonferroni"), "argument --correction: invalid choice: 'bonferroni'"),
        (("x.csv", "y.parquet", "--multivariate", "svm"), "argument --multivariate: invalid choice: 'svm'"),
        (("x.csv", "nowhere.csv"), "nowhere.csv`: no such file."),
    ],
)
def test_compare_fails_in_one_line_naming_the_culprit(files, tmp_path, capsys, files_and_flags, expected):
    first, second, *flags = files_and_flags
    argv = ["compare", str(files / first), str(files / second), *flags, "--out", str(tmp_path / "out"), *FAST]
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse's own usage errors
        status = exc.code
    err = capsys.readouterr().err
    assert status == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("twosample") and "Traceback" not in err, err
    assert expected.format(files=files) in err
    assert not (tmp_path / "out").exists()


def test_level_bars_keep_boolean_and_ordinal_levels_apart():
    # [False, True] are levels, not a mask; an ordinal column keeps its order, not its counts'.
    fig = plot_column(pd.Series([False] * 7 + [True] * 3), pd.Series([True] * 5 + [False] * 5), kind="boolean")
    ax = fig.axes[0]
    heights = [round(bar.get_height(), 6) for bar in ax.patches]
    assert heights == [0.7, 0.3, 0.5, 0.5]
    order = pd.CategoricalDtype(["low", "mid", "high"], ordered=True)
    grades = pd.Series(["high"] * 5 + ["low", "mid"], dtype=order)
    fig = plot_column(grades, grades, kind="ordinal", name="grade")
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["low", "mid", "high"]


def test_load_table_keeps_strings_booleans_and_missing_values(tmp_path):
    table = pd.DataFrame({"city": ["a", None, "b"], "age": [31.0, np.nan, 40.0], "member": [True, False, True]})
    table.to_csv(tmp_path / "t.csv.gz", index=False)
    got = ts.load_table(tmp_path / "t.csv.gz")
    assert list(got.columns) == ["city", "age", "member"]
    assert got["city"].tolist()[::2] == ["a", "b"] and got["city"].isna().tolist() == [False, True, False]
    assert got["age"].isna().sum() == 1 and got["member"].dtype == bool
    with pytest.raises(ValueError, match="non-numeric column"):
        ts.load_sample(tmp_path / "t.csv.gz")  # the sample loader still refuses strings


def test_save_sample_writes_a_table_as_load_table_reads_it(tmp_path):
    from twosample.app.io import save_sample

    table = pd.DataFrame(
        {
            "kind": pd.Categorical(["a", "b", None, "a"], categories=["a", "b", "c"]),
            "n": pd.array([1, None, 3, 4], dtype="Int64"),
            "w": [0.5, 1.5, np.nan, 2.0],
            7: [True, False, True, True],
        }
    )
    back = ts.load_table(save_sample(tmp_path / "t.parquet", table))
    pd.testing.assert_frame_equal(back, table.set_axis(["kind", "n", "w", "7"], axis=1))
    text = ts.load_table(save_sample(tmp_path / "t.csv.gz", table))
    assert text["kind"].tolist()[:2] == ["a", "b"] and text["kind"].isna().tolist() == [False, False, True, False]
    assert text["n"].isna().sum() == 1 and text["7"].tolist() == [True, False, True, True]
    with pytest.raises(ValueError, match=r"\.npy holds numbers only, and columns \['kind', '7'\]"):
        save_sample(tmp_path / "t.npy", table)
    assert np.load(save_sample(tmp_path / "w.npy", table[["w", "n"]])).shape == (4, 2)


def test_twosample_test_runs_a_test_of_labels_on_a_text_column(tmp_path, capsys):
    from twosample.app.cli import main

    rng = np.random.default_rng(0)
    for name, probs in (("a.csv", [0.6, 0.3, 0.1]), ("b.csv", [0.2, 0.3, 0.5])):
        frame = pd.DataFrame({"city": rng.choice(["paris", "lyon", "nice"], 80, p=probs), "age": rng.normal(size=80)})
        frame.loc[:3, "city"] = None
        frame.to_csv(tmp_path / name, index=False)
    args = [str(tmp_path / "a.csv"), str(tmp_path / "b.csv"), "--test", "chi2", "--seed", "0"]
    assert main(["test", *args, "--columns", "city", "--nan-policy", "omit"]) == 0
    assert "reject H0" in capsys.readouterr().out
    assert main(["test", *args]) == 2  # two columns: which one holds the labels?
    assert "--columns" in capsys.readouterr().err


def test_compare_large_reads_parquet_through_summaries(files, tmp_path, capsys):
    out = tmp_path / "report"
    x, y = str(files / "x.parquet"), str(files / "y_grade.parquet")
    assert main(["compare", x, y, "--large", "--out", str(out), *FAST]) == 0
    printed = capsys.readouterr().out
    assert "TableComparison" in printed and "--seed 1 repeats" in printed
    expected = ts.scale.compare(x, y, n_resamples=199, multivariate="none", rng=1, client=False)
    assert _strict_json((out / "report.json").read_text()) == _strict_json(expected.to_json())
    page = (out / "report.html").read_text()
    assert "No figures" in page and page.count("<img") == 0


@pytest.mark.parametrize(
    "flags, expected",
    [(["--large", "--correction", "maxT"], "needs the rows in memory"), (["--scheduler", "tcp://x:1"], "add --large")],
)
def test_compare_large_refuses_what_needs_rows(files, capsys, flags, expected):
    argv = ["compare", str(files / "x.parquet"), str(files / "y_grade.parquet"), *flags, *FAST]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert expected in err and len(err.splitlines()) == 1
