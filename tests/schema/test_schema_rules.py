"""Blueprint inference, comparison and Port-style validation, as parametrised tables."""

from __future__ import annotations

from typing import Any

import pytest

from builder.engine import mapping
from builder.port.rules import (
    blueprint_identifier_problem,
    entity_identifier_problem,
    json_type,
    key_problem,
    matches_format,
    title_from_key,
)
from builder.project.model import Resource
from builder.ship.schema import compare_blueprints, infer_blueprint, merge_blueprint, validate_entities, validate_result


def ents(values: list[Any], key: str = "p") -> list[dict[str, Any]]:
    """One entity per value; the marker `...` leaves the property out of that entity."""
    out = []
    for i, value in enumerate(values):
        props = {} if value is ... else {key: value}
        out.append({"identifier": f"e{i}", "blueprint": "b", "properties": props})
    return out


# -- Port's rules ---------------------------------------------------------------------------------

@pytest.mark.parametrize("key,title", [
    ("totalLinesAdded", "Total Lines Added"), ("total_lines_added", "Total Lines Added"),
    ("record_date", "Record Date"), ("userID", "User ID"), ("apiKeyReqs", "Api Key Reqs"),
    ("cursor-usage", "Cursor Usage"), ("isRemoved", "Is Removed"), ("HTTPStatus", "HTTP Status"),
    ("p95Latency", "P 95 Latency"), ("x", "X"),
])
def test_titles_from_keys(key: str, title: str) -> None:
    assert title_from_key(key) == title


@pytest.mark.parametrize("value,ok", [
    ("alice@example.com", True), ("1777900012345-alice@example.com-gpt-5", True), ("a/b\\c:d+e=f", True),
    ("émile", True), ("日本", True), ("has space", False), ("a,b", False), ("a#b", False), (".", False),
    ("..", False), ("...", True), ("", False), (1, False), (None, False), ("x" * 1000, True), ("x" * 1001, False),
])
def test_entity_identifier_rule(value: Any, ok: bool) -> None:
    assert (entity_identifier_problem(value) is None) is ok


@pytest.mark.parametrize("value,ok", [("cursorMember", True), ("cursor_usage-record", True), ("a=b", False),
                                      ("x" * 100, True), ("x" * 101, False), ("with space", False)])
def test_blueprint_identifier_rule(value: str, ok: bool) -> None:
    assert (blueprint_identifier_problem(value) is None) is ok


@pytest.mark.parametrize("value,ok", [("total_cents", True), ("a-b=c@d", True), ("a\\b", True), ("a.b", False),
                                      ("ünicode", False), ("a b", False), ("k" * 101, False)])
def test_property_key_rule(value: str, ok: bool) -> None:
    assert (key_problem(value) is None) is ok


@pytest.mark.parametrize("value,kind", [(None, "null"), (True, "boolean"), (0, "number"), (1.5, "number"),
                                        ("s", "string"), ([], "array"), ({}, "object")])
def test_json_types_have_no_integer(value: Any, kind: str) -> None:
    assert json_type(value) == kind


@pytest.mark.parametrize("value,fmt,ok", [
    ("2026-05-04T10:02:11.000Z", "date-time", True), ("2026-05-04T10:02:11+02:00", "date-time", True),
    ("2026-05-04T10:02:11", "date-time", False), ("2026-05-04", "date-time", False),
    ("1777900012345", "date-time", False), ("2026-13-04T10:02:11Z", "date-time", False),
    ("alice@example.com", "email", True), ("alice@", "email", False), ("a b@c.de", "email", False),
    ("https://api.cursor.com/x?y=1", "url", True), ("ftp://h/x", "url", True), ("api.cursor.com", "url", False),
    ("anything", "markdown", True),
])
def test_formats(value: str, fmt: str, ok: bool) -> None:
    assert matches_format(value, fmt) is ok


# -- inference ------------------------------------------------------------------------------------

@pytest.mark.parametrize("values,spec,required", [
    ([1, 2, 3], {"type": "number"}, True),
    ([1, 2.5], {"type": "number"}, True),
    ([True, False], {"type": "boolean"}, True),
    (["a", None], {"type": "string"}, False),
    (["a", ...], {"type": "string"}, False),
    ([{"a": 1}], {"type": "object"}, True),
    ([["x", "y"], []], {"type": "array", "items": {"type": "string"}}, True),
    ([[1, "x"]], {"type": "array"}, True),
    ([["a@b.co"], ["c@d.io"]], {"type": "array", "items": {"type": "string", "format": "email"}}, True),
    (["2026-05-04T10:02:11.000Z", "2026-05-05T00:00:00Z"], {"type": "string", "format": "date-time"}, True),
    (["2026-05-04T10:02:11.000Z", "2026-05-05"], {"type": "string"}, True),
    (["2026-05-04T10:02:11.000Z", None], {"type": "string", "format": "date-time"}, False),
    (["alice@example.com", "bob@example.com"], {"type": "string", "format": "email"}, True),
    (["alice@example.com", ""], {"type": "string"}, True),
    (["https://cursor.com", "http://x.io/a"], {"type": "string", "format": "url"}, True),
    (["1777900012345"], {"type": "string"}, True),
])
def test_inferred_property(values: list[Any], spec: dict[str, Any], required: bool) -> None:
    inferred = infer_blueprint(ents(values))
    prop = inferred.blueprint["schema"]["properties"]["p"]
    assert {k: v for k, v in prop.items() if k != "title"} == spec
    assert prop["title"] == "P"
    assert ("p" in inferred.blueprint["schema"]["required"]) is required
    assert inferred.null_only == [] and inferred.mixed == {}


def test_null_only_fields_are_flagged_and_typed_string() -> None:
    inferred = infer_blueprint(ents([None, None, ...]))
    assert inferred.null_only == ["p"]
    assert inferred.blueprint["schema"]["properties"]["p"]["type"] == "string"
    assert inferred.blueprint["schema"]["required"] == []
    assert any("null in all 3 entities" in note for note in inferred.notes)


def test_mixed_types_pick_the_majority_and_say_so() -> None:
    inferred = infer_blueprint(ents([1, 2, "3"]))
    assert inferred.blueprint["schema"]["properties"]["p"]["type"] == "number"
    assert inferred.mixed == {"p": ["number", "string"]}
    assert inferred.blueprint["schema"]["required"] == []


def test_no_entities_gives_an_empty_blueprint_with_a_note() -> None:
    inferred = infer_blueprint([], identifier="thing")
    assert inferred.blueprint["schema"] == {"properties": {}, "required": []}
    assert inferred.samples == 0 and inferred.notes


def resource(mappings: dict[str, Any], data_path: str = ".items") -> Resource:
    return Resource(kind="/things", selector={"query": "true", "data_path": data_path},
                    port={"entity": {"mappings": mappings}})


@pytest.mark.parametrize("expr,values,known,existing,target,unresolved", [
    (".userEmail", ["a@b.co", "c@d.io"], [], None, "_user", True),
    (".email", ["a@b.co"], ["member"], None, "member", False),  # key names a known blueprint
    (".repo", ["acme/payments"], [], None, "member", True),  # unknown: kept as the key, flagged
    (".x", ["a@b.co"], [], {"member": {"target": "cursorMember"}}, "cursorMember", False),
    ({"combinator": "and", "rules": [{"property": "$blueprint", "operator": "=", "value": "team"}]},
     [{"combinator": "and", "rules": []}], [], None, "team", False),
])
def test_relation_targets(expr: Any, values: list[Any], known: list[str], existing: Any, target: str,
                          unresolved: bool) -> None:
    entities = [{"identifier": f"e{i}", "blueprint": "b", "relations": {"member": v}} for i, v in enumerate(values)]
    base = {"identifier": "b", "relations": existing} if existing else None
    inferred = infer_blueprint(entities, resource({"identifier": ".id", "blueprint": '"b"',
                                                   "relations": {"member": expr}}),
                               known_blueprints=known, existing=base)
    relation = inferred.blueprint["relations"]["member"]
    assert relation["target"] == target
    assert ("member" in inferred.unresolved_relations) is unresolved
    assert relation["many"] is False and relation["required"] is False


def test_relation_target_from_identifiers_already_mapped() -> None:
    entities = [{"identifier": f"e{i}", "blueprint": "spend", "relations": {"member": f"user_{i}"}} for i in range(4)]
    known = {"cursor_member": {"user_0", "user_1", "user_2", "user_3", "user_9"}, "other": {"user_0"}}
    inferred = infer_blueprint(entities, known_identifiers=known)
    assert inferred.blueprint["relations"]["member"]["target"] == "cursor_member"
    assert inferred.unresolved_relations == []
    few = infer_blueprint(entities, known_identifiers={"cursor_member": {"user_0"}})
    assert few.blueprint["relations"]["member"]["target"] == "cursor_member"
    assert few.unresolved_relations == ["member"]  # 25% overlap: said, not trusted


def test_many_relation_from_list_values() -> None:
    entities = [{"identifier": "e", "blueprint": "b", "relations": {"owners": ["a@b.co", "c@d.io"]}}]
    assert infer_blueprint(entities).blueprint["relations"]["owners"]["many"] is True


def test_inference_from_a_mapping_result_uses_every_record() -> None:
    res = resource({"identifier": ".id", "title": ".name", "blueprint": '"thing"',
                    "properties": {"count": ".count", "when": ".when", "note": ".note", "tags": ".tags"}})
    page1 = {"items": [{"id": "a", "count": 1, "when": "2026-05-04T10:00:00Z", "note": None, "tags": ["x"]}]}
    page2 = {"items": [{"id": "b", "count": 2.5, "when": "2026-05-04", "tags": []},
                       {"id": "c", "count": 3, "when": "2026-05-04T11:00:00Z", "note": None}]}
    result = mapping.run(res, [page1, page2])
    inferred = infer_blueprint(result, res)
    props = inferred.blueprint["schema"]["properties"]
    assert inferred.identifier == "thing" and inferred.samples == 3
    assert list(props) == ["count", "when", "note", "tags"]  # the mapping's order
    assert props["count"]["type"] == "number"
    assert "format" not in props["when"]  # the second page broke date-time
    assert inferred.null_only == ["note"]
    assert inferred.blueprint["schema"]["required"] == ["count", "when"]  # tags is null for record c
    assert props["tags"]["type"] == "array"


def test_existing_titles_and_icon_are_kept() -> None:
    existing = {"identifier": "b", "title": "My B", "icon": "Cursor",
                "schema": {"properties": {"p": {"type": "string", "title": "Custom P", "description": "d"}}}}
    inferred = infer_blueprint(ents([1]), existing=existing)
    assert inferred.blueprint["title"] == "My B" and inferred.blueprint["icon"] == "Cursor"
    assert inferred.blueprint["schema"]["properties"]["p"] == {"title": "Custom P", "type": "number",
                                                               "description": "d"}


# -- compare -----------------------------------------------------------------------------------------

OLD = {"identifier": "b", "schema": {"properties": {"a": {"type": "string"}, "b": {"type": "number"},
                                                    "c": {"type": "string", "format": "date-time"}},
                                     "required": ["a"]},
       "relations": {"member": {"target": "cursorMember", "many": False, "required": False}}}


@pytest.mark.parametrize("new,added,removed,changed", [
    (OLD, [], [], []),
    ({**OLD, "schema": {"properties": {**OLD["schema"]["properties"], "d": {"type": "boolean"}}, "required": ["a"]}},
     ["properties.d"], [], []),
    ({**OLD, "schema": {"properties": {"a": {"type": "string"}, "b": {"type": "number"}}, "required": ["a"]}},
     [], ["properties.c"], []),
    ({**OLD, "schema": {"properties": {**OLD["schema"]["properties"], "b": {"type": "string"}}, "required": ["a"]}},
     [], [], ["properties.b: number → string"]),
    ({**OLD, "schema": {"properties": {**OLD["schema"]["properties"], "c": {"type": "string"}}, "required": ["a"]}},
     [], [], ["properties.c: string, format date-time → string"]),
    ({**OLD, "schema": {**OLD["schema"], "required": []}}, [], [], ["properties.a: string, required → string"]),
    ({**OLD, "relations": {"member": {"target": "cursorMember", "many": True}}}, [], [],
     ["relations.member: cursorMember → cursorMember, many"]),
    ({**OLD, "relations": {}}, [], ["relations.member"], []),
])
def test_compare(new: dict[str, Any], added: list[str], removed: list[str], changed: list[str]) -> None:
    diff = compare_blueprints(new, OLD)
    assert [f"{c.section}.{c.key}" for c in diff.added] == added
    assert [f"{c.section}.{c.key}" for c in diff.removed] == removed
    assert [c.describe() for c in diff.changed] == changed
    assert diff.is_empty is (not (added or removed or changed))


def test_compare_with_no_existing_blueprint_adds_everything() -> None:
    diff = compare_blueprints(OLD, None)
    assert [c.key for c in diff.added] == ["a", "b", "c", "member"] and not diff.removed


def test_merge_keeps_what_inference_cannot_know() -> None:
    existing = {**OLD, "description": "keep", "calculationProperties": {"x": {"calculation": "1"}},
                "schema": {"properties": {"a": {"type": "number", "title": "A!", "icon": "I"},
                                          "old": {"type": "string"}}, "required": ["old"]}}
    proposal = infer_blueprint(ents(["s"], key="a")).blueprint
    merged = merge_blueprint(existing, proposal)
    assert merged["description"] == "keep" and merged["calculationProperties"] == {"x": {"calculation": "1"}}
    assert merged["schema"]["properties"]["a"] == {"type": "string", "title": "A!", "icon": "I"}
    assert "old" in merged["schema"]["properties"] and merged["schema"]["required"] == ["a", "old"]
    dropped = merge_blueprint(existing, proposal, drop_removed=True)
    assert list(dropped["schema"]["properties"]) == ["a"] and dropped["schema"]["required"] == ["a"]


# -- validation ---------------------------------------------------------------------------------

BP = {"identifier": "b", "schema": {"properties": {
    "n": {"type": "number"}, "s": {"type": "string"}, "t": {"type": "string", "format": "date-time"},
    "e": {"type": "string", "format": "email", "enum": ["a@b.co", "c@d.io"]},
    "tags": {"type": "array", "items": {"type": "string"}}}, "required": ["n"]},
    "relations": {"one": {"target": "member", "many": False}, "many": {"target": "member", "many": True},
                  "req": {"target": "_user", "many": False, "required": True}}}


def entity(**changes: Any) -> dict[str, Any]:
    base = {"identifier": "x", "title": "X", "blueprint": "b", "properties": {"n": 1}, "relations": {"req": "u@b.co"}}
    base.update(changes)
    return base


@pytest.mark.parametrize("entity,expected", [
    (entity(), []),
    (entity(identifier="has space"), [("identifier", "identifier")]),
    (entity(identifier=42), [("identifier", "identifier")]),
    (entity(identifier="x" * 1001), [("identifier", "identifier")]),
    (entity(identifier={"combinator": "and", "rules": []}), []),
    (entity(blueprint="other"), [("blueprint", "blueprint")]),
    (entity(title=5), [("title", "type")]),
    (entity(properties={"n": "1"}), [("properties.n", "type")]),
    (entity(properties={"n": True}), [("properties.n", "type")]),
    (entity(properties={"n": None}), [("properties.n", "required")]),
    (entity(properties={}), [("properties.n", "required")]),
    (entity(properties={"n": 1, "s": None}), []),
    (entity(properties={"n": 1, "t": "2026-05-04"}), [("properties.t", "format")]),
    (entity(properties={"n": 1, "e": "z@z.io"}), [("properties.e", "enum")]),
    (entity(properties={"n": 1, "tags": ["a", 1]}), [("properties.tags", "type")]),
    (entity(properties={"n": 1, "zzz": 1}), [("properties.zzz", "unknown_property")]),
    (entity(relations={"req": "u@b.co", "one": ["a"]}), [("relations.one", "many")]),
    (entity(relations={"req": "u@b.co", "many": "a"}), [("relations.many", "many")]),
    (entity(relations={"req": "u@b.co", "many": ["a", "b c"]}), [("relations.many", "relation_value")]),
    (entity(relations={"req": "u@b.co", "one": "a b"}), [("relations.one", "relation_value")]),
    (entity(relations={"req": "u@b.co", "one": None, "many": []}), []),
    (entity(relations={}), [("relations.req", "required")]),
    (entity(relations={"req": "u@b.co", "nope": "a"}), [("relations.nope", "unknown_relation")]),
])
def test_validate_one_entity(entity: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    problems = validate_entities([entity], BP)
    assert [(p.field, p.code) for p in problems if p.severity == "error"] == expected
    assert all(p.index == 0 for p in problems)


def test_duplicates_within_a_sync_name_the_first_record() -> None:
    problems = validate_entities([entity(), entity(identifier="y"), entity()], BP)
    assert [(p.index, p.code) for p in problems] == [(2, "duplicate")]
    assert "record 0" in problems[0].message and problems[0].identifier == "x"


def test_unknown_relation_targets_are_warnings() -> None:
    two = [entity(relations={"req": "u", "one": "m"}), entity(identifier="y", relations={"req": "u", "one": "n"})]
    problems = validate_entities(two, BP, known_blueprints=["b"])
    assert [(p.index, p.field, p.code, p.severity) for p in problems] == [
        (0, "relations.one", "unknown_target", "warning")]  # once per relation, not per entity


def test_validate_result_names_record_indexes() -> None:
    res = resource({"identifier": ".id", "blueprint": '"b"', "properties": {"n": ".n"}})
    result = mapping.run(res, [{"items": [{"id": None, "n": 1}, {"id": "ok", "n": "one"}]}])
    problems = validate_result(result, BP)
    # record 0 is dropped (null identifier), so the bad entity is record 1, not entity 0
    assert [(p.index, p.identifier, p.field, p.code) for p in problems if p.code == "type"] == \
        [(1, "ok", "properties.n", "type")]
