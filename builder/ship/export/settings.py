"""What the deployed Ocean Custom integration reads, and how the project's settings map onto it.

The settings table is Ocean Custom's ``.port/spec.yaml`` (reference/ocean-custom-settings.tsv):
Helm writes ``integration.config.<camelKey>`` / ``integration.secrets.<camelKey>`` into the env
var ``OCEAN__INTEGRATION__CONFIG__<SNAKE_UPPER>`` (there is no ``…__SECRETS__…`` variable: Ocean
would ignore it), and the Docker image reads the same names. Shared by the exporters and the lint
so both tell the same story: ``setting_problems`` is the lint's integration-level half.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

from builder.project.model import env_ref_name

if TYPE_CHECKING:
    from builder.project.model import Project


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
#: port-ocean 0.56.2 defaults processing_mode to dsp (config/settings.py; core/models.py ProcessingMode):
#: for organisations with the Data Source Processor Ocean forwards raw data and skips local mapping.
PROCESSING_MODE = "ocean-core"
PROCESSING_MODE_ENV = "OCEAN__PROCESSING_MODE"
#: Why the exports pin what they pin (the README says it once).
PIN_REASONS = (
    f"`{PROCESSING_MODE_ENV}={PROCESSING_MODE}` (Helm extraEnv, Docker -e): port-ocean 0.56.2 defaults to `dsp`, "
    "where Ocean forwards raw data to Port's Data Source Processor and skips its own JQ mapping, itemsToParse and "
    "selector, so entities would not be the ones the preview showed",
    "`allowEnvironmentVariablesJqAccess: false` (Helm) / `OCEAN__ALLOW_ENVIRONMENT_VARIABLES_JQ_ACCESS=false` "
    "(Docker): Ocean's default (true) lets a mapping's `env` read the integration's own environment, its Port "
    "client secret and Cursor key included, and send them to Port; set `integration.allowEnvironmentVariablesJqAccess:"
    " true` in the project to opt in",
)


def pin_notes(project: Project) -> list[str]:
    """The ``PIN_REASONS`` that apply to ``project`` (the README and the lint say them even when the
    project sets nothing): the processing mode unless the project sets another (the lint's error
    says that one), env access unless the project opts in."""
    integration = project.integration or {}
    notes: list[str] = []
    if str(integration.get("processingMode") or PROCESSING_MODE) == PROCESSING_MODE:
        notes.append(PIN_REASONS[0])
    if integration.get("allowEnvironmentVariablesJqAccess") is not True:
        notes.append(PIN_REASONS[1])
    return notes


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
    #: the deployed value is ``basic_header($env)``, computed where the variable is read (the shell
    #: running the script, or the export with ``reveal_secrets``), never the variable's own value
    basic_header: bool = False

    @property
    def env_name(self) -> str:
        return config_env_name(self.key)


def _is_default(spec: SpecSetting, value: Any) -> bool:
    if spec.default is None:
        return value in (None, "")
    if spec.type == "boolean":
        return as_ocean_string(value).lower() == as_ocean_string(spec.default).lower()
    return as_ocean_string(value) == as_ocean_string(spec.default)


def basic_header(username: str) -> str:
    """The ``Authorization`` value HTTP Basic auth sends for ``username`` and an empty password."""
    return "Basic " + base64.b64encode(f"{username}:".encode()).decode("ascii")


def basic_without_password(config: Mapping[str, Any]) -> bool:
    """authType basic, a username and no password: what Ocean's basic auth silently drops.

    Ocean Custom (``http_server/auth/basic.py``) sets httpx BasicAuth only when username AND
    password are non-empty; Cursor's key is the username with an empty password. A password given
    as ``${ENV}`` is taken to be non-empty (its value is only known at deploy time).
    """
    return (config.get("authType") == "basic" and config.get("username") not in (None, "")
            and not config.get("password"))


_BASIC_KEYS = ("authType", "username", "password", "apiKey", "apiKeyHeader")


def _basic_as_api_key(config: Mapping[str, Any]) -> list[DeploySetting]:
    """authType api_key + apiKeyHeader Authorization + apiKey ``Basic <base64 of username:>``.

    Ocean's api_key auth sends ``<apiKeyHeader>: <apiKey>``: the very header Basic auth would send
    for the username and an empty password, which Ocean's basic auth never sends.
    """
    username = config["username"]
    env = env_ref_name(username)
    source = f"${env}:" if env else "<username>:"
    note = (f"authType basic with an empty password is deployed as authType api_key, apiKeyHeader "
            f"Authorization and apiKey = \"Basic \" + base64(\"{source}\"), because Ocean's basic auth sends "
            "no credentials unless username AND password are both non-empty (every request would get 401); "
            "this header is exactly what Basic auth sends for that username with an empty password")
    key = (DeploySetting("apiKey", None, env, secret=True, basic_header=True) if env else
           DeploySetting("apiKey", basic_header(as_ocean_string(username)), None, secret=True))
    return [DeploySetting("authType", "api_key", note=note), DeploySetting("apiKeyHeader", "Authorization"), key]


def deploy_settings(config: Mapping[str, Any], hints: Mapping[str, str] | None = None
                    ) -> tuple[list[DeploySetting], list[str]]:
    """(settings to deploy in spec order, keys dropped because Ocean's spec model ignores them).

    Only non-default values are written, except the pagination names Ocean needs spelled out:
    paginationParam / sizeParam always, hasMorePath / cursorPath when ``hints`` (what the
    resources' own builder pagination agrees on) know them. A value stored as ``${ENV}`` is never
    written: it is read from that variable at deploy time. Basic auth with an empty password is
    deployed as the equivalent api_key header (``basic_without_password``).
    """
    hints = hints or {}
    out: list[DeploySetting] = []
    rewrite_basic = basic_without_password(config)
    if rewrite_basic:
        out += _basic_as_api_key(config)
    for key, spec in SPEC.items():
        if key not in config or (rewrite_basic and key in _BASIC_KEYS):
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
            if key in present:
                continue
            if hints.get(key):
                out.append(DeploySetting(key, hints[key], note=f"{key} was not set; written as {hints[key]!r}, "
                                         "the name every resource's builder pagination uses (a missing value "
                                         "makes Ocean send ?None=<pageSize>)"))
            else:
                out.append(DeploySetting(key, default, note=f"{key} was not set; written as {default!r} (what "
                                         f"Ocean's {ptype} handler means) because a missing value makes Ocean "
                                         "send ?None=<pageSize>"))
        wanted = ("hasMorePath", "cursorPath") if ptype == "cursor" else ("hasMorePath",)
        for key in wanted:
            if key not in present and hints.get(key):
                out.append(DeploySetting(key, hints[key], note=f"{key} was not set; written as {hints[key]!r} from "
                                         "the resources' builder pagination (without it Ocean stops after page 1 "
                                         "or never stops)"))
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
    return basic_header(env[setting.env]) if setting.basic_header else env[setting.env]


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
    #: (env var, value) the container must get whatever the chart version renders (Helm extraEnv)
    extra_env: list[tuple[str, str]] = field(default_factory=list)

    def env_vars_needed(self) -> list[str]:
        names = [c.env for c in (self.client_id, self.client_secret) if c.env]
        names += [s.env for s in self.settings if s.env]
        return list(dict.fromkeys(names))


_HINT_KEYS = {"paginationParam": "pageParam", "sizeParam": "sizeParam", "hasMorePath": "hasMorePath",
              "cursorPath": "cursorPath"}


def pagination_hints(project: Project) -> dict[str, str]:
    """Integration pagination names the resources' own (builder) pagination agrees on.

    Only a value that every resource paging with the integration's type uses, in the query
    string, is a hint: a name read from a JSON body means nothing to Ocean's query-string paging.
    """
    ptype = str(project.config.get("paginationType") or "none")
    found: dict[str, set[str]] = {}
    for resource in project.resources:
        pagination = resource.extensions.pagination or {}
        if pagination.get("type") != ptype or str(pagination.get("in") or "query") != "query":
            continue
        for key, ext_key in _HINT_KEYS.items():
            if pagination.get(ext_key):
                found.setdefault(key, set()).add(str(pagination[ext_key]))
    return {key: values.pop() for key, values in found.items() if len(values) == 1}


def _credential(raw: Any, default_env: str) -> Credential:
    name = env_ref_name(raw)
    if name:
        return Credential(None, name)
    if raw in (None, ""):
        return Credential(None, default_env)
    return Credential(str(raw), None)


def deployment(project: Project) -> Deployment:
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
    if integration.get("allowEnvironmentVariablesJqAccess") is not True:
        # Pinned unless the project opts in: Ocean's default (true) lets a mapping's `env` read the
        # integration's own secrets and send them to Port; the preview never sees this machine's env.
        core = [(k, v) for k, v in core if k != "allowEnvironmentVariablesJqAccess"]
        core.append(("allowEnvironmentVariablesJqAccess", False))
        core.sort(key=lambda item: list(CORE_SETTINGS).index(item[0]))
    mode = str(integration.get("processingMode") or PROCESSING_MODE)
    if mode != PROCESSING_MODE:
        notes.append(f"integration.processingMode is {mode!r}: with the Data Source Processor Ocean skips local JQ "
                     "mapping, so entities may differ from the preview")
    settings, dropped = deploy_settings(project.config, pagination_hints(project))
    notes += [s.note for s in settings if s.note]
    notes += [f"integration.config.{key} is not exported: Ocean Custom's settings model ignores it" for key in dropped]
    port = project.port or {}
    return Deployment(identifier, dict(listener), _credential(port.get("clientId"), "PORT_CLIENT_ID"),
                      _credential(port.get("clientSecret"), "PORT_CLIENT_SECRET"), project.port_base_url,
                      core, settings, dropped, notes, [(PROCESSING_MODE_ENV, mode)])


Problem = tuple[str, str, str, str, str]  # severity, code, message, consequence, fix


def setting_problems(project: Project) -> list[Problem]:
    """Integration-level settings the deployed integration reads differently from what they say."""
    out: list[Problem] = []
    cfg = project.config
    ptype = str(cfg.get("paginationType") or "none")

    def add(severity: str, code: str, message: str, consequence: str, fix: str) -> None:
        out.append((severity, code, message, consequence, fix))

    auth = cfg.get("authType")
    if auth == "basic_auth":
        add("error", "auth-basic-auth", "authType is 'basic_auth'; Ocean's value is 'basic'",
            "Ocean silently falls back to no authentication: every request gets 401", "set authType: basic")
    elif auth is not None and auth not in AUTH_TYPES:
        add("error", "auth-unknown", f"authType {auth!r} is not one of {', '.join(AUTH_TYPES)}",
            "Ocean silently falls back to no authentication: every request gets 401", "pick a supported authType")
    if auth == "basic" and not cfg.get("password"):
        # Still an error: this config, deployed as written (by hand, or from Port's docs), sends no auth.
        key = env_ref_name(cfg.get("username")) or "CURSOR_API_KEY"
        by_hand = ("authType: api_key with apiKeyHeader: Authorization and apiKey: ${CURSOR_BASIC_AUTH}, where "
                   f"CURSOR_BASIC_AUTH=\"Basic $(printf '%s:' \"${key}\" | base64 | tr -d '\\n')\"; or authType: "
                   "bearer_token with apiToken (documented by Cursor only for the Cloud Agents API)")
        if basic_without_password(cfg):
            # The export writes the workaround, so what it deploys authenticates: a warning that says what is
            # deployed instead of the config as written, and why. Only a hand deployment of this config fails.
            add("warning", "basic-empty-password",
                "authType basic with an empty password: Ocean only sets HTTP Basic auth when username AND password "
                "are non-empty, so `cursor-builder export` deploys authType api_key, apiKeyHeader Authorization and "
                "apiKey \"Basic <base64 of KEY:>\" instead (computed at install time), the same header Basic auth "
                "would send",
                "the exported integration authenticates; this config deployed as written (by hand, or from Port's "
                "docs) sends no Authorization header and every request gets 401",
                "deploy with the files `cursor-builder export` writes; to deploy this config by hand, use " + by_hand)
        else:
            add("error", "basic-empty-password",
                "authType basic with an empty password: Ocean only sets HTTP Basic auth when username AND password "
                "are non-empty, so it sends no Authorization header",
                "Cursor's keys are the Basic username with an empty password: deployed as written, every request "
                "gets 401", "set username (the API key), or use " + by_hand)
    if ptype not in PAGINATION_TYPES:
        add("error", "pagination-unknown", f"paginationType {ptype!r} is not one of "
            f"{', '.join(PAGINATION_TYPES)}", "Ocean fails to pick a pagination handler", "fix paginationType")
    if ptype in ("page", "offset", "cursor"):
        missing = [k for k in ("paginationParam", "sizeParam") if not cfg.get(k)]
        if missing:
            exported = {s.key: s.value for s in deploy_settings(cfg, pagination_hints(project))[0]}
            add("warning", "pagination-param-missing",
                f"paginationType {ptype} without {' and '.join(missing)}: Ocean's config model fills them "
                "with None and the handler sends ?None=<pageSize> with no page value",
                "only the first page is fetched, with the API's default page size",
                "set " + ", ".join(f"{k} (the export writes {exported.get(k)!r})" for k in missing)
                + " to the names the API expects")
    if "timeout" in cfg:
        add("warning", "timeout-unused", "integration.config.timeout is accepted but read by no code",
            "requests use Ocean's client timeout (60 s by default)",
            "set integration.clientTimeout (Helm clientTimeout, env OCEAN__CLIENT_TIMEOUT) instead")
    for key in cfg:
        if key in ("customHeaders", "custom_headers"):
            add("warning", "custom-headers-dropped", f"integration.config.{key} is dropped by Ocean "
                "Custom's settings model", "those headers are never sent",
                "put the headers on each resource as selector.headers")
        elif key not in SPEC:
            add("warning", "unknown-setting", f"integration.config.{key} is not an Ocean Custom "
                "setting; Ocean ignores it (and the export leaves it out)", "it has no effect",
                "remove it, or use the setting Ocean reads (reference: ocean-custom-settings)")
        elif SPEC[key].type == "string" and isinstance(cfg[key], (int, float)) and not isinstance(cfg[key], bool):
            add("info", "setting-not-string", f"integration.config.{key} is the number {cfg[key]}; "
                "Ocean's spec types it as a string", "a number in a JSON/YAML config object fails port-ocean "
                "0.56's validation (env vars and Helm values are strings, so they pass)",
                f"write {key}: \"{cfg[key]}\" (the export already quotes it)")
    if (project.integration or {}).get("sendRawDataExamples") is False:
        add("warning", "raw-examples-helm", "sendRawDataExamples: false cannot be expressed through "
            "the Helm chart value (the template renders `default true`)",
            "the chart would still send raw data examples to Port",
            "the Helm export sets it through extraEnv (OCEAN__SEND_RAW_DATA_EXAMPLES=false); Docker uses the "
            "env var")
    app = project.app_config
    for key in ("delete_dependent_entities", "create_missing_related_entities", "entity_deletion_threshold",
                "enable_merge_entity"):
        if key in app:
            camel = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), key)
            add("warning", "app-config-casing", f"port-app-config key {key} is snake_case",
                "Ocean documents and reads the camelCase key; this one may be ignored", f"rename it to {camel}")
    return out
