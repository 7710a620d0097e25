"""Cloud Agents API v1 (cursor-api.md §9): ``GET /v1/agents`` and ``GET /v1/agents/{id}/usage``.

The agents are the ones the usage events already name (``cloudAgentId``): every cloud-agent usage
event is one run of its agent, so an agent's ``/usage`` equals the ``tokenUsage`` of the same work
in ``/teams/filtered-usage-events``, as the docs say it does. What §9 documents is kept exactly:
the ``{items, nextCursor}`` envelope with ``nextCursor`` *omitted* (not null) on the last page,
``limit`` ≤ 100, the usage envelope ``{totalUsage, runs: [{id, usageUuid?, usage}]}``, and runs that
carry ``durationMs`` and ``git.branches: [{repoUrl (no scheme), branch, prUrl}]``. §9 leaves the
agent object itself open; the simulator's agent is ``{id, name, status, createdAt, runs}`` with the
runs inline [INV]. The docs list "the authenticated user's agents"; whether a team key sees the
whole team is not documented, and the simulator (one team key) lists every agent of the team.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from builder.net.asgi import Request, Response
from . import catalog
from .common import ApiError, bad_request, int_value, not_found
from .dates import day_start_ms, iso_ms
from .generator import World
from .model import UsageEvent
from .rng import Rng
from .team import new_uuid

MAX_LIMIT = 100
DEFAULT_LIMIT = 20  # the v0 list's documented default; v1 documents only the maximum [INV]
USAGE_KEYS = ("inputTokens", "outputTokens", "cacheWriteTokens", "cacheReadTokens")
AGENT_TASKS = ("Fix flaky checkout tests", "Add retries to webhook sender", "Bump dependencies",
               "Migrate logging to structured output", "Speed up CI cache", "Document the deploy runbook",
               "Tighten input validation", "Refactor the analytics client")


@dataclass(frozen=True)
class Agent:
    id: str
    created_ms: int
    payload: dict  # the list item
    runs: tuple[dict, ...]  # the /usage runs, same order as payload["runs"]


def _usage(event: UsageEvent) -> dict:
    tokens = event.payload.get("tokenUsage") or {}
    usage = {key: int(tokens.get(key, 0)) for key in USAGE_KEYS}
    usage["totalTokens"] = sum(usage.values())
    return usage


def team_agents(world: World) -> list[Agent]:
    """Every cloud agent of the generated window, newest first (cached on the world)."""
    cached = getattr(world, "_cloud_agents", None)
    if cached is not None:
        return cached
    by_agent: dict[str, list[UsageEvent]] = {}
    for event in sorted(world.usage_events(day_start_ms(world.first_day), world.now_ms), key=lambda e: e.ts_ms):
        agent_id = event.payload.get("cloudAgentId")
        if agent_id:
            by_agent.setdefault(agent_id, []).append(event)
    agents = [_agent(world, agent_id, events) for agent_id, events in by_agent.items()]
    agents.sort(key=lambda a: (-a.created_ms, a.id))
    world._cloud_agents = agents  # type: ignore[attr-defined]
    return agents


def _agent(world: World, agent_id: str, events: list[UsageEvent]) -> Agent:
    rng = Rng(f"{world.config.seed}/agent/{agent_id}")
    owner = world.team.members[events[0].member] if events[0].member is not None else None
    repos = owner.profile.repos if owner is not None else ("infra", "deploy-tools", "observability")
    repo = rng.choice(repos)
    topic = rng.choice(catalog.BRANCH_TOPICS)
    branch = f"cursor/{topic}-{agent_id[-4:]}"
    repo_url = f"github.com/{catalog.TEAM_ORG}/{repo}"
    list_runs, usage_runs = [], []
    for i, event in enumerate(events):
        # A run ends when the next one starts or after a few minutes of work; never after "now".
        following = events[i + 1].ts_ms if i + 1 < len(events) else event.ts_ms + rng.randint(60, 1500) * 1000
        duration = max(1000, min(following, world.now_ms) - event.ts_ms)
        opened = rng.random() < 0.6
        run_id = f"run_{new_uuid(rng).replace('-', '')[:20]}"
        pr_number = rng.randint(100, 2400)
        list_runs.append({
            "id": run_id, "status": "FINISHED", "createdAt": iso_ms(event.ts_ms), "durationMs": duration,
            "git": {"branches": [{"repoUrl": repo_url, "branch": branch,
                                  "prUrl": f"https://{repo_url}/pull/{pr_number}" if opened else None}]},
        })
        run: dict = {"id": run_id}
        if "tokenUsage" in event.payload:
            run["usageUuid"] = new_uuid(rng)  # omitted for runs that were not token-based
        run["usage"] = _usage(event)
        usage_runs.append(run)
    archived = rng.random() < 0.25
    payload = {"id": agent_id, "name": rng.choice(AGENT_TASKS), "status": "ARCHIVED" if archived else "ACTIVE",
               "createdAt": iso_ms(events[0].ts_ms), "runs": list_runs}
    return Agent(agent_id, events[0].ts_ms, payload, tuple(usage_runs))


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        offset = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())["o"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise bad_request("Invalid cursor") from None
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise bad_request("Invalid cursor")
    return offset


def list_agents(world: World, request: Request) -> Response:
    limit = int_value(request.query_get("limit"), "limit", default=DEFAULT_LIMIT, maximum=MAX_LIMIT)
    cursor = request.query_get("cursor")
    offset = _decode_cursor(cursor) if cursor else 0
    agents = team_agents(world)
    body: dict = {"items": [a.payload for a in agents[offset:offset + limit]]}
    if offset + limit < len(agents):
        body["nextCursor"] = _encode_cursor(offset + limit)  # omitted, not null, on the last page
    return Response.json(body)


def agent_usage(world: World, request: Request) -> Response:
    agent_id = request.path_params["agentId"]
    agent = next((a for a in team_agents(world) if a.id == agent_id), None)
    if agent is None:
        raise not_found()
    runs = list(agent.runs)
    run_id = request.query_get("runId")
    if run_id:
        runs = [r for r in runs if r["id"] == run_id]
        if not runs:
            raise ApiError(404, {"error": "Not Found", "message": "Run not found"})
    total = {key: sum(r["usage"][key] for r in runs) for key in (*USAGE_KEYS, "totalTokens")}
    return Response.json({"totalUsage": total, "runs": runs})
