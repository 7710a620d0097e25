"""Differential checks of the exports against port-ocean 0.56.2 itself (the oracle venv).

* the port-app-config YAML parses with Ocean's own PortAppConfig / ResourceConfig (pydantic v1) and
  a Selector subclass with Ocean Custom's keys, and Ocean reads back what the project says;
* the Docker env, and the env the Helm chart renders from values.yaml, build Ocean's
  IntegrationConfiguration with Ocean Custom's spec model: every exported setting lands in the
  field the integration code reads.

The oracle python is $ORACLE_PYTHON, .oracle-venv/bin/python or /tmp/oracle/bin/python.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from builder.ship.export import docker_env, export_all, export_format, installation_projects
from builder.ship.export.settings import config_env_name, deployment, resolve
from export_helpers import HERE, fixture_project, oracle_python, preset_project
from test_export_files import BASIC_EMPTY, SECRETS, basic_header, make, tsv_settings

PYTHON = oracle_python()
pytestmark = [pytest.mark.oracle,
              pytest.mark.skipif(PYTHON is None, reason="no port-ocean oracle venv (scripts/setup-oracle.sh, or set "
                                                        "ORACLE_PYTHON)")]


def ocean(request: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    # Ocean takes the integration type from ./pyproject.toml, as in the port-ocean-custom image.
    (tmp_path / "pyproject.toml").write_text('[tool.poetry]\nname = "custom"\nversion = "0.6.108"\n')
    request = {**request, "spec": tsv_settings(), "cwd": str(tmp_path)}
    done = subprocess.run([PYTHON, str(HERE / "ocean_check.py")], input=json.dumps(request), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def decamelize(key: str) -> str:
    return config_env_name(key)[len("OCEAN__INTEGRATION__CONFIG__"):].lower()


def projects() -> list[Any]:
    out = [pytest.param(fixture_project(), id="fixture"),
           pytest.param(make({"authType": "basic", "username": "${CURSOR_API_KEY}", "password": "${CURSOR_PW}",
                              "paginationType": "cursor", "pageSize": 250, "verifySsl": False,
                              "customAuthRequest": {"endpoint": "/token"}},
                             integration={"scheduledResyncInterval": 30, "clientTimeout": 120,
                                          "sendRawDataExamples": False}), id="basic-cursor"),
           pytest.param(make(BASIC_EMPTY), id="basic-empty-password")]
    preset = preset_project()
    if preset is not None:
        out.append(pytest.param(preset, id="preset"))
    return out


ENV = {**SECRETS, "CURSOR_PW": "pw-0123456789"}


@pytest.mark.parametrize("project", projects())
def test_port_app_config_parses_with_oceans_models(project: Any, tmp_path: Path) -> None:
    out = ocean({"app_config": export_format(project, "yaml", env={})}, tmp_path)
    assert out["app_config_error"] is None
    parsed = out["app_config"]["resources"]
    expected = installation_projects(project)[0].app_config_dict()["resources"]  # the first installation's
    assert [r["kind"] for r in parsed] == [r["kind"] for r in expected]
    for got, want in zip(parsed, expected):
        assert got["selector"] == want["selector"]  # custom keys survive, literally
        assert got["port"]["entity"]["mappings"] == want["port"]["entity"]["mappings"]
        if "itemsToParse" in want["port"]:
            assert got["port"]["itemsToParse"] == want["port"]["itemsToParse"]


def test_oracle_rejects_what_the_lint_calls_broken(tmp_path: Path) -> None:
    """Control: Ocean's model really ignores snake_case items_to_parse (the lint's error)."""
    text = yaml.safe_dump({"resources": [{"kind": "/x", "selector": {"query": "true"}, "port": {
        "items_to_parse": ".a", "entity": {"mappings": {"identifier": ".id", "blueprint": '"b"'}}}}]})
    out = ocean({"app_config": text}, tmp_path)
    assert out["app_config_error"] is None
    assert "itemsToParse" not in out["app_config"]["resources"][0]["port"]


def check_config(project: Any, out: dict[str, Any]) -> None:
    assert out["config_error"] is None, out["config_error"]
    config = out["config"]
    dep = deployment(project)
    for setting in dep.settings:
        want = resolve(setting, ENV)  # the variable's value, or the Basic header computed from it
        assert config[decamelize(setting.key)] == want, setting.key
    core = out["core"]
    assert core["port"] == {"client_id": SECRETS["PORT_CLIENT_ID"], "client_secret": SECRETS["PORT_CLIENT_SECRET"],
                            "base_url": project.port_base_url}
    assert core["event_listener"] == dep.event_listener["type"]
    assert (core["identifier"], core["type"]) == (dep.identifier, "custom")
    # The pins that keep the deployment equal to the preview reach Ocean's own settings.
    assert (core["processing_mode"], core["allow_environment_variables_jq_access"]) == ("ocean-core", False)
    for key, value in dep.core:
        snake = {"scheduledResyncInterval": "scheduled_resync_interval", "clientTimeout": "client_timeout",
                 "sendRawDataExamples": "send_raw_data_examples",
                 "initializePortResources": "initialize_port_resources"}.get(key)
        if snake:
            assert core[snake] == value, key


@pytest.mark.parametrize("project", projects())
def test_docker_env_is_what_ocean_reads(project: Any, tmp_path: Path) -> None:
    env = {name: value for name, value, _ in docker_env(project, reveal_secrets=True, env=ENV)}
    check_config(project, ocean({"env": env}, tmp_path))


def render_chart_env(values: dict[str, Any]) -> dict[str, str]:
    """The env the chart's ConfigMap/Secret/Deployment give the pod (ocean-port.md §5)."""
    env: dict[str, str] = {}
    port = values.get("port", {})
    for key, name in (("clientId", "CLIENT_ID"), ("clientSecret", "CLIENT_SECRET"), ("baseUrl", "BASE_URL")):
        if key in port:
            env[f"OCEAN__PORT__{name}"] = str(port[key])
    scalars = {"initializePortResources": "OCEAN__INITIALIZE_PORT_RESOURCES",
               "scheduledResyncInterval": "OCEAN__SCHEDULED_RESYNC_INTERVAL", "clientTimeout": "OCEAN__CLIENT_TIMEOUT"}
    for key, name in scalars.items():
        if key in values:
            env[name] = json.dumps(values[key]) if not isinstance(values[key], str) else values[key]
    env["OCEAN__SEND_RAW_DATA_EXAMPLES"] = "true"  # `| default true`: false is lost here
    env["OCEAN__PROCESSING_MODE"] = "dsp"  # `processingMode | default "dsp"`
    # `if hasKey … allowEnvironmentVariablesJqAccess`: a false value is rendered as false
    env["OCEAN__ALLOW_ENVIRONMENT_VARIABLES_JQ_ACCESS"] = json.dumps(values.get("allowEnvironmentVariablesJqAccess",
                                                                             True))
    integration = values["integration"]
    env["OCEAN__INTEGRATION__IDENTIFIER"] = integration["identifier"]
    env["OCEAN__EVENT_LISTENER"] = json.dumps(integration["eventListener"])
    for section in ("config", "secrets"):
        for key, value in (integration.get(section) or {}).items():
            env[config_env_name(key)] = json.dumps(value) if isinstance(value, (dict, list)) else (
                json.dumps(value) if isinstance(value, bool) else str(value))
    for entry in values.get("extraEnv") or []:  # env entries win over envFrom
        env[entry["name"]] = entry["value"]
    return env


@pytest.mark.parametrize("project", projects())
def test_helm_values_render_to_what_ocean_reads(project: Any, tmp_path: Path) -> None:
    values = yaml.safe_load(export_format(project, "values", reveal_secrets=True, env=ENV))
    check_config(project, ocean({"env": render_chart_env(values)}, tmp_path))


def basic_empty_projects() -> list[Any]:
    out = [pytest.param(make(BASIC_EMPTY), id="basic-empty-password")]
    preset = preset_project()
    if preset is not None and preset.config.get("authType") == "basic":
        out.append(pytest.param(preset, id="preset"))
    return out


@pytest.mark.parametrize("project", basic_empty_projects())
def test_basic_with_an_empty_password_reaches_ocean_as_the_basic_header(project: Any, tmp_path: Path) -> None:
    """Ocean's config, built from the Docker env and from the chart's values, selects api_key auth
    with header `Authorization: Basic <base64 of key:>` (what Basic auth would send) and no Basic."""
    want = {"auth_type": "api_key", "api_key_header": "Authorization",
            "api_key": basic_header(ENV["CURSOR_API_KEY"]), "username": None, "password": None}
    docker = {name: value for name, value, _ in docker_env(project, reveal_secrets=True, env=ENV)}
    values = yaml.safe_load(export_format(project, "values", reveal_secrets=True, env=ENV))
    for env in (docker, render_chart_env(values)):
        out = ocean({"env": env}, tmp_path)
        assert out["config_error"] is None, out["config_error"]
        assert {key: out["config"][key] for key in want} == want


def test_a_secrets_env_var_is_ignored_by_ocean(tmp_path: Path) -> None:
    """Why the Docker export never writes OCEAN__INTEGRATION__SECRETS__*: Ocean does not read it."""
    env = {"OCEAN__PORT__CLIENT_ID": "a", "OCEAN__PORT__CLIENT_SECRET": "b",
           "OCEAN__INTEGRATION__CONFIG__BASE_URL": "https://api.cursor.com",
           "OCEAN__INTEGRATION__SECRETS__USERNAME": "crsr_key"}
    out = ocean({"env": env}, tmp_path)
    assert out["config_error"] is None and out["config"]["username"] is None


def test_every_installation_of_the_plan_reaches_ocean_with_its_own_pagination(tmp_path: Path) -> None:
    """The preset deploys as several installations: each values file and each docker run builds Ocean's
    configuration with that installation's identifier and pagination keys."""
    preset = preset_project()
    if preset is None:
        pytest.skip("no preset")
    files = export_all(preset, reveal_secrets=True, env=ENV)
    installs = installation_projects(preset)
    assert len(installs) > 1
    for index, inst in enumerate(installs):
        name = "values.yaml" if index == 0 else f"values.{inst.integration['identifier']}.yaml"
        out = ocean({"env": render_chart_env(yaml.safe_load(files[name]))}, tmp_path)
        check_config(inst, out)
        assert out["core"]["identifier"] == inst.integration["identifier"]
        assert out["config"]["pagination_type"] == inst.config["paginationType"]
