"""Real mixed-type tables that installed packages ship (nothing downloaded), for the table GAN benchmark.

Each loader returns ``(table, target)``: a DataFrame whose coded columns are turned into the
categories their documentation gives them, and the categorical column that the utility score
(train on synthetic, test on real) predicts.

* ``penguins``: palmerpenguins' 344 penguins (species, island, sex as text, 11 sexes and 2 rows of
  measurements missing; bill, flipper and mass numbers; year an integer); target ``species``.
* ``anes96``: statsmodels' 1996 American National Election Study, 944 voters: party identification
  (7 levels) and education (7 levels) as categories, the vote (Clinton / Dole) as text, the 1-7
  left-right placements, TV news days, age, income band and population density as numbers
  (``logpopul`` left out: it is a function of ``popul``); target ``vote``.
* ``fair``: statsmodels' affairs survey (Fair 1978), 6,366 women: the rating of the marriage (5
  levels), religiousness (4), her occupation and her husband's (6 each) as categories; age, years
  married, children, education and the affairs measure as numbers; target ``rate_marriage``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["TABLES", "load", "split"]


def _penguins():
    import palmerpenguins

    return palmerpenguins.load_penguins(), "species"


def _category(codes: pd.Series, labels: dict) -> pd.Categorical:
    """Integer codes as an ordered set of named categories (every documented level kept)."""
    return pd.Categorical(codes.astype(int).map(labels), categories=list(labels.values()))


def _anes96():
    from statsmodels.datasets import anes96

    data = anes96.load_pandas().data.drop(columns=["logpopul"])
    party = ["strong Dem", "weak Dem", "ind Dem", "independent", "ind Rep", "weak Rep", "strong Rep"]
    school = ["1-8 grades", "some high school", "high school", "some college", "college", "master's", "PhD"]
    data["PID"] = _category(data["PID"], dict(enumerate(party)))
    data["educ"] = _category(data["educ"], dict(enumerate(school, start=1)))
    data["vote"] = np.where(data["vote"] == 1, "Dole", "Clinton")
    for column in ("TVnews", "selfLR", "ClinLR", "DoleLR", "age", "income"):
        data[column] = data[column].astype("int64")
    return data, "vote"


def _fair():
    from statsmodels.datasets import fair

    data = fair.load_pandas().data
    jobs = ["student", "farming", "white collar", "teacher", "managerial", "professional"]
    data["rate_marriage"] = _category(data["rate_marriage"], {k: f"{k} of 5" for k in range(1, 6)})
    data["religious"] = _category(data["religious"], {k: f"{k} of 4" for k in range(1, 5)})
    data["occupation"] = _category(data["occupation"], dict(enumerate(jobs, start=1)))
    data["occupation_husb"] = _category(data["occupation_husb"], dict(enumerate(jobs, start=1)))
    return data, "rate_marriage"


TABLES = {"penguins": _penguins, "anes96": _anes96, "fair": _fair}


def load(name: str) -> tuple[pd.DataFrame, str]:
    """(table, target column) of a table in :data:`TABLES`."""
    return TABLES[name]()


def split(table: pd.DataFrame, seed: int, train_share: float = 2 / 3):
    """(training rows, held-out rows): a random split, each part's index reset."""
    order = np.random.default_rng(seed).permutation(len(table))
    cut = round(train_share * len(table))
    return table.iloc[order[:cut]].reset_index(drop=True), table.iloc[order[cut:]].reset_index(drop=True)
