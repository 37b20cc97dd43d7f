r"""Penalties and constraints on the critic, composable: ``gan.train(..., penalties=[R1(10.0)])``.

* :class:`GradientPenalty` (WGAN-GP, Gulrajani et al. 2017):
  :math:`\lambda E(\|\nabla_{\hat x} f(\hat x)\|_2 - 1)^2` at random interpolates
  of real and generated rows.
* :class:`R1` and :class:`R2` (Mescheder, Geiger and Nowozin 2018, "Which
  training methods for GANs actually converge?"):
  :math:`\frac{\gamma}{2} E_P\|\nabla_x D(x)\|^2` on real rows (R1) or on
  generated rows (R2). They make the Dirac-GAN's equilibrium locally
  convergent where the unregularised game circles it.
* :class:`WeightClip` (WGAN, Arjovsky et al. 2017): every critic weight
  clamped to :math:`[-c, c]` after each critic step.
* :class:`CriticCap`: the smooth bound ``v -> cap - softplus(cap - v)`` on the
  critic's raw output, part of the network (for f-GANs whose conjugate grows
  exponentially; any critic gives a valid lower bound on D_f, so the cap only
  narrows the family).

A penalty is a frozen record with three hooks: :meth:`Penalty.loss` (added to
the critic's loss), :meth:`Penalty.after_step` (after the critic's optimiser
step) and :attr:`Penalty.network_options` (arguments of the critic network).
"""

from __future__ import annotations

import dataclasses

from twosample.core.validation import check_real

__all__ = ["R1", "R2", "CriticCap", "GradientPenalty", "Penalty", "WeightClip", "gradient_penalty", "penalty_table"]


def _input_gradient(critic, rows, labels):
    """``d sum(critic(rows)) / d rows`` with the graph kept (for a penalty on it)."""
    import torch

    rows = rows.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(rows, labels).sum(), rows, create_graph=True)
    return grad.reshape(len(grad), -1)


def gradient_penalty(critic, real, fake, generator, labels=None):
    r"""WGAN-GP's :math:`E(\|\nabla_{\hat x} f(\hat x)\|_2 - 1)^2` at random interpolates of real and fake rows.

    ``generator`` is the CPU ``torch.Generator`` the interpolation weights are drawn from;
    `labels` (conditional critics) are the real rows' labels, used for the interpolates.
    """
    import torch

    eps = torch.rand(len(real), 1, generator=generator).to(device=real.device, dtype=real.dtype)
    mixed = (eps * real + (1 - eps) * fake).requires_grad_(True)
    out = critic(mixed) if labels is None else critic(mixed, labels)
    (grad,) = torch.autograd.grad(out.sum(), mixed, create_graph=True)
    return ((grad.norm(dim=1) - 1) ** 2).mean()


@dataclasses.dataclass(frozen=True)
class Penalty:
    """Base: no loss, nothing after the step, no network option."""

    name = "penalty"

    def loss(self, critic, real, fake, labels_real, labels_fake, generator):
        return None

    def after_step(self, critic) -> None:
        return None

    @property
    def network_options(self) -> dict:
        return {}


@dataclasses.dataclass(frozen=True)
class GradientPenalty(Penalty):
    """WGAN-GP: ``weight * E(|grad f(x_hat)| - 1)^2`` at interpolates (real and fake paired row by row)."""

    weight: float = 10.0
    name = "gp"

    def __post_init__(self):
        check_real(self.weight, "gp_weight", low=0)

    def loss(self, critic, real, fake, labels_real, labels_fake, generator):
        return self.weight * gradient_penalty(critic, real, fake, generator, labels_real)


@dataclasses.dataclass(frozen=True)
class _SquaredGradient(Penalty):
    """``gamma / 2 * E |grad_x D(x)|^2`` on one side's rows (R1: real, R2: generated)."""

    gamma: float = 10.0
    side = "real"

    def __post_init__(self):
        check_real(self.gamma, f"{self.name}_gamma", low=0)

    def loss(self, critic, real, fake, labels_real, labels_fake, generator):
        rows, labels = (real, labels_real) if self.side == "real" else (fake, labels_fake)
        return 0.5 * self.gamma * _input_gradient(critic, rows, labels).pow(2).sum(dim=1).mean()


class R1(_SquaredGradient):
    """``gamma / 2 * E_P |grad_x D(x)|^2`` on the real rows (Mescheder et al. 2018)."""

    name = "r1"
    side = "real"


class R2(_SquaredGradient):
    """``gamma / 2 * E_Q |grad_x D(x)|^2`` on the generated rows (Mescheder et al. 2018)."""

    name = "r2"
    side = "fake"


@dataclasses.dataclass(frozen=True)
class WeightClip(Penalty):
    """Clamp every critic weight to ``[-bound, bound]`` after each critic step (WGAN)."""

    bound: float = 0.01
    name = "clip"

    def __post_init__(self):
        check_real(self.bound, "clip", low=0, low_open=True)

    def after_step(self, critic) -> None:
        import torch

        with torch.no_grad():
            for p in critic.parameters():
                p.clamp_(-self.bound, self.bound)


@dataclasses.dataclass(frozen=True)
class CriticCap(Penalty):
    """The critic's raw output bounded smoothly from above: ``cap - softplus(cap - v)`` (a network layer)."""

    cap: float = 10.0
    name = "cap"

    def __post_init__(self):
        check_real(self.cap, "critic_cap")

    @property
    def network_options(self) -> dict:
        return {"cap": float(self.cap)}


_BY_NAME = {"gp": GradientPenalty, "r1": R1, "r2": R2, "clip": WeightClip, "cap": CriticCap}


def describe(penalties) -> list[dict]:
    """Plain records of `penalties` (what a config stores): ``[{"name": "r1", "gamma": 10.0}, ...]``."""
    return [{"name": p.name, **dataclasses.asdict(p)} for p in penalties]


def from_records(records) -> tuple[Penalty, ...]:
    """The penalties described by :func:`describe`'s records (or Penalty objects, passed through)."""
    out = []
    for rec in records or ():
        if isinstance(rec, Penalty):
            out.append(rec)
            continue
        if not isinstance(rec, dict) or rec.get("name") not in _BY_NAME:
            name = rec.get("name") if isinstance(rec, dict) else rec
            raise ValueError(f"`penalties`: unknown penalty {name!r}; expected one of {', '.join(_BY_NAME)}.")
        out.append(_BY_NAME[rec["name"]](**{k: v for k, v in rec.items() if k != "name"}))
    return tuple(out)


def penalty_table():
    """The penalties by name, with their parameters and defaults."""
    import pandas as pd

    return pd.DataFrame(
        [
            {"name": name, **dataclasses.asdict(cls()), "doc": cls.__doc__.splitlines()[0]}
            for name, cls in _BY_NAME.items()
        ]
    )
