"""Contract of the Cloud Agents API v1 (cursor-api.md §9): list with limit/cursor, per-agent usage."""

from __future__ import annotations

import base64

import pytest

from builder.simulator import DEMO_API_KEY
from sim_shapes import AGENT, AGENT_RUN, AGENT_USAGE, GIT_BRANCH, USAGE_RUN, USAGE_RUN_OPTIONAL, check
from sim_support import DAY_MS, NOW_MS


def all_agents(sim, limit: int = 100) -> tuple[list[dict], list[dict]]:
    """Every agent through the cursor, and each page's envelope."""
    items, pages, cursor = [], [], None
    while True:
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        response = sim.get("/v1/agents", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append(page)
        items += page["items"]
        cursor = page.get("nextCursor")
        if cursor is None:
            return items, pages


def test_list_envelope_and_agent_fields(sim):
    items, pages = all_agents(sim)
    assert items, "the seeded team runs cloud agents"
    for page in pages[:-1]:
        assert list(page) == ["items", "nextCursor"] and isinstance(page["nextCursor"], str)
    assert list(pages[-1]) == ["items"]  # nextCursor is omitted on the last page, not null
    for agent in items:
        check(agent, AGENT)
        assert agent["status"] in ("ACTIVE", "ARCHIVED") and agent["runs"]
        for run in agent["runs"]:
            check(run, AGENT_RUN)
            assert run["durationMs"] > 0
            assert set(run["git"]) == {"branches"} and run["git"]["branches"]
            for branch in run["git"]["branches"]:
                check(branch, GIT_BRANCH)
                assert "://" not in branch["repoUrl"]  # no scheme
    created = [a["createdAt"] for a in items]
    assert created == sorted(created, reverse=True)  # newest first


@pytest.mark.parametrize("limit", [1, 7, 20, 100])
def test_cursor_pages_partition_the_list(make_client, limit):
    sim = make_client()
    every, _ = all_agents(sim, 100)
    paged, pages = all_agents(sim, limit)
    assert [a["id"] for a in paged] == [a["id"] for a in every]
    assert all(len(p["items"]) == limit for p in pages[:-1]) and 0 < len(pages[-1]["items"]) <= limit


def test_default_limit_and_determinism(make_client):
    first, second = make_client(), make_client()
    assert len(first.get("/v1/agents").json()["items"]) == 20
    assert first.get("/v1/agents").json() == second.get("/v1/agents").json()  # seeded
    assert make_client(seed=8).get("/v1/agents").json() != first.get("/v1/agents").json()


@pytest.mark.parametrize("params, message", [
    ({"limit": "101"}, "limit must be between 1 and 100"),
    ({"limit": "0"}, "limit must be between 1 and 100"),
    ({"limit": "ten"}, "limit must be an integer"),
    ({"cursor": "not-a-cursor"}, "Invalid cursor"),
    ({"cursor": base64.urlsafe_b64encode(b'{"o": -5}').decode()}, "Invalid cursor"),
])
def test_list_rejects_bad_parameters(sim, params, message):
    response = sim.get("/v1/agents", params=params)
    assert response.status_code == 400
    assert response.json() == {"error": "Bad Request", "message": message}


def test_usage_envelope_equals_the_usage_events_of_the_same_work(sim):
    agents, _ = all_agents(sim)
    events = sim.post("/teams/filtered-usage-events", {"startDate": NOW_MS - 30 * DAY_MS, "endDate": NOW_MS,
                                                       "cloudAgentId": "*", "pageSize": 1000}).json()["usageEvents"]
    for agent in agents[:10]:
        body = sim.get(f"/v1/agents/{agent['id']}/usage").json()
        assert list(body) == ["totalUsage", "runs"]
        check(body["totalUsage"], AGENT_USAGE)
        assert [r["id"] for r in body["runs"]] == [r["id"] for r in agent["runs"]]
        for run in body["runs"]:
            check(run, USAGE_RUN, USAGE_RUN_OPTIONAL)
            check(run["usage"], AGENT_USAGE)
            parts = [run["usage"][k] for k in ("inputTokens", "outputTokens", "cacheWriteTokens", "cacheReadTokens")]
            assert run["usage"]["totalTokens"] == sum(parts)
        for key in AGENT_USAGE:
            assert body["totalUsage"][key] == sum(r["usage"][key] for r in body["runs"])
        mine = [e for e in events if e.get("cloudAgentId") == agent["id"]]
        assert body["totalUsage"]["inputTokens"] == sum(e.get("tokenUsage", {}).get("inputTokens", 0) for e in mine)
        # usageUuid is there exactly for the runs whose usage event was token-based
        assert sum("usageUuid" in r for r in body["runs"]) == sum("tokenUsage" in e for e in mine)


def test_usage_of_one_run_and_unknown_ids(sim):
    agent = sim.get("/v1/agents", params={"limit": 1}).json()["items"][0]
    run_id = agent["runs"][0]["id"]
    body = sim.get(f"/v1/agents/{agent['id']}/usage", params={"runId": run_id}).json()
    assert [r["id"] for r in body["runs"]] == [run_id]
    assert body["totalUsage"] == body["runs"][0]["usage"]
    assert sim.get(f"/v1/agents/{agent['id']}/usage", params={"runId": "run_nope"}).status_code == 404
    missing = sim.get("/v1/agents/bc_nope/usage")
    assert missing.status_code == 404 and missing.json() == {"error": "Not Found", "message": "Resource not found"}


def test_bearer_is_always_accepted_and_every_tier_has_the_api(make_client):
    sim = make_client(auth=None, accept_bearer=False, tier="team")
    bearer = {"Authorization": f"Bearer {DEMO_API_KEY}"}
    assert sim.get("/v1/agents", headers=bearer).status_code == 200  # documented for Cloud Agents
    assert sim.get("/teams/members", headers=bearer).status_code == 401  # not elsewhere when turned off
    assert sim.get("/v1/agents").status_code == 401
    assert "etag" not in sim.get("/v1/agents", headers=bearer).headers  # no ETags documented
