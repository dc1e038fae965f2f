#!/usr/bin/env bash
# Installs kb into .venv, indexes the bundled corpus (first run only) and serves it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q -e .
exec .venv/bin/kb serve "$@"
