"""The rehearsal's comparison and environment, without running Ocean (tables)."""

from __future__ import annotations

import json

import pytest

from builder.port.catalog import LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET
from builder.project.presets import load_preset
from builder.ship.rehearse import (deployed_project, docker_rehearsal, installations, ocean_environment,
                                   rehearsal_secrets)
from builder.ship.rehearse_progress import RehearsalError
from builder.ship.rehearse_report import Call, first_difference, sent_entities, template
from builder.simulator import DEMO_API_KEY


@pytest.mark.parametrize("path, expected", [
    ("/v1/integration/cursor-usage", "/v1/integration/{id}"),
    ("/v1/integration/provision-enabled", "/v1/integration/provision-enabled"),
    ("/v1/integration/cursor-usage/resync-state", "/v1/integration/{id}/resync-state"),
    ("/v1/integration/cursor-usage/kinds/%2Fteams%2Fmembers/examples", "/v1/integration/{id}/kinds/{kind}/examples"),
    ("/v1/integration/c/ingest/metrics/syncMetrics/resync/e/kind/k",
     "/v1/integration/{id}/ingest/metrics/syncMetrics/resync/{event}/kind/{kind}"),
    ("/v1/blueprints/cursor_member/entities/bulk", "/v1/blueprints/{bp}/entities/bulk"),
    ("/v1/blueprints/cursor_member", "/v1/blueprints/{bp}"),
    ("/v1/blueprints/entities/datasource-entities", "/v1/blueprints/entities/datasource-entities"),
    ("/v1/entities/search", "/v1/entities/search"),
])
def test_port_calls_are_counted_per_endpoint(path, expected):
    assert template(path) == expected


@pytest.mark.parametrize("expected, actual, found", [
    ({"a": 1, "b": {"c": 2}}, {"a": 1, "b": {"c": 2}}, None),
    ({"a": 1}, {"a": 2}, ".a: 2 instead of 1"),
    ({"a": 1, "b": 2}, {"b": 2, "a": 1}, ".: key order ['b', 'a'] instead of ['a', 'b']"),
    ({"a": {"c": 1}}, {"a": {}}, ".a.c: missing"),
    ({"a": 1}, {"a": 1, "z": None}, ".z: unexpected (null)"),
    ({"a": 1}, {"a": 1.0}, ".a: 1.0 instead of 1"),
])
def test_first_difference_includes_key_order_and_number_spelling(expected, actual, found):
    assert first_difference(expected, actual) == found


def test_sent_entities_keeps_the_last_payload_and_the_per_entity_errors():
    calls = [Call("POST", "/v1/blueprints/bp/entities/bulk", 207,
                  {"entities": [{"identifier": "a", "blueprint": "bp", "title": "1"}, {"identifier": "b"}]},
                  {"errors": [{"identifier": "b", "message": "bad"}]}),
             Call("POST", "/v1/blueprints/bp/entities", 201, {"identifier": "a", "blueprint": "bp", "title": "2"}),
             Call("POST", "/v1/blueprints/bp/entities/bulk", 413, {"entities": []}, {"message": "too big"})]
    sent, errors = sent_entities(calls)
    assert sent[("bp", "a")]["title"] == "2"
    assert errors == ["bp/b: bad", "POST /v1/blueprints/bp/entities/bulk: 413 too big"]


def test_ocean_gets_the_exported_environment_pointed_at_the_rehearsal():
    project = installations(load_preset("cursor"))[0][1]
    secrets = rehearsal_secrets(project, demo_key=DEMO_API_KEY, env={})
    assert secrets["PORT_CLIENT_ID"] == LOCAL_CLIENT_ID and secrets["PORT_CLIENT_SECRET"] == LOCAL_CLIENT_SECRET
    env = ocean_environment(project, port_url="http://127.0.0.1:1", api_url="http://127.0.0.1:2", secrets=secrets)
    assert env["OCEAN__PORT__BASE_URL"] == "http://127.0.0.1:1"
    assert env["OCEAN__INTEGRATION__CONFIG__BASE_URL"] == "http://127.0.0.1:2"
    assert json.loads(env["OCEAN__EVENT_LISTENER"]) == {"type": "ONCE"}
    assert env["OCEAN__INTEGRATION__CONFIG__AUTH_TYPE"] == "api_key"
    assert env["OCEAN__INTEGRATION__CONFIG__API_KEY"].startswith("Basic ")
    assert env["OCEAN__PROCESSING_MODE"] == "ocean-core"
    # The preview fetches with the very settings Ocean got.
    assert deployed_project(project, secrets).config["apiKey"] == env["OCEAN__INTEGRATION__CONFIG__API_KEY"]


def test_a_live_rehearsal_needs_the_key_in_the_environment():
    project = load_preset("cursor")
    with pytest.raises(RehearsalError, match="CURSOR_API_KEY is not set"):
        rehearsal_secrets(project, demo_key=None, env={})


def test_the_docker_command_points_at_the_local_catalog_with_host_networking():
    project = installations(load_preset("cursor"))[0][1]
    text = docker_rehearsal(project, port_url="http://127.0.0.1:8766", api_url="http://127.0.0.1:8765")
    assert "docker run -i --rm --network host" in text
    assert "-e OCEAN__PORT__BASE_URL=http://127.0.0.1:8766 \\" in text
    assert "-e OCEAN__INTEGRATION__CONFIG__BASE_URL=http://127.0.0.1:8765 \\" in text
    assert f"-e OCEAN__PORT__CLIENT_SECRET={LOCAL_CLIENT_SECRET} \\" in text
    assert "\"$CURSOR_API_KEY\"" in text and DEMO_API_KEY not in text  # the API key stays a reference
