"""gan.train's defaults live once (TRAIN_DEFAULTS and the recipes), and the command line agrees with them."""

import argparse
import inspect

import pytest

import gan
from gan.app import cli
from gan.data.datasets import get_dataset
from gan.model.config import DEFAULT, DERIVED, RECIPES, TRAIN_DEFAULTS, TrainConfig, default_text

# Settings only the library takes (no command-line option).
LIBRARY_ONLY = {
    "hidden",
    "depth",
    "conv",
    "betas",
    "generator_options",
    "critic_options",
    "n_train",
    "monitor_every",
    "n_monitor",
    "alpha",
    "log_every",
    "checkpoint_every",
    "penalties",
}


def _train_actions():
    parser = cli._build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {action.dest: action for action in sub.choices["train"]._actions}


def test_train_signature_takes_every_default_from_the_one_table():
    params = inspect.signature(gan.train).parameters
    defaulted = {name for name, p in params.items() if p.default is DEFAULT}
    assert defaulted == set(TRAIN_DEFAULTS)


def test_every_setting_is_an_option_or_named_library_only():
    actions = _train_actions()
    assert set(TRAIN_DEFAULTS) == (set(TRAIN_DEFAULTS) & set(actions)) | LIBRARY_ONLY
    assert not LIBRARY_ONLY & set(actions)


@pytest.mark.parametrize("key", sorted(set(TRAIN_DEFAULTS) - LIBRARY_ONLY))
def test_the_command_line_leaves_each_setting_to_the_library_and_says_its_default(key):
    action = _train_actions()[key]
    assert action.default is None  # unset: not passed, so gan.train decides
    assert action.help.endswith(f"(default: {default_text(key)})")
    options = cli._train_options(cli._build_parser().parse_args(["train", "--out", "run"]))
    assert key not in options


def test_the_help_names_the_recipes_differences():
    def said(key):
        return "; ".join(
            [str(RECIPES["vectors"][key])]
            + [
                f"{RECIPES[kind][key]} for {kind}"
                for kind in ("images", "tables")
                if RECIPES[kind][key] != RECIPES["vectors"][key]
            ]
        )

    assert default_text("objective") == said("objective")
    assert default_text("steps") == said("steps")
    assert default_text("hidden") == said("hidden") == "128; 256 for tables"
    assert default_text("z_dim") == DERIVED["z_dim"]


@pytest.mark.parametrize(("data", "kind"), [("ring", "vectors"), ("digits", "images")])
def test_a_config_left_to_its_defaults_is_what_the_help_says(data, kind):
    config = TrainConfig.create(get_dataset(data))
    recipe = RECIPES[kind]
    for key in ("objective", "steps", "batch_size", "lr_decay", "ema", "standardize", "lr"):
        assert getattr(config, key) == recipe[key], key
    for key in ("hidden", "depth"):
        assert getattr(config, key) == recipe[key], key
    for key in ("n_train", "n_monitor", "alpha", "label_smoothing", "feature_matching"):
        assert getattr(config, key) == TRAIN_DEFAULTS[key], key
    assert config.conditional is TRAIN_DEFAULTS["conditional"]
    assert config.penalties[-1] == {"name": "r1", "gamma": recipe["r1_gamma"]}


def test_wgan_gp_on_vectors_takes_the_toy_penalty_weight_and_keeps_its_own_elsewhere():
    ring = TrainConfig.create(get_dataset("ring"), objective="wgan-gp")
    assert ring.penalties == [{"name": "gp", "weight": 0.1}]  # Gulrajani et al.'s toy-data weight
    digits = TrainConfig.create(get_dataset("digits"), objective="wgan-gp")
    assert digits.penalties == [{"name": "gp", "weight": 10.0}]
    given = TrainConfig.create(get_dataset("ring"), objective="wgan-gp", penalties=[{"name": "gp", "weight": 5.0}])
    assert given.penalties == [{"name": "gp", "weight": 5.0}]
    assert TrainConfig.create(get_dataset("ring"), objective="hinge").penalties == []
    assert "WGAN-GP's gradient penalty at weight 0.1 for vectors" in default_text("penalties")


def test_a_table_config_left_to_its_defaults_is_the_tables_recipe():
    import pandas as pd

    frame = pd.DataFrame({"a": [0.37 * k for k in range(60)], "b": list("xyzx") * 15})  # a: continuous
    dataset = get_dataset(frame)
    config = TrainConfig.create(dataset)
    recipe = RECIPES["tables"]
    for key in ("objective", "steps", "batch_size", "lr_decay", "ema", "standardize", "lr"):
        assert getattr(config, key) == recipe[key], key
    for key in ("hidden", "depth", "critic_steps", "pack"):
        assert getattr(config, key) == recipe[key], key
    assert config.network == "table" and config.n_conditions == 3
    assert config.z_dim == recipe["z_dim"] + dataset.table.noise_dim
    assert config.penalties == [{"name": "gp", "weight": 10.0}]


def test_the_audit_command_takes_its_defaults_from_gan_audit():
    args = cli._build_parser().parse_args(["audit", "g.npy", "--real-train", "a.npy", "--real-test", "b.npy"])
    signature = inspect.signature(gan.audit).parameters
    for option in ("alpha", "power_reps", "power_n", "mmd_n", "test_space"):
        assert getattr(args, option) == signature[option].default, option


def test_the_docs_recipe_table_says_what_the_recipes_hold():
    # docs/gan.md writes the recipes out for readers; each value it states is read back from RECIPES here.
    from pathlib import Path

    page = (Path(gan.__file__).parents[1] / "docs" / "gan.md").read_text()
    rows = {}
    for line in page.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] in (
            "objective",
            "steps, batch",
            "learning rate",
            "generator average (`ema`)",
            "sampled iterates (`iterates`)",
            "penalty",
        ):
            rows[cells[0]] = cells[1:]
    assert len(rows) == 6, rows
    for column, kind in enumerate(("vectors", "images")):
        recipe = RECIPES[kind]
        assert f"`{recipe['objective']}`" in rows["objective"][column]
        assert f"{recipe['steps']:,} of {recipe['batch_size']} " in rows["steps, batch"][column]
        assert rows["learning rate"][column].startswith(f"{recipe['lr']:.0e}".replace("e-0", "e-"))
        assert rows["generator average (`ema`)"][column] == str(recipe["ema"])
        assert rows["sampled iterates (`iterates`)"][column].startswith(f"{recipe.get('iterates', 1)} ")
        assert rows["penalty"][column] == f"R1, gamma {recipe['r1_gamma']:g}"
