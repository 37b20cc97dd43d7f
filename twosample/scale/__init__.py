"""Tests on data of any size: parquet files, Dask collections, iterators of frames (docs/scale.md).

Every test here is computed from summaries formed partition by partition and merged exactly (counts,
exact sums, integer feature sums, the rows with the smallest random keys), so its result does not
depend on how the rows are partitioned or on the number of workers, and the p-value is exact for the
statistic computed wherever the null is conditional (counts and bins).
"""

from twosample.scale.compare import compare
from twosample.scale.learned import classifier_test, rff_mmd_test
from twosample.scale.sources import Source, as_source
from twosample.scale.tests import binned_test, counts_test, hotelling_test, welch_test

__all__ = [
    "Source",
    "as_source",
    "binned_test",
    "classifier_test",
    "compare",
    "counts_test",
    "hotelling_test",
    "rff_mmd_test",
    "welch_test",
]
