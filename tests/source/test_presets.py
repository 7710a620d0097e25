"""The Cursor preset: every resource maps its recorded sample with no field error and no dropped
record, into entities that carry every property of their blueprint with the right type; the six
blueprints of Port's Cursor page are produced with the same identifiers and property types."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from builder.project.presets import list_presets, load_preset, preset_sample
from builder.project.model import Project
from builder.source.client import map_fetch
from builder.source.request import compute_value, refresh_literal_values

PROJECT = load_preset("cursor")
DOC_BLUEPRINTS = json.loads(Path("/work/shared/reference/port-doc-blueprints.json").read_text()) \
    if Path("/work/shared/reference/port-doc-blueprints.json").exists() else []
NAMES = PROJECT.resource_names()
JSON_TYPES = {"string": str, "number": (int, float), "boolean": bool, "object": dict, "array": list}


def mapped(name: str):
    resource = PROJECT.find_resource(name)
    return resource, map_fetch(resource, preset_sample("cursor", name))


def test_the_cursor_preset_is_listed_and_loads_detached() -> None:
    assert "cursor" in list_presets()
    assert PROJECT.path is None and len(PROJECT.resources) >= 30
    assert PROJECT.config["authType"] == "basic" and PROJECT.config["username"] == "${CURSOR_API_KEY}"
    assert PROJECT.config["password"] == "" and PROJECT.config["baseUrl"] == "https://api.cursor.com"


@pytest.mark.parametrize("name", NAMES)
def test_sample_maps_without_errors_or_drops(name: str) -> None:
    resource, result = mapped(name)
    assert result.records, "the sample has records"
    errors = {path: status.first_error for path, status in result.fields.items() if status.errors}
    assert errors == {} and result.selector.errors == 0
    assert [d.to_json() for d in result.dropped] == []
    assert len(result.entities) == len(result.records)
    identifiers = [e["identifier"] for e in result.entities]
    assert all(isinstance(i, str) and i for i in identifiers)
    assert len(set(identifiers)) == len(identifiers), "identifiers are unique"


def _type_ok(value: object, spec: dict) -> bool:
    kind = spec["type"]
    if kind == "number" and isinstance(value, bool):
        return False
    if not isinstance(value, JSON_TYPES[kind]):
        return False
    if spec.get("format") == "date-time":
        datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if spec.get("format") == "email":
        return "@" in str(value)
    return True


@pytest.mark.parametrize("name", NAMES)
def test_entities_fill_every_blueprint_property_with_the_right_type(name: str) -> None:
    resource, result = mapped(name)
    blueprint = PROJECT.find_blueprint(resource.blueprint_literal)
    assert blueprint is not None, f"blueprint {resource.blueprint_literal} is in the preset"
    props = blueprint["schema"]["properties"]
    required = set(blueprint["schema"].get("required", []))
    may_be_null = set(resource.extensions.other.get("unavailable", [])) | set(
        resource.extensions.other.get("nullable", []))
    seen_value = {key: False for key in props}
    for entity in result.entities:
        values = entity["properties"]
        assert set(values) == set(props), "every blueprint property is mapped, and nothing else"
        for key, value in values.items():
            if value is None:
                assert key not in required, f"required {key} is null in {entity['identifier']}"
                continue
            seen_value[key] = True
            assert _type_ok(value, props[key]), f"{key}={value!r} is not {props[key]}"
    never = {key for key, seen in seen_value.items() if not seen} - may_be_null
    assert never == set(), "a property no record fills must be declared x-builder.unavailable/nullable"
    for key in resource.extensions.other.get("unavailable", []):
        assert not seen_value[key], f"{key} is declared unavailable but has values"


@pytest.mark.parametrize("name", NAMES)
def test_entities_pass_the_blueprint_validator(name: str) -> None:
    schema = pytest.importorskip("builder.ship.schema")
    resource, result = mapped(name)
    blueprint = PROJECT.find_blueprint(resource.blueprint_literal)
    known = [b["identifier"] for b in PROJECT.blueprints] + ["_user"]
    problems = [p for p in schema.validate_entities(result.entities, blueprint, known_blueprints=known)
                if p.severity == "error"]
    assert [str(p) for p in problems] == []


@pytest.mark.parametrize("doc", DOC_BLUEPRINTS, ids=[b["identifier"] for b in DOC_BLUEPRINTS])
def test_port_doc_blueprints_are_produced(doc: dict) -> None:
    ours = PROJECT.find_blueprint(doc["identifier"])
    assert ours is not None
    theirs_props = {k: (v["type"], v.get("format")) for k, v in doc["schema"]["properties"].items()}
    ours_props = {k: (v["type"], v.get("format")) for k, v in ours["schema"]["properties"].items()}
    assert ours_props == theirs_props
    assert ours["schema"].get("required") == doc["schema"].get("required")
    assert set(ours.get("relations", {})) == set(doc.get("relations", {}))
    producers = [r for r in PROJECT.resources if r.blueprint_literal == doc["identifier"]]
    assert producers, "some resource maps into it"


def _entities(name: str) -> list[dict]:
    return mapped(name)[1].entities


def test_org_daily_totals_equal_the_sum_of_user_rows() -> None:
    rows = [row for page in preset_sample("cursor", "daily-usage-org") for row in page["data"]]
    by_day: dict[str, list[dict]] = {}
    for row in rows:
        by_day.setdefault(row["day"], []).append(row)
    entities = {e["properties"]["record_date"][:10]: e["properties"] for e in _entities("daily-usage-org")}
    assert set(entities) == set(by_day)
    for day, day_rows in by_day.items():
        props = entities[day]
        assert props["total_accepts"] == sum(r["totalAccepts"] for r in day_rows)
        assert props["agent_requests"] == sum(r["agentRequests"] for r in day_rows)
        assert props["total_active_users"] == sum(1 for r in day_rows if r["isActive"])
        assert props["total_input_tokens"] is None  # only in usage events: documented, not invented


def test_daily_commit_totals_equal_the_commits() -> None:
    raw = [c for page in preset_sample("cursor", "ai-code-commits-daily") for c in page["items"]]
    latest: dict[str, dict] = {}
    for commit in raw:  # an amended commit comes back with the same hash: it counts once, latest wins
        if commit["commitHash"] not in latest or commit["createdAt"] > latest[commit["commitHash"]]["createdAt"]:
            latest[commit["commitHash"]] = commit
    commits = list(latest.values())
    assert len(commits) < len(raw), "the sample covers amended commits"
    entities = _entities("ai-code-commits-daily")
    assert sum(e["properties"]["total_commits"] for e in entities) == len(commits)
    assert sum(e["properties"]["total_lines_added"] for e in entities) == sum(c["totalLinesAdded"] for c in commits)


def test_change_records_split_tab_and_composer() -> None:
    changes = [c for page in preset_sample("cursor", "ai-code-changes-daily") for c in page["items"]]
    entities = _entities("ai-code-changes-daily")
    assert sum(e["properties"]["tab_changes"] for e in entities) == sum(c["source"] == "TAB" for c in changes)
    for e in entities:
        p = e["properties"]
        assert p["tab_changes"] + p["composer_changes"] == p["total_changes"]
        assert p["tab_lines_added"] + p["composer_lines_added"] == p["total_lines_added"]


def test_user_usage_identifiers_and_dates_from_real_fields() -> None:
    entities = _entities("daily-usage")
    first = entities[0]
    email, day = first["properties"]["email"], first["properties"]["record_date"][:10]
    assert first["identifier"] == f"{email}-{day}" and first["relations"]["user"] == email
    assert first["properties"]["record_date"].endswith("T00:00:00Z")


def test_usage_event_token_fields_follow_token_usage() -> None:
    pages = preset_sample("cursor", "usage-events")
    events = [ev for page in pages for ev in page["usageEvents"]]
    entities = _entities("usage-events")
    for event, entity in zip(events, entities):
        tokens = event.get("tokenUsage")
        assert entity["properties"]["input_tokens"] == (tokens["inputTokens"] if tokens else None)
    assert any(not ev["isTokenBasedCall"] for ev in events), "the sample covers non-token events"


def test_team_records_link_the_day_s_user_records() -> None:
    entities = _entities("group-daily-usage")
    users = {e["identifier"] for e in _entities("daily-usage")}
    linked = [ident for e in entities for ident in e["relations"]["team_members"]]
    assert linked and any(ident in users for ident in linked)


def test_post_bodies_have_a_computed_window_and_a_literal_fallback() -> None:
    for resource in PROJECT.resources:
        if resource.method != "POST" or resource.kind == "/teams/spend":
            continue
        assert set(resource.extensions.body) == {"startDate", "endDate"}
        assert isinstance(resource.selector["body"]["startDate"], int)
        start = compute_value(resource.extensions.body["startDate"], 1_800_000_000)
        end = compute_value(resource.extensions.body["endDate"], 1_800_000_000)
        assert end - start == 30 * 86_400_000


def test_refresh_moves_the_literal_window() -> None:
    project: Project = load_preset("cursor")
    now = 1_800_000_000.0
    changed = refresh_literal_values(project, now)
    assert "usage-events" in changed and "daily-usage" in changed
    body = project.find_resource("usage-events").selector["body"]
    assert body["endDate"] == 1_800_000_000_000 and body["pageSize"] == 1000
    assert project.find_resource("daily-usage").selector["body"]["endDate"] == 1_800_000_000_000


def test_refresh_computes_an_expression_once_and_gives_each_literal_its_own_value(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import builder.source.request as request

    project: Project = load_preset("cursor")
    for resource in project.resources[:2]:  # one more expression, shared, whose value is a container
        resource.extensions.body = {**(resource.extensions.body or {}), "window": "{end: $now}"}
        resource.selector["body"] = {**(resource.selector.get("body") or {}), "window": None}
    calls: list[str] = []
    compute = request.compute_value
    monkeypatch.setattr(request, "compute_value", lambda expr, now: calls.append(expr) or compute(expr, now))
    refresh_literal_values(project, 1_800_000_000.0)
    assert sorted(calls) == sorted(set(calls)) and "{end: $now}" in calls  # each expression once
    first, second = (resource.selector["body"]["window"] for resource in project.resources[:2])
    assert first == second == {"end": 1_800_000_000.0} and first is not second


def test_every_resource_has_a_sample_and_no_sample_is_orphaned() -> None:
    from builder.project.presets import sample_path

    samples = {p.stem for p in sample_path("cursor", "x").parent.glob("*.json")}
    assert samples == set(NAMES)
