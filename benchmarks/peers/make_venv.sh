#!/usr/bin/env bash
# Recreate the peers' venv for benchmarks/peers/tables_peer.py: evidently and alibi-detect, side by side.
# Usage: bash benchmarks/peers/make_venv.sh [VENV_DIR]   (default /work/peers-venv; about 1.7 GB, a few minutes)
# Every package is pinned to the versions this was measured with (Python 3.11). alibi-detect 0.13 needs
# NumPy < 2, so pyarrow is held at 21.0.0 (the newest, 26, needs NumPy 2 at import). Nothing here pulls
# torch or tensorflow (alibi-detect's TabularDrift needs neither); torch is pinned anyway, in case.
set -euo pipefail
VENV="${1:-/work/peers-venv}"
PYTHON="${PYTHON:-python3}"
"$PYTHON" -m venv "$VENV"
CONSTRAINTS="$(mktemp)"
trap 'rm -f "$CONSTRAINTS"' EXIT
cat > "$CONSTRAINTS" <<'PINS'
torch==2.13.0
alibi-detect==0.13.0
annotated-doc==0.0.7
annotated-types==0.8.0
anyio==4.16.0
appdirs==1.4.4
catalogue==2.0.10
certifi==2026.10.19.post1
cffi==2.1.1
charset-normalizer==3.5.3
click==8.5.1
cloudpickle==3.1.3
contourpy==1.3.3
cryptography==50.0.2
cycler==0.12.1
defusedxml==0.7.1
deprecation==2.1.0
dill==0.3.9
distro==1.9.0
dynaconf==3.3.5
evidently==0.7.23
Faker==40.63.0
filelock==4.3.2
fonttools==4.68.0
formulaic==1.2.2
fsspec==2026.9.0
h11==0.16.0
hf-xet==1.8.0
httpcore==1.0.9
httptools==0.9.0
httpx==0.29.0
huggingface_hub==0.36.2
idna==3.20
ImageIO==2.38.2
interface_meta==2.0.1
iterative-telemetry==0.0.10
joblib==1.6.0
kiwisolver==1.5.1
lazy-loader==0.6
litestar==2.25.0
litestar-htmx==0.5.0
llvmlite==0.42.0
markdown-it-py==4.3.0
matplotlib==3.11.2
mdurl==0.1.2
msgspec==0.23.0
multidict==7.2.1
multipart==2.0.1
mypy_extensions==1.2.0
narwhals==2.29.0
networkx==3.6.1
nltk==3.10.4
numba==0.59.1
numpy==1.26.4
opencv-python==4.11.0.86
opentelemetry-proto==1.45.2
packaging==26.4
pandas==2.3.3
patsy==1.0.3
pillow==10.4.0
plotly==5.24.1
polyfactory==3.5.0
protobuf==7.36.2
pyarrow==21.0.0
pycparser==3.12
pydantic==2.14.4
pydantic_core==2.50.5
Pygments==2.21.0
pyparsing==3.3.3
python-dateutil==4.0.0
python-dotenv==1.2.4
pytz==2026.6
PyYAML==6.0.4
regex==2026.12.2
requests==2.34.2
rich==15.0.0
rich-click==1.9.9
safetensors==0.8.0
scikit-image==0.24.0
scikit-learn==1.9.1
scipy==1.17.1
shellingham==1.5.4
sniffio==1.3.1
statsmodels==0.15.0
tenacity==9.2.1
threadpoolctl==3.8.0
tifffile==2026.3.3
tokenizers==0.22.2
toml==0.10.2
tqdm==4.70.1
transformers==4.57.6
typer==0.29.2
typing-inspect==0.9.0
typing-inspection==0.4.5
typing_extensions==4.16.0
tzdata==2026.6
ujson==6.1.0
urllib3==2.8.0
uuid6==2025.0.1
uvicorn==0.55.0
uvloop==0.23.0
watchdog==7.1.1
watchfiles==1.3.0
websockets==17.4
wrapt==2.5.2
PINS
"$VENV/bin/python" -m pip install -q -c "$CONSTRAINTS" evidently==0.7.23 alibi-detect==0.13.0 pyarrow==21.0.0
"$VENV/bin/python" -m pip check
"$VENV/bin/python" -c "import evidently, alibi_detect, pyarrow, numpy; print('evidently', evidently.__version__, '| alibi-detect', alibi_detect.__version__, '| pyarrow', pyarrow.__version__, '| numpy', numpy.__version__)"
