"""Power curves, the report, the `twosample power` command, the demo study, and Dask."""

import subprocess
import sys

import joblib
import matplotlib
import numpy as np
import pytest

import twosample as ts
from twosample.app import demo
from twosample.app.plotting import plot_null_distribution, plot_power_curve
from twosample.app.report import write_power_report
from twosample.study import scenarios
from twosample.study.simulation import power_curve

matplotlib.use("Agg")


def small_curve(**kwargs):
    return power_curve(
        ["mean", "ks"],
        scenarios.gaussian_vs_laplace(),
        sizes=[20, 40],
        reps=15,
        rng=0,
        n_resamples=49,
        progress=False,
        **kwargs,
    )


def test_power_curve_table():
    df = small_curve()
    assert list(df.columns) == [
        "test",
        "kind",
        "n",
        "effect",
        "power",
        "ci_low",
        "ci_high",
        "rejections",
        "reps",
        "alpha",
        "seconds",
    ]
    assert len(df) == 2 * 2 * 2 and set(df["kind"]) == {"power", "level"}
    assert (df["ci_low"] <= df["power"]).all() and (df["power"] <= df["ci_high"]).all()
    again = small_curve()
    np.testing.assert_array_equal(df["rejections"], again["rejections"])


def test_power_curve_over_effects_and_n_jobs_invariance():
    kwargs = dict(sizes=[30], effects=[0.0, 1.0], reps=20, rng=1, n_resamples=49, progress=False, include_level=False)
    a = power_curve({"mean": ts.mean_difference_test}, scenarios.mean_shift, **kwargs)
    b = power_curve({"mean": ts.mean_difference_test}, scenarios.mean_shift, n_jobs=2, **kwargs)
    np.testing.assert_array_equal(a["rejections"], b["rejections"])
    assert a.loc[a["effect"] == 1.0, "power"].item() > a.loc[a["effect"] == 0.0, "power"].item()


def test_power_curve_validates():
    with pytest.raises(ValueError, match="`tests` is empty"):
        power_curve([], scenarios.mean_shift(), sizes=[10])
    with pytest.raises(TypeError, match="with `effects`, `scenario` must be a constructor"):
        power_curve(["mean"], scenarios.mean_shift(), sizes=[10], effects=[1.0])
    with pytest.raises(ValueError, match="`scenario` must be one of gaussian-laplace"):
        scenarios.get_scenario("nope")


def test_plots_and_report(tmp_path):
    df = small_curve()
    fig = plot_power_curve(df, title="t")
    assert len(fig.axes) == 2
    res = ts.ks_test(np.arange(10.0), np.arange(10.0) + 3, n_resamples=199, rng=0)
    assert plot_null_distribution(res).axes
    with pytest.raises(ValueError, match="no null distribution"):
        plot_null_distribution(ts.ks_test([1.0, 2, 3], [2.0, 3, 5], method="exact"))
    path = write_power_report(
        df, tmp_path / "r", title="Study", description="d", extra_figures=[("null", plot_null_distribution(res))]
    )
    text = path.read_text()
    assert text.count("data:image/png;base64,") == 2 and "Rejection rates" in text
    assert (tmp_path / "r" / "power.csv").exists() and (tmp_path / "r" / "power.png").exists()


def test_cli_power(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "twosample",
            "power",
            "--tests",
            "mean,ks",
            "--sizes",
            "20,30",
            "--reps",
            "10",
            "--n-resamples",
            "49",
            "--seed",
            "0",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "wrote" in proc.stdout and (tmp_path / "report.html").exists()
    bad = subprocess.run(
        [sys.executable, "-m", "twosample", "power", "--scenario", "nope"], capture_output=True, text=True
    )
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_demo_study_small(tmp_path):
    df, path = demo.run_study(
        tests=("mean", "ks"), sizes=(20, 40), reps=10, n_resamples=49, out=tmp_path, n_jobs=1, progress=False
    )
    assert path.exists() and set(df["test"]) == {"mean", "ks"}


def test_demo_tour_prints_every_test(capsys):
    demo.tour()
    out = capsys.readouterr().out
    for name in ts.TESTS:
        assert f"  {name} " in out


def test_dask_local_cluster_gives_the_local_result():
    distributed = pytest.importorskip("distributed")
    local = ts.power("ks", scenarios.gaussian_vs_laplace(), n=40, reps=24, rng=3, n_resamples=49)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None, processes=True
        ) as cluster,
        distributed.Client(cluster),
    ):
        with joblib.parallel_config(backend="dask"):
            remote = ts.power("ks", scenarios.gaussian_vs_laplace(), n=40, reps=24, rng=3, n_resamples=49, n_jobs=-1)
    np.testing.assert_array_equal(local.pvalues, remote.pvalues)
