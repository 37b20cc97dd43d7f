r"""Learned statistics: tests whose statistic is fitted on a training split.

:func:`f_divergence_test` fits a critic :math:`T = g_f(v_\phi)` to maximise the
f-GAN discriminator objective :math:`E_P T - E_Q f^*(T)` on one part of the
data (:func:`twosample.divergences.fit_critic`), then uses the bound on the
held-out part as the statistic, with a permutation null over the held-out
labels (the critic fixed; valid conditionally on the training part).
"""

from __future__ import annotations

import numpy as np

from ._result import TestResult
from ._validation import check_rng, check_samples
from .divergences import fit_critic, get
from .resampling import PermutationStatistic, holdout_split, run_permutation_test

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

        def evaluate(masks):
            m = masks.astype(float)
            return (m @ t) / n_x - ((1 - m) @ c) / n_y

        return evaluate


def f_divergence_test(x, y, *, divergence="js", test_size=0.5, alpha=0.05, n_resamples=999, rng=None,
                      device="cpu", steps=500, hidden=32, layers=2, lr=1e-3, **params) -> TestResult:
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

    Returns
    -------
    TestResult
        The statistic is the held-out lower bound :math:`E_P T - E_Q f^*(T)`
        (an estimate of a lower bound on :math:`D_f(P\|Q)`).

    Examples
    --------
    >>> import numpy as np
    >>> from twosample.learned import f_divergence_test
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.normal(size=(200, 2)), rng.normal(size=(200, 2)) + [1.0, 0.0]
    >>> f_divergence_test(x, y, steps=200, n_resamples=199, rng=0).reject
    True
    """
    x, y = check_samples(x, y, min_rows=4)
    div = get(divergence, **params)
    generator = check_rng(rng)
    (x_train, x_test), (y_train, y_test) = holdout_split(x, y, test_size, generator)
    critic = fit_critic(x_train, y_train, div, steps=steps, hidden=hidden, layers=layers, lr=lr,
                        rng=generator, device=device)
    v_x, v_y = critic(x_test), critic(y_test)
    return run_permutation_test(v_x[:, None], v_y[:, None], _HeldOutBound(div), alternative="greater", alpha=alpha,
                                n_resamples=n_resamples, batch=None, rng=generator, test="f-divergence")
