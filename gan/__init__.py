"""gan: GAN training and auditing built on :mod:`twosample`.

A GAN discriminator is a learned two-sample statistic; the generator is
trained to minimise its power. This package reuses the core tests as critics
during training and as auditors of a frozen generator. It imports
:mod:`twosample`; :mod:`twosample` never imports it.
"""

import twosample as _twosample

from . import callbacks, datasets, metrics, networks, objectives, penalties
from .auditing import AuditReport, audit
from .config import TrainConfig
from .model import GAN, load
from .train import train
from .trainer import Trainer, TrainingDiverged

__version__ = _twosample.__version__

__all__ = [
    "AuditReport",
    "GAN",
    "TrainConfig",
    "Trainer",
    "TrainingDiverged",
    "audit",
    "callbacks",
    "datasets",
    "load",
    "metrics",
    "networks",
    "objectives",
    "penalties",
    "train",
]
