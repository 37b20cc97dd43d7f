"""Samples for a registered test, drawn by the column kinds it declares (``TestInfo.kinds``).

Numeric tests get Gaussian rows; categorical tests labels over four levels of unequal
frequency (strings); boolean tests booleans. ``shift`` moves ``y`` away from ``x``'s law.
"""

import numpy as np

LEVELS = np.array(["a", "b", "c", "d"], dtype=object)
PROBS = np.array([0.4, 0.3, 0.2, 0.1])


def draw_pair(info, rng, n, m, d=1, shift=0.0):
    """(x, y) for `info` (a TestInfo): n and m rows, d columns when the test is multivariate."""
    kind = info.kinds[0]
    if kind == "numeric":
        return rng.normal(size=(n, d)), rng.normal(shift, 1, size=(m, d))
    if kind == "boolean":
        return rng.random(n) < 0.4, rng.random(m) < 0.4 + shift / 2
    tilted = PROBS * np.exp(shift * np.arange(4))
    return rng.choice(LEVELS, n, p=PROBS), rng.choice(LEVELS, m, p=tilted / tilted.sum())
