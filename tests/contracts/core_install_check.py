"""What the core install must do, run by tests/contracts/test_packaging.py in two ways.

``python core_install_check.py [--block]``: the classical, kernel, classifier and table tests, a power
study and the command line run; a learned test, a parquet file and ``import gan`` each stop with one
line naming the extra that brings what they need. In a fresh virtual environment with only
``pip install twosample`` the extras are simply absent; ``--block`` hides them from an environment
that has them (an import hook), so the same check runs in the default suite in a second.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import io
import sys
import tempfile
from pathlib import Path

EXTRA_MODULES = ("torch", "mpmath", "matplotlib", "pyarrow", "dask", "distributed", "PIL", "statsmodels")


class _Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in EXTRA_MODULES:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


def _run_cli(*argv: str) -> tuple[int, str, str]:
    from twosample.app.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def _check_core(folder: Path) -> None:
    import numpy as np
    import pandas as pd

    import twosample as ts

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(150, 3)), rng.normal(0.6, 1.0, size=(150, 3))
    for test in ("t", "ks", "cvm", "ad", "mwu", "wasserstein"):
        assert ts.get_test(test)(x[:, 0], y[:, 0], rng=0).pvalue < 0.05, test
    for test in ("hotelling", "energy", "mmd", "mmd-agg", "mmd-linear", "c2st"):
        assert ts.get_test(test)(x, y, rng=0).pvalue < 0.05, test
    a = pd.DataFrame({"colour": rng.choice(["red", "blue"], 200), "size": rng.normal(size=200)})
    b = pd.DataFrame({"colour": rng.choice(["red", "blue"], 200, p=[0.8, 0.2]), "size": rng.normal(size=200)})
    b.loc[:9, "size"] = np.nan
    assert ts.compare(a, b, rng=0).reject
    result = ts.power("ks", ts.scenarios.gaussian_vs_laplace(), n=50, reps=20, rng=0)
    assert 0 <= result.ci_low <= result.power <= result.ci_high <= 1
    np.savetxt(folder / "x.csv", x[:, 0]), np.savetxt(folder / "y.csv", y[:, 0])
    status, out, _ = _run_cli("test", str(folder / "x.csv"), str(folder / "y.csv"), "--test", "ks")
    assert status == 0 and "p-value" in out.lower(), out


def _one_line_naming(call, extra: str) -> None:
    try:
        call()
    except ImportError as err:
        message = str(err)
        assert "\n" not in message and f"twosample[{extra}]" in message, message
    else:
        raise AssertionError(f"expected an ImportError naming the {extra} extra")


def _check_missing_extras(folder: Path) -> None:
    import numpy as np

    import twosample as ts

    x = np.random.default_rng(1).normal(size=(60, 2))
    (folder / "x.parquet").write_bytes(b"PAR1")  # never read: the missing pyarrow is named first
    _one_line_naming(lambda: ts.mmd_deep_test(x, x + 1, rng=0), "torch")
    _one_line_naming(lambda: ts.load_sample(folder / "x.parquet"), "files")
    _one_line_naming(lambda: __import__("gan"), "gan")
    status, out, err = _run_cli("test", str(folder / "x.parquet"), str(folder / "x.csv"))
    assert status == 2 and err.count("\n") == 1 and "twosample[files]" in err, err


def main(argv: list[str]) -> None:
    if "--block" in argv:
        sys.meta_path.insert(0, _Hide())
    with tempfile.TemporaryDirectory() as tmp:
        _check_core(Path(tmp))
        _check_missing_extras(Path(tmp))
    print("core install: ok")


if __name__ == "__main__":
    main(sys.argv[1:])
