"""The model layer: the parts of a GAN and the GAN itself. The objectives (:mod:`~gan.model.objectives`),
critic penalties (:mod:`~gan.model.penalties`), networks (:mod:`~gan.model.networks`), the validated
record of a run and its recipes (:mod:`~gan.model.config`), the checkpoint format
(:mod:`~gan.model.checkpoint`), and the trained model with ``load`` (:mod:`~gan.model.gan`).
It imports only :mod:`gan.data` below it."""

from gan.model import checkpoint, config, networks, objectives, penalties
from gan.model.checkpoint import read_checkpoint, write_checkpoint
from gan.model.config import DEFAULT, RECIPES, TRAIN_DEFAULTS, TrainConfig, default_text, recipe_for
from gan.model.gan import GAN, load
from gan.model.objectives import Objective, get_objective
from gan.model.penalties import Penalty

__all__ = [
    "DEFAULT",
    "GAN",
    "Objective",
    "Penalty",
    "RECIPES",
    "TRAIN_DEFAULTS",
    "TrainConfig",
    "checkpoint",
    "config",
    "default_text",
    "get_objective",
    "load",
    "networks",
    "objectives",
    "penalties",
    "read_checkpoint",
    "recipe_for",
    "write_checkpoint",
]
