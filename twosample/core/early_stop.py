r"""Sequential Monte Carlo p-values: relabel only until the answer is known.

A Monte Carlo permutation test with :math:`B` relabellings spends most of its
time where the answer was clear long before: a p-value near 0.5 is evident
after a few dozen relabellings, a p-value near 0 after a few hundred. The
engine's ``early_stop=True`` draws the same relabellings in the same order
and stops at the first of

* **accept**: the :math:`h`-th relabelled statistic at least as extreme as the
  observed one, after :math:`L` relabellings; :math:`p = h / L` (Besag &
  Clifford 1991). With :math:`h = \lfloor\alpha(B+1)\rfloor` this happens
  only where the fixed-:math:`B` test does not reject either.
* **reject**: none of the first :math:`L_1` relabelled statistics reaches the
  observed one; :math:`p = 1 / (L_1 + 1)`. The default
  :math:`L_1 = \lceil 20/\alpha\rceil - 1` (399 at :math:`\alpha = 0.05`)
  spends :math:`\alpha/20` of the level on this look.
* **all B** relabellings, :math:`c < h` of them at least as extreme:
  :math:`p = P(c_B \le c) + P(c_{L_1} = 0,\ c_B > c)`.

Every p-value is the probability under H0 of an outcome at least as extreme
(early rejection < full run by :math:`c` < early acceptance by decreasing
:math:`L`). Under H0 the observed and relabelled statistics are exchangeable,
so given the observed statistic's rank :math:`U \sim \mathrm{Uniform}(0, 1)`
the count after :math:`L` relabellings is :math:`\mathrm{Binomial}(L, U)`;
integrating over :math:`U`:

.. math::
    P(c_{L_1} = 0) = \frac{1}{L_1 + 1}, \qquad
    P(c_{L-1} < h) = \frac{h}{L}, \qquad
    P(c_B \le c) = \frac{c + 1}{B + 1},

    P(c_{L_1} = 0,\ c_B > c) = \sum_{j=c+1}^{B - L_1} \binom{B - L_1}{j}\,
    \mathrm{B}(j + 1, B - j + 1).

So :math:`P_{H0}(p \le u) \le u` for every :math:`u` (exactly, up to ties,
which make it conservative), and the level is exact. The price: a full run
with :math:`c` exceedances gets a p-value larger than :math:`(c+1)/(B+1)`
by :math:`P(c_{L_1} = 0,\ c_B > c)` (2.7e-13 at :math:`c = 99`, 1.6e-3 at
:math:`c = 1`, for the defaults at :math:`\alpha = 0.05`, :math:`B = 1999`).

References
----------
.. [1] Besag, J. and Clifford, P. (1991). Sequential Monte Carlo p-values.
   Biometrika 78(2), 301-304.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy import special

__all__ = ["EarlyStop", "Stop"]


@dataclasses.dataclass(frozen=True)
class Stop:
    """Where a sequential run ended: after `used` relabellings, `count` of them as extreme."""

    used: int
    count: int
    reason: str  # "accept", "reject" or "complete"


@dataclasses.dataclass(frozen=True)
class EarlyStop:
    """The stopping rule for `n_resamples` relabellings at level `alpha` (see the module docstring)."""

    n_resamples: int
    alpha: float

    @property
    def h(self) -> int:
        """Exceedances that stop for acceptance: the fixed test accepts from this count on."""
        return max(1, math.floor(self.alpha * (self.n_resamples + 1) + 1e-9))

    @property
    def reject_look(self) -> int:
        """L_1: relabellings after which no exceedance at all stops for rejection."""
        return min(self.n_resamples, math.ceil(20 / self.alpha) - 1)

    def look_sizes(self, batch: int):
        """Relabellings to draw between looks: doubling from min(4h, L_1), a look at L_1, at most `batch`.

        Under H0 the acceptance stop comes after about h / p relabellings, so a first look at 4h
        saves most of the work for p > 1/4 while costing few extra passes over the data (the
        stop itself does not depend on where the looks are: :meth:`stop` finds the first event).
        """
        done, size = 0, min(4 * self.h, self.reject_look)
        while done < self.n_resamples:
            end = min(done + size, self.n_resamples)
            if done < self.reject_look < end:
                end = self.reject_look
            step = min(end - done, batch)
            yield step
            done += step
            size *= 2

    def stop(self, exceed: np.ndarray) -> Stop | None:
        """The stop within the exceedance indicators seen so far (in drawing order), or None to go on."""
        cumulative = np.cumsum(exceed)
        if len(exceed) >= self.reject_look and cumulative[self.reject_look - 1] == 0:
            return Stop(self.reject_look, 0, "reject")  # before any acceptance: none seen by L_1
        hit = np.flatnonzero(cumulative >= self.h)
        if len(hit):
            return Stop(int(hit[0]) + 1, self.h, "accept")
        if len(exceed) >= self.n_resamples:
            return Stop(self.n_resamples, int(cumulative[self.n_resamples - 1]), "complete")
        return None

    def pvalue(self, stop: Stop) -> float:
        """The sequential p-value of `stop` (module docstring)."""
        if stop.reason == "accept":
            return stop.count / stop.used
        look = self.reject_look
        if stop.reason == "reject":
            return 1.0 / (look + 1)
        big, c = self.n_resamples, stop.count
        if look >= big:  # the look is the end: the fixed test's p-value
            return (c + 1) / (big + 1)
        rest = big - look
        j = np.arange(c + 1, rest + 1)
        log_terms = special.gammaln(rest + 1) - special.gammaln(j + 1) - special.gammaln(rest - j + 1)
        early_and_more = float(np.exp(log_terms + special.betaln(j + 1, big - j + 1)).sum())
        return min(1.0, (c + 1) / (big + 1) + early_and_more)
