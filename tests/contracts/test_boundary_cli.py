"""The boundary of the command lines, the classifiers and the checkpoints (the data's is test_boundary.py)."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import torch

import gan
import twosample as ts
from gan.model.checkpoint import read_checkpoint, write_checkpoint
from twosample.app.cli import main


def _cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "twosample", *map(str, args)], capture_output=True, text=True)


@pytest.fixture
def tables(tmp_path):
    rng = np.random.default_rng(0)
    x = pd.DataFrame({"weight": rng.normal(70, 10, 200), "height": rng.normal(170, 8, 200)})
    y = pd.DataFrame({"height": rng.normal(170, 8, 200), "weight": rng.normal(70, 10, 200)})
    x.to_csv(tmp_path / "x.csv")  # with its index, as pandas writes by default
    y.to_csv(tmp_path / "y.csv", index=False)
    return tmp_path, x, y


def test_cli_matches_tables_by_name_and_says_it_dropped_the_index(tables, capsys):
    d, x, y = tables
    assert main(["test", str(d / "x.csv"), str(d / "y.csv"), "--seed", "1", "--n-resamples", "199", "--json"]) == 0
    captured = capsys.readouterr()
    got = json.loads(captured.out)
    assert got["pvalue"] == ts.energy_test(x, y, n_resamples=199, rng=1).pvalue
    assert got["seed"] == 1
    warnings = captured.err.strip().splitlines()
    assert len(warnings) == 1 and warnings[0].startswith("twosample: warning:") and "x.csv" in warnings[0]


def test_cli_prints_the_seed_it_drew(tables, capsys):
    d, x, y = tables
    assert main(["test", str(d / "y.csv"), str(d / "y.csv"), "--test", "mean", "--n-resamples", "99"]) == 0
    out = capsys.readouterr().out
    seed = int(out.split("seed")[-1].split()[0])
    assert f"rng={seed}" in out


def test_cli_passes_kernel_options_and_refuses_foreign_ones(tables, capsys):
    d, x, y = tables
    assert (
        main(
            [
                "test",
                str(d / "y.csv"),
                str(d / "y.csv"),
                "--test",
                "mmd",
                "--kernel",
                "laplace",
                "--bandwidth",
                "3.5",
                "--seed",
                "0",
                "--n-resamples",
                "99",
                "--json",
            ]
        )
        == 0
    )
    got = json.loads(capsys.readouterr().out)
    assert got["pvalue"] == ts.mmd_test(y, y, kernel="laplace", bandwidth=3.5, rng=0, n_resamples=99).pvalue
    assert main(["test", str(d / "y.csv"), str(d / "y.csv"), "--test", "energy", "--kernel", "laplace"]) == 2
    assert capsys.readouterr().err.strip() == "twosample: error: --kernel is not an option of energy"
    assert (
        main(
            [
                "test",
                str(d / "y.csv"),
                str(d / "y.csv"),
                "--test",
                "c2st",
                "--classifier",
                "logistic",
                "--seed",
                "0",
                "--json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["classifier"] == "Pipeline"


def test_cli_nan_policy_reaches_the_test(tmp_path, capsys):
    rng = np.random.default_rng(0)
    x = pd.DataFrame({"a": rng.normal(size=30), "b": rng.normal(size=30)})
    y = pd.DataFrame({"b": rng.normal(size=25), "a": rng.normal(size=25)})
    x.iloc[[3, 8], 1] = np.nan
    x.to_csv(tmp_path / "x.csv", index=False)  # the NaN are empty cells
    y.to_csv(tmp_path / "y.csv", index=False)
    files = [str(tmp_path / "x.csv"), str(tmp_path / "y.csv"), "--test", "mean", "--n-resamples", "99", "--seed", "0"]
    assert main(["test", *files]) == 2
    expected = f"twosample: error: `{tmp_path / 'x.csv'}` contains NaN or infinite values (first at row 3).\n"
    assert capsys.readouterr().err == expected
    assert main(["test", *files, "--nan-policy", "omit", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    want = ts.mean_difference_test(x.dropna(), y, n_resamples=99, rng=0)
    assert (got["pvalue"], got["n_x"], got["n_y"]) == (want.pvalue, 28, 25)
    assert main(["test", *files, "--nan-policy", "propagate", "--json"]) == 0  # strict JSON: NaN is null
    got = json.loads(capsys.readouterr().out)
    assert (got["statistic"], got["pvalue"], got["reject"], got["n_x"]) == (None, None, False, 30)
    assert main(["test", *files, "--nan-policy", "propagate"]) == 0
    assert "verdict     none (the p-value is NaN)" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        main(["test", *files, "--nan-policy", "ignore"])
    assert exit_.value.code == 2
    assert "--nan-policy: invalid choice: 'ignore'" in capsys.readouterr().err


def test_cli_parser_error_and_empty_table_are_one_line(tmp_path):
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n3,4,5\n")
    pd.DataFrame({"a": [], "b": []}).to_csv(tmp_path / "empty.csv", index=False)
    for name, message in (("bad.csv", "could not be read"), ("empty.csv", "has a header (a, b) and no rows")):
        proc = _cli("test", tmp_path / name, tmp_path / name)
        assert proc.returncode == 2 and message in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_cli_closed_pipe_is_one_line_not_a_traceback(tables):
    d, _, _ = tables
    cmd = f"{sys.executable} -m twosample list | head -c 1 > /dev/null"
    proc = subprocess.run(["bash", "-c", f"set -o pipefail; {cmd}"], capture_output=True, text=True)
    assert "Traceback" not in proc.stderr
    if proc.stderr:  # the pipe closed before the output was written (it usually is: 'list' is short)
        assert proc.stderr.strip().splitlines() == ["twosample: error: the output pipe was closed"]


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (
            ["-m", "gan", "train", "--help"],
            [
                "(default: 8000; 6000 for images; 3000 for tables)",
                "(default: 256; 64 for images; 50 for tables)",
                "(default: js; hinge for images; wgan-gp for tables)",
            ],
        ),
        (["-m", "gan", "sample", "--help"], ["(default: 1000)"]),
        (
            ["-m", "twosample", "power", "--help"],
            ["(default: mean,meanvar,ks,energy,mmd,mmd-agg,c2st)", "(default: 25,50,100,200,400)"],
        ),
    ],
)
def test_help_shows_the_defaults(argv, shown):
    out = " ".join(subprocess.run([sys.executable, *argv], capture_output=True, text=True).stdout.split())
    for text in shown:
        assert text in out


# --- classifiers -----------------------------------------------------------------------------


class _Broken:
    """A scikit-learn-like classifier without get_params whose probabilities are bad in a chosen way."""

    def __init__(self, how):
        self.how = how

    def fit(self, X, y):
        if self.how == "raise":
            raise RuntimeError("out of licences")
        self.classes_ = np.array([0.0, 1.0])
        return self

    def predict_proba(self, X):
        if self.how == "nan":
            return np.full((len(X), 2), np.nan)
        if self.how == "one-column":
            return np.full((len(X), 1), 0.5)
        return np.full((len(X), 2), 0.5)


@pytest.mark.parametrize(
    ("how", "match"),
    [
        ("raise", r"`classifier` failed in fit: RuntimeError: out of licences"),
        ("nan", r"`classifier`'s predict_proba must give finite probabilities .* NaN"),
        ("one-column", r"`classifier`'s predict_proba must give finite probabilities of shape \(\d+, 2\)"),
    ],
)
def test_broken_classifiers_are_named(how, match):
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=match):
        ts.c2st_test(rng.normal(size=(40, 2)), rng.normal(size=(40, 2)), classifier=_Broken(how), rng=0)


def test_classifier_without_get_params_is_copied_not_fitted_in_place():
    rng = np.random.default_rng(0)
    mine = _Broken("fine")
    res = ts.c2st_test(rng.normal(size=(40, 2)), rng.normal(size=(40, 2)), classifier=mine, rng=0)
    assert not hasattr(mine, "classes_") and res.classifier is not mine


def test_a_user_statistic_that_raises_is_named():
    with pytest.raises(ValueError, match=r"`statistic` raised ZeroDivisionError: boom"):
        ts.permutation_test([1.0, 2.0, 3.0], [4.0, 5.0], lambda a, b: (_ for _ in ()).throw(ZeroDivisionError("boom")))


# --- gan checkpoints and runs ----------------------------------------------------------------


def test_resume_past_steps_is_refused(tmp_path):
    gan.train("ring", steps=20, monitor_every=10, n_train=500, rng=0, out=tmp_path)
    with pytest.raises(ValueError, match=r"`resume`: the checkpoint is at step 20, past `steps` = 5"):
        gan.train("ring", steps=5, n_train=500, rng=0, out=tmp_path, resume=tmp_path / "checkpoint.pt")


def test_out_naming_a_file_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match=r"`out` = .* is an existing file"):
        gan.train("ring", steps=2, out=tmp_path / "notes.txt")
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_checkpoint_asking_for_a_huge_network_is_refused_before_allocating(tmp_path):
    model = gan.train("ring", steps=2, n_train=500, rng=0)
    model.save(tmp_path / "ok.pt")
    state = read_checkpoint(tmp_path / "ok.pt")
    state.pop("format")
    state["generator_config"] = {**state["generator_config"], "hidden": 10**7, "depth": 4}  # ~4e14 weights
    write_checkpoint(state, tmp_path / "huge.pt")
    with pytest.raises(ValueError, match=r"asks for about 3e\+14 parameters"):
        gan.load(tmp_path / "huge.pt")


def test_checkpoint_missing_keys_is_named(tmp_path):
    write_checkpoint({"config": {}, "generator": {}}, tmp_path / "partial.pt")
    with pytest.raises(ValueError, match=r"lacks generator_config, history"):
        gan.load(tmp_path / "partial.pt")


def test_threads_are_restored_after_training():
    before = torch.get_num_threads()
    gan.train("ring", steps=3, n_train=300, rng=0, threads=before + 1)
    assert torch.get_num_threads() == before
