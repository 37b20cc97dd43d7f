"""The training layer: ``train`` (:mod:`~gan.training.fit`, arguments in, a trained
:class:`~gan.model.GAN` out), the step (:mod:`~gan.training.trainer`), what runs around it
(:mod:`~gan.training.callbacks`), the critic watched as a two-sample test (:mod:`~gan.training.monitor`)
and the figures of a run (:mod:`~gan.training.plotting`, loaded when drawn). It imports only
:mod:`gan.data` and :mod:`gan.model` below it."""

from gan.training import callbacks, monitor
from gan.training.callbacks import Callback
from gan.training.fit import train
from gan.training.monitor import Monitor
from gan.training.trainer import MonitorRejectsWarning, Trainer, TrainingDiverged

__all__ = [
    "Callback",
    "Monitor",
    "MonitorRejectsWarning",
    "Trainer",
    "TrainingDiverged",
    "callbacks",
    "monitor",
    "train",
]
