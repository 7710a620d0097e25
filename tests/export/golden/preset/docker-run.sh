#!/usr/bin/env bash
# Run the Ocean Custom integration cursor-usage with Docker (ghcr.io/port-labs/port-ocean-custom:latest).
# Secrets are read from your shell's environment when this runs; they are not in this text.
set -euo pipefail
: "${PORT_CLIENT_ID:?export PORT_CLIENT_ID first}"
: "${PORT_CLIENT_SECRET:?export PORT_CLIENT_SECRET first}"
: "${CURSOR_API_KEY:?export CURSOR_API_KEY first}"
# Note: authType basic with an empty password is deployed as authType api_key, apiKeyHeader Authorization and apiKey = "Basic " + base64("$CURSOR_API_KEY:"), because Ocean's basic auth sends no credentials unless username AND password are both non-empty (every request would get 401); this header is exactly what Basic auth sends for that username with an empty password
docker run -d --name cursor-usage --restart unless-stopped --platform=linux/amd64 \
  -e OCEAN__PORT__CLIENT_ID="$PORT_CLIENT_ID" \
  -e OCEAN__PORT__CLIENT_SECRET="$PORT_CLIENT_SECRET" \
  -e OCEAN__PORT__BASE_URL=https://api.port.io \
  -e OCEAN__EVENT_LISTENER='{"type":"POLLING"}' \
  -e OCEAN__INTEGRATION__IDENTIFIER=cursor-usage \
  -e OCEAN__INTEGRATION__TYPE=custom \
  -e OCEAN__SCHEDULED_RESYNC_INTERVAL=60 \
  -e OCEAN__INTEGRATION__CONFIG__BASE_URL=https://api.cursor.com \
  -e OCEAN__INTEGRATION__CONFIG__AUTH_TYPE=api_key \
  -e OCEAN__INTEGRATION__CONFIG__API_KEY="Basic $(printf '%s:' "$CURSOR_API_KEY" | base64 | tr -d '\n')" \
  -e OCEAN__INTEGRATION__CONFIG__API_KEY_HEADER=Authorization \
  ghcr.io/port-labs/port-ocean-custom:latest
