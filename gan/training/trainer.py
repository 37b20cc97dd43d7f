"""The training loop: a :class:`Trainer` with one small method per part of a step.

A step is: set the learning rates (a function of the step alone, so a resume
keeps them), ``critic_steps`` critic updates (loss, penalties, optimiser step,
constraints), one generator update, the moving average of the generator's
weights, the NaN guard, then the callbacks (:mod:`gan.training.callbacks`: the history
and the critic-as-test monitor, TensorBoard, checkpoints, sample grids,
progress).

Randomness: the run's ``rng`` seeds the initial weights, the training set (for
synthetic data) and one CPU ``torch.Generator`` that draws every latent vector,
minibatch, label and interpolation weight; the monitor draws from streams keyed
by the step. A checkpoint holds all of it, so resuming reproduces the
uninterrupted run exactly on CPU.
"""

from __future__ import annotations

import copy

import numpy as np

from twosample.core.torch_utils import all_finite, minibatch_indices

from ..data.datasets import Dataset
from ..data.tables import ConditionSampler
from ..model import networks
from ..model.config import TrainConfig, iterate_steps
from ..model.gan import GAN, history_frame
from ..model.objectives import get_objective
from .monitor import Monitor, pack_rows

__all__ = ["MonitorRejectsWarning", "Trainer", "TrainingDiverged"]


class TrainingDiverged(FloatingPointError):
    """A loss or a weight became NaN or infinite; the message names the step and the objective."""


class MonitorRejectsWarning(UserWarning):
    """At the end of training the monitor's held-out test still rejects: the critic tells generated rows
    from held-out ones (:attr:`gan.GAN.monitor_rejects`), so the generator does not match the data yet."""


def split_indices(n_rows: int, n_monitor: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(training indices, held-out indices) of a finite data set's rows: the monitor holds out
    min(n_monitor, n_rows // 5) rows, drawn from the stream `seed`."""
    order = np.random.default_rng(seed).permutation(n_rows)
    n_held = min(n_monitor, n_rows // 5)
    if n_held < 10:
        raise ValueError(f"`data` has {n_rows} rows; at least 50 are needed to hold out a monitoring set.")
    return order[n_held:], order[:n_held]


def training_rows(dataset: Dataset, n_train: int, n_monitor: int, seed: int):
    """(train rows, train labels, held-out rows, held-out labels). Synthetic: fresh draws. Finite: a split."""
    if not dataset.finite:
        rng = np.random.default_rng(seed)
        return dataset.sample(n_train, rng), None, dataset.sample(n_monitor, rng), None
    data, labels = dataset.rows, dataset.labels
    train, held = split_indices(len(data), n_monitor, seed)
    pick = (lambda idx: None) if labels is None else (lambda idx: labels[idx])
    return data[train], pick(train), data[held], pick(held)


def real_split(dataset: Dataset, config: TrainConfig, rows, labels, held, held_labels) -> dict:
    """The run's real rows as a user audits them: {"train_rows": ..., "heldout_rows": ...}, with "train_labels"
    and "heldout_labels" for a conditional run. A table's are its DataFrame's rows (not the encoded ones)."""
    if dataset.frame is not None:
        indices = split_indices(len(dataset.rows), config.n_monitor, config.data_seed)
        train, heldout = (dataset.frame.iloc[idx].reset_index(drop=True) for idx in indices)
        return {"train_rows": train, "heldout_rows": heldout}
    split = {"train_rows": rows, "heldout_rows": held}
    if config.conditional and labels is not None and held_labels is not None:  # a per-class audit needs both
        split.update(train_labels=labels, heldout_labels=held_labels)
    return split


def _moments(rows):
    sd = rows.std(axis=0)
    return rows.mean(axis=0), np.where(sd > 0, sd, 1.0)


def _table_networks(config: TrainConfig, table, c_opts, g_rng, c_rng, device):
    """CTGAN's pair for a table: the residual generator with span activations, the conditioned critic."""
    sizes = dict(hidden=config.hidden, depth=config.depth)
    g_opts = dict(noise_dim=table.noise_dim, conditions=config.n_conditions, **sizes, **config.generator_options)
    gen = networks.table_generator(config.z_dim - table.noise_dim, table.spans_, **g_opts, rng=g_rng, device=device)
    c_opts = dict(conditions=config.n_conditions, pack=config.pack, **sizes, **c_opts)
    critic = networks.mlp_critic(config.dim * config.pack, **c_opts, rng=c_rng, device=device)
    return gen, critic


def build_networks(config: TrainConfig, obj, moments, rng, device, table=None):
    """(generator, critic) for the config: MLPs, the DCGAN pair, the table pair, or the first release's 8x8 pair."""
    g_rng, c_rng = rng.spawn(2)
    cap = {k: v for p in config.penalty_objects() for k, v in p.network_options.items()}
    c_opts = {"out_dim": obj.features, "spectral_norm": obj.spectral_norm, **cap, **config.critic_options}
    k = config.n_classes
    if config.network == "table":
        gen, critic = _table_networks(config, table, c_opts, g_rng, c_rng, device)
        return gen, critic if obj.critic else None
    if config.network == "conv8":
        gen = networks.conv_generator(config.z_dim, rng=g_rng, device=device)
        critic = (
            networks.conv_critic(in_channels=config.pack, **c_opts, rng=c_rng, device=device) if obj.critic else None
        )
        return gen, critic
    if config.network == "dcgan":
        c, h, w = networks._check_image_shape(config.image_shape)
        g_opts = {"n_classes": k, **config.generator_options}
        gen = networks.dcgan_generator(config.z_dim, (c, h, w), **g_opts, rng=g_rng, device=device)
        shape = (c * config.pack, h, w)
        critic = networks.dcgan_critic(shape, n_classes=k, **c_opts, rng=c_rng, device=device) if obj.critic else None
        return gen, critic
    mean, sd = moments if moments is not None else (None, None)
    output = "tanh" if config.image_shape is not None else "none"
    g_opts = dict(hidden=config.hidden, depth=config.depth, output=output, shift=mean, scale=sd, n_classes=k)
    gen = networks.mlp_generator(
        config.z_dim, config.dim, **{**g_opts, **config.generator_options}, rng=g_rng, device=device
    )
    packed = (None, None) if moments is None else (np.tile(mean, config.pack), np.tile(sd, config.pack))
    c_opts = dict(hidden=config.hidden, depth=config.depth, shift=packed[0], scale=packed[1], n_classes=k, **c_opts)
    critic = networks.mlp_critic(config.dim * config.pack, **c_opts, rng=c_rng, device=device) if obj.critic else None
    return gen, critic


def _optimizer(params, obj, lr, betas):
    import torch

    if obj.optimizer == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr)
    return torch.optim.Adam(params, lr=lr, betas=tuple(betas))


class Trainer:
    """Train one GAN. ``Trainer(config, dataset, ...).run()`` returns the :class:`~gan.model.GAN`.

    Parameters
    ----------
    config : TrainConfig
    dataset : Dataset
    net_rng : numpy.random.Generator
        Seeds the initial weights.
    torch_rng : torch.Generator
        The training stream (latents, minibatches, labels, interpolation weights).
    device : torch.device
    callbacks : list
        Called in order after every step (see :mod:`gan.training.callbacks`).
    """

    def __init__(self, config: TrainConfig, dataset: Dataset, *, net_rng, torch_rng, device, callbacks=()):
        import torch

        self.config, self.dataset, self.device, self.torch_rng = config, dataset, device, torch_rng
        self.callbacks = list(callbacks)
        rows, labels, held, held_labels = training_rows(dataset, config.n_train, config.n_monitor, config.data_seed)
        self.real_split = real_split(dataset, config, rows, labels, held, held_labels)  # RunFiles writes it
        self.train_rows = torch.as_tensor(rows, dtype=torch.float32)
        self.train_labels = None if not config.conditional else torch.as_tensor(labels, dtype=torch.long)
        self.conditions, held_labels = self._table_conditions(dataset, rows, held, held_labels)
        self.objective = get_objective(config.objective, generator_loss=config.generator_loss)
        self.objective = self.objective.fit(rows, np.random.default_rng(config.data_seed))
        self.penalties = config.penalty_objects()
        moments = _moments(rows) if config.standardize else None
        self.generator, self.critic = build_networks(
            config, self.objective, moments, net_rng, device, table=dataset.table
        )
        g_lr, c_lr = config.learning_rates
        self.opt_g = _optimizer(self.generator.parameters(), self.objective, g_lr, config.betas)
        self.opt_c = (
            None if self.critic is None else _optimizer(self.critic.parameters(), self.objective, c_lr, config.betas)
        )
        self.ema_generator = None
        if config.ema > 0:
            self.ema_generator = copy.deepcopy(self.generator).requires_grad_(False)
        self.iterate_steps = iterate_steps(config.steps, config.iterates)
        self.iterates = []  # copies of the sampling generator at the first len(iterates) of iterate_steps
        self.monitor = Monitor(
            held,
            held_labels if config.conditional or self.conditions is not None else None,
            n_monitor=config.n_monitor,
            z_dim=config.z_dim,
            pack=config.pack,
            alpha=config.alpha,
            seed=config.monitor_seed,
            device=device,
            n_classes=config.n_classes,
            looks=ANYTIME_LOOKS,
        )
        self.history = {c: [] for c in HISTORY_COLUMNS}
        self.step = 0
        self.model = GAN(
            self.sampling_generator,
            self.critic,
            self.objective,
            config.to_dict(),
            history_frame(self.history),
            dataset,
            table=dataset.table,
        )

    def _table_conditions(self, dataset, rows, held, held_labels):
        """A table's training-by-sampling and the held-out rows' own conditions (for the monitor); else none."""
        if dataset.table is None or not self.config.n_conditions:
            return None, held_labels
        conditions = ConditionSampler(rows, dataset.table.discrete_spans)
        return conditions, conditions.of_rows(held, np.random.default_rng([self.config.data_seed, 3]))

    # --- state -----------------------------------------------------------------------------

    @property
    def sampling_generator(self):
        """The generator used for samples and the monitor: the moving average when there is one."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    def load_state(self, state: dict) -> None:
        """Continue from a checkpoint written during training (weights, optimisers, EMA, history, RNG)."""
        self.generator.load_state_dict(state["generator"])
        self.opt_g.load_state_dict(state["opt_g"])
        if self.critic is not None:
            self.critic.load_state_dict(state["critic"])
            self.opt_c.load_state_dict(state["opt_c"])
        if self.ema_generator is not None:
            self.ema_generator.load_state_dict(state["ema_generator"])
        self.iterates = self._loaded_iterates(state)
        self.history = {c: list(v) for c, v in state["history"].items()}
        if state.get("monitor"):  # checkpoints before the anytime column have none: it starts afresh
            self.monitor.load_state(state["monitor"])
        self.step = int(state["step"])
        self.torch_rng.set_state(state["torch_rng"])

    def _loaded_iterates(self, state: dict) -> list:
        """The checkpoint's kept iterates that this run's schedule also keeps (a run resumed with more
        steps keeps its iterates over a later window)."""
        stored = state.get("iterates") or []
        old = iterate_steps(int(state["config"]["steps"]), int(state["config"].get("iterates", 1)))
        kept = []
        for step, weights in zip(old, stored):
            if step in self.iterate_steps and step <= int(state["step"]):
                kept.append(self._copy_of_sampler(weights))
        return kept

    def _copy_of_sampler(self, weights=None):
        net = copy.deepcopy(self.sampling_generator).requires_grad_(False)
        if weights is not None:
            net.load_state_dict(weights)
        return net

    def keep_iterate(self, step: int) -> None:
        """Keep a copy of the sampling generator if `step` is one of the mixture's."""
        if step in self.iterate_steps:
            self.iterates.append(self._copy_of_sampler())

    def current_model(self) -> GAN:
        """The run so far as a :class:`~gan.model.GAN` (history up to date; the iterates kept so far)."""
        self.model.history = history_frame(self.history)
        self.model.trained_generator = self.generator if self.ema_generator is not None else None
        self.model.iterates = list(self.iterates) or None
        return self.model

    # --- minibatches -----------------------------------------------------------------------

    def draw_real(self):
        """(rows, labels): ``batch_size`` packs of ``pack`` training rows, drawn with replacement.

        A table's rows come by training-by-sampling: their labels are the conditions drawn first.
        """
        size = self.config.batch_size * self.config.pack
        if self.conditions is not None:
            labels, idx = self.conditions.draw(size, self.torch_rng)
            return pack_rows(self.train_rows[idx].to(self.device), self.config.pack), labels.to(self.device)
        idx = minibatch_indices(len(self.train_rows), size, self.torch_rng)
        labels = None if self.train_labels is None else self.train_labels[idx].to(self.device)
        return pack_rows(self.train_rows[idx].to(self.device), self.config.pack), labels

    def draw_fake(self, labels=None):
        """Generated rows (packed as the real ones); conditional: for the given labels."""
        import torch

        size = self.config.batch_size * self.config.pack
        z = torch.randn(size, self.config.z_dim, generator=self.torch_rng).to(self.device)
        rows = self.generator(z) if labels is None else self.generator(z, labels)
        return pack_rows(rows, self.config.pack)

    def _critic(self, rows, labels=None):
        return self.critic(rows) if labels is None else self.critic(rows, labels)

    # --- the step --------------------------------------------------------------------------

    def set_learning_rates(self, step: int) -> None:
        if self.config.lr_decay != "linear":
            return
        scale = 1.0 - (step - 1) / self.config.steps
        for opt, lr in zip((self.opt_g, self.opt_c), self.config.learning_rates):
            for group in opt.param_groups if opt is not None else ():
                group["lr"] = lr * scale

    def critic_step(self):
        """One critic update; returns its loss (detached)."""
        import torch

        real, labels = self.draw_real()
        with torch.no_grad():
            fake = self.draw_fake(labels)
        loss = self.objective.critic_loss(
            self._critic(real, labels), self._critic(fake, labels), self.config.label_smoothing
        )
        for penalty in self.penalties:
            extra = penalty.loss(self._critic, real, fake, labels, labels, self.torch_rng)
            loss = loss if extra is None else loss + extra
        self.opt_c.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_c.step()
        for penalty in self.penalties:
            penalty.after_step(self.critic)
        return loss.detach()

    def generator_step(self):
        """One generator update; returns its loss (detached)."""
        obj, config = self.objective, self.config
        needs_real = obj.generator_reads_real or config.feature_matching > 0
        if self.train_labels is not None or self.conditions is not None:  # the labels of real rows, then rows for them
            real, labels = self.draw_real()
            fake = self.draw_fake(labels)
        else:  # latents first, then (only if the loss reads them) real rows
            fake, labels = self.draw_fake(), None
            real = self.draw_real()[0] if needs_real else None
        if self.critic is None:
            loss = obj.generator_loss_of(fake, real)
        else:
            v_real = self._critic(real, labels) if obj.generator_reads_real else None
            loss = obj.generator_loss_of(self._critic(fake, labels), v_real)
            if config.feature_matching > 0:
                h_real, h_fake = self.critic.features(real, labels).detach(), self.critic.features(fake, labels)
                loss = loss + config.feature_matching * (h_real.mean(0) - h_fake.mean(0)).pow(2).sum()
        if self.conditions is not None:  # CTGAN: the generated rows must have the category they were asked for
            loss = loss + self.conditions.loss(fake, labels)
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_g.step()
        return loss.detach()

    def update_ema(self, step: int) -> None:
        """``ema <- d * ema + (1 - d) * weights`` with ``d = min(ema, (1 + step) / (10 + step))`` (warm start)."""
        import torch

        if self.ema_generator is None:
            return
        decay = min(self.config.ema, (1 + step) / (10 + step))
        with torch.no_grad():
            for avg, cur in zip(self.ema_generator.parameters(), self.generator.parameters()):
                avg.lerp_(cur, 1 - decay)
            for avg, cur in zip(self.ema_generator.buffers(), self.generator.buffers()):
                avg.copy_(cur)

    def check_finite(self, step: int, loss_c, loss_g, checkpoint=None) -> None:
        nets = [self.generator] + ([self.critic] if self.critic is not None else [])
        if all_finite(loss_c, loss_g, *(p for net in nets for p in net.parameters())):
            return
        kept = f"; the last good checkpoint is {checkpoint}" if checkpoint is not None and checkpoint.exists() else ""
        raise TrainingDiverged(
            f"training diverged at step {step} (objective {self.objective.name!r}): critic loss "
            f"{float(loss_c):.4g}, generator loss {float(loss_g):.4g}{kept}. Try a smaller `lr`."
        )

    def run(self) -> GAN:
        """Train from the current step to ``config.steps``; returns the model."""
        for callback in self.callbacks:
            callback.on_train_start(self)
        try:
            self._steps()
        finally:
            for callback in self.callbacks:
                callback.on_train_end(self)
        return self.current_model()

    def _steps(self) -> None:
        import torch

        for step in range(self.step + 1, self.config.steps + 1):
            self.step = step
            self.set_learning_rates(step)
            loss_c = torch.zeros(())
            for _ in range(self.config.critic_steps if self.critic is not None else 0):
                loss_c = self.critic_step()
            loss_g = self.generator_step()
            self.update_ema(step)
            self.keep_iterate(step)
            self.check_finite(step, loss_c, loss_g, getattr(self, "checkpoint_path", None))
            losses = {"critic_loss": float(loss_c), "generator_loss": float(loss_g)}
            for callback in self.callbacks:
                callback.on_step_end(self, step, losses)


# The anytime column splits the held-out rows into this many looks' worth (the default run looks 20
# times); it does not depend on the planned steps, so a resumed run with more steps continues it.
ANYTIME_LOOKS = 20

HISTORY_COLUMNS = (
    "step",
    "critic_loss",
    "generator_loss",
    "heldout_accuracy",
    "auc",
    "pvalue",
    "bound",
    "reject",
    "anytime_pvalue",
    "seconds",
)
