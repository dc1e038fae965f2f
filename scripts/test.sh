#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine and runs it.
# Used by CI (.ci/run) exactly as written in the README.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: headless Chromium for the browser tests, Thai fonts for screenshots,
# Tesseract with its Thai model for OCR of scans (issue 14).
if ! command -v chromium >/dev/null 2>&1 || [ ! -d /usr/share/fonts/truetype/tlwg ] \
   || ! command -v tesseract >/dev/null 2>&1 || ! tesseract --list-langs 2>/dev/null | grep -qx tha \
   || ! tesseract --list-langs 2>/dev/null | grep -qx osd; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium fonts-thai-tlwg \
      tesseract-ocr tesseract-ocr-tha tesseract-ocr-eng tesseract-ocr-osd >/dev/null
  else
    echo "scripts/test.sh: chromium or tesseract-ocr-tha missing and not root; browser and OCR tests will be skipped" >&2
  fi
fi

# axe-core for the accessibility scan in the browser tests, installed once here
# (tests never download; without npm they skip with a reason).
if command -v npm >/dev/null 2>&1 && [ ! -f .cache/npm/node_modules/axe-core/axe.min.js ]; then
  npm install --prefix .cache/npm --no-audit --no-fund -s axe-core@4 >/dev/null || echo "scripts/test.sh: npm could not install axe-core; the accessibility scan will be skipped" >&2
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q -e ".[test]"

exec .venv/bin/python -m pytest -q "$@"
