"""Studying tests: scenarios (:mod:`~twosample.study.scenarios`), level and power by simulation
(:mod:`~twosample.study.simulation`), and the registry of tests (:mod:`~twosample.study.registry`)."""

from twosample.study import scenarios
from twosample.study.registry import (
    TESTS,
    TestInfo,
    get_test,
    info_for,
)
from twosample.study.simulation import (
    PowerResult,
    level,
    power,
    power_curve,
)

__all__ = [
    "scenarios",
    "PowerResult",
    "TESTS",
    "TestInfo",
    "get_test",
    "info_for",
    "level",
    "power",
    "power_curve",
]
