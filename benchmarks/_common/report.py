"""Printing and saving benchmark tables (shared by the scripts in speed/ and studies/)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def show(rows) -> str:
    """A table of dict rows as aligned text, 4 significant digits."""
    return pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.4g}")


def write_table(rows, out) -> pd.DataFrame:
    """Print the table and write it as CSV to `out` (directories created)."""
    table = pd.DataFrame(rows)
    print(show(rows))
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False)
    print(f"wrote {out}")
    return table
