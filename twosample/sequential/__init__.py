"""Sequential two-sample tests: anytime-valid testing by betting."""

from twosample.sequential.betting import SequentialTest

__all__ = ["SequentialTest"]
