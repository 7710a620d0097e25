"""The simulator as an ASGI app: routing table, auth, tiers, rate limits, ETags and faults.

Order of the checks for one request, and why:
1. route (unknown path → 404) — nothing below applies to a path the API does not have;
2. injected faults — a load balancer fails before the API even looks at the key;
3. auth, then tier — 401 before 403, like the real API;
4. rate limit — only once the request is attributable to the team; checked *before* the handler
   so a rate-limited write does not mutate, yet a conditional GET that ends in 304 is not counted;
5. handler, then ETag/304 for /analytics/* GETs, then body-level faults (truncation, HTML).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from builder.net.asgi import Receive, Request, Response, Router, Scope, Send, dispatch
from . import admin, admin_settings, agents, ai_code, analytics_extra
from .analytics import metric_handlers
from .common import ApiError
from .config import SimulatorConfig
from .faults import FaultInjector, server_error
from .generator import World
from .limits import ADMIN_429, GENERIC_429, RETRY_AFTER, RateLimiter, etag_for, etag_matches

log = logging.getLogger(__name__)

Handler = Callable[[World, Request], Response]
UNAUTHORIZED = {"error": "Unauthorized", "message": "Invalid API key"}
FORBIDDEN = {"error": "Forbidden", "message": "Enterprise access required"}
CACHE_CONTROL = "public, max-age=900"


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    family: str  # admin | ai-code | analytics-team | analytics-by-user | cloud-agents
    group: str  # rate-limit group, see limits.GROUPS
    enterprise_only: bool = False

    @property
    def bucket(self) -> str:
        # Analytics limits are per team across the family; the others are per endpoint.
        if self.group in ("analytics-team", "analytics-by-user"):
            return self.group
        return f"{self.method} {self.path}"

    @property
    def cached(self) -> bool:
        # ETags are documented for Analytics and AI Code Tracking only (§1.6), not Admin or Cloud Agents.
        return self.method == "GET" and self.family not in ("admin", "cloud-agents")


def endpoints() -> list[Endpoint]:
    routes = [
        Endpoint("GET", "/teams/members", admin.members, "admin", "admin"),
        Endpoint("POST", "/teams/daily-usage-data", admin.daily_usage, "admin", "admin"),
        Endpoint("POST", "/teams/spend", admin.spend, "admin", "admin"),
        Endpoint("POST", "/teams/filtered-usage-events", admin.usage_events, "admin", "usage-events"),
        Endpoint("GET", "/teams/audit-logs", admin.audit_logs, "admin", "admin"),
        Endpoint("POST", "/teams/user-spend-limit", admin_settings.set_spend_limit, "admin", "user-spend-limit", True),
        Endpoint("POST", "/teams/user-spend-limits", admin_settings.set_spend_limits, "admin", "user-spend-limits",
                 True),
        Endpoint("POST", "/teams/remove-member", admin_settings.remove_member, "admin", "remove-member", True),
        Endpoint("GET", "/settings/repo-blocklists/repos", admin_settings.list_blocklists, "admin", "admin"),
        Endpoint("POST", "/settings/repo-blocklists/repos/upsert", admin_settings.upsert_blocklists, "admin", "admin"),
        Endpoint("DELETE", "/settings/repo-blocklists/repos/{repoId}", admin_settings.delete_blocklist, "admin",
                 "admin"),
        Endpoint("GET", "/teams/groups", admin_settings.list_groups, "admin", "admin", True),
        Endpoint("GET", "/teams/groups/{groupId}", admin_settings.get_group, "admin", "admin", True),
        Endpoint("GET", "/v1/agents", agents.list_agents, "cloud-agents", "cloud-agents"),
        Endpoint("GET", "/v1/agents/{agentId}/usage", agents.agent_usage, "cloud-agents", "cloud-agents"),
        Endpoint("GET", "/analytics/ai-code/commits", ai_code.commits, "ai-code", "ai-code"),
        Endpoint("GET", "/analytics/ai-code/commits.csv", ai_code.commits_csv, "ai-code", "ai-code"),
        Endpoint("GET", "/analytics/ai-code/changes", ai_code.changes, "ai-code", "ai-code"),
        Endpoint("GET", "/analytics/ai-code/changes.csv", ai_code.changes_csv, "ai-code", "ai-code"),
        Endpoint("GET", "/analytics/team/leaderboard", analytics_extra.leaderboard, "analytics-team", "analytics-team"),
        Endpoint("GET", "/analytics/team/bugbot", analytics_extra.bugbot, "analytics-team", "analytics-team"),
        Endpoint("GET", "/analytics/team/bugbot-reviews", analytics_extra.bugbot_reviews, "analytics-team",
                 "analytics-team"),
        Endpoint("GET", "/analytics/team/conversation-insights", analytics_extra.conversation_insights,
                 "analytics-team", "conversation-insights"),
    ]
    team, by_user = metric_handlers()
    routes += [Endpoint("GET", f"/analytics/team/{path}", h, "analytics-team", "analytics-team")
               for path, h in team.items()]
    routes += [Endpoint("GET", f"/analytics/by-user/{path}", h, "analytics-by-user", "analytics-by-user")
               for path, h in by_user.items()]
    return routes


def _presented_key(headers: dict[str, str], accept_bearer: bool) -> str | None:
    header = headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        username, sep, password = decoded.partition(":")
        # The documented scheme is "key as username, empty password".
        return username if sep and password == "" else None
    if scheme.lower() == "bearer" and accept_bearer:
        return value.strip() or None
    return None


class SimulatorApp:
    """ASGI callable. ``config``, ``world`` and ``faults`` are public for tests and the demo UI."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.world = World(config)
        self.limiter = RateLimiter(enabled=config.rate_limits, overrides=config.rate_limit_overrides,
                                   clock=config.clock)
        self.faults = FaultInjector(config.faults, config.seed)
        # Replaceable so that a test can observe injected latency without waiting for it.
        self.sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep
        # The router holds the endpoints themselves: one match yields route and metadata.
        self.router: Router[Endpoint] = Router()
        for endpoint in endpoints():
            self.router.add(endpoint.method, endpoint.path, endpoint)

    def reset_rate_limits(self) -> None:
        self.limiter.reset()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await dispatch(scope, receive, send, self.handle)

    async def handle(self, request: Request) -> Response:
        endpoint, params, path_known = self.router.match(request.method, request.path)
        if endpoint is None:
            if path_known:
                return Response.json({"error": "Method Not Allowed", "message": "Method not allowed"}, status=405)
            return Response.json({"error": "Not Found", "message": "Resource not found"}, status=404)
        request.path_params = params
        draw = self.faults.draw(request.path)
        if draw is not None and draw.delay_seconds > 0:
            await self.sleep(draw.delay_seconds)
        if draw is not None and draw.error_status is not None:
            return server_error(draw.error_status)
        denied = self._deny(endpoint, request)
        if denied is not None:
            return denied
        allowed = self.limiter.allows(endpoint.bucket, endpoint.group)
        conditional = endpoint.cached and "if-none-match" in request.headers
        if not allowed and not conditional:
            return self._too_many(endpoint)
        try:
            response = endpoint.handler(self.world, request)
        except ApiError as exc:
            response = exc.response()
        except Exception:  # a simulator bug must look like the API's 500, not kill the server
            log.exception("simulator handler failed for %s %s", request.method, request.path)
            response = server_error(500)
        if endpoint.cached and response.status == 200:
            etag = etag_for(response.body)
            response.headers.update({"etag": etag, "cache-control": CACHE_CONTROL})
            if etag_matches(request.headers.get("if-none-match"), etag):
                return Response(304, b"", {"etag": etag, "cache-control": CACHE_CONTROL})
        if not allowed:
            return self._too_many(endpoint)
        self.limiter.record(endpoint.bucket)
        return self.faults.apply_after(draw, response)

    def _deny(self, endpoint: Endpoint, request: Request) -> Response | None:
        # Bearer is documented for the Cloud Agents API only (§9); elsewhere it is the config's choice.
        key = _presented_key(request.headers, self.config.accept_bearer or endpoint.family == "cloud-agents")
        keys = {self.config.api_key}
        if self.config.analytics_api_key and endpoint.family.startswith("analytics-"):
            keys.add(self.config.analytics_api_key)
        if key is None or key not in keys:
            return Response.json(UNAUTHORIZED, status=401)
        if self.config.tier == "enterprise":
            return None
        if endpoint.family not in ("admin", "cloud-agents"):  # Cloud Agents: every plan (public beta)
            status = self.config.analytics_denied_status
            return Response.json(UNAUTHORIZED if status == 401 else FORBIDDEN, status=status)
        if endpoint.enterprise_only:
            return Response.json(FORBIDDEN, status=403)
        return None

    def _too_many(self, endpoint: Endpoint) -> Response:
        body = ADMIN_429 if endpoint.family == "admin" else GENERIC_429
        return Response.json(body, status=429, headers={"retry-after": RETRY_AFTER})


def create_app(config: SimulatorConfig | None = None) -> SimulatorApp:
    return SimulatorApp(config or SimulatorConfig())
