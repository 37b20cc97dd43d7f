"""A trained GAN: sampling, saving and loading.

A checkpoint (:mod:`gan.model.checkpoint`: atomic, safe to load) holds the networks'
configs and weights, the generator's exponential moving average when the run
kept one, the run's :class:`~gan.model.config.TrainConfig` and its history, and, when
written during training, the optimisers' states, the step and the training RNG.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd

from twosample.core.torch_utils import torch_generator
from twosample.core.validation import check_device, check_int, check_rng

from ..data.datasets import Dataset
from ..data.tables import TableTransformer
from . import networks
from .checkpoint import read_checkpoint, write_checkpoint
from .config import TrainConfig
from .objectives import Objective, get_objective

__all__ = ["GAN", "load"]


@dataclasses.dataclass
class GAN:
    """A trained (or loaded) GAN.

    Attributes
    ----------
    generator : torch.nn.Module
        Maps latent rows ``(n, z_dim)`` (and labels, if conditional) to data rows: the
        exponential moving average of the trained weights when the run kept one (``ema``);
        the last iterate when :meth:`sample` draws from a mixture of `iterates`.
    critic : torch.nn.Module or None
        The final critic (None for the raw-data MMD objective).
    objective : Objective
    config : dict
        The run's settings (:class:`~gan.model.config.TrainConfig` as plain values; stored in checkpoints).
    history : pandas.DataFrame
        One row per logged step: losses, and at monitored steps the critic's
        held-out accuracy, AUC, p-value and bound. :attr:`final_monitor_pvalue` and
        :attr:`monitor_rejects` read its last monitored row.
    dataset : Dataset or None
        The training law, when known.
    trained_generator : torch.nn.Module or None
        The generator's own weights when `generator` is their moving average (to resume from).
    table : gan.data.tables.TableTransformer or None
        For a GAN of a table: its transformer (:meth:`sample` then returns a DataFrame).
    iterates : list of torch.nn.Module or None
        The generator at the run's last ``config["iterates"]`` kept steps
        (:func:`~gan.model.config.iterate_steps`); :meth:`sample` draws each row from one of
        them, chosen uniformly at random. None: from `generator` alone.
    """

    generator: object
    critic: object
    objective: Objective
    config: dict
    history: pd.DataFrame
    dataset: Dataset | None = None
    trained_generator: object = None
    table: TableTransformer | None = None
    iterates: list | None = None

    @property
    def z_dim(self) -> int:
        return int(self.config["z_dim"])

    @property
    def n_classes(self) -> int:
        return int(self.config.get("n_classes") or 0)

    @property
    def device(self):
        return next(self.generator.parameters()).device

    @property
    def final_monitor_pvalue(self) -> float:
        """The held-out p-value of the run's last monitored step (the last step), NaN if none was monitored."""
        found = self.history["pvalue"].dropna() if "pvalue" in self.history else ()
        return float(found.iloc[-1]) if len(found) else math.nan

    @property
    def monitor_rejects(self) -> bool:
        """Whether the critic still told generated rows from held-out ones at the end of training:
        :attr:`final_monitor_pvalue` at most the run's ``alpha`` (the generator does not yet match the
        data; :func:`gan.train` then warns with :class:`~gan.training.trainer.MonitorRejectsWarning`)."""
        return bool(self.final_monitor_pvalue <= float(self.config.get("alpha", 0.05)))

    def _labels(self, n, labels, rng):
        """Integer labels for `n` rows: drawn from the training classes' frequencies, or as given."""
        if not self.n_classes:
            if labels is not None:
                raise ValueError("`labels`: this GAN is not conditional (train with conditional=True).")
            return None
        if labels is None:
            counts = np.asarray(self.config["class_counts"], float)
            return rng.choice(self.n_classes, size=n, p=counts / counts.sum())
        labels = np.full(n, labels) if np.ndim(labels) == 0 else np.array(labels)
        if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(
                f"`labels` must be one integer or {n} integers, got shape {labels.shape} ({labels.dtype})."
            )
        if labels.min() < 0 or labels.max() >= self.n_classes:
            raise ValueError(f"`labels` must lie in 0..{self.n_classes - 1}, got {labels.min()}..{labels.max()}.")
        return labels

    def sample(self, n: int, rng=None, *, labels=None) -> np.ndarray | pd.DataFrame:
        """`n` generated rows as a float64 array; the same `rng` gives the same rows.

        Conditional GANs: `labels` (one class, or one per row) chooses the classes; by
        default they are drawn from the training data's class frequencies. A GAN of a table
        returns a DataFrame with the table's columns, dtypes and categories (its conditions
        drawn as the data has them: a categorical column uniformly, its category by frequency).
        """
        import torch

        n = check_int(n, "n")
        rng = check_rng(rng)
        gen = torch_generator(rng)
        z = torch.randn(n, self.z_dim, generator=gen)
        y = self._labels(n, labels, rng) if self.table is None else self._conditions(n, labels, rng)
        y = None if y is None else torch.as_tensor(y, dtype=torch.long)
        nets = self.iterates or [self.generator]
        which = torch.randint(len(nets), (n,), generator=gen) if len(nets) > 1 else torch.zeros(n, dtype=torch.long)
        rows = None
        for k, net in enumerate(nets):
            chosen = torch.nonzero(which == k).flatten()
            if len(chosen):
                out = _generate(net, z[chosen], None if y is None else y[chosen], self.device)
                rows = out.new_empty((n, out.shape[1])) if rows is None else rows
                rows[chosen] = out
        rows = rows.double().numpy()
        return rows if self.table is None else self.table.inverse_transform(rows)

    def _conditions(self, n, labels, rng):
        if labels is not None:
            raise ValueError("`labels`: a GAN of a table draws its conditions from the table's categories.")
        return self.table.sample_conditions(n, rng) if self.config.get("n_conditions") else None

    def __call__(self, n: int, rng=None) -> np.ndarray:
        """Same as :meth:`sample` (a GAN is a sampler ``sample(n, rng)``)."""
        return self.sample(n, rng)

    def save(self, path) -> Path:
        """Write the generator(s), critic, config and history (no optimiser state) atomically."""
        return write_checkpoint(state_of(self), path)


def _generate(net, z, y, device):
    """``net(z, y)`` in chunks of 8,192 rows, in eval mode and without gradients, returned on the CPU."""
    import torch

    was_training = net.training
    net.eval()
    try:
        with torch.no_grad():
            chunks = [
                net(z[i : i + 8192].to(device), *(() if y is None else (y[i : i + 8192].to(device),)))
                for i in range(0, len(z), 8192)
            ]
    finally:
        net.train(was_training)
    return torch.cat([c.cpu() for c in chunks])


def _history_columns(hist: pd.DataFrame) -> dict:
    return {
        c: [None if (isinstance(v, float) and math.isnan(v)) else v for v in hist[c].tolist()] for c in hist.columns
    }


def history_frame(columns: dict) -> pd.DataFrame:
    return pd.DataFrame({c: [math.nan if v is None else v for v in vals] for c, vals in columns.items()})


def state_of(model: GAN, *, opt_g=None, opt_c=None, step=None, torch_rng=None, monitor=None) -> dict:
    """The checkpoint dict of `model` (optimisers, step, RNG and the monitor's anytime test when training)."""
    trained = model.trained_generator if model.trained_generator is not None else model.generator
    ema = model.generator if model.trained_generator is not None else None
    return {
        "config": dict(model.config),
        "generator_config": dict(trained.config),
        "generator": trained.state_dict(),
        "ema_generator": None if ema is None else ema.state_dict(),
        "critic_config": None if model.critic is None else dict(model.critic.config),
        "critic": None if model.critic is None else model.critic.state_dict(),
        "opt_g": None if opt_g is None else opt_g.state_dict(),
        "opt_c": None if opt_c is None else opt_c.state_dict(),
        "step": step,
        "torch_rng": torch_rng,
        "history": _history_columns(model.history),
        "monitor": monitor,
        "table": None if model.table is None else model.table.state(),
        "iterates": None if not model.iterates else [net.state_dict() for net in model.iterates],
    }


def load(path, *, device="cpu") -> GAN:
    """A :class:`GAN` from a checkpoint written by :func:`gan.train` or :meth:`GAN.save` (safe loading)."""
    state = read_checkpoint(path)
    missing = [k for k in ("generator_config", "generator", "config", "history") if k not in state]
    if missing:
        raise ValueError(
            f"checkpoint {str(path)!r} lacks {', '.join(missing)}: it was not written by gan.train or GAN.save."
        )
    device = check_device(device)
    try:
        return _from_state(state, device)
    except (RuntimeError, KeyError, TypeError, AttributeError, ValueError) as exc:
        words = " ".join(str(exc).split())
        what = words if len(words) <= 240 else words[:240] + "..."
        raise ValueError(
            f"checkpoint {str(path)!r} does not hold a consistent GAN ({type(exc).__name__}: {what})."
        ) from None


def _from_state(state: dict, device) -> GAN:
    """The GAN of a checkpoint's state (networks built from their configs, weights and history loaded)."""
    trained = networks.build(state["generator_config"], device=device)
    trained.load_state_dict(state["generator"])
    generator, kept = trained, None
    if state.get("ema_generator") is not None:
        generator = networks.build(state["generator_config"], device=device)
        generator.load_state_dict(state["ema_generator"])
        kept = trained
    critic = None
    if state.get("critic_config") is not None:
        critic = networks.build(state["critic_config"], device=device)
        critic.load_state_dict(state["critic"])
    iterates = None
    if state.get("iterates"):
        iterates = [networks.build(state["generator_config"], device=device) for _ in state["iterates"]]
        for net, weights in zip(iterates, state["iterates"]):
            net.load_state_dict(weights)
    config = TrainConfig.from_dict(state["config"]).to_dict()
    obj = get_objective(config["objective"], generator_loss=config.get("generator_loss"))
    table = None if state.get("table") is None else TableTransformer.from_state(state["table"])
    history = history_frame(state["history"])
    return GAN(generator, critic, obj, config, history, trained_generator=kept, table=table, iterates=iterates)
