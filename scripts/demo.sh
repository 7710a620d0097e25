#!/usr/bin/env bash
# Set up (idempotent) and open the builder on the built-in Cursor simulator: no API key needed.
# pip runs only when pyproject.toml changed since the last install (a stamp in .venv): a second
# start goes straight to the app.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
STAMP=.venv/.cursor-builder-installed
WANT=$(cksum pyproject.toml)
if [ ! -x .venv/bin/cursor-builder ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -e .
  printf '%s' "$WANT" > "$STAMP"
fi
exec .venv/bin/cursor-builder --demo "$@"
