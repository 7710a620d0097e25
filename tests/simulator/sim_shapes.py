"""Field-by-field shapes from cursor-api.md, and a checker that treats bool apart from numbers."""

from __future__ import annotations

from typing import Any

NUMBER = "number"  # int or float, never bool
INT = "int"
NULL = type(None)


def _matches(value: Any, spec: Any) -> bool:
    if isinstance(spec, tuple):
        return any(_matches(value, s) for s in spec)
    if spec == NUMBER:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if spec == INT:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, spec)


def check(obj: dict, required: dict[str, Any], optional: dict[str, Any] | None = None) -> None:
    """``obj`` has exactly the required keys (plus any optional ones), each of the given type."""
    optional = optional or {}
    assert isinstance(obj, dict), obj
    missing = set(required) - set(obj)
    extra = set(obj) - set(required) - set(optional)
    assert not missing and not extra, f"missing {sorted(missing)}, unexpected {sorted(extra)} in {obj}"
    for key, spec in {**required, **optional}.items():
        if key in obj:
            assert _matches(obj[key], spec), f"{key}={obj[key]!r} is not {spec}"


MEMBER = {"id": str, "name": str, "email": str, "role": str, "isRemoved": bool}

DAILY_ROW = {
    "userId": INT, "day": str, "date": INT, "email": str, "isActive": bool,
    **{name: INT for name in (
        "totalLinesAdded", "totalLinesDeleted", "acceptedLinesAdded", "acceptedLinesDeleted", "totalApplies",
        "totalAccepts", "totalRejects", "totalTabsShown", "totalTabsAccepted", "composerRequests",
        "chatRequests", "agentRequests", "cmdkUsages", "subscriptionIncludedReqs", "apiKeyReqs",
        "usageBasedReqs", "bugbotUsages")},
    "mostUsedModel": (str, NULL), "applyMostUsedExtension": (str, NULL), "tabMostUsedExtension": (str, NULL),
    "clientVersion": (str, NULL),
}
PAGINATION_USERS = {"page": INT, "pageSize": INT, "totalUsers": INT, "totalPages": INT, "hasNextPage": bool,
                    "hasPreviousPage": bool}

SPEND_ROW = {"userId": str, "name": str, "email": str, "role": str, "spendCents": NUMBER,
             "overallSpendCents": NUMBER, "fastPremiumRequests": INT, "hardLimitOverrideDollars": NUMBER,
             "monthlyLimitDollars": (NUMBER, NULL), "effectivePerUserLimitDollars": NUMBER,
             # Added by cursor-api.md §9 (Airbyte's schema [3P]).
             "removedAt": (INT, NULL), "billingTier": str, "apiPercentUsed": NUMBER, "autoPercentUsed": NUMBER,
             "totalPercentUsed": NUMBER, "includedSpendCents": NUMBER, "usagePromoExpiresAt": (INT, NULL)}

USAGE_EVENT = {"timestamp": str, "userEmail": str, "model": str, "kind": str, "maxMode": bool,
               "requestsCosts": NUMBER, "isTokenBasedCall": bool, "isChargeable": bool, "isHeadless": bool,
               "chargedCents": NUMBER}
USAGE_EVENT_OPTIONAL = {"serviceAccountId": str, "serviceAccountName": str, "cloudAgentId": str,
                        "automationId": str, "conversationId": str, "tokenUsage": dict, "cursorTokenFee": NUMBER}
TOKEN_USAGE = {"inputTokens": INT, "outputTokens": INT, "cacheWriteTokens": INT, "cacheReadTokens": INT,
               "totalCents": NUMBER}
EVENTS_PAGINATION = {"numPages": INT, "currentPage": INT, "pageSize": INT, "hasNextPage": bool,
                     "hasPreviousPage": bool}

AUDIT_EVENT = {"event_id": str, "timestamp": str, "ip_address": str, "user_email": str, "event_type": str,
               "event_data": dict, "application_type": str}
AUDIT_APPLICATION_TYPES = ("cursor", "grok_bot", "")
PAGINATION_COUNT = {"page": INT, "pageSize": INT, "totalCount": INT, "totalPages": INT, "hasNextPage": bool,
                    "hasPreviousPage": bool}

COMMIT = {"commitHash": str, "userId": str, "userEmail": str, "repoName": (str, NULL), "branchName": (str, NULL),
          "isPrimaryBranch": (bool, NULL), "commitSource": str, "totalLinesAdded": INT, "totalLinesDeleted": INT,
          "tabLinesAdded": INT, "tabLinesDeleted": INT, "composerLinesAdded": INT, "composerLinesDeleted": INT,
          "nonAiLinesAdded": (INT, NULL), "nonAiLinesDeleted": (INT, NULL), "message": (str, NULL),
          "commitTs": (str, NULL), "createdAt": str}
CHANGE = {"changeId": str, "userId": str, "userEmail": str, "source": str, "model": (str, NULL),
          "totalLinesAdded": INT, "totalLinesDeleted": INT, "createdAt": str, "metadata": list}
CHANGE_FILE = {"fileExtension": str, "linesAdded": INT, "linesDeleted": INT}

LINES = {name: INT for name in (
    "total_green_lines_accepted", "total_red_lines_accepted", "total_green_lines_rejected",
    "total_red_lines_rejected", "total_green_lines_suggested", "total_red_lines_suggested",
    "total_lines_suggested", "total_lines_accepted")}
ANALYTICS_ROWS = {
    "agent-edits": {"event_date": str, "total_suggested_diffs": INT, "total_accepted_diffs": INT,
                    "total_rejected_diffs": INT, **LINES},
    "tabs": {"event_date": str, "total_suggestions": INT, "total_accepts": INT, "total_rejects": INT, **LINES},
    "dau": {"date": str, "dau": INT, "cli_dau": INT, "cloud_agent_dau": INT, "bugbot_dau": INT},
    "client-versions": {"event_date": str, "client_version": str, "user_count": INT, "percentage": NUMBER},
    "models": {"date": str, "model_breakdown": dict},
    "top-file-extensions": {"event_date": str, "file_extension": str, "total_files": INT, "total_accepts": INT,
                            "total_rejects": INT, "total_lines_suggested": INT, "total_lines_accepted": INT,
                            "total_lines_rejected": INT},
    "mcp": {"event_date": str, "tool_name": str, "mcp_server_name": str, "usage": INT},
    "commands": {"event_date": str, "command_name": str, "usage": INT},
    "plans": {"event_date": str, "model": str, "usage": INT},
    "skills": {"event_date": str, "skill_name": str, "usage": INT},
    "ask-mode": {"event_date": str, "model": str, "usage": INT},
}
METRIC_NAMES = {path: path for path in ANALYTICS_ROWS} | {"top-file-extensions": "top-files"}

# Cloud Agents API v1 (cursor-api.md §9)
AGENT = {"id": str, "name": str, "status": str, "createdAt": str, "runs": list}
AGENT_RUN = {"id": str, "status": str, "createdAt": str, "durationMs": INT, "git": dict}
GIT_BRANCH = {"repoUrl": str, "branch": str, "prUrl": (str, NULL)}
AGENT_USAGE = {"inputTokens": INT, "outputTokens": INT, "cacheWriteTokens": INT, "cacheReadTokens": INT,
               "totalTokens": INT}
USAGE_RUN = {"id": str, "usage": dict}
USAGE_RUN_OPTIONAL = {"usageUuid": str}
