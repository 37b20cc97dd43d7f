r"""GAN objectives: one small class per family, each owning its losses, its monitor and its defaults.

* :class:`FGAN` (Nowozin, Cseke and Tomioka 2016) for every row of
  :mod:`twosample.divergences`: the critic's raw output :math:`v` gives
  :math:`T = g_f(v)` and the critic maximises the lower bound
  :math:`E_P[g_f(v)] - E_Q[f^*(g_f(v))] \le D_f(P\|Q)` (P the data, Q the
  generator), computed with the registry's stable composite
  :math:`f^*(g_f(v))`. The generator minimises the same bound (``"saddle"``:
  loss :math:`-E_Q f^*(g_f(v))`) or maximises :math:`E_Q g_f(v)`
  (``"non-saturating"``). The **original GAN** is the ``"gan"`` row
  (:math:`g_f(v) = \log\sigma(v)`); ``"minimax"`` and ``"nsgan"`` name its
  two generator losses.
* :class:`Wasserstein`: :math:`\max_f E_P f - E_Q f` over (approximately)
  1-Lipschitz f, by weight clipping (``"wgan"``), a gradient penalty
  (``"wgan-gp"``) or spectral normalisation (``"wgan-sn"``).
* :class:`Hinge` (Lim and Ye 2017; Miyato et al. 2018): critic
  :math:`E_P\max(0, 1 - v) + E_Q\max(0, 1 + v)`, generator :math:`-E_Q v`.
* :class:`LeastSquares` (Mao et al. 2017, targets a=0, b=c=1): critic
  :math:`\frac12 E_P(v - 1)^2 + \frac12 E_Q v^2`, generator :math:`\frac12 E_Q(v - 1)^2`.
* :class:`RelativisticAverage` (Jolicoeur-Martineau 2019, RaSGAN): the logistic
  loss of :math:`v - \bar v_{\text{other side}}` on both sides, for both players.
* :class:`MMD`: the generator minimises the unbiased multi-bandwidth MMD² of
  the core on raw data (``"mmd"``, Li, Swersky and Zemel 2015) or on features
  of a critic that maximises it (``"mmd-critic"``, as in MMD-GAN).

Every objective is a frozen record of its defaults (optimiser, learning rate,
betas, critic steps, penalties), listed by :func:`objective_table`, with the
methods :meth:`Objective.critic_loss`, :meth:`Objective.generator_loss_of` and
:meth:`Objective.monitor_scores`. The plain loss functions stay public.
"""

from __future__ import annotations

import dataclasses
import math

import pandas as pd

from twosample import divergences
from twosample.kernel.kernels import Gaussian
from twosample.kernel.mmd import fuse_kernels, mmd2_from_kernel

from .penalties import CriticCap, GradientPenalty, Penalty, WeightClip, gradient_penalty

__all__ = [
    "MMD",
    "FGAN",
    "Hinge",
    "LeastSquares",
    "Objective",
    "RelativisticAverage",
    "Wasserstein",
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


def mmd_loss(real, fake, kernels):
    """Sum over `kernels` of the unbiased MMD² between the rows of `real` and `fake` (differentiable)."""
    return sum(mmd2_from_kernel(real, fake, k, "unbiased") for k in kernels)


def mmd_kernels(data, *, n_bandwidths: int = 8, rng=None):
    """Gaussian kernels with bandwidths geometric between the 5% and 95% distance quantiles of `data`."""
    return [k for k in fuse_kernels(data, n_bandwidths=n_bandwidths, rng=rng) if isinstance(k, Gaussian)]


def feature_kernels(f_r, f_f):
    """Gaussian kernels at 0.5, 1, 2 x the median pairwise distance of the (detached) features."""
    import numpy as np

    from twosample.kernel.kernels import median_distance

    pooled = np.vstack([f_r.detach().double().cpu().numpy(), f_f.detach().double().cpu().numpy()])
    med = median_distance(pooled) or 1.0
    return [Gaussian(bandwidth=med * s) for s in (0.5, 1.0, 2.0)]


def _softplus(x):
    import torch

    return torch.nn.functional.softplus(x)


# --- the families ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Objective:
    """A training objective and its defaults (the base class; one subclass per family).

    Attributes
    ----------
    name : str
    family : str
        ``"f"``, ``"wasserstein"``, ``"hinge"``, ``"lsgan"``, ``"rgan"`` or ``"mmd"``.
    divergence : str or None
        Registry row for f-GANs.
    generator_loss : {"non-saturating", "saddle"} or None
        For f-GANs.
    lipschitz : {"clip", "gp", "sn"} or None
        How a Wasserstein critic is kept Lipschitz.
    critic : bool
        Whether there is a critic network to train (False for raw-data MMD).
    features : int
        Outputs of the critic (1, or the feature dimension of the MMD critic).
    critic_cap : float or None
        Smooth upper bound on the critic's raw output (a :class:`~gan.model.penalties.CriticCap`).
    optimizer : {"adam", "rmsprop"}
    lr, betas, critic_steps
        The optimiser's defaults.
    clip, gp_weight : float
        Weight-clipping bound (``"wgan"``) and gradient-penalty weight (``"wgan-gp"``).
    """

    name: str
    family: str = ""
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

    # the critic's output is a logit of "real" (one-sided label smoothing applies)
    classifier = False
    # the generator's loss reads the critic's output on real rows too
    generator_reads_real = False
    # threshold of the critic's raw output for the monitor's held-out accuracy (None: no accuracy)
    threshold = None

    def get_divergence(self):
        return divergences.get(self.divergence) if self.divergence is not None else None

    @property
    def spectral_norm(self) -> bool:
        return self.lipschitz == "sn"

    def default_penalties(self) -> tuple[Penalty, ...]:
        """The penalties this objective trains with unless told otherwise."""
        out = []
        if self.lipschitz == "clip":
            out.append(WeightClip(self.clip))
        if self.lipschitz == "gp":
            out.append(GradientPenalty(self.gp_weight))
        if self.critic_cap is not None:
            out.append(CriticCap(self.critic_cap))
        return tuple(out)

    def critic_loss(self, v_real, v_fake, smoothing: float = 0.0):
        """The loss the critic minimises (its outputs on a real and a generated minibatch)."""
        raise NotImplementedError

    def generator_loss_of(self, v_fake, v_real=None):
        """The loss the generator minimises (`v_real` only for objectives with ``generator_reads_real``)."""
        raise NotImplementedError

    def monitor_scores(self, v_real, v_fake) -> dict:
        """Held-out ``bound`` (the critic's objective, higher = more separated) and ``heldout_accuracy``."""
        acc = math.nan
        if self.threshold is not None:
            acc = 0.5 * (
                float((v_real > self.threshold).double().mean()) + float((v_fake <= self.threshold).double().mean())
            )
        return {"bound": -float(self.critic_loss(v_real, v_fake)), "heldout_accuracy": acc}

    def fit(self, train_rows, rng) -> Objective:
        """The objective with any state fitted on the training rows (MMD's kernels); by default itself."""
        return self


@dataclasses.dataclass(frozen=True)
class FGAN(Objective):
    """f-GAN over a row of :mod:`twosample.divergences` (``"gan"``: the original GAN)."""

    family: str = "f"

    @property
    def classifier(self) -> bool:
        return self.divergence in ("gan", "js")

    def critic_loss(self, v_real, v_fake, smoothing: float = 0.0):
        loss = fgan_critic_loss(self.get_divergence(), v_real, v_fake)
        # one-sided label smoothing (Salimans et al. 2016): real target 1 - s. For the logistic
        # loss, (1 - s) softplus(-v) + s softplus(v) = softplus(-v) + s v.
        return loss + smoothing * v_real.mean() if smoothing else loss

    def generator_loss_of(self, v_fake, v_real=None):
        return fgan_generator_loss(self.get_divergence(), v_fake, self.generator_loss)

    def monitor_scores(self, v_real, v_fake) -> dict:
        """Accuracy of the Bayes rule T(x) > f'(1) (i.e. p(x) > q(x)); the bound E_P T - E_Q f*(T)."""
        div = self.get_divergence()
        t0 = float(div.f_prime(1.0))
        acc = 0.5 * (
            float((div.activation(v_real) > t0).double().mean()) + float((div.activation(v_fake) <= t0).double().mean())
        )
        return {"bound": float(div.lower_bound(v_real, v_fake)), "heldout_accuracy": acc}


@dataclasses.dataclass(frozen=True)
class Wasserstein(Objective):
    """Wasserstein critic, kept Lipschitz by clipping, a gradient penalty or spectral normalisation."""

    family: str = "wasserstein"

    def critic_loss(self, v_real, v_fake, smoothing: float = 0.0):
        return wasserstein_critic_loss(v_real, v_fake)

    def generator_loss_of(self, v_fake, v_real=None):
        return wasserstein_generator_loss(v_fake)


@dataclasses.dataclass(frozen=True)
class Hinge(Objective):
    """Hinge loss: critic ``E_P relu(1 - v) + E_Q relu(1 + v)``, generator ``-E_Q v``; accuracy at v = 0."""

    family: str = "hinge"
    threshold = 0.0

    def critic_loss(self, v_real, v_fake, smoothing: float = 0.0):
        import torch

        return torch.relu(1 - v_real).mean() + torch.relu(1 + v_fake).mean()

    def generator_loss_of(self, v_fake, v_real=None):
        return -v_fake.mean()


@dataclasses.dataclass(frozen=True)
class LeastSquares(Objective):
    """LSGAN (targets real 1, fake 0; the generator aims at 1); accuracy at v = 1/2."""

    family: str = "lsgan"
    threshold = 0.5

    def critic_loss(self, v_real, v_fake, smoothing: float = 0.0):
        return 0.5 * ((v_real - 1) ** 2).mean() + 0.5 * (v_fake**2).mean()

    def generator_loss_of(self, v_fake, v_real=None):
        return 0.5 * ((v_fake - 1) ** 2).mean()


@dataclasses.dataclass(frozen=True)
class RelativisticAverage(Objective):
    """RaSGAN: the logistic loss of ``v - mean(v of the other side)``, symmetric for the generator."""

    family: str = "rgan"
    generator_reads_real = True

    def critic_loss(self, v_real, v_fake, smoothing: float = 0.0):
        return _softplus(-(v_real - v_fake.mean())).mean() + _softplus(v_fake - v_real.mean()).mean()

    def generator_loss_of(self, v_fake, v_real=None):
        v_real = v_real.detach()
        return _softplus(-(v_fake - v_real.mean())).mean() + _softplus(v_real - v_fake.mean()).mean()


@dataclasses.dataclass(frozen=True)
class MMD(Objective):
    """MMD on raw rows (no critic; kernels fitted on the training rows) or on a critic's features."""

    family: str = "mmd"
    kernels: tuple = dataclasses.field(default=(), repr=False, compare=False)
    generator_reads_real = True

    @property
    def spectral_norm(self) -> bool:
        return self.critic

    def fit(self, train_rows, rng) -> Objective:
        if self.critic:
            return self
        return dataclasses.replace(self, kernels=tuple(mmd_kernels(train_rows[:2000], rng=rng)))

    def critic_loss(self, v_real, v_fake, smoothing: float = 0.0):
        return -mmd_loss(v_real, v_fake, feature_kernels(v_real, v_fake))

    def generator_loss_of(self, v_fake, v_real=None):
        if not self.critic:
            return mmd_loss(v_real, v_fake, self.kernels)
        return mmd_loss(v_real, v_fake, feature_kernels(v_real.detach(), v_fake.detach()))


# --- the objectives by name ------------------------------------------------------------------

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
_OBJECTIVES: dict[str, Objective] = {
    name: FGAN(
        name,
        divergence=name,
        lr=_F_LR.get(name, 2e-4),
        critic_cap=_F_CAP.get(name),
        generator_loss="saddle" if name in _SADDLE_DEFAULT else "non-saturating",
    )
    for name in _F_ROWS
}
_OBJECTIVES["minimax"] = FGAN("minimax", divergence="gan", generator_loss="saddle")
_OBJECTIVES["nsgan"] = FGAN("nsgan", divergence="gan", generator_loss="non-saturating")
# Arjovsky et al. 2017: RMSProp 5e-5, clip 0.01, 5 critic steps.
_OBJECTIVES["wgan"] = Wasserstein("wgan", lipschitz="clip", optimizer="rmsprop", lr=5e-5, betas=(), critic_steps=5)
# Gulrajani et al. 2017: Adam 1e-4, betas (0.5, 0.9), lambda 10, 5 critic steps.
_OBJECTIVES["wgan-gp"] = Wasserstein("wgan-gp", lipschitz="gp", lr=1e-4, betas=(0.5, 0.9), critic_steps=5)
# Miyato et al. 2018 (their setting B for the hinge-free loss): Adam 1e-4, betas (0.5, 0.9), 5 critic steps.
_OBJECTIVES["wgan-sn"] = Wasserstein("wgan-sn", lipschitz="sn", lr=1e-4, betas=(0.5, 0.9), critic_steps=5)
# Lim and Ye 2017 / Miyato et al. 2018 (their setting A, one critic step): Adam 2e-4, betas (0.5, 0.999).
_OBJECTIVES["hinge"] = Hinge("hinge")
# Mao et al. 2017: Adam 2e-4, beta1 0.5.
_OBJECTIVES["lsgan"] = LeastSquares("lsgan")
# Jolicoeur-Martineau 2019 (RaSGAN): Adam 2e-4, betas (0.5, 0.999), one critic step.
_OBJECTIVES["rgan"] = RelativisticAverage("rgan")
# Li, Swersky and Zemel 2015 (moment matching on raw data): no critic.
_OBJECTIVES["mmd"] = MMD("mmd", critic=False, lr=1e-3, betas=(0.5, 0.999))
# Li et al. 2017 (MMD-GAN), with a spectrally normalised feature critic instead of their autoencoder.
_OBJECTIVES["mmd-critic"] = MMD("mmd-critic", features=16, lr=1e-4, betas=(0.5, 0.9), critic_steps=5)


def names() -> list[str]:
    """Every objective name."""
    return list(_OBJECTIVES)


def get_objective(name, *, generator_loss: str | None = None) -> Objective:
    """The :class:`Objective` called `name`, optionally with another generator loss (f-GANs only)."""
    if isinstance(name, Objective):
        obj = name
    elif isinstance(name, str) and name in _OBJECTIVES:
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
    rows = []
    for o in _OBJECTIVES.values():
        row = {f.name: getattr(o, f.name) for f in dataclasses.fields(Objective)}
        row["penalties"] = ", ".join(p.name for p in o.default_penalties()) or "-"
        rows.append(row)
    return pd.DataFrame(rows)
