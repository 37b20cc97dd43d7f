"""The core install (numpy, scipy, scikit-learn, pandas, joblib, tqdm) runs the classical and kernel tests.

torch, pyarrow, statsmodels, matplotlib and mpmath used to be hard requirements of ``pip install
twosample``: someone who wanted ``ks_test`` downloaded PyTorch with its CUDA stack (1 min 18 s and
about 50 packages on this machine). They are extras now, and a missing one is one line naming it.
"""

import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
import tomllib

from twosample.core.optional import EXTRAS, require

ROOT = Path(__file__).resolve().parents[2]
CHECK = Path(__file__).with_name("core_install_check.py")


def _extra_packages(extra: str, extras: dict) -> set[str]:
    names = set()
    for requirement in extras[extra]:
        match = re.match(r"twosample\[([\w,]+)\]", requirement)
        if match:
            for inner in match.group(1).split(","):
                names |= _extra_packages(inner, extras)
        else:
            names.add(re.match(r"[\w.\[\]-]+?(?=[<>=!~;\s]|$)", requirement).group(0).lower())
    return names


def test_every_optional_module_names_an_extra_that_brings_it():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    for module, (package, extra) in EXTRAS.items():
        assert package.lower() in _extra_packages(extra, extras), (module, extra)
    assert _extra_packages("all", extras) >= {package.lower() for package, _ in EXTRAS.values()}


def test_a_missing_module_is_one_line_naming_its_extra(monkeypatch):
    for name in ("pyarrow", "pyarrow.parquet"):
        monkeypatch.setitem(sys.modules, name, None)  # as if pyarrow were not installed
    with pytest.raises(ImportError) as err:
        require("pyarrow.parquet", purpose="reading a.parquet")
    assert str(err.value) == "reading a.parquet needs pyarrow, which is not installed: pip install 'twosample[files]'"
    unknown = r"^this needs no_such_module_xyz, which is not installed: pip install no_such_module_xyz$"
    with pytest.raises(ImportError, match=unknown):
        require("no_such_module_xyz")


def test_an_error_inside_an_installed_package_is_not_taken_for_a_missing_one(tmp_path, monkeypatch):
    (tmp_path / "broken_pkg_xyz.py").write_text("import no_such_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError, match="no_such_dependency_xyz"):
        require("broken_pkg_xyz")


def test_the_core_runs_with_the_extras_hidden():
    done = subprocess.run([sys.executable, str(CHECK), "--block"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "core install: ok", done.stderr[-2000:]


def test_a_fresh_virtual_environment_with_the_core_install_runs_the_tests(tmp_path):
    # The real thing: `pip install twosample` into a new venv (package index or pip's cache), no extras.
    source = tmp_path / "source"  # a copy: building in the checkout would leave build/ behind
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for package in ("twosample", "gan"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    env = tmp_path / "env"
    venv.EnvBuilder(with_pip=True).create(env)
    python = env / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    done = subprocess.run([*pip, str(source)], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    listed = subprocess.run([str(python), "-m", "pip", "list"], capture_output=True, text=True).stdout.lower()
    installed = {line.split()[0] for line in listed.splitlines()[2:]}
    assert not installed & {"torch", "statsmodels", "pyarrow", "matplotlib", "mpmath", "pillow", "dask"}
    done = subprocess.run([str(python), str(CHECK)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == "core install: ok", done.stderr[-2000:]
