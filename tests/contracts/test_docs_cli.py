"""The command lines of the README and the docs run as written, on files this test writes.

Every ``twosample``, ``gan`` and ``python -m`` line of a ```bash block runs in-process (the
commands' ``main``), the lines of one page one after the other in one folder (``gan sample``
reads the checkpoint ``gan train`` wrote). A ``$ command`` line of a ```text block is an
example with its output: it runs too, and prints what the page shows after it (an error line
exactly). Only budgets are added, for the suite's time: fewer repetitions and steps
(:data:`BUDGET`), the flags as written still parsed and used. A ``python -m MODULE`` line is
checked through ``--help``: the module runs and its usage names that invocation.
"""

import re
import runpy
import shlex
import sys
from pathlib import Path

import numpy as np
import palmerpenguins
import pandas as pd
import pytest

from gan.app.cli import main as gan_main
from gan.data import datasets
from twosample.app.cli import main as twosample_main

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MAINS = {"twosample": twosample_main, "gan": gan_main}
# Appended to a command (argparse keeps the last value): budgets only, never what a line says.
BUDGET = {
    ("twosample", "power"): ["--reps", "2", "--n-resamples", "19"],
    ("gan", "train"): ["--steps", "6"],
    ("gan", "audit"): ["--power-reps", "2", "--power-n", "40", "--mmd-n", "100"],
}


def _write_files(folder: Path) -> None:
    """Every file a documented command line reads, by the name the docs give it."""
    rng = np.random.default_rng(0)
    np.save(folder / "x.npy", rng.normal(size=60))
    np.save(folder / "y.npy", rng.normal(0.8, 1, size=50))
    for name, shift in (("x", 0.0), ("y", 5.0)):
        table = pd.DataFrame({"height": rng.normal(170 + shift, 8, 80), "weight": rng.normal(70, 10, 80)})
        table.to_csv(folder / f"{name}.csv", index=False)
        table.to_parquet(folder / f"{name}.parquet")
    for name in ("a", "b"):
        table = pd.DataFrame({"age": rng.normal(40, 10, 120), "zip_code": rng.choice([69001, 6000], 120)})
        table.to_csv(folder / f"{name}.csv", index=False)
        table.to_parquet(folder / f"{name}.parquet")
    for name in ("biscoe", "dream"):
        table = pd.DataFrame({"bill_length_mm": rng.normal(44, 5, 100), "year": rng.choice([2007, 2008, 2009], 100)})
        table.to_csv(folder / f"{name}.csv", index=False)
    penguins = palmerpenguins.load_penguins()  # docs/tables_gan.md: a table with text and missing values
    order = rng.permutation(len(penguins))
    penguins.iloc[order[:230]].to_csv(folder / "penguins_train.csv", index=False)
    penguins.iloc[order[230:]].to_csv(folder / "penguins_test.csv", index=False)
    ring = datasets.ring()
    np.save(folder / "train.npy", ring.sample(600, rng))
    np.save(folder / "test.npy", ring.sample(200, rng))
    np.save(folder / "gen.npy", ring.sample(200, rng))


def _commands(block: str):
    """The command lines of a block: continuations joined, comments and a trailing ``|| ...`` cut."""
    for line in block.replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        if "||" in words:
            words = words[: words.index("||")]
        if words[:1] in (["twosample"], ["gan"]) or words[:2] == ["python", "-m"]:
            yield words


def _examples(block: str):
    """(command, first line of the output shown) for each ``$ command`` of a text block."""
    lines = block.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("$ "):
            shown = lines[i + 1] if i + 1 < len(lines) and not lines[i + 1].startswith("$ ") else ""
            yield shlex.split(line[2:]), shown


def _pages():
    for page in PAGES:
        text = page.read_text()
        runs = [(w, None) for b in re.findall(r"```bash\n(.*?)```", text, flags=re.S) for w in _commands(b)]
        runs += [run for b in re.findall(r"```text\n(.*?)```", text, flags=re.S) for run in _examples(b)]
        if runs:
            yield pytest.param(runs, id=page.name)


def _run_module(words, capsys) -> None:
    """``python -m MODULE ...``: the module runs, and its --help names the same invocation."""
    module = words[2]
    argv, sys.argv = sys.argv, [module, "--help"]
    try:
        with pytest.raises(SystemExit) as stop:
            runpy.run_module(module, run_name="__main__")
    finally:
        sys.argv = argv
    usage = capsys.readouterr().out
    assert stop.value.code == 0 and usage.startswith(f"usage: python -m {module} "), usage


@pytest.mark.parametrize("runs", list(_pages()))
def test_documented_command_lines_run(runs, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    _write_files(tmp_path)
    for words, shown in runs:
        if words[0] == "python":
            _run_module(words, capsys)
            continue
        status = MAINS[words[0]](words[1:] + BUDGET.get(tuple(words[:2]), []))
        out, err = capsys.readouterr()
        if shown and shown.startswith(f"{words[0]}: error:"):
            assert (status, err.strip()) == (2, shown), words
            continue
        assert status == 0 or "--fail-on-reject" in words and status == 1, (words, err)
        if shown:
            assert out.splitlines()[0] == shown, (words, out)


def test_the_readme_lists_every_page_of_the_docs():
    listed = set(re.findall(r"\(docs/(\w+\.(?:md|rst))\)", (ROOT / "README.md").read_text()))
    hubs = {page.name for page in (ROOT / "docs").glob("*.md") if "{toctree}" in page.read_text()}
    pages = {page.name for page in (ROOT / "docs").glob("*.*") if page.suffix in (".md", ".rst")}
    assert pages - hubs - listed == set()
