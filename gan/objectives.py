r"""GAN objectives, chosen by name: plain functions of critic outputs (torch tensors).

* **f-GAN** (Nowozin, Cseke and Tomioka 2016) for every row of
  :mod:`twosample.divergences`: the critic's raw output :math:`v` gives
  :math:`T = g_f(v)` and the critic maximises the lower bound
  :math:`E_P[g_f(v)] - E_Q[f^*(g_f(v))] \le D_f(P\|Q)` (P the data, Q the
  generator), computed with the registry's stable composite
  :math:`f^*(g_f(v))`. The generator minimises the same bound (``"saddle"``:
  loss :math:`-E_Q f^*(g_f(v))`) or maximises :math:`E_Q g_f(v)`
  (``"non-saturating"``, the default).
* The **original GAN** is the ``"gan"`` row: :math:`g_f(v) = \log d`,
  :math:`f^*(g_f(v)) = -\log(1 - d)` with :math:`d = \sigma(v)`; its saddle
  generator loss is the minimax :math:`E\log(1 - d(g(z)))` and its
  non-saturating one :math:`-E\log d(g(z))`. ``"minimax"`` and ``"nsgan"``
  name the two.
* **Wasserstein** critics: :math:`\max_f E_P f - E_Q f` over (approximately)
  1-Lipschitz f, kept Lipschitz by weight clipping (``"wgan"``), a gradient
  penalty (``"wgan-gp"``) or spectral normalisation (``"wgan-sn"``).
* **MMD**: the generator minimises the unbiased multi-bandwidth MMD² of the
  core (:func:`twosample.mmd.mmd2_from_kernel`) on raw data (``"mmd"``, a
  generative moment-matching network) or on features learned by a critic that
  maximises it (``"mmd-critic"``, as in MMD-GAN).

Each :class:`Objective` also carries the defaults that make it train out of
the box (optimiser, learning rate, betas, critic steps), from the papers'
recommendations, listed in :func:`objective_table`.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from twosample import divergences
from twosample.kernels import Gaussian
from twosample.mmd import fuse_kernels, mmd2_from_kernel

__all__ = [
    "Objective",
    "fgan_critic_loss",
    "fgan_generator_loss",
    "get_objective",
    "gradient_penalty",
    "mmd_loss",
    "names",
    "objective_table",
    "wasserstein_critic_loss",
    "wasserstein_generator_loss",
]

GENERATOR_LOSSES = ("non-saturating", "saddle")


# --- the losses: plain functions -----------------------------------------------------------


def fgan_critic_loss(divergence, v_real, v_fake):
    r"""Minus the variational bound :math:`E_P[g_f(v)] - E_Q[f^*(g_f(v))]` (the critic minimises it)."""
    return -divergence.lower_bound(v_real, v_fake)


def fgan_generator_loss(divergence, v_fake, mode: str = "non-saturating"):
    r"""``"saddle"``: :math:`-E_Q f^*(g_f(v))` (minimises the bound); ``"non-saturating"``: :math:`-E_Q g_f(v)`."""
    if mode == "saddle":
        return -divergence.conjugate_activation(v_fake).mean()
    return -divergence.activation(v_fake).mean()


def wasserstein_critic_loss(v_real, v_fake):
    r""":math:`E_Q f - E_P f` (the critic minimises it; minus the Wasserstein estimate)."""
    return v_fake.mean() - v_real.mean()


def wasserstein_generator_loss(v_fake):
    r""":math:`-E_Q f`."""
    return -v_fake.mean()


def gradient_penalty(critic, real, fake, generator):
    r"""WGAN-GP's :math:`E(\|\nabla_{\hat x} f(\hat x)\|_2 - 1)^2` at random interpolates of real and fake rows.

    ``generator`` is the CPU ``torch.Generator`` the interpolation weights are drawn from.
    """
    import torch

    eps = torch.rand(len(real), 1, generator=generator).to(device=real.device, dtype=real.dtype)
    mixed = (eps * real + (1 - eps) * fake).requires_grad_(True)
    out = critic(mixed)
    (grad,) = torch.autograd.grad(out.sum(), mixed, create_graph=True)
    return ((grad.norm(dim=1) - 1) ** 2).mean()


def mmd_loss(real, fake, kernels):
    """Sum over `kernels` of the unbiased MMD² between the rows of `real` and `fake` (differentiable)."""
    return sum(mmd2_from_kernel(real, fake, k, "unbiased") for k in kernels)


def mmd_kernels(data, *, n_bandwidths: int = 8, rng=None):
    """Gaussian kernels with bandwidths geometric between the 5% and 95% distance quantiles of `data`."""
    return [k for k in fuse_kernels(data, n_bandwidths=n_bandwidths, rng=rng) if isinstance(k, Gaussian)]


# --- the objectives by name ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Objective:
    """A training objective and its defaults.

    Attributes
    ----------
    name : str
    family : {"f", "wasserstein", "mmd"}
    divergence : str or None
        Registry row for f-GANs.
    generator_loss : {"non-saturating", "saddle"} or None
    lipschitz : {"clip", "gp", "sn"} or None
        How a Wasserstein critic is kept Lipschitz.
    critic : bool
        Whether there is a critic network to train (False for raw-data MMD).
    features : int
        Outputs of the critic (1, or the feature dimension of the MMD critic).
    critic_cap : float or None
        Smooth upper bound on the critic's raw output,
        ``v -> cap - softplus(cap - v)`` (part of the critic network). Any
        critic gives a valid lower bound on D_f, so bounding the critic only
        narrows the family; it keeps f*(g_f(v)) finite where f* grows
        exponentially.
    optimizer : {"adam", "rmsprop"}
    lr : float
    betas : tuple
    critic_steps : int
    clip : float
        Weight-clipping bound (``"wgan"``).
    gp_weight : float
        Gradient-penalty weight (``"wgan-gp"``).
    """

    name: str
    family: str
    divergence: str | None = None
    generator_loss: str | None = None
    lipschitz: str | None = None
    critic: bool = True
    features: int = 1
    critic_cap: float | None = None
    optimizer: str = "adam"
    lr: float = 2e-4
    betas: tuple = (0.5, 0.999)
    critic_steps: int = 1
    clip: float = 0.01
    gp_weight: float = 10.0

    def get_divergence(self):
        return divergences.get(self.divergence) if self.divergence is not None else None

    @property
    def spectral_norm(self) -> bool:
        return self.lipschitz == "sn" or self.name == "mmd-critic"


_F_ROWS = [n for n in divergences.names() if n != "alpha"]
# Raw critic outputs whose conjugate grows exponentially (KL: exp(v - 1)) or quadratically
# (Pearson) overshoot with Adam at 2e-4; a smaller step keeps them finite on the toys.
_F_LR = {"kl": 1e-4, "pearson": 1e-4, "jeffrey": 1e-4}

# The non-saturating loss -E_Q g_f(v) is exp(-v) for these rows: it overflows once the critic is
# confident (measured: reverse KL and Neyman diverge within 15 steps on a 1-D problem at lr 3e-3;
# Hellinger did not decrease); their saddle losses are linear or bounded in the same regime.
_SADDLE_DEFAULT = {"reverse_kl", "neyman", "hellinger"}
# KL's conjugate exp(v - 1) (and Jeffrey's, which grows like it) overflows float32 beyond v ~ 89.
# Where the data has mass the generator lacks, the optimal critic f'(p/q) is unbounded and the
# critic's output climbs there until a generated row lands on it: measured on the 1-D mixture at
# the defaults, critic loss inf at step 519 (KL) and 433 (Jeffrey). A cap of 10 (density ratios up
# to e^9 for KL) keeps every term finite.
_F_CAP = {"kl": 10.0, "jeffrey": 10.0}
_OBJECTIVES = {
    name: Objective(
        name,
        "f",
        divergence=name,
        lr=_F_LR.get(name, 2e-4),
        critic_cap=_F_CAP.get(name),
        generator_loss="saddle" if name in _SADDLE_DEFAULT else "non-saturating",
    )
    for name in _F_ROWS
}
_OBJECTIVES["minimax"] = Objective("minimax", "f", divergence="gan", generator_loss="saddle")
_OBJECTIVES["nsgan"] = Objective("nsgan", "f", divergence="gan", generator_loss="non-saturating")
# Arjovsky et al. 2017: RMSProp 5e-5, clip 0.01, 5 critic steps.
_OBJECTIVES["wgan"] = Objective(
    "wgan", "wasserstein", lipschitz="clip", optimizer="rmsprop", lr=5e-5, betas=(), critic_steps=5
)
# Gulrajani et al. 2017: Adam 1e-4, betas (0.5, 0.9), lambda 10, 5 critic steps.
_OBJECTIVES["wgan-gp"] = Objective("wgan-gp", "wasserstein", lipschitz="gp", lr=1e-4, betas=(0.5, 0.9), critic_steps=5)
# Miyato et al. 2018 (their setting B for the hinge-free loss): Adam 1e-4, betas (0.5, 0.9), 5 critic steps.
_OBJECTIVES["wgan-sn"] = Objective("wgan-sn", "wasserstein", lipschitz="sn", lr=1e-4, betas=(0.5, 0.9), critic_steps=5)
# Li, Swersky and Zemel 2015 (moment matching on raw data): no critic.
_OBJECTIVES["mmd"] = Objective("mmd", "mmd", critic=False, lr=1e-3, betas=(0.5, 0.999))
# Li et al. 2017 (MMD-GAN), with a spectrally normalised feature critic instead of their autoencoder.
_OBJECTIVES["mmd-critic"] = Objective("mmd-critic", "mmd", features=16, lr=1e-4, betas=(0.5, 0.9), critic_steps=5)


def names() -> list[str]:
    """Every objective name."""
    return list(_OBJECTIVES)


def get_objective(name, *, generator_loss: str | None = None) -> Objective:
    """The :class:`Objective` called `name`, optionally with another generator loss (f-GANs only)."""
    if isinstance(name, Objective):
        obj = name
    elif name in _OBJECTIVES:
        obj = _OBJECTIVES[name]
    else:
        raise ValueError(f"`objective` must be one of {', '.join(_OBJECTIVES)}; got {name!r}.")
    if generator_loss is not None:
        if obj.family != "f":
            raise ValueError(f"`generator_loss` applies to f-GAN objectives only, not {obj.name!r}.")
        if generator_loss not in GENERATOR_LOSSES:
            raise ValueError(f"`generator_loss` must be one of {', '.join(GENERATOR_LOSSES)}; got {generator_loss!r}.")
        obj = dataclasses.replace(obj, generator_loss=generator_loss)
    return obj


def objective_table() -> pd.DataFrame:
    """Every objective with its defaults (one row each)."""
    return pd.DataFrame([dataclasses.asdict(o) for o in _OBJECTIVES.values()])
