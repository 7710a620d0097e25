#!/usr/bin/env bash
# Install the Ocean Custom integration cursor-usage with Helm (chart port-labs/port-ocean).
# Secrets are read from your shell's environment when this runs; they are not in this text.
set -euo pipefail
: "${PORT_CLIENT_ID:?export PORT_CLIENT_ID first}"
: "${PORT_CLIENT_SECRET:?export PORT_CLIENT_SECRET first}"
: "${CURSOR_API_KEY:?export CURSOR_API_KEY first}"
# Note: authType basic with an empty password is deployed as authType api_key, apiKeyHeader Authorization and apiKey = "Basic " + base64("$CURSOR_API_KEY:"), because Ocean's basic auth sends no credentials unless username AND password are both non-empty (every request would get 401); this header is exactly what Basic auth sends for that username with an empty password
helm repo add --force-update port-labs https://port-labs.github.io/helm-charts
helm upgrade --install cursor-usage port-labs/port-ocean \
  --namespace port-ocean --create-namespace \
  --set port.clientId="$PORT_CLIENT_ID" \
  --set port.clientSecret="$PORT_CLIENT_SECRET" \
  --set port.baseUrl=https://api.port.io \
  --set scheduledResyncInterval=60 \
  --set integration.identifier=cursor-usage \
  --set integration.type=custom \
  --set integration.eventListener.type=POLLING \
  --set-string integration.config.baseUrl=https://api.cursor.com \
  --set-string integration.config.authType=api_key \
  --set-string integration.secrets.apiKey="Basic $(printf '%s:' "$CURSOR_API_KEY" | base64 | tr -d '\n')" \
  --set-string integration.config.apiKeyHeader=Authorization
