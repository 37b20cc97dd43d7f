"""Testing as data arrives: anytime-valid tests by betting, and a fit-once detector."""

from twosample.sequential.betting import SequentialTest, Wealth
from twosample.sequential.detector import Detector

__all__ = ["Detector", "SequentialTest", "Wealth"]
