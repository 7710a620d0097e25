"""Exports: golden text, chart value keys, env var names, secrets, pagination names, blueprint order."""

from __future__ import annotations

import base64
import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from builder.ship.export import creation_order, docker_env, export_all, export_format
from builder.ship.export.settings import SPEC, config_env_name, deployment, snake_upper
from builder.project.load import parse_project
from builder.project.yamlio import ProjectError, dump
from export_helpers import FIXTURES, HERE, fixture_project, preset_project

GOLDEN = HERE / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

SECRETS = {
    "CURSOR_API_KEY": "crsr_" + "7f3a9c1e5b2d4f60" * 4,
    "CURSOR_BASIC_AUTH": "Basic Y3Jzcl83ZjNhOWMxZTViMmQ0ZjYwN2YzYTljMWU1YjJkNGY2MDo=",
    "PORT_CLIENT_ID": "Xq7pL2mN9vB4cR8tY1wZ6kJ3hF5gD0sA",
    "PORT_CLIENT_SECRET": "pS3cr3t-9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f",
}

# Ocean core env vars the image reads besides the integration settings (ocean-port.md §5).
CORE_ENV = {"OCEAN__PORT__CLIENT_ID", "OCEAN__PORT__CLIENT_SECRET", "OCEAN__PORT__BASE_URL", "OCEAN__EVENT_LISTENER",
            "OCEAN__INTEGRATION__IDENTIFIER", "OCEAN__INTEGRATION__TYPE", "OCEAN__INITIALIZE_PORT_RESOURCES",
            "OCEAN__SCHEDULED_RESYNC_INTERVAL", "OCEAN__SEND_RAW_DATA_EXAMPLES", "OCEAN__CLIENT_TIMEOUT",
            "OCEAN__ALLOW_ENVIRONMENT_VARIABLES_JQ_ACCESS", "OCEAN__PROCESSING_MODE"}


def tsv_settings() -> list[dict[str, Any]]:
    """Ocean Custom's spec as Ocean's config factory takes it, read from the reference TSV."""
    out = []
    for line in (FIXTURES / "ocean-custom-settings.tsv").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, typ, required, default, sensitive = (line.split("\t") + [""] * 5)[:5]
        item: dict[str, Any] = {"name": name, "type": typ, "required": required == "True",
                                "sensitive": sensitive == "True"}
        if default:
            item["default"] = (default == "True") if typ == "boolean" else default
        out.append(item)
    return out


def chart_keys() -> list[str]:
    return [line.strip() for line in (FIXTURES / "port-ocean-chart-value-keys.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")]


def projects() -> list[tuple[str, Any]]:
    out = [("fixture", fixture_project())]
    preset = preset_project()
    if preset is not None:
        out.append(("preset", preset))
    return out


def make(config: dict[str, Any] | None = None, integration: dict[str, Any] | None = None,
         blueprints: list[dict[str, Any]] | None = None, resources: list[dict[str, Any]] | None = None):
    data = {"version": 1,
            "integration": {"identifier": "t", "eventListener": {"type": "POLLING"}, **(integration or {}),
                            "config": {"baseUrl": "https://api.cursor.com", **(config or {})}},
            "port": {"clientId": "${PORT_CLIENT_ID}", "clientSecret": "${PORT_CLIENT_SECRET}"},
            "portAppConfig": {"resources": resources or []},
            "blueprints": blueprints or []}
    return parse_project(dump(data), "test.yaml")


# -- golden files --------------------------------------------------------------------------------

def golden_cases() -> list[Any]:
    # Every file, the per-installation values and mappings of a multi-installation plan included.
    return [pytest.param(name, project, file, id=f"{name}-{file}")
            for name, project in projects() for file in export_all(project, env={})]


@pytest.mark.parametrize("name,project,file", golden_cases())
def test_export_matches_golden(name: str, project: Any, file: str) -> None:
    text = export_all(project, env={})[file]
    path = GOLDEN / name / file
    if UPDATE or not path.exists():
        if not UPDATE and os.environ.get("CI"):
            pytest.fail(f"missing golden file {path}; run with UPDATE_GOLDEN=1")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{path} differs; UPDATE_GOLDEN=1 regenerates it"


def test_export_is_deterministic_and_ignores_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    first = export_all(fixture_project(), env={})
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    assert export_all(fixture_project()) == first


# -- what Ocean and the chart really read --------------------------------------------------------

def test_spec_table_is_oceans_spec() -> None:
    rows = tsv_settings()
    assert [r["name"] for r in rows] == list(SPEC)
    for row in rows:
        spec = SPEC[row["name"]]
        assert (spec.type, spec.required, spec.sensitive) == (row["type"], row["required"], row["sensitive"])
        assert spec.default == row.get("default"), row["name"]


@pytest.mark.parametrize("key,env", [("baseUrl", "OCEAN__INTEGRATION__CONFIG__BASE_URL"),
                                     ("apiKeyHeader", "OCEAN__INTEGRATION__CONFIG__API_KEY_HEADER"),
                                     ("verifySsl", "OCEAN__INTEGRATION__CONFIG__VERIFY_SSL"),
                                     ("customAuthRequestTemplate",
                                      "OCEAN__INTEGRATION__CONFIG__CUSTOM_AUTH_REQUEST_TEMPLATE")])
def test_env_names_are_helms_snakecase_upper(key: str, env: str) -> None:
    assert config_env_name(key) == env


def helm_set_keys(text: str) -> list[str]:
    return re.findall(r"--set(?:-string|-json|-file)? ([^=\s]+)=", text)


def flatten(data: Any, prefix: str = "") -> list[str]:
    if isinstance(data, dict) and data:
        return [k for key, value in data.items() for k in flatten(value, f"{prefix}.{key}" if prefix else str(key))]
    if isinstance(data, list) and data:
        return [k for i, value in enumerate(data) for k in flatten(value, f"{prefix}[{i}]")]
    return [prefix]


def chart_accepts(key: str, keys: list[str]) -> bool:
    # Exact leaf, or inside a map/list value of the chart (integration.config.*, extraEnv[0].name, ...).
    return key in keys or any(key.startswith(k + ".") or key.startswith(k + "[") for k in keys)


@pytest.mark.parametrize("name,project", projects())
def test_every_helm_key_is_a_chart_value(name: str, project: Any) -> None:
    keys = chart_keys()
    exports = export_all(project, env={})
    used = helm_set_keys(exports["helm-install.sh"]) + helm_set_keys(exports["values.yaml"])
    used += flatten(yaml.safe_load(exports["values.yaml"]))
    assert used
    assert [k for k in used if not chart_accepts(k, keys)] == []


@pytest.mark.parametrize("name,project", projects())
def test_every_docker_env_var_is_read_by_ocean(name: str, project: Any) -> None:
    allowed = CORE_ENV | {"OCEAN__INTEGRATION__CONFIG__" + snake_upper(r["name"]) for r in tsv_settings()}
    text = export_all(project, env={})["docker-run.sh"]
    names = re.findall(r"-e ([A-Z0-9_]+)=", text)
    assert names and set(names) <= allowed
    assert "__SECRETS__" not in text and "AUTH_VALUE" not in text


def test_helm_secrets_go_to_integration_secrets_and_docker_to_config_names() -> None:
    exports = export_all(fixture_project(), env={})
    assert '--set-string integration.secrets.apiKey="$CURSOR_BASIC_AUTH"' in exports["helm-install.sh"]
    assert '-e OCEAN__INTEGRATION__CONFIG__API_KEY="$CURSOR_BASIC_AUTH"' in exports["docker-run.sh"]
    assert '--set port.clientSecret="$PORT_CLIENT_SECRET"' in exports["helm-install.sh"]
    values = yaml.safe_load(exports["values.yaml"])
    assert "secrets" not in values["integration"] and "clientSecret" not in values["port"]


def test_numeric_settings_are_strings() -> None:
    project = make({"pageSize": 500, "maxConcurrentRequests": 3, "startPage": 0, "paginationType": "page",
                    "paginationParam": "page", "sizeParam": "pageSize"})
    values = yaml.safe_load(export_format(project, "values", env={}))
    config = values["integration"]["config"]
    assert config["pageSize"] == "500" and config["maxConcurrentRequests"] == "3" and config["startPage"] == "0"
    helm = export_format(project, "helm", env={})
    assert "--set-string integration.config.pageSize=500" in helm


def test_only_non_default_settings_are_exported() -> None:
    project = make({"authType": "none", "pageSize": "100", "verifySsl": True, "apiKeyHeader": "X-API-Key",
                    "maxConcurrentRequests": 10, "timeout": "30", "startPage": 1})
    keys = [s.key for s in deployment(project).settings]
    assert keys == ["baseUrl"]
    project = make({"verifySsl": False, "timeout": "45"})
    assert {s.key: s.value for s in deployment(project).settings} == {"baseUrl": "https://api.cursor.com",
                                                                      "timeout": "45", "verifySsl": False}


@pytest.mark.parametrize("config,expected", [
    ({"paginationType": "page"}, {"paginationParam": "page", "sizeParam": "size"}),
    ({"paginationType": "offset"}, {"paginationParam": "offset", "sizeParam": "limit"}),
    ({"paginationType": "cursor", "cursorPath": "meta.next", "hasMorePath": "meta.more"},
     {"paginationParam": "cursor", "sizeParam": "limit", "cursorPath": "meta.next", "hasMorePath": "meta.more"}),
    ({"paginationType": "page", "paginationParam": "p", "sizeParam": "pageSize",
      "hasMorePath": "pagination.hasNextPage"},
     {"paginationParam": "p", "sizeParam": "pageSize", "hasMorePath": "pagination.hasNextPage"}),
    ({"paginationType": "none"}, {}),
    ({"paginationType": "next_link"}, {}),
])
def test_pagination_names_are_always_spelled_out(config: dict[str, Any], expected: dict[str, str]) -> None:
    project = make(config)
    values = yaml.safe_load(export_format(project, "values", env={}))["integration"]["config"]
    env = {name: value for name, value, _ in docker_env(project, env={})}
    for key in ("paginationParam", "sizeParam", "cursorPath", "hasMorePath"):
        assert values.get(key) == expected.get(key), key
        assert env.get(config_env_name(key)) == expected.get(key), key


def test_pagination_names_come_from_the_resources_builder_pagination_when_they_agree() -> None:
    def resource(name: str, **pagination: str) -> dict[str, Any]:
        return {"kind": f"/{name}", "selector": {"query": "true"},
                "x-builder": {"name": name, "pagination": pagination},
                "port": {"entity": {"mappings": {"identifier": ".id", "blueprint": '"b"'}}}}

    agree = [resource("a", type="page", pageParam="page", sizeParam="pageSize", hasMorePath="pagination.hasNextPage"),
             resource("b", type="page", pageParam="page", sizeParam="pageSize", hasMorePath="pagination.hasNextPage"),
             resource("c", type="page", **{"in": "body"}, pageParam="p", sizeParam="n")]  # body: no hint
    settings = {s.key: s.value for s in deployment(make({"paginationType": "page"}, resources=agree)).settings}
    assert settings["paginationParam"] == "page" and settings["sizeParam"] == "pageSize"
    assert settings["hasMorePath"] == "pagination.hasNextPage"
    differ = [resource("a", type="page", hasMorePath="x"), resource("b", type="page", hasMorePath="y")]
    settings = {s.key: s.value for s in deployment(make({"paginationType": "page"}, resources=differ)).settings}
    assert "hasMorePath" not in settings and settings["paginationParam"] == "page"


def test_send_raw_data_examples_false_goes_through_extra_env() -> None:
    project = make(integration={"sendRawDataExamples": False, "clientTimeout": 90, "initializePortResources": False})
    helm = export_format(project, "helm", env={})
    values = yaml.safe_load(export_format(project, "values", env={}))
    assert "sendRawDataExamples" not in values and "sendRawDataExamples" not in helm
    assert values["extraEnv"] == [{"name": "OCEAN__PROCESSING_MODE", "value": "ocean-core"},
                                  {"name": "OCEAN__SEND_RAW_DATA_EXAMPLES", "value": "false"}]
    assert "--set extraEnv[1].name=OCEAN__SEND_RAW_DATA_EXAMPLES" in helm
    assert values["clientTimeout"] == 90 and values["initializePortResources"] is False
    env = {name: value for name, value, _ in docker_env(project, env={})}
    assert env["OCEAN__SEND_RAW_DATA_EXAMPLES"] == "false" and env["OCEAN__CLIENT_TIMEOUT"] == "90"


def test_settings_ocean_ignores_are_left_out_with_a_note() -> None:
    project = make({"customHeaders": {"X-A": "1"}, "authValue": "x"})
    docker = export_format(project, "docker", env={})
    assert "CUSTOM_HEADERS" not in docker and "AUTH_VALUE" not in docker
    assert "integration.config.customHeaders is not exported" in docker


def test_object_settings_are_json() -> None:
    project = make({"authType": "custom", "customAuthRequest": {"endpoint": "/oauth/token", "method": "POST"}})
    env = {name: value for name, value, _ in docker_env(project, env={})}
    assert json.loads(env["OCEAN__INTEGRATION__CONFIG__CUSTOM_AUTH_REQUEST"]) == {"endpoint": "/oauth/token",
                                                                                "method": "POST"}
    assert "--set-json integration.config.customAuthRequest=" in export_format(project, "helm", env={})


def test_x_builder_never_reaches_the_mapping_yaml(project: Any) -> None:
    text = export_format(project, "yaml", env={})
    assert "x-builder" not in text and "$now" not in text
    assert yaml.safe_load(text) == project.app_config_dict()


# -- secrets --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,project", projects())
def test_secrets_in_the_environment_never_reach_an_export(monkeypatch: pytest.MonkeyPatch, name: str,
                                                           project: Any) -> None:
    for var, value in SECRETS.items():
        monkeypatch.setenv(var, value)
    blob = "\n".join(export_all(project).values())
    for value in SECRETS.values():
        assert value not in blob


def test_reveal_writes_the_real_values(monkeypatch: pytest.MonkeyPatch) -> None:
    for var, value in SECRETS.items():
        monkeypatch.setenv(var, value)
    files = export_all(fixture_project(), reveal_secrets=True)
    for file in ("helm-install.sh", "values.yaml", "docker-run.sh"):
        assert SECRETS["CURSOR_BASIC_AUTH"] in files[file] or shlex.quote(SECRETS["CURSOR_BASIC_AUTH"]) in files[file]
        assert SECRETS["PORT_CLIENT_SECRET"] in files[file]
    assert SECRETS["CURSOR_BASIC_AUTH"] not in files["port-app-config.yaml"] + files["blueprints.json"]
    values = yaml.safe_load(files["values.yaml"])
    assert values["integration"]["secrets"]["apiKey"] == SECRETS["CURSOR_BASIC_AUTH"]


def test_reveal_without_the_variable_is_a_user_error() -> None:
    with pytest.raises(ProjectError, match=r"\$CURSOR_BASIC_AUTH is not set"):
        export_all(fixture_project(), reveal_secrets=True, env={"PORT_CLIENT_ID": "a", "PORT_CLIENT_SECRET": "b"})


# -- Basic auth with an empty password (Cursor's key as the username) ----------------------------

BASIC_EMPTY = {"authType": "basic", "username": "${CURSOR_API_KEY}", "password": ""}
BASIC_NOTE = "Ocean's basic auth sends no credentials unless username AND password are both non-empty"


def basic_header(username: str) -> str:
    # Written out here rather than imported: the test states what HTTP Basic sends for `username:`.
    return "Basic " + base64.b64encode(f"{username}:".encode()).decode()


def run_with_stub(tmp_path: Path, tool: str, script_text: str, env: dict[str, str]) -> list[str]:
    """Run a generated script with `tool` replaced by a stub that prints each argument on a line."""
    stub = tmp_path / tool
    stub.write_text("#!/usr/bin/env bash\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n")
    stub.chmod(0o755)
    script = tmp_path / f"{tool}-run.sh"
    script.write_text(script_text)
    done = subprocess.run(["bash", str(script)], env={"PATH": f"{tmp_path}:{os.environ['PATH']}", **env},
                          capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


@pytest.mark.parametrize("password", [{"password": ""}, {}], ids=["empty", "missing"])
def test_basic_with_an_empty_password_is_deployed_as_the_basic_header(password: dict[str, str]) -> None:
    config = {"authType": "basic", "username": "${CURSOR_API_KEY}", **password}
    dep = deployment(make(config))
    settings = {s.key: s for s in dep.settings}
    assert set(settings) == {"baseUrl", "authType", "apiKey", "apiKeyHeader"}
    assert (settings["authType"].value, settings["apiKeyHeader"].value) == ("api_key", "Authorization")
    key = settings["apiKey"]
    assert (key.value, key.env, key.secret, key.basic_header) == (None, "CURSOR_API_KEY", True, True)
    assert dep.env_vars_needed() == ["PORT_CLIENT_ID", "PORT_CLIENT_SECRET", "CURSOR_API_KEY"]
    files = export_all(make(config), env={})
    header = "\"Basic $(printf '%s:' \"$CURSOR_API_KEY\" | base64 | tr -d '\\n')\""
    assert f"--set-string integration.secrets.apiKey={header}" in files["helm-install.sh"]
    assert f"-e OCEAN__INTEGRATION__CONFIG__API_KEY={header}" in files["docker-run.sh"]
    assert f"#     --set-string integration.secrets.apiKey={header}" in files["values.yaml"]
    values = yaml.safe_load(files["values.yaml"])["integration"]
    assert values["config"] == {"baseUrl": "https://api.cursor.com", "authType": "api_key",
                                "apiKeyHeader": "Authorization"}
    assert "secrets" not in values
    for name in ("helm-install.sh", "values.yaml", "docker-run.sh", "README.md"):
        text = files[name]
        assert BASIC_NOTE in text and "exactly what Basic auth sends" in text, name
        for leftover in ("username=", "username:", "password=", "password:", "USERNAME", "PASSWORD"):
            assert leftover not in text, (name, leftover)


@pytest.mark.parametrize("config", [
    {"authType": "basic", "username": "${K}", "password": "${P}"},  # a password from the environment
    {"authType": "basic", "password": ""},  # no username: there is no header to compute
    {"authType": "api_key", "username": "${K}"},
])
def test_other_auth_setups_are_exported_as_written(config: dict[str, str]) -> None:
    settings = {s.key: s for s in deployment(make(config)).settings}
    assert settings["authType"].value == config["authType"]
    assert not any(s.basic_header for s in settings.values())
    assert ("username" in settings) == ("username" in config)
    assert BASIC_NOTE not in export_format(make(config), "docker", env={})


def test_a_literal_username_gets_its_basic_header_written() -> None:
    project = make({"authType": "basic", "username": "alice", "password": ""})
    env = {name: value for name, value, _ in docker_env(project, env={})}
    assert env["OCEAN__INTEGRATION__CONFIG__API_KEY"] == basic_header("alice") == "Basic YWxpY2U6"
    assert env["OCEAN__INTEGRATION__CONFIG__AUTH_TYPE"] == "api_key"
    assert env["OCEAN__INTEGRATION__CONFIG__API_KEY_HEADER"] == "Authorization"
    assert "OCEAN__INTEGRATION__CONFIG__USERNAME" not in env
    values = yaml.safe_load(export_format(project, "values", env={}))
    assert values["integration"]["secrets"] == {"apiKey": "Basic YWxpY2U6"}
    assert "--set-string integration.secrets.apiKey='Basic YWxpY2U6'" in export_format(project, "helm", env={})


def test_the_basic_header_is_computed_by_the_shell_not_written(monkeypatch: pytest.MonkeyPatch) -> None:
    for var, value in SECRETS.items():
        monkeypatch.setenv(var, value)
    key = SECRETS["CURSOR_API_KEY"]
    blob = "\n".join(export_all(make(BASIC_EMPTY)).values())
    encoded = basic_header(key)[len("Basic "):]
    for leaked in (key, encoded, encoded[:40], key[:20]):
        assert leaked not in blob


def test_reveal_writes_the_computed_basic_header(monkeypatch: pytest.MonkeyPatch) -> None:
    for var, value in SECRETS.items():
        monkeypatch.setenv(var, value)
    header = basic_header(SECRETS["CURSOR_API_KEY"])
    files = export_all(make(BASIC_EMPTY), reveal_secrets=True)
    assert f"--set-string integration.secrets.apiKey={shlex.quote(header)}" in files["helm-install.sh"]
    assert f"-e OCEAN__INTEGRATION__CONFIG__API_KEY={shlex.quote(header)}" in files["docker-run.sh"]
    assert yaml.safe_load(files["values.yaml"])["integration"]["secrets"] == {"apiKey": header}
    assert SECRETS["CURSOR_API_KEY"] not in "\n".join(files.values())  # only its Basic encoding
    with pytest.raises(ProjectError, match=r"\$CURSOR_API_KEY is not set"):
        export_all(make(BASIC_EMPTY), reveal_secrets=True, env={"PORT_CLIENT_ID": "a", "PORT_CLIENT_SECRET": "b"})


# Cursor's real key shape (its Basic header wraps in GNU base64's 76 columns) and printf/shell specials.
HEADER_KEYS = [SECRETS["CURSOR_API_KEY"], "key_%s_with spaces & 'quotes' \"and\" $dollars\\n"]


@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("base64") is None, reason="bash/base64 missing")
@pytest.mark.parametrize("key", HEADER_KEYS, ids=["cursor-key", "specials"])
def test_docker_script_computes_the_basic_header(tmp_path: Path, key: str) -> None:
    assert len(basic_header(SECRETS["CURSOR_API_KEY"])) > 76 + len("Basic ")
    env = {**SECRETS, "CURSOR_API_KEY": key}
    args = run_with_stub(tmp_path, "docker", export_format(make(BASIC_EMPTY), "docker", env={}), env)
    assert f"OCEAN__INTEGRATION__CONFIG__API_KEY={basic_header(key)}" in args
    assert "OCEAN__INTEGRATION__CONFIG__AUTH_TYPE=api_key" in args
    assert "OCEAN__INTEGRATION__CONFIG__API_KEY_HEADER=Authorization" in args
    assert not [a for a in args if "USERNAME" in a or "PASSWORD" in a]


@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("base64") is None, reason="bash/base64 missing")
@pytest.mark.parametrize("key", HEADER_KEYS, ids=["cursor-key", "specials"])
def test_helm_script_computes_the_basic_header(tmp_path: Path, key: str) -> None:
    env = {**SECRETS, "CURSOR_API_KEY": key}
    files = export_all(make(BASIC_EMPTY), env={})
    args = run_with_stub(tmp_path, "helm", files["helm-install.sh"], env)
    assert f"integration.secrets.apiKey={basic_header(key)}" in args
    assert "integration.config.authType=api_key" in args
    assert "integration.config.apiKeyHeader=Authorization" in args
    # values.yaml's header holds the install command to run with it: it computes the same value.
    command = "\n".join(line[len("#   "):] for line in files["values.yaml"].splitlines() if line.startswith("#   "))
    args = run_with_stub(tmp_path, "helm", "set -euo pipefail\n" + command + "\n", env)
    assert f"integration.secrets.apiKey={basic_header(key)}" in args and "values.yaml" in args


# -- blueprints -----------------------------------------------------------------------------------

def bp(identifier: str, *targets: str) -> dict[str, Any]:
    return {"identifier": identifier, "title": identifier, "schema": {"properties": {}},
            "relations": {f"r{i}": {"target": t, "many": False, "required": False} for i, t in enumerate(targets)}}


@pytest.mark.parametrize("blueprints,order,external,cycles", [
    ([bp("a"), bp("b")], ["a", "b"], {}, []),
    ([bp("event", "member"), bp("member", "_user")], ["member", "event"], {"_user": ["member"]}, []),
    ([bp("c", "b"), bp("b", "a"), bp("a")], ["a", "b", "c"], {}, []),
    ([bp("x", "x")], ["x"], {}, []),
    ([bp("x", "y"), bp("y", "x"), bp("z")], ["z", "x", "y"], {}, ["x", "y"]),
    ([bp("e", "team", "_team")], ["e"], {"team": ["e"], "_team": ["e"]}, []),
])
def test_blueprints_in_creation_order(blueprints, order, external, cycles) -> None:
    result = creation_order(blueprints)
    assert [b["identifier"] for b in result.blueprints] == order
    assert result.external_targets == external
    assert result.cycles == cycles


def test_fixture_blueprints_json_puts_targets_first() -> None:
    data = json.loads(export_format(fixture_project(), "blueprints", env={}))
    ids = [b["identifier"] for b in data]
    assert ids.index("cursorMember") < ids.index("cursorDailyUsage")
    assert ids.index("cursorMember") < ids.index("cursorUsageEvent")


# -- the scripts are valid shell ------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("bash") is None, reason="bash not installed")
@pytest.mark.parametrize("file", ["helm-install.sh", "docker-run.sh"])
def test_scripts_parse_as_bash(tmp_path: Path, file: str) -> None:
    script = tmp_path / file
    script.write_text(export_all(fixture_project(), env={})[file])
    subprocess.run(["bash", "-n", str(script)], check=True)


def test_docker_script_expands_to_the_expected_environment(tmp_path: Path) -> None:
    """Run the real script with `docker` replaced by a stub that prints its -e arguments."""
    if shutil.which("bash") is None:
        pytest.skip("bash not installed")
    stub = tmp_path / "docker"
    stub.write_text("#!/usr/bin/env bash\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n")
    stub.chmod(0o755)
    script = tmp_path / "run.sh"
    script.write_text(export_all(fixture_project(), env={})["docker-run.sh"])
    env = {"PATH": f"{tmp_path}:{os.environ['PATH']}", **SECRETS}
    out = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, check=True).stdout
    assert f"OCEAN__INTEGRATION__CONFIG__API_KEY={SECRETS['CURSOR_BASIC_AUTH']}" in out.splitlines()
    assert 'OCEAN__EVENT_LISTENER={"type":"POLLING"}' in out.splitlines()
    missing = subprocess.run(["bash", str(script)], env={"PATH": env["PATH"]}, capture_output=True, text=True)
    assert missing.returncode != 0 and "export PORT_CLIENT_ID first" in missing.stderr


@pytest.mark.parametrize("command", ["docker", "helm"])
def test_a_project_without_installations_exports_one_deployment(command: str) -> None:
    """No resource: the plan still has the one base installation (so helm/docker's ``[None]`` stand-in,
    which mypy flagged in issue #12, is never used), one deployment and no installation comment."""
    from builder.ship.deploy_plan import plan_deployment
    from builder.ship.export.docker import docker_command
    from builder.ship.export.helm import helm_command

    project = make(config={"authType": "none"})
    assert [i.resources for i in plan_deployment(project).installations] == [[]]
    text = (docker_command if command == "docker" else helm_command)(project)
    starts = "docker run" if command == "docker" else "helm upgrade --install"
    assert sum(line.startswith(starts) for line in text.splitlines()) == 1
    assert "# Installation" not in text
