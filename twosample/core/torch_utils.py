"""Small torch helpers shared by learned statistics (critics, classifiers, deep kernels).

Randomness follows the package rule: a ``numpy`` Generator (from ``rng``) seeds
a CPU ``torch.Generator``; weights are initialised from it on the CPU and then
moved to ``device``, so a fit does not depend on the device's own RNG and never
touches torch's global state.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np

from twosample.core.optional import require
from twosample.core.validation import check_int

__all__ = [
    "SMALL_NETWORK_THREADS",
    "all_finite",
    "maximise",
    "minibatch_indices",
    "mlp",
    "torch_generator",
    "torch_threads",
]

# Threads the training loops of small networks use unless told otherwise (see torch_threads).
SMALL_NETWORK_THREADS = 1


def torch_generator(rng: np.random.Generator):
    """A CPU ``torch.Generator`` seeded from the numpy Generator `rng`."""
    torch = require("torch")

    gen = torch.Generator(device="cpu")
    gen.manual_seed(int(rng.integers(0, 2**63 - 1)))
    return gen


def mlp(
    in_features: int,
    out_features: int = 1,
    *,
    hidden: int = 64,
    layers: int = 2,
    activation: str = "relu",
    generator=None,
    device="cpu",
    dtype=None,
):
    """A fully connected network ``in -> hidden x layers -> out``, initialised from `generator`.

    Parameters
    ----------
    in_features, out_features : int
        Input and output widths.
    hidden : int, default 64
        Width of the hidden layers.
    layers : int, default 2
        Number of hidden layers (0 gives a linear model).
    activation : {"relu", "leaky_relu", "elu", "tanh"}, default "relu"
        Hidden-layer non-linearity.
    generator : torch.Generator, optional
        CPU generator for the initial weights (PyTorch's default uniform
        scheme, bound 1/sqrt(fan_in)); torch's global generator is not used.
    device, dtype
        Where the returned module lives.
    """
    torch = require("torch")
    from torch import nn

    acts = {"relu": nn.ReLU, "leaky_relu": lambda: nn.LeakyReLU(0.2), "elu": nn.ELU, "tanh": nn.Tanh}
    if activation not in acts:
        raise ValueError(f"`activation` must be one of {', '.join(acts)}; got {activation!r}.")
    widths = [in_features] + [hidden] * layers + [out_features]
    modules = []
    for i, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:])):
        linear = torch.nn.utils.skip_init(nn.Linear, fan_in, fan_out)  # no draw from the global RNG
        bound = 1.0 / math.sqrt(fan_in)
        with torch.no_grad():
            linear.weight.copy_(torch.rand(fan_out, fan_in, generator=generator) * 2 * bound - bound)
            linear.bias.copy_(torch.rand(fan_out, generator=generator) * 2 * bound - bound)
        modules.append(linear)
        if i < len(widths) - 2:
            modules.append(acts[activation]())
    return nn.Sequential(*modules).to(device=device, dtype=dtype or torch.float32)


@contextlib.contextmanager
def torch_threads(threads: int | None):
    """Run the block with torch using `threads` CPU threads (None: leave torch's setting), then restore it.

    The networks this package trains by default are small (tens to hundreds of
    units): one thread is as fast as several, and on a machine whose cores are
    busy several threads spin-wait against each other (a 2-layer MLP measured
    up to 6x slower with torch's default on 2 busy cores; see
    ``benchmarks/bench_threads.py``). So the training loops default to one
    thread and take ``threads=`` to change it.
    """
    if threads is None:
        yield
        return
    torch = require("torch")

    threads = check_int(threads, "threads")
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def minibatch_indices(n: int, size: int, generator, device="cpu"):
    """`size` row indices in ``[0, n)`` drawn with replacement, on `device`.

    `generator` is a NumPy ``Generator`` or a CPU ``torch.Generator``; the draws are
    made on the CPU either way, so a seeded fit picks the same rows on every device.
    This is how every training loop of the package draws its minibatches.
    """
    torch = require("torch")

    if isinstance(generator, np.random.Generator):
        return torch.as_tensor(generator.integers(0, n, size), device=device)
    return torch.randint(0, n, (size,), generator=generator).to(device)


def all_finite(*tensors) -> bool:
    """Whether every value of every tensor is finite (the training loops' NaN guard)."""
    torch = require("torch")

    return all(bool(torch.isfinite(t).all()) for t in tensors)


def maximise(objective, optimizer, steps: int, *, what: str, desc: str, threads: int | None = None) -> np.ndarray:
    """The one training loop of the learned statistics: `steps` optimiser steps that raise ``objective()``.

    `objective` draws its own minibatch (from the caller's seeded generator, so
    a fit is reproducible from ``rng``) and returns a scalar tensor. Each step
    records its value; a NaN or infinite value stops the fit with a
    ``FloatingPointError`` naming `what` and the step (the NaN guard). Runs with
    `threads` torch threads (default :data:`SMALL_NETWORK_THREADS`) and a
    progress bar when :func:`twosample.core.progress.show_progress` is on. Returns
    the values per step.
    """
    from twosample.core.progress import progress_range

    history = np.empty(steps)
    with torch_threads(SMALL_NETWORK_THREADS if threads is None else threads):
        for step in progress_range(steps, desc=desc):
            value = objective()
            optimizer.zero_grad()
            (-value).backward()
            optimizer.step()
            history[step] = value.item()
            if not all_finite(value.detach()):
                raise FloatingPointError(f"{what} became {history[step]} at step {step}; lower `lr`.")
    return history
