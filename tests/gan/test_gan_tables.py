"""GANs on tables (issue 29): the transformer's round trip, the conditions, training, checkpoints and bad input."""

import json

import numpy as np
import pandas as pd
import pytest
import torch

import gan
from gan.data.tables import ConditionSampler, TableTransformer, table_dataset

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def penguins():
    palmerpenguins = pytest.importorskip("palmerpenguins")
    return palmerpenguins.load_penguins()


def _mixed(n=120, seed=0):
    """Every kind the transformer takes, with missing values where the dtype can hold them."""
    rng = np.random.default_rng(seed)
    flags = rng.random(n) < 0.3
    boolean = pd.array(rng.random(n) < 0.5, dtype="boolean")
    boolean[rng.random(n) < 0.1] = pd.NA
    counts = pd.array(rng.integers(0, 9, n), dtype="Int64")
    counts[rng.random(n) < 0.1] = pd.NA
    level = pd.Categorical(
        rng.choice(["low", "mid", "high"], n), categories=["low", "mid", "high", "none"], ordered=True
    )
    level[rng.random(n) < 0.1] = np.nan
    obj = np.array(rng.choice(["x", "y", "z"], n), dtype=object)
    obj[rng.random(n) < 0.1] = None
    weight = np.where(rng.random(n) < 0.15, np.nan, np.r_[rng.normal(-3, 0.5, n // 2), rng.normal(4, 1, n - n // 2)])
    return pd.DataFrame(
        {
            "flag": flags,
            "maybe": boolean,
            "age": rng.integers(18, 90, n),
            "count": counts,
            "level": level,
            "codes": pd.Categorical(rng.choice([3, 7, 11], n)),
            "word": pd.Series(obj, dtype=object),
            "text": pd.Series(rng.choice(["p", "q"], n), dtype="str").where(rng.random(n) > 0.1),
            "weight": weight,
            7: rng.normal(size=n),
        }
    )


# --- the transformer ----------------------------------------------------------------------------


def _round_trip(frame, seed=0):
    table = TableTransformer().fit(frame, rng=seed)
    rows = table.transform(frame, rng=seed + 1)
    return table, rows, table.inverse_transform(rows)


def test_penguins_come_back_exactly(penguins):
    table, rows, back = _round_trip(penguins)
    assert list(back.columns) == list(penguins.columns)
    assert back.dtypes.equals(penguins.dtypes)
    pd.testing.assert_frame_equal(back, penguins, check_exact=False, rtol=1e-12)  # NaNs in the same places
    assert rows.shape == (len(penguins), table.dim) and np.abs(rows).max() <= 1
    for start, end, kind in table.spans_:  # one-hot spans hold one 1 per row
        if kind == "softmax":
            assert np.array_equal(rows[:, start:end].sum(axis=1), np.ones(len(rows)))


def test_every_kind_comes_back_with_its_dtype_categories_and_missing_values():
    frame = _mixed()
    _, _, back = _round_trip(frame)
    assert list(back.columns) == list(frame.columns) and back.dtypes.equals(frame.dtypes)
    pd.testing.assert_frame_equal(back, frame, check_exact=False, rtol=1e-12)
    assert list(back["level"].cat.categories) == ["low", "mid", "high", "none"] and back["level"].cat.ordered
    assert back["codes"].cat.categories.dtype == frame["codes"].cat.categories.dtype
    assert frame["word"].dtype == object and back["word"][frame["word"].isna()].iloc[0] is None


def test_generated_rows_decode_to_the_columns_kinds_and_ranges():
    frame = _mixed()
    table = TableTransformer().fit(frame, rng=0)
    noise = np.random.default_rng(1).uniform(-3, 3, size=(500, table.dim))  # any rows: argmax and clipping decide
    back = table.inverse_transform(noise)
    assert back.dtypes.equals(frame.dtypes)
    assert back["age"].between(frame["age"].min(), frame["age"].max()).all()
    assert set(back["word"].dropna()) <= {"x", "y", "z"} and list(back["level"].cat.categories) == [
        "low",
        "mid",
        "high",
        "none",
    ]
    assert back["count"].isna().any() and back["weight"].isna().any()


def test_the_transformer_is_determined_by_rng_and_its_state_is_json():
    frame = _mixed()
    a, b = TableTransformer().fit(frame, rng=3), TableTransformer().fit(frame, rng=3)
    assert a.state() == b.state()
    assert np.array_equal(a.transform(frame, rng=4), b.transform(frame, rng=4))
    copy = TableTransformer.from_state(json.loads(json.dumps(a.state())))
    assert np.array_equal(copy.transform(frame, rng=4), a.transform(frame, rng=4))
    pd.testing.assert_frame_equal(copy.inverse_transform(a.transform(frame, rng=4)), frame, check_exact=False)


def test_a_bimodal_column_gets_two_modes():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"v": np.r_[rng.normal(-5, 0.3, 300), rng.normal(5, 0.3, 300)]})
    record = TableTransformer().fit(frame, rng=0).columns_[0]
    assert sorted(np.round(record["means"])) == [-5, 5]


def test_training_by_sampling_draws_rows_with_their_condition_and_log_frequencies():
    frame = pd.DataFrame({"c": ["a"] * 270 + ["b"] * 27 + ["c"] * 3, "v": np.arange(300.0)})
    dataset = table_dataset(frame, seed=0)
    sampler = ConditionSampler(dataset.rows, dataset.table.discrete_spans)
    codes, rows = sampler.draw(30_000, torch.Generator().manual_seed(0))
    assert (sampler.codes[rows.numpy(), 0] == codes.numpy()).all()
    expected = np.log1p([270, 27, 3]) / np.log1p([270, 27, 3]).sum()
    assert np.allclose(np.bincount(codes.numpy(), minlength=3) / 30_000, expected, atol=0.01)


# --- bad input ----------------------------------------------------------------------------------


def test_an_identifier_or_an_all_missing_column_is_refused_by_name():
    frame = _mixed()
    with pytest.raises(ValueError, match="column 'id' holds a different value on"):
        TableTransformer().fit(frame.assign(id=[f"row{i}" for i in range(len(frame))]), rng=0)
    with pytest.raises(ValueError, match="column 'empty': every value is missing"):
        TableTransformer().fit(frame.assign(empty=np.nan), rng=0)
    with pytest.raises(ValueError, match="column 'weight' holds infinite values"):
        TableTransformer().fit(frame.assign(weight=np.where(frame["weight"] > 4, np.inf, frame["weight"])), rng=0)
    when = pd.Categorical(pd.to_datetime(["2020-01-01", "2021-01-01"] * 60))
    with pytest.raises(ValueError, match="column 'when' has categories of type Timestamp"):
        TableTransformer().fit(frame.assign(when=when), rng=0)
    table = TableTransformer().fit(frame, rng=0)
    with pytest.raises(ValueError, match="column 'age' is categorical but was numeric"):
        table.transform(frame.assign(age=frame["age"].astype(str)))
    with pytest.raises(ValueError, match="column 'word' holds 'w', a category the transformer was not fitted on"):
        table.transform(frame.assign(word="w"))
    with pytest.raises(ValueError, match="column 'age' has missing values; it had none"):
        table.transform(frame.assign(age=np.where(frame["age"] > 50, np.nan, frame["age"])))
    with pytest.raises(ValueError, match="`labels`: a table conditions"):
        gan.train(frame, labels=np.zeros(len(frame)), steps=1)
    with pytest.raises(ValueError, match="`conditional=True` is for class labels"):
        gan.train(frame, conditional=True, steps=1)


# --- training, sampling, checkpoints --------------------------------------------------------------

FAST = dict(batch_size=10, pack=5, z_dim=8, hidden=32, progress=False)


def test_a_short_run_on_penguins_samples_the_table(penguins):
    model = gan.train(penguins, steps=200, rng=0, progress=False)
    assert model.config["network"] == "table" and model.config["pack"] == 10
    sample = model.sample(1000, rng=1)
    assert list(sample.columns) == list(penguins.columns) and sample.dtypes.equals(penguins.dtypes)
    assert set(sample["species"].unique()) == set(penguins["species"].dropna().unique())
    assert sample["year"].isin(penguins["year"].unique()).all()
    watched = model.history.dropna(subset=["pvalue"])
    assert len(watched) == 20 and watched["pvalue"].between(0, 1).all()
    with pytest.raises(ValueError, match="a GAN of a table draws its conditions"):
        model.sample(3, labels=0)
    # the network's own rows: tanh scalars, Gumbel-softmax spans summing to 1, all noise from the input
    z = torch.randn(64, model.z_dim, generator=torch.Generator().manual_seed(0))
    asked = torch.zeros(64, dtype=torch.long)  # species: Adelie
    model.generator.eval()
    with torch.no_grad():
        rows, again = model.generator(z, asked), model.generator(z, asked)
    assert torch.equal(rows, again) and rows.abs().max() <= 1
    asked_for = model.table.inverse_transform(rows.double().numpy())["species"]
    assert (asked_for == "Adelie").mean() > 0.6  # the cross-entropy term at work (0.81 here; 1/3 by chance)
    for start, end, kind in model.table.spans_:
        if kind == "softmax":
            assert torch.allclose(rows[:, start:end].sum(dim=1), torch.ones(64), atol=1e-5)


def test_two_runs_with_one_rng_give_the_same_table(penguins):
    a = gan.train(penguins, steps=6, rng=5, **FAST).sample(50, rng=2)
    b = gan.train(penguins, steps=6, rng=5, **FAST).sample(50, rng=2)
    pd.testing.assert_frame_equal(a, b)


def test_checkpoints_hold_the_table_and_resume_exactly(penguins, tmp_path):
    kw = dict(steps=12, monitor_every=4, rng=1, **FAST)
    full = gan.train(penguins, **kw, out=tmp_path / "full")
    gan.train(penguins, **{**kw, "steps": 8}, out=tmp_path / "part")
    resumed = gan.train(penguins, **kw, out=tmp_path / "part", resume=tmp_path / "part" / "checkpoint.pt")
    for net in ("generator", "critic"):
        for (k, v), (_, w) in zip(getattr(full, net).state_dict().items(), getattr(resumed, net).state_dict().items()):
            assert torch.equal(v, w), (net, k)
    loaded = gan.load(tmp_path / "full" / "checkpoint.pt")
    pd.testing.assert_frame_equal(loaded.sample(40, rng=3), full.sample(40, rng=3))
    saved = full.save(tmp_path / "saved.pt")
    pd.testing.assert_frame_equal(gan.load(saved).sample(40, rng=3), full.sample(40, rng=3))
    raw = torch.load(saved, weights_only=True)  # no pickled objects: plain values only
    json.dumps(raw["table"])


def test_resuming_with_other_columns_names_them(penguins, tmp_path):
    gan.train(penguins, steps=2, rng=0, **FAST, out=tmp_path)
    with pytest.raises(ValueError, match=r"missing \['year'\], unexpected \['yr'\]"):
        gan.train(penguins.rename(columns={"year": "yr"}), steps=4, **FAST, resume=tmp_path / "checkpoint.pt")
    gan.train("ring", steps=2, rng=0, out=tmp_path / "ring", progress=False)
    with pytest.raises(ValueError, match="was not trained on a table"):
        gan.train(penguins, steps=4, **FAST, resume=tmp_path / "ring" / "checkpoint.pt")


def test_a_table_of_numbers_alone_trains_without_conditions():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"a": rng.normal(size=80), "one": np.full(80, 3), "b": np.where(rng.random(80) < 0.2, np.nan, 1.0)}
    )
    _, _, back = _round_trip(frame)
    pd.testing.assert_frame_equal(back, frame, check_exact=False, rtol=1e-12)
    model = gan.train(frame[["a"]], steps=4, rng=0, **FAST)
    assert model.config["n_conditions"] == 0  # a continuous column alone: nothing to condition on
    model = gan.train(frame, steps=4, rng=0, **FAST)
    assert model.config["n_conditions"] == 3  # the constant (1 level) and b (1.0 or missing) are discrete
    sample = model.sample(30, rng=1)
    assert sample.dtypes.equals(frame.dtypes) and (sample["one"] == 3).all()
    assert sample["b"].isin([1.0]).sum() + sample["b"].isna().sum() == 30


def test_a_numeric_column_of_few_values_comes_back_as_those_values():
    rng = np.random.default_rng(1)
    ages = np.array([17.5, 22.0, 27.0, 32.0, 37.0, 42.0])
    frame = pd.DataFrame(
        {
            "age": rng.choice(ages, 400),
            "rating": pd.array(rng.integers(1, 6, 400), dtype="Int64"),
            "x": rng.normal(size=400),
            "year": rng.choice([2007, 2008], 400),
        }
    )
    frame.loc[rng.random(400) < 0.05, "rating"] = pd.NA
    table, rows, back = _round_trip(frame)
    kinds = {c["name"]: (c["kind"], c.get("discrete")) for c in table.columns_}
    assert kinds == {
        "age": ("categorical", True),
        "rating": ("categorical", True),
        "x": ("numeric", None),
        "year": ("categorical", True),
    }
    pd.testing.assert_frame_equal(back.drop(columns="x"), frame.drop(columns="x"))
    model = gan.train(frame, steps=4, rng=0, **FAST)
    sample = model.sample(200, rng=2)
    assert sample.dtypes.equals(frame.dtypes)
    assert sample["age"].isin(ages).all() and sample["year"].isin([2007, 2008]).all()
    assert sample["rating"].dropna().isin(range(1, 6)).all()
    assert TableTransformer().fit(frame.head(60), rng=0).columns_[1]["kind"] == "categorical"  # 5 levels, 5x rows
    assert TableTransformer().fit(frame.head(40), rng=0).columns_[1]["kind"] == "numeric"  # 5 levels > 40 / 10


# --- table files and the command line ---------------------------------------------------------


def test_a_table_file_trains_as_its_dataframe_and_a_file_of_numbers_stays_rows(penguins, tmp_path):
    penguins.to_parquet(tmp_path / "penguins.parquet")
    from_file = gan.train(tmp_path / "penguins.parquet", steps=4, rng=3, **FAST)
    from_frame = gan.train(penguins, steps=4, rng=3, **FAST)
    pd.testing.assert_frame_equal(from_file.sample(30, rng=1), from_frame.sample(30, rng=1))
    numbers = penguins.select_dtypes("number").dropna()
    numbers.to_csv(tmp_path / "numbers.csv", index=False)
    rows = gan.train(str(tmp_path / "numbers.csv"), steps=2, rng=0, progress=False)
    assert rows.table is None and rows.sample(3, rng=0).shape == (3, numbers.shape[1])


def test_the_command_line_trains_samples_and_audits_a_table(penguins, tmp_path, capsys):
    from gan.app.cli import main

    order = np.random.default_rng(0).permutation(len(penguins))
    penguins.iloc[order[:230]].to_csv(tmp_path / "train.csv", index=False)
    penguins.iloc[order[230:]].to_csv(tmp_path / "test.csv", index=False)
    run = tmp_path / "run"
    fast = ["--steps", "6", "--batch-size", "10", "--pack", "5", "--z-dim", "8", "--seed", "0"]
    assert main(["train", "--data", str(tmp_path / "train.csv"), *fast, "--out", str(run)]) == 0
    assert (run / "samples.png").stat().st_size > 0  # the columns, data and generated
    rows = tmp_path / "rows.csv"
    assert main(["sample", str(run / "checkpoint.pt"), "-n", "114", "--seed", "1", "--out", str(rows)]) == 0
    written = pd.read_csv(rows)
    assert list(written.columns) == list(penguins.columns) and set(written["species"]) <= set(penguins["species"])
    capsys.readouterr()
    real = ["--real-train", str(tmp_path / "train.csv"), "--real-test", str(tmp_path / "test.csv")]
    args = ["audit", str(rows), *real, "--target", "species", "--checks", "columns,c2st,utility", "--seed", "0"]
    assert main([*args, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["table"]) >= {"columns_differ", "c2st_auc", "utility"}
    assert report["table"]["utility"]["utility TRTR"] > 0.9  # species from the real measurements
    assert main(["audit", str(run / "checkpoint.pt"), *real, "--checks", "columns", "--seed", "0"]) == 0
    assert "per column" in capsys.readouterr().out


def test_a_point_mass_of_a_numeric_column_is_a_mode_of_its_own():
    rng = np.random.default_rng(2)
    amount = np.where(rng.random(600) < 0.6, 0.0, rng.lognormal(1.0, 0.7, 600))
    amount[rng.random(600) < 0.05] = np.nan
    frame = pd.DataFrame({"amount": amount, "x": rng.normal(size=600)})
    table, rows, back = _round_trip(frame)
    record = table.columns_[0]
    assert record["atoms"] == [0.0] and record["atom_shares"][0] == pytest.approx(0.6, abs=0.05)
    assert table.columns_[1]["atoms"] == []  # a continuous column has none
    pd.testing.assert_frame_equal(back, frame, check_exact=False, rtol=1e-12)
    k = len(record["weights"])
    on_zero = rows[:, 1 + k] == 1  # the point mass's mode, after the mixture's
    assert np.array_equal(on_zero[~np.isnan(amount)], (amount == 0)[~np.isnan(amount)])
    assert np.all(rows[on_zero, 0] == 0)  # its scalar carries nothing
    model = gan.train(frame, steps=4, rng=0, **FAST)
    assert (model.sample(300, rng=1)["amount"] == 0).any()  # exact zeros come out


def test_a_table_run_keeps_its_split_as_the_tables_rows_and_audits_from_its_folder(penguins, tmp_path, capsys):
    from gan.app.cli import main
    from gan.training.trainer import split_indices

    run = tmp_path / "run"
    fast = ["--steps", "4", "--batch-size", "10", "--pack", "5", "--z-dim", "8", "--seed", "0"]
    penguins.to_csv(tmp_path / "penguins.csv", index=False)
    assert main(["train", "--data", str(tmp_path / "penguins.csv"), *fast, "--out", str(run)]) == 0
    train, held = pd.read_parquet(run / "train_rows.parquet"), pd.read_parquet(run / "heldout_rows.parquet")
    config = json.loads((run / "config.json").read_text())
    train_idx, held_idx = split_indices(len(penguins), config["n_monitor"], config["data_seed"])
    read = pd.read_csv(tmp_path / "penguins.csv")
    pd.testing.assert_frame_equal(held, read.iloc[held_idx].reset_index(drop=True), check_dtype=False)
    assert len(train) == len(train_idx) and not (run / "train_labels.npy").exists()
    capsys.readouterr()
    assert main(["audit", str(run), "--checks", "columns", "--seed", "0"]) == 0
    assert "per column" in capsys.readouterr().out
