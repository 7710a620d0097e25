"""Contract of the Analytics API (cursor-api.md §4): team-level, by-user and the special shapes."""

from __future__ import annotations

import pytest

from sim_shapes import ANALYTICS_ROWS, INT, METRIC_NAMES, NULL, NUMBER, PAGINATION_USERS, check

PARAMS = {"metric": str, "teamId": INT, "startDate": str, "endDate": str}


@pytest.mark.parametrize("path", sorted(ANALYTICS_ROWS))
def test_team_level_envelope_and_rows(sim, path):
    response = sim.get(f"/analytics/team/{path}", params={"startDate": "14d", "endDate": "today"})
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["data", "params"]
    check(body["params"], PARAMS)
    assert body["params"]["metric"] == METRIC_NAMES[path]
    assert (body["params"]["startDate"], body["params"]["endDate"]) == ("2026-04-20", "2026-05-04")
    assert body["data"], f"two weeks of a busy team produce {path} rows"
    for row in body["data"]:
        check(row, ANALYTICS_ROWS[path])
        assert "2026-04-20" <= row.get("event_date", row.get("date")) <= "2026-05-04"


@pytest.mark.parametrize("path", sorted(set(ANALYTICS_ROWS) - {"dau"}))
def test_by_user_envelope_is_keyed_by_email(sim, path):
    body = sim.get(f"/analytics/by-user/{path}", params={"startDate": "14d", "pageSize": "3"}).json()
    assert list(body) == ["data", "pagination", "params"]
    check(body["pagination"], PAGINATION_USERS)
    check(body["params"], {**PARAMS, "page": INT, "pageSize": INT, "userMappings": list})
    assert body["params"]["metric"] == METRIC_NAMES[path]
    assert isinstance(body["data"], dict) and len(body["data"]) == 3
    assert [m["email"] for m in body["params"]["userMappings"]] == list(body["data"])
    assert all(m["id"].startswith("user_") for m in body["params"]["userMappings"])
    for rows in body["data"].values():
        for row in rows:
            check(row, ANALYTICS_ROWS[path])


def test_dau_has_no_by_user_endpoint(sim):
    assert sim.get("/analytics/by-user/dau").status_code == 404


def test_by_user_rows_add_up_to_team_rows(sim):
    team = sim.get("/analytics/team/agent-edits", params={"startDate": "7d"}).json()["data"]
    by_user = sim.get("/analytics/by-user/agent-edits", params={"startDate": "7d", "pageSize": "500"}).json()["data"]
    for row in team:
        same_day = [r for rows in by_user.values() for r in rows if r["event_date"] == row["event_date"]]
        for field in ("total_suggested_diffs", "total_accepted_diffs", "total_lines_accepted"):
            assert row[field] == sum(r[field] for r in same_day)


def test_line_fields_are_consistent(sim):
    for path in ("agent-edits", "tabs"):
        for row in sim.get(f"/analytics/team/{path}", params={"startDate": "30d"}).json()["data"]:
            assert row["total_green_lines_suggested"] == row["total_green_lines_accepted"] + row["total_green_lines_rejected"]
            assert row["total_lines_suggested"] == row["total_green_lines_suggested"] + row["total_red_lines_suggested"]
            assert row["total_lines_accepted"] == row["total_green_lines_accepted"] + row["total_red_lines_accepted"]


def test_client_version_percentages_are_fractions(sim):
    rows = sim.get("/analytics/team/client-versions", params={"startDate": "7d"}).json()["data"]
    for day in {r["event_date"] for r in rows}:
        assert sum(r["percentage"] for r in rows if r["event_date"] == day) == pytest.approx(1, abs=0.01)


def test_top_file_extensions_are_at_most_five_per_day_without_dots(sim):
    rows = sim.get("/analytics/team/top-file-extensions", params={"startDate": "30d"}).json()["data"]
    days = [r["event_date"] for r in rows]
    assert max(days.count(d) for d in set(days)) <= 5
    assert all(not r["file_extension"].startswith(".") for r in rows)


def test_users_filter_restricts_team_rows(sim):
    member = sim.get("/teams/members").json()["teamMembers"][0]
    everyone = sim.get("/analytics/team/dau", params={"startDate": "7d"}).json()["data"]
    alone = sim.get("/analytics/team/dau", params={"startDate": "7d", "users": member["id"]}).json()["data"]
    assert all(r["dau"] == 1 for r in alone) and len(alone) <= len(everyone)
    mixed = sim.get("/analytics/team/dau", params={"startDate": "7d", "users": f"{member['email']},{member['id']}"})
    assert mixed.json()["data"] == alone
    unknown = sim.get("/analytics/team/dau", params={"users": "ghost@example.com"})
    assert unknown.status_code == 400
    assert unknown.json() == {"error": "Bad Request", "message": "Some users are not in the team"}


@pytest.mark.parametrize("params, expected", [
    ({}, ("2026-04-27", "2026-05-04")),
    ({"startDate": "2026-04-30", "endDate": "2026-05-02"}, ("2026-04-30", "2026-05-02")),
    ({"startDate": "2026-04-30T18:45:00Z", "endDate": "yesterday"}, ("2026-04-30", "2026-05-03")),
    ({"startDate": "30d", "endDate": "now"}, ("2026-04-04", "2026-05-04")),
])
def test_analytics_dates_resolve_to_days(sim, params, expected):
    params_out = sim.get("/analytics/team/dau", params=params).json()["params"]
    assert (params_out["startDate"], params_out["endDate"]) == expected


@pytest.mark.parametrize("params", [{"startDate": "31d"}, {"startDate": "5h"}, {"startDate": "today", "endDate": "2d"}])
def test_analytics_date_errors(sim, params):
    response = sim.get("/analytics/team/models", params=params)
    assert response.status_code == 400 and response.json()["error"] == "Bad Request"


def test_over_long_range_message(sim):
    assert sim.get("/analytics/team/tabs", params={"startDate": "40d"}).json() == {
        "error": "Bad Request", "message": "Date range cannot exceed 30 days"}


# --- leaderboard --------------------------------------------------------------------------------

LEADER = {"email": str, "user_id": str, "profile_picture_url": str, "total_accepts": INT,
          "total_lines_accepted": INT, "total_lines_suggested": INT, "line_acceptance_ratio": NUMBER, "rank": INT}


def test_leaderboard_shape_and_team_wide_ranks(sim):
    body = sim.get("/analytics/team/leaderboard", params={"startDate": "30d"}).json()
    assert list(body) == ["data", "pagination", "params"]
    assert set(body["data"]) == {"tab_leaderboard", "agent_leaderboard"}
    assert body["pagination"]["pageSize"] == 10
    check(body["pagination"], PAGINATION_USERS)
    for name, board in body["data"].items():
        assert set(board) == {"data", "total_users"}
        for entry in board["data"]:
            check(entry, {**LEADER, "accept_ratio": NUMBER} if name == "tab_leaderboard" else LEADER)
        assert [e["rank"] for e in board["data"]] == list(range(1, len(board["data"]) + 1))
    last = body["data"]["tab_leaderboard"]["data"][-1]
    filtered = sim.get("/analytics/team/leaderboard", params={"startDate": "30d", "users": last["email"]}).json()
    assert filtered["data"]["tab_leaderboard"]["data"] == [last]  # keeps its team-wide rank
    assert filtered["pagination"]["totalUsers"] == 1
    second = sim.get("/analytics/team/leaderboard", params={"startDate": "30d", "page": "2", "pageSize": "3"}).json()
    assert [e["rank"] for e in second["data"]["agent_leaderboard"]["data"]] == [4, 5, 6]


# --- bugbot -------------------------------------------------------------------------------------

def test_bugbot_per_pr_rows(sim):
    merged = sim.get("/analytics/team/bugbot", params={"startDate": "30d"}).json()
    everything = sim.get("/analytics/team/bugbot", params={"startDate": "30d", "prState": "all"}).json()
    assert list(merged) == ["data", "pagination", "params"]
    assert set(merged["pagination"]) == {"page", "pageSize", "totalItems", "totalPages", "hasNextPage",
                                         "hasPreviousPage"}
    assert merged["params"]["prState"] == "merged" and merged["pagination"]["pageSize"] == 100
    assert 0 < merged["pagination"]["totalItems"] < everything["pagination"]["totalItems"]
    for row in everything["data"]:
        check(row, {"repo": str, "pr_number": INT, "timestamp": str, "reviews": INT, "issues": dict,
                    "issues_resolved": dict})
        assert row["repo"].startswith("github.com/")
        assert row["issues"]["total"] == sum(row["issues"]["by_severity"].values())
        assert row["issues_resolved"]["total"] <= row["issues"]["total"]
    repo = everything["data"][0]["repo"]
    only = sim.get("/analytics/team/bugbot", params={"startDate": "30d", "prState": "all",
                                                     "repo": f"https://{repo}.git"}).json()
    assert only["data"] and {r["repo"] for r in only["data"]} == {repo} and only["params"]["repo"] == repo
    assert sim.get("/analytics/team/bugbot", params={"prState": "open"}).status_code == 400
    assert sim.get("/analytics/team/bugbot", params={"pageSize": "251"}).status_code == 400


def test_bugbot_reviews_rows_and_filters(sim):
    body = sim.get("/analytics/team/bugbot-reviews", params={"startDate": "30d", "pageSize": "250"}).json()
    assert body["data"]
    for row in body["data"]:
        check(row, {"request_id": str, "timestamp": str, "repo": str, "repo_node_id": (str, NULL),
                    "pr_number": (INT, NULL), "commit_sha": (str, NULL), "bugs_found": INT,
                    "cost_cents": (NUMBER, NULL), "dry_run": bool, "publication_status": str, "bugs": list})
        assert row["bugs_found"] == len(row["bugs"])
        assert (row["cost_cents"] is None) is row["dry_run"]
        for bug in row["bugs"]:
            if row["dry_run"]:
                assert bug["comment_id"] is None and {"title", "description", "locations"} <= set(bug)
            else:
                assert set(bug) == {"comment_id", "resolution_status", "severity"}
    dry = sim.get("/analytics/team/bugbot-reviews", params={"startDate": "30d", "dryRun": "true"}).json()
    assert all(r["dry_run"] for r in dry["data"]) and dry["params"]["dryRun"] is True
    pr = body["data"][0]["pr_number"]
    by_pr = sim.get("/analytics/team/bugbot-reviews", params={"startDate": "30d", "prNumber": str(pr)}).json()
    assert by_pr["data"] and {r["pr_number"] for r in by_pr["data"]} == {pr}


# --- conversation insights ----------------------------------------------------------------------

def test_conversation_insights_slices(sim):
    body = sim.get("/analytics/team/conversation-insights",
                   params=[("include", "intents,complexity"), ("include", "workTypes"), ("startDate", "7d")]).json()
    assert body["params"]["include"] == ["intents", "complexity", "workTypes"]
    assert list(body["data"]) == ["intents", "complexity", "workTypes"]
    intents = body["data"]["intents"]
    assert set(intents) == {"distribution", "topValues", "timeSeries", "subcategories"}
    assert set(intents["subcategories"]) == {"writeCode", "askMode", "planMode"}
    assert set(body["data"]["complexity"]) == {"distribution", "timeSeries"}
    total = sum(d["count"] for d in intents["distribution"])
    assert total == sum(t["count"] for t in intents["timeSeries"]) > 0
    assert all(set(d) == {"workType", "count"} for d in body["data"]["workTypes"]["distribution"])


@pytest.mark.parametrize("params", [{}, {"include": "moods"}])
def test_conversation_insights_requires_known_include(sim, params):
    assert sim.get("/analytics/team/conversation-insights", params=params).status_code == 400


def test_conversation_insights_disabled_is_401(make_client):
    sim = make_client(conversation_insights_enabled=False)
    response = sim.get("/analytics/team/conversation-insights", params={"include": "intents"})
    assert response.status_code == 401
