"""The catalog's REST surface: auth, blueprints, bulk limits and 207s, search, delete, trace ids."""

from __future__ import annotations

import json

from builder.port.catalog import LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET, CatalogFaults

from catalog_api import BLUEPRINT, Api


def test_token_is_reused_until_it_expires_and_wrong_secrets_are_refused():
    api = Api()
    creds = {"clientId": LOCAL_CLIENT_ID, "clientSecret": LOCAL_CLIENT_SECRET}
    first = api.call("POST", "/v1/auth/access_token", json=creds, auth=False).json()
    second = api.call("POST", "/v1/auth/access_token", json=creds, auth=False).json()
    assert first["accessToken"] == second["accessToken"]
    assert first["tokenType"] == "Bearer" and first["expiresIn"] > 0
    assert api.call("POST", "/v1/auth/access_token", json={**creds, "clientSecret": "no"}, auth=False).status_code == 401
    assert api.call("POST", "/v1/auth/access_token", json={**creds, "extra": 1}, auth=False).status_code == 422
    assert api.call("GET", "/v1/blueprints", auth=False).status_code == 401
    assert api.call("GET", "/v1/blueprints", auth=False,
                    headers={"Authorization": "Bearer nope"}).status_code == 401


def test_token_expiry_after_n_uses_then_a_new_token_works():
    api = Api(CatalogFaults(token_uses=2))
    assert api.call("GET", "/v1/blueprints").status_code == 200
    assert api.call("GET", "/v1/blueprints").status_code == 200
    assert api.call("GET", "/v1/blueprints").status_code == 401
    api.token = None
    assert api.call("GET", "/v1/blueprints").status_code == 200


def test_every_answer_has_a_trace_id(api):
    for response in (api.call("GET", "/v1/blueprints"), api.call("GET", "/v1/blueprints/nope"),
                     api.call("POST", "/v1/auth/access_token", json={}, auth=False)):
        assert response.headers["x-trace-id"]


def test_blueprint_lifecycle(api):
    assert api.blueprint(BLUEPRINT).status_code == 409
    got = api.call("GET", "/v1/blueprints/svc").json()["blueprint"]
    assert got["title"] == "Service" and got["createdAt"]
    patched = api.call("PATCH", "/v1/blueprints/svc", json={"title": "Services"})
    assert patched.status_code == 200 and patched.json()["blueprint"]["schema"] == BLUEPRINT["schema"]
    put = api.call("PUT", "/v1/blueprints/svc", json={"title": "S", "schema": {"properties": {}}})
    assert put.status_code == 200 and put.json()["blueprint"]["schema"]["properties"] == {}
    assert api.upsert("svc", {"identifier": "e"}).status_code == 201
    assert api.call("DELETE", "/v1/blueprints/svc").status_code == 409  # still has entities
    assert api.call("DELETE", "/v1/blueprints/svc/all-entities",
                    params={"delete_blueprint": "true"}).status_code == 200
    assert api.call("GET", "/v1/blueprints/svc").status_code == 404


def test_blueprint_with_relations_to_it_cannot_be_deleted(api):
    api.blueprint({"identifier": "other", "title": "O", "schema": {"properties": {}},
                   "relations": {"svc": {"target": "svc", "required": False, "many": False}}})
    assert api.call("DELETE", "/v1/blueprints/svc").status_code == 409


def test_bulk_answers_207_with_ports_shape(api):
    entities = [{"identifier": "a", "properties": {"must": "x"}}, {"identifier": "b c", "properties": {"must": "x"}},
                {"identifier": "d", "properties": {"count": "NaN", "must": "x"}}, "not an object"]
    response = api.bulk("svc", entities)
    assert response.status_code == 207
    body = response.json()
    assert body["entities"] == [{"identifier": "a", "index": 0, "created": True}]
    assert [(e["identifier"], e["index"], e["statusCode"], e["error"]) for e in body["errors"]] == [
        ("b c", 1, 422, "invalid_request"), ("d", 2, 422, "invalid_request"), ("unknown", 3, 422, "invalid_request")]
    assert all(e["message"] for e in body["errors"])
    again = api.bulk("svc", entities[:1])
    assert again.status_code == 200 and again.json()["entities"][0]["created"] is False


def test_bulk_limits(api):
    many = [{"identifier": f"e{i}", "properties": {"must": "x"}} for i in range(21)]
    assert api.bulk("svc", many).status_code == 422
    assert api.bulk("svc", many[:20]).status_code == 200
    big = [{"identifier": f"b{i}", "properties": {"must": "x" * 60_000}} for i in range(20)]
    response = api.bulk("svc", big)
    assert response.status_code == 413 and response.json()["error"] == "payload_too_large"
    assert api.call("GET", "/v1/blueprints/svc/entities/b0").status_code == 404
    assert api.bulk("svc", []).status_code == 422


def test_upsert_false_refuses_an_existing_entity(api):
    assert api.upsert("svc", {"identifier": "e", "properties": {"must": "x"}}).status_code == 201
    response = api.call("POST", "/v1/blueprints/svc/entities", json={"identifier": "e", "properties": {"must": "y"}})
    assert response.status_code == 409


def test_merge_keeps_other_properties_and_replace_drops_them(api):
    api.upsert("svc", {"identifier": "e", "title": "E", "properties": {"must": "x", "name": "n", "count": 1}})
    merged = api.upsert("svc", {"identifier": "e", "properties": {"count": 2, "name": None}}, merge="true").json()
    assert merged["entity"]["properties"] == {"must": "x", "count": 2}
    assert merged["entity"]["title"] == "E"
    replaced = api.upsert("svc", {"identifier": "e", "properties": {"must": "z"}}, merge="false").json()
    assert replaced["entity"]["properties"] == {"must": "z"} and replaced["entity"]["title"] is None


def test_identifiers_with_slashes_round_trip(api):
    assert api.upsert("svc", {"identifier": "org/repo:main", "properties": {"must": "x"}}).status_code == 201
    assert api.call("GET", "/v1/blueprints/svc/entities/org%2Frepo%3Amain").json()["entity"]["identifier"] == \
        "org/repo:main"
    assert api.call("DELETE", "/v1/blueprints/svc/entities/org%2Frepo%3Amain").status_code == 200


def test_search_is_paginated_and_filters(api):
    for start in range(0, 45, 15):
        api.bulk("svc", [{"identifier": f"e{i:02d}", "properties": {"must": "x", "count": i}}
                         for i in range(start, start + 15)])
    seen, cursor, pages = [], None, 0
    while True:
        body = {"limit": 20, **({"from": cursor} if cursor else {})}
        data = api.call("POST", "/v1/blueprints/svc/entities/search", json=body).json()
        seen += [e["identifier"] for e in data["entities"]]
        pages += 1
        cursor = data["next"]
        if not cursor:
            break
    assert pages == 3 and seen == sorted(seen) and len(set(seen)) == 45
    query = {"combinator": "and", "rules": [{"property": "count", "operator": ">=", "value": 40},
                                            {"property": "$identifier", "operator": "!=", "value": "e41"}]}
    found = api.call("POST", "/v1/blueprints/svc/entities/search", json={"query": query}).json()["entities"]
    assert [e["identifier"] for e in found] == ["e40", "e42", "e43", "e44"]
    by_id = {"combinator": "and", "rules": [{"property": "$identifier", "operator": "in", "value": ["e01", "zz"]}]}
    found = api.call("POST", "/v1/blueprints/svc/entities/search", json={"query": by_id,
                                                                          "include": ["identifier"]}).json()
    assert found["entities"] == [{"identifier": "e01"}]
    bad = {"combinator": "and", "rules": [{"property": "x", "operator": "relatedTo", "value": 1}]}
    assert api.call("POST", "/v1/blueprints/svc/entities/search", json={"query": bad}).status_code == 422
    assert api.call("POST", "/v1/blueprints/svc/entities/search", json={"limit": 1001}).status_code == 422


def test_datasource_is_the_writers_user_agent(api):
    ua = "port-ocean/custom/0.6.108/cursor-usage/exporter cursor-builder/0.1.0"
    api.call("POST", "/v1/blueprints/svc/entities", json={"identifier": "mine", "properties": {"must": "x"}},
             params={"upsert": "true"}, headers={"User-Agent": ua})
    api.upsert("svc", {"identifier": "theirs", "properties": {"must": "x"}})
    query = {"combinator": "and", "rules": [
        {"property": "$datasource", "operator": "contains", "value": "port-ocean/custom/"},
        {"property": "$datasource", "operator": "contains", "value": "/cursor-usage/exporter"}]}
    found = api.call("POST", "/v1/entities/search", json=query).json()["entities"]
    assert [e["identifier"] for e in found] == ["mine"]


def test_delete_with_and_without_dependents(api):
    api.blueprint({"identifier": "child", "title": "C", "schema": {"properties": {}},
                   "relations": {"parent": {"target": "svc", "required": False, "many": False}}})
    api.upsert("svc", {"identifier": "p", "properties": {"must": "x"}})
    api.upsert("child", {"identifier": "c", "relations": {"parent": "p"}})
    refused = api.call("POST", "/v1/blueprints/svc/bulk/entities/delete", json={"entities": ["p"]})
    assert refused.status_code == 409
    done = api.call("POST", "/v1/blueprints/svc/bulk/entities/delete", json={"entities": ["p", "ghost"]},
                    params={"delete_dependents": "true"})
    assert done.status_code == 200 and done.json()["deletedEntities"] == ["p"]
    assert api.call("GET", "/v1/blueprints/child/entities/c").status_code == 404
    too_many = api.call("POST", "/v1/blueprints/svc/bulk/entities/delete",
                        json={"entities": [f"x{i}" for i in range(101)]})
    assert too_many.status_code == 422


def test_injected_status_faults_carry_headers():
    from builder.port.catalog import Fault

    api = Api(CatalogFaults(faults=[Fault(status=429, path="/v1/blueprints", retry_after="7",
                                          ratelimit_reset="30")]))
    response = api.call("GET", "/v1/blueprints")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7" and response.headers["x-ratelimit-reset"] == "30"
    assert response.headers["x-ratelimit-remaining"] == "0"
    assert api.call("GET", "/v1/blueprints").status_code == 200  # times=1
    assert api.app.faults.count("429") == 1


def test_reject_fault_answers_207_for_chosen_identifiers(api):
    api.app.faults.reject["b"] = "rejected for the test"
    body = api.bulk("svc", [{"identifier": i, "properties": {"must": "x"}} for i in "abc"]).json()
    assert [e["identifier"] for e in body["entities"]] == ["a", "c"]
    assert body["errors"][0]["message"] == "rejected for the test"


def test_validation_only_writes_nothing(api):
    response = api.bulk("svc", [{"identifier": "v", "properties": {"must": "x"}}], validation_only="true")
    assert response.status_code == 200
    assert api.call("GET", "/v1/blueprints/svc/entities/v").status_code == 404


def test_unreadable_json_is_a_400(api):
    assert api.call("POST", "/v1/blueprints", content=b"{nope").status_code == 400
    assert json.loads(api.call("GET", "/v1/nothing").text)["error"] == "not_found"
