"""The data layer, the bottom of :mod:`gan`: data sets as rows, labels and known modes
(:mod:`~gan.data.datasets`). It imports nothing else of :mod:`gan`."""

from gan.data import datasets
from gan.data.datasets import Dataset, get_dataset

__all__ = ["Dataset", "datasets", "get_dataset"]
