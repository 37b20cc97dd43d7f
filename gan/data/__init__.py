"""The data layer, the bottom of :mod:`gan`: data sets as rows, labels and known modes
(:mod:`~gan.data.datasets`), and tables as rows and back (:mod:`~gan.data.tables`). It imports
nothing else of :mod:`gan`."""

from gan.data import datasets, tables
from gan.data.datasets import Dataset, get_dataset
from gan.data.tables import TableTransformer

__all__ = ["Dataset", "TableTransformer", "datasets", "get_dataset", "tables"]
