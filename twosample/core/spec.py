"""A test declared once: ``@register`` beside the function, the rest read from its signature.

The decorator records a :class:`TestInfo` and returns the function unchanged. What the
registry, the command line and the power engine need is derived, not repeated: the nulls
from the ``Literal`` annotation of ``method`` (or ``null``, for the C2ST), the alternatives
from that of ``alternative``, whether the test resamples (it takes ``n_resamples``), whether
it learns its statistic (it takes ``steps``). The function's own argument checks read the
same declaration (:func:`choices`), and its results carry the registered name
(:func:`name_of`).
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from collections.abc import Callable

__all__ = ["FAMILIES", "KINDS", "TESTS", "TestInfo", "choices", "info_for", "name_of", "register"]


@dataclasses.dataclass(frozen=True)
class TestInfo:
    """A registered test.

    Attributes
    ----------
    name : str
        Registry name (used by the CLI: ``--test NAME``).
    function : callable
        ``function(x, y, *, alpha=0.05, rng=None, ...) -> TestResult``.
    multivariate : bool
        Whether samples may have more than one column.
    methods : tuple of str
        The nulls the test offers; the first is the default. Taken from the
        ``Literal`` annotation of its ``method`` (or ``null``) argument; a test
        with neither has one null, declared at registration.
    alternatives : tuple of str
        Values accepted by ``alternative=`` (``("greater",)``: the test takes
        no ``alternative`` argument).
    description : str
        One line for listings.
    resampling : bool
        Whether the test takes ``n_resamples`` (one of its nulls resamples).
    learned : bool
        Whether the test fits its statistic (a torch network) on a training
        split; it takes ``steps`` (training length) and ``device``.
    stacked : callable or None
        ``stacked(xs, ys, *, alpha, rngs, **kwargs)``: the p-values of many
        repetitions at once (SciPy's vectorised analytic nulls), used by
        :func:`twosample.power`; it returns None for options it does not
        vectorise. None: the power engine runs the test once per repetition.
    method_parameter : str or None
        The argument that selects the null (``"method"``, or ``"null"`` for the
        C2ST); None when the test has a single null.
    kinds : tuple of str
        The column kinds the test takes: ``("numeric",)`` (real-valued arrays,
        the default), ``("categorical",)`` (labels: strings, categories,
        booleans or integer codes) or ``("numeric", "categorical")`` (mixed
        tables, e.g. DataFrames with both). The contract suites draw each
        test's data by its kinds.
    family : str
        The package the test belongs to (``"classical"``, ``"kernel"``,
        ``"learned"``, ``"ksample"``; a test registered from outside the
        library: ``"outside:<its top-level module>"``); listings go family by
        family, then the tests from outside, each in order of registration.
    """

    __test__ = False  # not a pytest test class, despite the name

    name: str
    function: Callable
    multivariate: bool
    methods: tuple[str, ...]
    alternatives: tuple[str, ...]
    description: str
    resampling: bool = True
    learned: bool = False
    stacked: Callable | None = None
    method_parameter: str | None = None
    kinds: tuple[str, ...] = ("numeric",)
    family: str = ""

    def __call__(self, x, y, *samples, **kwargs):
        """Run the test (k-sample tests take further samples after `x` and `y`)."""
        return self.function(x, y, *samples, **kwargs)


TESTS: dict[str, TestInfo] = {}
_BY_FUNCTION: dict[Callable, TestInfo] = {}
# Listings go family by family, each in the order of registration; tests registered from outside the
# library come after these, in order of registration.
FAMILIES = ("classical", "categorical", "kernel", "learned", "ksample")
# The column kinds a test can declare it takes.
KINDS = ("numeric", "categorical", "boolean")


def _family(func) -> str:
    """``twosample.<family>.<module>`` -> family; a test registered from outside the library: its
    top-level module (listed after the library's families, in order of registration)."""
    parts = (getattr(func, "__module__", None) or "").split(".")
    return parts[1] if parts[0] == "twosample" and len(parts) > 1 else f"outside:{parts[0]}"


def _add(info: TestInfo) -> None:
    """Record `info` and keep :data:`TESTS` ordered by family, then by registration."""
    if info.name in TESTS:
        raise ValueError(f"a test called {info.name!r} is registered already.")
    rank = {family: i for i, family in enumerate(FAMILIES)}
    ordered = sorted([*TESTS.values(), info], key=lambda i: rank.get(i.family, len(FAMILIES)))  # stable
    TESTS.clear()
    TESTS.update((i.name, i) for i in ordered)
    _BY_FUNCTION[info.function] = info


def _literal(func, parameter: str) -> tuple[str, ...] | None:
    """The options of a ``Literal[...]`` annotation, the default first; None without the parameter."""
    params = inspect.signature(func).parameters
    if parameter not in params:
        return None
    hint = typing.get_type_hints(func).get(parameter)
    options = typing.get_args(hint) if typing.get_origin(hint) is typing.Literal else ()
    if not options:
        raise TypeError(f"{func.__name__}: annotate `{parameter}` with Literal[...] to register it.")
    default = params[parameter].default
    return (default, *[o for o in options if o != default])


def register(
    name: str,
    *,
    description: str,
    multivariate: bool = True,
    null: str = "permutation",
    stacked: Callable | None = None,
    kinds: tuple[str, ...] = ("numeric",),
):
    """Register the decorated test under `name` (the function is returned unchanged).

    `null` names the only null of a test without a ``method``/``null``
    argument; `stacked` is its vectorised path for the power engine;
    `kinds` the column kinds it takes (``"numeric"``, ``"categorical"``).
    """
    unknown = set(kinds) - set(KINDS)
    if not kinds or unknown:
        raise ValueError(f"`kinds` must be a non-empty subset of {KINDS}, got {kinds!r}.")

    def decorate(func):
        params = inspect.signature(func).parameters
        method_parameter = next((p for p in ("method", "null") if p in params), None)
        methods = _literal(func, method_parameter) if method_parameter else (null,)
        info = TestInfo(
            name=name,
            function=func,
            multivariate=multivariate,
            methods=methods,
            alternatives=_literal(func, "alternative") or ("greater",),
            description=description,
            resampling="n_resamples" in params,
            learned="steps" in params,
            stacked=stacked,
            method_parameter=method_parameter,
            kinds=tuple(kinds),
            family=_family(func),
        )
        _add(info)
        return func

    return decorate


def name_of(func) -> str:
    """The registered name of a test function (what its results carry in ``test``)."""
    return _BY_FUNCTION[func].name


def choices(func, parameter: str) -> tuple[str, ...]:
    """The declared options of a test's ``method``/``null``/``alternative`` argument."""
    info = _BY_FUNCTION[func]
    return info.alternatives if parameter == "alternative" else info.methods


def info_for(test) -> TestInfo | None:
    """The registry entry of `test` (a TestInfo, or a registered function such as ``ts.t_test``), else None."""
    if isinstance(test, TestInfo):
        return test
    try:
        return _BY_FUNCTION.get(test)
    except TypeError:  # an unhashable callable is no registered function
        return None
