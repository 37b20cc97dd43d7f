"""What the benchmark scripts share: where their CSVs go, and printing / saving tables.

The scripts live in benchmarks/speed/ and benchmarks/studies/ and are run from the repository
root as ``python benchmarks/<group>/bench_<name>.py``; each puts benchmarks/ on sys.path first,
so that this package imports whichever folder the script is in.
"""

from pathlib import Path

from .report import show, write_table

BENCHMARKS = Path(__file__).resolve().parents[1]
ROOT = BENCHMARKS.parent
RESULTS = BENCHMARKS / "results"

__all__ = ["BENCHMARKS", "RESULTS", "ROOT", "show", "write_table"]
