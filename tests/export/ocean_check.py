"""Runs under port-ocean's venv: parse our exports with Ocean's own models, report what Ocean read.

stdin: {"app_config": <YAML text>, "env": {NAME: value}, "spec": [spec settings], "cwd": dir}
stdout: {"app_config": {...} | null, "app_config_error": str | null, "config": {...} | null,
         "config_error": str | null, "core": {...}}
"""

# No `from __future__ import annotations`: pydantic v1 must see real types in the local models.

import json
import os
import sys
from typing import Any


def check_app_config(text: str) -> tuple[Any, str | None]:
    import yaml
    from pydantic.v1 import Extra
    from port_ocean.core.handlers.port_app_config.models import PortAppConfig, ResourceConfig, Selector

    # Ocean Custom's own selector model is not on PyPI: the same field names, written here (§6).
    class CustomSelector(Selector):
        method: str = "GET"
        query_params: dict[str, Any] | None = None
        headers: dict[str, str] | None = None
        body: Any = None
        data_path: str | None = None
        path_parameters: dict[str, Any] | None = None

        class Config:
            extra = Extra.allow

    class CustomResource(ResourceConfig):
        selector: CustomSelector

    class CustomAppConfig(PortAppConfig):
        resources: list[CustomResource]

    try:
        parsed = CustomAppConfig.parse_obj(yaml.safe_load(text))
    except Exception as exc:  # noqa: BLE001 - the message is the result
        return None, str(exc)
    return json.loads(parsed.json(by_alias=True, exclude_unset=True)), None


def check_env(env: dict[str, str], spec: list[dict[str, Any]], cwd: str) -> tuple[Any, Any, str | None]:
    os.chdir(cwd)  # Ocean reads the integration type from ./pyproject.toml
    for name in [n for n in os.environ if n.startswith("OCEAN__")]:
        del os.environ[name]
    os.environ.update(env)
    from port_ocean.config.dynamic import default_config_factory
    from port_ocean.config.settings import IntegrationConfiguration

    try:
        cfg = IntegrationConfiguration(base_path="./", integration_config_model=default_config_factory(spec))
    except Exception as exc:  # noqa: BLE001
        return None, None, str(exc)
    core = {
        "port": {"client_id": cfg.port.client_id, "client_secret": cfg.port.client_secret,
                 "base_url": cfg.port.base_url},
        "event_listener": str(cfg.event_listener.type.value),
        "identifier": cfg.integration.identifier, "type": cfg.integration.type,
        "scheduled_resync_interval": cfg.scheduled_resync_interval,
        "initialize_port_resources": cfg.initialize_port_resources,
        "send_raw_data_examples": cfg.send_raw_data_examples, "client_timeout": cfg.client_timeout,
        "processing_mode": str(cfg.processing_mode.value),
        "allow_environment_variables_jq_access": cfg.allow_environment_variables_jq_access,
    }
    return cfg.integration.config.model_dump(), core, None


def main() -> int:
    request = json.load(sys.stdin)
    from loguru import logger

    logger.remove()
    out: dict[str, Any] = {}
    if request.get("app_config") is not None:
        out["app_config"], out["app_config_error"] = check_app_config(request["app_config"])
    if request.get("env") is not None:
        out["config"], out["core"], out["config_error"] = check_env(request["env"], request["spec"], request["cwd"])
    json.dump(out, sys.stdout, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
