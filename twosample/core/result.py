"""The one result type returned by every test in the package."""

from __future__ import annotations

import dataclasses
import math
import numbers
from typing import Any

import numpy as np

__all__ = ["TestResult", "jsonable"]


def jsonable(value, *, arrays: bool = True):
    """`value` as strict-JSON Python data: NaN and infinities become None, arrays lists, objects their name.

    Dicts, lists and tuples are converted item by item; NumPy scalars become
    Python numbers; a dataclass becomes ``{"type": name, field: value...}``;
    any other object (a fitted classifier, a torch module) its type's name.
    With ``arrays=False`` NumPy arrays are left out (None). The output passes
    ``json.dumps(..., allow_nan=False)``.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (numbers.Integral, np.integer)):
        return int(value)
    if isinstance(value, (numbers.Real, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist()) if arrays else None
    if isinstance(value, dict):
        return {str(k): jsonable(v, arrays=arrays) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v, arrays=arrays) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        return {"type": type(value).__name__, **jsonable(fields, arrays=arrays)}
    return type(value).__name__


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
        The sizes of the samples ``x`` and ``y`` as passed to the test (after
        validation), for every test and null. Tests that hold out part of the
        data (C2ST, the learned tests) keep the held-out rows in their own
        result fields.
    n_resamples : int
        Number of null statistics computed (0 for analytic nulls).
    test : str
        Name of the test that produced the result.
    seed : int or None
        The integer seed that repeats this run: the ``rng`` passed, or, when
        ``rng`` was None, the seed drawn from fresh entropy. None when a
        Generator or SeedSequence was passed (its state is the caller's).

    Notes
    -----
    A result unpacks as SciPy's do, ``statistic, pvalue = res``.

    A test called with ``nan_policy="propagate"`` on data with a NaN returns,
    as SciPy does, ``statistic``, ``pvalue`` and ``threshold`` NaN (``null`` in
    :meth:`to_dict`) and ``reject=False``, without running; ``method`` is the
    null that was asked for.

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
    >>> statistic, pvalue = res
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
    seed: int | None = None

    @classmethod
    def from_null(
        cls,
        *,
        statistic,
        pvalue,
        alpha,
        threshold,
        null_distribution,
        exact: bool,
        alternative,
        n_x,
        n_y,
        test,
        seed=None,
        **extra,
    ):
        """The result of a permutation null (``exact``: every split enumerated)."""
        return cls(
            statistic=float(statistic),
            pvalue=float(pvalue),
            alpha=alpha,
            threshold=threshold,
            reject=bool(pvalue <= alpha),
            null_distribution=null_distribution,
            method="exact" if exact else "permutation",
            alternative=alternative,
            n_x=int(n_x),
            n_y=int(n_y),
            n_resamples=len(null_distribution),
            test=test,
            seed=seed,
            **extra,
        )

    @classmethod
    def from_analytic(
        cls, *, statistic, pvalue, alpha, threshold, method, alternative="greater", n_x, n_y, test, seed=None, **extra
    ):
        """The result of an analytic null (no null distribution, no resamples); thresholds as floats."""
        threshold = tuple(float(t) for t in threshold) if isinstance(threshold, tuple) else float(threshold)
        return cls(
            statistic=float(statistic),
            pvalue=float(pvalue),
            alpha=alpha,
            threshold=threshold,
            reject=bool(pvalue <= alpha),
            null_distribution=None,
            method=method,
            alternative=alternative,
            n_x=int(n_x),
            n_y=int(n_y),
            n_resamples=0,
            test=test,
            seed=seed,
            **extra,
        )

    @classmethod
    def extend(cls, result: TestResult, **fields):
        """`result` as this (sub)class, with `fields` added or replaced (``C2STResult.extend(res, scores_x=...)``)."""
        base = {f.name: getattr(result, f.name) for f in dataclasses.fields(TestResult)}
        return cls(**{**base, **fields})

    def __iter__(self):
        """``statistic, pvalue = res``, as with SciPy's results."""
        return iter((self.statistic, self.pvalue))

    def __len__(self) -> int:
        return 2

    def __getitem__(self, index):
        return (self.statistic, self.pvalue)[index]

    def to_dict(self, *, include_null: bool = False, include_arrays: bool = False) -> dict[str, Any]:
        """Strict-JSON dictionary: ``json.dumps(res.to_dict(), allow_nan=False)`` always works.

        NaN and infinite numbers become None; a two-sided threshold a list;
        fitted objects (a classifier, a network) their type's name; kernels
        their parameters. Subclasses' extra fields are included.

        Parameters
        ----------
        include_null : bool, default False
            Include the null distribution as a list (it can be long).
        include_arrays : bool, default False
            Include the other arrays of a subclass (held-out scores and rows,
            training history) as lists; by default they are left out.
        """
        out: dict[str, Any] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if field.name == "null_distribution":
                if include_null:
                    out[field.name] = jsonable(value)
            elif isinstance(value, np.ndarray) and not include_arrays:
                continue
            else:
                out[field.name] = jsonable(value)
        return out

    def _threshold_text(self) -> str:
        if isinstance(self.threshold, tuple):
            lo, hi = self.threshold
            return f"outside [{lo:.6g}, {hi:.6g}]"
        if isinstance(self.threshold, float) and math.isnan(self.threshold):
            if math.isnan(self.pvalue):
                return "n/a"
            return "none (p-value only)"
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
        if math.isnan(self.pvalue):
            verdict = "none (the p-value is NaN)"
        lines = [
            f"Two-sample test: {self.test or 'custom statistic'}",
            f"  statistic   {self.statistic:.6g}",
            f"  p-value     {self.pvalue:.6g}   ({self.method}, {self.alternative}"
            + (f", {self.n_resamples} resamples)" if self.n_resamples else ")"),
            self._threshold_line(),
            f"  samples     n_x = {self.n_x}, n_y = {self.n_y}",
            f"  verdict     {verdict}",
        ]
        if self.seed is not None:
            lines.append(f"  seed        {self.seed}   (rng={self.seed} repeats this run)")
        elif self._computed_null():
            lines.append("  seed        none needed (the null is computed; nothing is drawn at random)")
        return "\n".join(lines)

    def _threshold_line(self) -> str:
        text = self._threshold_text()
        if text == "none (p-value only)":
            rule = f"reject when p-value <= alpha = {self.alpha:g}"
            return f"  t_alpha     none: this null gives p-values, not quantiles; {rule}"
        return f"  t_alpha     {text}   at alpha = {self.alpha:g}"

    def _computed_null(self) -> bool:
        """A classical test's exact, asymptotic or analytic null: no split, no relabelling, no seed to give.
        (Subclasses, C2ST and the kernel tests, split or pair rows at random even when their null is exact.)"""
        return type(self) is TestResult and not self.n_resamples and self.method in ("exact", "asymptotic", "analytic")
