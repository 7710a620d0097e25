"""Contract of the Admin API read endpoints against cursor-api.md §2.1–§2.5."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from sim_support import DAY_MS, NOW_MS
from sim_shapes import (AUDIT_EVENT, DAILY_ROW, EVENTS_PAGINATION, MEMBER, PAGINATION_COUNT, PAGINATION_USERS,
                        SPEND_ROW, TOKEN_USAGE, USAGE_EVENT, USAGE_EVENT_OPTIONAL, check)

RANGE_ERROR = {"error": "Bad Request", "message": "Date range cannot exceed 30 days"}


def members(sim) -> list[dict]:
    return sim.get("/teams/members").json()["teamMembers"]


# --- /teams/members -----------------------------------------------------------------------------

def test_members_envelope_and_fields(sim):
    response = sim.get("/teams/members")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["teamMembers"]
    assert len(body["teamMembers"]) == 8
    for member in body["teamMembers"]:
        check(member, MEMBER)
        assert member["id"].startswith("user_") and len(member["id"]) == 31
        assert member["role"] in ("owner", "member", "free-owner")
    assert any(m["role"] == "owner" for m in body["teamMembers"])
    assert [m["isRemoved"] for m in body["teamMembers"]].count(True) == 1  # removed members stay listed


# --- /teams/daily-usage-data --------------------------------------------------------------------

def test_daily_usage_without_pagination_lists_active_rows_only(sim):
    body = sim.post("/teams/daily-usage-data", {"startDate": NOW_MS - 7 * DAY_MS, "endDate": NOW_MS}).json()
    assert set(body) == {"data", "period"}
    assert body["period"] == {"startDate": NOW_MS - 7 * DAY_MS, "endDate": NOW_MS}
    assert body["data"]
    for row in body["data"]:
        check(row, DAILY_ROW)
        assert row["isActive"] is True
        assert row["date"] % DAY_MS == 0 and row["day"] == _day(row["date"])
        assert row["clientVersion"] is not None


def test_daily_usage_with_pagination_lists_every_member_day(sim):
    start = NOW_MS - 6 * DAY_MS
    body = sim.post("/teams/daily-usage-data", {"startDate": start, "endDate": NOW_MS, "page": 1,
                                                "pageSize": 3}).json()
    assert set(body) == {"data", "period", "pagination"}
    check(body["pagination"], PAGINATION_USERS)
    assert body["pagination"]["totalUsers"] >= 7
    assert body["pagination"]["hasNextPage"] is True and body["pagination"]["hasPreviousPage"] is False
    assert len({row["userId"] for row in body["data"]}) == 3
    idle = [row for row in body["data"] if not row["isActive"]]
    assert idle, "a week of three people includes idle days"
    for row in idle:
        check(row, DAILY_ROW)
        assert all(row[k] == 0 for k, v in row.items() if k not in ("userId", "day", "date", "email", "isActive")
                   and not isinstance(v, (str, type(None))))
        assert (row["mostUsedModel"], row["applyMostUsedExtension"], row["tabMostUsedExtension"],
                row["clientVersion"]) == (None, None, None, None)


def test_daily_usage_pages_cover_all_members_once(sim):
    start = NOW_MS - 2 * DAY_MS
    seen = []
    page = 1
    while True:
        body = sim.post("/teams/daily-usage-data", {"startDate": start, "endDate": NOW_MS, "page": page,
                                                    "pageSize": 2}).json()
        seen += sorted({row["userId"] for row in body["data"]})
        if not body["pagination"]["hasNextPage"]:
            break
        page += 1
    assert len(seen) == len(set(seen)) == body["pagination"]["totalUsers"]


def test_daily_usage_user_id_is_numeric_not_the_encoded_id(sim):
    ids = {m["id"] for m in members(sim)}
    body = sim.post("/teams/daily-usage-data", {"startDate": NOW_MS - DAY_MS, "endDate": NOW_MS,
                                                "page": 1, "pageSize": 100}).json()
    assert all(isinstance(row["userId"], int) and row["userId"] not in ids for row in body["data"])


def test_daily_usage_excludes_members_who_joined_after_the_range(sim):
    everyone = {m["email"] for m in members(sim)}
    early = sim.post("/teams/daily-usage-data", {"startDate": NOW_MS - 29 * DAY_MS, "endDate": NOW_MS - 28 * DAY_MS,
                                                 "page": 1, "pageSize": 100}).json()
    late = sim.post("/teams/daily-usage-data", {"startDate": NOW_MS - DAY_MS, "endDate": NOW_MS,
                                                "page": 1, "pageSize": 100}).json()
    early_people = {row["email"] for row in early["data"]}
    late_people = {row["email"] for row in late["data"]}
    assert early_people < everyone and late_people < everyone  # one joined late, one left early
    assert early_people != late_people


@pytest.mark.parametrize("body, message", [
    ({}, "startDate is required (epoch milliseconds)"),
    ({"startDate": NOW_MS - DAY_MS}, "endDate is required (epoch milliseconds)"),
    ({"startDate": "2026-05-01", "endDate": NOW_MS}, "startDate must be a number (epoch milliseconds)"),
    ({"startDate": NOW_MS, "endDate": NOW_MS - DAY_MS}, "startDate must be before endDate"),
    ({"startDate": NOW_MS - 30 * DAY_MS - 1, "endDate": NOW_MS}, "Date range cannot exceed 30 days"),
])
def test_daily_usage_rejects_bad_dates(sim, body, message):
    response = sim.post("/teams/daily-usage-data", body)
    assert response.status_code == 400
    assert response.json() == {"error": "Bad Request", "message": message}


def test_daily_usage_accepts_exactly_thirty_days(sim):
    assert sim.post("/teams/daily-usage-data", {"startDate": NOW_MS - 30 * DAY_MS, "endDate": NOW_MS}).status_code == 200


def test_invalid_json_body_is_a_bad_request(sim):
    response = sim.request("POST", "/teams/daily-usage-data", content=b"{nope",
                           headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.json()["error"] == "Bad Request"


# --- /teams/spend -------------------------------------------------------------------------------

def test_spend_envelope_and_fields(sim):
    body = sim.post("/teams/spend", {}).json()
    assert list(body) == ["teamMemberSpend", "subscriptionCycleStart", "totalMembers", "totalPages"]
    assert isinstance(body["subscriptionCycleStart"], int) and body["subscriptionCycleStart"] <= NOW_MS
    current = [m for m in members(sim) if not m["isRemoved"]]
    assert body["totalMembers"] == len(current) and body["totalPages"] == 1
    assert {row["userId"] for row in body["teamMemberSpend"]} == {m["id"] for m in current}
    for row in body["teamMemberSpend"]:
        check(row, SPEND_ROW)
        assert 0 <= row["spendCents"] <= row["overallSpendCents"]
        expected = row["hardLimitOverrideDollars"] or (row["monthlyLimitDollars"]
                                                       if row["monthlyLimitDollars"] is not None else 50)
        assert row["effectivePerUserLimitDollars"] == expected


def test_spend_sorting_searching_and_paging(sim):
    rows = sim.post("/teams/spend", {"sortBy": "amount", "sortDirection": "asc"}).json()["teamMemberSpend"]
    assert [r["spendCents"] for r in rows] == sorted(r["spendCents"] for r in rows)
    by_user = sim.post("/teams/spend", {"sortBy": "user", "sortDirection": "asc"}).json()["teamMemberSpend"]
    assert [r["name"].lower() for r in by_user] == sorted(r["name"].lower() for r in by_user)
    target = rows[0]
    found = sim.post("/teams/spend", {"searchTerm": target["email"].split("@")[0].upper()}).json()
    assert [r["email"] for r in found["teamMemberSpend"]] == [target["email"]]
    page = sim.post("/teams/spend", {"page": 2, "pageSize": 3}).json()
    assert len(page["teamMemberSpend"]) == 3 and page["totalPages"] == 3 and page["totalMembers"] == 7
    assert sim.post("/teams/spend", {"sortBy": "cost"}).status_code == 400


# --- /teams/filtered-usage-events ---------------------------------------------------------------

def events(sim, **body) -> dict:
    response = sim.post("/teams/filtered-usage-events", body)
    assert response.status_code == 200, response.text
    return response.json()


def test_usage_events_envelope_and_defaults(sim):
    body = events(sim)
    assert list(body) == ["totalUsageEventsCount", "pagination", "usageEvents", "period"]
    check(body["pagination"], EVENTS_PAGINATION)
    assert body["pagination"]["pageSize"] == 100 and body["pagination"]["currentPage"] == 1
    assert body["period"] == {"startDate": NOW_MS - 7 * DAY_MS, "endDate": NOW_MS}
    assert body["pagination"]["numPages"] == -(-body["totalUsageEventsCount"] // 100)


def test_usage_event_fields_are_omitted_not_null(sim):
    found = events(sim, startDate=NOW_MS - 14 * DAY_MS, endDate=NOW_MS, pageSize=1000)["usageEvents"]
    assert found
    for event in found:
        check(event, USAGE_EVENT, USAGE_EVENT_OPTIONAL)
        assert None not in event.values()
        assert event["timestamp"].isdigit() and NOW_MS - 14 * DAY_MS <= int(event["timestamp"]) <= NOW_MS
        assert ("tokenUsage" in event) is event["isTokenBasedCall"]
        if "tokenUsage" in event:
            check(event["tokenUsage"], TOKEN_USAGE, {"discountPercentOff": (int, float)})
            usage = event["tokenUsage"]
            if event["chargedCents"]:
                expected = usage["totalCents"] * (100 - usage.get("discountPercentOff", 0)) / 100
                assert event["chargedCents"] == pytest.approx(expected + event.get("cursorTokenFee", 0), abs=1e-5)
        if "cursorTokenFee" in event:
            assert event["model"] not in ("composer-1", "grok-code-fast-1")  # first-party models pay no fee
        assert event["isChargeable"] is (event["kind"] == "Usage-based")
    # every optional field shows up somewhere, so the omission is a choice and not an absence
    present = set().union(*(event.keys() for event in found))
    assert {"conversationId", "tokenUsage", "cursorTokenFee", "cloudAgentId", "serviceAccountId"} <= present
    assert any(not e["isTokenBasedCall"] for e in found)
    timestamps = [int(e["timestamp"]) for e in found]
    assert timestamps == sorted(timestamps, reverse=True)


def test_usage_event_pages_partition_the_result(sim):
    whole = events(sim, pageSize=1000)
    pages, page = [], 1
    while True:
        body = events(sim, page=page, pageSize=40)
        pages += body["usageEvents"]
        if not body["pagination"]["hasNextPage"]:
            break
        page += 1
    assert pages == whole["usageEvents"]
    assert body["pagination"]["hasPreviousPage"] is True


def test_usage_event_filters(sim):
    everything = events(sim, pageSize=1000)["usageEvents"]
    email = next(e["userEmail"] for e in everything if "serviceAccountId" not in e)
    assert {e["userEmail"] for e in events(sim, email=email, pageSize=1000)["usageEvents"]} == {email}
    row = sim.post("/teams/daily-usage-data", {"startDate": NOW_MS - 7 * DAY_MS, "endDate": NOW_MS}).json()["data"][0]
    by_id = events(sim, userId=row["userId"], pageSize=1000)["usageEvents"]
    assert by_id and {e["userEmail"] for e in by_id} == {row["email"]}
    account = next(e["serviceAccountId"] for e in everything if "serviceAccountId" in e)
    assert all(e["serviceAccountId"] == account for e in events(sim, serviceAccountId=account)["usageEvents"])
    cloud = events(sim, cloudAgentId="*", pageSize=1000)["usageEvents"]
    assert cloud and all(e["isHeadless"] and "cloudAgentId" in e for e in cloud)
    automated = events(sim, automationId="*", pageSize=1000)["usageEvents"]
    assert automated and all("automationId" in e for e in automated)
    hosted = {kind: events(sim, hostingType=kind, pageSize=1000)["totalUsageEventsCount"]
              for kind in ("CLOUD", "SELF_HOSTED", "SELF_HOSTED_POOL", "SELF_HOSTED_MACHINE")}
    assert hosted["SELF_HOSTED"] == hosted["SELF_HOSTED_POOL"] + hosted["SELF_HOSTED_MACHINE"]
    assert hosted["CLOUD"] + hosted["SELF_HOSTED"] == len(cloud)


@pytest.mark.parametrize("body", [
    {"hostingType": "self_hosted"},
    {"pageSize": 1001},
    {"pageSize": 0},
    {"page": "two"},
    {"startDate": NOW_MS - 31 * DAY_MS, "endDate": NOW_MS},
    {"userId": "user_abc"},
])
def test_usage_events_reject_bad_bodies(sim, body):
    response = sim.post("/teams/filtered-usage-events", body)
    assert response.status_code == 400
    assert response.json()["error"] == "Bad Request"


def test_usage_events_bounds_are_inclusive(sim):
    one = events(sim, pageSize=1)["usageEvents"][0]
    ts = int(one["timestamp"])
    exact = events(sim, startDate=ts, endDate=ts)["usageEvents"]
    assert one in exact


# --- /teams/audit-logs --------------------------------------------------------------------------

def test_audit_log_envelope_and_defaults(sim):
    body = sim.get("/teams/audit-logs").json()
    assert list(body) == ["events", "pagination", "params"]
    check(body["pagination"], PAGINATION_COUNT)
    assert body["pagination"]["pageSize"] == 100
    assert set(body["params"]) == {"teamId", "startDate", "endDate"}
    assert body["params"]["endDate"] == NOW_MS and body["params"]["startDate"] == NOW_MS - 7 * DAY_MS
    assert body["events"]
    for event in body["events"]:
        check(event, AUDIT_EVENT)
        assert event["timestamp"].endswith("Z") and event["event_id"].startswith("evt_")
    logins = [e for e in body["events"] if e["event_type"] == "login"]
    assert logins and all(set(e["event_data"]) == {"ip_address", "user_agent"} for e in logins)


@pytest.mark.parametrize("start, expected_start", [
    ("today", NOW_MS - 12 * 3_600_000),
    ("yesterday", NOW_MS - 36 * 3_600_000),
    ("5h", NOW_MS - 5 * 3_600_000),
    ("300s", NOW_MS - 300_000),
    ("2026-05-01", NOW_MS - 3 * DAY_MS - 12 * 3_600_000),
    ("2026-05-01T10:00:00-02:00", NOW_MS - 3 * DAY_MS),
    (str((NOW_MS - DAY_MS) // 1000), NOW_MS - DAY_MS),
    (str(NOW_MS - DAY_MS), NOW_MS - DAY_MS),
])
def test_audit_log_time_parameters(sim, start, expected_start):
    body = sim.get("/teams/audit-logs", params={"startTime": start, "endTime": "now"}).json()
    assert body["params"]["startDate"] == expected_start
    assert all(_ms(e["timestamp"]) >= expected_start for e in body["events"])


@pytest.mark.parametrize("params", [
    {"startTime": "31d"},
    {"startTime": "last tuesday"},
    {"startTime": "now", "endTime": "1d"},
    {"pageSize": "501"},
    {"pageSize": "0"},
    {"eventTypes": "login,coffee_break"},
    {"users": "nobody@example.com"},
])
def test_audit_log_rejects_bad_queries(sim, params):
    response = sim.get("/teams/audit-logs", params=params)
    assert response.status_code == 400 and response.json()["error"] == "Bad Request"


def test_audit_log_filters(sim):
    everyone = members(sim)
    person = everyone[0]
    for ident in (person["email"], person["id"]):
        body = sim.get("/teams/audit-logs", params={"users": ident}).json()
        assert body["events"] and {e["user_email"] for e in body["events"]} == {person["email"]}
    logins = sim.get("/teams/audit-logs", params={"eventTypes": "login,logout"}).json()["events"]
    assert logins and {e["event_type"] for e in logins} <= {"login", "logout"}
    searched = sim.get("/teams/audit-logs", params={"search": "cursor/"}).json()["events"]
    assert searched and all(e["event_type"] == "login" for e in searched)
    assert sim.get("/teams/audit-logs", params={"users": ",".join(m["email"] for m in everyone),
                                                "pageSize": "3"}).status_code == 400


def _day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).date().isoformat()


def _ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)
