#!/usr/bin/env bash
# Recreate CTGAN's venv for benchmarks/studies/bench_tables_gan.py (through benchmarks/peers/ctgan_worker.py):
# ctgan and sdmetrics, with torch pinned to the CPU wheel this machine carries (an unpinned torch pulls CUDA).
# Usage: bash benchmarks/peers/make_ctgan_venv.sh [VENV_DIR]   (default /work/ctgan-venv; about 1 GB, a minute)
# Every package is pinned to the versions this was measured with (Python 3.11).
set -euo pipefail
VENV="${1:-/work/ctgan-venv}"
PYTHON="${PYTHON:-python3}"
"$PYTHON" -m venv "$VENV"
CONSTRAINTS="$(mktemp)"
trap 'rm -f "$CONSTRAINTS"' EXIT
cat > "$CONSTRAINTS" <<'PINS'
cloudpickle==3.1.3
copulas==0.14.1
ctgan==0.12.1
Faker==40.63.0
filelock==4.3.2
formulaic==1.2.2
fsspec==2026.9.0
interface_meta==2.0.1
Jinja2==3.1.6
joblib==1.6.0
MarkupSafe==3.0.4
mpmath==1.3.0
narwhals==2.29.0
networkx==3.6.1
numpy==2.4.6
packaging==26.4
palmerpenguins==0.1.6
pandas==2.3.3
patsy==1.0.3
plotly==7.1.0
pyarrow==26.0.1
python-dateutil==4.0.0
pytz==2026.6
rdt==2.0.0
scikit-learn==1.9.1
scipy==1.17.1
sdmetrics==0.32.0
statsmodels==0.15.0
sympy==1.14.0
threadpoolctl==3.8.0
torch==2.13.0
tqdm==4.70.1
typing_extensions==4.16.0
tzdata==2026.6
wrapt==2.5.2
PINS
"$VENV/bin/python" -m pip install -q -c "$CONSTRAINTS" ctgan==0.12.1 sdmetrics==0.32.0 pyarrow
"$VENV/bin/python" -m pip check
"$VENV/bin/python" -c "import ctgan, sdmetrics, torch; print('ctgan', ctgan.__version__, '| sdmetrics', sdmetrics.__version__, '| torch', torch.__version__)"
