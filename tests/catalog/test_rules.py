"""Port's own rules, enforced by the embedded catalog: one table per rule family, through HTTP."""

from __future__ import annotations

import pytest

from builder.port.catalog.rules import (
    blueprint_identifier_problem,
    entity_identifier_problem,
    format_problem,
    key_problem,
)

OK = {"must": "x"}

IDENTIFIERS = [
    ("plain", True),
    ("a/b:c@d.e+f=g_h-i\\j", True),  # every punctuation Port allows
    ("ümlaut-名前-имя", True),  # \p{L}: any Unicode letter
    ("has space", False),
    (".", False),
    ("..", False),
    ("...", True),
    ("", False),
    ("a#b", False),
    ("x" * 1000, True),
    ("x" * 1001, False),
    ("١٢٣", False),  # Arabic-Indic digits are not 0-9 and not letters
]


@pytest.mark.parametrize("identifier,valid", IDENTIFIERS)
def test_entity_identifier_pattern(api, identifier, valid):
    assert (entity_identifier_problem(identifier) is None) is valid
    response = api.upsert("svc", {"identifier": identifier, "properties": OK})
    assert response.status_code == (201 if valid else 422), response.text


def test_entity_identifier_must_be_a_string(api):
    response = api.upsert("svc", {"identifier": 12, "properties": OK})
    assert response.status_code == 422
    assert "must be a string" in response.json()["message"]


@pytest.mark.parametrize("identifier,valid", [
    ("cursorUsage", True), ("a=b", False), ("x" * 100, True), ("x" * 101, False), ("with space", False),
])
def test_blueprint_identifier_pattern(api, identifier, valid):
    assert (blueprint_identifier_problem(identifier) is None) is valid
    response = api.blueprint({"identifier": identifier, "title": "T", "schema": {"properties": {}}})
    assert response.status_code == (201 if valid else 422), response.text


@pytest.mark.parametrize("key,valid", [("input_tokens", True), ("a-b@c=d", True), ("has.dot", False),
                                        ("spa ce", False), ("k" * 101, False)])
def test_property_key_pattern(api, key, valid):
    assert (key_problem(key) is None) is valid
    response = api.blueprint({"identifier": "keys", "title": "T", "schema": {"properties": {key: {"type": "string"}}}})
    assert response.status_code == (201 if valid else 422), response.text


PROPERTY_VALUES = [
    ("name", "text", True), ("name", 3, False), ("name", None, True),
    ("count", 3, True), ("count", 2.5, True), ("count", True, False), ("count", "3", False),
    ("flag", False, True), ("flag", 0, False),
    ("meta", {"a": 1}, True), ("meta", [1], False),
    ("tags", ["a", "b"], True), ("tags", "a", False), ("tags", [1], False),
    ("when", "2026-01-31T12:00:00Z", True), ("when", "2026-01-31T12:00:00.123+02:00", True),
    ("when", "2026-01-31", False), ("when", "2026-01-31T12:00:00", False), ("when", "2026-02-30T00:00:00Z", False),
    ("when", "1777900012345", False),
    ("mail", "alice@northwind.dev", True), ("mail", "alice", False), ("mail", "a b@c.d", False),
    ("link", "https://port.io/x", True), ("link", "port.io", False),
    ("ip4", "10.0.0.1", True), ("ip4", "10.0.0.256", False),
    ("ip6", "::1", True), ("ip6", "10.0.0.1", False),
    ("level", "low", True), ("level", "mid", False),
    ("unknown_prop", "x", False),
]


@pytest.mark.parametrize("key,value,valid", PROPERTY_VALUES)
def test_property_types_and_formats(api, key, value, valid):
    response = api.upsert("svc", {"identifier": "e1", "properties": {**OK, key: value}})
    assert response.status_code == (201 if valid else 422), response.text
    if not valid:
        assert key in response.json()["message"]


@pytest.mark.parametrize("properties,valid", [({"must": "x"}, True), ({}, False), ({"must": None}, False)])
def test_required_properties(api, properties, valid):
    response = api.upsert("svc", {"identifier": "e1", "properties": properties})
    assert response.status_code == (201 if valid else 422), response.text


def test_required_is_checked_on_the_merged_entity(api):
    assert api.upsert("svc", {"identifier": "e1", "properties": {"must": "x"}}).status_code == 201
    # A merge that leaves `must` out keeps the stored value: valid.
    assert api.upsert("svc", {"identifier": "e1", "properties": {"name": "n"}}, merge="true").status_code == 200
    # A replace without it would drop a required property: invalid.
    assert api.upsert("svc", {"identifier": "e1", "properties": {"name": "n"}}, merge="false").status_code == 422


@pytest.mark.parametrize("fmt,value,ok", [
    ("date-time", "2026-01-01T00:00:00Z", True), ("timer", "2026-01-01T00:00:00Z", True),
    ("date-time", "yesterday", False), ("user", "a@b.co", True), ("user", "bob", False),
    ("markdown", "# anything", True), ("yaml", "a: 1", True),
])
def test_format_table(fmt, value, ok):
    assert (format_problem(value, fmt) is None) is ok


def _relations_setup(api):
    assert api.blueprint({"identifier": "team", "title": "Team", "schema": {"properties": {}}}).status_code == 201
    body = {"identifier": "member", "title": "Member", "schema": {"properties": {}},
            "relations": {"team": {"title": "Team", "target": "team", "required": False, "many": False},
                          "teams": {"title": "Teams", "target": "team", "required": False, "many": True}}}
    assert api.blueprint(body).status_code == 201
    assert api.upsert("team", {"identifier": "core"}).status_code == 201


@pytest.mark.parametrize("relations,params,status", [
    ({"team": "core"}, {}, 201),
    ({"team": "missing"}, {"create_missing_related_entities": "false"}, 404),
    ({"team": "missing"}, {"create_missing_related_entities": "true"}, 201),
    ({"team": ["core"]}, {}, 422),  # single relation given a list
    ({"teams": "core"}, {}, 422),  # many relation given one value
    ({"teams": ["core", "core"]}, {}, 201),
    ({"team": None}, {}, 201),
    ({"team": "bad id"}, {}, 422),
    ({"nope": "core"}, {}, 422),  # not a relation of the blueprint
])
def test_relation_values(api, relations, params, status):
    _relations_setup(api)
    response = api.upsert("member", {"identifier": "m1", "relations": relations}, **params)
    assert response.status_code == status, response.text


def test_create_missing_related_entities_creates_bare_targets(api):
    _relations_setup(api)
    assert api.upsert("member", {"identifier": "m1", "relations": {"teams": ["t1", "t2"]}},
                      create_missing_related_entities="true").status_code == 201
    found = api.call("GET", "/v1/blueprints/team/entities/t2").json()["entity"]
    assert found["identifier"] == "t2" and found["properties"] == {}


def test_required_relation(api):
    assert api.blueprint({"identifier": "team", "title": "Team", "schema": {"properties": {}}}).status_code == 201
    body = {"identifier": "member", "title": "M", "schema": {"properties": {}},
            "relations": {"team": {"title": "T", "target": "team", "required": True, "many": False}}}
    assert api.blueprint(body).status_code == 201
    assert api.upsert("member", {"identifier": "m1"}).status_code == 422


@pytest.mark.parametrize("relation,status", [
    ({"target": "nowhere", "required": False, "many": False}, 404),  # target must exist
    ({"target": "svc", "required": False, "many": False}, 201),
    ({"target": "rel", "required": False, "many": False}, 201),  # a self-relation is fine
    ({"target": "svc", "many": False}, 422),  # required flag missing
    ({"required": False, "many": False}, 422),
])
def test_blueprint_relation_definitions(api, relation, status):
    response = api.blueprint({"identifier": "rel", "title": "R", "schema": {"properties": {}},
                              "relations": {"link": relation}})
    assert response.status_code == status, response.text


@pytest.mark.parametrize("body,status", [
    ({"identifier": "b", "title": "", "schema": {"properties": {}}}, 422),
    ({"identifier": "b", "title": "x" * 101, "schema": {"properties": {}}}, 422),
    ({"identifier": "b", "schema": {"properties": {}}}, 422),
    ({"identifier": "b", "title": "B"}, 422),
    ({"identifier": "b", "title": "B", "schema": {"properties": {"p": {"type": "integer"}}}}, 422),
    ({"identifier": "b", "title": "B", "schema": {"properties": {"p": {"type": "string", "format": "dat"}}}}, 422),
    ({"identifier": "b", "title": "B", "schema": {"properties": {}, "required": ["ghost"]}}, 422),
    ({"identifier": "b", "title": "B", "schema": {"properties": {"p": {"type": "string", "format": "user"}}}}, 201),
])
def test_blueprint_definition_rules(api, body, status):
    assert api.blueprint(body).status_code == status
