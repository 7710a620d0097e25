"""The Port API surface an Ocean integration uses, on the embedded catalog (builder/port/catalog/integrations.py).

Shapes are what port-ocean 0.56.2 reads (clients/port/mixins/integrations.py, organization.py, entities.py).
"""

from __future__ import annotations

import pytest

from builder.port.catalog import CatalogStore
from builder.port.catalog.integrations import IntegrationStore
from catalog_api import BLUEPRINT, Api

INSTALL = {"installationId": "cursor-usage", "installationAppType": "custom", "version": "0.6.108",
           "changelogDestination": {}, "config": {"resources": [{"kind": "/teams/members"}]},
           "actionsProcessingEnabled": False}


def test_start_up_checks_answer_what_ocean_needs():
    api = Api()
    assert api.call("GET", "/v1/integration/provision-enabled").json()["integrations"] == []
    organization = api.call("GET", "/v1/organization").json()["organization"]
    assert organization["featureFlags"] == [] and organization["isBlocked"] is False
    assert api.call("GET", "/v1/integration/cursor-usage").status_code == 404


def test_install_read_patch_and_delete_an_integration():
    api = Api()
    created = api.call("POST", "/v1/integration", json=INSTALL)
    assert created.status_code == 201
    integration = created.json()["integration"]
    assert integration["installationId"] == "cursor-usage" and integration["config"] == INSTALL["config"]
    # The ingest URLs point back at the catalog as the caller reached it.
    assert integration["logAttributes"]["ingestUrl"] == "http://catalog/v1/integration/cursor-usage/ingest/logs"
    assert integration["metricAttributes"]["ingestUrl"].endswith("/ingest/metrics")
    assert api.call("POST", "/v1/integration", json=INSTALL).status_code == 409
    patched = api.call("PATCH", "/v1/integration/cursor-usage",
                       json={"version": "0.6.109", "processingMode": "ocean-core", "ignored": 1}).json()["integration"]
    assert patched["version"] == "0.6.109" and patched["processingMode"] == "ocean-core" and "ignored" not in patched
    config = {"resources": []}
    assert api.call("PATCH", "/v1/integration/cursor-usage/config",
                    json={"config": config}).json()["integration"]["config"] == config
    assert api.call("GET", "/v1/integration").json()["integrations"][0]["installationId"] == "cursor-usage"
    assert api.call("DELETE", "/v1/integration/cursor-usage").status_code == 200
    assert api.call("GET", "/v1/integration/cursor-usage").status_code == 404


@pytest.mark.parametrize("body, status", [
    ({}, 422),
    ({"installationId": ""}, 422),
    ([], 422),
])
def test_install_refuses_a_body_without_installation_id(body, status):
    assert Api().call("POST", "/v1/integration", json=body).status_code == status


def test_resync_state_answers_with_updated_at():
    # Ocean reads integration.resyncState.updatedAt after each PATCH; without it the resync aborts.
    api = Api()
    api.call("POST", "/v1/integration", json=INSTALL)
    state = api.call("PATCH", "/v1/integration/cursor-usage/resync-state",
                     json={"status": "running", "lastResyncStart": "2026-01-01T00:00:00+00:00"}).json()
    assert state["integration"]["resyncState"]["status"] == "running"
    assert state["integration"]["resyncState"]["updatedAt"]
    done = api.call("PATCH", "/v1/integration/cursor-usage/resync-state", json={"status": "completed"}).json()
    assert done["integration"]["resyncState"]["lastResyncStart"] == "2026-01-01T00:00:00+00:00"
    assert api.call("PATCH", "/v1/integration/nope/resync-state", json={}).status_code == 404


def test_examples_logs_and_metrics_persist_in_the_database(tmp_path):
    db = str(tmp_path / "catalog.db")
    api = Api(store=db)
    api.call("POST", "/v1/integration", json=INSTALL)
    assert api.call("POST", "/v1/integration/cursor-usage/kinds/%2Fteams%2Fmembers/examples",
                    json={"examples": [{"id": 1}]}).status_code == 200
    assert api.call("GET", "/v1/integration/cursor-usage/kinds/%2Fteams%2Fmembers/examples").json()["examples"] == \
        [{"id": 1}]
    assert api.call("POST", "/v1/integration/cursor-usage/ingest/logs",
                    json={"logs": [{"message": "a"}, {"message": "b"}]}).status_code == 200
    assert api.call("POST", "/v1/integration/cursor-usage/ingest/metrics/syncMetrics",
                    json={"syncKindsMetrics": [{"kind": "k"}]}).status_code == 200
    assert api.call("PUT", "/v1/integration/cursor-usage/ingest/metrics/syncMetrics/resync/e1/kind/%2Fteams-0",
                    json={"syncKindMetrics": {"eventId": "e1"}}).status_code == 200
    assert api.call("POST", "/v1/integration/cursor-usage/kinds/x/examples", json={"examples": {}}).status_code == 422
    api.app.store.close()
    store = CatalogStore(db)
    try:
        saved = IntegrationStore(store)
        assert saved.examples("cursor-usage") == {"/teams/members": [{"id": 1}]}
        assert [log["message"] for log in saved.logs("cursor-usage")] == ["a", "b"]
        metrics = saved.metrics("cursor-usage")
        assert metrics["syncKindsMetrics"] == [{"kind": "k"}] and metrics["resync/e1/kind//teams-0"] == {"eventId": "e1"}
        row, = saved.summary()
        assert row["identifier"] == "cursor-usage" and row["kindsWithExamples"] == 1 and row["logs"] == 2
    finally:
        store.close()


def test_datasource_search_finds_an_integrations_entities_updated_before():
    api = Api()
    assert api.blueprint(BLUEPRINT).status_code == 201
    ours = {"User-Agent": "port-ocean/custom/0.6.108/cursor-usage/exporter"}
    theirs = {"User-Agent": "port-ocean/custom/0.6.108/other/exporter"}
    for identifier, headers in (("a", ours), ("b", ours), ("c", theirs)):
        assert api.call("POST", "/v1/blueprints/svc/entities", params={"upsert": "true"}, headers=headers,
                        json={"identifier": identifier, "properties": {"must": "x"}}).status_code in (200, 201)
    body = {"datasource_prefix": "port-ocean/custom/", "datasource_suffix": "/cursor-usage/exporter", "limit": 1}
    first = api.call("POST", "/v1/blueprints/entities/datasource-entities", json=body).json()
    assert [e["identifier"] for e in first["entities"]] == ["a"] and first["next"]
    second = api.call("POST", "/v1/blueprints/entities/datasource-entities",
                      json={**body, "from": first["next"]}).json()
    assert [e["identifier"] for e in second["entities"]] == ["b"] and second["next"] is None
    before = api.call("POST", "/v1/blueprints/entities/datasource-entities",
                      json={**body, "limit": 5000, "before": "2000-01-01T00:00:00+00:00"}).json()
    assert before["entities"] == []
    assert api.call("POST", "/v1/blueprints/entities/datasource-entities",
                    json={**body, "before": "yesterday"}).status_code == 422


def test_catalog_ls_lists_the_integrations(tmp_path, capsys):
    from builder.cli import main

    db = str(tmp_path / "catalog.db")
    api = Api(store=db)
    api.call("POST", "/v1/integration", json=INSTALL)
    api.call("PATCH", "/v1/integration/cursor-usage/resync-state", json={"status": "completed"})
    api.app.store.close()
    assert main(["catalog", "ls", "--db", db, "--integrations"]) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert header.split()[:3] == ["INTEGRATION", "RESOURCES", "RESYNC"]
    assert row.split()[:3] == ["cursor-usage", "1", "completed"]


@pytest.mark.parametrize("kind", ["/teams/members", "/teams/a+b", "/teams/spend by user", "a+b c%2B/d?e=1"])
def test_kind_examples_and_metrics_decode_the_kind_as_ocean_encodes_it(kind):
    # port-ocean quote_plus-es the kind in these URLs (mixins/integrations.py): '+' is a space, '%2B' a plus.
    from urllib.parse import quote_plus

    api = Api()
    api.call("POST", "/v1/integration", json=INSTALL)
    path = f"/v1/integration/cursor-usage/kinds/{quote_plus(kind)}/examples"
    assert api.call("POST", path, json={"examples": [{"kind": kind}]}).status_code == 200
    assert IntegrationStore(api.app.store).examples("cursor-usage") == {kind: [{"kind": kind}]}
    assert api.call("GET", path).json()["examples"] == [{"kind": kind}]
    metrics = f"/v1/integration/cursor-usage/ingest/metrics/syncMetrics/resync/{quote_plus('e 1')}/kind/{quote_plus(kind)}"
    assert api.call("PUT", metrics, json={"syncKindMetrics": {"n": 1}}).status_code == 200
    assert IntegrationStore(api.app.store).metrics("cursor-usage")[f"resync/e 1/kind/{kind}"] == {"n": 1}


@pytest.mark.parametrize("include, expected", [
    (["blueprint", "identifier"], {"blueprint": "svc", "identifier": "a"}),
    (["identifier", "title", "properties.must", "properties.count", "relations.none"],
     {"identifier": "a", "title": "A", "properties": {"must": "x", "count": 2}}),
    (["identifier", "properties.absent"], {"identifier": "a"}),
])
def test_search_include_takes_property_paths_as_ocean_asks_for_its_resync_diff(include, expected):
    # Ocean's resync compares each batch with Port's answer to this search (sync_raw.py
    # _fetch_entities_batch_from_port); a missing property makes it re-send every entity.
    api = Api()
    assert api.blueprint(BLUEPRINT).status_code == 201
    assert api.call("POST", "/v1/blueprints/svc/entities", params={"upsert": "true"},
                    json={"identifier": "a", "title": "A", "properties": {"must": "x", "count": 2, "flag": True}}
                    ).status_code in (200, 201)
    query = {"combinator": "and", "rules": [{"property": "$identifier", "operator": "in", "value": ["a"]},
                                            {"property": "$blueprint", "operator": "=", "value": "svc"}]}
    found = api.call("POST", "/v1/entities/search", json=query,
                     params={"exclude_calculated_properties": "true", "include": include}).json()["entities"]
    assert found == [expected]
    by_blueprint = api.call("POST", "/v1/blueprints/svc/entities/search",
                            json={"query": query, "include": include}).json()["entities"]
    assert by_blueprint == [expected]
