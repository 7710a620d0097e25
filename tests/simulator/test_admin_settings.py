"""Admin API writes and settings (cursor-api.md §2.6–§2.9), including their effect on later reads."""

from __future__ import annotations

import pytest

from sim_shapes import INT, NULL, NUMBER, check

GROUP = {"id": str, "name": str, "type": str, "directoryGroupId": (str, NULL), "memberCount": INT,
         "createdAt": str, "updatedAt": str, "spendCents": NUMBER, "currentMembers": list, "formerMembers": list,
         "dailySpend": list}
GROUP_MEMBER = {"userId": str, "name": str, "email": str, "joinedAt": str, "leftAt": (str, NULL),
                "spendCents": NUMBER}


def current(sim) -> list[dict]:
    return [m for m in sim.get("/teams/members").json()["teamMembers"] if not m["isRemoved"]]


def spend_row(sim, email: str) -> dict:
    return next(r for r in sim.post("/teams/spend", {}).json()["teamMemberSpend"] if r["email"] == email)


# --- spend limits -------------------------------------------------------------------------------

def test_set_spend_limit_shows_in_spend_and_audit_log(sim):
    person = current(sim)[3]
    response = sim.post("/teams/user-spend-limit", {"userEmail": person["email"], "spendLimitDollars": 75})
    assert response.status_code == 200
    assert response.json() == {"outcome": "success",
                               "message": f"Spend limit set to $75 for user {person['email']}"}
    assert spend_row(sim, person["email"])["monthlyLimitDollars"] == 75
    cleared = sim.post("/teams/user-spend-limit", {"userEmail": person["email"], "spendLimitDollars": None})
    assert cleared.json()["outcome"] == "success"
    assert spend_row(sim, person["email"])["monthlyLimitDollars"] is None
    logged = sim.get("/teams/audit-logs", params={"eventTypes": "user_spend_limit"}).json()["events"]
    assert [e["event_data"]["spend_limit_dollars"] for e in logged] == [None, 75]


@pytest.mark.parametrize("body, message", [
    ({"userEmail": "not-an-email", "spendLimitDollars": 10}, "Invalid email format"),
    ({"userEmail": "stranger@example.com", "spendLimitDollars": 10}, "User stranger@example.com is not a member of this team"),
    ({"userEmail": "{email}", "spendLimitDollars": 10.5}, "spendLimitDollars must be a whole number of dollars"),
    ({"userEmail": "{email}"}, "spendLimitDollars is required"),
])
def test_set_spend_limit_errors_use_the_outcome_body(sim, body, message):
    if body.get("userEmail") == "{email}":
        body = {**body, "userEmail": current(sim)[1]["email"]}
    response = sim.post("/teams/user-spend-limit", body)
    assert response.status_code == 400
    assert response.json() == {"outcome": "error", "message": message}


def test_bulk_spend_limits_report_each_entry(sim):
    people = current(sim)
    sim.post("/teams/user-spend-limit", {"userEmail": people[2]["email"], "spendLimitDollars": 40})
    body = sim.post("/teams/user-spend-limits", {"updates": [
        {"userEmail": people[1]["email"], "spendLimitDollars": 300},
        {"userEmail": people[2]["email"], "spendLimitDollars": 40},
        {"userEmail": "bad", "spendLimitDollars": 1},
    ]}).json()
    assert body == {"requestedCount": 3, "updatedCount": 1, "unchangedCount": 1, "failedCount": 1, "results": [
        {"userEmail": people[1]["email"], "status": "updated"},
        {"userEmail": people[2]["email"], "status": "unchanged"},
        {"userEmail": "bad", "status": "failed", "error": "Invalid email format"},
    ]}
    too_many = sim.post("/teams/user-spend-limits", {"updates": [{"userEmail": "a@b.c", "spendLimitDollars": 1}] * 101})
    assert too_many.status_code == 400


# --- remove member ------------------------------------------------------------------------------

@pytest.mark.parametrize("body, message", [
    ({}, "Either userId or email must be provided"),
    ({"userId": "user_x", "email": "x@y.z"}, "Only one of userId or email should be provided, not both"),
    ({"email": "stranger@example.com"}, "User is not a member of this team"),
    ({"userId": "user_doesNotExist"}, "User is not a member of this team"),
])
def test_remove_member_errors(sim, body, message):
    response = sim.post("/teams/remove-member", body)
    assert response.status_code == 400 and response.json() == {"error": message}


def test_remove_member_by_id_and_by_email(sim):
    people = [m for m in current(sim) if m["role"] == "member"]
    first = sim.post("/teams/remove-member", {"userId": people[0]["id"]}).json()
    assert first["success"] is True and first["userId"] == people[0]["id"]
    assert isinstance(first["hasBillingCycleUsage"], bool)
    second = sim.post("/teams/remove-member", {"email": people[1]["email"]}).json()
    assert second["userId"] == people[1]["id"]
    listed = {m["id"]: m for m in sim.get("/teams/members").json()["teamMembers"]}
    assert listed[people[0]["id"]]["isRemoved"] and listed[people[1]["id"]]["isRemoved"]
    assert people[0]["email"] not in {r["email"] for r in sim.post("/teams/spend", {}).json()["teamMemberSpend"]}
    again = sim.post("/teams/remove-member", {"userId": people[0]["id"]})
    assert again.json() == {"error": "User is not a member of this team"}


def test_the_last_admin_cannot_be_removed(make_client):
    sim = make_client(team_size=3)
    owners = [m for m in current(sim) if m["role"] in ("owner", "free-owner")]
    assert len(owners) == 1
    response = sim.post("/teams/remove-member", {"userId": owners[0]["id"]})
    assert response.status_code == 400 and response.json() == {"error": "At least one admin must remain on the team"}


# --- repo blocklists ----------------------------------------------------------------------------

def test_blocklist_round_trip(sim):
    listed = sim.get("/settings/repo-blocklists/repos").json()
    assert list(listed) == ["repos"]
    for repo in listed["repos"]:
        check(repo, {"id": str, "url": str, "patterns": list})
        assert repo["id"].startswith("repo_")
    existing = listed["repos"][0]
    upserted = sim.post("/settings/repo-blocklists/repos/upsert", {"repos": [
        {"url": existing["url"], "patterns": ["*.pem"]},
        {"url": "https://github.com/northwind/new-thing", "patterns": ["secrets/**"]},
    ]}).json()["repos"]
    assert upserted[0] == {"id": existing["id"], "url": existing["url"], "patterns": ["*.pem"]}
    new_id = upserted[1]["id"]
    after = sim.get("/settings/repo-blocklists/repos").json()["repos"]
    assert len(after) == len(listed["repos"]) + 1
    deleted = sim.delete(f"/settings/repo-blocklists/repos/{new_id}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert sim.delete(f"/settings/repo-blocklists/repos/{new_id}").json() == {"error": "Not Found",
                                                                             "message": "Resource not found"}
    assert sim.post("/settings/repo-blocklists/repos/upsert", {"repos": [{"url": "x"}]}).status_code == 400


# --- billing groups -----------------------------------------------------------------------------

def test_groups_list_and_get(sim):
    response = sim.get("/teams/groups")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["groups", "unassignedGroup", "billingCycle"]
    assert set(body["billingCycle"]) == {"cycleStart", "cycleEnd"}
    groups = body["groups"] + [body["unassignedGroup"]]
    assert body["unassignedGroup"]["id"] == "group_unassigned"
    for group in groups:
        check(group, GROUP)
        assert group["type"] == "BILLING" and group["memberCount"] == len(group["currentMembers"])
        for member in group["currentMembers"] + group["formerMembers"]:
            check(member, GROUP_MEMBER)
        assert group["spendCents"] == pytest.approx(
            sum(m["spendCents"] for m in group["currentMembers"] + group["formerMembers"]), abs=1e-5)
        assert group["spendCents"] == pytest.approx(sum(d["spendCents"] for d in group["dailySpend"]), abs=1e-5)
    one = body["groups"][0]
    detailed = sim.get(f"/teams/groups/{one['id']}").json()
    assert list(detailed) == ["group", "billingCycle"]
    assert all("dailySpend" in m for m in detailed["group"]["currentMembers"])
    assert sim.get("/teams/groups/group_nope").status_code == 404
    assert sim.get("/teams/groups", params={"billingCycle": "last-month"}).status_code == 400


def test_group_spend_matches_member_spend(sim):
    by_email = {r["email"]: r["overallSpendCents"] for r in sim.post("/teams/spend", {}).json()["teamMemberSpend"]}
    body = sim.get("/teams/groups").json()
    for group in body["groups"] + [body["unassignedGroup"]]:
        for member in group["currentMembers"]:
            assert member["spendCents"] == pytest.approx(by_email[member["email"]], abs=1e-6)
