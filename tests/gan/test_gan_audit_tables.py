"""gan.audit of a synthetic table: its level on real-vs-real splits, what it detects and names, its inputs."""

import json
import warnings

import numpy as np
import palmerpenguins
import pandas as pd
import pytest

import gan
from twosample.study._pairs import pair_dependence

IN_VERDICT = ("columns", "c2st", "mmd", "pairs", "copying")


def penguin_split(seed):
    """The penguins cut at random into three parts: (generated, real_train, real_test), all real rows."""
    table = palmerpenguins.load_penguins()
    order = np.random.default_rng(seed).permutation(len(table))
    return [table.iloc[part].reset_index(drop=True) for part in np.array_split(order, 3)]


def mixed_table(n, rng, *, rho=0.7, colours=(0.5, 0.3, 0.2)):
    """A mixed table: a correlated numeric pair, a group that moves a number and a flag, an independent
    colour, an integer count and missing incomes."""
    x1 = rng.normal(size=n)
    x2 = rho * x1 + np.sqrt(1 - rho**2) * rng.normal(size=n)
    group = rng.choice(["a", "b", "c"], n, p=[0.4, 0.35, 0.25])
    income = np.where(group == "a", 30.0, 45.0) + 10 * rng.normal(size=n)
    income[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "x1": x1,
            "x2": x2,
            "group": group,
            "income": income,
            "flag": rng.random(n) < np.where(group == "a", 0.2, 0.7),
            "colour": pd.Categorical(rng.choice(["red", "green", "blue"], n, p=list(colours))),
            "count": rng.poisson(3, n),
        }
    )


def run(generated, real_train, real_test, seed, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the KS exact null's notice on ties
        return gan.audit(generated, real_train, real_test, rng=seed, **kwargs)


def raw_rejections(reports, alpha=0.05):
    """How often each check of the verdict had a raw p-value at or below alpha."""
    tables = pd.concat([r.table.assign(run=i) for i, r in enumerate(reports)])
    tested = tables[tables["in_verdict"]]
    return (tested["pvalue"] <= alpha).groupby(tested["check"]).sum().to_dict()


def _level(splits):
    reports = [run(*penguin_split(seed), seed) for seed in range(splits)]
    return sum(r.reject for r in reports), raw_rejections(reports)


def test_the_audit_of_a_real_versus_real_split_of_the_penguins_keeps_its_level():
    rejected, per_check = _level(40)
    # Binomial(40, 0.05): P(X >= 7) < 0.004; Holm over five checks is conservative, each check is not
    assert rejected <= 6
    assert set(per_check) == set(IN_VERDICT) and max(per_check.values()) <= 6, per_check


@pytest.mark.slow
def test_the_audit_of_real_versus_real_splits_keeps_its_level_long():
    rejected, per_check = _level(100)
    # Binomial(100, 0.05): P(X >= 12) < 0.005 (measured: 3 verdicts; raw 5, 1, 4, 4 and 10: docs/tables_gan.md)
    assert rejected <= 11 and max(per_check.values()) <= 11, per_check
    reports = []
    for seed in range(100):
        rng = np.random.default_rng(1000 + seed)
        reports.append(run(mixed_table(300, rng), mixed_table(300, rng), mixed_table(300, rng), seed))
    assert sum(r.reject for r in reports) <= 11
    assert max(raw_rejections(reports).values()) <= 11, raw_rejections(reports)


def _three(n, seed, **generated):
    rng = np.random.default_rng(seed)
    return mixed_table(n, rng, **generated), mixed_table(n, rng), mixed_table(n, rng)


def test_one_category_frequency_changed_is_rejected_and_the_column_named():
    report = run(*_three(600, 1, colours=(0.35, 0.45, 0.2)), 0)
    assert report.reject and "columns that differ: colour" in report.verdict
    assert report.to_dict()["table"]["columns_differ"] == ["colour"]


def test_one_correlation_flipped_is_rejected_and_the_pair_named():
    report = run(*_three(600, 2, rho=-0.7), 0)
    assert report.reject and "worst pair: (x1, x2)" in report.verdict
    assert report.to_dict()["table"]["columns_differ"] == []  # the margins are those of the data
    rows = report.table.set_index("check")
    assert rows.loc["pairs", "reject"] and not rows.loc["columns", "reject"]


def test_ten_percent_of_rows_copied_from_training_is_flagged_as_copying():
    fresh, train, test = _three(600, 3)
    copied = pd.concat([fresh.iloc[60:], train.iloc[:60]], ignore_index=True)
    report = run(copied, train, test, 0)
    rows = report.table.set_index("check")
    assert report.reject and "copying" in report.verdict and rows.loc["copying", "reject"]
    assert rows.loc["dcr", "statistic"] < 1 and "10.0% exact copies" in rows.loc["dcr", "note"]
    assert not rows.loc[["columns", "pairs"], "reject"].any()


def test_pair_dependence_measures_match_pandas_and_scipy():
    from scipy import stats

    rng = np.random.default_rng(4)
    x, y = mixed_table(200, rng), mixed_table(150, rng, rho=0.2)
    frame = pair_dependence(x, y, n_resamples=99, rng=rng).set_index(["a", "b"])
    assert frame.loc[("x1", "x2"), "value_x"] == pytest.approx(x["x1"].corr(x["x2"]))
    assert frame.loc[("x1", "x2"), "value_y"] == pytest.approx(y["x1"].corr(y["x2"]))
    table = pd.crosstab(x["group"], x["colour"]).to_numpy()
    v = np.sqrt(stats.chi2_contingency(table, correction=False)[0] / table.sum() / 2)
    assert frame.loc[("group", "colour"), "value_x"] == pytest.approx(v)
    seen = x.dropna(subset=["income"])
    means = seen.groupby("group")["income"].transform("mean")
    eta = np.sqrt(((means - seen["income"].mean()) ** 2).sum() / ((seen["income"] - seen["income"].mean()) ** 2).sum())
    assert frame.loc[("income", "group"), "value_x"] == pytest.approx(eta)
    assert (frame["pvalue"] <= frame["p_adjusted"] + 1e-12).all() and frame["pvalue"].min() > 0


def test_utility_scores_sit_beside_the_verdict_and_the_report_is_strict_json(tmp_path):
    generated, train, test = penguin_split(7)
    report = run(generated, train, test, 0, target="species")
    rows = report.table.set_index("check")
    for name in ("utility TSTR", "utility TRTR"):
        assert not rows.loc[name, "in_verdict"] and pd.isna(rows.loc[name, "reject"])
        assert 0.8 < rows.loc[name, "statistic"] <= 1 and rows.loc[name, "ci_low"] < rows.loc[name, "statistic"]
    data = json.loads(report.to_json())
    assert set(data["table"]["utility"]) == {"utility TSTR", "utility TRTR"} and len(data["table"]["pairs"]) == 28
    page = report.to_html(tmp_path).read_text()
    assert "Pairs of columns" in page and "Per column" in page and "the first two columns of the encoded table" in page
    assert (
        run(generated, train, test, 0, target="body_mass_g").table.set_index("check").loc["utility TSTR", "statistic"]
        > 0.5
    )


class _CtganLike:
    """A model with ``sample(num_rows)`` only, as ctgan's (seeded by its own state)."""

    def __init__(self, rows):
        self.rows = rows

    def sample(self, num_rows, condition_column=None, condition_value=None):
        return self.rows.sample(num_rows, replace=True, random_state=0).reset_index(drop=True)


def test_samplers_of_tables_are_drawn_from():
    generated, train, test = penguin_split(8)
    by_rng = run(lambda n, rng: generated.sample(n, random_state=int(rng.integers(2**31))), train, test, 0, n=100)
    assert by_rng.table.set_index("check").loc["c2st", "note"]  # ran
    report = run(_CtganLike(generated), train, test, 0, checks=["columns", "copying"])
    assert list(report.table["check"]) == ["columns", "copying", "dcr"]
    shuffled = generated[list(generated.columns[::-1])]  # columns matched by name
    assert run(shuffled, train, test, 0, checks="columns").table.equals(
        run(generated, train, test, 0, checks="columns").table
    )


@pytest.mark.parametrize(
    "change, kwargs, match",
    [
        (lambda g: g.drop(columns="island"), {}, r"`generated`.*missing \['island'\]"),
        (lambda g: g.assign(extra=1), {}, r"unexpected \['extra'\]"),
        (lambda g: g.assign(sex=np.nan), {}, "column 'sex' of `generated` has every value missing"),
        (lambda g: g.assign(year=g["year"].astype(str)), {}, "column 'year' is numeric in `real_train`"),
        (lambda g: g, {"target": "beak"}, "`target` must name a column"),
        (lambda g: g, {"checks": ["utility"]}, "'utility' needs `target=`"),
        (lambda g: g, {"features": "digits"}, "`features`: not an option of a table audit"),
    ],
)
def test_bad_table_inputs_name_the_column_or_argument(change, kwargs, match):
    generated, train, test = penguin_split(9)
    with pytest.raises(ValueError, match=match):
        run(change(generated), train, test, 0, **kwargs)


def test_a_column_of_unique_strings_is_refused_by_name():
    parts = penguin_split(10)
    generated, train, test = (t.assign(name=[f"bird {k}.{i}" for i in range(len(t))]) for k, t in enumerate(parts))
    with pytest.raises(ValueError, match="column 'name' holds a different value on every row"):
        run(generated, train, test, 0)


def test_a_table_gan_and_its_checkpoint_are_audited_and_each_check_keeps_its_stream(tmp_path):
    generated, train, test = penguin_split(11)
    model = gan.train(train, steps=5, rng=0, progress=False)
    path = tmp_path / "penguins.pt"
    model.save(path)
    first = run(model, train, test, 0, checks=["columns", "pairs"])
    again = run(str(path), train, test, 0, checks=["pairs"])
    assert first.table.set_index("check").loc["pairs"].equals(again.table.set_index("check").loc["pairs"])
    assert len(first.details["table"]["columns"]) == len(train.columns)


def test_an_all_numeric_complete_dataframe_is_still_audited_as_rows():
    rng = np.random.default_rng(12)
    frames = [pd.DataFrame(rng.normal(size=(60, 2)), columns=["u", "v"]) for _ in range(3)]
    report = run(*frames, 0, checks=["mmd"])
    assert "table" not in report.details and "aggregated MMD" in report.table.loc[0, "note"]


def test_pair_dependence_does_not_depend_on_the_rows_order():
    rng = np.random.default_rng(13)
    x, y = mixed_table(120, rng), mixed_table(100, rng, rho=0.3)
    frame = pair_dependence(x, y, n_resamples=199, rng=np.random.default_rng(0))
    shuffled = pair_dependence(x.sample(frac=1, random_state=1), y[::-1], n_resamples=199, rng=np.random.default_rng(0))
    pd.testing.assert_frame_equal(frame, shuffled, check_exact=False, rtol=1e-9)


def test_the_c2st_held_out_auc_is_the_mann_whitney_statistic_of_its_scores():
    from scipy.stats import mannwhitneyu

    rng = np.random.default_rng(5)
    real_train, real_test = mixed_table(300, rng), mixed_table(300, rng)
    shifted = mixed_table(300, rng).assign(x1=lambda f: f["x1"] + 1.0)
    report = run(shifted, real_train, real_test, 0, checks=["c2st"])
    res = report.details["c2st"]
    u = mannwhitneyu(res.scores_x, res.scores_y).statistic / (len(res.scores_x) * len(res.scores_y))
    auc = report.to_dict()["table"]["c2st_auc"]
    assert auc == pytest.approx(u, abs=1e-12) and auc > 0.7
    assert f"held-out AUC {auc:.3f}" in report.table.set_index("check").loc["c2st", "note"]
    same = run(mixed_table(300, rng), real_train, real_test, 0, checks=["c2st"]).to_dict()["table"]["c2st_auc"]
    assert 0.35 < same < 0.65  # real against real
