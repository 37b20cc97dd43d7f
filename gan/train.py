r"""The training loop, with the critic watched as a two-sample test.

:func:`train` fits a generator against a critic under any objective of
:mod:`gan.objectives`. Every ``monitor_every`` steps it freezes the current
critic and runs it as a two-sample test on data it has never seen: held-out
real rows against fresh generated rows. Reported into ``history``:

* ``heldout_accuracy``: the balanced accuracy of the f-GAN critic's Bayes rule
  :math:`T(x) > f'(1)` (i.e. :math:`\hat p(x) > \hat q(x)`); NaN for Wasserstein
  and MMD critics, which have no threshold;
* ``auc`` and ``pvalue``: the Mann-Whitney test of "critic scores are larger on
  real rows" (exact level: the critic was trained on other rows), or, for
  MMD objectives, the MMD permutation test on the raw data or the critic's
  features (:func:`twosample.mmd_test`);
* ``bound``: the held-out variational bound :math:`E_P T - E_Q f^*(T)`
  (f-GANs), the Wasserstein estimate :math:`E_P f - E_Q f` (WGANs, up to the
  critic's Lipschitz constant) or the MMD² (MMD objectives).

A generator that wins drives the critic's power down: the p-values rise
toward uniform, the accuracy toward 1/2.

Randomness: ``rng`` seeds the initial weights, the training set (for
synthetic data) and one CPU ``torch.Generator`` that draws every latent
vector, minibatch and interpolation weight; monitors draw from streams keyed
by the step. A checkpoint holds all of that state, so resuming reproduces the
uninterrupted run exactly on CPU.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import twosample as ts
from twosample.progress import progress_bar
from twosample.torch_utils import SMALL_NETWORK_THREADS, torch_generator, torch_threads
from twosample.validation import check_alpha, check_choice, check_device, check_int, check_real, check_rng

from . import networks
from .checkpoint import read_checkpoint, write_checkpoint
from .datasets import Dataset, get_dataset
from .objectives import (
    Objective,
    fgan_critic_loss,
    fgan_generator_loss,
    get_objective,
    gradient_penalty,
    mmd_kernels,
    mmd_loss,
    wasserstein_critic_loss,
    wasserstein_generator_loss,
)

__all__ = ["GAN", "TrainingDiverged", "load", "train"]

CHECKPOINT = "checkpoint.pt"


class TrainingDiverged(FloatingPointError):
    """A loss or a weight became NaN or infinite; the message names the step and the objective."""


@dataclasses.dataclass
class GAN:
    """A trained (or loaded) GAN.

    Attributes
    ----------
    generator : torch.nn.Module
        Maps latent rows ``(n, z_dim)`` to data rows.
    critic : torch.nn.Module or None
        The final critic (None for the raw-data MMD objective).
    objective : Objective
    config : dict
        The run's settings (plain values; stored in checkpoints).
    history : pandas.DataFrame
        One row per logged step: losses, and at monitored steps the critic's
        held-out accuracy, AUC, p-value and bound.
    dataset : Dataset or None
        The training law, when known.
    """

    generator: object
    critic: object
    objective: Objective
    config: dict
    history: pd.DataFrame
    dataset: Dataset | None = None

    @property
    def z_dim(self) -> int:
        return int(self.config["z_dim"])

    @property
    def device(self):
        return next(self.generator.parameters()).device

    def sample(self, n: int, rng=None) -> np.ndarray:
        """`n` generated rows as a float64 array; the same `rng` gives the same rows."""
        import torch

        n = check_int(n, "n")
        gen = torch_generator(check_rng(rng))
        z = torch.randn(n, self.z_dim, generator=gen)
        was_training = self.generator.training
        self.generator.eval()
        try:
            with torch.no_grad():
                out = torch.cat([self.generator(chunk.to(self.device)).cpu() for chunk in z.split(8192)])
        finally:
            self.generator.train(was_training)
        return out.double().numpy()

    def __call__(self, n: int, rng=None) -> np.ndarray:
        """Same as :meth:`sample` (a GAN is a sampler ``sample(n, rng)``)."""
        return self.sample(n, rng)

    def save(self, path) -> Path:
        """Write the generator, critic, config and history (no optimiser state) atomically."""
        return write_checkpoint(_state(self, None, None, None, None), path)


# --- configuration -------------------------------------------------------------------------


def _networks_for(
    dataset: Dataset, obj: Objective, z_dim, hidden, depth, pack, moments, rng, device, conv, g_opts, c_opts
):
    image = dataset.image_shape == (8, 8) and conv
    g_rng, c_rng = rng.spawn(2)
    if image:
        gen = networks.conv_generator(z_dim, rng=g_rng, device=device)
        critic = (
            networks.conv_critic(
                out_dim=obj.features,
                in_channels=pack,
                spectral_norm=obj.spectral_norm,
                cap=obj.critic_cap,
                rng=c_rng,
                device=device,
            )
            if obj.critic
            else None
        )
        return gen, critic
    output = "tanh" if dataset.image_shape is not None else "none"
    mean, sd = moments if moments is not None else (None, None)
    gen = networks.mlp_generator(
        z_dim,
        dataset.dim,
        **{"hidden": hidden, "depth": depth, "output": output, "shift": mean, "scale": sd, **g_opts},
        rng=g_rng,
        device=device,
    )
    packed = (None, None) if moments is None else (np.tile(mean, pack), np.tile(sd, pack))
    critic = (
        networks.mlp_critic(
            dataset.dim * pack,
            **{
                "out_dim": obj.features,
                "hidden": hidden,
                "depth": depth,
                "spectral_norm": obj.spectral_norm,
                "shift": packed[0],
                "scale": packed[1],
                "cap": obj.critic_cap,
                **c_opts,
            },
            rng=c_rng,
            device=device,
        )
        if obj.critic
        else None
    )
    return gen, critic


def _optimizer(params, obj: Objective, lr, betas):
    import torch

    if obj.optimizer == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr)
    return torch.optim.Adam(params, lr=lr, betas=tuple(betas))


def _training_rows(dataset: Dataset, n_train: int, n_monitor: int, seed: int):
    """(train, held-out) arrays. Synthetic: n_train fresh rows and n_monitor others. Finite: a split."""
    rng = np.random.default_rng(seed)
    if not dataset.finite:
        return dataset.sample(n_train, rng), dataset.sample(n_monitor, rng)
    data = dataset.rows
    order = rng.permutation(len(data))
    n_held = min(n_monitor, len(data) // 5)
    if n_held < 10:
        raise ValueError(f"`data` has {len(data)} rows; at least 50 are needed to hold out a monitoring set.")
    return data[order[n_held:]], data[order[:n_held]]


# --- the monitor ---------------------------------------------------------------------------


def _pack(rows, pack: int):
    """Rows ``(pack * b, d)`` as ``(b, pack * d)``: each packed row holds `pack` consecutive rows."""
    return rows.reshape(len(rows) // pack, -1)


def _monitor(*args):
    """The current critic as a two-sample test on held-out real vs fresh generated rows (packed as trained).

    A saturated critic (the same score everywhere, e.g. at a capped output) makes the
    test's pooled sample constant: the row then says p = 1 (AUC 1/2), which is the
    report; the core's DegenerateDataWarning about constant samples is not repeated
    every monitored step.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ts.DegenerateDataWarning)
        return _monitor_row(*args)


def _monitor_row(model_g, critic, obj: Objective, held_out, z_dim, n_monitor, pack, alpha, seed, step, device):
    import torch

    rng = np.random.default_rng([seed, step])
    gen = torch_generator(rng)
    real_np = held_out[:n_monitor]
    real_np = _pack(real_np[: len(real_np) - len(real_np) % pack], pack)
    was = model_g.training
    model_g.eval()
    with torch.no_grad():
        fake_t = _pack(model_g(torch.randn(len(real_np) * pack, z_dim, generator=gen).to(device)), pack)
    model_g.train(was)
    fake_np = fake_t.double().cpu().numpy()
    row = {"heldout_accuracy": math.nan, "auc": math.nan}
    if critic is None or obj.features > 1:
        if critic is None:
            a, b = real_np, fake_np
        else:
            critic.eval()
            with torch.no_grad():
                a = critic(torch.as_tensor(real_np, dtype=torch.float32, device=device)).double().cpu().numpy()
                b = critic(fake_t).double().cpu().numpy()
            critic.train()
        res = ts.mmd_test(a, b, n_resamples=199, alpha=alpha, rng=rng)
        row.update(pvalue=res.pvalue, bound=res.statistic)
        return row
    critic.eval()
    with torch.no_grad():
        v_r = critic(torch.as_tensor(real_np, dtype=torch.float32, device=device))[:, 0].double().cpu()
        v_f = critic(fake_t)[:, 0].double().cpu()
    critic.train()
    res = ts.mannwhitney_test(v_r.numpy(), v_f.numpy(), alternative="greater", method="asymptotic", alpha=alpha)
    row.update(pvalue=res.pvalue, auc=res.statistic / (len(v_r) * len(v_f)))
    if obj.family == "f":
        div = obj.get_divergence()
        t0 = float(div.f_prime(1.0))
        acc = 0.5 * (
            float((div.activation(v_r) > t0).double().mean()) + float((div.activation(v_f) <= t0).double().mean())
        )
        row.update(heldout_accuracy=acc, bound=float(div.lower_bound(v_r, v_f)))
    else:
        row.update(bound=float(v_r.mean() - v_f.mean()))
    return row


# --- state ---------------------------------------------------------------------------------


def _state(model: GAN, opt_g, opt_c, step, torch_rng):
    hist = model.history
    return {
        "config": model.config,
        "generator_config": dict(model.generator.config),
        "generator": model.generator.state_dict(),
        "critic_config": None if model.critic is None else dict(model.critic.config),
        "critic": None if model.critic is None else model.critic.state_dict(),
        "opt_g": None if opt_g is None else opt_g.state_dict(),
        "opt_c": None if opt_c is None else opt_c.state_dict(),
        "step": step,
        "torch_rng": torch_rng,
        "history": {
            c: [None if (isinstance(v, float) and math.isnan(v)) else v for v in hist[c].tolist()] for c in hist.columns
        },
    }


def _history_frame(columns: dict) -> pd.DataFrame:
    return pd.DataFrame({c: [math.nan if v is None else v for v in vals] for c, vals in columns.items()})


def load(path, *, device="cpu") -> GAN:
    """A :class:`GAN` from a checkpoint written by :func:`train` or :meth:`GAN.save` (safe loading)."""
    state = read_checkpoint(path)
    missing = [k for k in ("generator_config", "generator", "config", "history") if k not in state]
    if missing:
        raise ValueError(
            f"checkpoint {str(path)!r} lacks {', '.join(missing)}: it was not written by gan.train or GAN.save."
        )
    device = check_device(device)
    gen = networks.build(state["generator_config"], device=device)
    gen.load_state_dict(state["generator"])
    critic = None
    if state.get("critic_config") is not None:
        critic = networks.build(state["critic_config"], device=device)
        critic.load_state_dict(state["critic"])
    config = dict(state["config"])
    obj = get_objective(config["objective"], generator_loss=config.get("generator_loss"))
    return GAN(gen, critic, obj, config, _history_frame(state["history"]))


def _check_betas(betas) -> list[float]:
    """Adam's (beta1, beta2), each in [0, 1)."""
    if isinstance(betas, (str, bytes)) or not hasattr(betas, "__len__") or len(betas) != 2:
        raise ValueError(f"`betas` must be a pair (beta1, beta2) of numbers in [0, 1), got {betas!r}.")
    return [check_real(b, "betas", low=0, high=1, high_open=True) for b in betas]


def _finite(*tensors) -> bool:
    import torch

    return all(bool(torch.isfinite(t).all()) for t in tensors)


def _tensorboard(out):
    if out is None:
        return None
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:  # tensorboard not installed: the CSV log is always written
        return None
    return SummaryWriter(str(Path(out) / "tensorboard"))


def train(
    data,
    *,
    objective: str = "js",
    steps: int = 2000,
    critic_steps: int | None = None,
    batch_size: int = 100,
    lr: float | None = None,
    betas=None,
    z_dim: int = 2,
    generator_loss: str | None = None,
    hidden: int = 128,
    depth: int = 3,
    conv: bool = True,
    generator_options: dict | None = None,
    critic_options: dict | None = None,
    n_train: int = 100_000,
    monitor_every: int | None = None,
    n_monitor: int = 500,
    alpha: float = 0.05,
    log_every: int | None = None,
    checkpoint_every: int | None = None,
    out=None,
    resume=None,
    lr_decay: str = "none",
    pack: int = 1,
    standardize: bool = False,
    rng=None,
    device="cpu",
    progress=None,
    threads: int | None = None,
) -> GAN:
    r"""Train a GAN on `data` under `objective`; watch the critic as a two-sample test.

    Parameters
    ----------
    data : str, Dataset, array_like or path
        A name from :func:`gan.datasets.names` (``"ring"``, ``"grid"``,
        ``"mixture"``, ``"digits"``...), a :class:`~gan.datasets.Dataset`, an
        array ``(n, d)``, or a ``.npy`` / ``.csv`` / ``.parquet`` file.
    objective : str, default "js"
        A name from :func:`gan.objectives.names`: every f-divergence row
        (``"js"``, ``"kl"``, ``"reverse_kl"``, ``"pearson"``, ``"hellinger"``,
        ``"gan"``...), ``"minimax"``, ``"nsgan"``, ``"wgan"``, ``"wgan-gp"``,
        ``"wgan-sn"``, ``"mmd"``, ``"mmd-critic"``.
    steps : int, default 2000
        Generator updates (the total, also when resuming).
    critic_steps, lr, betas : optional
        Critic updates per generator update, learning rate, Adam betas; the
        objective's defaults when None (see :func:`gan.objectives.objective_table`).
    batch_size : int, default 100
    z_dim : int, default 2
        Latent dimension (latents are standard normal).
    generator_loss : {"non-saturating", "saddle"}, optional
        For f-GANs; default non-saturating (``"minimax"`` is the GAN row with "saddle").
    hidden, depth : int
        Width and depth of the MLP generator and critic.
    generator_options, critic_options : dict, optional
        Further arguments of :func:`gan.networks.mlp_generator` /
        :func:`gan.networks.mlp_critic` for one side (e.g. ``{"depth": 0}``
        for an affine generator, ``{"activation": "tanh"}``).
    conv : bool, default True
        Use the convolutional pair for 8x8 images.
    n_train : int, default 100,000
        Training rows drawn once for synthetic data (the PacGAN protocol).
    monitor_every : int, optional
        Steps between critic-as-test checks (default: 20 checks per run).
    n_monitor : int, default 500
        Held-out real rows and fresh generated rows per check.
    alpha : float, default 0.05
        Level of the monitor's tests (``reject`` column).
    log_every : int, optional
        Steps between loss rows in the history (default: about 200 rows).
    checkpoint_every : int, optional
        Steps between checkpoints when `out` is given (default: at monitor steps).
    out : path, optional
        Run directory: ``checkpoint.pt`` (atomic), ``history.csv``,
        ``config.json``, TensorBoard logs when tensorboard is installed.
    resume : path, optional
        A checkpoint of an earlier call to continue from (with the same `data`);
        the result equals the uninterrupted run on CPU.
    lr_decay : {"none", "linear"}, default "none"
        ``"linear"`` scales both learning rates by ``1 - (step - 1) / steps``
        (to zero at the last step). A function of the step alone, so resuming
        keeps it; it sharpens the modes at the end of a run (the ring's
        "high-quality" radius is 3 sd = 0.03).
    pack : int, default 1
        PacGAN packing (Lin et al. 2018): the critic sees `pack` rows of the
        same side concatenated into one input, and each minibatch holds
        ``batch_size`` such packs. A packed critic compares the product
        laws :math:`p^{m}` and :math:`q^{m}`, whose divergence grows with
        :math:`m` where the generator misses mass (mode collapse). Objectives
        with a critic only; the monitor packs the held-out rows the same way.
    standardize : bool, default False
        Let the MLP networks work on standardised rows: the critic reads
        ``(x - mean) / sd`` and the generator's output is mapped back by
        ``out * sd + mean`` (per feature, from the training rows; fixed
        buffers saved with the weights). Default initialisations suit data of
        unit scale; the grid's modes span [-4, 4] (sd 2.8).
    rng : None, int, SeedSequence or Generator
    device : str or torch.device, default "cpu"
    progress : bool, optional
        Progress bar (default: when stderr is a terminal).
    threads : int, optional
        torch CPU threads during training. Default: 1 for the MLP networks
        (small: one thread is as fast, and several spin-wait on busy cores;
        ``benchmarks/bench_threads.py``), torch's own setting for the conv
        networks. torch's global setting is restored afterwards.

    Returns
    -------
    GAN

    Raises
    ------
    TrainingDiverged
        When a loss or weight becomes NaN or infinite; the message names the
        step and the objective, and the last checkpoint in `out` is the last
        good state.

    Examples
    --------
    >>> import gan
    >>> model = gan.train("ring", objective="js", steps=20, rng=0)
    >>> model.sample(5, rng=1).shape
    (5, 2)
    """
    import torch

    dataset = get_dataset(data)
    obj = get_objective(objective, generator_loss=generator_loss)
    steps = check_int(steps, "steps")
    batch_size, z_dim = check_int(batch_size, "batch_size", minimum=2), check_int(z_dim, "z_dim")
    n_train, n_monitor = check_int(n_train, "n_train", minimum=2), check_int(n_monitor, "n_monitor", minimum=10)
    alpha = check_alpha(alpha)
    lr_decay = check_choice(lr_decay, "lr_decay", ("none", "linear"))
    pack = check_int(pack, "pack")
    if pack > 1 and not obj.critic:
        raise ValueError(f"`pack` applies to objectives with a critic; {obj.name!r} has none (use pack=1).")
    if standardize and dataset.image_shape == (8, 8) and conv:
        raise ValueError("`standardize` is for the MLP networks; the 8x8 conv pair works on pixels in [-1, 1].")
    if n_monitor < 10 * pack:
        raise ValueError(f"`n_monitor` ({n_monitor}) must be at least 10 * `pack` ({10 * pack}).")
    critic_steps = obj.critic_steps if critic_steps is None else check_int(critic_steps, "critic_steps")
    lr = obj.lr if lr is None else check_real(lr, "lr", low=0, low_open=True)
    betas = list(obj.betas) if betas is None else _check_betas(betas)  # RMSProp objectives have none
    hidden, depth = check_int(hidden, "hidden"), check_int(depth, "depth")
    if threads is None and (dataset.image_shape is None or not conv):
        threads = SMALL_NETWORK_THREADS
    threads = None if threads is None else check_int(threads, "threads")
    device = check_device(device)
    if out is not None and Path(out).exists() and not Path(out).is_dir():
        raise ValueError(f"`out` = {str(out)!r} is an existing file; give a folder for the run.")
    monitor_every = max(1, steps // 20) if monitor_every is None else check_int(monitor_every, "monitor_every")
    log_every = max(1, steps // 200) if log_every is None else check_int(log_every, "log_every")
    checkpoint_every = monitor_every if checkpoint_every is None else check_int(checkpoint_every, "checkpoint_every")
    generator = check_rng(rng)

    config = dict(
        objective=obj.name,
        generator_loss=obj.generator_loss,
        data=dataset.name,
        dim=dataset.dim,
        image_shape=None if dataset.image_shape is None else list(dataset.image_shape),
        steps=steps,
        critic_steps=critic_steps,
        batch_size=batch_size,
        lr=lr,
        betas=betas,
        z_dim=z_dim,
        hidden=hidden,
        depth=depth,
        conv=bool(conv),
        generator_options=dict(generator_options or {}),
        critic_options=dict(critic_options or {}),
        n_train=n_train,
        monitor_every=monitor_every,
        n_monitor=n_monitor,
        alpha=alpha,
        log_every=log_every,
        lr_decay=lr_decay,
        pack=pack,
        standardize=bool(standardize),
        data_seed=int(generator.integers(2**63 - 1)),
        monitor_seed=int(generator.integers(2**63 - 1)),
    )
    net_rng = np.random.default_rng(generator.integers(2**63 - 1))
    torch_rng = torch_generator(generator)

    state = None
    if resume is not None:
        state = read_checkpoint(resume)
        if state.get("opt_g") is None:
            raise ValueError(f"`resume`: {str(resume)!r} holds no optimiser state (saved by GAN.save, not train).")
        old = state["config"]
        for key in (
            "objective",
            "generator_loss",
            "data",
            "dim",
            "critic_steps",
            "batch_size",
            "z_dim",
            "hidden",
            "depth",
            "generator_options",
            "critic_options",
            "n_train",
            "lr_decay",
            "pack",
            "standardize",
        ):
            if key in old and old[key] != config[key]:
                raise ValueError(
                    f"`resume`: the checkpoint was trained with {key}={old[key]!r}, this call has {config[key]!r}."
                )
        if int(state.get("step", 0)) > steps:
            raise ValueError(
                f"`resume`: the checkpoint is at step {int(state['step'])}, past `steps` = {steps}; "
                f"pass steps >= {int(state['step'])} (the total, not the steps to add)."
            )
        config = {**old, "steps": steps}
        torch_rng.set_state(state["torch_rng"])

    train_rows, held_out = _training_rows(dataset, config["n_train"], n_monitor, config["data_seed"])
    train_t = torch.as_tensor(train_rows, dtype=torch.float32)
    moments = None
    if config.get("standardize"):
        sd = train_rows.std(axis=0)
        moments = (train_rows.mean(axis=0), np.where(sd > 0, sd, 1.0))
    gen_net, critic = _networks_for(
        dataset,
        obj,
        z_dim,
        hidden,
        depth,
        pack,
        moments,
        net_rng,
        device,
        conv,
        config["generator_options"],
        config["critic_options"],
    )
    opt_g = _optimizer(gen_net.parameters(), obj, config["lr"], config["betas"])
    opt_c = _optimizer(critic.parameters(), obj, config["lr"], config["betas"]) if critic is not None else None
    kernels = (
        mmd_kernels(train_rows[:2000], rng=np.random.default_rng(config["data_seed"]))
        if obj.family == "mmd" and critic is None
        else None
    )
    columns = {
        c: []
        for c in (
            "step",
            "critic_loss",
            "generator_loss",
            "heldout_accuracy",
            "auc",
            "pvalue",
            "bound",
            "reject",
            "seconds",
        )
    }
    start_step = 0
    if state is not None:
        gen_net.load_state_dict(state["generator"])
        opt_g.load_state_dict(state["opt_g"])
        if critic is not None:
            critic.load_state_dict(state["critic"])
            opt_c.load_state_dict(state["opt_c"])
        columns = {c: list(v) for c, v in state["history"].items()}
        start_step = int(state["step"])
    model = GAN(gen_net, critic, obj, config, _history_frame(columns), dataset)
    div = obj.get_divergence()
    out_dir = None if out is None else Path(out)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    writer = _tensorboard(out_dir)

    def draw_real():  # batch_size packs of `pack` rows (pack = 1: plain rows)
        idx = torch.randint(0, len(train_t), (batch_size * pack,), generator=torch_rng)
        return _pack(train_t[idx].to(device), pack)

    def draw_fake():
        return _pack(gen_net(torch.randn(batch_size * pack, z_dim, generator=torch_rng).to(device)), pack)

    def save():
        model.history = _history_frame(columns)
        write_checkpoint(_state(model, opt_g, opt_c, step, torch_rng.get_state()), out_dir / CHECKPOINT)
        model.history.to_csv(out_dir / "history.csv", index=False)

    t_start = time.perf_counter()
    step = start_step
    bar = progress_bar(steps, progress, desc=f"{obj.name} on {dataset.name}", unit="step", initial=start_step)
    with bar, torch_threads(threads):
        for step in range(start_step + 1, steps + 1):
            if config.get("lr_decay", "none") == "linear":
                scale = 1.0 - (step - 1) / steps
                for opt in (opt_g, opt_c):
                    for group in opt.param_groups if opt is not None else ():
                        group["lr"] = config["lr"] * scale
            loss_c = torch.zeros(())
            if critic is not None:
                for _ in range(critic_steps):
                    real = draw_real()
                    with torch.no_grad():
                        fake = draw_fake()
                    v_r, v_f = critic(real), critic(fake)
                    if obj.family == "f":
                        loss_c = fgan_critic_loss(div, v_r, v_f)
                    elif obj.family == "wasserstein":
                        loss_c = wasserstein_critic_loss(v_r, v_f)
                        if obj.lipschitz == "gp":
                            loss_c = loss_c + obj.gp_weight * gradient_penalty(critic, real, fake, torch_rng)
                    else:  # MMD critic: maximise the MMD of the features
                        loss_c = -mmd_loss(v_r, v_f, _feature_kernels(v_r, v_f))
                    opt_c.zero_grad(set_to_none=True)
                    loss_c.backward()
                    opt_c.step()
                    if obj.lipschitz == "clip":
                        with torch.no_grad():
                            for p in critic.parameters():
                                p.clamp_(-obj.clip, obj.clip)
            fake = draw_fake()
            if obj.family == "f":
                loss_g = fgan_generator_loss(div, critic(fake), obj.generator_loss)
            elif obj.family == "wasserstein":
                loss_g = wasserstein_generator_loss(critic(fake))
            elif critic is None:
                loss_g = mmd_loss(draw_real(), fake, kernels)
            else:
                real = draw_real()
                f_r, f_f = critic(real), critic(fake)
                loss_g = mmd_loss(f_r, f_f, _feature_kernels(f_r.detach(), f_f.detach()))
            opt_g.zero_grad(set_to_none=True)
            loss_g.backward()
            opt_g.step()

            if (
                not _finite(loss_c.detach(), loss_g.detach())
                or not _finite(*gen_net.parameters())
                or (critic is not None and not _finite(*critic.parameters()))
            ):
                kept = (
                    f"; the last good checkpoint is {out_dir / CHECKPOINT}"
                    if out_dir is not None and (out_dir / CHECKPOINT).exists()
                    else ""
                )
                raise TrainingDiverged(
                    f"training diverged at step {step} (objective {obj.name!r}): critic loss "
                    f"{float(loss_c.detach()):.4g}, generator loss {float(loss_g.detach()):.4g}{kept}. "
                    "Try a smaller `lr`."
                )

            monitored = step % monitor_every == 0 or step == steps
            if step % log_every == 0 or monitored:
                row = {
                    "step": step,
                    "critic_loss": float(loss_c.detach()),
                    "generator_loss": float(loss_g.detach()),
                    "heldout_accuracy": math.nan,
                    "auc": math.nan,
                    "pvalue": math.nan,
                    "bound": math.nan,
                    "reject": math.nan,
                    "seconds": time.perf_counter() - t_start,
                }
                if monitored:
                    row.update(
                        _monitor(
                            gen_net,
                            critic,
                            obj,
                            held_out,
                            z_dim,
                            n_monitor,
                            pack,
                            alpha,
                            config["monitor_seed"],
                            step,
                            device,
                        )
                    )
                    row["reject"] = float(row["pvalue"] <= alpha)
                for c in columns:
                    columns[c].append(row[c])
                if writer is not None:
                    for c in ("critic_loss", "generator_loss", "heldout_accuracy", "pvalue", "bound"):
                        if not math.isnan(row[c]):
                            writer.add_scalar(c, row[c], step)
            if out_dir is not None and (step % checkpoint_every == 0 or step == steps):
                save()
            bar.update()
    if writer is not None:
        writer.close()
    model.history = _history_frame(columns)
    return model


def _feature_kernels(f_r, f_f):
    """Gaussian kernels at 0.5, 1, 2 x the median pairwise distance of the (detached) features."""
    from twosample.kernels import Gaussian, median_distance

    pooled = np.vstack([f_r.detach().double().cpu().numpy(), f_f.detach().double().cpu().numpy()])
    med = median_distance(pooled) or 1.0
    return [Gaussian(bandwidth=med * s) for s in (0.5, 1.0, 2.0)]
