#!/usr/bin/env bash
# Recreate the sketch peers' venv for benchmarks/peers/sketch_ks.py: Apache DataSketches and whylogs.
# Usage: bash benchmarks/peers/make_sketch_venv.sh [VENV_DIR]   (default /work/sketch-venv; about 600 MB, under a minute)
# Never part of the project's dependencies. Every package is pinned to the versions this was measured with
# (Python 3.11). whylogs' [viz] extra is needed: calculate_drift_scores lives in whylogs.viz, which imports IPython.
set -euo pipefail
VENV="${1:-/work/sketch-venv}"
PYTHON="${PYTHON:-python3}"
"$PYTHON" -m venv "$VENV"
CONSTRAINTS="$(mktemp)"
trap 'rm -f "$CONSTRAINTS"' EXIT
cat > "$CONSTRAINTS" <<'PINS'
asttokens==3.0.2
backoff==2.2.1
certifi==2026.10.19.post1
charset-normalizer==3.5.3
datasketches==5.2.0
executing==2.3.0
idna==3.21
ipython==9.18.1
ipython_pygments_lexers==1.1.1
jedi==0.20.1
matplotlib-inline==0.2.2
numpy==2.4.6
pandas==3.1.1
parso==0.8.7
pexpect==4.9.0
pillow==10.4.0
platformdirs==3.11.0
prompt_toolkit==3.0.53
protobuf==7.36.2
psutil==7.2.2
ptyprocess==0.7.0
pure_eval==0.2.4
pyarrow==26.0.1
pybars3==0.9.7
Pygments==2.21.0
PyMeta3==0.5.1
python-dateutil==4.0.0
requests==2.34.2
scipy==1.17.1
stack-data==0.6.3
traitlets==5.16.1
typing_extensions==4.16.0
tzdata==2026.6
urllib3==2.8.0
wcwidth==0.9.4
whylabs-client==0.6.16
whylogs==1.6.4
whylogs-sketching==3.4.1.dev3
PINS
"$VENV/bin/python" -m pip install -q -c "$CONSTRAINTS" datasketches==5.2.0 "whylogs[viz]==1.6.4" numpy pandas pyarrow scipy
"$VENV/bin/python" -m pip check
WHYLOGS_NO_ANALYTICS=True "$VENV/bin/python" -c "import whylogs.viz, datasketches; from importlib.metadata import version as v; print(' | '.join(f'{p} {v(p)}' for p in ('datasketches', 'whylogs', 'whylogs-sketching', 'numpy')))"
