r"""Auditing a frozen generator: a verdict with a p-value, not just a score.

:func:`audit` draws fresh samples from a generator that is no longer trained,
and decides H0: generator = data at level alpha with a battery of two-sample
tests from :mod:`twosample` (a fresh classifier two-sample test, the aggregated
MMD test, per-feature KS tests) and the data-copying test of Meehan et al.
(2020), corrected together for multiplicity (Holm, statsmodels). Beside the
verdict it reports the usual scores, each with an interval where one exists:
fresh-critic lower bounds of JS and KL, the Fréchet distance and KID (on raw
features or a feature map), precision / recall / density / coverage, mode
scores for known mixtures, and the sample size at which the fresh C2ST would
detect this generator with power 0.8.

Which data goes where
---------------------
* ``real_test`` against fresh generated rows: every two-sample test and score.
* ``real_train``: the data-copying test (distances to the training set, cells
  from k-means on it), and, with a second batch of generated rows, the
  training of the divergence critics (which are then evaluated on the test pair).

Tables
------
A synthetic table (DataFrames with categories, booleans or missing values; a GAN of a table; a
sampler or a ``ctgan`` model returning DataFrames) is audited by its own battery
(:mod:`gan.auditing.table_battery`, checks in :mod:`gan.auditing.table_checks`): per-column
comparison, mixed-type C2ST and MMD, pair-wise dependence, copying and the distance to the
closest record, and train-on-synthetic utility, with the same Holm verdict and report.
"""

from gan.auditing import metrics
from gan.auditing.battery import audit
from gan.auditing.checks import CHECKS, CHECKS_BY_NAME, OPTIONAL, REGISTRY, Check
from gan.auditing.features import FEATURE_MAPS, ClassifierFeatures, ModuleFeatures, digits_features, get_feature_map
from gan.auditing.inputs import AuditInputs
from gan.auditing.metrics import ModeCoverage, mode_coverage
from gan.auditing.report import AuditReport
from gan.auditing.scores import (
    CopyingResult,
    ExchangeResult,
    copying_exchange_test,
    copying_test,
    frechet_distance,
    frechet_distance_gaussians,
    inception_score,
    kid,
    knn_radii,
    precision_recall_density_coverage,
)
from gan.auditing.sources import ModuleSampler

__all__ = [
    "AuditInputs",
    "AuditReport",
    "CHECKS",
    "CHECKS_BY_NAME",
    "Check",
    "ClassifierFeatures",
    "CopyingResult",
    "FEATURE_MAPS",
    "ModeCoverage",
    "ModuleFeatures",
    "ModuleSampler",
    "OPTIONAL",
    "REGISTRY",
    "audit",
    "copying_exchange_test",
    "copying_test",
    "ExchangeResult",
    "digits_features",
    "frechet_distance",
    "frechet_distance_gaussians",
    "get_feature_map",
    "inception_score",
    "kid",
    "knn_radii",
    "metrics",
    "mode_coverage",
    "precision_recall_density_coverage",
]
