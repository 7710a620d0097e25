"""Contract of the AI Code Tracking API (cursor-api.md §3)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import pytest

from sim_shapes import CHANGE, CHANGE_FILE, COMMIT, check
from sim_support import DAY_MS, NOW_MS


def ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


@pytest.mark.parametrize("path", ["/analytics/ai-code/commits", "/analytics/ai-code/changes"])
def test_envelope_has_no_has_next_page(sim, path):
    body = sim.get(path, params={"pageSize": "5"}).json()
    assert list(body) == ["items", "totalCount", "page", "pageSize"]
    assert body["page"] == 1 and body["pageSize"] == 5 and len(body["items"]) == 5
    assert body["totalCount"] > 5


@pytest.mark.parametrize("path", ["/analytics/ai-code/commits", "/analytics/ai-code/changes"])
def test_paging_by_total_count(sim, path):
    whole = sim.get(path, params={"pageSize": "1000", "startDate": "14d"}).json()
    collected, page = [], 1
    while True:
        body = sim.get(path, params={"page": str(page), "pageSize": "25", "startDate": "14d"}).json()
        collected += body["items"]
        if page * body["pageSize"] >= body["totalCount"]:
            break
        page += 1
    assert collected == whole["items"]
    assert sim.get(path, params={"page": str(page + 1), "pageSize": "25", "startDate": "14d"}).json()["items"] == []


def test_commit_fields_and_line_arithmetic(sim):
    items = sim.get("/analytics/ai-code/commits", params={"startDate": "30d", "pageSize": "1000"}).json()["items"]
    assert items
    for commit in items:
        check(commit, COMMIT)
        assert commit["userId"].startswith("user_") and commit["commitSource"] in ("ide", "cli", "cloud")
        ai_added = commit["tabLinesAdded"] + commit["composerLinesAdded"]
        ai_deleted = commit["tabLinesDeleted"] + commit["composerLinesDeleted"]
        if commit["nonAiLinesAdded"] is not None:
            assert commit["nonAiLinesAdded"] == max(0, commit["totalLinesAdded"] - ai_added)
            assert commit["nonAiLinesDeleted"] == max(0, commit["totalLinesDeleted"] - ai_deleted)
        if commit["branchName"] is None:
            assert commit["isPrimaryBranch"] is None
        else:
            assert commit["isPrimaryBranch"] is (commit["branchName"] == "main")
        if commit["commitTs"] is not None:
            assert ms(commit["commitTs"]) <= ms(commit["createdAt"])
    # the nullable fields are really null somewhere, and AI lines can exceed what got committed
    assert any(c["repoName"] is None for c in items) and any(c["nonAiLinesAdded"] is None for c in items)
    assert any(c["nonAiLinesAdded"] == 0 and c["totalLinesAdded"] < c["tabLinesAdded"] + c["composerLinesAdded"]
               for c in items)
    created = [ms(c["createdAt"]) for c in items]
    assert created == sorted(created, reverse=True)


def test_amended_commits_repeat_the_hash_with_the_same_commit_time(sim):
    items = sim.get("/analytics/ai-code/commits", params={"startDate": "30d", "pageSize": "1000"}).json()["items"]
    by_hash: dict[str, list[dict]] = {}
    for commit in items:
        by_hash.setdefault(commit["commitHash"], []).append(commit)
    repeated = [group for group in by_hash.values() if len(group) > 1]
    assert repeated
    for group in repeated:
        assert len({c["commitTs"] for c in group}) == 1 and len({c["createdAt"] for c in group}) == len(group)


def test_change_fields_and_metadata_sums(sim):
    items = sim.get("/analytics/ai-code/changes", params={"startDate": "7d", "pageSize": "1000"}).json()["items"]
    assert {c["source"] for c in items} == {"TAB", "COMPOSER"}
    assert len({c["changeId"] for c in items}) == len(items)
    for change in items:
        check(change, CHANGE)
        assert change["metadata"]
        for entry in change["metadata"]:
            check(entry, CHANGE_FILE, {"fileName": str})
            assert not entry["fileExtension"].startswith(".")
        assert change["totalLinesAdded"] == sum(f["linesAdded"] for f in change["metadata"])
        assert change["totalLinesDeleted"] == sum(f["linesDeleted"] for f in change["metadata"])
        if change["source"] == "TAB":
            assert change["model"] is None
    assert any("fileName" not in f for c in items for f in c["metadata"]), "privacy mode drops file names"


def test_user_filter_accepts_email_encoded_and_numeric_ids(sim):
    member = sim.get("/teams/members").json()["teamMembers"][0]
    numeric = sim.post("/teams/daily-usage-data", {"startDate": NOW_MS - 7 * DAY_MS, "endDate": NOW_MS,
                                                   "page": 1, "pageSize": 100}).json()["data"]
    number = next(r["userId"] for r in numeric if r["email"] == member["email"])
    results = [sim.get("/analytics/ai-code/changes", params={"user": ident, "pageSize": "1000"}).json()
               for ident in (member["email"], member["id"], str(number))]
    assert results[0]["totalCount"] > 0 and results[0] == results[1] == results[2]
    assert {c["userEmail"] for c in results[0]["items"]} == {member["email"]}
    assert sim.get("/analytics/ai-code/changes", params={"user": "ghost@example.com"}).json()["totalCount"] == 0


@pytest.mark.parametrize("params, status", [
    ({"startDate": "7d", "endDate": "now"}, 200),
    ({"startDate": "2026-04-20", "endDate": "0d"}, 200),
    ({"startDate": "2026-04-20T00:00:00Z", "endDate": "2026-04-27T00:00:00+02:00"}, 200),
    ({"startDate": "today"}, 400),
    ({"startDate": "31d"}, 400),
    ({"startDate": "now", "endDate": "3d"}, 400),
    ({"pageSize": "1001"}, 400),
])
def test_date_and_paging_parameters(sim, params, status):
    assert sim.get("/analytics/ai-code/commits", params=params).status_code == status


def test_date_window_filters_by_ingestion_time(sim):
    body = sim.get("/analytics/ai-code/changes", params={"startDate": "2d", "endDate": "1d", "pageSize": "1000"}).json()
    assert body["items"]
    assert all(NOW_MS - 2 * DAY_MS <= ms(c["createdAt"]) <= NOW_MS - DAY_MS for c in body["items"])


def test_commits_csv_matches_json(sim):
    response = sim.get("/analytics/ai-code/commits.csv", params={"startDate": "7d"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "content-length" not in response.headers  # streamed
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == ["commit_hash", "commit_source", "user_id", "user_email", "repo_name", "branch_name",
                             "is_primary_branch", "total_lines_added", "total_lines_deleted", "tab_lines_added",
                             "tab_lines_deleted", "composer_lines_added", "composer_lines_deleted",
                             "non_ai_lines_added", "non_ai_lines_deleted", "message", "commit_ts", "created_at"]
    items = sim.get("/analytics/ai-code/commits", params={"startDate": "7d", "pageSize": "1000"}).json()["items"]
    assert [r["commit_hash"] for r in rows] == [c["commitHash"] for c in items]
    for row, item in zip(rows, items):
        assert row["total_lines_added"] == str(item["totalLinesAdded"])
        assert row["is_primary_branch"] == {True: "true", False: "false", None: ""}[item["isPrimaryBranch"]]
        assert row["message"] == (item["message"] or "")
    assert '"' in response.text.splitlines()[1]  # free text is quoted like the documented sample


def test_changes_csv_carries_metadata_json(sim):
    response = sim.get("/analytics/ai-code/changes.csv", params={"startDate": "2d"})
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == ["change_id", "user_id", "user_email", "source", "model", "total_lines_added",
                             "total_lines_deleted", "created_at", "metadata_json"]
    items = sim.get("/analytics/ai-code/changes", params={"startDate": "2d", "pageSize": "1000"}).json()["items"]
    assert len(rows) == len(items)
    for row, item in zip(rows, items):
        assert json.loads(row["metadata_json"]) == item["metadata"]
        assert row["model"] == (item["model"] or "")
