"""gan/ as a library: objectives and penalties as objects, EMA, TTUR, conditional GANs,
images of any size, image folders, the old checkpoint format, callbacks."""

import math

import numpy as np
import pandas as pd
import pytest
import torch

import gan
from gan import callbacks, datasets, networks, objectives, penalties
from gan.model.checkpoint import read_checkpoint, write_checkpoint


def _weights(module):
    return [p.detach().clone() for p in module.state_dict().values()]


def _same(a, b):
    return all(torch.equal(p, q) for p, q in zip(_weights(a), _weights(b)))


# --- objectives and penalties -----------------------------------------------------------------


def test_new_losses_follow_their_papers():
    v_r, v_f = torch.randn(50, dtype=torch.float64), torch.randn(50, dtype=torch.float64)
    hinge, ls, rgan = (objectives.get_objective(n) for n in ("hinge", "lsgan", "rgan"))
    assert torch.allclose(hinge.critic_loss(v_r, v_f), torch.relu(1 - v_r).mean() + torch.relu(1 + v_f).mean())
    assert torch.allclose(hinge.generator_loss_of(v_f), -v_f.mean())
    assert torch.allclose(ls.critic_loss(v_r, v_f), 0.5 * ((v_r - 1) ** 2).mean() + 0.5 * (v_f**2).mean())
    assert torch.allclose(ls.generator_loss_of(v_f), 0.5 * ((v_f - 1) ** 2).mean())
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    d_r, d_f = v_r - v_f.mean(), v_f - v_r.mean()
    expected_c = bce(d_r, torch.ones_like(d_r)) + bce(d_f, torch.zeros_like(d_f))
    expected_g = bce(d_f, torch.ones_like(d_f)) + bce(d_r, torch.zeros_like(d_r))
    assert torch.allclose(rgan.critic_loss(v_r, v_f), expected_c)
    assert torch.allclose(rgan.generator_loss_of(v_f, v_r), expected_g)
    table = objectives.objective_table()
    assert {"hinge", "lsgan", "rgan"} <= set(table["name"])
    assert table.set_index("name").loc["wgan-gp", "penalties"] == "gp"


def test_label_smoothing_is_the_logistic_loss_with_a_soft_real_target():
    v_r, v_f = torch.randn(40, dtype=torch.float64), torch.randn(40, dtype=torch.float64)
    nsgan = objectives.get_objective("nsgan")
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    smoothed = bce(v_r, torch.full_like(v_r, 0.9)) + bce(v_f, torch.zeros_like(v_f))
    assert torch.allclose(nsgan.critic_loss(v_r, v_f, smoothing=0.1), smoothed)


def test_monitor_accuracy_thresholds():
    v_r, v_f = torch.tensor([0.2, 0.7, 2.0]), torch.tensor([-1.0, 0.1, 0.4])
    assert objectives.get_objective("hinge").monitor_scores(v_r, v_f)["heldout_accuracy"] == pytest.approx(
        0.5 * (1 + 1 / 3)
    )
    assert objectives.get_objective("lsgan").monitor_scores(v_r, v_f)["heldout_accuracy"] == pytest.approx(
        0.5 * (2 / 3 + 1)
    )
    assert math.isnan(objectives.get_objective("rgan").monitor_scores(v_r, v_f)["heldout_accuracy"])


def test_r1_and_r2_are_half_gamma_times_the_squared_input_gradient():
    lin = torch.nn.Linear(2, 1)
    with torch.no_grad():
        lin.weight.copy_(torch.tensor([[3.0, 4.0]]))
    critic = lambda x, labels=None: lin(x)  # noqa: E731
    real, fake = torch.randn(8, 2), torch.randn(8, 2)
    assert float(penalties.R1(2.0).loss(critic, real, fake, None, None, None).detach()) == pytest.approx(0.5 * 2.0 * 25)
    assert float(penalties.R2(0.5).loss(critic, real, fake, None, None, None).detach()) == pytest.approx(0.5 * 0.5 * 25)
    records = penalties.describe([penalties.R1(2.0), penalties.GradientPenalty(5.0)])
    assert records == [{"name": "r1", "gamma": 2.0}, {"name": "gp", "weight": 5.0}]
    assert penalties.from_records(records) == (penalties.R1(2.0), penalties.GradientPenalty(5.0))


def test_penalties_change_the_run_and_are_stored():
    plain = gan.train("ring", objective="hinge", steps=10, rng=0)
    with_r1 = gan.train("ring", objective="hinge", steps=10, r1_gamma=10.0, rng=0)
    assert with_r1.config["penalties"] == [{"name": "r1", "gamma": 10.0}]
    assert not _same(plain.generator, with_r1.generator)
    explicit = gan.train("ring", objective="hinge", steps=10, penalties=[penalties.R1(10.0)], rng=0)
    assert _same(explicit.generator, with_r1.generator)
    # replacing WGAN-GP's own penalty by none: a plain Wasserstein critic
    bare = gan.train("ring", objective="wgan-gp", steps=3, penalties=[], rng=0)
    assert bare.config["penalties"] == []


@pytest.mark.parametrize("objective", ["hinge", "lsgan", "rgan"])
def test_new_objectives_train_resume_exactly_and_report_the_monitor(tmp_path, objective):
    kw = dict(objective=objective, steps=12, monitor_every=4, ema=0.9, lr_decay="none", rng=1)
    full = gan.train("ring", **kw, out=tmp_path / "full")
    gan.train("ring", **{**kw, "steps": 8}, out=tmp_path / "part")
    resumed = gan.train("ring", **kw, out=tmp_path / "part", resume=tmp_path / "part" / "checkpoint.pt")
    assert _same(full.generator, resumed.generator) and _same(full.trained_generator, resumed.trained_generator)
    assert _same(full.critic, resumed.critic)
    cols = ["step", "critic_loss", "generator_loss", "pvalue", "bound"]
    pd.testing.assert_frame_equal(full.history[cols], resumed.history[cols])
    rows = full.history.dropna(subset=["pvalue"])
    assert rows["pvalue"].between(0, 1).all() and rows["bound"].notna().all()


# --- EMA and two time scales --------------------------------------------------------------------


def test_ema_is_the_moving_average_used_for_sampling_and_saved(tmp_path):
    a = gan.train("ring", steps=30, ema=0.99, rng=3, out=tmp_path)
    b = gan.train("ring", steps=30, ema=0.99, rng=3)
    assert _same(a.generator, b.generator)  # same rng, same weights
    assert a.trained_generator is not None and not _same(a.generator, a.trained_generator)
    plain = gan.train("ring", steps=30, ema=0.0, rng=3)
    assert _same(plain.generator, a.trained_generator)  # EMA does not change the training itself
    assert plain.trained_generator is None
    loaded = gan.load(tmp_path / "checkpoint.pt")
    np.testing.assert_array_equal(loaded.sample(20, rng=1), a.sample(20, rng=1))
    assert _same(loaded.trained_generator, a.trained_generator)


def test_ema_warm_start_follows_the_weights_early():
    # decay d = min(ema, (1 + step) / (10 + step)): after step 1, ema = d w_0 + (1 - d) w_1 with d = 2/11
    one = gan.train("ring", steps=1, ema=0.999, rng=4)
    w0 = gan.train("ring", steps=1, lr=1e-30, ema=0.999, rng=4).trained_generator  # lr ~ 0 keeps w_0
    d = 2 / 11
    for avg, cur, first in zip(one.generator.parameters(), one.trained_generator.parameters(), w0.parameters()):
        torch.testing.assert_close(avg, d * first + (1 - d) * cur)


def test_two_time_scale_learning_rates():
    model = gan.train("ring", steps=3, lr=1e-4, critic_lr=4e-4, rng=0)
    assert model.config["lr"] == 1e-4 and model.config["critic_lr"] == 4e-4
    same = gan.train("ring", steps=3, lr=1e-4, rng=0)
    assert not _same(model.critic, same.critic)


@pytest.mark.parametrize(
    "bad, match",
    [
        ({"ema": 1.0}, "`ema`"),
        ({"ema": -0.1}, "`ema`"),
        ({"objective": "hinge2"}, "`objective`"),
        ({"penalties": ["r3"]}, "`penalties`: unknown penalty 'r3'"),
        ({"penalties": [{"name": "r1", "gamma": -1.0}]}, "`r1_gamma`"),
        ({"r2_gamma": -2.0}, "`r2_gamma`"),
        ({"critic_lr": 0.0}, "`critic_lr`"),
        ({"objective": "wgan", "label_smoothing": 0.1}, "`label_smoothing`"),
        ({"label_smoothing": 1.0}, "`label_smoothing`"),
        ({"objective": "mmd", "feature_matching": 1.0}, "`feature_matching`"),
        ({"objective": "mmd", "r1_gamma": 1.0}, "`penalties`"),
        ({"conditional": True}, "`conditional=True` needs class labels"),
    ],
)
def test_bad_training_options_name_the_argument(bad, match):
    with pytest.raises(ValueError, match=match):
        gan.train("ring", **{"steps": 2, **bad})


# --- conditional GANs -------------------------------------------------------------------------


def test_conditional_digits_sample_by_label_and_resume_exactly(tmp_path):
    kw = dict(objective="hinge", conditional=True, steps=6, monitor_every=3, z_dim=8, ema=0.9, lr_decay="none", rng=2)
    kw["generator_options"] = kw["critic_options"] = {"channels": 8}
    full = gan.train("digits", **kw, out=tmp_path / "full")
    assert full.n_classes == 10 and full.critic.embed is not None and full.generator.embed is not None
    assert {f"pvalue_{k}" for k in range(10)} <= set(full.history.columns)
    rows = full.history.dropna(subset=["pvalue"])
    assert rows[[f"pvalue_{k}" for k in range(10)]].stack().between(0, 1).all()
    x = full.sample(10, rng=0, labels=np.arange(10))
    assert x.shape == (10, 64) and np.abs(x).max() <= 1
    np.testing.assert_array_equal(full.sample(5, rng=0, labels=3), full.sample(5, rng=0, labels=[3] * 5))
    assert not np.array_equal(full.sample(5, rng=0, labels=3), full.sample(5, rng=0, labels=4))
    gan.train("digits", **{**kw, "steps": 3}, out=tmp_path / "part")
    resumed = gan.train("digits", **kw, out=tmp_path / "part", resume=tmp_path / "part" / "checkpoint.pt")
    assert _same(full.generator, resumed.generator) and _same(full.critic, resumed.critic)
    loaded = gan.load(tmp_path / "full" / "checkpoint.pt")
    np.testing.assert_array_equal(loaded.sample(7, rng=5), full.sample(7, rng=5))
    with pytest.raises(ValueError, match="`labels` must lie in 0..9"):
        full.sample(3, labels=[0, 1, 10])
    with pytest.raises(ValueError, match="`labels` must be one integer or 3 integers"):
        full.sample(3, labels=[0, 1])


def test_projection_critic_adds_the_embedding_inner_product():
    critic = networks.mlp_critic(3, n_classes=4, hidden=16, rng=0)
    x, y = torch.randn(6, 3), torch.tensor([0, 1, 2, 3, 0, 1])
    h = critic.features(x)
    expected = critic.body[critic.head](h) + (critic.embed(y) * h).sum(1, keepdim=True)
    torch.testing.assert_close(critic(x, y), expected)
    with pytest.raises(ValueError, match="pass `labels`"):
        critic(x)


def test_user_labels_and_their_errors():
    rows = np.random.default_rng(0).normal(size=(200, 2))
    labels = np.where(rows[:, 0] > 0, "right", "left")
    model = gan.train(rows, labels=labels, conditional=True, steps=4, rng=0)
    assert model.n_classes == 2 and model.config["class_counts"] == np.bincount(rows[:, 0] > 0).tolist()
    with pytest.raises(ValueError, match="`labels` must hold one label per row"):
        gan.train(rows, labels=labels[:-1], conditional=True, steps=2)
    with pytest.raises(ValueError, match="`labels`: this GAN is not conditional"):
        gan.train(rows, steps=2, rng=0).sample(3, labels=0)
    with pytest.raises(ValueError, match="`pack` and `conditional`"):
        gan.train(rows, labels=labels, conditional=True, pack=2, steps=2)
    with pytest.raises(ValueError, match="`conditional` needs a critic with one output"):
        gan.train(rows, labels=labels, conditional=True, objective="mmd", steps=2)


# --- images of any size -------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(8, 8), (28, 28), (3, 32, 32), (3, 64, 64), (1, 9, 13)])
def test_dcgan_pair_fits_any_image_shape(shape):
    g = networks.dcgan_generator(4, shape, channels=4, rng=0)
    c = networks.dcgan_critic(shape, channels=4, spectral_norm=True, rng=0)
    x = g(torch.randn(3, 4)).detach()
    assert x.shape == (3, int(np.prod(shape))) and float(x.abs().max()) <= 1
    assert c(x).shape == (3, 1)
    assert networks.build(g.config, rng=0)(torch.zeros(1, 4)).shape == (1, int(np.prod(shape)))


def test_image_arrays_train_the_conv_pair_and_never_fall_back_silently():
    images = np.random.default_rng(0).uniform(-1, 1, size=(60, 3, 12, 12))
    model = gan.train(
        images, steps=2, z_dim=4, generator_options={"channels": 4}, critic_options={"channels": 4}, rng=0
    )
    assert model.generator.config["kind"] == "dcgan_generator" and model.config["image_shape"] == [3, 12, 12]
    assert model.sample(2, rng=0).shape == (2, 3 * 12 * 12)
    mlp = gan.train(images, steps=2, conv=False, rng=0)
    assert mlp.generator.config["kind"] == "mlp_generator"  # asked for


def _png(path, size, value, mode="L"):
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, value).save(path)


def test_image_folder_with_class_subfolders(tmp_path):
    for k in range(6):
        _png(tmp_path / "cats" / f"{k}.png", (10, 8), 0)
        _png(tmp_path / "dogs" / f"{k}.jpg", (10, 8), 255)
    ds = datasets.get_dataset(tmp_path)
    assert ds.image_shape == (1, 8, 10) and ds.classes == ("cats", "dogs")
    assert ds.rows.shape == (12, 80) and set(np.unique(ds.rows)) == {-1.0, 1.0}
    np.testing.assert_array_equal(ds.labels, [0] * 6 + [1] * 6)
    _png(tmp_path / "dogs" / "big.png", (12, 12), 255)
    with pytest.raises(ValueError, match=r"`data`: the images in .* have 2 sizes \(10x8 .*12x12 \(big.png\)\).*`size="):
        datasets.get_dataset(tmp_path)
    rows, labels, shape = datasets.image_folder(tmp_path, size=(8, 10))
    assert rows.shape == (13, 80) and shape == (1, 8, 10) and len(labels) == 13
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="holds no images"):
        datasets.get_dataset(tmp_path / "empty")


def test_image_folder_in_colour(tmp_path):
    _png(tmp_path / "a.png", (6, 5), (255, 0, 0), mode="RGB")
    _png(tmp_path / "b.png", (6, 5), (0, 0, 255), mode="RGB")
    rows, labels, shape = datasets.image_folder(tmp_path)
    assert shape == (3, 5, 6) and labels is None
    first = rows[0].reshape(shape)
    assert first[0].min() == 1.0 and first[2].max() == -1.0  # red channel on, blue off


def test_npz_rows_and_labels(tmp_path):
    x = np.random.default_rng(0).normal(size=(30, 3))
    np.savez(tmp_path / "d.npz", x=x, y=np.arange(30) % 3)
    ds = datasets.get_dataset(tmp_path / "d.npz")
    np.testing.assert_array_equal(ds.rows, x)
    assert ds.classes == (0, 1, 2)
    np.savez(tmp_path / "bad.npz", a=x, b=x)
    with pytest.raises(ValueError, match="name the rows 'x'"):
        datasets.get_dataset(tmp_path / "bad.npz")


def test_image_grid_has_square_cells_and_gaps():
    from gan.training.plotting import image_grid

    rows = -np.ones((5, 16))  # blank 4x4 grey images: white
    grid = image_grid(rows, (4, 4), columns=3, gap=1, background=0.0)
    assert grid.shape == (2 * 5 + 1, 3 * 5 + 1, 3)
    assert grid[1:5, 1:5].min() == 1.0 and grid[0].max() == 0.0 and grid[:, 5].max() == 0.0


def test_critic_test_figure_ends_at_one_and_marks_alpha():
    import matplotlib

    matplotlib.use("Agg")
    from gan.training.plotting import plot_critic_test

    model = gan.train("ring", steps=20, monitor_every=5, rng=0)
    fig = plot_critic_test(model.history, alpha=0.05)
    left = fig.axes[0]
    assert left.get_ylim()[1] == 1.0 and left.get_yscale() == "log"
    assert any(abs(line.get_ydata()[0] - 0.05) < 1e-12 for line in left.get_lines()[1:])


# --- checkpoints, callbacks ---------------------------------------------------------------------


def test_first_format_checkpoints_still_load(tmp_path):
    # the first format had no EMA, no mixture of iterates and no skip path
    model = gan.train(
        "ring", steps=5, ema=0.0, iterates=1, generator_options={"skip": False}, z_dim=2, rng=0, out=tmp_path
    )
    state = read_checkpoint(tmp_path / "checkpoint.pt")
    old_keys = ("objective", "generator_loss", "data", "dim", "image_shape", "steps", "critic_steps", "batch_size")
    old_keys += ("lr", "betas", "z_dim", "hidden", "depth", "n_train", "monitor_every", "n_monitor", "alpha")
    old_keys += ("log_every", "data_seed", "monitor_seed")
    state["config"] = {k: state["config"][k] for k in old_keys} | {"conv": True}
    for key in ("generator_config", "critic_config"):
        state[key] = {k: v for k, v in state[key].items() if k != "n_classes"}
    del state["ema_generator"], state["iterates"]
    torch.save({**state, "format": "gan-checkpoint/1"}, tmp_path / "old.pt")
    loaded = gan.load(tmp_path / "old.pt")
    np.testing.assert_array_equal(loaded.sample(10, rng=1), model.sample(10, rng=1))
    assert loaded.config["ema"] == 0.0 and loaded.config["penalties"] == []
    # a checkpoint of the older 8x8 conv pair (conv_generator) is rebuilt as that pair
    old_conv = networks.conv_generator(2, rng=0)
    write_checkpoint(
        {**state, "generator_config": old_conv.config, "generator": old_conv.state_dict()}, tmp_path / "c.pt"
    )
    assert gan.load(tmp_path / "c.pt").sample(2, rng=0).shape == (2, 64)
    torch.save({**state, "format": "gan-checkpoint/9"}, tmp_path / "new.pt")
    with pytest.raises(ValueError, match="gan-checkpoint/9 checkpoint; this version of gan reads"):
        gan.load(tmp_path / "new.pt")


def test_user_callbacks_see_every_step_and_the_rows(tmp_path):
    seen = []

    class Record(callbacks.Callback):
        def on_step_end(self, trainer, step, losses):
            seen.append((step, trainer.last_row is not None, sorted(losses)))

    gan.train("ring", steps=6, monitor_every=3, log_every=2, rng=0, callbacks=[Record()])
    assert [s for s, _, _ in seen] == [1, 2, 3, 4, 5, 6]
    assert [logged for _, logged, _ in seen] == [False, True, True, True, False, True]
    assert seen[0][2] == ["critic_loss", "generator_loss"]


def test_run_directory_gets_sample_grids_and_tensorboard_for_images(tmp_path):
    kw = dict(steps=4, monitor_every=2, z_dim=4, generator_options={"channels": 4}, critic_options={"channels": 4})
    gan.train("digits", rng=0, out=tmp_path, **kw)
    assert sorted(p.name for p in (tmp_path / "samples").iterdir()) == ["step_000002.png", "step_000004.png"]
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(tmp_path / "tensorboard"))
    events.Reload()
    assert "pvalue" in events.Tags()["scalars"] and "samples" in events.Tags()["images"]


def test_cli_trains_a_conditional_image_gan_and_draws_a_grid(tmp_path, capsys):
    from gan.app.cli import main

    run = tmp_path / "run"
    argv = ["train", "--data", "digits", "--conditional", "--steps", "4", "--ema", "0.9", "--r1-gamma", "1"]
    assert main([*argv, "--critic-lr", "4e-4", "--seed", "0", "--out", str(run)]) == 0
    config = gan.load(run / "checkpoint.pt").config
    assert config["conditional"] and config["ema"] == 0.9 and config["critic_lr"] == 4e-4
    assert config["penalties"] == [{"name": "r1", "gamma": 1.0}]
    grid = tmp_path / "grid.png"
    assert main(["sample", str(run / "checkpoint.pt"), "-n", "20", "--labels", "3", "--grid", str(grid)]) == 0
    from PIL import Image

    assert Image.open(grid).size[0] > 100
    assert main(["sample", str(run / "checkpoint.pt"), "-n", "5", "--labels", "12", "--grid", str(grid)]) == 2
    assert "--labels must lie in 0..9" in capsys.readouterr().err
    assert main(["train", "--data", "ring", "--conditional", "--steps", "2", "--out", str(tmp_path / "r")]) == 2
    assert "`conditional=True` needs class labels" in capsys.readouterr().err


@pytest.mark.parametrize(
    "options",
    [
        {"objective": "js", "label_smoothing": 0.1, "feature_matching": 1.0, "critic_lr": 4e-4},
        {"objective": "lsgan", "r2_gamma": 1.0, "ema": 0.9},
        {"objective": "rgan", "penalties": [penalties.GradientPenalty(1.0)]},
    ],
)
def test_every_option_is_reproducible_from_rng(options):
    a = gan.train("ring", steps=8, rng=11, **options)
    b = gan.train("ring", steps=8, rng=11, **options)
    assert _same(a.generator, b.generator) and _same(a.critic, b.critic)
    c = gan.train("ring", steps=8, rng=12, **options)
    assert not _same(a.generator, c.generator)


def test_public_names_of_every_gan_module_exist():
    import importlib

    for name in gan.__all__:
        assert getattr(gan, name) is not None, name
    modules = ["data.datasets", "model.config", "model.gan", "model.networks", "model.objectives"]
    modules += ["model.penalties", "model.checkpoint", "training.callbacks", "training.monitor", "training.trainer"]
    modules += ["training.fit", "training.plotting", "auditing", "auditing.metrics", "app.cli", "app.demo"]
    for module in modules:
        mod = importlib.import_module(f"gan.{module}")
        for name in mod.__all__:
            assert hasattr(mod, name), f"gan.{module}.{name}"
