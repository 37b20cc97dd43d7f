"""The applications: files in and out (:mod:`~twosample.app.io`), the command line (:mod:`~twosample.app.cli`),
reports and figures (:mod:`~twosample.app.report`, :mod:`~twosample.app.plotting`), the demo
(:mod:`~twosample.app.demo`). Only the files' functions are imported here: the command line and the demo load
when they run."""

from twosample.app.io import DataFileWarning, load_sample, load_table, save_sample

__all__ = [
    "DataFileWarning",
    "load_sample",
    "load_table",
    "save_sample",
]
