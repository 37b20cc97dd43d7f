"""k-sample tests (H0: all k samples come from one law), by relabelling the pooled rows:
:mod:`~twosample.ksample.relabelling` (``energy-k``, ``mmd-k``, ``ks-k``)."""

from twosample.ksample.relabelling import energy_ksample_test, ks_ksample_test, mmd_ksample_test

__all__ = ["energy_ksample_test", "ks_ksample_test", "mmd_ksample_test"]
