"""A scikit-learn-compatible torch MLP classifier (the ``"torch-mlp"`` C2ST preset).

Trains on ``device`` (CPU here, CUDA where a user has it); the weights and the
minibatch order are seeded from ``random_state`` on the CPU, so the fit does not
depend on the device's own random number generator.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from twosample.core.optional import require
from twosample.core.torch_utils import SMALL_NETWORK_THREADS, mlp, torch_generator, torch_threads

__all__ = ["TorchMLPClassifier"]


class TorchMLPClassifier(ClassifierMixin, BaseEstimator):
    """Binary MLP classifier trained with Adam on the logistic loss.

    Parameters
    ----------
    hidden : int, default 20
        Width of each hidden layer.
    layers : int, default 1
        Number of hidden layers.
    epochs : int, default 100
        Passes over the training data.
    batch_size : int, default 128
    lr : float, default 1e-3
        Adam's learning rate.
    weight_decay : float, default 0.0
    device : str, default "cpu"
    random_state : int, optional
        Seeds the weights and the minibatch order.
    threads : int, optional
        torch CPU threads while fitting (default 1: the network is small; see
        :func:`twosample.core.torch_utils.torch_threads`).

    Attributes
    ----------
    classes_ : numpy.ndarray
    module_ : torch.nn.Module
    mean_, scale_ : numpy.ndarray
        Input standardisation learnt from the training data.
    """

    def __init__(
        self,
        *,
        hidden=20,
        layers=1,
        epochs=100,
        batch_size=128,
        lr=1e-3,
        weight_decay=0.0,
        device="cpu",
        random_state=None,
        threads=None,
    ):
        self.hidden = hidden
        self.layers = layers
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.device = device
        self.random_state = random_state
        self.threads = threads

    def fit(self, X, y):
        torch = require("torch")

        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) != 2:
            raise ValueError(f"TorchMLPClassifier is binary; got {len(self.classes_)} classes.")
        target = (y == self.classes_[1]).astype(np.float32)
        self.mean_ = X.mean(axis=0)
        self.scale_ = np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
        rng = np.random.default_rng(self.random_state)
        self.module_ = mlp(
            X.shape[1], 1, hidden=self.hidden, layers=self.layers, generator=torch_generator(rng), device=self.device
        )
        data = torch.as_tensor((X - self.mean_) / self.scale_, dtype=torch.float32, device=self.device)
        labels = torch.as_tensor(target, device=self.device)
        opt = torch.optim.Adam(self.module_.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        loss_fn = torch.nn.BCEWithLogitsLoss()
        with torch_threads(SMALL_NETWORK_THREADS if self.threads is None else self.threads):
            for _ in range(self.epochs):
                order = torch.as_tensor(rng.permutation(len(X)), device=self.device)
                for start in range(0, len(X), self.batch_size):
                    idx = order[start : start + self.batch_size]
                    opt.zero_grad()
                    loss_fn(self.module_(data[idx])[:, 0], labels[idx]).backward()
                    opt.step()
        return self

    def decision_function(self, X):
        """Log-odds of ``classes_[1]``."""
        torch = require("torch")

        X = (np.asarray(X, dtype=np.float64) - self.mean_) / self.scale_
        with torch.no_grad():
            out = self.module_(torch.as_tensor(X, dtype=torch.float32, device=self.device))
        return out[:, 0].double().cpu().numpy()

    def predict_proba(self, X):
        p1 = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - p1, p1])

    def predict(self, X):
        return self.classes_[(self.decision_function(X) > 0).astype(int)]
