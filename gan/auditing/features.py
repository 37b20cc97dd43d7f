"""Feature maps for the audit: a named built-in, any callable, or any ``torch.nn.Module``.

No weights are downloaded: the built-in map is trained on scikit-learn's bundled digits in a
second, and a network whose weights the user has (Inception, CLIP, a domain model) plugs in
as a module through :class:`ModuleFeatures` (see docs/audit.md).
"""

from __future__ import annotations

import numpy as np

from twosample.core.validation import check_int

__all__ = ["FEATURE_MAPS", "ClassifierFeatures", "ModuleFeatures", "digits_features", "get_feature_map"]

_DIGITS_MODEL = None


class ClassifierFeatures:
    """A feature map with the class probabilities beside it: ``f(rows) -> features`` and
    ``f.predict_proba(rows)`` (what the Inception score reads), declared rather than attached.

    Parameters
    ----------
    model : fitted scikit-learn ``MLPClassifier``
        Its first hidden layer (ReLU) is the feature map.
    n_columns : int
        Columns the rows must have.
    """

    def __init__(self, model, n_columns: int):
        self.model = model
        self.n_columns = n_columns

    def __call__(self, rows):
        rows = np.asarray(rows, float)
        if rows.shape[1] != self.n_columns:
            raise ValueError(f"`features='digits'` needs {self.n_columns} columns (8x8 images), got {rows.shape[1]}.")
        return np.maximum(rows @ self.model.coefs_[0] + self.model.intercepts_[0], 0.0)

    def predict_proba(self, rows):
        return self.model.predict_proba(rows)


def digits_features() -> ClassifierFeatures:
    """A feature map for 8x8 digits in [-1, 1]: the hidden layer (64 ReLU) of a small
    scikit-learn MLP trained on the bundled digits (random_state 0), with ``predict_proba``
    for the Inception score."""
    global _DIGITS_MODEL
    if _DIGITS_MODEL is None:
        import warnings

        from sklearn.datasets import load_digits
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier

        data = load_digits()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            _DIGITS_MODEL = MLPClassifier(hidden_layer_sizes=(64,), max_iter=300, random_state=0).fit(
                data.data / 8.0 - 1.0, data.target
            )
    return ClassifierFeatures(_DIGITS_MODEL, 64)


class ModuleFeatures:
    """A ``torch.nn.Module`` as a feature map: rows in, float64 features out.

    Parameters
    ----------
    module : torch.nn.Module
        Run in eval mode, without gradients, in batches, on `device` (its own
        mode is restored afterwards). Its output is flattened per row.
    input_shape : tuple of int, optional
        Shape one row is reshaped to before the module, e.g. ``(3, 32, 32)``
        for images stored as flat rows (default: rows as they are).
    probabilities : torch.nn.Module, optional
        A head mapping the same inputs to class logits; gives ``predict_proba``
        (softmax), which the Inception score reads.
    batch_size : int, default 256
    device : str, default "cpu"
    """

    def __init__(self, module, *, input_shape=None, probabilities=None, batch_size=256, device="cpu"):
        self.module = module
        self.input_shape = None if input_shape is None else _check_shape(input_shape)
        self.batch_size = check_int(batch_size, "batch_size")
        self.device = device
        if probabilities is not None:
            self.probabilities = probabilities
            self.predict_proba = self._predict_proba

    def __call__(self, rows) -> np.ndarray:
        return self._run(self.module, rows)

    def _predict_proba(self, rows) -> np.ndarray:
        logits = self._run(self.probabilities, rows)
        logits -= logits.max(1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(1, keepdims=True)

    def _run(self, module, rows) -> np.ndarray:
        import torch

        rows = np.asarray(rows, dtype=np.float32)
        shape = (len(rows), *self.input_shape) if self.input_shape is not None else rows.shape
        if self.input_shape is not None and int(np.prod(self.input_shape)) != rows.shape[1]:
            raise ValueError(f"`features`: rows of {rows.shape[1]} columns cannot be reshaped to {self.input_shape}.")
        inputs = torch.from_numpy(rows.reshape(shape))
        was_training = module.training
        module.eval()
        try:
            with torch.no_grad():
                parts = [
                    self._batch(module, inputs[i : i + self.batch_size]) for i in range(0, len(inputs), self.batch_size)
                ]
        finally:
            module.train(was_training)
        return torch.cat(parts).double().cpu().numpy()

    def _batch(self, module, batch):
        """The module's output on one batch, one row per input row; a failure is an error naming `features`."""
        try:
            out = module(batch.to(self.device))
        except Exception as exc:  # the user's network: its own error, said as one line
            words = " ".join(str(exc).split())[:240]
            raise ValueError(
                f"`features`: the module failed on a batch of shape {tuple(batch.shape)}: {type(exc).__name__}: {words}"
            ) from None
        if not hasattr(out, "shape") or out.ndim == 0 or out.shape[0] != len(batch):
            got = tuple(out.shape) if hasattr(out, "shape") else type(out).__name__
            raise ValueError(f"`features` must map {len(batch)} rows to {len(batch)} feature rows; got {got}.")
        return out.reshape(len(batch), -1)


def _check_shape(input_shape) -> tuple:
    """`input_shape` as a tuple of positive integers, or a ValueError naming it."""
    try:
        shape = tuple(input_shape)
    except TypeError:
        shape = None
    if not shape or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s > 0 for s in shape):
        raise ValueError(f"`input_shape` must be a non-empty tuple of positive integers, got {input_shape!r}.")
    return tuple(int(s) for s in shape)


#: Built-in feature maps by name (no downloads: each is built from data a package ships).
FEATURE_MAPS = {"digits": digits_features}


def get_feature_map(features, *, device="cpu"):
    """A feature map from `features`: None (raw rows), a name in :data:`FEATURE_MAPS`, a
    ``torch.nn.Module`` (wrapped in :class:`ModuleFeatures`) or a callable ``rows -> features``."""
    from .sources import is_module

    if features is None or (callable(features) and not is_module(features)):
        return features
    if isinstance(features, str) and features in FEATURE_MAPS:
        return FEATURE_MAPS[features]()
    if is_module(features):
        return ModuleFeatures(features, device=device)
    raise ValueError(
        f"`features` must be None, one of {', '.join(map(repr, FEATURE_MAPS))}, a torch.nn.Module or a callable "
        f"mapping rows to features; got {features!r}."
    )
