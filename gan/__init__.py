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

import twosample as _twosample
from gan.auditing import AuditReport, audit, metrics
from gan.data import datasets
from gan.model import GAN, TrainConfig, load, networks, objectives, penalties
from gan.training import MonitorRejectsWarning, Trainer, TrainingDiverged, callbacks, train

__version__ = _twosample.__version__

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
