r"""The permutation engine shared by every test.

A relabelling of the pooled sample :math:`z = (x_1, \dots, x_n, y_1, \dots, y_m)`
is a boolean *mask* of length :math:`N = n + m` with exactly :math:`n` entries
``True`` (the rows that play the role of ``x``). The engine hands statistics
whole batches of masks, shape ``(B, N)``, so that a statistic written with
matrix products (``masks @ z``) evaluates thousands of relabellings at once.

* **Exact** when the number of distinct splits :math:`\binom{N}{n}` is at most
  ``n_resamples``: every split is enumerated (the observed one included) and
  :math:`p = \#\{T_b \ge \hat t\} / \binom{N}{n}`.
* **Monte Carlo** otherwise: :math:`B` uniformly random splits and
  :math:`p = (1 + \#\{T_b \ge \hat t\}) / (1 + B)`, never 0.

Comparisons use a relative tolerance of 100 machine epsilons (as SciPy does), so
that a relabelling giving the same statistic up to rounding counts as a tie.

Reproducibility: masks are drawn row by row from one ``numpy`` Generator, so the
p-value does not depend on ``batch``; rows of each sample are put in a canonical
(lexicographic) order first, so it does not depend on the order of the rows
either.
"""

from __future__ import annotations

import abc
import dataclasses
import itertools
import math
import numbers
from collections.abc import Callable, Iterator

import numpy as np

from twosample.core.early_stop import EarlyStop
from twosample.core.progress import progress_bar, progress_enabled
from twosample.core.result import TestResult
from twosample.core.spec import TESTS, name_of
from twosample.core.validation import (
    canonical_order,
    check_alpha,
    check_alternative,
    check_batch,
    check_bool,
    check_n_resamples,
    check_samples,
    scale_exponent,
    seeded_rng,
    warn_if_constant,
)

__all__ = [
    "CallableStatistic",
    "PermutationStatistic",
    "Resampling",
    "holdout_split",
    "permutation_test",
]

# Relative tie tolerance (SciPy uses the same: 100 machine epsilons).
_RTOL = 100 * np.finfo(np.float64).eps
# Masks per batch when `batch` is None: keeps a (B, N) float64 block near 32 MiB.
_AUTO_BATCH_ELEMENTS = 2**22


class PermutationStatistic(abc.ABC):
    """A statistic that evaluates many relabellings of the pooled sample at once.

    Subclasses implement :meth:`bind`, which receives the pooled sample once
    (so sorting, centring, kernel or distance matrices are computed once) and
    returns a function of a boolean mask array of shape ``(B, N)`` giving the
    ``B`` statistics. Statistics must not depend on the order of the rows
    within each sample.

    A statistic that scales as a power of the data, ``T(c z) = c**k T(z)``
    for ``c > 0``, declares ``scale_degree = k``: the engine then computes it
    on the pooled sample rescaled by a power of two (exact; see
    :func:`~twosample.core.validation.scale_exponent`) and scales the values
    back, so data near 1e300 or 1e-300 neither overflows nor underflows. The
    default ``None`` leaves the data as given.

    Examples
    --------
    The difference of means as a permutation statistic, one matrix product per
    batch:

    >>> import numpy as np
    >>> from twosample import PermutationStatistic, permutation_test
    >>> class MeanShift(PermutationStatistic):
    ...     def bind(self, pooled, n_x):
    ...         n_y = len(pooled) - n_x
    ...         total = pooled[:, 0].sum()
    ...         def evaluate(masks):
    ...             sum_x = masks @ pooled[:, 0]
    ...             return sum_x / n_x - (total - sum_x) / n_y
    ...         return evaluate
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.normal(1, 1, 30), rng.normal(0, 1, 40)
    >>> res = permutation_test(x, y, MeanShift(), rng=1)
    >>> res.method, res.n_resamples, res.pvalue
    ('permutation', 9999, 0.003)
    """

    scale_degree: int | None = None

    @abc.abstractmethod
    def bind(self, pooled: np.ndarray, n_x: int) -> Callable[[np.ndarray], np.ndarray]:
        """Prepare for the pooled sample ``pooled`` (N, d) whose first ``n_x`` rows are ``x``.

        Returns a function mapping boolean masks ``(B, N)`` to statistics ``(B,)``.
        """

    def __call__(self, x, y) -> float:
        """The statistic of the samples `x` and `y` as given."""
        return self.value(*check_samples(x, y))

    def value(self, x: np.ndarray, y: np.ndarray) -> float:
        """The statistic of already validated float arrays `x` (n, d) and `y` (m, d)."""
        pooled = np.vstack([x, y])
        mask = np.zeros((1, len(pooled)), dtype=bool)
        mask[0, : len(x)] = True
        return float(self.bind(pooled, len(x))(mask)[0])


class CallableStatistic(PermutationStatistic):
    """Adapter for a plain ``statistic(x, y) -> float``: one call per relabelling."""

    def __init__(self, func: Callable, squeeze: bool):
        self.func = func
        self.squeeze = squeeze

    def bind(self, pooled, n_x):
        data = pooled[:, 0] if self.squeeze else pooled

        def evaluate(masks):
            out = np.empty(len(masks))
            for b, mask in enumerate(masks):
                try:
                    value = self.func(data[mask], data[~mask])
                except Exception as exc:
                    raise ValueError(f"`statistic` raised {type(exc).__name__}: {' '.join(str(exc).split())}") from exc
                try:
                    out[b] = float(value)
                except (TypeError, ValueError):
                    raise ValueError(
                        f"`statistic` must return a real scalar, got {type(value).__name__} {np.shape(value)}."
                    ) from None
            return out

        return evaluate


def permutation_test(
    x,
    y,
    statistic,
    *,
    alternative: str = "greater",
    alpha: float = 0.05,
    n_resamples: int = 9999,
    batch: int | None = None,
    rng=None,
    early_stop: bool = False,
) -> TestResult:
    r"""Permutation test of H0: p = q for any statistic; one-sided (``"greater"``) by default, unlike SciPy.

    The default differs from :func:`scipy.stats.permutation_test`'s two-sided one on purpose: the
    statistics of this library (distances, kernel discrepancies, accuracies) are large exactly when
    p != q, so the upper tail is the test. For a signed statistic such as a difference in means,
    pass ``alternative="two-sided"``. Samples are rows (axis 0) of `x` and `y`; there is no
    ``axis`` argument: pass ``x.T`` for data stored with one observation per column, and one call
    per column (or :func:`twosample.compare`) for many 1-D tests at once.

    Parameters
    ----------
    x : array_like, shape (n,) or (n, d)
        Sample from p (``D1``), one observation per row.
    y : array_like, shape (m,) or (m, d)
        Sample from q (``D2``), one observation per row.
    statistic : callable or PermutationStatistic
        Either ``statistic(x, y) -> float`` (called once per relabelling; it
        receives 1-D arrays when both inputs were 1-D), or a
        :class:`PermutationStatistic` that evaluates whole batches of
        relabellings at once (much faster).
    alternative : {"greater", "less", "two-sided"}, default "greater"
        Large values of the statistic are evidence against H0 for
        ``"greater"``; for ``"two-sided"`` the p-value is twice the smaller
        one-sided p-value (at most 1), as in :func:`scipy.stats.permutation_test`.
    alpha : float, default 0.05
        Level of the test.
    n_resamples : int, default 9999
        Number of random relabellings. When the number of distinct splits
        :math:`\binom{n+m}{n}` is at most ``n_resamples``, all of them are
        enumerated instead and the test is exact.
    batch : int, optional
        Relabellings evaluated at once (caps memory). The result does not
        depend on it. Default: about 32 MiB of masks per batch.
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Source of randomness; the same value gives the same result.
    early_stop : bool, default False
        Stop relabelling once the answer is known (sequential Monte Carlo
        p-values, Besag & Clifford 1991): after :math:`h = \lfloor\alpha(B+1)\rfloor`
        relabelled statistics reach the observed one (:math:`p = h/L`), or when
        none of the first :math:`\lceil 20/\alpha\rceil - 1` does. The level stays
        exact; the rule and its p-values are in :mod:`twosample.core.early_stop`.
        One-sided alternatives only.

    Returns
    -------
    TestResult
        With ``method="exact"``, ``"permutation"`` or ``"sequential permutation"``
        (``early_stop``; ``n_resamples`` is then the number used) and the null
        distribution.

    Notes
    -----
    Monte Carlo p-value: :math:`p = (1 + \#\{b : T_b \ge \hat t - \epsilon\}) / (1 + B)`
    with :math:`\epsilon` a relative tolerance of 100 machine epsilons; exact
    p-value: :math:`\#\{b : T_b \ge \hat t - \epsilon\} / \binom{N}{n}`. The
    threshold is the order statistic of the null such that
    ``statistic > threshold`` exactly when ``pvalue <= alpha`` (up to ties).

    References
    ----------
    .. [1] Phipson, B. and Smyth, G. K. (2010). Permutation p-values should
       never be zero. Statistical Applications in Genetics and Molecular
       Biology 9(1).

    Examples
    --------
    >>> import numpy as np
    >>> from twosample import permutation_test
    >>> x, y = [1.2, 3.1, 2.2, 2.9], [0.1, 0.8, 1.1]
    >>> res = permutation_test(x, y, lambda a, b: a.mean() - b.mean())
    >>> res.method, res.n_resamples, round(res.pvalue, 4)
    ('exact', 35, 0.0286)
    """
    squeeze = np.ndim(x) == 1 and np.ndim(y) == 1
    x, y = check_samples(x, y)
    if isinstance(statistic, PermutationStatistic):
        stat = statistic
    elif callable(statistic):
        stat = CallableStatistic(statistic, squeeze)
    else:
        raise TypeError(
            "`statistic` must be a callable statistic(x, y) -> float or a "
            f"PermutationStatistic, got {type(statistic).__name__}."
        )
    options = Resampling.of(
        "permutation_test",
        alpha=alpha,
        n_resamples=n_resamples,
        batch=batch,
        rng=rng,
        early_stop=early_stop,
        alternative=alternative,
    )
    return options.run(x, y, stat)


@dataclasses.dataclass(frozen=True)
class Resampling:
    """The options every permutation test shares, checked once (the engine trusts them).

    Made at the top of a test by :meth:`of` (SciPy's ``_iv`` model: the body works with
    clean values); the test's registered name comes from its declaration.

    Attributes
    ----------
    test : str
        The registered name the result carries.
    alpha : float
        Level.
    n_resamples : int
        Random relabellings (all splits are enumerated when there are fewer).
    batch : int or None
        Relabellings evaluated at once; does not change the result.
    rng : numpy.random.Generator
        The call's random stream (statistics that draw, e.g. a bandwidth or random
        features, draw from it first, then the engine).
    seed : int or None
        The integer seed that repeats the run (None when the caller passed a Generator
        or a SeedSequence).
    early_stop : bool
        Sequential Monte Carlo p-values (:mod:`twosample.core.early_stop`).
    alternative : {"greater", "less", "two-sided"}
        Which relabelled statistics count as extreme (a test whose statistic has its own
        sign convention passes the engine's direction with :meth:`towards`).
    """

    test: str
    alpha: float
    n_resamples: int
    batch: int | None
    rng: np.random.Generator
    seed: int | None
    early_stop: bool
    alternative: str = "greater"

    @classmethod
    def of(
        cls, test, *, alpha=0.05, n_resamples=9999, batch=None, rng=None, early_stop=False, alternative="greater"
    ) -> Resampling:
        """The checked options of one call of `test` (a registered function, or a name)."""
        generator, seed = seeded_rng(rng)
        return cls(
            test=test if isinstance(test, str) else name_of(test),
            alpha=check_alpha(alpha),
            n_resamples=check_n_resamples(n_resamples),
            batch=check_batch(batch),
            rng=generator,
            seed=seed,
            early_stop=check_bool(early_stop, "early_stop"),
            alternative=check_alternative(alternative),
        )

    def towards(self, alternative: str) -> Resampling:
        """The same options with the engine's direction `alternative` (one of the checked three)."""
        return dataclasses.replace(self, alternative=check_alternative(alternative))

    def nan_result(self, *samples: np.ndarray, method: str | None = None) -> TestResult:
        """The result of ``nan_policy="propagate"`` when a sample holds a NaN (SciPy's rule): statistic,
        p-value and threshold NaN, ``reject=False``, nothing computed (no resampling, no training).

        `method` is the null the call asked for (default: the test's only or default one); ``n_x``
        counts the first sample's rows and ``n_y`` the others', NaN rows included.
        """
        info = TESTS.get(self.test)
        return TestResult(
            statistic=math.nan,
            pvalue=math.nan,
            alpha=self.alpha,
            threshold=math.nan,
            reject=False,
            null_distribution=None,
            method=method or (info.methods[0] if info else "permutation"),
            alternative=self.alternative,
            n_x=len(samples[0]),
            n_y=sum(len(s) for s in samples[1:]),
            n_resamples=0,
            test=self.test,
            seed=self.seed,
        )

    def run(self, x: np.ndarray, y: np.ndarray, statistic: PermutationStatistic) -> TestResult:
        """The permutation test of `statistic` on validated samples `x` (n, d) and `y` (m, d)."""
        return run_permutation_test(x, y, statistic, self)


def run_permutation_test(x: np.ndarray, y: np.ndarray, statistic: PermutationStatistic, options: Resampling):
    """The engine behind every permutation test; `x`, `y` already validated (n, d), `options` made by
    :meth:`Resampling.of` (checked there, not here)."""
    alternative = options.alternative
    x, y = canonical_order(x), canonical_order(y)
    pooled = np.vstack([x, y])
    n_x, n_total = len(x), len(pooled)
    warn_if_constant(pooled)
    batch = options.batch
    if batch is None:
        batch = max(1, _AUTO_BATCH_ELEMENTS // n_total)
        if progress_enabled() is not False:  # a bar that moves; the result does not depend on `batch`
            batch = min(batch, max(1, -(-options.n_resamples // 100)))

    degree = statistic.scale_degree
    shift = scale_exponent(pooled) if degree is not None else 0
    bound = statistic.bind(np.ldexp(pooled, -shift) if shift else pooled, n_x)

    def evaluate(masks):  # the statistic on the data's own scale
        values = np.asarray(bound(masks), dtype=float).reshape(-1)
        return np.ldexp(values, degree * shift) if shift and degree else values

    n_splits = math.comb(n_total, n_x)
    exact = n_splits <= options.n_resamples
    rule = _early_stop_rule(options, exact, alternative)
    if exact:
        masks: Iterator[np.ndarray] = _all_splits(n_total, n_x, batch)
        n_null = n_splits
    else:
        sizes = rule.look_sizes(batch) if rule else None
        masks = _random_splits(n_total, n_x, options.n_resamples, batch, options.rng, sizes=sizes)
        n_null = options.n_resamples
    identity = np.zeros((1, n_total), dtype=bool)
    identity[0, :n_x] = True
    check = lambda observed: _check_observed(observed, pooled)  # noqa: E731
    observed, null, stop = _collect_null(evaluate, masks, n_null, options.test, rule, alternative, identity, check)
    if np.isnan(null).any():
        raise ValueError("the statistic is NaN on some relabelled samples.")
    common = dict(alpha=options.alpha, alternative=alternative, n_x=n_x, n_y=n_total - n_x, test=options.test)
    if rule is not None:
        return _early_result(observed, null, rule, stop, seed=options.seed, **common)
    return null_result(observed, null, exact=exact, seed=options.seed, **common)


def _early_stop_rule(options: Resampling, exact: bool, alternative: str) -> EarlyStop | None:
    """The sequential rule when `early_stop` asks for one and the null is Monte Carlo, else None."""
    if not options.early_stop or exact:  # an enumerated null is exact: nothing to stop
        return None
    if alternative == "two-sided":
        raise ValueError("`early_stop` needs a one-sided `alternative` ('greater' or 'less'), got 'two-sided'.")
    return EarlyStop(options.n_resamples, options.alpha)


def _collect_null(evaluate, masks, n_null, test, rule, alternative, identity, check_observed):
    """The observed statistic and the relabelled ones in drawing order, up to the rule's stop.

    `masks` yields blocks of relabellings (row masks, or count tables for
    :mod:`twosample.core.count_tables`); `identity` is the observed one as a block of one.
    The observed labelling is evaluated with the first batch (one pass over the data instead of
    two, which matters for statistics that recompute Gram blocks per batch).
    """
    null = np.empty(n_null)
    start = 0
    observed = stop = None
    with progress_bar(n_null, progress_enabled(), desc=test or "permutations", unit="relabelling") as bar:
        for block in masks:
            if observed is None:
                values = evaluate(np.vstack([identity, block]))
                observed, values = float(values[0]), values[1:]
                check_observed(observed)
            else:
                values = evaluate(block)
            null[start : start + len(values)] = values
            start += len(values)
            bar.update(len(values))
            if rule is not None:
                stop = rule.stop(_exceeds(null[:start], observed, alternative))
                if stop is not None:
                    return observed, null[: stop.used], stop
    return observed, null, stop


def _check_observed(observed, pooled):
    if math.isnan(observed):
        top = float(np.max(np.abs(pooled)))
        raise ValueError(
            f"the statistic is NaN on the observed samples `x` and `y` (largest |value| {top:.3g}): "
            "it cannot be computed for this data in float64."
        )


def _exceeds(null, observed, alternative):
    """Relabelled statistics at least as extreme as `observed` (same tie tolerance as the p-value)."""
    tol = abs(observed) * _RTOL if math.isfinite(observed) else 0.0
    return null >= observed - tol if alternative == "greater" else null <= observed + tol


def _early_result(observed, null, rule, stop, *, alpha, alternative, n_x, n_y, test, seed) -> TestResult:
    """The result of a sequential run: the rule's p-value, a threshold consistent with its decision."""
    pvalue = rule.pvalue(stop)
    sign = 1.0 if alternative == "greater" else -1.0
    ordered = np.sort(sign * null)[::-1]  # most extreme first
    if pvalue <= alpha:  # beyond every relabelled statistic seen that reached it
        beyond = int(np.count_nonzero(_exceeds(null, observed, alternative)))
        threshold = ordered[beyond] if beyond < len(ordered) else -math.inf
    else:  # the observed statistic does not pass the stop's most extreme values
        threshold = ordered[max(stop.count - 1, 0)]
    result = TestResult.from_null(
        statistic=observed,
        pvalue=pvalue,
        alpha=alpha,
        threshold=float(sign * threshold),
        null_distribution=null,
        exact=False,
        alternative=alternative,
        n_x=n_x,
        n_y=n_y,
        test=test,
        seed=seed,
    )
    return dataclasses.replace(result, method="sequential permutation")


def null_result(observed, null, *, alpha, alternative, exact, n_x, n_y, test, seed=None) -> TestResult:
    """The result of an observed statistic and its null over relabellings: p-value and threshold
    from :func:`pvalue_and_threshold` (consistent with each other), ``exact`` when every split was
    enumerated (else the p-value counts the observed statistic, so it is never 0)."""
    pvalue, threshold = pvalue_and_threshold(observed, null, alternative, alpha, exact)
    return TestResult.from_null(
        statistic=observed,
        pvalue=pvalue,
        alpha=alpha,
        threshold=threshold,
        null_distribution=null,
        exact=exact,
        alternative=alternative,
        n_x=n_x,
        n_y=n_y,
        test=test,
        seed=seed,
    )


def _all_splits(n_total: int, n_x: int, batch: int) -> Iterator[np.ndarray]:
    """Every subset of size `n_x` as a mask, in lexicographic order, `batch` at a time."""
    combos = itertools.combinations(range(n_total), n_x)
    while True:
        chunk = list(itertools.islice(combos, batch))
        if not chunk:
            return
        idx = np.array(chunk, dtype=np.intp).reshape(len(chunk), n_x)
        masks = np.zeros((len(chunk), n_total), dtype=bool)
        np.put_along_axis(masks, idx, True, axis=1)
        yield masks


def _random_splits(
    n_total: int, n_x: int, n_resamples: int, batch: int, rng: np.random.Generator, *, sizes=None
) -> Iterator[np.ndarray]:
    """Uniformly random subsets of size `n_x`, drawn row by row (batch-independent).

    Each row gets N uniform keys; the `n_x` smallest mark the rows that play x.
    ``rng.random`` fills rows in order, so the masks are the same whatever the
    batch size. Ties among doubles have probability ~N^2 / 2^53: negligible.
    `sizes` (an iterable of batch sizes, a sequential rule's looks) replaces `batch` when given.
    """
    sizes = iter(sizes) if sizes is not None else None
    done = 0
    while done < n_resamples:
        size = min(n_resamples - done, next(sizes, batch) if sizes is not None else batch)
        keys = rng.random((size, n_total))
        kth = np.partition(keys, n_x - 1, axis=1)[:, n_x - 1 : n_x]
        yield keys <= kth
        done += size


def pvalue_and_threshold(observed, null, alternative, alpha, exact):
    """p-value and t_alpha, consistent with each other (see permutation_test Notes)."""
    # An infinite statistic ties only with itself (inf - inf would make every comparison False).
    tol = abs(observed) * _RTOL if math.isfinite(observed) else 0.0
    n_null = len(null)
    add = 0 if exact else 1
    p_greater = (np.count_nonzero(null >= observed - tol) + add) / (n_null + add)
    p_less = (np.count_nonzero(null <= observed + tol) + add) / (n_null + add)

    def order_statistic(level: float, descending: bool) -> float:
        # Reject when #{T_b beyond t} <= k; i.e. t beyond the (k+1)-th most extreme value.
        k = math.floor(level * (n_null + add) + 1e-9) - add
        if k < 0:
            return math.inf if descending else -math.inf
        if k >= n_null:
            return -math.inf if descending else math.inf
        ordered = np.partition(null, n_null - 1 - k if descending else k)
        return float(ordered[n_null - 1 - k] if descending else ordered[k])

    if alternative == "greater":
        return float(p_greater), order_statistic(alpha, descending=True)
    if alternative == "less":
        return float(p_less), order_statistic(alpha, descending=False)
    pvalue = min(1.0, 2.0 * min(p_greater, p_less))
    threshold = (
        order_statistic(alpha / 2, descending=False),
        order_statistic(alpha / 2, descending=True),
    )
    return float(pvalue), threshold


def holdout_split(x: np.ndarray, y: np.ndarray, test_size: float, rng: np.random.Generator):
    """Split each sample into a training and a held-out part: ``((x_train, x_test), (y_train, y_test))``.

    Each held-out part has ``round(test_size * len)`` rows, at least 1 and at
    most ``len - 1``; rows are assigned by a permutation drawn from `rng` over
    the canonical (sorted) row order, so the split does not depend on the
    order of the rows. Shared by the learned statistics (classifier tests,
    variational bounds).
    """
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real) or not 0 < test_size < 1:
        raise ValueError(f"`test_size` must be a number in (0, 1), got {test_size!r}.")
    parts = []
    for sample in (canonical_order(x), canonical_order(y)):
        order = rng.permutation(len(sample))
        n_test = min(max(1, round(test_size * len(sample))), len(sample) - 1)
        parts.append((sample[order[n_test:]], sample[order[:n_test]]))
    return parts[0], parts[1]
