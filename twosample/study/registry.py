"""Name -> test, with the metadata the CLI and the power engine need.

Each test declares itself once, with ``@register`` beside its function (see
:mod:`twosample.core.spec`); importing the families here fills :data:`TESTS`, which lists them
family by family (:data:`twosample.core.spec.FAMILIES`), each in the order of registration.
"""

from __future__ import annotations

from twosample import classical, kernel, ksample, learned  # noqa: F401 (their @register fill TESTS)
from twosample.core.spec import TESTS, TestInfo, info_for

__all__ = ["TESTS", "TestInfo", "get_test", "info_for"]


def get_test(name: str) -> TestInfo:
    """The registered test called `name`, with an error listing the valid names."""
    try:
        return TESTS[name]
    except (KeyError, TypeError):
        raise ValueError(f"`test` must be one of {', '.join(TESTS)}; got {name!r}.") from None
