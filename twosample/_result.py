"""The one result type returned by every test in the package."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

__all__ = ["TestResult"]


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class TestResult:
    r"""Outcome of a two-sample test of H0: p = q.

    Every test in :mod:`twosample` returns this frozen dataclass.

    Attributes
    ----------
    statistic : float
        The observed statistic :math:`\hat t`.
    pvalue : float
        The p-value. Monte Carlo p-values are never 0: they are
        :math:`(1 + \#\{T_b \ge \hat t\}) / (1 + B)`.
    alpha : float
        The level the verdict is taken at.
    threshold : float or tuple of float
        :math:`t_\alpha` on the statistic's scale. For ``alternative="greater"``
        the test rejects when ``statistic > threshold``; for ``"less"`` when
        ``statistic < threshold``; for ``"two-sided"`` it is a pair
        ``(lower, upper)`` and the test rejects outside the closed interval.
        These agree with ``pvalue <= alpha`` up to ties in the null
        distribution. ``nan`` when an analytic null offers no quantile function.
    reject : bool
        ``pvalue <= alpha``.
    null_distribution : numpy.ndarray or None
        The permutation null (every value, in draw order), or ``None`` for an
        analytic null.
    method : str
        How the null was obtained: ``"permutation"`` (Monte Carlo),
        ``"exact"`` (all distinct splits enumerated, or an exact analytic
        null), ``"asymptotic"`` or ``"analytic"``.
    alternative : str
        ``"greater"``, ``"less"`` or ``"two-sided"``.
    n_x, n_y : int
        Sample sizes.
    n_resamples : int
        Number of null statistics computed (0 for analytic nulls).
    test : str
        Name of the test that produced the result.

    Examples
    --------
    >>> import numpy as np
    >>> from twosample import ks_test
    >>> rng = np.random.default_rng(0)
    >>> res = ks_test(rng.normal(size=50), rng.normal(1, 1, size=50), rng=1)
    >>> res.reject
    True
    >>> sorted(res.to_dict())[:3]
    ['alpha', 'alternative', 'method']
    """

    __test__ = False  # not a pytest test class, despite the name

    statistic: float
    pvalue: float
    alpha: float
    threshold: Any
    reject: bool
    null_distribution: np.ndarray | None
    method: str
    alternative: str
    n_x: int
    n_y: int
    n_resamples: int
    test: str = ""

    def to_dict(self, *, include_null: bool = False) -> dict[str, Any]:
        """Plain-Python dictionary (JSON serialisable).

        Parameters
        ----------
        include_null : bool, default False
            Include the null distribution as a list (it can be long).
        """
        out: dict[str, Any] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if field.name == "null_distribution":
                if not include_null:
                    continue
                value = None if value is None else value.tolist()
            elif field.name == "threshold" and isinstance(value, tuple):
                value = [float(v) for v in value]
            elif isinstance(value, (np.floating, float)):
                value = float(value)
            elif isinstance(value, (np.integer,)):
                value = int(value)
            elif isinstance(value, np.bool_):
                value = bool(value)
            out[field.name] = value
        return out

    def _threshold_text(self) -> str:
        if isinstance(self.threshold, tuple):
            lo, hi = self.threshold
            return f"outside [{lo:.6g}, {hi:.6g}]"
        if isinstance(self.threshold, float) and math.isnan(self.threshold):
            return "n/a"
        op = "<" if self.alternative == "less" else ">"
        return f"{op} {self.threshold:.6g}"

    def __repr__(self) -> str:
        return (
            f"TestResult(test={self.test!r}, statistic={self.statistic:.6g}, "
            f"pvalue={self.pvalue:.6g}, alpha={self.alpha:g}, "
            f"threshold={self.threshold!r}, reject={self.reject}, "
            f"method={self.method!r}, alternative={self.alternative!r}, "
            f"n_x={self.n_x}, n_y={self.n_y}, n_resamples={self.n_resamples})"
        )

    def __str__(self) -> str:
        verdict = "reject H0: p = q" if self.reject else "do not reject H0: p = q"
        lines = [
            f"Two-sample test: {self.test or 'custom statistic'}",
            f"  statistic   {self.statistic:.6g}",
            f"  p-value     {self.pvalue:.6g}   ({self.method}, {self.alternative}"
            + (f", {self.n_resamples} resamples)" if self.n_resamples else ")"),
            f"  t_alpha     {self._threshold_text()}   at alpha = {self.alpha:g}",
            f"  samples     n_x = {self.n_x}, n_y = {self.n_y}",
            f"  verdict     {verdict}",
        ]
        return "\n".join(lines)
