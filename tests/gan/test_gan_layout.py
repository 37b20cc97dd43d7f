"""gan/'s folders are its layers: data, model, training, auditing, app; each imports only the ones below."""

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import gan

ROOT = Path(gan.__file__).parent
LAYERS = ["data", "model", "training", "auditing", "app"]  # bottom to top
# The module paths before the folders: one path per module, so they are gone.
REMOVED = [
    "callbacks",
    "checkpoint",
    "cli",
    "config",
    "datasets",
    "demo",
    "metrics",
    "monitor",
    "networks",
    "objectives",
    "penalties",
    "plotting",
    "trainer",
]


def _imported_layers(path: Path):
    """The gan layers a module imports (relative or absolute)."""
    package = ".".join(("gan",) + path.relative_to(ROOT).parent.parts)
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            names = [name] if node.module or not node.level else [f"{name}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "gan" and len(parts) > 1 and parts[1] in LAYERS:
                yield parts[1]


@pytest.mark.parametrize("layer", LAYERS)
def test_a_layer_imports_only_the_layers_below(layer):
    allowed = set(LAYERS[: LAYERS.index(layer) + 1])
    for path in (ROOT / layer).glob("*.py"):
        for used in _imported_layers(path):
            assert used in allowed, f"gan/{layer}/{path.name} imports gan.{used}"


@pytest.mark.parametrize("layer", LAYERS)
def test_each_face_re_exports_and_holds_no_code(layer):
    module = importlib.import_module(f"gan.{layer}")
    for name in module.__all__:
        assert hasattr(module, name), f"gan.{layer}.{name}"
    tree = ast.parse((ROOT / layer / "__init__.py").read_text())
    for node in tree.body:
        assert isinstance(node, (ast.Expr, ast.ImportFrom, ast.Import, ast.Assign, ast.AnnAssign)), (
            f"gan/{layer}/__init__.py holds {type(node).__name__}"
        )


def test_the_top_holds_only_the_layers():
    # The module paths before the folders (gan.datasets, gan.config, ...) are gone: one path per module.
    top = sorted(m.name for m in pkgutil.iter_modules([str(ROOT)]))
    assert top == sorted(["__main__", *LAYERS]), top
    assert not set(REMOVED) & set(top)


def test_the_public_names_stay():
    for name in ("train", "GAN", "load", "audit", "AuditReport", "TrainConfig", "Trainer", "TrainingDiverged"):
        assert name in gan.__all__ and getattr(gan, name) is not None
    assert gan.objectives is importlib.import_module("gan.model.objectives")
    assert gan.penalties is importlib.import_module("gan.model.penalties")
    assert gan.networks is importlib.import_module("gan.model.networks")
    assert gan.datasets is importlib.import_module("gan.data.datasets")
    assert gan.callbacks is importlib.import_module("gan.training.callbacks")
    assert gan.metrics is importlib.import_module("gan.auditing.metrics")
    import twosample

    assert gan.__version__ == twosample.__version__


def test_import_gan_leaves_the_apps_unloaded():
    import subprocess
    import sys

    code = "import sys, gan; print([m for m in ('gan.app.cli', 'gan.app.demo') if m in sys.modules])"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT.parent)
    assert proc.returncode == 0 and proc.stdout.strip() == "[]", proc.stdout + proc.stderr
