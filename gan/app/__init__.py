"""The applications, as in :mod:`twosample.app`: the ``gan`` command line (:mod:`~gan.app.cli`, also
``python -m gan``) and the demo (:mod:`~gan.app.demo`, ``make demo``). Nothing is imported here:
the command line and the demo load when they run, and nothing in the layers below imports them."""

__all__: list[str] = []
