"""The project file: lossless round trip, Ocean's casing kept, secrets only as references,
and errors that name the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.project.load import load_project, parse_project
from builder.project.yamlio import ProjectError

FIXTURE = Path(__file__).parent / "fixtures" / "project.yaml"
DOC_MAPPINGS = Path(__file__).parents[2].parent / "shared" / "reference" / "port-doc-mappings.yaml"


def test_round_trip_is_lossless(tmp_path):
    project = load_project(FIXTURE)
    saved = project.save(tmp_path / "p.yaml")
    again = load_project(saved)
    assert again.to_dict() == project.to_dict()
    # and saving is stable text-wise from then on
    assert again.dumps() == project.dumps()


def test_views_and_names():
    project = load_project(FIXTURE)
    assert project.resource_names() == ["members", "usage-events", "/teams/filtered-usage-events"]
    members = project.find_resource("members")
    assert members.data_path == ".teamMembers" and members.method == "GET"
    assert members.blueprint_literal == "cursorMember"
    assert members.extra == {"enableDelete": True}
    events = project.find_resource("usage-events")
    assert events.extensions.body == {"startDate": "((now - 86400 * 7) | floor) * 1000"}
    assert events.extensions.pagination["in"] == "body"
    assert project.app_setting("createMissingRelatedEntities") is False
    assert project.app_setting("entityDeletionThreshold") == 0.9
    assert project.port_base_url == "https://api.port.io"


def test_ocean_view_strips_builder_extensions_and_keeps_casing():
    project = load_project(FIXTURE)
    app = project.app_config_dict()
    assert "x-builder" not in str(app)
    events = app["resources"][1]
    assert list(events["selector"]) == ["query", "method", "body", "data_path"]
    assert events["port"]["itemsToParse"] == ".x"
    assert app["createMissingRelatedEntities"] is False


def test_resolve_env_references():
    project = load_project(FIXTURE)
    config = project.resolved_config(env={"CURSOR_API_KEY": "k1"})
    assert config["username"] == "k1" and config["baseUrl"] == "https://api.cursor.com"
    assert project.resolved_config(env={}, overrides={"CURSOR_API_KEY": "typed"})["username"] == "typed"
    assert project.env_refs() == {"username": "CURSOR_API_KEY", "port.clientId": "PORT_CLIENT_ID",
                                  "port.clientSecret": "PORT_CLIENT_SECRET"}


def test_literal_secret_is_never_written(tmp_path):
    project = load_project(FIXTURE)
    project.config["apiToken"] = "crsr_0123456789abcdef"
    with pytest.raises(ProjectError, match="literal secret"):
        project.save(tmp_path / "p.yaml")
    assert not (tmp_path / "p.yaml").exists()


def test_bare_port_app_config_is_accepted():
    project = load_project(DOC_MAPPINGS)
    assert project.bare_app_config
    assert [r.kind for r in project.resources][:2] == ["/teams/daily-usage-data", "/teams/filtered-usage-events"]
    assert project.find_resource("/teams/daily-usage-data").selector["method"] == "POST"


BROKEN = [
    ("version: 1\nportAppConfig:\n  resources:\n  - kind: /x\n    port: {}\n", 4,
     "portAppConfig.resources[0].selector", "selector.query is required"),
    ("version: 1\nportAppConfig:\n  resources:\n  - selector: {query: 'true'}\n", 4,
     "portAppConfig.resources[0].kind", "required"),
    ("version: 1\nportAppConfig:\n  resources:\n  - kind: /x\n    selector: {query: 'true'}\n"
     "    port:\n      entity:\n        mappings:\n          identifier: .id\n", 8,
     "portAppConfig.resources[0].port.entity.mappings", "mappings.blueprint is required"),
    ("version: 1\nintegration:\n  config:\n    apiToken: abc123\n", 4, "integration.config.apiToken",
     "never stored"),
    ("version: 1\nportAppConfig:\n  entityDeletionThreshold: 2\n", 3, "portAppConfig.entityDeletionThreshold",
     "between 0 and 1"),
    ("version: 1\nportAppConfig:\n  resources: {}\n", 3, "portAppConfig.resources", "expected a list"),
    ("version: 1\nportAppConfig:\n  resources:\n  - kind: /x\n     selector: [\n", 5, None, "invalid YAML"),
    ("- just\n- a list\n", 1, None, "expected a mapping"),
    ("", None, None, "empty"),
    ("version: 7\n", 1, "version", "unsupported project version"),
    ("version: 1\nblueprints: {}\n", 2, "blueprints", "expected a list of Port blueprints"),
    ("version: 1\nblueprints:\n- title: x\n", 3, "blueprints[0]", "each blueprint needs a string identifier"),
    ("version: 1\ndashboards: 3\n", 2, "dashboards", "expected a list of Port pages (dashboards)"),
    ("version: 1\ndashboards:\n- identifier: 2\n", 3, "dashboards[0]", "each dashboard needs a string identifier"),
]


@pytest.mark.parametrize("text, line, key, message", BROKEN)
def test_errors_name_file_line_and_key(text, line, key, message):
    with pytest.raises(ProjectError) as caught:
        parse_project(text, "proj.yaml")
    error = caught.value
    assert message in error.message
    assert error.file == "proj.yaml"
    if line is not None:
        assert error.line == line
    if key is not None:
        assert error.key == key
    assert str(error).startswith("proj.yaml")


def test_two_unnamed_resources_on_one_kind_get_distinct_names():
    text = ("version: 1\nportAppConfig:\n  resources:\n"
            + "  - kind: /x\n    selector: {query: 'true'}\n    port: {entity: {mappings: {identifier: .a, blueprint: '\"b\"'}}}\n" * 2)
    assert parse_project(text).resource_names() == ["/x", "/x#2"]


def test_missing_file_is_a_user_error(tmp_path):
    with pytest.raises(ProjectError, match="file not found"):
        load_project(tmp_path / "nope.yaml")


def test_find_resource_errors_list_the_names():
    project = load_project(FIXTURE)
    project.resources[2].extensions.name = "chargeable"
    with pytest.raises(ProjectError, match="used by 2 resources"):
        project.find_resource("/teams/filtered-usage-events")
    with pytest.raises(ProjectError, match="members, usage-events"):
        project.find_resource("nope")
