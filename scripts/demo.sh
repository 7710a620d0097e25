#!/usr/bin/env bash
# Set up (idempotent) and open the builder on the built-in Cursor simulator: no API key needed.
# pip runs only when pyproject.toml changed since the last install (a stamp in .venv): a second
# start goes straight to the app (its bytecode compiled once, see below).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
STAMP=.venv/.cursor-builder-installed
BYTECODE=.venv/.cursor-builder-bytecode
WANT=$(cksum pyproject.toml)
if [ ! -x .venv/bin/cursor-builder ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -e .
  printf '%s' "$WANT" > "$STAMP"
  rm -f "$BYTECODE"
fi
# This machine may set PYTHONDONTWRITEBYTECODE, so imports never write .pyc and every start would
# recompile the project's modules (~0.15-0.6 s); Python still reads caches that exist, so write them
# once here, and again only when a source file is newer than the last compile (find: a few ms).
if [ ! -e "$BYTECODE" ] || [ -n "$(find builder widgets -name '*.py' -newer "$BYTECODE" -print -quit)" ]; then
  touch "$BYTECODE"  # before compiling: a file edited meanwhile is newer than the stamp next time
  .venv/bin/python -m compileall -q builder widgets >/dev/null || true
fi
exec .venv/bin/cursor-builder --demo "$@"
