#!/usr/bin/env bash
# Set up (idempotent) and run the whole test suite, the differential tests against port-ocean
# included. This is the README's test command and what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
# PYTHONDONTWRITEBYTECODE (set on this machine) stops imports writing .pyc: compile once so every
# test process reads the project's bytecode instead of recompiling it (up to date files are skipped).
.venv/bin/python -m compileall -q builder widgets >/dev/null || true
# The house rules before the tests (builder/ARCHITECTURE.md): lint, the engine packages' types, the
# import layers. Each prints what breaks it and stops the run.
.venv/bin/ruff check --quiet builder widgets tests bench scripts
.venv/bin/mypy
.venv/bin/lint-imports --no-cache --no-logo >/dev/null || .venv/bin/lint-imports --no-cache --no-logo
# port-ocean (the reference engine) needs Python >= 3.12 and lives in its own venv, never in ours.
bash scripts/setup-oracle.sh >/dev/null
export ORACLE_PYTHON="$PWD/.oracle-venv/bin/python"
exec .venv/bin/python -m pytest "$@"
