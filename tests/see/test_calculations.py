"""Calculation and mirror properties as Port computes them (reference/port-dashboards.md §3).

Every expected value below is worked out by hand from the seed's formulas and jq's rules
(null + x = x, null > 0 is false, null / n is an error, an error gives null)."""

from __future__ import annotations

from typing import Any

import pytest

from builder.port.calculations import (as_read, calculate, calculated_values, calculation_input,
                                       definition_problems, type_problem, value_problems)
from builder.project.presets import load_preset

PRESET = load_preset()


def _entity(props: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"identifier": "e1", "title": "E", "blueprint": "bp", "properties": props, "relations": {}, **extra}


# (blueprint, calculation, properties, expected value, expected status)
PRESET_TABLE = [
    ("cursor_user_usage_record", "acceptance_rate", {"total_accepts": 3, "total_rejects": 1}, 75, "ok"),
    ("cursor_user_usage_record", "acceptance_rate", {}, 0, "ok"),  # both missing: null + null = null, not > 0
    ("cursor_user_usage_record", "acceptance_rate", {"total_accepts": 4}, 100, "ok"),  # 4 / (4 + null)
    ("cursor_user_usage_record", "acceptance_rate", {"total_rejects": 2}, None, "error"),  # null / 2
    ("cursor_user_usage_record", "acceptance_rate", {"total_accepts": 0, "total_rejects": 0}, 0, "ok"),
    ("cursor_usage_record", "acceptance_rate", {"total_accepts": 1, "total_rejects": 3}, 25, "ok"),
    ("cursor_team_usage_record", "acceptance_rate", {"total_accepts": 9, "total_rejects": 1}, 90, "ok"),
    ("cursor_ai_code_change_record", "tab_vs_composer_ratio_calc", {"tab_changes": 3, "composer_changes": 2}, 1.5, "ok"),
    ("cursor_ai_code_change_record", "tab_vs_composer_ratio_calc", {"tab_changes": 3}, None, "null"),  # else null
    ("cursor_ai_code_change_record", "tab_vs_composer_ratio_calc", {"composer_changes": 2}, None, "error"),
    ("cursor_ai_code_change_record", "tab_vs_composer_ratio_calc", {"tab_changes": 5, "composer_changes": 0},
     None, "null"),  # the guard keeps the division by zero from running
    ("cursor_ai_code_change_record", "average_change_size_calc",
     {"total_changes": 4, "total_lines_added": 10, "total_lines_deleted": 6}, 4, "ok"),
    ("cursor_ai_code_change_record", "average_change_size_calc", {"total_changes": 0, "total_lines_added": 10}, 0, "ok"),
    ("cursor_commit_record", "total_ai_lines", {}, None, "null"),  # null + null + null + null
    ("cursor_commit_record", "total_ai_lines", {"tabLinesAdded": 2, "composerLinesDeleted": 5}, 7, "ok"),
    ("cursor_commit_record", "ai_assistance_percentage",
     {"totalLinesAdded": 8, "totalLinesDeleted": 2, "tabLinesAdded": 1, "tabLinesDeleted": 1,
      "composerLinesAdded": 2, "composerLinesDeleted": 1}, 50, "ok"),
    ("cursor_commit_record", "ai_assistance_percentage", {"totalLinesAdded": 0, "totalLinesDeleted": 0}, 0, "ok"),
    # total lines missing: null == 0 is false, then (null) / null is an error
    ("cursor_commit_record", "ai_assistance_percentage", {"tabLinesAdded": 1}, None, "error"),
    ("cursor_daily_commit_record", "ai_assistance_percentage_calc",
     {"total_lines_added": 30, "total_lines_deleted": 10, "tab_lines_added": 10, "composer_lines_added": 20}, 75, "ok"),
]


@pytest.mark.parametrize("bp_id, key, props, expected, status", PRESET_TABLE)
def test_preset_calculations_match_hand_computed_values(bp_id: str, key: str, props: dict[str, Any],
                                                        expected: Any, status: str) -> None:
    blueprint = PRESET.find_blueprint(bp_id)
    assert blueprint is not None
    found = calculate(blueprint, _entity(props))[key]
    assert (found.value, found.status) == (expected, status)
    assert found.type_problem is None


def _bp(calcs: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"identifier": "bp", "title": "BP", "schema": {"properties": {"a": {"type": "number"}}},
            "calculationProperties": calcs, **extra}


# Port's binding: first output only; no output, compile and runtime errors give null.
DIALECT_TABLE = [
    (".properties.a / .properties.b", {"a": 1, "b": 0}, None, "error"),  # division by zero
    (".properties.a / .properties.b", {"a": 1, "b": 4}, 0.25, "ok"),
    (".properties.missing", {"a": 1}, None, "null"),
    (".properties.a, 99", {"a": 1}, 1, "ok"),  # first output
    ("empty", {"a": 1}, None, "empty"),
    ("foo", {"a": 1}, None, "error"),  # undefined function: a compile error
    ("'https://x/' + .identifier", {}, "https://x/e1", "ok"),  # the binding's single-quote rewrite
    ("env | length", {}, 0, "ok"),  # env is {} in Port's binding
    ("$ENV | length", {}, 0, "ok"),
    (".title + \"/\" + .blueprint", {}, "E/bp", "ok"),
    (".team", {}, [], "ok"),
]


@pytest.mark.parametrize("calculation, props, expected, status", DIALECT_TABLE)
def test_port_jq_dialect(calculation: str, props: dict[str, Any], expected: Any, status: str) -> None:
    found = calculate(_bp({"c": {"calculation": calculation, "type": "number"}}), _entity(props))["c"]
    assert (found.value, found.status) == (expected, status)


def test_a_calculation_never_sees_another_calculation() -> None:
    blueprint = _bp({"first": {"calculation": ".properties.a * 2", "type": "number"},
                     "second": {"calculation": ".properties.first", "type": "number"}})
    entity = _entity({"a": 3, "first": 1000})  # even a stale stored value is hidden
    assert calculated_values(blueprint, entity) == {"first": 6, "second": None}
    assert "first" not in calculation_input(entity, blueprint)["properties"]


def test_wrong_type_is_reported_and_kept() -> None:
    found = calculate(_bp({"c": {"calculation": "\"x\"", "type": "number"}}), _entity({}))["c"]
    assert found.value == "x"
    assert found.type_problem == 'declared number, computed string "x"'
    assert type_problem(None, "number") is None
    assert value_problems(_bp({"c": {"calculation": "\"x\"", "type": "number"}}), [_entity({})]) == \
        [(0, "calculationProperties.c", 'declared number, computed string "x"')]


def test_definition_problems() -> None:
    blueprint = _bp({"ok": {"calculation": ".properties.a", "type": "number"},
                     "a": {"calculation": "1", "type": "number"},
                     "bad type": {"calculation": "1", "type": "integer"},
                     "broken": {"calculation": ".properties.a +", "type": "number"},
                     "none": {"type": "string"}})
    found = dict(definition_problems(blueprint))
    assert set(found) == {"calculationProperties/a", "calculationProperties/bad type",
                          "calculationProperties/broken", "calculationProperties/none"}
    assert "type must be one of" in found["calculationProperties/bad type"]
    assert "does not compile" in found["calculationProperties/broken"]
    assert all(not definition_problems(bp) for bp in PRESET.blueprints)


def test_mirror_properties_follow_relations_present_locally() -> None:
    owner = {"identifier": "team", "title": "Team", "schema": {"properties": {"lead": {"type": "string"}}}}
    service = {"identifier": "svc", "title": "Service", "schema": {"properties": {}},
               "relations": {"owner": {"target": "team", "many": False}, "others": {"target": "team", "many": True}},
               "mirrorProperties": {"lead": {"path": "owner.lead"}, "owner_title": {"path": "owner.$title"},
                                    "leads": {"path": "others.lead"}},
               "calculationProperties": {"shout": {"calculation": ".properties.lead | ascii_upcase",
                                                   "type": "string"}}}
    teams = {"t1": {"identifier": "t1", "title": "Team One", "properties": {"lead": "ann"}}}

    def resolve(bp: str, identifier: str) -> dict[str, Any] | None:
        return teams.get(identifier) if bp == "team" else None

    entity = {"identifier": "s1", "properties": {}, "relations": {"owner": "t1", "others": ["t1", "gone"]}}
    read = as_read(service, entity, blueprints={"team": owner}, resolve=resolve)
    assert read["properties"] == {"lead": "ann", "owner_title": "Team One", "leads": ["ann", None], "shout": "ANN"}
    assert entity["properties"] == {}  # the stored entity is untouched
    unrelated = as_read(service, {"identifier": "s2", "properties": {}, "relations": {}}, resolve=resolve)
    assert unrelated["properties"] == {"lead": None, "owner_title": None, "leads": None, "shout": None}
    excluded = as_read(service, entity, blueprints={"team": owner}, resolve=resolve, exclude_calculated=True)
    assert "shout" not in excluded["properties"]


def test_blueprint_validation_checks_calculations() -> None:
    from builder.port.catalog.rules import check_blueprint
    from builder.ship.schema import validate_result

    bad = _bp({"rate": {"calculation": ".properties.a", "type": "integer"}})
    assert [str(e) for e in check_blueprint(bad)] == \
        ["calculationProperties/rate: type must be one of string, number, boolean, object, array, got \"integer\""]
    assert check_blueprint(_bp({"c": {"calculation": ".properties.a +", "type": "number"}})) == []  # Port keeps it
    wrong = _bp({"label": {"calculation": ".properties.a | tostring", "type": "number"}})
    found = validate_result([_entity({"a": 1})], wrong)
    assert [(p.field, p.code, p.severity) for p in found] == [("calculationProperties.label", "calculation_type",
                                                                "warning")]


def test_fast_path_agrees_with_jq_on_every_preset_sample() -> None:
    from builder.engine import jqrt, mapping
    from builder.port.calculations import calculation_properties, evaluate
    from builder.project.presets import preset_sample

    compared = 0
    for resource in PRESET.resources:
        blueprint = PRESET.find_blueprint(resource.blueprint_literal or "")
        calcs = calculation_properties(blueprint)
        if not calcs:
            continue
        for entity in mapping.run(resource, preset_sample("cursor", resource.name)).entities:
            data = calculation_input(entity, blueprint)
            for spec in calcs.values():
                mine, theirs = evaluate(spec["calculation"], data), jqrt.first(spec["calculation"], data,
                                                                                 env_access=False)
                assert (mine.status, mine.value) == (theirs.status, theirs.value)
                compared += 1
    assert compared > 300  # acceptance_rate, AI-share percentages, lines per change … on real samples
