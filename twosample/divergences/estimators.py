r"""Divergences estimated from samples, the optimal discriminator, and the generator-loss gradients.

* :func:`fit_critic` trains a critic :math:`v_\phi` to maximise the variational
  bound :math:`E_P[g_f(v)] - E_Q[f^*(g_f(v))]` (the f-GAN discriminator
  objective); :func:`variational_lower_bound` evaluates the fitted critic on
  held-out samples, an estimate that is a lower bound in expectation.
* :func:`jensen_shannon_from_discriminator` turns discriminator logits into the
  JSD estimate implied by the GAN objective, :math:`(\text{objective} + \log 4)/2`.
* :func:`optimal_discriminator` is :math:`d^* = p/(p + q)` for two densities.
* :func:`generator_loss_gradients` gives the textbook chapter's saturating and
  non-saturating generator losses and their gradients, for the vanishing
  gradient figure.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy import special

from twosample.classical.statistics import Wasserstein1
from twosample.core.optional import require
from twosample.core.resampling import holdout_split
from twosample.core.torch_utils import maximise, minibatch_indices, mlp, torch_generator
from twosample.core.validation import (
    check_device,
    check_int,
    check_real,
    check_rng,
    check_sample,
    check_samples,
    warn_if_constant,
)

from ._registry import FDivergence, get

__all__ = [
    "FittedCritic",
    "GeneratorLossCurves",
    "VariationalEstimate",
    "fit_critic",
    "generator_loss_gradients",
    "jensen_shannon_from_discriminator",
    "optimal_discriminator",
    "variational_lower_bound",
    "wasserstein_1d",
]

_LOG4 = math.log(4.0)


@dataclasses.dataclass(frozen=True)
class FittedCritic:
    """A critic trained to maximise a divergence's variational bound.

    Attributes
    ----------
    module : torch.nn.Module
        The network; its output is the raw critic value v.
    divergence : FDivergence
        The row whose bound was maximised.
    history : numpy.ndarray
        The training-batch bound after each step.
    device : str
    """

    module: object
    divergence: FDivergence
    history: np.ndarray
    device: str = "cpu"

    def __call__(self, x) -> np.ndarray:
        """Raw critic outputs v on the rows of `x` (a float64 NumPy array)."""
        torch = require("torch")

        x = np.asarray(x, dtype=np.float64)
        x = x[:, None] if x.ndim == 1 else x
        with torch.no_grad():
            out = self.module(torch.as_tensor(x, dtype=torch.float32, device=self.device))
        return out[:, 0].double().cpu().numpy()

    def bound(self, x_p, x_q) -> float:
        """The variational bound of this critic on samples `x_p` ~ P and `x_q` ~ Q."""
        return float(self.divergence.lower_bound(self(x_p), self(x_q)))

    def bound_with_error(self, x_p, x_q) -> tuple[float, float]:
        r"""The bound on `x_p`, `x_q` and its standard error.

        For a critic fitted on other data the two averages are independent
        means, so the standard error is
        :math:`\sqrt{\mathrm{Var}_P(T)/n + \mathrm{Var}_Q(f^*(T))/m}`.
        """
        t_p = self.divergence.activation(self(x_p))
        c_q = self.divergence.conjugate_activation(self(x_q))
        se = math.sqrt(t_p.var(ddof=1) / len(t_p) + c_q.var(ddof=1) / len(c_q))
        return float(t_p.mean() - c_q.mean()), se


def fit_critic(
    x_p,
    x_q,
    divergence="kl",
    *,
    hidden=64,
    layers=2,
    steps=1000,
    lr=1e-3,
    batch_size=256,
    weight_decay=0.0,
    rng=None,
    device="cpu",
    threads=None,
    **params,
) -> FittedCritic:
    r"""Train a critic to maximise :math:`E_P[g_f(v)] - E_Q[f^*(g_f(v))]`.

    Parameters
    ----------
    x_p, x_q : array_like, shape (n, d) and (m, d)
        Samples from P (data) and Q (model).
    divergence : str or FDivergence, default "kl"
        Row of the registry (``params`` passes ``order`` for ``"alpha"``).
    hidden, layers : int
        Width and depth of the MLP critic.
    steps : int, default 1000
        Adam steps, each on a minibatch of `batch_size` rows from each sample.
    lr, weight_decay : float
        Adam's learning rate and weight decay.
    rng : None, int, SeedSequence or Generator
        Seeds the weights and the minibatches (same rng, same critic on CPU).
    device : str or torch.device, default "cpu"
    threads : int, optional
        torch CPU threads while training (default 1: the network is small; see
        :func:`twosample.core.torch_utils.torch_threads`).

    Returns
    -------
    FittedCritic
    """
    torch = require("torch")

    div = get(divergence, **params)
    x_p, x_q = check_samples(x_p, x_q)
    steps, batch_size, hidden = (
        check_int(steps, "steps"),
        check_int(batch_size, "batch_size"),
        check_int(hidden, "hidden"),
    )
    layers = check_int(layers, "layers", minimum=0)
    lr = check_real(lr, "lr", low=0, low_open=True)
    weight_decay = check_real(weight_decay, "weight_decay", low=0)
    device = check_device(device)
    generator = check_rng(rng)
    module = mlp(x_p.shape[1], 1, hidden=hidden, layers=layers, generator=torch_generator(generator), device=device)
    tp = torch.as_tensor(x_p, dtype=torch.float32, device=device)
    tq = torch.as_tensor(x_q, dtype=torch.float32, device=device)
    opt = torch.optim.Adam(module.parameters(), lr=lr, weight_decay=weight_decay)

    def bound():  # the bound on a minibatch drawn with replacement from each sample
        ip = minibatch_indices(len(tp), min(batch_size, len(tp)), generator, device)
        iq = minibatch_indices(len(tq), min(batch_size, len(tq)), generator, device)
        return div.lower_bound(module(tp[ip])[:, 0], module(tq[iq])[:, 0])

    history = maximise(
        bound, opt, steps, what=f"the {div.name} bound", desc=f"fitting a {div.name} critic", threads=threads
    )
    module.eval()
    return FittedCritic(module=module, divergence=div, history=history, device=str(device))


@dataclasses.dataclass(frozen=True)
class VariationalEstimate:
    """Held-out variational estimate of an f-divergence.

    Attributes
    ----------
    estimate : float
        The fitted critic's bound on the held-out halves.
    standard_error : float
        Its standard error (the critic fixed; see :meth:`FittedCritic.bound_with_error`).
    train_bound : float
        The same on the training halves (optimistic).
    critic : FittedCritic
    """

    estimate: float
    standard_error: float
    train_bound: float
    critic: FittedCritic


def variational_lower_bound(x_p, x_q, divergence="kl", *, test_size=0.5, rng=None, **fit_kwargs):
    r"""Estimate :math:`D_f(P\|Q)` by a critic fitted on one part and evaluated on the other.

    For any fixed critic the held-out bound is an unbiased estimate of a
    quantity :math:`\le D_f`, so the estimate is a lower bound in expectation;
    it approaches :math:`D_f` as the critic approaches :math:`T^* = f'(p/q)`.

    Parameters
    ----------
    x_p, x_q : array_like
        Samples from P and Q.
    divergence : str or FDivergence
        Registry row.
    test_size : float, default 0.5
        Held-out fraction of each sample.
    rng : None, int, SeedSequence or Generator
    **fit_kwargs
        Passed to :func:`fit_critic`.

    Returns
    -------
    VariationalEstimate
    """
    x_p, x_q = check_samples(x_p, x_q, min_rows=4)
    warn_if_constant(
        np.vstack([x_p, x_q]),
        "`x_p` and `x_q` hold one value: the two samples' laws are the same point, D_f = 0, and the "
        "fitted critic's bound is noise around it.",
    )
    generator = check_rng(rng)
    (p_train, p_test), (q_train, q_test) = holdout_split(x_p, x_q, test_size, generator)
    critic = fit_critic(p_train, q_train, divergence, rng=generator, **fit_kwargs)
    estimate, standard_error = critic.bound_with_error(p_test, q_test)
    return VariationalEstimate(
        estimate=estimate,
        standard_error=standard_error,
        train_bound=critic.bound(p_train, q_train),
        critic=critic,
    )


def jensen_shannon_from_discriminator(logits_p, logits_q) -> float:
    r"""JSD estimate implied by a discriminator: :math:`(E_P\log d + E_Q\log(1 - d) + \log 4)/2`.

    Parameters
    ----------
    logits_p, logits_q : array_like
        Discriminator logits :math:`v` (:math:`d = \sigma(v)`) on samples from
        P (data) and Q (model). At the optimal discriminator the bracket is
        :math:`2\,\mathrm{JSD} - \log 4`.
    """
    logits_p, logits_q = (
        check_sample(v, name, min_rows=1)[:, 0] for v, name in ((logits_p, "logits_p"), (logits_q, "logits_q"))
    )
    objective = get("gan").lower_bound(logits_p, logits_q)
    return float((objective + _LOG4) / 2)


def wasserstein_1d(x, y) -> float:
    r"""1-D Wasserstein-1 distance :math:`\int|F_x - F_y|` between two samples (as SciPy's)."""
    x, y = check_samples(x, y, univariate=True, min_rows=1)
    return Wasserstein1().value(x, y)  # the permutation test's statistic, one implementation


def optimal_discriminator(p, q):
    r"""The optimal discriminator :math:`d^*(x) = p(x) / (p(x) + q(x))`.

    Parameters
    ----------
    p, q : frozen scipy.stats distribution or callable
        Densities of the data P and the model Q: objects with ``logpdf`` (used
        for stability, :math:`d^* = \sigma(\log p - \log q)`) or plain density
        functions.

    Returns
    -------
    callable
        ``d_star(x)`` (1/2 where both densities vanish).

    Examples
    --------
    >>> from scipy import stats
    >>> from twosample.divergences import optimal_discriminator
    >>> d = optimal_discriminator(stats.norm(0, 1), stats.norm(0, 1))
    >>> float(d(0.3))
    0.5
    """

    def log_density(dist):
        if hasattr(dist, "logpdf"):
            return dist.logpdf
        if callable(dist):
            return lambda x: np.log(np.asarray(dist(x), dtype=float))
        raise TypeError("`p` and `q` must be frozen distributions or density functions.")

    log_p, log_q = log_density(p), log_density(q)

    def d_star(x):
        with np.errstate(divide="ignore", invalid="ignore"):
            lp, lq = np.asarray(log_p(x), float), np.asarray(log_q(x), float)
            out = special.expit(lp - lq)
        return np.where(np.isneginf(lp) & np.isneginf(lq), 0.5, out)

    return d_star


@dataclasses.dataclass(frozen=True)
class GeneratorLossCurves:
    r"""The two generator losses and their gradients as functions of :math:`d = D(G(z))`.

    Gradients are with respect to the discriminator's logit :math:`a`
    (:math:`d = \sigma(a)`), the quantity back-propagated into the generator.

    Attributes
    ----------
    d : numpy.ndarray
    saturating_loss, saturating_grad : numpy.ndarray
        :math:`\log(1 - d)` (minimised by G) and its gradient :math:`-d`:
        vanishes as :math:`d \to 0`, i.e. exactly when G is poor.
    non_saturating_loss, non_saturating_grad : numpy.ndarray
        :math:`-\log d` and its gradient :math:`-(1 - d)`: largest when G is poor.
    """

    d: np.ndarray
    saturating_loss: np.ndarray
    saturating_grad: np.ndarray
    non_saturating_loss: np.ndarray
    non_saturating_grad: np.ndarray


def generator_loss_gradients(d=None) -> GeneratorLossCurves:
    """The saturating and non-saturating generator losses and gradients at discriminator outputs `d`.

    Parameters
    ----------
    d : array_like, optional
        Discriminator probabilities in (0, 1) on generated samples; default a
        grid from 1e-4 to 1 - 1e-4.
    """
    d = np.linspace(1e-4, 1 - 1e-4, 500) if d is None else np.asarray(d, dtype=float)
    if np.any((d <= 0) | (d >= 1)) or not np.all(np.isfinite(d)):
        raise ValueError("`d` must hold probabilities strictly between 0 and 1.")
    return GeneratorLossCurves(
        d=d,
        saturating_loss=np.log1p(-d),
        saturating_grad=-d,
        non_saturating_loss=-np.log(d),
        non_saturating_grad=-(1 - d),
    )
