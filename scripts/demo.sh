#!/usr/bin/env bash
# Set up (idempotent) and open the builder on the built-in Cursor simulator: no API key needed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
exec .venv/bin/cursor-builder --demo "$@"
