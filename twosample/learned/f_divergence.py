r"""The held-out variational f-divergence test.

:func:`f_divergence_test` fits a critic :math:`T = g_f(v_\phi)` to maximise the
f-GAN discriminator objective :math:`E_P T - E_Q f^*(T)` on one part of the
data (:func:`twosample.divergences.fit_critic`), then uses the bound on the
held-out part as the statistic, with a permutation null over the held-out
labels (the critic fixed; valid conditionally on the training part).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from twosample.core.optional import require
from twosample.core.resampling import PermutationStatistic, Resampling, holdout_split
from twosample.core.result import TestResult
from twosample.core.spec import register
from twosample.core.validation import (
    check_device,
    check_samples,
    contains_nan,
)
from twosample.divergences import fit_critic, get
from twosample.learned._standardise import on_unique_rows, standardise_pooled

__all__ = ["f_divergence_test"]


class _HeldOutBound(PermutationStatistic):
    r"""Mean of :math:`g_f(v)` over the x rows minus mean of :math:`f^*(g_f(v))` over the y rows."""

    def __init__(self, divergence):
        self.divergence = divergence

    def bind(self, pooled, n_x):
        v = pooled[:, 0]
        n_y = len(v) - n_x
        t = np.asarray(self.divergence.activation(v), dtype=float)
        c = np.asarray(self.divergence.conjugate_activation(v), dtype=float)
        # Offsets taken out so that equal scores sum exactly: BLAS adds the masked
        # terms in a mask-dependent order, and constant data must give p = 1.
        t0, c0 = t[0], c[0]
        t, c = t - t0, c - c0

        def evaluate(masks):
            m = masks.astype(float)
            return (m @ t) / n_x - ((1 - m) @ c) / n_y + (t0 - c0)

        return evaluate


@register("f-divergence", description="held-out variational f-divergence bound of a fitted critic (JS)")
def f_divergence_test(
    x,
    y,
    *,
    divergence="js",
    test_size=0.5,
    alpha=0.05,
    n_resamples=999,
    rng=None,
    device="cpu",
    steps=500,
    hidden=32,
    layers=2,
    lr=1e-3,
    nan_policy: Literal["raise", "propagate", "omit"] = "raise",
    **params,
) -> TestResult:
    r"""Variational f-divergence two-sample test.

    Parameters
    ----------
    x, y : array_like, shape (n, d) and (m, d)
        Samples from P (data) and Q.
    divergence : str or FDivergence, default "js"
        Row of :mod:`twosample.divergences` (``order=`` for ``"alpha"`` via `params`).
    test_size : float, default 0.5
        Held-out fraction of each sample.
    alpha, n_resamples, rng
        As in :func:`twosample.permutation_test`.
    device : str, default "cpu"
        Where the critic trains.
    steps, hidden, layers, lr
        Critic training (see :func:`twosample.divergences.fit_critic`).
    nan_policy : {"raise", "propagate", "omit"}, default "raise"
        Rows that contain a NaN, as in SciPy: ``"raise"``, an error; ``"propagate"``, a
        result with NaN statistic and p-value (``reject=False``) without running the test;
        ``"omit"``, each sample's rows with a NaN are dropped and the test runs on the rest.
        Infinite values are an error under every policy.

    Returns
    -------
    TestResult
        The statistic is the held-out lower bound :math:`E_P T - E_Q f^*(T)`
        (an estimate of a lower bound on :math:`D_f(P\|Q)`).

    Notes
    -----
    The pooled sample is standardised (each column by its pooled mean and sd)
    before the split: the critic trains in float32, at unit scale, whatever
    the data's units; the pooled moments are the same under every
    relabelling, so the level is unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from twosample.learned import f_divergence_test
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.normal(size=(200, 2)), rng.normal(size=(200, 2)) + [1.0, 0.0]
    >>> f_divergence_test(x, y, steps=200, n_resamples=199, rng=0).reject
    True
    """
    x, y = check_samples(x, y, min_rows=4, nan_policy=nan_policy)
    div = get(divergence, **params)
    options, device = (
        Resampling.of(f_divergence_test, alpha=alpha, n_resamples=n_resamples, rng=rng),
        check_device(device),
    )
    if contains_nan(x, y):
        return options.nan_result(x, y)
    require("torch", purpose="f_divergence_test")
    generator = options.rng
    x, y, _, _ = standardise_pooled(x, y)
    (x_train, x_test), (y_train, y_test) = holdout_split(x, y, test_size, generator)
    critic = fit_critic(
        x_train, y_train, div, steps=steps, hidden=hidden, layers=layers, lr=lr, rng=generator, device=device
    )
    v = on_unique_rows(critic, np.vstack([x_test, y_test]))
    v_x, v_y = v[: len(x_test)], v[len(x_test) :]
    res = options.run(v_x[:, None], v_y[:, None], _HeldOutBound(div))
    return TestResult.extend(res, n_x=len(x), n_y=len(y))
