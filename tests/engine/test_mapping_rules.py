"""Ocean's mapping rules, one table row each (reference/ocean-port.md §2–§3).

The differential test in tests/oracle runs the same kind of cases through port-ocean itself;
these tables state the rules so that a failure here reads as the rule that broke.
"""

from __future__ import annotations

import json

import pytest

from builder.engine import mapping
from builder.project.model import Resource


def resource(mappings, query="true", data_path=None, **port):
    selector = {"query": query}
    if data_path is not None:
        selector["data_path"] = data_path
    return Resource(kind="/x", selector=selector, port={"entity": {"mappings": mappings}, **port})


BASE = {"identifier": ".id", "blueprint": '"bp"'}


@pytest.mark.parametrize(
    "expr, item, expected",
    [
        (".name", {"id": "a", "name": "n"}, "n"),
        (".missing", {"id": "a"}, None),  # genuine null
        ('"abc" | tonumber', {"id": "a"}, None),  # runtime error → null
        ("empty", {"id": "a"}, None),  # no output → null
        (".tags[]", {"id": "a", "tags": ["x", "y"]}, "x"),  # first output only
        (".n", {"id": "a", "n": 7}, 7),  # numbers stay numbers
        (".n", {"id": "a", "n": 7.25}, 7.25),
        (".n | tostring", {"id": "a", "n": 7}, "7"),
        ("null | tostring", {"id": "a"}, "null"),
        (".a + '/' + .b", {"id": "a", "a": "x", "b": "y"}, "x/y"),  # single quotes rewritten
        ("{k: .a}", {"id": "a", "a": 1}, {"k": 1}),  # objects kept
        ("[.a, .b]", {"id": "a", "a": 1, "b": 2}, [1, 2]),
        (".a, .b", {"id": "a", "a": 1, "b": 2}, 1),  # a stream: first output
        ("def f: .a; f", {"id": "a", "a": 3}, 3),
        ('"\\(.a)-\\(.b)"', {"id": "a", "a": 1, "b": "z"}, "1-z"),
        ("first(range(10))", {"id": "a"}, 0),
        ("(.a | length), error(\"late\")", {"id": "a", "a": "xyz"}, 3),  # error after first output is unseen
        (".a.b", {"id": "a", "a": "str"}, None),  # cannot index string → null
        (".", {"id": "é"}, {"id": "é"}),
    ],
)
def test_property_value(expr, item, expected):
    result = mapping.run(resource({**BASE, "properties": {"p": expr}}), [[item]])
    assert result.entities[0]["properties"]["p"] == expected


@pytest.mark.parametrize(
    "expr, item, state",
    [
        (".name", {"id": "a", "name": "n"}, "ok"),
        (".missing", {"id": "a"}, "null"),
        ("empty", {"id": "a"}, "null"),
        ('"abc" | tonumber', {"id": "a"}, "error"),
        (".a |", {"id": "a"}, "error"),  # compile error
    ],
)
def test_field_diagnostics(expr, item, state):
    result = mapping.run(resource({**BASE, "properties": {"p": expr}}), [[item, item]])
    status = result.fields["properties.p"]
    assert status.state == state
    if state == "error":
        assert status.errors == 2 and status.first_error_record == 0 and status.first_error
    if state == "null":
        assert status.nulls + status.empties == 2 and status.first_null_record == 0
    assert result.kept == 2  # a bad field never drops the entity


def test_error_message_is_jq_s_own_words():
    result = mapping.run(resource({**BASE, "properties": {"p": '.a | tonumber'}}), [[{"id": "x", "a": "abc"}]])
    assert "cannot be parsed as a number" in result.fields["properties.p"].first_error
    value = {v.path: v for v in result.values(0)}["properties.p"]
    assert value.outcome.status == "error" and "cannot be parsed" in value.outcome.error


def test_compile_error_names_the_problem():
    result = mapping.run(resource({**BASE, "properties": {"p": ".a |"}}), [[{"id": "x"}]])
    assert "syntax error" in result.fields["properties.p"].first_error


@pytest.mark.parametrize(
    "identifier, blueprint, kept",
    [
        (".id", '"bp"', True),
        ("null", '"bp"', False),
        ('""', '"bp"', False),
        ("0", '"bp"', False),
        ("false", '"bp"', False),
        ("[]", '"bp"', False),
        ("{}", '"bp"', False),
        ("1", '"bp"', True),  # a number identifier passes Ocean's truthiness check (Port rejects it later)
        (".id", "null", False),
        (".id", '""', False),
        (".id", ".kind | ascii_downcase", True),  # dynamic blueprint
        (".nope | tostring", '"bp"', True),  # "null" string passes
    ],
)
def test_falsy_identifier_or_blueprint_drops(identifier, blueprint, kept):
    item = {"id": "a", "kind": "USER"}
    result = mapping.run(resource({"identifier": identifier, "blueprint": blueprint}), [[item]])
    assert (result.kept == 1) is kept
    if not kept:
        assert result.dropped[0].stage in ("identifier", "blueprint")


@pytest.mark.parametrize(
    "query, kept, stage",
    [
        ("true", 1, None),
        ("false", 0, "selector"),
        (".id == \"a\"", 1, None),
        ("1", 0, "selector_error"),  # not a boolean
        ('"true"', 0, "selector_error"),
        ("null", 0, "selector_error"),
        ("empty", 0, "selector_error"),
        (".a | tonumber", 0, "selector_error"),
        ("true |", 0, "selector_error"),
    ],
)
def test_selector_must_be_a_real_boolean(query, kept, stage):
    result = mapping.run(resource(BASE, query=query), [[{"id": "a", "a": "x"}]])
    assert result.kept == kept
    if stage:
        assert result.dropped[0].stage == stage


@pytest.mark.parametrize(
    "data_path, response, ids",
    [
        (".data", {"data": [{"id": "a"}, {"id": "b"}]}, ["a", "b"]),
        (".data", {"data": {"id": "a"}}, ["a"]),  # object → one item
        (".data", {"data": None}, []),  # null → none
        (".nope", {"data": []}, []),
        (".data[]", {"data": [{"id": "a"}, {"id": "b"}]}, ["a"]),  # a stream keeps its first output
        ("[.data[]]", {"data": [{"id": "a"}, {"id": "b"}]}, ["a", "b"]),
        (None, {"id": "whole"}, ["whole"]),  # no data_path, object response: one item
        (None, [{"id": "a"}, {"id": "b"}], ["a", "b"]),  # no data_path, list response: its items
        ("[.data[] | select(.id != \"a\")]", {"data": [{"id": "a"}, {"id": "b"}]}, ["b"]),
    ],
)
def test_data_path(data_path, response, ids):
    result = mapping.run(resource(BASE, data_path=data_path), [response])
    assert [e["identifier"] for e in result.entities] == ids


def test_page_with_non_object_item_is_rejected_whole_and_other_pages_survive():
    pages = [{"data": [{"id": "a"}, 5]}, {"data": [{"id": "b"}]}]
    result = mapping.run(resource(BASE, data_path=".data"), pages)
    assert [e["identifier"] for e in result.entities] == ["b"]
    rejected = [d for d in result.dropped if d.stage == "not_object"]
    assert len(rejected) == 2 and "item 1 is a number" in rejected[0].reason


def test_data_path_error_is_reported_per_page():
    result = mapping.run(resource(BASE, data_path=".data | tonumber"), [{"data": "x"}])
    assert result.kept == 0 and result.dropped[0].stage == "data_path"


@pytest.mark.parametrize(
    "port, expected",
    [
        ({"itemsToParse": ".files"}, [{"id": "r", "item": {"n": 1}}, {"id": "r", "item": {"n": 2}}]),
        ({"itemsToParse": ".files", "itemsToParseName": "file"},
         [{"id": "r", "file": {"n": 1}}, {"id": "r", "file": {"n": 2}}]),
        ({"itemsToParse": ".files", "itemsToParseTopLevelTransform": False},
         [{"id": "r", "files": [{"n": 1}, {"n": 2}], "item": {"n": 1}},
          {"id": "r", "files": [{"n": 1}, {"n": 2}], "item": {"n": 2}}]),
        ({"itemsToParse": ".id"}, []),  # not a list: item skipped
    ],
)
def test_items_to_parse(port, expected):
    res = resource({"identifier": ".id", "blueprint": '"bp"', "properties": {"all": "."}}, **port)
    result = mapping.run(res, [[{"id": "r", "files": [{"n": 1}, {"n": 2}]}]])
    assert [e["properties"]["all"] for e in result.entities] == expected


def test_only_mapped_keys_appear_in_pydantic_order():
    res = resource({"title": ".t", "blueprint": '"bp"', "identifier": ".id", "relations": {"r": ".r"}})
    entity = mapping.run(res, [[{"id": "a", "t": "T", "r": None}]]).entities[0]
    assert list(entity) == ["identifier", "blueprint", "title", "relations"]
    assert entity["relations"] == {"r": None}


def test_uncompilable_fields_come_last_as_ocean_merges_them():
    res = resource({**BASE, "properties": {"a": ".a |", "b": ".b", "c": ".c"}})
    entity = mapping.run(res, [[{"id": "x", "b": 1, "c": 2}]]).entities[0]
    assert json.dumps(entity["properties"]) == '{"b": 1, "c": 2, "a": null}'


def test_nested_search_query_relation_is_evaluated_recursively():
    relation = {"combinator": '"and"', "rules": [{"property": '"$identifier"', "operator": '"="', "value": ".owner"}]}
    res = resource({**BASE, "relations": {"owner": relation}})
    entity = mapping.run(res, [[{"id": "x", "owner": "alice"}]]).entities[0]
    assert entity["relations"]["owner"] == {
        "combinator": "and", "rules": [{"property": "$identifier", "operator": "=", "value": "alice"}]}


@pytest.mark.parametrize(
    "key, expr, expected",
    [
        ("icon", "5", "5"),  # pydantic v1 coerces numbers to str for icon and team
        ("icon", '"Cursor"', "Cursor"),
        ("team", "5", "5"),
        ("team", '["a"]', ["a"]),
        ("title", "5", 5),  # title is Any
    ],
)
def test_entity_model_coercion(key, expr, expected):
    entity = mapping.run(resource({**BASE, key: expr}), [[{"id": "x"}]]).entities[0]
    assert entity[key] == expected


def test_numeric_mapping_leaf_is_a_jq_number_literal():
    entity = mapping.run(resource({**BASE, "properties": {"n": 3}}), [[{"id": "x"}]]).entities[0]
    assert entity["properties"]["n"] == 3


def test_values_for_a_record_and_entity_lookup():
    res = resource({**BASE, "title": ".name"}, query='.id != "skip"')
    result = mapping.run(res, [[{"id": "a", "name": "A"}, {"id": "skip"}, {"id": "c", "name": "C"}]])
    assert result.entity_for_record(2)["title"] == "C"
    assert result.entity_for_record(1) is None
    assert result.drop_for_record(1).stage == "selector"
    assert {v.path: v.outcome.value for v in result.values(2)}["title"] == "C"


def test_fast_path_and_slow_path_agree():
    """The combined program and per-field evaluation must give the same entities."""
    mappings = {**BASE, "title": ".a + '-' + (.n|tostring)", "properties": {
        "x": ".tags[]", "y": "empty", "z": '.a | tonumber', "w": "{k: .n}", "v": ".a |"}}
    items = [{"id": str(i), "a": "s", "n": i, "tags": ["t", "u"]} for i in range(5)]
    compiled = mapping.compile_mapping(mappings, "true")
    fast = compiled.evaluate(items)
    slow = [compiled._evaluate_one(item) for item in items]
    assert fast == slow


@pytest.mark.parametrize("expr", [".a", ".a.b", ".a.b.c"])
@pytest.mark.parametrize("data", [{"a": 1}, {"a": None}, {"a": "s"}, {"a": [1]}, {"a": {"b": {"c": 2}}}, 5, True,
                                  None, 1.5, [], {"a": {"b": "x"}}])
def test_simple_paths_skip_jq_but_mean_the_same(expr, data):
    import jq

    from builder.engine import jqrt

    try:
        value = jq.compile(expr).input_value(data).first()
        expected = jqrt.Outcome("null" if value is None else "ok", value)
    except Exception as exc:
        expected = jqrt.Outcome("error", None, str(exc))
    assert jqrt.first(expr, data) == expected
