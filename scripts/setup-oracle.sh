#!/usr/bin/env bash
# Create (idempotently) the differential-oracle venv: .oracle-venv/ with port-ocean[cli] 0.56.2.
# The cli extra is what `ocean sail` needs: `cursor-builder rehearse --ocean-source` runs the real
# Ocean Custom integration with it (tests/rehearse).
#
# port-ocean needs Python >= 3.12 and is NOT a project dependency: tests/oracle/ runs it in this
# separate venv as the reference for the mapping engine. Prints the oracle python's path on the
# last line of stdout (tests find it as .oracle-venv/bin/python, or via $ORACLE_PYTHON).
#
#   scripts/setup-oracle.sh            # create or verify
#   ORACLE_BASE_PYTHON=/path/python3.12 scripts/setup-oracle.sh
#   ORACLE_VENV=/somewhere/else scripts/setup-oracle.sh
set -euo pipefail

OCEAN_VERSION="0.56.2"
# The libjq binding that port-ocean 0.56.2 runs, pinned as in pyproject.toml (same jq on both sides).
JQ_VERSION="1.13.0"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${ORACLE_VENV:-$ROOT/.oracle-venv}"

log() { echo "setup-oracle: $*" >&2; }

# True when "$1" runs and is Python >= 3.12 (pyenv shims exist for versions that are not active
# and fail when run, so every candidate is executed, not just looked up).
is_good_python() {
    [ -n "$1" ] || return 1
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_base_python() {
    local candidates=()
    [ -n "${ORACLE_BASE_PYTHON:-}" ] && candidates+=("$ORACLE_BASE_PYTHON")
    local name path
    for name in python3.12 python3.13 python3.14; do
        path="$(command -v "$name" 2>/dev/null || true)"
        [ -n "$path" ] && candidates+=("$path")
    done
    local roots=()
    if command -v pyenv >/dev/null 2>&1; then
        roots+=("$(pyenv root 2>/dev/null || true)")
    fi
    roots+=("${PYENV_ROOT:-}" "/root/.pyenv" "$HOME/.pyenv")
    local root dir
    for root in "${roots[@]}"; do
        [ -n "$root" ] && [ -d "$root/versions" ] || continue
        for dir in "$root"/versions/3.12* "$root"/versions/3.13* "$root"/versions/3.14*; do
            [ -x "$dir/bin/python" ] && candidates+=("$dir/bin/python")
        done
    done
    for path in /usr/bin/python3.12 /usr/bin/python3.13 /usr/local/bin/python3.12 /usr/local/bin/python3.13 \
                "$(command -v python3 2>/dev/null || true)"; do
        [ -n "$path" ] && [ -x "$path" ] && candidates+=("$path")
    done
    for path in "${candidates[@]}"; do
        if is_good_python "$path"; then
            echo "$path"
            return 0
        fi
    done
    return 1
}

oracle_ok() {
    [ -x "$VENV/bin/python" ] && is_good_python "$VENV/bin/python" && "$VENV/bin/python" - "$OCEAN_VERSION" "$JQ_VERSION" <<'EOF' >/dev/null 2>&1
import sys
from importlib.metadata import version
assert version("port-ocean") == sys.argv[1], version("port-ocean")
assert version("jq") == sys.argv[2], version("jq")
from port_ocean.core.handlers.entity_processor.jq_entity_processor import JQEntityProcessor  # noqa: F401
from port_ocean.core.handlers.port_app_config.models import ResourceConfig  # noqa: F401
from port_ocean.context.ocean import initialize_port_ocean_context  # noqa: F401
from port_ocean.cli.cli import cli_start  # noqa: F401  (the [cli] extra: `ocean sail`)
EOF
}

if oracle_ok; then
    log "port-ocean $OCEAN_VERSION already installed in $VENV"
    echo "$VENV/bin/python"
    exit 0
fi

if ! BASE="$(find_base_python)"; then
    log "ERROR: no Python >= 3.12 found (port-ocean $OCEAN_VERSION requires it)."
    log "Tried \$ORACLE_BASE_PYTHON, python3.12/python3.13 on PATH, \$(pyenv root)/versions/3.12*|3.13*, /root/.pyenv/versions."
    log "Install one (e.g. 'pyenv install 3.12') or set ORACLE_BASE_PYTHON=/path/to/python3.12."
    exit 2
fi
log "using base python $BASE ($("$BASE" -c 'import sys; print(sys.version.split()[0])'))"

if [ -e "$VENV" ] && ! is_good_python "$VENV/bin/python"; then
    log "removing unusable venv at $VENV"
    rm -rf "$VENV"
fi
if [ ! -x "$VENV/bin/python" ]; then
    "$BASE" -m venv "$VENV"
fi
log "installing port-ocean==$OCEAN_VERSION (jq==$JQ_VERSION) into $VENV (quietly; ~60 packages)"
"$VENV/bin/python" -m pip install -qq --disable-pip-version-check "port-ocean[cli]==$OCEAN_VERSION" "jq==$JQ_VERSION" >&2

if ! oracle_ok; then
    log "ERROR: port-ocean $OCEAN_VERSION did not import from $VENV/bin/python"
    "$VENV/bin/python" -c 'import port_ocean.core.handlers.entity_processor.jq_entity_processor' >&2 || true
    exit 3
fi
log "ok: port-ocean $OCEAN_VERSION (jq $JQ_VERSION) in $VENV"
echo "$VENV/bin/python"
