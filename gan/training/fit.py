r"""The friendly front: :func:`train` makes a :class:`~gan.model.config.TrainConfig`, runs a
:class:`~gan.training.trainer.Trainer`.

The critic is watched as a two-sample test on held-out data while the
generator trains (:mod:`gan.training.monitor`); the run directory gets an atomic
checkpoint, the history as CSV, TensorBoard logs when tensorboard is
installed, and sample grids for image data (:mod:`gan.training.callbacks`).
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import numpy as np

from twosample.core.torch_utils import SMALL_NETWORK_THREADS, torch_generator, torch_threads
from twosample.core.validation import check_device, check_int, check_rng

from ..data.datasets import get_dataset
from ..data.tables import is_table, read_table_file
from ..model.checkpoint import read_checkpoint
from ..model.config import DEFAULT, TrainConfig
from ..model.gan import GAN
from . import callbacks as cb
from .trainer import MonitorRejectsWarning, Trainer

logger = logging.getLogger(__name__)

__all__ = ["train"]

CHECKPOINT = cb.CHECKPOINT


def _resume_state(resume, config: TrainConfig, state=None):
    """The checkpoint to continue from (`state` when already read), checked against this call; returns
    (state, config to use)."""
    state = read_checkpoint(resume) if state is None else state
    if state.get("opt_g") is None:
        raise ValueError(f"`resume`: {str(resume)!r} holds no optimiser state (saved by GAN.save, not train).")
    old = TrainConfig.from_dict(state["config"])
    config.check_resume(old)
    if int(state.get("step", 0)) > config.steps:
        raise ValueError(
            f"`resume`: the checkpoint is at step {int(state['step'])}, past `steps` = {config.steps}; "
            f"pass steps >= {int(state['step'])} (the total, not the steps to add)."
        )
    return state, old.replace(steps=config.steps)


def _callbacks(out, progress, extra):
    found = [cb.History()]
    if out is not None:
        found += [cb.TensorBoard(out), cb.Checkpoints(out), cb.SampleGrids(out)]
    return [*found, cb.Progress(progress), *(extra or ())]


def train(
    data,
    *,
    objective: str | None = DEFAULT,
    steps: int | None = DEFAULT,
    critic_steps: int | None = DEFAULT,
    batch_size: int | None = DEFAULT,
    lr: float | None = DEFAULT,
    critic_lr: float | None = DEFAULT,
    betas=DEFAULT,
    z_dim: int | None = DEFAULT,
    generator_loss: str | None = None,
    hidden: int = DEFAULT,
    depth: int = DEFAULT,
    conv: bool = DEFAULT,
    generator_options: dict | None = DEFAULT,
    critic_options: dict | None = DEFAULT,
    n_train: int = DEFAULT,
    monitor_every: int | None = DEFAULT,
    n_monitor: int = DEFAULT,
    alpha: float = DEFAULT,
    log_every: int | None = DEFAULT,
    checkpoint_every: int | None = DEFAULT,
    out=None,
    resume=None,
    lr_decay: str | None = DEFAULT,
    pack: int | None = DEFAULT,
    standardize: bool | None = DEFAULT,
    ema: float | None = DEFAULT,
    iterates: int | None = DEFAULT,
    penalties=DEFAULT,
    r1_gamma: float | None = DEFAULT,
    r2_gamma: float | None = DEFAULT,
    label_smoothing: float = DEFAULT,
    feature_matching: float = DEFAULT,
    conditional: bool = DEFAULT,
    labels=None,
    callbacks=None,
    rng=None,
    device="cpu",
    progress=None,
    threads: int | None = None,
) -> GAN:
    r"""Train a GAN on `data` under `objective`; watch the critic as a two-sample test.

    Every setting left out (shown as ``DEFAULT``) takes its value from one home:
    :data:`gan.model.config.TRAIN_DEFAULTS`, or the recipe for the data's kind
    (:data:`gan.model.config.RECIPES`), measured to work on every seed of the
    benchmarks: for vectors, the Jensen-Shannon f-GAN on standardised rows; for
    images, the hinge loss on the DCGAN pair; both with a linear decay of the
    learning rate and a moving average of the generator.
    :func:`gan.model.config.default_text` says each default in words, as
    ``gan train --help`` does.

    Parameters
    ----------
    data : str, Dataset, array_like or path
        A name from :func:`gan.data.datasets.names` (``"ring"``, ``"grid"``,
        ``"mixture"``, ``"digits"``...), a :class:`~gan.data.datasets.Dataset`, an
        array ``(n, d)`` or of images ``(n, h, w)`` / ``(n, c, h, w)``, a
        ``.npy`` / ``.npz`` / ``.csv`` / ``.parquet`` file, or a folder of
        PNG/JPEG images (one subfolder per class gives labels), or a table: a pandas
        DataFrame of numeric, categorical, boolean columns with missing values
        (:mod:`gan.data.tables`; the "tables" recipe, CTGAN's encoding, conditional
        vector and packing; :meth:`GAN.sample` then returns a DataFrame; see
        ``docs/tables_gan.md``).
    objective : str, optional
        Default: the recipe's. A name from :func:`gan.model.objectives.names`: every f-divergence row
        (``"js"``, ``"kl"``, ``"reverse_kl"``, ``"pearson"``, ``"hellinger"``,
        ``"gan"``...), ``"minimax"``, ``"nsgan"``, ``"wgan"``, ``"wgan-gp"``,
        ``"wgan-sn"``, ``"hinge"``, ``"lsgan"``, ``"rgan"``, ``"mmd"``,
        ``"mmd-critic"``.
    steps : int, optional
        Generator updates (the total, also when resuming). Default: the recipe's.
    critic_steps, lr, betas : optional
        Critic updates per generator update, learning rate, Adam betas; the
        objective's defaults when None (see :func:`gan.model.objectives.objective_table`),
        except the recipe's learning rate for the recipe's own objective.
    critic_lr : float, optional
        The critic's learning rate when it differs from the generator's (two
        time-scale update rule, Heusel et al. 2017); default `lr`.
    batch_size : int, optional
        Rows per minibatch. Default: the recipe's.
    z_dim : int, optional
        Latent dimension (latents are standard normal). Default: the data's
        dimension plus 2, between 2 and 32; 32 for images; 128 for tables, whose generator
        input then also holds one more standard normal entry per one-hot entry of
        the transformed row, turned into its Gumbel noise (``config["z_dim"]``
        counts both).
    generator_loss : {"non-saturating", "saddle"}, optional
        For f-GANs; default non-saturating (``"minimax"`` is the GAN row with "saddle").
    hidden, depth : int, optional
        Width and depth of the MLP generator and critic (default 128 and 3; for
        tables, 256 and 2: CTGAN's residual generator and critic).
    conv : bool, optional
        Image data (a Dataset with an ``image_shape``) gets the DCGAN-style
        convolutional pair (:func:`gan.model.networks.dcgan_generator`); False asks
        for the MLPs on flattened pixels.
    generator_options, critic_options : dict, optional
        Further arguments of the network factories of :mod:`gan.model.networks` for
        one side (e.g. ``{"depth": 0}`` for an affine generator, ``{"channels": 32}``).
        Vectors' generators default to ``{"skip": True}`` (a linear path from the latent
        to the output beside the MLP, :class:`gan.model.networks.LinearPath`); a call's
        own options are laid over it key by key (``{"skip": False}`` turns it off).
    n_train : int, optional
        Training rows drawn once for synthetic data (the PacGAN protocol).
    monitor_every, n_monitor, alpha : optional
        Steps between critic-as-test checks (default: 20 checks per run),
        held-out rows per check, level of its tests.
    log_every, checkpoint_every : int, optional
        Steps between loss rows (default: about 200 rows) and checkpoints (default: at monitor steps).
    out : path, optional
        Run directory: ``checkpoint.pt`` (atomic), ``history.csv``,
        ``config.json``, ``samples/`` grids for images, TensorBoard logs when
        tensorboard is installed.
    resume : path, optional
        A checkpoint of an earlier call to continue from (with the same
        settings); the result equals the uninterrupted run on CPU.
    lr_decay : {"none", "linear"}, optional
        Default: the recipe's. ``"linear"`` scales the learning rates by ``1 - (step - 1) / steps``.
    pack : int, optional
        PacGAN packing (Lin et al. 2018): the critic reads `pack` rows of the
        same side concatenated; objectives with a critic only. Default: 2 for
        unconditional image GANs (without it the digits GAN collapsed), else 1.
    standardize : bool, optional
        Default: the recipe's. MLP networks on standardised rows (the critic reads ``(x - mean) / sd``,
        the generator's output is mapped back; fixed buffers saved with the weights).
    ema : float in [0, 1), optional
        Default: the recipe's. Decay of an exponential moving average of the generator's weights,
        used for sampling and the monitor and saved in checkpoints (0: none).
        The decay is ``min(ema, (1 + step) / (10 + step))``, so early steps
        are not dominated by the initial weights. Vectors default to 0: the average
        narrowed the ring's modes to half the data's width (docs/benchmarks.md).
    iterates : int, optional
        Default: 20 for vectors, 1 for images and tables. The trained GAN samples from the
        uniform mixture of the generator (its moving average if `ema`) at `iterates`
        steps evenly spaced over the last eighth of training (``steps // (8 * iterates)``
        apart, the last step included): each row picks its iterate at random. In a zero-sum
        game it is the time average of the players' strategies, not of their weights, that
        approaches the equilibrium (Freund and Schapire 1999); the training monitor and
        ``model.generator`` are the last iterate. 1: the last generator only.
    penalties : list, optional
        Critic penalties (:mod:`gan.model.penalties`: ``GradientPenalty``, ``R1``,
        ``R2``, ``WeightClip``, ``CriticCap``, or their records), replacing the
        objective's own (WGAN's clip, WGAN-GP's penalty, KL's cap).
    r1_gamma, r2_gamma : float, optional
        Add the R1 (real rows) / R2 (generated rows) gradient penalty of
        Mescheder et al. 2018 with this gamma.
    label_smoothing : float, optional
        One-sided label smoothing (Salimans et al. 2016): the real target of a
        logistic critic (js, gan, nsgan, minimax) is ``1 - label_smoothing``.
    feature_matching : float, optional
        Adds ``feature_matching * |E h(x_real) - E h(G(z))|^2`` (the critic's
        last hidden features) to the generator's loss (Salimans et al. 2016).
    conditional : bool, optional
        Train a conditional GAN on the data's class labels: a label-embedded
        generator and a projection discriminator (Miyato and Koyama 2018); the
        monitor also tests each class (``pvalue_<k>``).
    labels : array_like, optional
        Class labels of the rows of `data` (integers or strings; one per row).
    callbacks : list of gan.training.callbacks.Callback, optional
        Run after the built-in ones at every step.
    rng : None, int, SeedSequence or Generator
    device : str or torch.device, default "cpu"
    progress : bool, optional
        Progress bar (default: when stderr is a terminal).
    threads : int, optional
        torch CPU threads during training. Default: 1 for the MLP networks and
        the DCGAN pair on images up to 16 pixels a side (``benchmarks/bench_threads.py``:
        the 8x8 digits pair took 16 ms of CPU a step on one thread, 363 ms on
        two threads of two busy cores), torch's own setting for larger conv
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

    Warns
    -----
    MonitorRejectsWarning
        When the monitor's test at the last step still rejects (held-out p-value
        at most `alpha`): the critic tells generated rows from held-out ones, so
        the generator does not match the data yet. The result records it
        (:attr:`GAN.monitor_rejects`, :attr:`GAN.final_monitor_pvalue`).

    Examples
    --------
    >>> import gan
    >>> model = gan.train("ring", objective="js", steps=20, rng=0)
    >>> model.sample(5, rng=1).shape
    (5, 2)
    """
    given = dict(
        objective=objective,
        steps=steps,
        critic_steps=critic_steps,
        batch_size=batch_size,
        lr=lr,
        critic_lr=critic_lr,
        betas=betas,
        z_dim=z_dim,
        hidden=hidden,
        depth=depth,
        conv=conv,
        generator_options=generator_options,
        critic_options=critic_options,
        n_train=n_train,
        monitor_every=monitor_every,
        n_monitor=n_monitor,
        alpha=alpha,
        log_every=log_every,
        checkpoint_every=checkpoint_every,
        lr_decay=lr_decay,
        pack=pack,
        standardize=standardize,
        ema=ema,
        iterates=iterates,
        penalties=penalties,
        r1_gamma=r1_gamma,
        r2_gamma=r2_gamma,
        label_smoothing=label_smoothing,
        feature_matching=feature_matching,
        conditional=conditional,
    )
    generator = check_rng(rng)
    seeds = (int(generator.integers(2**63 - 1)), int(generator.integers(2**63 - 1)))
    dataset, stored = _dataset(data, labels, seeds[0], resume)
    config = TrainConfig.create(dataset, seeds, generator_loss=generator_loss, **given)
    return _run(config, dataset, generator, out, resume, callbacks, device, progress, threads, state=stored)


def _dataset(data, labels, seed: int, resume):
    """(the Dataset, the resumed checkpoint when it was read). A table resumed from a checkpoint takes the
    checkpoint's transformer (its columns checked) and data seed, so its rows are the run's rows."""
    table_file = read_table_file(data)  # a .csv / .parquet with text, categories or missing values: a table
    data = data if table_file is None else table_file
    if not is_table(data) or resume is None:
        return get_dataset(data, labels=labels, seed=seed), None
    state = read_checkpoint(resume)
    if state.get("table") is None:
        raise ValueError(f"`resume`: {str(resume)!r} was not trained on a table, and `data` is one.")
    seed = int(TrainConfig.from_dict(state["config"]).data_seed)
    return get_dataset(data, labels=labels, seed=seed, table=state["table"]), state


def _run(config: TrainConfig, dataset, generator, out, resume, callbacks, device, progress, threads, state=None) -> GAN:
    """Check the run's own options, build the :class:`Trainer` (resumed if asked; `state`: the checkpoint of
    `resume` when already read) and train."""
    device = check_device(device)
    if out is not None and Path(out).exists() and not Path(out).is_dir():
        raise ValueError(f"`out` = {str(out)!r} is an existing file; give a folder for the run.")
    if threads is None and (config.network in ("mlp", "table") or max(config.image_shape[-2:]) <= 16):
        threads = SMALL_NETWORK_THREADS  # small networks: one thread is as fast and never spin-waits
    threads = None if threads is None else check_int(threads, "threads")
    net_rng = np.random.default_rng(generator.integers(2**63 - 1))
    torch_rng = torch_generator(generator)
    if resume is not None:
        state, config = _resume_state(resume, config, state)
    trainer = Trainer(
        config,
        dataset,
        net_rng=net_rng,
        torch_rng=torch_rng,
        device=device,
        callbacks=_callbacks(out, progress, callbacks),
    )
    if state is not None:
        trainer.load_state(state)
    with torch_threads(threads):
        model = trainer.run()
    logger.info(
        "trained %s on %s for %d steps; final held-out p-value %.3g",
        config.objective,
        dataset.name,
        config.steps,
        model.final_monitor_pvalue,
    )
    _warn_if_monitor_rejects(model)
    return model


def _warn_if_monitor_rejects(model: GAN) -> None:
    """One line when the critic still separates generated from held-out rows at the last step."""
    if not model.monitor_rejects:
        return
    warnings.warn(
        f"the critic still tells generated rows from held-out ones at the end of training (final held-out "
        f"p-value {model.final_monitor_pvalue:.3g} <= alpha {model.config['alpha']:g}): the generator does not "
        f"match the data yet; train longer or change the settings (model.monitor_rejects, model.history).",
        MonitorRejectsWarning,
        stacklevel=4,  # the caller of gan.train (through _run)
    )
