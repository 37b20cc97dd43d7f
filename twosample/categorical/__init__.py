"""Two-sample tests of categorical, boolean and ordinal labels (2 x K tables, exact conditional nulls)."""

from twosample.categorical.labels import Labels, encode_labels
from twosample.categorical.mixed import c2st_mixed_test, encode_table, mmd_mixed_test
from twosample.categorical.tests import chi2_test, fisher_test, g_test, ordinal_ks_test, ordinal_mwu_test, tvd_test

__all__ = [
    "c2st_mixed_test",
    "encode_table",
    "mmd_mixed_test",
    "Labels",
    "chi2_test",
    "encode_labels",
    "fisher_test",
    "g_test",
    "ordinal_ks_test",
    "ordinal_mwu_test",
    "tvd_test",
]
