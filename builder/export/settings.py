"""What the deployed Ocean Custom integration reads, and how the project's settings map onto it.

The settings table is Ocean Custom's ``.port/spec.yaml`` (reference/ocean-custom-settings.tsv):
Helm writes ``integration.config.<camelKey>`` / ``integration.secrets.<camelKey>`` into the env
var ``OCEAN__INTEGRATION__CONFIG__<SNAKE_UPPER>`` (there is no ``…__SECRETS__…`` variable: Ocean
would ignore it), and the Docker image reads the same names. Shared by the exporters and the lint
so both tell the same story.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from builder.project import env_ref_name


@dataclass(frozen=True)
class SpecSetting:
    name: str
    type: str  # url | string | boolean | object
    required: bool = False
    default: Any = None
    sensitive: bool = False


# integrations/custom/.port/spec.yaml, in its order (the order every export lists settings in).
SPEC: dict[str, SpecSetting] = {s.name: s for s in (
    SpecSetting("baseUrl", "url", required=True),
    SpecSetting("authType", "string", default="none"),
    SpecSetting("apiToken", "string", sensitive=True),
    SpecSetting("username", "string"),
    SpecSetting("password", "string", sensitive=True),
    SpecSetting("apiKey", "string", sensitive=True),
    SpecSetting("apiKeyHeader", "string", default="X-API-Key"),
    SpecSetting("paginationType", "string", default="none"),
    SpecSetting("pageSize", "string", default="100"),
    SpecSetting("paginationParam", "string"),
    SpecSetting("sizeParam", "string"),
    SpecSetting("startPage", "string", default="1"),
    SpecSetting("cursorPath", "string"),
    SpecSetting("hasMorePath", "string"),
    SpecSetting("lastPagePath", "string"),
    SpecSetting("nextLinkPath", "string", default="@odata.nextLink"),
    SpecSetting("headerLinkRel", "string", default="next"),
    SpecSetting("timeout", "string", default="30"),
    SpecSetting("verifySsl", "boolean", default=True),
    SpecSetting("maxConcurrentRequests", "string", default="10"),
    SpecSetting("customAuthRequest", "object"),
    SpecSetting("customAuthRequestTemplate", "object"),
)}

AUTH_TYPES = ("bearer_token", "basic", "api_key", "none", "custom")
PAGINATION_TYPES = ("none", "offset", "page", "cursor", "next_link", "header_link")
#: The parameter names the handlers *intend* (handlers.py `config.get(key, default)`); under the
#: real config model the key is present with None, so the export must write them (ocean-port.md §7.1).
PAGINATION_PARAM_DEFAULTS = {"page": ("page", "size"), "offset": ("offset", "limit"), "cursor": ("cursor", "limit")}

CONFIG_ENV_PREFIX = "OCEAN__INTEGRATION__CONFIG__"
IMAGE = "ghcr.io/port-labs/port-ocean-custom:latest"
CHART = "port-labs/port-ocean"
CHART_REPO = "https://port-labs.github.io/helm-charts"
DEFAULT_IDENTIFIER = "my-custom-integration"

#: Ocean core settings (top level of the Helm chart) a project may set under ``integration:``:
#: chart value → (env var, Ocean default).
CORE_SETTINGS: dict[str, tuple[str, Any]] = {
    "initializePortResources": ("OCEAN__INITIALIZE_PORT_RESOURCES", True),
    "scheduledResyncInterval": ("OCEAN__SCHEDULED_RESYNC_INTERVAL", None),
    "sendRawDataExamples": ("OCEAN__SEND_RAW_DATA_EXAMPLES", True),
    "clientTimeout": ("OCEAN__CLIENT_TIMEOUT", None),
    "allowEnvironmentVariablesJqAccess": ("OCEAN__ALLOW_ENVIRONMENT_VARIABLES_JQ_ACCESS", True),
}


def snake_upper(key: str) -> str:
    """Helm's ``snakecase | upper`` of a camelCase key: ``apiKeyHeader`` → ``API_KEY_HEADER``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key).upper()


def config_env_name(key: str) -> str:
    return CONFIG_ENV_PREFIX + snake_upper(key)


def as_ocean_string(value: Any) -> str:
    """A spec ``string`` setting as Ocean must get it: ``100`` → ``"100"``, ``True`` → ``"true"``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class DeploySetting:
    """One ``integration.config`` setting as it will be deployed."""

    key: str
    value: Any  # the literal to write; None when it comes from an env var
    env: str | None = None  # ${ENV} the value comes from at deploy time
    secret: bool = False  # Helm integration.secrets (a k8s Secret) rather than the ConfigMap
    note: str | None = None  # why the export wrote something the project did not say

    @property
    def env_name(self) -> str:
        return config_env_name(self.key)


def _is_default(spec: SpecSetting, value: Any) -> bool:
    if spec.default is None:
        return value in (None, "")
    if spec.type == "boolean":
        return as_ocean_string(value).lower() == as_ocean_string(spec.default).lower()
    return as_ocean_string(value) == as_ocean_string(spec.default)


def deploy_settings(config: Mapping[str, Any]) -> tuple[list[DeploySetting], list[str]]:
    """(settings to deploy in spec order, keys dropped because Ocean's spec model ignores them).

    Only non-default values are written, except the pagination names Ocean needs spelled out.
    A value stored as ``${ENV}`` is never written: it is read from that variable at deploy time.
    """
    out: list[DeploySetting] = []
    for key, spec in SPEC.items():
        if key not in config:
            continue
        raw = config[key]
        env = env_ref_name(raw)
        secret = spec.sensitive or env is not None
        if env is not None:
            out.append(DeploySetting(key, None, env, secret))
            continue
        if raw is None or (_is_default(spec, raw) and not spec.required):
            continue
        value: Any = raw
        if spec.type in ("string", "url"):
            value = as_ocean_string(raw)
        elif spec.type == "boolean" and not isinstance(raw, bool):
            value = as_ocean_string(raw).lower() in ("true", "1", "yes", "on")
        out.append(DeploySetting(key, value, None, secret))
    ptype = as_ocean_string(config.get("paginationType") or "none")
    if ptype in PAGINATION_PARAM_DEFAULTS:
        present = {s.key for s in out}
        for key, default in zip(("paginationParam", "sizeParam"), PAGINATION_PARAM_DEFAULTS[ptype]):
            if key not in present:
                out.append(DeploySetting(key, default, note=f"{key} was not set; written as {default!r} (what "
                                         f"Ocean's {ptype} handler means) because a missing value makes Ocean "
                                         "send ?None=<pageSize>"))
        order = list(SPEC)
        out.sort(key=lambda s: order.index(s.key))
    dropped = [str(k) for k in config if k not in SPEC]
    return out, dropped


def resolve(setting: DeploySetting, env: Mapping[str, str]) -> Any:
    """The real value of a setting (for ``reveal_secrets``); raises KeyError when the variable is unset."""
    if setting.env is None:
        return setting.value
    if not env.get(setting.env):
        raise KeyError(setting.env)
    return env[setting.env]


@dataclass(frozen=True)
class Credential:
    """A Port credential: a literal (client id only) or the variable it is read from."""

    value: str | None
    env: str | None


@dataclass
class Deployment:
    """Everything Helm and Docker need, derived once from the project so both say the same."""

    identifier: str
    event_listener: dict[str, Any]
    client_id: Credential
    client_secret: Credential
    port_base_url: str
    core: list[tuple[str, Any]]  # non-default Ocean core settings, CORE_SETTINGS order
    settings: list[DeploySetting]
    dropped: list[str]
    notes: list[str]

    def env_vars_needed(self) -> list[str]:
        names = [c.env for c in (self.client_id, self.client_secret) if c.env]
        names += [s.env for s in self.settings if s.env]
        return list(dict.fromkeys(names))


def _credential(raw: Any, default_env: str) -> Credential:
    name = env_ref_name(raw)
    if name:
        return Credential(None, name)
    if raw in (None, ""):
        return Credential(None, default_env)
    return Credential(str(raw), None)


def deployment(project: Any) -> Deployment:
    integration = project.integration or {}
    notes: list[str] = []
    identifier = str(integration.get("identifier") or DEFAULT_IDENTIFIER)
    listener = integration.get("eventListener")
    if not isinstance(listener, dict) or not listener.get("type"):
        # The chart's default listener is KAFKA (Port-hosted); a self-hosted install polls.
        listener = {"type": "POLLING"}
        notes.append("integration.eventListener not set: exported as POLLING (the chart default, KAFKA, "
                     "only works for Port-managed installs)")
    core: list[tuple[str, Any]] = []
    for key, (_, default) in CORE_SETTINGS.items():
        if key in integration and integration[key] is not None and integration[key] != default:
            core.append((key, integration[key]))
    settings, dropped = deploy_settings(project.config)
    notes += [s.note for s in settings if s.note]
    notes += [f"integration.config.{key} is not exported: Ocean Custom's settings model ignores it" for key in dropped]
    port = project.port or {}
    return Deployment(identifier, dict(listener), _credential(port.get("clientId"), "PORT_CLIENT_ID"),
                      _credential(port.get("clientSecret"), "PORT_CLIENT_SECRET"), project.port_base_url,
                      core, settings, dropped, notes)
