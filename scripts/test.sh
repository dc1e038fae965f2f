#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine and runs it.
# Used by CI (.ci/run) exactly as written in the README.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: headless Chromium for the browser tests, Thai fonts for screenshots,
# Tesseract with its Thai model for OCR of scans (issue 14).
if ! command -v chromium >/dev/null 2>&1 || [ ! -d /usr/share/fonts/truetype/tlwg ] \
   || ! command -v tesseract >/dev/null 2>&1 || ! tesseract --list-langs 2>/dev/null | grep -qx tha; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium fonts-thai-tlwg \
      tesseract-ocr tesseract-ocr-tha tesseract-ocr-eng >/dev/null
  else
    echo "scripts/test.sh: chromium or tesseract-ocr-tha missing and not root; browser and OCR tests will be skipped" >&2
  fi
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q -e ".[test]"

exec .venv/bin/python -m pytest -q "$@"
