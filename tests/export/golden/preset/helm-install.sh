#!/usr/bin/env bash
# Install the Ocean Custom integration cursor-usage with Helm (chart port-labs/port-ocean).
# Secrets are read from your shell's environment when this runs; they are not in this text.
set -euo pipefail
: "${PORT_CLIENT_ID:?export PORT_CLIENT_ID first}"
: "${PORT_CLIENT_SECRET:?export PORT_CLIENT_SECRET first}"
: "${CURSOR_API_KEY:?export CURSOR_API_KEY first}"
# Note: authType basic with an empty password is deployed as authType api_key, apiKeyHeader Authorization and apiKey = "Basic " + base64("$CURSOR_API_KEY:"), because Ocean's basic auth sends no credentials unless username AND password are both non-empty (every request would get 401); this header is exactly what Basic auth sends for that username with an empty password
helm repo add --force-update port-labs https://port-labs.github.io/helm-charts
# Installation cursor-usage (none (one request)): members, daily-usage, daily-usage-org, spend, usage-events, repo-blocklists, groups, group-daily-usage, ai-code-commits, ai-code-commits-daily, ai-code-changes, ai-code-changes-daily, analytics-agent-edits, analytics-tabs, analytics-dau, analytics-client-versions, analytics-models, analytics-top-file-extensions, analytics-mcp, analytics-commands, analytics-plans, analytics-skills, analytics-ask-mode, analytics-conversation-insights
helm upgrade --install cursor-usage port-labs/port-ocean \
  --namespace port-ocean --create-namespace \
  --set port.clientId="$PORT_CLIENT_ID" \
  --set port.clientSecret="$PORT_CLIENT_SECRET" \
  --set port.baseUrl=https://api.port.io \
  --set scheduledResyncInterval=60 \
  --set allowEnvironmentVariablesJqAccess=false \
  --set integration.identifier=cursor-usage \
  --set integration.type=custom \
  --set integration.eventListener.type=POLLING \
  --set-string integration.config.baseUrl=https://api.cursor.com \
  --set-string integration.config.authType=api_key \
  --set-string integration.secrets.apiKey="Basic $(printf '%s:' "$CURSOR_API_KEY" | base64 | tr -d '\n')" \
  --set-string integration.config.apiKeyHeader=Authorization \
  --set extraEnv[0].name=OCEAN__PROCESSING_MODE \
  --set-string extraEnv[0].value=ocean-core
# Installation cursor-usage-page-500 (page, page/pageSize=500, hasMorePath pagination.hasNextPage): audit-logs, analytics-by-user-agent-edits, analytics-by-user-tabs, analytics-by-user-client-versions, analytics-by-user-models, analytics-by-user-top-file-extensions, analytics-by-user-mcp, analytics-by-user-commands, analytics-by-user-plans, analytics-by-user-skills, analytics-by-user-ask-mode, analytics-leaderboard
helm upgrade --install cursor-usage-page-500 port-labs/port-ocean \
  --namespace port-ocean --create-namespace \
  --set port.clientId="$PORT_CLIENT_ID" \
  --set port.clientSecret="$PORT_CLIENT_SECRET" \
  --set port.baseUrl=https://api.port.io \
  --set scheduledResyncInterval=60 \
  --set allowEnvironmentVariablesJqAccess=false \
  --set integration.identifier=cursor-usage-page-500 \
  --set integration.type=custom \
  --set integration.eventListener.type=POLLING \
  --set-string integration.config.baseUrl=https://api.cursor.com \
  --set-string integration.config.authType=api_key \
  --set-string integration.secrets.apiKey="Basic $(printf '%s:' "$CURSOR_API_KEY" | base64 | tr -d '\n')" \
  --set-string integration.config.apiKeyHeader=Authorization \
  --set-string integration.config.paginationType=page \
  --set-string integration.config.pageSize=500 \
  --set-string integration.config.paginationParam=page \
  --set-string integration.config.sizeParam=pageSize \
  --set-string integration.config.hasMorePath=pagination.hasNextPage \
  --set extraEnv[0].name=OCEAN__PROCESSING_MODE \
  --set-string extraEnv[0].value=ocean-core
# Installation cursor-usage-page-250 (page, page/pageSize=250, hasMorePath pagination.hasNextPage): analytics-bugbot, analytics-bugbot-reviews
helm upgrade --install cursor-usage-page-250 port-labs/port-ocean \
  --namespace port-ocean --create-namespace \
  --set port.clientId="$PORT_CLIENT_ID" \
  --set port.clientSecret="$PORT_CLIENT_SECRET" \
  --set port.baseUrl=https://api.port.io \
  --set scheduledResyncInterval=60 \
  --set allowEnvironmentVariablesJqAccess=false \
  --set integration.identifier=cursor-usage-page-250 \
  --set integration.type=custom \
  --set integration.eventListener.type=POLLING \
  --set-string integration.config.baseUrl=https://api.cursor.com \
  --set-string integration.config.authType=api_key \
  --set-string integration.secrets.apiKey="Basic $(printf '%s:' "$CURSOR_API_KEY" | base64 | tr -d '\n')" \
  --set-string integration.config.apiKeyHeader=Authorization \
  --set-string integration.config.paginationType=page \
  --set-string integration.config.pageSize=250 \
  --set-string integration.config.paginationParam=page \
  --set-string integration.config.sizeParam=pageSize \
  --set-string integration.config.hasMorePath=pagination.hasNextPage \
  --set extraEnv[0].name=OCEAN__PROCESSING_MODE \
  --set-string extraEnv[0].value=ocean-core
# Installation cursor-usage-cursor-100 (cursor, cursor/limit=100, hasMorePath nextCursor, cursorPath nextCursor): cloud-agents, cloud-agent-runs, cloud-agent-usage
helm upgrade --install cursor-usage-cursor-100 port-labs/port-ocean \
  --namespace port-ocean --create-namespace \
  --set port.clientId="$PORT_CLIENT_ID" \
  --set port.clientSecret="$PORT_CLIENT_SECRET" \
  --set port.baseUrl=https://api.port.io \
  --set scheduledResyncInterval=60 \
  --set allowEnvironmentVariablesJqAccess=false \
  --set integration.identifier=cursor-usage-cursor-100 \
  --set integration.type=custom \
  --set integration.eventListener.type=POLLING \
  --set-string integration.config.baseUrl=https://api.cursor.com \
  --set-string integration.config.authType=api_key \
  --set-string integration.secrets.apiKey="Basic $(printf '%s:' "$CURSOR_API_KEY" | base64 | tr -d '\n')" \
  --set-string integration.config.apiKeyHeader=Authorization \
  --set-string integration.config.paginationType=cursor \
  --set-string integration.config.paginationParam=cursor \
  --set-string integration.config.sizeParam=limit \
  --set-string integration.config.cursorPath=nextCursor \
  --set-string integration.config.hasMorePath=nextCursor \
  --set extraEnv[0].name=OCEAN__PROCESSING_MODE \
  --set-string extraEnv[0].value=ocean-core
