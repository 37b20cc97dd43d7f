"""Feature maps for the audit's scores: the bundled-digits classifier, or any callable."""

from __future__ import annotations

import numpy as np

__all__ = ["ClassifierFeatures", "digits_features"]

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


def _feature_map(features):
    if features == "digits":
        return digits_features()
    if features is not None and not callable(features):
        raise ValueError(f"`features` must be None, 'digits' or a callable mapping rows to features; got {features!r}.")
    return features
