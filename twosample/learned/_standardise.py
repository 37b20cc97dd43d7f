"""Inputs the learned tests' networks can train on: pooled standardisation (label-free) and
bit-equal outputs for equal rows."""

from __future__ import annotations

import numpy as np

from twosample.core.validation import (
    scale_exponent,
)

__all__ = ["on_unique_rows", "standardise_pooled"]


def standardise_pooled(x, y):
    """x and y centred and scaled by the pooled mean and sd of each column (constant columns by 1).

    The networks train in float32 and PyTorch's initialisations suit unit
    scale; the pooled moments are the same under every relabelling, so the
    level is untouched. Returns ``(x, y, shift, scale)``.
    """
    e = scale_exponent(x, y)  # moments of the data brought near 1 (exactly), so none overflows
    x, y = np.ldexp(x, -e), np.ldexp(y, -e)
    pooled = np.vstack([x, y])
    mean, sd = pooled.mean(axis=0), pooled.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    return (x - mean) / sd, (y - mean) / sd, np.ldexp(mean, e), np.ldexp(sd, e)


def on_unique_rows(func, z):
    """`func` on the distinct rows of `z`, expanded back: equal rows get bit-equal outputs.

    A float32 network can give equal rows slightly different outputs depending
    on where they fall in a batch; the permutation null must see ties as ties
    (constant data gives p = 1).
    """
    rows, inverse = np.unique(z, axis=0, return_inverse=True)
    return func(rows)[inverse.reshape(-1)]
