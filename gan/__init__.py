"""gan: GAN training and auditing built on :mod:`twosample`.

A GAN discriminator is a learned two-sample statistic; the generator is
trained to minimise its power. This package reuses the core tests as critics
during training and as auditors of a frozen generator. It imports
:mod:`twosample`; :mod:`twosample` never imports it.
"""

import twosample as _twosample

from . import datasets, metrics, networks, objectives
from .auditing import AuditReport, audit
from .train import GAN, TrainingDiverged, load, train

__version__ = _twosample.__version__

__all__ = [
    "AuditReport",
    "GAN",
    "TrainingDiverged",
    "audit",
    "datasets",
    "load",
    "metrics",
    "networks",
    "objectives",
    "train",
]
