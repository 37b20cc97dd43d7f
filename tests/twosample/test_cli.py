"""The `twosample` command: files in, a verdict out; bad input, one line and exit 2."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from twosample.app.cli import main


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(60, 2)), rng.normal(0.8, 1, size=(50, 2))
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", y)
    pd.DataFrame(x, columns=["a", "b"]).assign(label="p").to_csv(tmp_path / "x.csv", index=False)
    pd.DataFrame(y, columns=["a", "b"]).assign(label="q").to_csv(tmp_path / "y.csv", index=False)
    pd.DataFrame(x, columns=["a", "b"]).to_parquet(tmp_path / "x.parquet")
    pd.DataFrame(y, columns=["a", "b"]).to_parquet(tmp_path / "y.parquet")
    return tmp_path, x, y


def test_human_readable_output(files, capsys):
    d, _, _ = files
    assert (
        main(["test", str(d / "x.npy"), str(d / "y.npy"), "--test", "energy", "--seed", "1", "--n-resamples", "199"])
        == 0
    )
    out = capsys.readouterr().out
    assert "Two-sample test: energy" in out and "reject H0: p = q" in out


def test_json_matches_python_api(files, capsys):
    d, x, y = files
    import twosample as ts

    assert (
        main(
            [
                "test",
                str(d / "x.npy"),
                str(d / "y.npy"),
                "--test",
                "mean",
                "--seed",
                "3",
                "--n-resamples",
                "299",
                "--alpha",
                "0.01",
                "--json",
            ]
        )
        == 0
    )
    got = json.loads(capsys.readouterr().out)
    ref = ts.mean_difference_test(x, y, alpha=0.01, n_resamples=299, rng=3)
    assert got["pvalue"] == ref.pvalue and got["statistic"] == pytest.approx(ref.statistic)
    assert got["alpha"] == 0.01 and got["n_resamples"] == 299


def test_csv_and_parquet_with_columns(files, capsys):
    d, x, y = files
    results = []
    for ext in ("csv", "parquet"):
        assert (
            main(
                [
                    "test",
                    str(d / f"x.{ext}"),
                    str(d / f"y.{ext}"),
                    "--test",
                    "ks",
                    "--columns",
                    "a",
                    "--seed",
                    "0",
                    "--json",
                ]
            )
            == 0
        )
        results.append(json.loads(capsys.readouterr().out))
    assert results[0]["pvalue"] == results[1]["pvalue"]
    assert results[0]["n_x"] == 60


def test_analytic_method_and_alternative(files, capsys):
    d, _, _ = files
    assert (
        main(
            [
                "test",
                str(d / "x.csv"),
                str(d / "y.csv"),
                "--columns",
                "a",
                "--test",
                "t",
                "--method",
                "analytic",
                "--alternative",
                "less",
                "--json",
            ]
        )
        == 0
    )
    got = json.loads(capsys.readouterr().out)
    assert got["method"] == "analytic" and got["alternative"] == "less"


def test_list(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "hotelling" in out and "energy" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["test", "{d}/x.npy", "{d}/missing.npy"], "no such file"),
        (["test", "{d}/x.npy", "{d}/y.npy", "--test", "nope"], "`test` must be one of"),
        (["test", "{d}/x.csv", "{d}/y.csv"], "non-numeric column(s) 'label'"),
        (["test", "{d}/x.csv", "{d}/y.csv", "--columns", "zz"], "no column(s) 'zz'"),
        (["test", "{d}/x.npy", "{d}/y.npy", "--test", "ks"], "this test is for 1-D samples"),
        (["test", "{d}/x.npy", "{d}/y.npy", "--alpha", "2"], "`alpha` must be in (0, 1)"),
        (["test", "{d}/x.npy", "{d}/y.npy", "--n-resamples", "0"], "`n_resamples` must be a positive integer"),
        (["test", "{d}/x.npy", "{d}/y.npy", "--method", "exact"], "--method for energy must be one of"),
        (["test", "{d}/x.npy", "{d}/y.npy", "--alternative", "less"], "--alternative is not available"),
        (["test", "{d}/x.xlsx", "{d}/y.npy"], "unsupported file type"),
        (["test", "{d}/x.npy"], "the following arguments are required: y"),
        (["test", "{d}/x.npy", "{d}/y.npy", "--alpha", "high"], "invalid float value"),
    ],
)
def test_bad_input_one_line_exit_2(files, capsys, args, message):
    d, _, _ = files
    argv = [a.format(d=d) for a in args]
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse's own errors
        status = exc.code
    err = capsys.readouterr().err
    assert status == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1, err


def test_installed_command_exits_2_with_one_line(files):
    d, _, _ = files
    proc = subprocess.run(
        [sys.executable, "-m", "twosample", "test", str(d / "x.npy"), str(d / "nope.npy")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [f"twosample: error: `{d / 'nope.npy'}`: no such file."]
    assert proc.stdout == ""


def test_nan_in_file_is_reported(tmp_path):
    np.save(tmp_path / "x.npy", np.array([1.0, np.nan, 3.0]))
    np.save(tmp_path / "y.npy", np.array([1.0, 2.0, 3.0]))
    proc = subprocess.run(
        [sys.executable, "-m", "twosample", "test", str(tmp_path / "x.npy"), str(tmp_path / "y.npy"), "--test", "ks"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr == "twosample: error: `x` contains NaN or infinite values (first at row 1).\n"
