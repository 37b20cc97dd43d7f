"""Progress bars: one tqdm helper, and a switch the command lines turn on.

Library calls are quiet by default. ``with show_progress():`` (the ``twosample``
and ``gan`` commands use it) turns on bars for the long loops inside a call:
the permutation engine's relabellings and the training loops of the learned
tests, each shown only where someone watches (a terminal, or a Jupyter notebook, where
``tqdm.auto`` draws a widget) unless told otherwise.
"""

from __future__ import annotations

import contextlib
import contextvars
import sys

__all__ = ["progress_bar", "progress_enabled", "progress_range", "show_progress", "watched"]

# False: quiet (the library default); None: where someone watches (watched()); True: always.
_ENABLED: contextvars.ContextVar = contextvars.ContextVar("twosample_progress", default=False)


@contextlib.contextmanager
def show_progress(enabled: bool | None = None):
    """Show progress bars inside the block (None: only when stderr is a terminal)."""
    token = _ENABLED.set(enabled)
    try:
        yield
    finally:
        _ENABLED.reset(token)


def progress_enabled() -> bool | None:
    """The setting of the innermost :func:`show_progress` (False outside any)."""
    return _ENABLED.get()


def watched() -> bool:
    """Whether a bar would be seen: stderr is a terminal, or the code runs in a Jupyter kernel.

    A notebook's stderr is not a terminal, yet ``tqdm.auto`` draws a widget there; a script whose
    output goes to a file or a pipe (CI logs) gets no bar.
    """
    if sys.stderr.isatty():
        return True
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    return type(shell).__name__ == "ZMQInteractiveShell"


def progress_bar(total, enabled, *, desc, unit, initial=0):
    """A tqdm bar, shown where someone watches (:func:`watched`) unless `enabled` says otherwise (also gan.train)."""
    from tqdm.auto import tqdm

    show = watched() if enabled is None else bool(enabled)
    return tqdm(total=total, initial=initial, disable=not show, desc=desc, unit=unit, leave=False)


def progress_range(n: int, *, desc: str, unit: str = "step"):
    """``range(n)``, with a bar when :func:`show_progress` is on (for training loops)."""
    enabled = progress_enabled()
    if enabled is False:
        return range(n)
    from tqdm.auto import tqdm

    show = watched() if enabled is None else bool(enabled)
    return tqdm(range(n), disable=not show, desc=desc, unit=unit, leave=False)
