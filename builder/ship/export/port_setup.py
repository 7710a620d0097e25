"""``setup-port.sh``: what Port needs before the installations start, created through Port's REST API.

Blueprints in dependency order (first every missing one without relations, then each in full, so
relation targets and cycles never block a create), the project's pages, and each installation's
mapping (the integration object with its port-app-config, created or its config patched). Idempotent:
a re-run updates. curl only (no jq): the token comes from ``$PORT_CLIENT_ID``/``$PORT_CLIENT_SECRET``,
and any answer outside 2xx stops the script with the method, path, status and Port's own message.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from builder.project.model import Project
from builder.ship.export.blueprints import creation_order
from builder.ship.export.shell import quote_literal, require_lines

SCRIPT = "setup-port.sh"

_FUNCTIONS = r'''json_string() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '"%s"' "$s"; }
# port METHOD PATH [JSON]: the answer's body on stdout; outside 2xx, stop with Port's message.
port() {
  local method=$1 path=$2 data=${3-} out status body
  local args=(-sS -X "$method" "$PORT_API$path" -H "Content-Type: application/json" -w $'\n%{http_code}')
  [ -n "${TOKEN-}" ] && args+=(-H "Authorization: Bearer $TOKEN")
  [ -n "$data" ] && args+=(--data-binary "$data")
  out=$(curl "${args[@]}") || { echo "setup-port.sh: $method $path: cannot reach $PORT_API" >&2; exit 1; }
  status=${out##*$'\n'}; body=${out%$'\n'*}
  if [ "${ALLOW_404-}" = 1 ] && [ "$status" = 404 ]; then printf '%s' 404; return 0; fi
  if [ "$status" -lt 200 ] || [ "$status" -ge 300 ]; then
    echo "setup-port.sh: $method $path failed (HTTP $status): $body" >&2; exit 1
  fi
  printf '%s' "$body"
}
# exists PATH: "yes" when Port has it (a 404 is "no"; any other error stops)
# (a failure inside $(…) only ends that subshell: every caller stops on it with `|| exit 1`)
exists() { local got; got=$(ALLOW_404=1 port GET "$1") || exit 1; if [ "$got" = 404 ]; then echo no; else echo yes; fi; }'''


def _strip_relations(blueprint: dict[str, Any]) -> dict[str, Any]:
    return {k: ({} if k == "relations" else v) for k, v in blueprint.items()}


def _compact(data: Any) -> str:
    return quote_literal(json.dumps(data, separators=(",", ":"), ensure_ascii=False))


def setup_script(project: Project, installations: Sequence[tuple[str, dict[str, Any]]]) -> str:
    """``installations``: (integration identifier, its port-app-config) in plan order."""
    order = creation_order(project.blueprints)
    lines = ["#!/usr/bin/env bash",
             "# Create or update in Port, through its REST API, what the Ocean Custom installation(s) need:",
             "# blueprints (dependency order), pages, and each installation's mapping. Safe to re-run.",
             "# Secrets are read from your shell's environment when this runs; they are not in this text.",
             "set -euo pipefail"]
    lines += require_lines(["PORT_CLIENT_ID", "PORT_CLIENT_SECRET"])
    lines += [f'PORT_API="${{PORT_API_URL:-{project.port_base_url}/v1}}"', _FUNCTIONS,
              'TOKEN=$(set -o pipefail; port POST /auth/access_token "{\\"clientId\\":$(json_string "$PORT_CLIENT_ID"),'
              '\\"clientSecret\\":$(json_string "$PORT_CLIENT_SECRET")}" '
              "| sed -n 's/.*\"accessToken\" *: *\"\\([^\"]*\\)\".*/\\1/p') || exit 1",
              '[ -n "$TOKEN" ] || { echo "setup-port.sh: Port returned no access token" >&2; exit 1; }']
    if order.blueprints:
        lines += ["", "# Blueprints: every missing one first without relations (targets and cycles never block),"
                      " then each in full."]
        for bp in order.blueprints:
            ident = str(bp.get("identifier"))
            lines.append(f'state=$(exists /blueprints/{ident}) || exit 1; [ "$state" = yes ] || port POST /blueprints '
                         f'{_compact(_strip_relations(bp))} >/dev/null')
        for bp in order.blueprints:
            ident = str(bp.get("identifier"))
            lines.append(f'port PUT /blueprints/{ident} {_compact(bp)} >/dev/null && echo "blueprint {ident}: ok"')
    for page in getattr(project, "dashboards", None) or []:
        ident = str(page.get("identifier"))
        lines += [f'state=$(exists /pages/{ident}) || exit 1; if [ "$state" = yes ]; then port PATCH /pages/{ident} {_compact(page)} '
                  f'>/dev/null; else port POST /pages {_compact(page)} >/dev/null; fi; echo "page {ident}: ok"']
    if installations:
        lines += ["", "# Each installation's mapping: the integration object with its port-app-config (Ocean reads "
                      "it from Port at start-up)."]
    for identifier, app_config in installations:
        create = {"installationId": identifier, "installationAppType": "custom", "config": app_config}
        lines.append(f'state=$(exists /integration/{identifier}) || exit 1; if [ "$state" = yes ]; then '
                     f'port PATCH /integration/{identifier}/config {_compact({"config": app_config})} >/dev/null; '
                     f'else port POST /integration {_compact(create)} >/dev/null; fi; '
                     f'echo "integration {identifier}: mapping ok"')
    return "\n".join(lines) + "\n"
