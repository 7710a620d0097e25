"""Admin API additions of cursor-api.md §9: audit-log event types and application_type, the added
/teams/spend fields, and daily-usage userId as a number or (Airbyte's schema) a string or null."""

from __future__ import annotations

import pytest

from sim_shapes import AUDIT_APPLICATION_TYPES, AUDIT_EVENT, DAILY_ROW, INT, NULL, SPEND_ROW, check
from sim_support import DAY_MS, NOW_MS

NEW_EVENT_TYPES = ("grok_bot_created", "grok_bot_access_changed", "grok_bot_team_setup_manifest",
                   "grok_bot_routine", "mcp_authentication", "slack_account_link")


def audit_events(sim, **params) -> list[dict]:
    return sim.get("/teams/audit-logs", params={"startTime": "30d", "pageSize": "500", **params}).json()["events"]


def test_every_audit_event_has_an_application_type(sim):
    events = audit_events(sim)
    for event in events:
        check(event, AUDIT_EVENT)
        assert event["application_type"] in AUDIT_APPLICATION_TYPES
        assert (event["application_type"] == "grok_bot") == event["event_type"].startswith("grok_bot_")
    assert {e["application_type"] for e in events} == set(AUDIT_APPLICATION_TYPES)


@pytest.mark.parametrize("event_type", NEW_EVENT_TYPES)
def test_new_event_types_are_accepted_as_filters(sim, event_type):
    response = sim.get("/teams/audit-logs", params={"startTime": "30d", "eventTypes": event_type})
    assert response.status_code == 200
    assert {e["event_type"] for e in response.json()["events"]} <= {event_type}


def test_new_event_types_occur_in_a_month(sim):
    seen = {e["event_type"] for e in audit_events(sim)}
    assert {"mcp_authentication", "slack_account_link"} <= seen
    assert seen & set(NEW_EVENT_TYPES[:4])  # some Grok bot activity


def test_api_writes_are_logged_with_an_application_type(make_client):
    sim = make_client()
    member = next(m for m in sim.get("/teams/members").json()["teamMembers"] if not m["isRemoved"])
    assert sim.post("/teams/user-spend-limit", {"userEmail": member["email"], "spendLimitDollars": 70}).status_code \
        == 200
    logged = sim.get("/teams/audit-logs", params={"eventTypes": "user_spend_limit"}).json()["events"]
    assert logged and logged[0]["application_type"] == "cursor"


def test_spend_rows_carry_the_added_fields(sim):
    rows = sim.post("/teams/spend", {}).json()["teamMemberSpend"]
    for row in rows:
        check(row, SPEND_ROW)
        assert row["removedAt"] is None  # the list holds current members
        assert row["billingTier"] == "enterprise"
        assert row["totalPercentUsed"] == pytest.approx(row["apiPercentUsed"] + row["autoPercentUsed"], abs=0.011)
        assert row["includedSpendCents"] == pytest.approx(row["overallSpendCents"] - row["spendCents"], abs=1e-5)
    assert any(r["usagePromoExpiresAt"] for r in rows) and any(r["usagePromoExpiresAt"] is None for r in rows)
    assert any(r["apiPercentUsed"] > 0 for r in rows)


def test_spend_billing_tier_follows_the_plan(make_client):
    rows = make_client(tier="team").post("/teams/spend", {}).json()["teamMemberSpend"]
    assert {r["billingTier"] for r in rows} == {"teams"}


@pytest.mark.parametrize("style, types", [("number", (INT,)), ("string", (str, NULL))])
def test_daily_usage_user_id_styles(make_client, style, types):
    sim = make_client(daily_user_id=style)
    body = sim.post("/teams/daily-usage-data", {"startDate": NOW_MS - 29 * DAY_MS, "endDate": NOW_MS,
                                                "page": 1, "pageSize": 100}).json()
    shape = {**DAILY_ROW, "userId": types}
    for row in body["data"]:
        check(row, shape)
    ids = {row["email"]: row["userId"] for row in body["data"]}
    if style == "string":
        removed = {m["email"] for m in sim.get("/teams/members").json()["teamMembers"] if m["isRemoved"]}
        assert removed and all(ids[e] is None for e in removed if e in ids)
        assert any(isinstance(v, str) and v.isdigit() for v in ids.values())


def test_daily_user_id_style_is_validated():
    from builder.simulator import SimulatorConfig

    with pytest.raises(ValueError, match="daily_user_id"):
        SimulatorConfig(daily_user_id="uuid")
