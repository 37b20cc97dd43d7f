"""The public namespace survives the folders: every name in __all__, every documented module path."""

import importlib
import subprocess
import sys

import pytest

import twosample as ts

OLD_PATHS = [
    "classical",
    "statistics",
    "kernels",
    "mmd",
    "classifier_tests",
    "torch_classifier",
    "learned",
    "divergences",
    "scenarios",
    "power",
    "registry",
    "resampling",
    "validation",
    "progress",
    "torch_utils",
    "io",
    "cli",
    "demo",
    "report",
    "plotting",
]


@pytest.mark.parametrize("name", ts.__all__)
def test_every_public_name_imports(name):
    assert getattr(ts, name) is not None
    exec(f"from twosample import {name}", {})


@pytest.mark.parametrize("path", OLD_PATHS)
def test_module_paths_still_import_and_are_the_moved_modules(path):
    module = importlib.import_module(f"twosample.{path}")
    assert sys.modules[f"twosample.{path}"] is module
    if path != "power":  # ts.power is the function, as it always was; twosample.power the module
        assert getattr(ts, path) is module
    for name in getattr(module, "__all__", []):
        assert hasattr(module, name), f"twosample.{path}.{name}"


def test_a_fresh_interpreter_imports_a_module_path_first():
    # `import twosample.kernels` before anything else (the alias is installed by the package itself)
    code = "from twosample.kernels import Gaussian; from twosample.mmd import MMDStatistic; print(Gaussian(1.0))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0 and "Gaussian" in proc.stdout, proc.stderr


def test_core_does_not_import_the_layers_above():
    # _core is the bottom layer: none of its modules imports a family, the study or the app.
    import ast
    from pathlib import Path

    core = Path(ts.__file__).parent / "_core"
    above = ("twosample.classical", "twosample.kernel", "twosample.learned", "twosample.study", "twosample.app")
    for path in core.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(above), f"{path.name} imports {node.module}"
