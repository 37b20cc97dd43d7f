"""The package map: one import path per module, package faces that re-export, layers that only look down."""

import ast
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

import twosample as ts

PACKAGES = [
    "twosample.core",
    "twosample.classical",
    "twosample.kernel",
    "twosample.learned",
    "twosample.ksample",
    "twosample.divergences",
    "twosample.sequential",
    "twosample.study",
    "twosample.explain",
    "twosample.scale",
    "twosample.app",
]
# The module paths of the time before the folders: nothing was released under them, so they are gone
# (one path per module), and nothing in the tree may import them.
REMOVED_PATHS = ["kernels", "mmd", "validation", "resampling", "statistics", "registry", "cli", "io", "_core"]


@pytest.mark.parametrize("name", ts.__all__)
def test_every_public_name_imports(name):
    assert getattr(ts, name) is not None
    exec(f"from twosample import {name}", {})


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_face_re_exports_its_names(package):
    module = importlib.import_module(package)
    assert module.__all__, f"{package} has no __all__"
    for name in module.__all__:
        assert hasattr(module, name), f"{package}.{name}"


@pytest.mark.parametrize("path", REMOVED_PATHS)
def test_old_aliases_are_gone(path):
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(f"twosample.{path}")


def test_the_kernel_face_serves_its_classes():
    code = "from twosample.kernel import Gaussian, mmd_test; print(Gaussian(1.0))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0 and "Gaussian" in proc.stdout, proc.stderr


def test_import_twosample_leaves_the_apps_unloaded():
    # The library does not pay for the command line, the demo or scikit-learn's data sets.
    code = (
        "import sys, twosample\n"
        "loaded = [m for m in ('twosample.app.cli', 'twosample.app.demo', 'sklearn.datasets') if m in sys.modules]\n"
        "print(loaded)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.strip() == "[]", proc.stdout + proc.stderr


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_core_does_not_import_the_layers_above():
    # core is the bottom layer: none of its modules imports a family, the study or the app.
    core = Path(ts.__file__).parent / "core"
    above = (
        "twosample.classical",
        "twosample.kernel",
        "twosample.learned",
        "twosample.study",
        "twosample.scale",
        "twosample.app",
    )
    for path in core.glob("*.py"):
        for module in _imports(path):
            assert not module.startswith(above), f"{path.name} imports {module}"


def test_nothing_imports_a_removed_path():
    root = Path(ts.__file__).parent.parent
    removed = tuple(f"twosample.{p}" for p in REMOVED_PATHS)
    for folder in ("twosample", "gan", "tests", "benchmarks"):
        for path in (root / folder).rglob("*.py"):
            for module in _imports(path):
                assert module not in removed and not module.startswith(tuple(r + "." for r in removed)), (
                    f"{path.relative_to(root)} imports {module}"
                )


# Registry names are the command line's short names; the function spells the same words out, in the same
# order, and ends in _test ("-k" is "ksample"). The classical abbreviations are spelled out here.
SPELLED_OUT = {"mean": "mean_difference", "meanvar": "mean_variance", "ad": "anderson", "mwu": "mannwhitney"}


@pytest.mark.parametrize("name", list(ts.TESTS))
def test_test_functions_are_named_after_their_registry_name(name):
    stem = SPELLED_OUT.get(name, re.sub(r"-k$", "-ksample", name).replace("-", "_"))
    assert ts.TESTS[name].function.__name__ == f"{stem}_test"
    assert getattr(ts, f"{stem}_test") is ts.TESTS[name].function  # and it is a public name


def test_package_inits_are_faces():
    # A face holds its docstring, imports and __all__ (and the top package's __version__); code lives in modules.
    root = Path(ts.__file__).parent
    for path in root.rglob("__init__.py"):
        for node in ast.parse(path.read_text()).body:
            names = [getattr(t, "id", "") for t in getattr(node, "targets", [getattr(node, "target", None)])]
            face = isinstance(node, (ast.Import, ast.ImportFrom, ast.Expr)) or (
                isinstance(node, (ast.Assign, ast.AnnAssign)) and set(names) <= {"__all__", "__version__"}
            )
            assert face, f"{path.relative_to(root.parent)} line {node.lineno}: code in a package face"


def test_a_test_registered_from_outside_is_listed_after_the_library(monkeypatch):
    from twosample.core import spec

    def my_test(x, y, *, alpha=0.05, rng=None):
        return ts.t_test(x, y, alpha=alpha, method="analytic")

    my_test.__module__ = "kernel"  # a user's module named like a family does not join it
    monkeypatch.setattr(spec, "TESTS", dict(spec.TESTS))
    monkeypatch.setattr(spec, "_BY_FUNCTION", dict(spec._BY_FUNCTION))
    spec.register("my-test", description="a user's test", null="analytic")(my_test)
    assert list(spec.TESTS)[-1] == "my-test" and spec.TESTS["my-test"].family == "outside:kernel"
    assert list(spec.TESTS)[:-1] == list(ts.TESTS)


@pytest.mark.parametrize("command", ["twosample", "gan"])
def test_each_command_says_its_version(command, capsys):
    main = importlib.import_module("twosample.app.cli" if command == "twosample" else "gan.app.cli").main
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0 and capsys.readouterr().out.strip() == f"{command} {ts.__version__}"


@pytest.mark.parametrize("package", ["twosample", "gan"])
def test_packages_are_marked_typed(package):
    # PEP 561: type checkers read the annotations of an installed package that ships py.typed
    assert (Path(importlib.import_module(package).__file__).parent / "py.typed").is_file()


def _requirement_names(requirements) -> set[str]:
    """The distributions requirements name: "dask[distributed]>=2023.1" -> dask and distributed (its extra)."""
    names = set()
    for requirement in requirements:
        name, extras = re.match(r"([\w.-]+)(?:\[([\w,\s-]+)\])?", requirement).groups()
        names |= {name, *(extras or "").replace(" ", "").split(",")} - {""}
    return {name.lower().replace("_", "-") for name in names}


def _is_require(node) -> bool:
    return (
        isinstance(node, ast.Call)
        and getattr(node.func, "id", getattr(node.func, "attr", None)) in ("require", "_require")
        and bool(node.args)
        and isinstance(node.args[0], ast.Constant)
    )


def test_every_third_party_import_is_declared_and_the_version_is_one():
    # Pillow was imported (image folders, grids) but not declared: a clean install failed on the first image
    tomllib = pytest.importorskip("tomllib")
    from importlib.metadata import packages_distributions

    root = Path(ts.__file__).resolve().parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    extras = {name: deps for name, deps in project["optional-dependencies"].items() if name != "dev"}
    declared = _requirement_names(project["dependencies"]) | _requirement_names(sum(extras.values(), []))
    imported = set()
    for path in [*(root / "twosample").rglob("*.py"), *(root / "gan").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
            elif _is_require(node):  # an optional import: require("pyarrow.parquet")
                imported.add(node.args[0].value.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"twosample", "gan"}
    distributions = packages_distributions()
    missing = {
        name: distributions.get(name)
        for name in third_party
        if not {d.lower().replace("_", "-") for d in distributions.get(name, [name])} & declared
    }
    assert missing == {}, "imported but not declared in pyproject.toml"
    import gan

    assert project["version"] == ts.__version__ == gan.__version__
