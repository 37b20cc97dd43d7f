"""Optional dependencies: imported where they are used, with one line naming the extra when missing.

The core install (NumPy, SciPy, scikit-learn, pandas, joblib, tqdm) runs the classical, kernel and
classifier tests. The rest comes with an extra of ``pip install 'twosample[EXTRA]'``:

========== ========================= ===================================================
extra      packages                  what needs them
========== ========================= ===================================================
torch      torch, mpmath             learned tests (deep MMD, f-divergence critics, torch
                                     classifiers), GPU devices, exact divergences at extremes
plot       matplotlib                figures and reports
files      pyarrow                   parquet files
dask       dask[distributed], pyarrow data beyond one machine's memory
gan        torch, mpmath, matplotlib, the GAN toolkit (``gan``)
           Pillow
========== ========================= ===================================================
"""

from __future__ import annotations

import importlib

__all__ = ["EXTRAS", "require"]

# Top-level module -> (the name pip installs, the extra that brings it).
EXTRAS = {
    "torch": ("torch", "torch"),
    "mpmath": ("mpmath", "torch"),
    "matplotlib": ("matplotlib", "plot"),
    "pyarrow": ("pyarrow", "files"),
    "dask": ("dask[distributed]", "dask"),
    "distributed": ("dask[distributed]", "dask"),
    "PIL": ("Pillow", "gan"),
}


def require(module: str, purpose: str | None = None, extra: str | None = None):
    """Import `module` (``"torch"``, ``"pyarrow.parquet"``, ...) or say in one line how to install it.

    Raises
    ------
    ImportError
        When the module's top-level package is not installed: the message names the package, what
        needed it (`purpose`, when given) and the ``pip install 'twosample[EXTRA]'`` that brings it
        (`extra`, or the package's own extra in :data:`EXTRAS`).
        An error raised inside an installed package is left as it is.
    """
    top = module.split(".")[0]
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as err:
        if err.name is None or err.name.split(".")[0] != top:
            raise
        package, own_extra = EXTRAS.get(top, (top, None))
        extra = extra or own_extra
        how = f"pip install 'twosample[{extra}]'" if extra else f"pip install {package}"
        raise ImportError(f"{purpose or 'this'} needs {package}, which is not installed: {how}") from None
