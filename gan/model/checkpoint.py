"""Checkpoints: written atomically, read without unpickling code.

A checkpoint is one ``torch.save`` file holding only tensors, numbers,
strings, lists and dicts: the networks' configs and weights, the optimisers'
states, the step, the training RNG state, the run's config and its history.
It is written to a temporary file in the same directory, flushed and fsynced,
then moved over the target with ``os.replace`` (atomic on POSIX and Windows),
so a crash mid-write leaves the previous checkpoint intact. It is read with
``torch.load(weights_only=True)``, which refuses arbitrary pickled objects.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["FORMAT", "read_checkpoint", "write_checkpoint"]

FORMAT = "gan-checkpoint/2"
# Formats this version reads: /1 (before the EMA generator, conditional models and penalties were
# stored; its config's missing keys mean the old behaviour, see gan.model.config.LEGACY) and /2.
READABLE = ("gan-checkpoint/1", "gan-checkpoint/2")


def write_checkpoint(state: dict, path) -> Path:
    """Save `state` to `path` atomically; returns the path."""
    import torch

    path = Path(path)
    if path.is_dir():
        raise ValueError(
            f"`path`: {str(path)!r} is a directory; give a file name (e.g. {str(path / 'checkpoint.pt')!r})."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {"format": FORMAT, **state}
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            torch.save(state, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_checkpoint(path, *, map_location="cpu") -> dict:
    """Load a checkpoint safely (``weights_only=True``); clear errors for missing or foreign files."""
    import pickle

    import torch

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {str(path)!r} does not exist.")
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"{str(path)!r} is not a readable gan checkpoint ({first}).") from None
    if not isinstance(state, dict) or state.get("format") not in READABLE:
        found = state.get("format") if isinstance(state, dict) else None
        if isinstance(found, str) and found.startswith("gan-checkpoint/"):
            raise ValueError(
                f"{str(path)!r} is a {found} checkpoint; this version of gan reads {', '.join(READABLE)}: upgrade gan."
            )
        raise ValueError(f"{str(path)!r} is not a gan checkpoint (format {FORMAT!r} expected).")
    return state
