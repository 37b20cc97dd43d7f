"""The C2ST's "mlp" preset without scikit-learn's per-epoch overhead.

:class:`LeanMLPClassifier` computes what ``sklearn.neural_network.MLPClassifier(
hidden_layer_sizes=(h,), solver="adam", max_iter=100)`` computes for two classes, operation for
operation: Glorot-uniform weights drawn from the same ``RandomState`` in the same order, the epoch's
shuffle of the sample indices, batches of ``min(200, n)``, ReLU then the logistic output, binary
log-loss with the L2 term, Adam's moments and bias correction, and the training-loss stopping rule
(``tol``, ``n_iter_no_change``). The test suite checks that its probabilities equal scikit-learn's.

Why not scikit-learn's own? On the small samples of power studies and audits (tens to hundreds of
rows) an epoch is a few microseconds of arithmetic, and scikit-learn's estimator spends most of each
epoch elsewhere: ``utils.shuffle`` and ``_safe_indexing`` on every epoch and batch run its
dataframe-detection and parameter checks (about three quarters of a fit at n = 50). The C2ST's
"auto" rule fits this network four times per test (three folds and the final fit), so that
overhead was most of the default C2ST's time and of the demo's power study.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, xlogy
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state

__all__ = ["LeanMLPClassifier"]

_EPS = float(np.finfo(np.float64).eps)
_add, _divide, _matmul, _dot = np.add, np.divide, np.matmul, np.dot


class LeanMLPClassifier(ClassifierMixin, BaseEstimator):
    """One hidden ReLU layer, logistic output, Adam: scikit-learn's MLPClassifier for two classes.

    Parameters are scikit-learn's, with its defaults; ``hidden`` is ``hidden_layer_sizes=(hidden,)``.
    """

    def __init__(
        self,
        hidden=20,
        max_iter=100,
        alpha=1e-4,
        learning_rate_init=1e-3,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        tol=1e-4,
        n_iter_no_change=10,
        random_state=None,
    ):
        self.hidden = hidden
        self.max_iter = max_iter
        self.alpha = alpha
        self.learning_rate_init = learning_rate_init
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state

    def fit(self, X, y):
        X = np.asarray(X, dtype=np.float64)
        classes, codes = np.unique(np.asarray(y), return_inverse=True)
        if X.ndim != 2 or len(classes) != 2 or len(X) != len(codes):
            raise ValueError("LeanMLPClassifier takes a 2-D X and labels of exactly two classes.")
        self.classes_ = classes
        target = codes.astype(np.float64).reshape(-1, 1)
        random_state = check_random_state(self.random_state)
        shapes = [(X.shape[1], self.hidden), (self.hidden, 1), (self.hidden,), (1,)]  # W0, W1, b0, b1
        self._flat = np.empty(sum(int(np.prod(s)) for s in shapes))
        self._grad = np.empty_like(self._flat)
        params, self._grads = _views(self._flat, shapes), _views(self._grad, shapes)
        for layer, (fan_in, fan_out) in enumerate(((X.shape[1], self.hidden), (self.hidden, 1))):
            bound = np.sqrt(6.0 / (fan_in + fan_out))  # scikit-learn's draws, in its order
            params[layer][...] = random_state.uniform(-bound, bound, (fan_in, fan_out))
            params[2 + layer][...] = random_state.uniform(-bound, bound, fan_out)
        self.coefs_, self.intercepts_ = params[:2], params[2:]
        self._train(X, target, random_state)
        return self

    def _train(self, X, target, random_state):
        """Adam over shuffled batches, stopped as scikit-learn stops (training loss, `tol`).

        The four parameter arrays are views of one vector, and so are their gradients, so Adam's
        element-wise update (the same operations on each element as scikit-learn's four arrays) is
        one pass.
        """
        adam = _Adam(self._flat, self.learning_rate_init, self.beta_1, self.beta_2, self.epsilon)
        n = len(X)
        batch = min(200, n)
        order = np.arange(n, dtype=int)
        best, stale = np.inf, 0
        self.loss_curve_ = []
        self.n_iter_ = 0
        for _ in range(self.max_iter):
            shuffled = np.arange(n)
            random_state.shuffle(shuffled)
            order = order[shuffled]
            total = 0.0
            for start in range(0, n, batch):
                idx = order[start : start + batch]
                total += self._loss_and_grads(X[idx], target[idx]) * len(idx)
                adam.step(self._flat, self._grad)
            self.n_iter_ += 1
            self.loss_curve_.append(total / n)
            stale = stale + 1 if self.loss_curve_[-1] > best - self.tol else 0
            best = min(best, self.loss_curve_[-1])
            if stale > self.n_iter_no_change:
                break

    def _loss_and_grads(self, X, target):
        """Binary log-loss with the L2 term; its gradients, as scikit-learn's, go to `_grads` (W0, W1, b0, b1).

        The ufuncs behind NumPy's wrappers, called directly (``np.clip`` of finite values is
        ``minimum(maximum(.))``; ``np.sum`` and ``mean`` are ``add.reduce``, then a division by
        the count): the same numbers without the wrappers' checks, which were a third of an epoch
        at tens of rows.
        """
        w0, w1 = self.coefs_
        n = X.shape[0]
        hidden, out = self._forward(X)
        clipped = np.minimum(np.maximum(out, _EPS), 1 - _EPS)
        terms = xlogy(target, clipped) + xlogy(1 - target, 1 - clipped)
        loss = -(_add.reduce(terms, axis=0) / n).sum()  # np.average's .mean(axis=0).sum()
        flat_w0, flat_w1 = w0.ravel(), w1.ravel()
        loss += (0.5 * self.alpha) * (0 + _dot(flat_w0, flat_w0) + _dot(flat_w1, flat_w1)) / n
        g_w0, g_w1, g_b0, g_b1 = self._grads
        delta_out = out - target
        _matmul(hidden.T, delta_out, out=g_w1)
        g_w1 += self.alpha * w1
        g_w1 /= n
        _divide(_add.reduce(delta_out, axis=0), n, out=g_b1)
        delta_hidden = delta_out @ w1.T
        delta_hidden *= hidden > 0  # ReLU's derivative; values as the masked assignment (a zero may take a sign)
        _matmul(X.T, delta_hidden, out=g_w0)
        g_w0 += self.alpha * w0
        g_w0 /= n
        _divide(_add.reduce(delta_hidden, axis=0), n, out=g_b0)
        return loss

    def _forward(self, X):
        """The hidden ReLU layer and the logistic output, in scikit-learn's order of operations."""
        (w0, w1), (b0, b1) = self.coefs_, self.intercepts_
        hidden = X @ w0
        hidden += b0
        np.maximum(hidden, 0, out=hidden)
        out = hidden @ w1
        out += b1
        return hidden, expit(out, out=out)

    def predict_proba(self, X):
        p = self._forward(np.asarray(X, dtype=np.float64))[1].ravel()
        return np.vstack([1 - p, p]).T

    def predict(self, X):
        return self.classes_[(self.predict_proba(X)[:, 1] > 0.5).astype(int)]


def _views(flat, shapes):
    """Consecutive views of `flat` with these shapes."""
    out, start = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        out.append(flat[start : start + size].reshape(shape))
        start += size
    return out


class _Adam:
    """scikit-learn's AdamOptimizer (the same moments, bias correction and order of operations per
    element) on one vector of parameters."""

    def __init__(self, params, learning_rate_init, beta_1, beta_2, epsilon):
        self.lr0, self.beta_1, self.beta_2, self.epsilon = learning_rate_init, beta_1, beta_2, epsilon
        self.t = 0
        self.m = np.zeros_like(params)
        self.v = np.zeros_like(params)

    def step(self, params, grads):
        self.t += 1
        self.m = self.beta_1 * self.m + (1 - self.beta_1) * grads
        self.v = self.beta_2 * self.v + (1 - self.beta_2) * (grads**2)
        rate = self.lr0 * np.sqrt(1 - self.beta_2**self.t) / (1 - self.beta_1**self.t)
        params += -rate * self.m / (np.sqrt(self.v) + self.epsilon)
