"""The endpoints tell one story: same seed same bytes, and the numbers reconcile across endpoints."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

import pytest

from sim_support import DAY_MS, NOW_MS

REQUESTS = [
    ("GET", "/teams/members", None),
    ("POST", "/teams/daily-usage-data", {"startDate": NOW_MS - 10 * DAY_MS, "endDate": NOW_MS, "page": 1,
                                         "pageSize": 50}),
    ("POST", "/teams/spend", {}),
    ("POST", "/teams/filtered-usage-events", {"pageSize": 1000}),
    ("GET", "/teams/audit-logs", None),
    ("GET", "/teams/groups", None),
    ("GET", "/analytics/ai-code/commits.csv?startDate=30d", None),
    ("GET", "/analytics/ai-code/changes?startDate=30d&pageSize=1000", None),
    ("GET", "/analytics/team/models?startDate=30d", None),
    ("GET", "/analytics/team/leaderboard?startDate=30d", None),
    ("GET", "/analytics/team/bugbot-reviews?startDate=30d", None),
    ("GET", "/analytics/team/conversation-insights?include=intents,categories", None),
    ("GET", "/analytics/by-user/top-file-extensions?startDate=30d", None),
]


def bodies(sim) -> list[bytes]:
    return [sim.request(method, path, json=body).content for method, path, body in REQUESTS]


def test_same_seed_and_now_give_byte_identical_responses(make_client):
    first, second = bodies(make_client()), bodies(make_client())
    assert first == second


def test_another_seed_gives_another_team(make_client):
    first, other = bodies(make_client()), bodies(make_client(seed=8))
    assert all(a != b for a, b in zip(first, other))


def test_history_before_today_does_not_move_with_now(make_client):
    from sim_support import FIXED_NOW
    from datetime import timedelta

    early, later = make_client(), make_client(now=FIXED_NOW + timedelta(hours=5))
    window = {"startDate": NOW_MS - 5 * DAY_MS, "endDate": NOW_MS - DAY_MS, "pageSize": 1000}
    assert early.post("/teams/filtered-usage-events", window).json() == \
        later.post("/teams/filtered-usage-events", window).json()


def event_pages(sim, start: int, end: int) -> list[dict]:
    """All events in [start, end], in windows the 30-day limit allows."""
    found = []
    while start <= end:
        stop = min(end, start + 30 * DAY_MS - 1)
        page = 1
        while True:
            body = sim.post("/teams/filtered-usage-events", {"startDate": start, "endDate": stop, "page": page,
                                                             "pageSize": 1000}).json()
            found += body["usageEvents"]
            if not body["pagination"]["hasNextPage"]:
                break
            page += 1
        start = stop + 1
    return found


@pytest.mark.parametrize("size, days", [(8, 30), (5, 45)])
def test_spend_reconciles_with_usage_events(make_client, size, days):
    sim = make_client(team_size=size, days=days)
    spend = sim.post("/teams/spend", {}).json()
    events = event_pages(sim, spend["subscriptionCycleStart"], NOW_MS)
    assert events
    for row in spend["teamMemberSpend"]:
        mine = [e for e in events if e["userEmail"] == row["email"]]
        assert row["overallSpendCents"] == pytest.approx(sum(e["chargedCents"] for e in mine), abs=1e-5)
        on_demand = [e for e in mine if e["kind"] == "Usage-based"]
        assert row["spendCents"] == pytest.approx(sum(e["chargedCents"] for e in on_demand), abs=1e-5)
        assert row["fastPremiumRequests"] == len(on_demand)
    assert any(row["spendCents"] > 0 for row in spend["teamMemberSpend"])


def _day_bounds(day: str) -> tuple[int, int]:
    start = int(datetime.fromisoformat(day).replace(tzinfo=timezone.utc).timestamp() * 1000)
    return start, start + DAY_MS - 1


def test_daily_usage_counts_match_usage_events_and_changes(sim):
    rows = sim.post("/teams/daily-usage-data", {"startDate": NOW_MS - 7 * DAY_MS, "endDate": NOW_MS}).json()["data"]
    events = event_pages(sim, NOW_MS - 8 * DAY_MS, NOW_MS)
    changes = sim.get("/analytics/ai-code/changes", params={"startDate": "8d", "pageSize": "1000"}).json()["items"]
    for row in rows:
        start, end = _day_bounds(row["day"])
        mine = [e for e in events if e["userEmail"] == row["email"] and start <= int(e["timestamp"]) <= end]
        requests = row["agentRequests"] + row["chatRequests"] + row["composerRequests"] + row["cmdkUsages"]
        assert requests == len(mine)
        assert row["subscriptionIncludedReqs"] + row["apiKeyReqs"] + row["usageBasedReqs"] == len(mine)
        assert row["usageBasedReqs"] == sum(e["kind"] == "Usage-based" for e in mine)
        if mine:
            counts = Counter(e["model"] for e in mine)
            assert counts[row["mostUsedModel"]] == max(counts.values())
        composer = [c for c in changes if c["userEmail"] == row["email"] and c["source"] == "COMPOSER"
                    and c["createdAt"].startswith(row["day"])]
        assert row["acceptedLinesAdded"] == sum(c["totalLinesAdded"] for c in composer)
        assert row["totalAccepts"] == len(composer)
        assert row["acceptedLinesAdded"] <= row["totalLinesAdded"]


def test_analytics_aggregate_the_same_activity(sim):
    rows = sim.post("/teams/daily-usage-data", {"startDate": NOW_MS - 7 * DAY_MS, "endDate": NOW_MS}).json()["data"]
    active = Counter(r["day"] for r in rows)
    dau = {r["date"]: r["dau"] for r in sim.get("/analytics/team/dau", params={"startDate": "7d"}).json()["data"]}
    assert dau == {day: count for day, count in active.items() if day >= "2026-04-27"}
    tabs = {r["event_date"]: r for r in sim.get("/analytics/team/tabs", params={"startDate": "7d"}).json()["data"]}
    for day, row in tabs.items():
        same = [r for r in rows if r["day"] == day]
        assert row["total_accepts"] == sum(r["totalTabsAccepted"] for r in same)
        assert row["total_suggestions"] == sum(r["totalTabsShown"] for r in same)
    edits = sim.get("/analytics/team/agent-edits", params={"startDate": "7d"}).json()["data"]
    for row in edits:
        same = [r for r in rows if r["day"] == row["event_date"]]
        assert row["total_accepted_diffs"] == sum(r["totalAccepts"] for r in same)
        assert row["total_green_lines_accepted"] == sum(r["acceptedLinesAdded"] for r in same)
    models = sim.get("/analytics/team/models", params={"startDate": "7d"}).json()["data"]
    for row in models:
        same = [r for r in rows if r["day"] == row["date"]]
        messages = sum(m["messages"] for m in row["model_breakdown"].values())
        assert messages == sum(r["agentRequests"] + r["chatRequests"] + r["composerRequests"] + r["cmdkUsages"]
                               for r in same)


def test_nothing_happens_after_now_or_outside_membership(sim):
    members = {m["email"]: m for m in sim.get("/teams/members").json()["teamMembers"]}
    events = event_pages(sim, NOW_MS - 29 * DAY_MS, NOW_MS + 5 * DAY_MS)
    assert max(int(e["timestamp"]) for e in events) <= NOW_MS
    removed = next(email for email, m in members.items() if m["isRemoved"])
    logs = sim.get("/teams/audit-logs", params={"startTime": "30d", "eventTypes": "remove_user,add_user",
                                                "pageSize": "500"}).json()["events"]
    removal = next(e for e in logs if e["event_type"] == "remove_user")
    assert removal["event_data"]["email"] == removed
    removed_at = int(datetime.fromisoformat(removal["timestamp"].replace("Z", "+00:00")).timestamp() * 1000)
    assert all(int(e["timestamp"]) <= removed_at for e in events if e["userEmail"] == removed)
    joined = next(e for e in logs if e["event_type"] == "add_user")
    joined_at = int(datetime.fromisoformat(joined["timestamp"].replace("Z", "+00:00")).timestamp() * 1000)
    assert all(int(e["timestamp"]) >= joined_at for e in events if e["userEmail"] == joined["event_data"]["email"])
