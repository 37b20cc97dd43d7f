"""What every explanation's result shares: one row per feature (or group), with a decision in ``reject``."""

from __future__ import annotations

import dataclasses

import pandas as pd

from twosample.core.result import jsonable

__all__ = ["FeatureTable"]


@dataclasses.dataclass(frozen=True, repr=False)
class FeatureTable:
    """Base of :class:`~twosample.explain.Attribution` and :class:`~twosample.explain.Importance`."""

    table: pd.DataFrame

    @property
    def significant(self) -> list:
        """The features (or groups) whose corrected p-value is at most `alpha`, strongest first."""
        return list(self.table.loc[self.table["reject"], "feature"])

    def to_dict(self) -> dict:
        """Strict-JSON dictionary (the table as a list of rows)."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "table"}
        return jsonable({**out, "table": self.table.to_dict(orient="records")})
