"""Name -> test, with the metadata the CLI and the power engine need.

Each test declares itself once, with ``@register`` beside its function (see
:mod:`twosample.core.spec`); importing the families here fills :data:`TESTS` in their order.
"""

from __future__ import annotations

import inspect

from twosample import classical, ksample, learned  # their @register fill TESTS
from twosample.core.spec import TESTS, TestInfo, info_for
from twosample.kernel import agginc, mmd
from twosample.learned import classifier_tests

__all__ = ["TESTS", "TestInfo", "get_test", "info_for"]

# Listed family by family, each in the order its module defines them (not in import order).
_FAMILIES = [classical, mmd, agginc, classifier_tests, learned, ksample]
_ordered = sorted(
    TESTS.values(),
    key=lambda info: (_FAMILIES.index(inspect.getmodule(info.function)), info.function.__code__.co_firstlineno),
)
TESTS.clear()
TESTS.update((info.name, info) for info in _ordered)


def get_test(name: str) -> TestInfo:
    """The registered test called `name`, with an error listing the valid names."""
    try:
        return TESTS[name]
    except (KeyError, TypeError):
        raise ValueError(f"`test` must be one of {', '.join(TESTS)}; got {name!r}.") from None
