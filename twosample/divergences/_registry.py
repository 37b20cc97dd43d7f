r"""The f-divergence registry: f, f', f*, dom f*, g_f, the stable f*(g_f(v)), T*.

Convention (Nowozin, Cseke and Tomioka 2016): :math:`D_f(P\|Q) = \int q\, f(p/q)`
with P the data and Q the model; a critic with raw output :math:`v` gives
:math:`T = g_f(v) \in \operatorname{dom} f^*` and the variational lower bound

.. math:: D_f(P\|Q) \ge E_P[g_f(v)] - E_Q[f^*(g_f(v))],

with equality at :math:`T^* = f'(p/q)`. Every formula is written once and
evaluated with NumPy or with torch (autograd), whichever the input is.
"""

from __future__ import annotations

import abc
import math
import numbers

import numpy as np

from twosample.core.backend import asarray, clip_into, full_like, log_softplus, namespace, softplus

__all__ = ["FDivergence", "get", "names"]

_LOG2 = math.log(2.0)


def _scalar(result):
    """NumPy convention: a 0-d result is returned as a scalar; tensors are left alone."""
    return result[()] if isinstance(result, np.ndarray) and result.ndim == 0 else result


class FDivergence(abc.ABC):
    r"""One row of the f-divergence table.

    Public methods accept NumPy arrays (or anything array-like) and torch
    tensors; the result has the input's type, and torch results carry
    gradients.

    Attributes
    ----------
    name : str
        Registry name.
    conjugate_domain : tuple
        ``(low, high)`` bounds of :math:`\operatorname{dom} f^*` on which
        :meth:`conjugate` is the table's formula (``None`` for unbounded).
    domain_closed : bool
        Whether the bounds belong to the domain.
    value_at_equality : float
        :math:`D_f(P\|P) = f(1)`: 0 for a proper divergence, :math:`-\log 4`
        for the GAN row.
    f_at_zero : float
        :math:`f(0) = \lim_{u\to 0^+} f(u)`, the weight of mass of Q where P
        has none.
    slope_at_infinity : float
        :math:`\lim_{u\to\infty} f(u)/u`, the weight of mass of P where Q has
        none.
    """

    name = ""
    conjugate_domain: tuple = (None, None)
    domain_closed = False
    value_at_equality = 0.0
    f_at_zero = 0.0
    slope_at_infinity = math.inf

    # --- formulas, written once for both libraries (u > 0; t inside dom f*) ---------
    @abc.abstractmethod
    def _f(self, u, xp):
        """f(u) for u > 0."""

    @abc.abstractmethod
    def _f_prime(self, u, xp):
        """f'(u) for u > 0."""

    @abc.abstractmethod
    def _conjugate(self, t, xp):
        """f*(t) for t inside the conjugate domain."""

    @abc.abstractmethod
    def _activation(self, v, xp):
        """g_f(v): the real line onto the conjugate domain."""

    @abc.abstractmethod
    def _conjugate_activation(self, v, xp):
        """f*(g_f(v)), stable."""

    # --- public -------------------------------------------------------------------
    def f(self, u):
        """The generator f(u) for u >= 0 (f(0) as its limit; +inf for u < 0)."""
        xp = namespace(u)
        u = asarray(u, xp)
        positive = u > 0
        value = self._f(xp.where(positive, u, full_like(u, 1.0, xp)), xp)
        edge = xp.where(u == 0, full_like(u, self.f_at_zero, xp), full_like(u, math.inf, xp))
        return _scalar(xp.where(positive, value, edge))

    def f_prime(self, u):
        """The derivative f'(u) for u > 0 (NaN elsewhere); a subgradient at kinks."""
        xp = namespace(u)
        u = asarray(u, xp)
        positive = u > 0
        value = self._f_prime(xp.where(positive, u, full_like(u, 1.0, xp)), xp)
        return _scalar(xp.where(positive, value, full_like(u, math.nan, xp)))

    def conjugate(self, t):
        """The convex conjugate f*(t) on its domain, +inf outside it."""
        xp = namespace(t)
        t = asarray(t, xp)
        low, high = self.conjugate_domain
        inside, safe = clip_into(t, low, high, self.domain_closed, xp)
        return _scalar(xp.where(inside, self._conjugate(safe, xp), full_like(t, math.inf, xp)))

    def in_conjugate_domain(self, t):
        """Boolean mask of t inside dom f*."""
        xp = namespace(t)
        low, high = self.conjugate_domain
        return _scalar(clip_into(asarray(t, xp), low, high, self.domain_closed, xp)[0])

    def activation(self, v):
        """The output activation g_f, mapping a raw critic output v into dom f*."""
        xp = namespace(v)
        return _scalar(self._activation(asarray(v, xp), xp))

    def conjugate_activation(self, v):
        """f*(g_f(v)) in a numerically stable closed form."""
        xp = namespace(v)
        return _scalar(self._conjugate_activation(asarray(v, xp), xp))

    def optimal_critic(self, ratio):
        """T* = f'(p/q), the critic at which the lower bound is tight."""
        return self.f_prime(ratio)

    def lower_bound(self, v_p, v_q):
        r"""The variational bound :math:`E_P[g_f(v)] - E_Q[f^*(g_f(v))]` from raw critic outputs.

        Parameters
        ----------
        v_p, v_q : array_like or torch.Tensor
            Raw critic outputs on samples from P (data) and from Q (model).
        """
        return self.activation(v_p).mean() - self.conjugate_activation(v_q).mean()

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r})"


class TotalVariation(FDivergence):
    r""":math:`f(u) = \tfrac12|u - 1|`, :math:`D_f = \tfrac12\int|p - q|`."""

    name = "total_variation"
    conjugate_domain = (-0.5, 0.5)
    domain_closed = True
    f_at_zero = 0.5
    slope_at_infinity = 0.5

    def _f(self, u, xp):
        return 0.5 * xp.abs(u - 1)

    def _f_prime(self, u, xp):
        return 0.5 * xp.sign(u - 1)

    def _conjugate(self, t, xp):
        return t

    def _activation(self, v, xp):
        return 0.5 * xp.tanh(v)

    def _conjugate_activation(self, v, xp):
        return 0.5 * xp.tanh(v)


class KL(FDivergence):
    r"""Kullback-Leibler, :math:`f(u) = u\log u`."""

    name = "kl"
    f_at_zero = 0.0

    def _f(self, u, xp):
        return u * xp.log(u)

    def _f_prime(self, u, xp):
        return 1 + xp.log(u)

    def _conjugate(self, t, xp):
        return xp.exp(t - 1)

    def _activation(self, v, xp):
        return v

    def _conjugate_activation(self, v, xp):
        return xp.exp(v - 1)


class ReverseKL(FDivergence):
    r"""Reverse Kullback-Leibler, :math:`f(u) = -\log u`, :math:`D_f = KL(Q\|P)`."""

    name = "reverse_kl"
    conjugate_domain = (None, 0.0)
    f_at_zero = math.inf
    slope_at_infinity = 0.0

    def _f(self, u, xp):
        return -xp.log(u)

    def _f_prime(self, u, xp):
        return -1 / u

    def _conjugate(self, t, xp):
        return -1 - xp.log(-t)

    def _activation(self, v, xp):
        return -xp.exp(-v)

    def _conjugate_activation(self, v, xp):
        return v - 1


class Pearson(FDivergence):
    r"""Pearson :math:`\chi^2`, :math:`f(u) = (u - 1)^2`.

    :math:`t^2/4 + t` is the conjugate over all real u; over :math:`u \ge 0`
    the true conjugate is :math:`-1` for :math:`t < -2`. The formula is used on
    all of R (the lower bound stays valid there, only looser); it is tight for
    :math:`t \ge -2`.
    """

    name = "pearson"
    f_at_zero = 1.0
    tight_from = -2.0

    def _f(self, u, xp):
        return (u - 1) ** 2

    def _f_prime(self, u, xp):
        return 2 * (u - 1)

    def _conjugate(self, t, xp):
        return t**2 / 4 + t

    def _activation(self, v, xp):
        return v

    def _conjugate_activation(self, v, xp):
        return v**2 / 4 + v


class Neyman(FDivergence):
    r"""Neyman :math:`\chi^2`, :math:`f(u) = (1 - u)^2 / u`."""

    name = "neyman"
    conjugate_domain = (None, 1.0)
    f_at_zero = math.inf
    slope_at_infinity = 1.0

    def _f(self, u, xp):
        return (1 - u) ** 2 / u

    def _f_prime(self, u, xp):
        return 1 - 1 / u**2

    def _conjugate(self, t, xp):
        return 2 - 2 * xp.sqrt(1 - t)

    def _activation(self, v, xp):
        return -xp.expm1(-v)

    def _conjugate_activation(self, v, xp):
        return 2 - 2 * xp.exp(-v / 2)


class Hellinger(FDivergence):
    r"""Squared Hellinger, :math:`f(u) = (\sqrt u - 1)^2`, :math:`D_f = \int(\sqrt p - \sqrt q)^2`.

    Note :math:`D_f = 2(1 - BC)` with BC the Bhattacharyya coefficient, twice
    the ":math:`\tfrac12`-normalised" squared Hellinger distance.
    """

    name = "hellinger"
    conjugate_domain = (None, 1.0)
    f_at_zero = 1.0
    slope_at_infinity = 1.0

    def _f(self, u, xp):
        return (xp.sqrt(u) - 1) ** 2

    def _f_prime(self, u, xp):
        return 1 - 1 / xp.sqrt(u)

    def _conjugate(self, t, xp):
        return t / (1 - t)

    def _activation(self, v, xp):
        return -xp.expm1(-v)

    def _conjugate_activation(self, v, xp):
        return xp.expm1(v)


class JensenShannon(FDivergence):
    r"""Jensen-Shannon, :math:`f(u) = -(u + 1)\log\frac{1 + u}{2} + u \log u`.

    With this f, :math:`D_f = KL(P\|M) + KL(Q\|M) = 2\,\mathrm{JSD}` (M the
    mixture), between 0 and :math:`2\log 2`.
    """

    name = "js"
    conjugate_domain = (None, _LOG2)
    f_at_zero = _LOG2
    slope_at_infinity = _LOG2

    def _f(self, u, xp):
        return -(u + 1) * xp.log((1 + u) / 2) + u * xp.log(u)

    def _f_prime(self, u, xp):
        return xp.log(2 * u / (1 + u))

    def _conjugate(self, t, xp):
        return -xp.log(2 - xp.exp(t))

    def _activation(self, v, xp):
        return _LOG2 - softplus(-v, xp)

    def _conjugate_activation(self, v, xp):
        return softplus(v, xp) - _LOG2


class GAN(FDivergence):
    r"""Goodfellow's GAN, :math:`f(u) = u\log u - (u + 1)\log(u + 1)`: :math:`D_f = 2\,\mathrm{JSD} - \log 4`.

    With :math:`T = \log d` the bound is the GAN objective
    :math:`E_P \log d + E_Q \log(1 - d)`; the raw output v is the
    discriminator's logit, :math:`d = \sigma(v)`.
    """

    name = "gan"
    conjugate_domain = (None, 0.0)
    value_at_equality = -2 * _LOG2
    f_at_zero = 0.0
    slope_at_infinity = 0.0

    def _f(self, u, xp):
        return u * xp.log(u) - (u + 1) * xp.log1p(u)

    def _f_prime(self, u, xp):
        return xp.log(u / (u + 1))

    def _conjugate(self, t, xp):
        return -xp.log(-xp.expm1(t))

    def _activation(self, v, xp):
        return -softplus(-v, xp)

    def _conjugate_activation(self, v, xp):
        return softplus(v, xp)


def _lambert_w_exp(s, xp, iterations=40):
    """W(e^s) for real s, by Newton on w + log w = s (no overflow of e^s).

    Differentiable by autograd through the fixed number of iterations (the
    iteration converges quadratically, so its derivative converges to W's).
    """
    # For s < -30, W(e^s) = e^s (1 - e^s + ...) is e^s to 1e-13, and Newton would take log(0)
    # once e^s underflows; elsewhere start at e^s (s <= 1) or s - log s (s > 1).
    very_small = s < -30
    s_it = xp.where(very_small, full_like(s, 0.0, xp), s)
    large = s_it > 1
    s_large = xp.where(large, s_it, full_like(s, 2.0, xp))
    w = xp.where(large, s_large - xp.log(s_large), xp.exp(xp.where(large, full_like(s, 0.0, xp), s_it)))
    for _ in range(iterations):
        w = w * (1 + s_it - xp.log(w)) / (1 + w)
    return xp.where(very_small, xp.exp(xp.where(very_small, s, full_like(s, 0.0, xp))), w)


class Jeffrey(FDivergence):
    r"""Jeffrey (symmetrised KL), :math:`f(u) = (u - 1)\log u`, :math:`D_f = KL(P\|Q) + KL(Q\|P)`.

    :math:`f^*(t) = W(e^{1-t}) + 1/W(e^{1-t}) + t - 2` with W the Lambert W
    function, computed by Newton's method in log space.
    """

    name = "jeffrey"
    f_at_zero = math.inf

    def _f(self, u, xp):
        return (u - 1) * xp.log(u)

    def _f_prime(self, u, xp):
        return xp.log(u) + 1 - 1 / u

    def _conjugate(self, t, xp):
        w = _lambert_w_exp(1 - t, xp)
        # 1/w = exp(-log w) = exp(w - (1 - t)) by w + log w = 1 - t; this form keeps the
        # gradient finite where w underflows (1/w**2 would overflow in float32).
        return w + xp.exp(w - 1 + t) + t - 2

    def _activation(self, v, xp):
        return v

    def _conjugate_activation(self, v, xp):
        return self._conjugate(v, xp)


class Alpha(FDivergence):
    r"""The alpha-divergence family (Amari), :math:`f(u) = \frac{u^a - 1 - a(u - 1)}{a(a - 1)}`.

    Parameters
    ----------
    order : float
        The family's parameter :math:`a` (called ``order`` here because
        ``alpha`` means the level of a test everywhere else in the package);
        any real number except 0 and 1 (whose limits are reverse KL and KL: use
        ``"reverse_kl"`` and ``"kl"``). ``order=2`` is half Pearson
        :math:`\chi^2`, ``order=0.5`` is twice the squared Hellinger row,
        ``order=-1`` is half Neyman :math:`\chi^2`.

    Notes
    -----
    :math:`f'(u) = (u^{a-1} - 1)/(a - 1)` and
    :math:`f^*(t) = \frac{(1 + (a - 1)t)^{a/(a-1)} - 1}{a}` on
    :math:`1 + (a-1)t > 0`. The activation maps onto that half-line:
    :math:`g(v) = \mathrm{softplus}(v) - 1/(a - 1)` for :math:`a > 1` and
    :math:`g(v) = 1/(1 - a) - \mathrm{softplus}(-v)` for :math:`a < 1`, so that
    :math:`1 + (a-1)g(v) = |a - 1|\,\mathrm{softplus}(\pm v)` and the composite is
    evaluated through :math:`\log\mathrm{softplus}`. For :math:`a > 1` the
    formula is the conjugate over all real u; over :math:`u \ge 0` it is
    tight only on its domain, as for Pearson.
    """

    name = "alpha"

    def __init__(self, order: float):
        if isinstance(order, bool) or not isinstance(order, numbers.Real):
            raise ValueError(f"`order` of the alpha-divergence must be a real number, got {order!r}.")
        order = float(order)
        if not math.isfinite(order) or order in (0.0, 1.0):
            raise ValueError(
                f"`order` of the alpha-divergence must be a finite real other than 0 and 1, got {order!r}; "
                "its limits at 1 and 0 are the 'kl' and 'reverse_kl' rows."
            )
        self.order = order
        a = order
        if a > 1:
            self.conjugate_domain = (-1.0 / (a - 1), None)
            self.slope_at_infinity = math.inf
        else:
            self.conjugate_domain = (None, 1.0 / (1 - a))
            self.slope_at_infinity = 1.0 / (1 - a)
        self.f_at_zero = 1.0 / a if a > 0 else math.inf

    def _f(self, u, xp):
        a = self.order
        return (u**a - 1 - a * (u - 1)) / (a * (a - 1))

    def _f_prime(self, u, xp):
        a = self.order
        return (u ** (a - 1) - 1) / (a - 1)

    def _conjugate(self, t, xp):
        a = self.order
        return ((1 + (a - 1) * t) ** (a / (a - 1)) - 1) / a

    def _activation(self, v, xp):
        a = self.order
        if a > 1:
            return softplus(v, xp) - 1 / (a - 1)
        return 1 / (1 - a) - softplus(-v, xp)

    def _conjugate_activation(self, v, xp):
        a = self.order
        log_inner = math.log(abs(a - 1)) + log_softplus(v if a > 1 else -v, xp)
        return (xp.exp(a / (a - 1) * log_inner) - 1) / a

    def __repr__(self):
        return f"Alpha(order={self.order!r})"


_ROWS = {
    cls.name: cls
    for cls in (TotalVariation, KL, ReverseKL, Pearson, Neyman, Hellinger, JensenShannon, GAN, Jeffrey, Alpha)
}


def names() -> list[str]:
    """Names accepted by :func:`get`."""
    return list(_ROWS)


def get(name: str, **params) -> FDivergence:
    """The f-divergence called `name`.

    Parameters
    ----------
    name : str
        One of :func:`names`: ``total_variation``, ``kl``, ``reverse_kl``,
        ``pearson``, ``neyman``, ``hellinger``, ``js``, ``gan``, ``jeffrey``,
        ``alpha``.
    **params
        ``order`` for ``"alpha"`` (required); no other row takes parameters.

    Examples
    --------
    >>> from twosample import divergences
    >>> kl = divergences.get("kl")
    >>> float(kl.f(2.0)), float(kl.conjugate(1.0)), float(kl.optimal_critic(1.0))
    (1.3862943611198906, 1.0, 1.0)
    >>> divergences.get("alpha", order=2).f(3.0)  # half Pearson: (3 - 1)^2 / 2
    np.float64(2.0)
    """
    if isinstance(name, FDivergence):
        return name
    try:
        cls = _ROWS[name]
    except (KeyError, TypeError):
        raise ValueError(f"`divergence` must be one of {', '.join(_ROWS)}; got {name!r}.") from None
    if cls is Alpha:
        if "order" not in params:
            raise ValueError("the 'alpha' divergence needs its parameter: get('alpha', order=...).")
        return Alpha(**params)
    if params:
        raise ValueError(f"the {name!r} divergence takes no parameters, got {', '.join(params)}.")
    return cls()
