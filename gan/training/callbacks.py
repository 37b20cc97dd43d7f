"""What happens around a training step: history and monitor, TensorBoard, checkpoints, sample grids, progress.

A callback has three hooks, each given the :class:`~gan.training.trainer.Trainer`:
``on_train_start(trainer)``, ``on_step_end(trainer, step, losses)`` and
``on_train_end(trainer)``. :func:`gan.train` runs :class:`History` first (it
writes ``trainer.last_row`` at logged steps, with the monitor's test at
monitored steps), then TensorBoard, checkpoints and sample grids when there is a
run directory, the progress bar, then any ``callbacks=`` of the caller.
"""

from __future__ import annotations

import json
import logging
import math
import time
from pathlib import Path

import numpy as np

from twosample.core.progress import progress_bar

logger = logging.getLogger(__name__)

__all__ = ["Callback", "Checkpoints", "History", "Progress", "SampleGrids", "TensorBoard"]

CHECKPOINT = "checkpoint.pt"


class Callback:
    """Base class: every hook does nothing."""

    def on_train_start(self, trainer) -> None:
        return None

    def on_step_end(self, trainer, step: int, losses: dict) -> None:
        return None

    def on_train_end(self, trainer) -> None:
        return None


def _monitored(trainer, step: int) -> bool:
    return step % trainer.config.monitor_every == 0 or step == trainer.config.steps


class History(Callback):
    """One history row per logged step; at monitored steps, the critic as a test
    (:class:`~gan.training.monitor.Monitor`)."""

    def on_train_start(self, trainer) -> None:
        self.start = time.perf_counter()
        trainer.last_row = None

    def on_step_end(self, trainer, step, losses) -> None:
        trainer.last_row = None
        monitored = _monitored(trainer, step)
        if not (step % trainer.config.log_every == 0 or monitored):
            return
        row = {c: math.nan for c in trainer.history}
        row.update(step=step, seconds=time.perf_counter() - self.start, **losses)
        if monitored:
            row.update(trainer.monitor(trainer.sampling_generator, trainer.critic, trainer.objective, step))
            row["reject"] = float(row["pvalue"] <= trainer.config.alpha)
            logger.info(
                "step %d/%d: critic loss %.4g, generator loss %.4g, held-out p-value %.3g",
                step,
                trainer.config.steps,
                row.get("critic_loss", math.nan),
                row.get("generator_loss", math.nan),
                row["pvalue"],
            )
        for column in row:
            if column not in trainer.history:  # per-class p-values appear at the first monitored step
                trainer.history[column] = [math.nan] * len(trainer.history["step"])
        for column, values in trainer.history.items():
            values.append(row.get(column, math.nan))
        trainer.last_row = row


# The real rows of a run, as `gan audit RUN_DIR` reads them: rows the generator trained on, rows it
# never saw (the monitor's), and their labels for a conditional run. A table's are parquet files.
SPLIT_STEMS = ("train_rows", "heldout_rows", "train_labels", "heldout_labels")
SPLIT_SUFFIXES = (".npy", ".parquet")  # arrays (their dtype kept); a table's DataFrame rows
SPLIT_LIMIT = 256 * 2**20  # bytes: a larger split (a big image folder) is not copied into the run


def write_split(out: Path, split: dict) -> list[Path]:
    """The run's real split (keys from SPLIT_STEMS) into `out`, each file written whole and then moved into
    place; nothing beyond SPLIT_LIMIT."""
    from twosample.app.io import save_sample

    size = sum(rows.nbytes if isinstance(rows, np.ndarray) else rows.memory_usage().sum() for rows in split.values())
    if size > SPLIT_LIMIT:
        return []
    written = []
    for stem, rows in split.items():
        suffix = SPLIT_SUFFIXES[0] if isinstance(rows, np.ndarray) else SPLIT_SUFFIXES[1]
        final, partial = out / f"{stem}{suffix}", out / f"{stem}.partial{suffix}"
        if isinstance(rows, np.ndarray):
            np.save(partial, rows)
        else:
            save_sample(partial, rows)
        partial.replace(final)
        written.append(final)
    return written


def split_file(run: Path, stem: str) -> Path | None:
    """The file :func:`write_split` wrote for `stem` in the run directory `run`, or None."""
    found = [run / f"{stem}{suffix}" for suffix in SPLIT_SUFFIXES if (run / f"{stem}{suffix}").exists()]
    return found[0] if found else None


class Checkpoints(Callback):
    """``checkpoint.pt`` (atomic) every ``checkpoint_every`` steps and at the end; ``history.csv``; ``config.json``;
    the real split (:func:`write_split`) at the start."""

    def __init__(self, out):
        self.out = Path(out)

    def on_train_start(self, trainer) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        (self.out / "config.json").write_text(json.dumps(trainer.config.to_dict(), indent=2) + "\n")
        written = write_split(self.out, trainer.real_split)
        logger.debug("the real split: %s", ", ".join(p.name for p in written) or "not copied (too large)")
        trainer.checkpoint_path = self.out / CHECKPOINT

    def on_step_end(self, trainer, step, losses) -> None:
        if step % trainer.config.checkpoint_every == 0 or step == trainer.config.steps:
            from ..model.checkpoint import write_checkpoint
            from ..model.gan import state_of

            model = trainer.current_model()
            state = state_of(
                model,
                opt_g=trainer.opt_g,
                opt_c=trainer.opt_c,
                step=step,
                torch_rng=trainer.torch_rng.get_state(),
                monitor=trainer.monitor.state(),
            )
            write_checkpoint(state, self.out / CHECKPOINT)
            model.history.to_csv(self.out / "history.csv", index=False)
            logger.debug("step %d: wrote %s and history.csv", step, self.out / CHECKPOINT)


def _grid_rows(trainer, n: int = 64):
    """Rows to show: fixed latents (and labels cycling through the classes) from the monitor's seed."""
    model = trainer.current_model()
    rng = np.random.default_rng([trainer.config.monitor_seed, 0])
    labels = None if not model.n_classes else np.arange(n) % model.n_classes
    return model.sample(n, rng=rng, labels=labels)


class TensorBoard(Callback):
    """Scalars at every logged row (losses, p-value, accuracy, bound); sample grids of images at monitored steps.

    Needs the optional ``tensorboard`` package (``pip install twosample[tensorboard]``);
    without it this callback does nothing (the CSV history is always written).
    """

    SCALARS = ("critic_loss", "generator_loss", "heldout_accuracy", "pvalue", "bound")

    def __init__(self, out):
        self.writer = None
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            return
        self.writer = SummaryWriter(str(Path(out) / "tensorboard"))

    def on_step_end(self, trainer, step, losses) -> None:
        row = trainer.last_row
        if self.writer is None or row is None:
            return
        for column in self.SCALARS:
            if not math.isnan(row[column]):
                self.writer.add_scalar(column, row[column], step)
        if _monitored(trainer, step) and trainer.config.image_shape is not None:
            from .plotting import image_grid

            grid = image_grid(_grid_rows(trainer), trainer.config.image_shape)
            self.writer.add_image("samples", grid, step, dataformats="HWC")

    def on_train_end(self, trainer) -> None:
        if self.writer is not None:
            self.writer.close()


class SampleGrids(Callback):
    """Image data: ``samples/step_<N>.png`` (64 samples from fixed latents) at monitored steps."""

    def __init__(self, out):
        self.out = Path(out) / "samples"

    def on_step_end(self, trainer, step, losses) -> None:
        if trainer.config.image_shape is None or not _monitored(trainer, step):
            return
        from .plotting import save_image_grid

        self.out.mkdir(parents=True, exist_ok=True)
        save_image_grid(_grid_rows(trainer), trainer.config.image_shape, self.out / f"step_{step:06d}.png")


class Progress(Callback):
    """A progress bar over the steps (on when stderr is a terminal, or as `enabled` says)."""

    def __init__(self, enabled=None):
        self.enabled = enabled
        self.bar = None

    def on_train_start(self, trainer) -> None:
        desc = f"{trainer.objective.name} on {trainer.dataset.name}"
        self.bar = progress_bar(trainer.config.steps, self.enabled, desc=desc, unit="step", initial=trainer.step)
        self.bar.__enter__()

    def on_step_end(self, trainer, step, losses) -> None:
        self.bar.update()

    def on_train_end(self, trainer) -> None:
        self.bar.__exit__(None, None, None)
