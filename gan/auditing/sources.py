"""Where the audited rows come from: arrays and files of rows, samplers, GANs and checkpoints."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from twosample.app.io import load_sample
from twosample.core.validation import writable

__all__ = ["ModuleSampler", "as_rows", "as_sampler", "call_generator", "draw_rows", "is_module"]


def as_rows(value, name, d=None):
    """`value` (rows or a file of rows) as a finite, writable 2-D float array, else an error naming `name`."""
    if isinstance(value, (str, Path)):
        value = load_sample(value)
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:  # text, ragged rows, objects
        words = " ".join(str(exc).split())[:160]
        raise ValueError(
            f"`{name}` must be rows of numbers (a 2-D array); it could not be read as one: {words}"
        ) from None
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"`{name}` must be 2-D (rows x features), got shape {arr.shape}.")
    if not np.isfinite(arr).all():
        raise ValueError(
            f"`{name}` contains NaN or infinite values" + (" (a broken generator?)." if name == "generated" else ".")
        )
    if d is not None and arr.shape[1] != d:
        raise ValueError(f"`{name}` has {arr.shape[1]} columns, the real data has {d}.")
    return writable(arr)  # a DataFrame's or a memory map's rows are read-only; torch reads them by reference


def draw_rows(draw, n, rng, d):
    """`n` rows from a generator's ``draw(n, rng)``; its failures and short answers name `generated`."""
    rows = as_rows(call_generator(draw, n, rng), "generated", d)
    if len(rows) != n:
        raise ValueError(f"`generated` returned {len(rows)} rows when asked for {n}.")
    return rows


def call_generator(draw, n, rng):
    """What ``draw(n, rng)`` returns; its failure becomes an error naming `generated`."""
    try:
        return draw(n, rng)
    except Exception as exc:
        raise ValueError(
            f"`generated` raised {type(exc).__name__} when asked for {n} rows: {' '.join(str(exc).split())}"
        ) from exc


def as_sampler(generated, module_options=None):
    """(draw(n, rng) or None, fixed array or None) for rows (an array, a DataFrame, a tensor), a callable, a GAN,
    a torch module or a path."""
    if isinstance(generated, (str, Path)):
        path = Path(generated)
        if path.suffix == ".pt":
            from ..model.gan import load

            generated = load(path)
        else:
            return None, load_sample(path)
    if hasattr(generated, "__array__"):  # rows: a DataFrame's own .sample method is not a generator's
        return None, generated
    if hasattr(generated, "sample") and callable(generated.sample):
        return generated.sample, None
    if is_module(generated):
        return ModuleSampler(generated, **(module_options or {})), None
    if callable(generated):
        return generated, None
    return None, generated


class ModuleSampler:
    """``sample(n, rng, labels=None)`` for a ``torch.nn.Module`` that maps latent rows to samples.

    Parameters
    ----------
    module : torch.nn.Module
        Called as ``module(z)`` (or ``module(z, labels)`` when conditional) in
        eval mode, without gradients, in batches, on `device`. Its output may
        be rows ``(n, d)`` or images ``(n, c, h, w)`` (flattened to rows; the
        shape is kept for the report).
    latent_dim : int or tuple of int, optional
        Shape of one latent draw. Default: the module's ``latent_dim``, ``z_dim``
        or ``nz`` attribute, else its first layer's input (``Linear``:
        ``in_features``; ``ConvTranspose2d`` / ``Conv2d``: ``(in_channels, 1, 1)``,
        the DCGAN convention).
    latent : callable, optional
        ``latent(shape, rng) -> array`` (default standard normal:
        ``rng.standard_normal(shape)``).
    device : str, default "cpu"
    batch_size : int, default 1024
    """

    def __init__(self, module, latent_dim=None, latent=None, device="cpu", batch_size=1024):
        self.module = module
        self.latent_shape = _latent_shape(module, latent_dim)
        self.latent = latent if latent is not None else (lambda shape, rng: rng.standard_normal(shape))
        if not callable(self.latent):
            raise TypeError(f"`latent` must be a callable latent(shape, rng) -> array, got {type(latent).__name__}.")
        self.device = device
        self.batch_size = batch_size
        self.image_shape = None

    def __call__(self, n, rng, labels=None) -> np.ndarray:
        import torch

        z = np.asarray(self.latent((n, *self.latent_shape), rng), dtype=np.float32)
        y = None if labels is None else torch.as_tensor(np.broadcast_to(labels, (n,)).copy(), dtype=torch.long)
        was_training = self.module.training
        self.module.eval()
        try:
            with torch.no_grad():
                parts = [
                    self._forward(torch.from_numpy(z[i : i + self.batch_size]), y, i)
                    for i in range(0, n, self.batch_size)
                ]
        finally:
            self.module.train(was_training)
        out = np.concatenate(parts) if parts else np.empty((0, 0))
        if out.ndim > 2:
            self.image_shape = out.shape[1:] if out.shape[1] > 1 else out.shape[2:]
        return out.reshape(len(out), -1).astype(np.float64)

    def _forward(self, z, y, start):
        args = (z.to(self.device),) if y is None else (z.to(self.device), y[start : start + len(z)].to(self.device))
        out = self.module(*args)
        return out.detach().double().cpu().numpy()


def _latent_shape(module, latent_dim) -> tuple:
    """The shape of one latent draw: given, an attribute of the module, or its first layer's input."""
    import torch

    if latent_dim is None:
        for attr in ("latent_dim", "z_dim", "nz"):
            value = getattr(module, attr, None)
            if isinstance(value, int) and not isinstance(value, bool):
                latent_dim = value
                break
    if latent_dim is None:
        for layer in module.modules():
            if isinstance(layer, torch.nn.Linear):
                latent_dim = layer.in_features
            elif isinstance(layer, (torch.nn.ConvTranspose2d, torch.nn.Conv2d)):
                latent_dim = (layer.in_channels, 1, 1)
            if latent_dim is not None:
                break
    if latent_dim is None:
        raise ValueError(
            "`latent_dim`: cannot read the latent size from this module (no latent_dim / z_dim / nz attribute, "
            "and its first layer is not Linear or a convolution); pass latent_dim=."
        )
    shape = (latent_dim,) if np.ndim(latent_dim) == 0 else tuple(latent_dim)
    if not all(isinstance(s, (int, np.integer)) and s > 0 for s in shape):
        raise ValueError(f"`latent_dim` must be a positive integer or a tuple of them, got {latent_dim!r}.")
    return tuple(int(s) for s in shape)


def is_module(value) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.nn.Module)
