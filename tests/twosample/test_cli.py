"""The `twosample` command: files in, a verdict out; bad input, one line and exit 2."""

import json
import re
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
        (["test", "{d}/x.npy", "{d}/y.npy", "--test", "nope"], "--test must be one of"),
        (["test", "{d}/x.csv", "{d}/y.csv"], "non-numeric column(s) 'label'"),
        (["test", "{d}/x.csv", "{d}/y.csv", "--columns", "zz"], "no column(s) 'zz'"),
        (["test", "{d}/x.npy", "{d}/y.npy", "--test", "ks"], "this test is for 1-D samples"),
        (["test", "{d}/x.npy", "{d}/y.npy", "--alpha", "2"], "--alpha must be in (0, 1)"),
        (["test", "{d}/x.npy", "{d}/y.npy", "--n-resamples", "0"], "--n-resamples must be a positive integer"),
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
    assert (
        proc.stderr == f"twosample: error: `{tmp_path / 'x.npy'}` contains NaN or infinite values (first at row 1).\n"
    )


def test_fail_on_reject_gives_exit_status_1_and_errors_stay_2(files, tmp_path, capsys):
    d, _, _ = files
    same = tmp_path / "same.npy"
    np.save(same, np.load(d / "x.npy"))
    run = ["--n-resamples", "199", "--seed", "1", "--fail-on-reject"]
    assert main(["test", str(d / "x.npy"), str(d / "y.npy"), *run]) == 1  # shifted by 0.8: rejected
    assert "reject H0: p = q" in capsys.readouterr().out  # the result is printed all the same
    assert main(["test", str(d / "x.npy"), str(same), *run]) == 0  # the same rows: kept
    assert main(["test", str(d / "x.npy"), str(d / "missing.npy"), *run]) == 2
    assert main(["test", str(d / "x.npy"), str(d / "y.npy"), "--n-resamples", "199", "--seed", "1"]) == 0
    compare = ["compare", str(d / "x.csv"), str(d / "y.csv"), "--multivariate", "none", "--seed", "0"]
    assert main([*compare, "--n-resamples", "199", "--fail-on-reject"]) == 1


def test_errors_name_the_flags_and_files_typed_not_python_arguments(files, capsys):
    d, _, _ = files
    assert main(["test", str(d / "x.npy"), str(d / "y.npy"), "--seed", "-1"]) == 2
    assert capsys.readouterr().err == "twosample: error: --seed must be a non-negative integer seed, got -1.\n"
    assert main(["test", str(d / "x.npy"), str(d / "y.csv"), "--columns", "a"]) == 2
    err = capsys.readouterr().err
    assert err == f"twosample: error: --columns applies to tables (CSV, TSV, Parquet), not to `{d / 'x.npy'}`.\n"
    assert main(["test", str(d / "x.npy"), str(d / "y.csv")]) == 2
    assert "choose numeric ones with --columns.\n" in capsys.readouterr().err


def test_list_has_a_header_and_aligned_columns(capsys):
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["test", "samples"]
    starts = {line.index(line.split("  ")[-1].strip()) for line in lines}  # where the last column starts
    assert len(starts) == 1 and len(lines) == 1 + len(__import__("twosample").TESTS)


def test_help_wraps_between_names_never_at_their_hyphens(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    with pytest.raises(SystemExit):
        main(["test", "--help"])
    text = capsys.readouterr().out
    assert re.search(r"[a-z]-\n", text) is None and "mmd-linear" in text


def test_decimal_commas_are_named_and_read_with_decimal(tmp_path, capsys):
    rng = np.random.default_rng(3)
    for name, shift in (("x", 0.0), ("y", 2.0)):
        rows = [f"{a:.3f};{b:.3f}".replace(".", ",") for a, b in rng.normal(shift, 1, size=(40, 2))]
        (tmp_path / f"{name}.csv").write_text("a;b\n" + "\n".join(rows) + "\n")
    files = [str(tmp_path / "x.csv"), str(tmp_path / "y.csv")]
    assert main(["test", *files, "--seed", "0", "--n-resamples", "99"]) == 2
    err = capsys.readouterr().err
    assert "column(s) 'a', 'b' hold numbers with decimal commas" in err and "read them with --decimal ','" in err
    assert main(["test", *files, "--seed", "0", "--n-resamples", "99", "--decimal", ","]) == 0
    assert "reject H0" in capsys.readouterr().out
