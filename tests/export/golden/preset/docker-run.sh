#!/usr/bin/env bash
# Run the Ocean Custom integration cursor-usage with Docker (ghcr.io/port-labs/port-ocean-custom:latest).
# Secrets are read from your shell's environment when this runs; they are not in this text.
set -euo pipefail
: "${PORT_CLIENT_ID:?export PORT_CLIENT_ID first}"
: "${PORT_CLIENT_SECRET:?export PORT_CLIENT_SECRET first}"
: "${CURSOR_API_KEY:?export CURSOR_API_KEY first}"
# Note: authType basic with an empty password is deployed as authType api_key, apiKeyHeader Authorization and apiKey = "Basic " + base64("$CURSOR_API_KEY:"), because Ocean's basic auth sends no credentials unless username AND password are both non-empty (every request would get 401); this header is exactly what Basic auth sends for that username with an empty password
# Installation cursor-usage (none (one request)): members, daily-usage, daily-usage-org, spend, usage-events, repo-blocklists, groups, group-daily-usage, ai-code-commits, ai-code-commits-daily, ai-code-changes, ai-code-changes-daily, analytics-agent-edits, analytics-tabs, analytics-dau, analytics-client-versions, analytics-models, analytics-top-file-extensions, analytics-mcp, analytics-commands, analytics-plans, analytics-skills, analytics-ask-mode, analytics-conversation-insights
docker run -d --name cursor-usage --restart unless-stopped --platform=linux/amd64 \
  -e OCEAN__PORT__CLIENT_ID="$PORT_CLIENT_ID" \
  -e OCEAN__PORT__CLIENT_SECRET="$PORT_CLIENT_SECRET" \
  -e OCEAN__PORT__BASE_URL=https://api.port.io \
  -e OCEAN__EVENT_LISTENER='{"type":"POLLING"}' \
  -e OCEAN__INTEGRATION__IDENTIFIER=cursor-usage \
  -e OCEAN__INTEGRATION__TYPE=custom \
  -e OCEAN__SCHEDULED_RESYNC_INTERVAL=60 \
  -e OCEAN__ALLOW_ENVIRONMENT_VARIABLES_JQ_ACCESS=false \
  -e OCEAN__PROCESSING_MODE=ocean-core \
  -e OCEAN__INTEGRATION__CONFIG__BASE_URL=https://api.cursor.com \
  -e OCEAN__INTEGRATION__CONFIG__AUTH_TYPE=api_key \
  -e OCEAN__INTEGRATION__CONFIG__API_KEY="Basic $(printf '%s:' "$CURSOR_API_KEY" | base64 | tr -d '\n')" \
  -e OCEAN__INTEGRATION__CONFIG__API_KEY_HEADER=Authorization \
  ghcr.io/port-labs/port-ocean-custom:latest
# Installation cursor-usage-page-500 (page, page/pageSize=500, hasMorePath pagination.hasNextPage): audit-logs, analytics-by-user-agent-edits, analytics-by-user-tabs, analytics-by-user-client-versions, analytics-by-user-models, analytics-by-user-top-file-extensions, analytics-by-user-mcp, analytics-by-user-commands, analytics-by-user-plans, analytics-by-user-skills, analytics-by-user-ask-mode, analytics-leaderboard
docker run -d --name cursor-usage-page-500 --restart unless-stopped --platform=linux/amd64 \
  -e OCEAN__PORT__CLIENT_ID="$PORT_CLIENT_ID" \
  -e OCEAN__PORT__CLIENT_SECRET="$PORT_CLIENT_SECRET" \
  -e OCEAN__PORT__BASE_URL=https://api.port.io \
  -e OCEAN__EVENT_LISTENER='{"type":"POLLING"}' \
  -e OCEAN__INTEGRATION__IDENTIFIER=cursor-usage-page-500 \
  -e OCEAN__INTEGRATION__TYPE=custom \
  -e OCEAN__SCHEDULED_RESYNC_INTERVAL=60 \
  -e OCEAN__ALLOW_ENVIRONMENT_VARIABLES_JQ_ACCESS=false \
  -e OCEAN__PROCESSING_MODE=ocean-core \
  -e OCEAN__INTEGRATION__CONFIG__BASE_URL=https://api.cursor.com \
  -e OCEAN__INTEGRATION__CONFIG__AUTH_TYPE=api_key \
  -e OCEAN__INTEGRATION__CONFIG__API_KEY="Basic $(printf '%s:' "$CURSOR_API_KEY" | base64 | tr -d '\n')" \
  -e OCEAN__INTEGRATION__CONFIG__API_KEY_HEADER=Authorization \
  -e OCEAN__INTEGRATION__CONFIG__PAGINATION_TYPE=page \
  -e OCEAN__INTEGRATION__CONFIG__PAGE_SIZE=500 \
  -e OCEAN__INTEGRATION__CONFIG__PAGINATION_PARAM=page \
  -e OCEAN__INTEGRATION__CONFIG__SIZE_PARAM=pageSize \
  -e OCEAN__INTEGRATION__CONFIG__HAS_MORE_PATH=pagination.hasNextPage \
  ghcr.io/port-labs/port-ocean-custom:latest
# Installation cursor-usage-page-250 (page, page/pageSize=250, hasMorePath pagination.hasNextPage): analytics-bugbot, analytics-bugbot-reviews
docker run -d --name cursor-usage-page-250 --restart unless-stopped --platform=linux/amd64 \
  -e OCEAN__PORT__CLIENT_ID="$PORT_CLIENT_ID" \
  -e OCEAN__PORT__CLIENT_SECRET="$PORT_CLIENT_SECRET" \
  -e OCEAN__PORT__BASE_URL=https://api.port.io \
  -e OCEAN__EVENT_LISTENER='{"type":"POLLING"}' \
  -e OCEAN__INTEGRATION__IDENTIFIER=cursor-usage-page-250 \
  -e OCEAN__INTEGRATION__TYPE=custom \
  -e OCEAN__SCHEDULED_RESYNC_INTERVAL=60 \
  -e OCEAN__ALLOW_ENVIRONMENT_VARIABLES_JQ_ACCESS=false \
  -e OCEAN__PROCESSING_MODE=ocean-core \
  -e OCEAN__INTEGRATION__CONFIG__BASE_URL=https://api.cursor.com \
  -e OCEAN__INTEGRATION__CONFIG__AUTH_TYPE=api_key \
  -e OCEAN__INTEGRATION__CONFIG__API_KEY="Basic $(printf '%s:' "$CURSOR_API_KEY" | base64 | tr -d '\n')" \
  -e OCEAN__INTEGRATION__CONFIG__API_KEY_HEADER=Authorization \
  -e OCEAN__INTEGRATION__CONFIG__PAGINATION_TYPE=page \
  -e OCEAN__INTEGRATION__CONFIG__PAGE_SIZE=250 \
  -e OCEAN__INTEGRATION__CONFIG__PAGINATION_PARAM=page \
  -e OCEAN__INTEGRATION__CONFIG__SIZE_PARAM=pageSize \
  -e OCEAN__INTEGRATION__CONFIG__HAS_MORE_PATH=pagination.hasNextPage \
  ghcr.io/port-labs/port-ocean-custom:latest
# Installation cursor-usage-cursor-100 (cursor, cursor/limit=100, hasMorePath nextCursor, cursorPath nextCursor): cloud-agents, cloud-agent-runs, cloud-agent-usage
docker run -d --name cursor-usage-cursor-100 --restart unless-stopped --platform=linux/amd64 \
  -e OCEAN__PORT__CLIENT_ID="$PORT_CLIENT_ID" \
  -e OCEAN__PORT__CLIENT_SECRET="$PORT_CLIENT_SECRET" \
  -e OCEAN__PORT__BASE_URL=https://api.port.io \
  -e OCEAN__EVENT_LISTENER='{"type":"POLLING"}' \
  -e OCEAN__INTEGRATION__IDENTIFIER=cursor-usage-cursor-100 \
  -e OCEAN__INTEGRATION__TYPE=custom \
  -e OCEAN__SCHEDULED_RESYNC_INTERVAL=60 \
  -e OCEAN__ALLOW_ENVIRONMENT_VARIABLES_JQ_ACCESS=false \
  -e OCEAN__PROCESSING_MODE=ocean-core \
  -e OCEAN__INTEGRATION__CONFIG__BASE_URL=https://api.cursor.com \
  -e OCEAN__INTEGRATION__CONFIG__AUTH_TYPE=api_key \
  -e OCEAN__INTEGRATION__CONFIG__API_KEY="Basic $(printf '%s:' "$CURSOR_API_KEY" | base64 | tr -d '\n')" \
  -e OCEAN__INTEGRATION__CONFIG__API_KEY_HEADER=Authorization \
  -e OCEAN__INTEGRATION__CONFIG__PAGINATION_TYPE=cursor \
  -e OCEAN__INTEGRATION__CONFIG__PAGINATION_PARAM=cursor \
  -e OCEAN__INTEGRATION__CONFIG__SIZE_PARAM=limit \
  -e OCEAN__INTEGRATION__CONFIG__CURSOR_PATH=nextCursor \
  -e OCEAN__INTEGRATION__CONFIG__HAS_MORE_PATH=nextCursor \
  ghcr.io/port-labs/port-ocean-custom:latest
