"""gan: GAN training and auditing built on :mod:`twosample`.

A GAN discriminator is a learned two-sample statistic; the generator is
trained to minimise its power. This package reuses the core tests as critics
during training and as auditors of a frozen generator. It imports
:mod:`twosample`; :mod:`twosample` never imports it.

Its folders are its layers, bottom to top; a layer imports only the layers below it:
:mod:`gan.data` (data sets and tables), :mod:`gan.model` (objectives, penalties, networks, the
run's config, checkpoints, the GAN and ``load``), :mod:`gan.training` (``train``, the
trainer, callbacks, the monitor, figures), :mod:`gan.auditing` (the audit and every
score) and :mod:`gan.app` (the command line and the demo).
"""

import logging as _logging

import twosample as _twosample
from twosample.core.optional import require as _require

# Before any module below imports torch: without it, one line naming the extra instead of a traceback.
_require("torch", purpose="the GAN toolkit (gan)", extra="gan")

from gan.auditing import AuditReport, audit, metrics  # noqa: E402
from gan.data import datasets  # noqa: E402
from gan.model import GAN, TrainConfig, load, networks, objectives, penalties  # noqa: E402
from gan.training import MonitorRejectsWarning, Trainer, TrainingDiverged, callbacks, train  # noqa: E402

__version__ = _twosample.__version__

# Quiet unless the application configures logging: training progress at INFO, files at DEBUG.
_logging.getLogger(__name__).addHandler(_logging.NullHandler())

__all__ = [
    "AuditReport",
    "GAN",
    "MonitorRejectsWarning",
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
