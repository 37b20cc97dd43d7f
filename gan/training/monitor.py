r"""The critic watched as a two-sample test on data it has never seen.

Every ``monitor_every`` steps the trainer freezes the current critic and runs it
as a test: held-out real rows against fresh generated rows (the EMA generator
when there is one). Reported into the run's history:

* ``pvalue`` and ``auc``: the Mann-Whitney test of "critic scores are larger on
  real rows" (its level is exact: the critic was trained on other rows), or,
  for MMD objectives, the MMD permutation test on the raw rows or the critic's
  features (:func:`twosample.mmd_test`);
* ``heldout_accuracy``: the balanced accuracy of the critic's decision rule
  where it has one (f-GANs: :math:`T(x) > f'(1)`, i.e. :math:`\hat p(x) > \hat
  q(x)`; hinge: :math:`v > 0`; least squares: :math:`v > 1/2`), else NaN. Below
  1/2 means the critic, frozen, now calls more held-out rows wrong than right:
  the generator moved past it since its last update (it is chance plus noise,
  not a signal);
* ``bound``: the held-out value of the critic's objective (f-GANs: the
  variational bound :math:`E_P T - E_Q f^*(T)`; WGANs: :math:`E_P f - E_Q f`
  up to the Lipschitz constant; MMD: the MMD²);
* conditional models: ``pvalue_<k>`` for each class k (real rows of class k
  against rows generated with label k), beside the whole;
* tables: the held-out rows in the transformed space, each with its own condition (one of
  its categories, its column drawn at random), against rows generated for those conditions,
  so both sides follow the data's law when the generator is right; the critic reads the
  conditions as in training;
* ``anytime_pvalue``: the critic's evidence accumulated over the run by betting
  (:class:`twosample.sequential.Wealth`). Each look bets on its own slice of the
  held-out rows (never reused) paired with fresh generated rows, with the payoff
  :math:`(\tanh((v(x) - c)/s) - \tanh((v(y) - c)/s)) / 2` of the frozen critic v, c
  and s the median and sd of the previous look's critic scores. Under "the generator equals the data at
  every look" the wealth is a supermartingale, so ``anytime_pvalue <= alpha`` at any
  step, however often it is read, happens with probability at most alpha: "the
  critic can still tell" with a guarantee. The held-out rows cover 20 looks (the
  default run's number); later looks show NaN (raise ``n_monitor`` for more), as do
  MMD critics and conditional models.

``pvalue`` is a fixed-sample p-value of this look alone: valid for one look chosen
in advance, not for the minimum over looks (reading it after every look and
stopping at the first small one does not control the level; the anytime column does).

A generator that wins drives the critic's power down: the p-values rise toward
uniform, the accuracy toward 1/2.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

import twosample as ts
from twosample.core.torch_utils import torch_generator
from twosample.sequential import Wealth

__all__ = ["Monitor", "pack_rows"]


def pack_rows(rows, pack: int):
    """Rows ``(pack * b, d)`` as ``(b, pack * d)``: each packed row holds `pack` consecutive rows."""
    return rows.reshape(len(rows) // pack, -1)


class Monitor:
    """The held-out test of a frozen critic; ``monitor(generator, critic, objective, step)`` gives a history row.

    Parameters
    ----------
    held_out : numpy.ndarray
        Held-out real rows (the first `n_monitor` are used, cut to a multiple of `pack`).
    labels : numpy.ndarray or None
        Their class labels (conditional models) or conditions (tables).
    z_dim, pack, alpha, seed, device
        As in the run; generated rows at step s are drawn from a stream keyed by ``(seed, s)``.
        ``n_classes`` (conditional models) adds a p-value per class.
    looks : int, optional
        Looks the run will take: the anytime column bets on ``rows // looks`` held-out
        (packed) rows per look (None: no anytime column).
    """

    def __init__(self, held_out, labels, *, n_monitor, z_dim, pack, alpha, seed, device, n_classes=0, looks=None):
        n = min(n_monitor, len(held_out))
        n -= n % pack
        self.real = held_out[:n]
        self.labels = None if labels is None else np.asarray(labels[:n])
        self.z_dim, self.pack, self.alpha, self.seed, self.device = z_dim, pack, alpha, seed, device
        self.n_classes = n_classes
        self.per_look = 0 if not looks else max(1, (n // pack) // looks)
        self.wealth, self.look, self.centre, self.scale = Wealth(alpha), 0, 0.0, 1.0

    def state(self) -> dict:
        """The anytime test's state, plain numbers (saved in checkpoints so that a resumed run continues it)."""
        return {**self.wealth.state(), "look": self.look, "centre": self.centre, "scale": self.scale}

    def load_state(self, state: dict) -> None:
        self.wealth.load(state)
        self.look, self.centre, self.scale = int(state["look"]), float(state["centre"]), float(state["scale"])

    def __call__(self, generator, critic, objective, step: int) -> dict:
        """A saturated critic (the same score everywhere) gives p = 1 without repeating the core's warning."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ts.DegenerateDataWarning)
            return self._row(generator, critic, objective, step)

    def _generated(self, generator, rng):
        import torch

        gen = torch_generator(rng)
        z = torch.randn(len(self.real), self.z_dim, generator=gen).to(self.device)
        labels = None if self.labels is None else torch.as_tensor(self.labels, device=self.device)
        was = generator.training
        generator.eval()
        with torch.no_grad():
            fake = generator(z) if labels is None else generator(z, labels)
        generator.train(was)
        return pack_rows(fake, self.pack), labels

    def _scores(self, critic, real, fake, labels):
        import torch

        critic.eval()
        with torch.no_grad():
            a = critic(real, labels) if labels is not None else critic(real)
            b = critic(fake, labels) if labels is not None else critic(fake)
        critic.train()
        return a.double().cpu(), b.double().cpu()

    def _row(self, generator, critic, objective, step) -> dict:
        import torch

        rng = np.random.default_rng([self.seed, step])
        fake, labels = self._generated(generator, rng)
        real = torch.as_tensor(pack_rows(self.real, self.pack), dtype=torch.float32, device=self.device)
        row = {"heldout_accuracy": math.nan, "auc": math.nan}
        if critic is None or objective.features > 1:
            a, b = (
                (real.double().cpu(), fake.double().cpu())
                if critic is None
                else self._scores(critic, real, fake, labels)
            )
            res = ts.mmd_test(a.numpy(), b.numpy(), n_resamples=199, alpha=self.alpha, rng=rng)
            return {**row, "pvalue": res.pvalue, "bound": res.statistic}
        v_r, v_f = self._scores(critic, real, fake, labels)
        v_r, v_f = v_r[:, 0], v_f[:, 0]
        row.update(self._rank_test(v_r.numpy(), v_f.numpy()))
        row.update(objective.monitor_scores(v_r, v_f))
        row["anytime_pvalue"] = self._anytime(v_r.numpy(), v_f.numpy()) if not self.n_classes else math.nan
        if self.n_classes:
            for k in range(self.n_classes):
                mask = torch.as_tensor(self.labels == k)
                ok = int(mask.sum()) >= 2
                row[f"pvalue_{k}"] = self._rank_test(v_r[mask].numpy(), v_f[mask].numpy())["pvalue"] if ok else math.nan
        return row

    def _anytime(self, v_r, v_f) -> float:
        """Bet on this look's own slice of held-out rows against fresh generated rows; the anytime p-value."""
        start = self.look * self.per_look
        if self.per_look == 0 or start + self.per_look > len(v_r):
            return math.nan  # no anytime column, or the held-out rows are used up
        real, fake = v_r[start : start + self.per_look], v_f[start : start + self.per_look]
        g = lambda v: np.tanh((v - self.centre) / self.scale)  # noqa: E731 - fixed before this look's rows
        for payoff in (g(real) - g(fake)) / 2:
            self.wealth.bet(float(payoff))
        pooled = np.r_[real, fake]  # the next look's centre and scale, from this look's rows
        self.centre, self.scale = float(np.median(pooled)), float(np.std(pooled)) or 1.0
        self.look += 1
        return self.wealth.pvalue

    def _rank_test(self, v_r, v_f) -> dict:
        res = ts.mannwhitney_test(v_r, v_f, alternative="greater", method="asymptotic", alpha=self.alpha)
        return {"pvalue": res.pvalue, "auc": res.statistic / (len(v_r) * len(v_f))}
