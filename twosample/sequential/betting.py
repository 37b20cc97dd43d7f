r"""Anytime-valid two-sample testing by betting (Shekhar & Ramdas 2023; Podkopaev & Ramdas 2023).

Pairs :math:`(x_t, y_t)` arrive one at a time (or in batches). Before seeing pair t, a bettor
fitted on the pairs before it chooses a payoff :math:`v_t = (g_t(x_t) - g_t(y_t)) / 2 \in [-1, 1]`
(g_t a kernel witness, a classifier's score or a one-dimensional threshold, with values in
[-1, 1]) and a fraction :math:`\lambda_t \in [0, 1/2]` (online Newton step). The wealth

.. math:: K_t = \prod_{i \le t} (1 + \lambda_i v_i)

is a nonnegative martingale under H0 (x_t and y_t independent draws of one law, so
:math:`E[g_t(x_t) - g_t(y_t) \mid \text{past}] = 0`), and Ville's inequality gives
:math:`P_{H_0}(\sup_t K_t \ge 1/\alpha) \le \alpha`: the test may be looked at after every pair
and stopped at any time, by any rule, and its level holds. ``pvalue = min(1, 1 / max_s K_s)`` is
an anytime-valid p-value.
"""

from __future__ import annotations

import abc
import math

import numpy as np
import pandas as pd

from twosample.core.validation import check_alpha, check_choice, check_int, check_real, check_rng, match_columns
from twosample.kernel.kernels import check_bandwidth, median_distance, squared_distances
from twosample.sequential._rows import StreamRows, _is_frame

__all__ = ["SequentialTest", "Wealth"]

_ONS_STEP = 2 / (2 - math.log(3))  # Cutkosky & Orabona's online Newton step on log(1 + lambda v)
_MAX_FRACTION = 0.5


class _Bettor(abc.ABC):
    """A payoff function g with values in [-1, 1], refitted on the pairs seen so far."""

    @abc.abstractmethod
    def fit(self, x, y, rng) -> None:
        """Fit g on the paired rows seen so far (`x`, `y`: the same number of rows)."""

    @abc.abstractmethod
    def __call__(self, z) -> np.ndarray:
        """g on the rows of `z`, in [-1, 1]."""


class _KernelWitness(_Bettor):
    r"""The MMD witness of the past, :math:`(\hat\mu_x - \hat\mu_y) / \|\hat\mu_x - \hat\mu_y\|_{\mathcal H}`,
    with a Gaussian kernel (bandwidth: the median distance of the first pairs, then fixed).
    Its values lie in [-1, 1] because k(z, z) = 1. The Gram sums behind the norm are updated
    with the rows added since the last fit (linear, not quadratic, in the rows per fit).

    Beyond :attr:`SUPPORT` pairs the witness is built on the most recent :attr:`SUPPORT` pairs at
    each fit, so a payoff costs O(SUPPORT d) and a stream of n pairs O(n SUPPORT d), linear in n
    (on all past pairs it was quadratic: one update of 100,000 pairs ran for more than 5 minutes).
    Any past pairs give a valid bet; the most recent follow a drifting stream."""

    SUPPORT = 2000

    def __init__(self, bandwidth=None):
        self.bandwidth = bandwidth
        self.x = self.y = None
        self.sums = np.zeros(3)  # sum k(x, x'), sum k(y, y'), sum k(x, y) over the past
        self.norm = 0.0

    def _k(self, a, b) -> np.ndarray:
        return np.exp(-squared_distances(a, b, np) / (2 * self.bandwidth**2))

    def fit(self, x, y, rng):
        if self.bandwidth is None:
            self.bandwidth = median_distance(np.vstack([x, y]), rng=rng) or 1.0
        if len(x) > self.SUPPORT:  # a window of the most recent pairs: its sums from scratch
            x, y = x[-self.SUPPORT :], y[-self.SUPPORT :]
            self.x, self.sums = None, np.zeros(3)
        if self.x is None:
            self.x, self.y = x[:0], y[:0]
        new_x, new_y = x[len(self.x) :], y[len(self.y) :]
        k = self._k
        self.sums += [
            2 * k(new_x, self.x).sum() + k(new_x, new_x).sum(),
            2 * k(new_y, self.y).sum() + k(new_y, new_y).sum(),
            k(new_x, self.y).sum() + k(self.x, new_y).sum() + k(new_x, new_y).sum(),
        ]
        self.x, self.y = x, y
        sxx, syy, sxy = self.sums / (len(x) * len(y))
        self.norm = math.sqrt(max(sxx + syy - 2 * sxy, 0.0))

    def __call__(self, z):
        if self.norm <= 1e-12:
            return np.zeros(len(z))
        return np.clip((self._k(z, self.x).mean(1) - self._k(z, self.y).mean(1)) / self.norm, -1.0, 1.0)


class _ClassifierScore(_Bettor):
    """2 P(label x | z) - 1 from a classifier fitted on the past pairs (a fresh clone at every fit)."""

    def __init__(self, classifier=None):
        self.classifier = classifier
        self.model = None

    def fit(self, x, y, rng):
        from sklearn.base import clone
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        # Standardised inputs: the penalised fit, hence every payoff, does not depend on the data's units.
        default = make_pipeline(StandardScaler(), LogisticRegression())
        template = default if self.classifier is None else self.classifier
        model = clone(template)
        if "random_state" in model.get_params(deep=False):
            model.set_params(random_state=int(rng.integers(2**31 - 1)))
        self.model = model.fit(np.vstack([x, y]), np.r_[np.ones(len(x)), np.zeros(len(y))])

    def __call__(self, z):
        proba = self.model.predict_proba(z)[:, list(self.model.classes_).index(1.0)]
        if not np.isfinite(proba).all() or (proba < 0).any() or (proba > 1).any():
            raise ValueError("`classifier`'s predict_proba gave probabilities outside [0, 1] or NaN; it cannot bet.")
        return 2 * proba - 1


class _Threshold(_Bettor):
    """A KS-type bettor in one dimension: +-1 on either side of the threshold where the past
    empirical CDFs differ most, signed so that x's side pays."""

    def __init__(self):
        self.cut, self.sign = 0.0, 0.0

    def fit(self, x, y, rng):
        grid = np.sort(np.r_[x[:, 0], y[:, 0]])
        fx = np.searchsorted(np.sort(x[:, 0]), grid, side="right") / len(x)
        fy = np.searchsorted(np.sort(y[:, 0]), grid, side="right") / len(y)
        best = int(np.argmax(np.abs(fx - fy)))
        self.cut, self.sign = grid[best], float(np.sign(fx[best] - fy[best]))

    def __call__(self, z):
        return self.sign * np.where(z[:, 0] <= self.cut, 1.0, -1.0)


class Wealth:
    r"""The betting wealth :math:`K_t = \prod_{i \le t} (1 + \lambda_i v_i)` on payoffs :math:`v_i \in [-1, 1]`.

    The fraction :math:`\lambda_i \in [0, 1/2]` follows the online Newton step (Cutkosky &
    Orabona 2018) on :math:`\log(1 + \lambda v)`, from the payoffs before i only. Kept on the log
    scale. Whoever supplies the payoffs guarantees that each has mean <= 0 given the past under
    H0 (a payoff function fixed before the pair is drawn, the pair exchangeable under H0); then
    :math:`K_t` is a nonnegative supermartingale and ``P(max K >= 1/alpha) <= alpha``.
    """

    def __init__(self, alpha=0.05):
        self.alpha = check_alpha(alpha)
        self.log, self.max_log = 0.0, 0.0
        self.fraction, self.sum_sq = 0.0, 1.0

    def bet(self, v: float) -> float:
        """Bet the current fraction on payoff `v` (in [-1, 1]); returns the fraction that was bet."""
        if not -1.0 <= v <= 1.0:  # NaN fails too
            raise ValueError(f"a payoff must be in [-1, 1], got {v!r}.")
        fraction = self.fraction
        self.log += math.log1p(fraction * v)
        self.max_log = max(self.max_log, self.log)
        z = v / (1 + fraction * v)
        self.sum_sq += z * z
        self.fraction = min(max(fraction + _ONS_STEP * z / self.sum_sq, 0.0), _MAX_FRACTION)
        return fraction

    @property
    def evalue(self) -> float:
        return math.exp(self.log) if self.log < 709.0 else math.inf

    @property
    def pvalue(self) -> float:
        return min(1.0, math.exp(-self.max_log))

    @property
    def reject(self) -> bool:
        return self.max_log >= -math.log(self.alpha)

    def state(self) -> dict:
        """Plain floats (for a checkpoint)."""
        return {"log": self.log, "max_log": self.max_log, "fraction": self.fraction, "sum_sq": self.sum_sq}

    def load(self, state: dict) -> None:
        self.log, self.max_log = float(state["log"]), float(state["max_log"])
        self.fraction, self.sum_sq = float(state["fraction"]), float(state["sum_sq"])


_BETTORS = {"mmd": _KernelWitness, "c2st": _ClassifierScore, "ks": _Threshold}


class SequentialTest:
    r"""A two-sample test by betting, valid at every sample size at once.

    Parameters
    ----------
    test : {"mmd", "c2st", "ks"}, default "mmd"
        The bettor: the MMD witness of the past pairs (Gaussian kernel), a
        classifier fitted on the past pairs (its score 2 P(x | z) - 1), or the
        threshold where the past empirical CDFs differ most (one-dimensional
        data).
    alpha : float, default 0.05
        The test rejects, once and for good, when the wealth reaches 1 / alpha.
    bandwidth : float, optional
        ``"mmd"``: the Gaussian kernel's length-scale (default: the median
        distance of the first `burn_in` pairs, then fixed). Beyond 2,000 pairs
        the witness uses the 2,000 most recent at each refit (cost linear in
        the length of the stream).
    classifier : scikit-learn classifier, optional
        ``"c2st"``: any estimator with ``predict_proba`` (cloned at every fit;
        default logistic regression).
    burn_in : int, default 20
        Pairs seen before the first bet (the wealth stays 1 meanwhile).
    refit : float, default 1.1
        The bettor is refitted on all past pairs whenever their number has
        grown by this factor (every pair while that is less than one pair):
        each bet uses only pairs seen before it, so the guarantee holds for any
        schedule; a larger factor is cheaper.
    rng : None, int, SeedSequence or Generator
        The only randomness (the bandwidth's subsample, the classifier's seed).

    Attributes
    ----------
    reject : bool
        The wealth has reached 1 / alpha at some point.
    evalue : float
        The current wealth :math:`K_t` (an e-value: E[K_t] <= 1 under H0).
    pvalue : float
        ``min(1, 1 / max_s K_s)``, valid at any stopping time.
    n : int
        Pairs used so far.
    history : pandas.DataFrame
        One row per pair: n, payoff, fraction, wealth, pvalue, reject.

    Notes
    -----
    ``update(x, y)`` takes batches of any sizes: rows are paired in order,
    and rows of the longer batch without a partner wait for the next update
    (they are used, in order, when partners arrive). Pairing requires that,
    under H0, x_t and y_t are independent draws from one law given the past;
    feed the rows in the order they arrived (or shuffled by you), never
    sorted.

    References
    ----------
    .. [1] Shekhar, S. and Ramdas, A. (2023). Nonparametric two-sample testing by
       betting. IEEE Transactions on Information Theory.
    .. [2] Podkopaev, T. and Ramdas, A. (2023). Sequential predictive two-sample and
       independence testing. NeurIPS.

    Examples
    --------
    >>> import numpy as np
    >>> from twosample import SequentialTest
    >>> rng = np.random.default_rng(0)
    >>> test = SequentialTest("mmd", rng=0)
    >>> for _ in range(20):
    ...     _ = test.update(rng.normal(size=(25, 2)), rng.normal(0.5, 1, size=(25, 2)))
    >>> test.reject, test.pvalue < 0.05
    (True, True)
    """

    def __init__(self, test="mmd", *, alpha=0.05, bandwidth=None, classifier=None, burn_in=20, refit=1.1, rng=None):
        self.test = check_choice(test, "test", tuple(_BETTORS))
        self.alpha = check_alpha(alpha)
        self.burn_in = check_int(burn_in, "burn_in", minimum=2)
        self.refit = check_real(refit, "refit", low=1)
        self._rng = check_rng(rng)
        for option, value, owner in (("bandwidth", bandwidth, "mmd"), ("classifier", classifier, "c2st")):
            if value is not None and test != owner:
                raise ValueError(f"`{option}` is an option of test='{owner}'; test={test!r} would not use it.")
        self._bandwidth = None if bandwidth is None else check_bandwidth(bandwidth, allow_median=False)
        if test == "mmd":
            self._bettor = _KernelWitness()
        elif test == "c2st":
            if classifier is not None and not hasattr(classifier, "predict_proba"):
                raise TypeError("`classifier` must be a scikit-learn classifier with predict_proba.")
            self._bettor = _ClassifierScore(classifier)
        else:
            self._bettor = _Threshold()
        self._x, self._y = [], []  # paired rows seen so far
        self._wait_x = self._wait_y = None  # rows without a partner yet
        self._fitted_at = 0
        self._wealth = Wealth(self.alpha)
        self._rows = []
        self._frame = StreamRows()  # columns, width and the magnitude map, fixed by the first update

    # --- public state ----------------------------------------------------------------------

    @property
    def n(self) -> int:
        return len(self._x)

    @property
    def evalue(self) -> float:
        return self._wealth.evalue

    @property
    def pvalue(self) -> float:
        return self._wealth.pvalue

    @property
    def reject(self) -> bool:
        return self._wealth.reject

    @property
    def history(self) -> pd.DataFrame:
        columns = ["n", "payoff", "fraction", "wealth", "pvalue", "reject"]
        return pd.DataFrame(self._rows, columns=columns)

    def __repr__(self):
        return (
            f"SequentialTest(test={self.test!r}, n={self.n}, wealth={self.evalue:.4g}, "
            f"pvalue={self.pvalue:.4g}, reject={self.reject})"
        )

    # --- updating --------------------------------------------------------------------------

    def update(self, x=None, y=None) -> SequentialTest:
        """Bet on the new rows of `x` and `y` (paired in order; unpaired rows wait; None: no new rows); returns self.

        A batch is rows ``(k, d)``; 1-D input is k rows of one column (one pair of
        d-dimensional rows is ``(1, d)``).
        """
        x, y = self._batch(x, y)
        if self._wait_x is not None:
            x, y = np.vstack([self._wait_x, x]), np.vstack([self._wait_y, y])
        pairs = min(len(x), len(y))
        self._wait_x, self._wait_y = x[pairs:], y[pairs:]
        start = 0
        while start < pairs:
            stop = self._next_stop(start, pairs)
            self._bet(x[start:stop], y[start:stop])
            start = stop
        return self

    def _batch(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """The new rows of `x` and `y` (user's units) through the stream's boundary (:class:`StreamRows`):
        DataFrames matched by column name, to each other and to the first update's; the width checked."""
        if _is_frame(x) and _is_frame(y):
            y = match_columns(x, y, "y")
        frame = self._frame
        raw = {name: None if v is None else frame.raw(v, name) for name, v in (("x", x), ("y", y))}
        if not frame.fixed:
            present = [(name, r) for name, r in raw.items() if r is not None]
            if not present:
                return np.empty((0, 0)), np.empty((0, 0))
            widths = sorted({r.shape[1] for _, r in present})
            if len(widths) > 1:
                raise ValueError(f"`x` and `y` have different numbers of columns ({widths[0]} and {widths[1]}).")
            if self.test == "ks" and widths != [1]:
                raise ValueError(f"`{present[0][0]}`: test='ks' bets on one-dimensional data, got {widths[0]} columns.")
            frame.fix(present[0][1])
        return tuple(np.empty((0, frame.width)) if r is None else r for r in raw.values())

    def _mapped(self, rows) -> np.ndarray:
        """Rows in the units the bettor sees; the map is fixed at the first fit from the burn-in pairs (so it
        does not depend on how the stream is batched), with the user's bandwidth mapped alike."""
        frame = self._frame
        if not frame.mapped:
            frame.fix_map(np.vstack([self._x[: self.burn_in], self._y[: self.burn_in]]))
        if self._bandwidth is not None and self._bettor.bandwidth is None:
            self._bettor.bandwidth = frame.length(self._bandwidth)
        return frame(np.asarray(rows).reshape(-1, frame.width))

    def _next_stop(self, start, pairs) -> int:
        """End of the next run of pairs that share one fit of the bettor (the next refit point)."""
        seen = self.n
        if seen < self.burn_in:
            return min(pairs, start + self.burn_in - seen)
        if seen >= self._fitted_at * self.refit or self._fitted_at == 0:
            self._bettor.fit(self._mapped(self._x), self._mapped(self._y), self._rng)
            self._fitted_at = seen
        return min(pairs, start + max(1, math.ceil(self._fitted_at * self.refit) - seen))

    def _bet(self, x, y) -> None:
        """Bet on each pair in turn with the bettor fitted before them; lambda by online Newton step."""
        payoffs = (
            np.zeros(len(x))
            if self.n < self.burn_in
            else (self._bettor(self._mapped(x)) - self._bettor(self._mapped(y))) / 2
        )
        for i, v in enumerate(payoffs):
            fraction = self._wealth.bet(float(v))
            self._x.append(x[i])
            self._y.append(y[i])
            self._rows.append((self.n, float(v), fraction, self.evalue, self.pvalue, self.reject))
