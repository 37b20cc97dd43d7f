"""The settings of a training run: one frozen, validated record.

:class:`TrainConfig` is what a checkpoint stores and what a resume compares:
every field is a plain value (numbers, strings, lists, dicts), so it round-trips
through JSON and ``torch.load(weights_only=True)``. :meth:`TrainConfig.create`
validates a call's arguments against the data and the objective and fills the
objective's defaults; :meth:`TrainConfig.from_dict` reads a stored config,
giving the keys an older checkpoint lacks the values that reproduce its run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np

from twosample.core.validation import check_alpha, check_bool, check_choice, check_int, check_real

from . import penalties as penalty_module
from .objectives import Objective

__all__ = ["DEFAULT", "RECIPES", "TRAIN_DEFAULTS", "TrainConfig", "default_text", "recipe_for"]

# What gan.train uses for the settings a call leaves unset, by the kind of data: measured to work
# on every seed of the benchmarks (docs/benchmarks.md: benchmarks/bench_gan_modes.py for vectors,
# benchmarks/bench_gan_digits.py for images). `lr` and `r1_gamma` apply to the recipe's own
# objective; another objective keeps its paper's rate and penalties (gan.model.objectives.objective_table).
# Vectors: lr 1e-3 with the R1 penalty took the ring from 7 of 10 seeds with 90% high-quality
# samples (lr 5e-4, no penalty: modes dropped or unbalanced) to 10 of 10 (gamma 0.1); gamma 1
# took the grid from 8 of 10 seeds with 25/25 modes (gamma 0.1) to every seed tried. Images: R1
# (gamma 0.1) on the conditional digits: Fréchet distance 1.81 -> 1.76, recall 0.85 -> 0.89,
# fresh C2ST accuracy 0.957 -> 0.934, for 23% more CPU (103 -> 127 s). Unconditional images pack
# two images per critic input (PacGAN): without it the digits GAN collapsed to one or a few digits
# (recall 0.00 with hinge, js or a spectrally normalised critic; 0.96 with pack=2).
RECIPES = {
    "vectors": dict(
        objective="js",
        steps=8000,
        batch_size=256,
        lr=1e-3,
        r1_gamma=1.0,
        lr_decay="linear",
        # Issue 32: the moving average of the weights narrowed the modes to about half the data's width
        # (averaging an oscillating generator's weights contracts its output), so vectors sample from
        # the mixture of the last iterates instead (the game's time-averaged strategy), through a
        # generator with a linear path from a latent two entries wider than the rows (a piecewise-
        # linear MLP alone makes peaked, lopsided modes). Ring: width 0.55 -> 0.82-0.93; 20 iterates
        # rather than 10 (the same training) let the audit's MMD pass 5 of 10 seeds, not 3 (benchmarks.md).
        ema=0.0,
        iterates=20,
        generator_options={"skip": True},
        z_extra=2,
        standardize=True,
        hidden=128,
        depth=3,
        # Another objective's own penalties, replaced for vectors: WGAN-GP's gradient penalty at
        # weight 0.1, its authors' setting for toy data (Gulrajani et al.'s gan_toy.py; 10 is their
        # images' weight). At 10 the ring kept all 8 modes on 1 of 5 seeds (0-1 on the others); at 0.1
        # on 5 of 5 (68-78% high quality; benchmarks/results/gan_modes_wgangp_gp01.csv).
        objective_penalties={"wgan-gp": [{"name": "gp", "weight": 0.1}]},
    ),
    "images": dict(
        objective="hinge",
        steps=6000,
        batch_size=64,
        lr=2e-4,
        r1_gamma=0.1,
        lr_decay="linear",
        ema=0.999,
        standardize=False,
        hidden=128,
        depth=3,
    ),
    # Tables (a DataFrame): CTGAN's defaults (Xu et al. 2019; the ctgan package): WGAN-GP with one
    # critic step, Adam 2e-4 with betas (0.5, 0.9), 500 rows a step in packs of 10, 128 latent
    # entries, a residual 256-256 generator and a 256-256 critic, no decay and no moving average.
    # Not yet measured here (issue 29's benchmark against ctgan comes next); CTGAN's critic also
    # has dropout 0.5, left out here because its masks would come from torch's global random
    # state, which a checkpoint does not hold (a resumed run would differ).
    "tables": dict(
        objective="wgan-gp",
        steps=3000,
        batch_size=50,
        lr=2e-4,
        critic_steps=1,
        r1_gamma=None,
        lr_decay="none",
        ema=0.0,
        standardize=False,
        hidden=256,
        depth=2,
        z_dim=128,
        pack=10,
    ),
}


class _Default:
    """The value of a :func:`gan.train` setting the call leaves out: TRAIN_DEFAULTS's or the recipe's decides."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT = _Default()

# The one home of gan.train's defaults (its signature says DEFAULT: "this table's, or the recipe's"), for
# the settings no recipe sets; None: decided from the data or the objective (recipe_for, TrainConfig.create).
TRAIN_DEFAULTS = dict(
    objective=None,
    steps=None,
    critic_steps=None,
    batch_size=None,
    lr=None,
    critic_lr=None,
    betas=None,
    z_dim=None,
    hidden=None,
    depth=None,
    conv=True,
    generator_options=None,
    critic_options=None,
    n_train=100_000,
    monitor_every=None,
    n_monitor=500,
    alpha=0.05,
    log_every=None,
    checkpoint_every=None,
    lr_decay=None,
    pack=None,
    standardize=None,
    ema=None,
    iterates=None,
    penalties=None,
    r1_gamma=None,
    r2_gamma=None,
    label_smoothing=0.0,
    feature_matching=0.0,
    conditional=False,
)


def _data_kind(dataset, conv=True) -> str:
    """The recipe a data set takes: ``"tables"`` (a DataFrame), ``"images"`` (with the conv pair) or ``"vectors"``."""
    if getattr(dataset, "table", None) is not None:
        return "tables"
    return "images" if dataset.image_shape is not None and conv else "vectors"


def recipe_for(dataset, given: dict) -> dict:
    """`given` (gan.train's arguments) with the recipe of the data's kind filling those left as None."""
    kind = _data_kind(dataset, given.get("conv", True))
    recipe = RECIPES[kind]
    out = dict(given)
    for key in ("objective", "steps", "batch_size", "lr_decay", "ema", "standardize", "hidden", "depth"):
        if out.get(key) is None:
            out[key] = recipe[key]
    if out.get("iterates") is None:
        out["iterates"] = recipe.get("iterates", RECIPE_FALLBACK["iterates"])
    if out.get("z_dim") is None:  # latent size: the rows' width (plus the recipe's extra) within [2, 32]; images 32
        wide = int(dataset.dim) + recipe.get("z_extra", 0)
        out["z_dim"] = recipe.get("z_dim") or (32 if kind == "images" else max(2, min(wide, 32)))
    given = out.get("generator_options")
    if (
        dataset.image_shape is None
        and recipe.get("generator_options")
        and (given is None or isinstance(given, Mapping))
    ):
        out["generator_options"] = {**recipe["generator_options"], **(given or {})}  # the call's own win
    if out.get("pack") is None:  # images without labels: PacGAN's packing of 2 keeps the critic seeing variety
        packs = kind != "vectors" and not out.get("conditional") and out["objective"] != "mmd"
        out["pack"] = recipe.get("pack", 2) if packs else 1
    if out["objective"] == recipe["objective"]:  # the rate, penalty and critic steps were tuned for its objective
        if out.get("lr") is None:
            out["lr"] = recipe["lr"]
        if out.get("critic_steps") is None:
            out["critic_steps"] = recipe.get("critic_steps")
        if out.get("r1_gamma") is None and out.get("penalties") is None:
            out["r1_gamma"] = recipe["r1_gamma"]
    own = recipe.get("objective_penalties", {}).get(out["objective"])
    if own is not None and out.get("penalties") is None:
        out["penalties"] = own
    return out


# The settings decided from the data or the objective rather than a table, in words (for the help).
# Each is decided where it says: recipe_for, TrainConfig.create, _optimiser_settings, _penalties.
DERIVED = {
    "critic_steps": "the objective's; 1 for tables with the recipe's objective",
    "critic_lr": "lr",
    "betas": "the objective's",
    "z_dim": "the data's dimension plus 2 within [2, 32]; 32 for images; 128 for tables (plus their Gumbel inputs)",
    "generator_options": "{'skip': True} for vectors (a call's own options laid over it); none for images, tables",
    "monitor_every": "steps // 20",
    "log_every": "steps // 200",
    "checkpoint_every": "monitor_every",
    "pack": "1; 2 for images without labels, 10 for tables (with an objective with a critic)",
    "penalties": "the objective's; WGAN-GP's gradient penalty at weight 0.1 for vectors",
}
# Recipe settings tuned for the recipe's own objective, and what another objective gets.
FOR_THE_RECIPE_OBJECTIVE = {"lr": "the objective's", "r1_gamma": "none"}


def _word(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


# What a recipe that leaves out one of these settings uses.
RECIPE_FALLBACK = {"iterates": 1}


def _by_kind(key) -> str:
    text = _word(RECIPES["vectors"][key])
    for kind in ("images", "tables"):
        word = _word(RECIPES[kind].get(key, RECIPE_FALLBACK.get(key)))
        text += "" if word == _word(RECIPES["vectors"][key]) else f"; {word} for {kind}"
    return text


def default_text(key: str) -> str:
    """:func:`gan.train`'s default for setting `key` in words, read from :data:`TRAIN_DEFAULTS`,
    :data:`RECIPES` and the rules of :func:`recipe_for` (the command line's help says it so).

    >>> default_text("objective"), default_text("hidden")
    ('js; hinge for images; wgan-gp for tables', '128; 256 for tables')
    """
    if key in FOR_THE_RECIPE_OBJECTIVE:
        return f"{_by_kind(key)} with the recipe's objective, else {FOR_THE_RECIPE_OBJECTIVE[key]}"
    if key in DERIVED:
        return DERIVED[key]
    if key in RECIPES["vectors"]:
        return _by_kind(key)
    return _word(TRAIN_DEFAULTS[key])


LR_DECAYS = ("none", "linear")

# Settings that must agree between a checkpoint and the call that resumes it.
RESUME_KEYS = (
    "objective",
    "generator_loss",
    "data",
    "dim",
    "critic_steps",
    "batch_size",
    "z_dim",
    "hidden",
    "depth",
    "network",
    "generator_options",
    "critic_options",
    "n_train",
    "lr_decay",
    "pack",
    "standardize",
    "ema",
    "iterates",
    "conditional",
    "n_classes",
    "class_counts",
    "n_conditions",
    "penalties",
    "label_smoothing",
    "feature_matching",
)

# What a checkpoint of the first format (gan-checkpoint/1) meant by the keys it lacks.
LEGACY = {
    "generator_options": {},
    "critic_options": {},
    "critic_lr": None,
    "ema": 0.0,
    "iterates": 1,
    "conditional": False,
    "n_classes": 0,
    "class_counts": None,
    "label_smoothing": 0.0,
    "feature_matching": 0.0,
    "lr_decay": "none",
    "pack": 1,
    "standardize": False,
    "network": None,
    "n_conditions": 0,
}


def _check_betas(betas) -> list[float]:
    """Adam's (beta1, beta2), each in [0, 1)."""
    if isinstance(betas, (str, bytes)) or not hasattr(betas, "__len__") or len(betas) != 2:
        raise ValueError(f"`betas` must be a pair (beta1, beta2) of numbers in [0, 1), got {betas!r}.")
    return [check_real(b, "betas", low=0, high=1, high_open=True) for b in betas]


def _generator_options(options) -> dict:
    """The generator's options; ``skip=False`` (the network's own default) is left out, so runs from
    before the recipe's skip path resume with it switched off."""
    options = _check_options(options, "generator_options")
    if options.get("skip") is False:
        del options["skip"]
    return options


def _check_options(options, name) -> dict:
    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise TypeError(f"`{name}` must be a dict of network arguments, got {type(options).__name__}.")
    return dict(options)


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Every setting of a run (see :func:`gan.train` for their meaning)."""

    objective: str
    generator_loss: str | None
    data: str
    dim: int
    image_shape: list | None
    steps: int
    critic_steps: int
    batch_size: int
    lr: float
    critic_lr: float | None
    betas: list
    z_dim: int
    hidden: int
    depth: int
    network: str
    generator_options: dict
    critic_options: dict
    n_train: int
    monitor_every: int
    n_monitor: int
    alpha: float
    log_every: int
    checkpoint_every: int
    lr_decay: str
    pack: int
    standardize: bool
    ema: float
    iterates: int
    conditional: bool
    n_classes: int
    class_counts: list | None
    n_conditions: int
    penalties: list
    label_smoothing: float
    feature_matching: float
    data_seed: int
    monitor_seed: int

    # --- construction ---------------------------------------------------------------------

    @classmethod
    def create(cls, dataset, seeds: tuple[int, int] = (0, 1), *, generator_loss=None, **kw) -> TrainConfig:
        """A validated config for training on `dataset`; `kw` are :func:`gan.train`'s settings.

        Settings left out or :data:`DEFAULT` take :data:`TRAIN_DEFAULTS` and the data's recipe
        (:func:`recipe_for`); `seeds` are the (data, monitor) seeds.
        """
        from .objectives import get_objective

        given = {key: value for key, value in kw.items() if value is not DEFAULT}
        kw = recipe_for(dataset, {**TRAIN_DEFAULTS, **given})  # None where the default is None: decided here
        obj = get_objective(kw.pop("objective"), generator_loss=generator_loss)
        steps = check_int(kw["steps"], "steps")
        monitor_every = (
            max(1, steps // 20) if kw["monitor_every"] is None else check_int(kw["monitor_every"], "monitor_every")
        )
        values = dict(
            objective=obj.name,
            generator_loss=obj.generator_loss,
            data=dataset.name,
            dim=dataset.dim,
            image_shape=None if dataset.image_shape is None else list(dataset.image_shape),
            steps=steps,
            monitor_every=monitor_every,
            log_every=max(1, steps // 200) if kw["log_every"] is None else check_int(kw["log_every"], "log_every"),
            checkpoint_every=monitor_every
            if kw["checkpoint_every"] is None
            else check_int(kw["checkpoint_every"], "checkpoint_every"),
            data_seed=int(seeds[0]),
            monitor_seed=int(seeds[1]),
            **_optimiser_settings(obj, kw),
            **_network_settings(dataset, obj, kw),
            **_training_settings(dataset, obj, kw),
        )
        return cls(**values)

    @classmethod
    def from_dict(cls, stored: Mapping) -> TrainConfig:
        """The config stored in a checkpoint (older formats: the keys they lack mean their old behaviour)."""
        values = {**LEGACY, **dict(stored)}
        if values["network"] is None:  # first format: the 8x8 conv pair for 8x8 images when conv was on
            values["network"] = "conv8" if values.get("conv", True) and values.get("image_shape") == [8, 8] else "mlp"
        if "penalties" not in values:
            from .objectives import get_objective

            values["penalties"] = penalty_module.describe(get_objective(values["objective"]).default_penalties())
        values.setdefault("checkpoint_every", values.get("monitor_every", 1))
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def replace(self, **changes) -> TrainConfig:
        return dataclasses.replace(self, **changes)

    def check_resume(self, stored: TrainConfig) -> None:
        """Refuse a checkpoint trained with other settings, naming the first that differs."""
        for key in RESUME_KEYS:
            old, new = getattr(stored, key), getattr(self, key)
            if old != new:
                raise ValueError(f"`resume`: the checkpoint was trained with {key}={old!r}, this call has {new!r}.")

    # --- derived ---------------------------------------------------------------------------

    def penalty_objects(self) -> tuple:
        return penalty_module.from_records(self.penalties)

    @property
    def learning_rates(self) -> tuple[float, float]:
        """(generator, critic) learning rates before any decay."""
        return self.lr, self.lr if self.critic_lr is None else self.critic_lr


def _optimiser_settings(obj: Objective, kw) -> dict:
    lr = obj.lr if kw["lr"] is None else check_real(kw["lr"], "lr", low=0, low_open=True)
    critic_lr = None if kw["critic_lr"] is None else check_real(kw["critic_lr"], "critic_lr", low=0, low_open=True)
    return dict(
        critic_steps=obj.critic_steps if kw["critic_steps"] is None else check_int(kw["critic_steps"], "critic_steps"),
        batch_size=check_int(kw["batch_size"], "batch_size", minimum=2),
        lr=lr,
        critic_lr=critic_lr,
        betas=list(obj.betas) if kw["betas"] is None else _check_betas(kw["betas"]),
        lr_decay=check_choice(kw["lr_decay"], "lr_decay", LR_DECAYS),
        ema=check_real(kw["ema"], "ema", low=0, high=1, high_open=True),
        iterates=check_int(kw["iterates"], "iterates"),
    )


def iterate_steps(steps: int, iterates: int) -> tuple[int, ...]:
    """The steps whose generator joins the sampled mixture: `iterates` steps evenly spaced over the
    last eighth of training, the last step included (``steps // (8 * iterates)`` apart, at least 1;
    fewer when the run has fewer steps)."""
    if iterates <= 1:
        return ()
    every = max(1, steps // (8 * iterates))
    return tuple(steps - every * j for j in range(iterates - 1, -1, -1) if steps - every * j >= 1)


def _network_settings(dataset, obj: Objective, kw) -> dict:
    pack = check_int(kw["pack"], "pack")
    image = dataset.image_shape is not None
    network = "mlp"
    if image and kw["conv"]:  # "conv8", the first release's 8x8 pair, is only rebuilt from old checkpoints
        network = "dcgan"
    table = getattr(dataset, "table", None)
    if table is not None:  # CTGAN's pair; the generator's input also holds one Gumbel input per one-hot entry
        network = "table"
    if pack > 1 and not obj.critic:
        raise ValueError(f"`pack` applies to objectives with a critic; {obj.name!r} has none (use pack=1).")
    if kw["standardize"] and network != "mlp":
        raise ValueError(
            "`standardize` is for the MLP networks; the conv pair works on pixels in [-1, 1], "
            "the table pair on transformed rows."
        )
    return dict(
        z_dim=check_int(kw["z_dim"], "z_dim") + (0 if table is None else table.noise_dim),
        n_conditions=0 if table is None else table.n_conditions,
        hidden=check_int(kw["hidden"], "hidden"),
        depth=check_int(kw["depth"], "depth"),
        network=network,
        generator_options=_generator_options(kw["generator_options"]),
        critic_options=_check_options(kw["critic_options"], "critic_options"),
        pack=pack,
        standardize=check_bool(kw["standardize"], "standardize"),
    )


def _penalties(obj: Objective, kw) -> list:
    chosen = (
        list(obj.default_penalties()) if kw["penalties"] is None else list(penalty_module.from_records(kw["penalties"]))
    )
    for name, cls in (("r1_gamma", penalty_module.R1), ("r2_gamma", penalty_module.R2)):
        if kw[name] is not None:
            chosen.append(cls(check_real(kw[name], name, low=0)))
    if chosen and not obj.critic:
        raise ValueError(f"`penalties` apply to objectives with a critic; {obj.name!r} has none.")
    return penalty_module.describe(chosen)


def _training_settings(dataset, obj: Objective, kw) -> dict:
    n_monitor = check_int(kw["n_monitor"], "n_monitor", minimum=10)
    pack = kw["pack"]
    if n_monitor < 10 * pack:
        raise ValueError(f"`n_monitor` ({n_monitor}) must be at least 10 * `pack` ({10 * pack}).")
    smoothing = check_real(kw["label_smoothing"], "label_smoothing", low=0, high=1, high_open=True)
    if smoothing and not obj.classifier:
        raise ValueError(
            f"`label_smoothing` applies to the logistic critics (js, gan, nsgan, minimax), not {obj.name!r}."
        )
    matching = check_real(kw["feature_matching"], "feature_matching", low=0)
    if matching and (not obj.critic or obj.features > 1):
        raise ValueError(f"`feature_matching` needs a critic with one output; {obj.name!r} has none.")
    return dict(
        n_train=check_int(kw["n_train"], "n_train", minimum=2),
        n_monitor=n_monitor,
        alpha=check_alpha(kw["alpha"]),
        penalties=_penalties(obj, kw),
        label_smoothing=smoothing,
        feature_matching=matching,
        **_conditional_settings(dataset, obj, kw),
    )


def _conditional_settings(dataset, obj: Objective, kw) -> dict:
    conditional = check_bool(kw["conditional"], "conditional")
    if not conditional:
        return dict(conditional=False, n_classes=0, class_counts=None)
    if getattr(dataset, "table", None) is not None:
        raise ValueError(
            "`conditional=True` is for class labels; a table's generator is already conditioned on its "
            "categorical columns (training-by-sampling)."
        )
    if dataset.labels is None:
        raise ValueError(
            f"`conditional=True` needs class labels; {dataset.name!r} has none (give `labels=`, one per row)."
        )
    if not obj.critic or obj.features > 1:
        raise ValueError(
            f"`conditional` needs a critic with one output (a projection discriminator); not {obj.name!r}."
        )
    if kw["pack"] > 1:
        raise ValueError("`pack` and `conditional` cannot be combined (a pack would mix classes).")
    counts = np.bincount(dataset.labels)
    return dict(conditional=True, n_classes=len(counts), class_counts=counts.tolist())
