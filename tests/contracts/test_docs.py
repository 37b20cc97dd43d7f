"""The documentation builds in strict mode and its code examples run."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
README = DOCS.parent / "README.md"


def test_sphinx_build_strict(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(DOCS), str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "api.html").exists() and (tmp_path / "getting_started.html").exists()
    api = (tmp_path / "api.html").read_text()
    assert "permutation_test" in api and "hotelling_test" in api
    # The math renders offline: MathJax is shipped into _static, and no page loads a script from the network
    assert (tmp_path / "_static" / "mathjax" / "tex-chtml.js").stat().st_size > 100_000
    index = (tmp_path / "index.html").read_text()
    assert 'src="_static/mathjax/tex-chtml.js' in index and r"\(H_0: p = q\)" in index
    remote = [p.name for p in tmp_path.glob("*.html") if re.search(r"<script[^>]+src=\"https?://", p.read_text())]
    assert remote == [], f"pages that load a script from the network: {remote}"


def _python_blocks():
    pages = sorted(DOCS.glob("*.md")) + [README]
    for page in pages:
        for i, block in enumerate(re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.S)):
            yield pytest.param(block, id=f"{page.name}-{i}")


@pytest.fixture
def restored_logging():
    """An example that configures logging (getting_started.md) leaves the rest of the suite as it found it."""
    import logging

    root, ours = logging.getLogger(), [logging.getLogger(name) for name in ("twosample", "gan")]
    saved = (root.level, list(root.handlers), [logger.level for logger in ours])
    yield
    root.setLevel(saved[0])
    root.handlers[:] = saved[1]
    for logger, level in zip(ours, saved[2]):
        logger.setLevel(level)


@pytest.mark.parametrize("code", list(_python_blocks()))
def test_markdown_python_blocks_run(code, tmp_path, monkeypatch, restored_logging):
    monkeypatch.chdir(tmp_path)  # examples may write files (the README's CSV)
    namespace = {}
    prelude = "import numpy as np\nimport twosample as ts\nrng = np.random.default_rng(0)\n"
    prelude += "x, y = rng.normal(size=200), rng.laplace(size=200)\n"
    exec(compile(prelude + code, "<doc>", "exec"), namespace)
