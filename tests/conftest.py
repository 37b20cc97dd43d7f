"""Shared test configuration.

Hypothesis runs derandomised in CI (CI=true) so a submission's result is
reproducible; locally it explores new examples on every run.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", derandomize=True, max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# The suite's networks are tiny: one torch thread is as fast, and two threads on this 2-core
# machine spin-wait against each other (small ops measured 10x slower while anything else ran).
import torch  # noqa: E402

torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _close_figures():
    """Close the figures a test left open: pyplot keeps every figure made through it, and past 20
    it warns, which a later test that counts a command's warning lines would see."""
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
