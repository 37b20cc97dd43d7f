"""Where the audited rows come from: arrays and files of rows, samplers, GANs and checkpoints."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from twosample.io import load_sample


def _as_rows(value, name, d=None):
    if isinstance(value, (str, Path)):
        value = load_sample(value)
    arr = np.asarray(value, dtype=float)
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
    return arr


def _draw(draw, n, rng, d):
    """`n` rows from a generator's ``draw(n, rng)``; its failures and short answers name `generated`."""
    try:
        rows = draw(n, rng)
    except Exception as exc:
        raise ValueError(
            f"`generated` raised {type(exc).__name__} when asked for {n} rows: {' '.join(str(exc).split())}"
        ) from exc
    rows = _as_rows(rows, "generated", d)
    if len(rows) != n:
        raise ValueError(f"`generated` returned {len(rows)} rows when asked for {n}.")
    return rows


def _sampler(generated):
    """(draw(n, rng) or None, fixed array or None) for an array, a callable, a GAN or a path."""
    if isinstance(generated, (str, Path)):
        path = Path(generated)
        if path.suffix == ".pt":
            from ..train import load

            generated = load(path)
        else:
            return None, load_sample(path)
    if hasattr(generated, "sample") and callable(generated.sample):
        return generated.sample, None
    if callable(generated):
        return generated, None
    return None, generated
