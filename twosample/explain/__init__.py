"""Where two samples differ: per-feature attribution with family-wise error control
(:func:`attribute`), and the permutation importance and most confident rows of a classifier test
(:func:`c2st_importance`, :func:`confident_rows`). Kernel tests' witness functions live on their
results; the ME and SCF tests carry their locations.

Everything here reuses what a test already fitted or the shared relabelling of the table
comparison: nothing is refitted behind the user's back, and every claim about a feature has its
own p-value and correction.
"""

from twosample.explain.attribution import Attribution, attribute
from twosample.explain.importance import Importance, c2st_importance, confident_rows

__all__ = ["Attribution", "Importance", "attribute", "c2st_importance", "confident_rows"]
