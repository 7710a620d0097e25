"""Cross-cutting behaviour (cursor-api.md §1): auth, tiers, rate limits, ETag/304, errors, faults."""

from __future__ import annotations

import base64
import json

import pytest

from builder.simulator import DEMO_API_KEY, FaultConfig

UNAUTHORIZED = {"error": "Unauthorized", "message": "Invalid API key"}
FORBIDDEN = {"error": "Forbidden", "message": "Enterprise access required"}
ADMIN_429 = {"code": "error", "message": "Rate limit exceeded"}
ANALYTICS_429 = {"error": "Too Many Requests", "message": "Rate limit exceeded. Please try again later."}


def basic(username: str, password: str = "") -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


# --- auth ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("headers, status", [
    (basic(DEMO_API_KEY), 200),
    ({"Authorization": f"Bearer {DEMO_API_KEY}"}, 200),
    (basic("crsr_wrong"), 401),
    (basic(DEMO_API_KEY, "secret"), 401),
    ({"Authorization": "Basic not-base64!"}, 401),
    ({"Authorization": DEMO_API_KEY}, 401),
    ({}, 401),
])
def test_basic_auth_with_key_as_username(make_client, headers, status):
    sim = make_client(auth=None)
    response = sim.get("/teams/members", headers=headers)
    assert response.status_code == status
    if status == 401:
        assert response.json() == UNAUTHORIZED


def test_bearer_can_be_turned_off(make_client):
    sim = make_client(auth=None, accept_bearer=False)
    assert sim.get("/teams/members", headers={"Authorization": f"Bearer {DEMO_API_KEY}"}).status_code == 401


def test_separate_analytics_key_only_opens_analytics(make_client):
    sim = make_client(auth=("crsr_analytics", ""), analytics_api_key="crsr_analytics")
    assert sim.get("/analytics/team/dau").status_code == 200
    assert sim.get("/analytics/by-user/tabs").status_code == 200
    assert sim.get("/teams/members").status_code == 401
    assert sim.get("/analytics/ai-code/commits").status_code == 401


def test_unknown_path_and_wrong_method(sim):
    missing = sim.get("/teams/nothing-here")
    assert missing.status_code == 404 and missing.json() == {"error": "Not Found", "message": "Resource not found"}
    assert sim.get("/teams/spend").status_code == 405


# --- tiers --------------------------------------------------------------------------------------

ENTERPRISE_ADMIN = [("POST", "/teams/user-spend-limit"), ("POST", "/teams/user-spend-limits"),
                    ("POST", "/teams/remove-member"), ("GET", "/teams/groups"), ("GET", "/teams/groups/group_x")]
ANALYTICS = ["/analytics/team/dau", "/analytics/by-user/models", "/analytics/ai-code/commits",
             "/analytics/ai-code/changes.csv", "/analytics/team/leaderboard"]


@pytest.mark.parametrize("method, path", ENTERPRISE_ADMIN)
def test_team_tier_gets_403_on_enterprise_admin_routes(make_client, method, path):
    sim = make_client(tier="team")
    response = sim.request(method, path, json={})
    assert response.status_code == 403 and response.json() == FORBIDDEN


@pytest.mark.parametrize("path", ANALYTICS)
@pytest.mark.parametrize("denied, body", [(401, UNAUTHORIZED), (403, FORBIDDEN)])
def test_team_tier_is_denied_analytics(make_client, path, denied, body):
    sim = make_client(tier="team", analytics_denied_status=denied)
    response = sim.get(path)
    assert response.status_code == denied and response.json() == body


def test_team_tier_keeps_the_general_admin_api(make_client):
    sim = make_client(tier="team")
    assert sim.get("/teams/members").status_code == 200
    assert sim.post("/teams/spend", {}).status_code == 200


# --- rate limits --------------------------------------------------------------------------------

def test_admin_limit_is_per_endpoint_with_retry_after(make_client, clock):
    sim = make_client(rate_limits=True, clock=clock)
    for _ in range(20):
        assert sim.get("/teams/members").status_code == 200
    limited = sim.get("/teams/members")
    assert limited.status_code == 429 and limited.json() == ADMIN_429
    assert limited.headers["retry-after"] == "60"
    assert sim.post("/teams/spend", {}).status_code == 200  # another endpoint has its own budget
    clock.advance(59)
    assert sim.get("/teams/members").status_code == 429
    clock.advance(1.5)
    assert sim.get("/teams/members").status_code == 200


@pytest.mark.parametrize("path, method, limit, body", [
    ("/teams/filtered-usage-events", "POST", 60, ADMIN_429),
    ("/teams/user-spend-limits", "POST", 20, ADMIN_429),
    ("/analytics/ai-code/commits", "GET", 20, ANALYTICS_429),
    ("/analytics/team/models", "GET", 100, ANALYTICS_429),
    ("/analytics/by-user/tabs", "GET", 50, ANALYTICS_429),
])
def test_documented_limits(make_client, clock, path, method, limit, body):
    sim = make_client(rate_limits=True, clock=clock)
    payload = {"updates": [{"userEmail": "x@y.z", "spendLimitDollars": 1}]} if "limits" in path else {}
    for _ in range(limit):
        assert sim.request(method, path, json=payload if method == "POST" else None).status_code != 429
    limited = sim.request(method, path, json=payload if method == "POST" else None)
    assert limited.status_code == 429 and limited.json() == body and limited.headers["retry-after"] == "60"


def test_analytics_team_limit_is_shared_across_team_endpoints(make_client, clock):
    sim = make_client(rate_limits=True, clock=clock, rate_limit_overrides={"analytics-team": 3})
    assert [sim.get(p).status_code for p in ("/analytics/team/dau", "/analytics/team/tabs",
                                             "/analytics/team/models", "/analytics/team/mcp")] == [200, 200, 200, 429]
    assert sim.get("/analytics/by-user/tabs").status_code == 200


def test_rate_limited_writes_do_not_mutate(make_client, clock):
    sim = make_client(rate_limits=True, clock=clock, rate_limit_overrides={"user-spend-limit": 1})
    email = sim.get("/teams/members").json()["teamMembers"][1]["email"]
    assert sim.post("/teams/user-spend-limit", {"userEmail": email, "spendLimitDollars": 11}).status_code == 200
    assert sim.post("/teams/user-spend-limit", {"userEmail": email, "spendLimitDollars": 99}).status_code == 429
    row = next(r for r in sim.post("/teams/spend", {}).json()["teamMemberSpend"] if r["email"] == email)
    assert row["monthlyLimitDollars"] == 11


def test_limits_can_be_disabled_and_reset(make_client, clock):
    unlimited = make_client(rate_limits=False)
    assert all(unlimited.get("/teams/members").status_code == 200 for _ in range(30))
    sim = make_client(rate_limits=True, clock=clock, rate_limit_overrides={"admin": 1})
    assert sim.get("/teams/members").status_code == 200
    assert sim.get("/teams/members").status_code == 429
    sim.app.reset_rate_limits()
    assert sim.get("/teams/members").status_code == 200


def test_unknown_rate_limit_group_is_a_config_error():
    from builder.simulator import SimulatorConfig

    with pytest.raises(ValueError):
        SimulatorConfig(rate_limit_overrides={"everything": 1})


# --- ETag / 304 ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/analytics/team/dau", "/analytics/by-user/models",
                                  "/analytics/ai-code/commits", "/analytics/ai-code/commits.csv"])
def test_etag_and_not_modified(sim, path):
    first = sim.get(path)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=900"
    again = sim.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag and again.headers["cache-control"] == "public, max-age=900"
    assert sim.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    assert sim.get(path, headers={"If-None-Match": f'"x", W/{etag}'}).status_code == 304


def test_admin_api_has_no_etag(sim):
    assert "etag" not in sim.get("/teams/members").headers


def test_not_modified_does_not_count_against_the_limit(make_client, clock):
    sim = make_client(rate_limits=True, clock=clock, rate_limit_overrides={"ai-code": 2})
    etag = sim.get("/analytics/ai-code/changes").headers["etag"]
    for _ in range(5):
        assert sim.get("/analytics/ai-code/changes", headers={"If-None-Match": etag}).status_code == 304
    assert sim.get("/analytics/ai-code/changes").status_code == 200
    assert sim.get("/analytics/ai-code/changes").status_code == 429
    # even over the limit, a matching conditional request still gets its 304
    assert sim.get("/analytics/ai-code/changes", headers={"If-None-Match": etag}).status_code == 304
    assert sim.get("/analytics/ai-code/changes", headers={"If-None-Match": '"stale"'}).status_code == 429


# --- faults -------------------------------------------------------------------------------------

def statuses(sim, count: int, path: str = "/teams/members") -> list[int]:
    return [sim.get(path).status_code for _ in range(count)]


def test_error_rate_is_deterministic_under_the_seed(make_client):
    faults = FaultConfig(error_rate=0.3)
    first = statuses(make_client(faults=faults), 40)
    second = statuses(make_client(faults=faults), 40)
    assert first == second and 500 in first and 200 in first
    other = statuses(make_client(faults=faults, seed=8), 40)
    assert other != first


def test_injected_500_uses_the_documented_body(make_client):
    sim = make_client(faults=FaultConfig(error_rate=1.0))
    response = sim.get("/teams/members")
    assert response.status_code == 500
    assert response.json() == {"error": "Internal Server Error", "message": "An unexpected error occurred"}


def test_bursts_fail_the_next_requests(make_client):
    sim = make_client(faults=FaultConfig(burst=2))
    assert statuses(sim, 3) == [503, 503, 200]
    sim.app.faults.trigger_burst(3, status=502)
    assert statuses(sim, 4) == [502, 502, 502, 200]


def test_truncated_json_bodies(make_client):
    sim = make_client(faults=FaultConfig(truncate_rate=1.0))
    response = sim.get("/analytics/team/dau")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    assert int(response.headers["content-length"]) == len(response.content)


def test_non_json_bodies(make_client):
    sim = make_client(faults=FaultConfig(non_json_rate=1.0))
    response = sim.get("/teams/members")
    assert response.status_code == 502
    assert response.headers["content-type"] == "text/html"
    assert response.text.lstrip().startswith("<html>")


def test_faults_can_target_paths(make_client):
    sim = make_client(faults=FaultConfig(error_rate=1.0, paths=("/analytics/",)))
    assert sim.get("/teams/members").status_code == 200
    assert sim.get("/analytics/team/dau").status_code == 500


def test_latency_goes_through_the_replaceable_sleep(make_client):
    sim = make_client(faults=FaultConfig(latency_ms=250, latency_jitter_ms=100))
    slept: list[float] = []

    async def record(seconds: float) -> None:
        slept.append(seconds)

    sim.app.sleep = record
    statuses(sim, 3)
    assert len(slept) == 3 and all(0.25 <= s <= 0.35 for s in slept)


@pytest.mark.parametrize("bad", [{"error_rate": 1.5}, {"latency_ms": -1}, {"error_statuses": (404,)}])
def test_fault_config_is_validated(bad):
    with pytest.raises(ValueError):
        FaultConfig(**bad)
