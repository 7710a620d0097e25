"""The project file: everything the builder knows, in Ocean's own vocabulary.

Layout of ``cursor-builder.yaml``::

    version: 1
    integration:            # the Ocean integration (Helm `integration.*`)
      identifier: cursor-usage
      type: custom
      eventListener: {type: POLLING}
      scheduledResyncInterval: 60
      config:               # Ocean Custom's settings, spec names (camelCase), secrets as ${ENV} refs
        baseUrl: https://api.cursor.com
        authType: basic
        username: ${CURSOR_API_KEY}
    port:                   # where a direct sync goes
      region: eu            # eu | us | local
      clientId: ${PORT_CLIENT_ID}
      clientSecret: ${PORT_CLIENT_SECRET}
    portAppConfig:          # exactly what Ocean reads (deleteDependentEntities, …, resources)
      resources:
      - kind: /teams/members
        selector: {query: 'true', data_path: .teamMembers}
        port: {entity: {mappings: {identifier: .id, blueprint: '"cursorMember"'}}}
        x-builder: {name: members}   # builder-only extensions, stripped on export
    blueprints: [...]       # Port blueprint JSON
    dashboards: [...]       # Port page definitions (POST /v1/pages bodies), created after the blueprints

Ocean's dicts are kept as loaded (key order, casing, unknown keys) so load → save is lossless;
the dataclasses here are a typed view with the checks a user needs before anything runs.
"""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from builder.project.yamlio import LocatedYaml, ProjectError, dump, load_located

DEFAULT_PROJECT_FILE = "cursor-builder.yaml"
PROJECT_VERSION = 1
EXTENSION_KEY = "x-builder"

#: Integration settings whose values are credentials: only ``${ENV}`` references may be stored.
SECRET_CONFIG_KEYS = frozenset({"apiToken", "password", "apiKey"})
#: Port credentials: the secret must be a reference; a client id may be literal.
SECRET_PORT_KEYS = frozenset({"clientSecret"})

ENV_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")

PORT_BASE_URLS = {
    "eu": "https://api.port.io",
    "us": "https://api.us.port.io",
}

#: Top-level port-app-config keys and their Ocean defaults (ocean-port.md §2).
APP_CONFIG_DEFAULTS: dict[str, Any] = {
    "deleteDependentEntities": True,
    "createMissingRelatedEntities": True,
    "enableMergeEntity": True,
    "entityDeletionThreshold": 0.9,
}

MAPPING_KEYS = ("identifier", "title", "blueprint", "icon", "team", "properties", "relations")


def env_ref_name(value: Any) -> str | None:
    """``"${CURSOR_API_KEY}"`` → ``"CURSOR_API_KEY"``; anything else → None."""
    if isinstance(value, str):
        found = ENV_REF.match(value.strip())
        if found:
            return found.group(1)
    return None


def resolve_value(value: Any, env: Mapping[str, str], overrides: Mapping[str, str] | None = None) -> Any:
    """Replace an ``${ENV}`` reference by its value (typed-in overrides first); other values pass."""
    name = env_ref_name(value)
    if name is None:
        return value
    if overrides and name in overrides:
        return overrides[name]
    return env.get(name)


@dataclass
class Extensions:
    """Builder-only behaviour for one resource (``x-builder``). Ocean never sees these.

    ``body`` / ``query``: values computed at request time, each a JQ program run with ``null``
    input and ``$now`` (epoch seconds, float) bound, merged over the literal selector body /
    query_params. ``pagination``: a per-resource pagination that may live in the JSON body
    (keys: type, in, pageParam, sizeParam, pageSize, startPage, cursorPath, hasMorePath,
    lastPagePath, nextLinkPath, stop (JQ on the response; true = last page), maxPages).
    ``requestDeadline``: seconds one request may take, connect to last byte (the CLI's
    ``--request-deadline`` wins over it; the TUI's fetch uses it).
    """

    name: str | None = None
    body: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    pagination: dict[str, Any] | None = None
    request_deadline: float | None = None
    other: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Extensions:
        data = dict(data or {})
        return cls(
            name=data.pop("name", None),
            body=dict(data.pop("body", None) or {}),
            query=dict(data.pop("query", None) or {}),
            pagination=data.pop("pagination", None),
            request_deadline=data.pop("requestDeadline", None),
            other=data,
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.name:
            out["name"] = self.name
        if self.body:
            out["body"] = dict(self.body)
        if self.query:
            out["query"] = dict(self.query)
        if self.pagination:
            out["pagination"] = dict(self.pagination)
        if self.request_deadline is not None:
            out["requestDeadline"] = self.request_deadline
        out.update(self.other)
        return out

    @property
    def is_empty(self) -> bool:
        return not (self.body or self.query or self.pagination or self.other)


@dataclass
class Resource:
    """One entry of ``portAppConfig.resources``: Ocean's dicts, verbatim, plus our extensions."""

    kind: str
    selector: dict[str, Any]
    port: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)  # enableDelete and keys we do not know
    extensions: Extensions = field(default_factory=Extensions)

    # -- typed views -------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.extensions.name or self.kind

    @property
    def query(self) -> str:
        return str(self.selector.get("query", "true"))

    @property
    def method(self) -> str:
        return str(self.selector.get("method") or "GET").upper()

    @property
    def data_path(self) -> str | None:
        value = self.selector.get("data_path")
        return None if value is None else str(value)

    @property
    def mappings(self) -> dict[str, Any]:
        return self.port.setdefault("entity", {}).setdefault("mappings", {})

    @property
    def items_to_parse(self) -> str | None:
        return self.port.get("itemsToParse")

    @property
    def items_to_parse_name(self) -> str:
        return str(self.port.get("itemsToParseName") or "item")

    @property
    def items_to_parse_top_level_transform(self) -> bool:
        return bool(self.port.get("itemsToParseTopLevelTransform", True))

    @property
    def blueprint_literal(self) -> str | None:
        """The blueprint identifier when the mapping is a plain JQ string literal."""
        raw = self.mappings.get("blueprint")
        if isinstance(raw, str):
            text = raw.strip()
            if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'" and '"' not in text[1:-1]:
                return text[1:-1]
        return None

    # -- serialisation -----------------------------------------------------------------------
    def to_ocean(self) -> dict[str, Any]:
        """The resource exactly as Ocean reads it (extensions removed)."""
        out: dict[str, Any] = {"kind": self.kind, "selector": copy.deepcopy(self.selector),
                               "port": copy.deepcopy(self.port)}
        out.update(copy.deepcopy(self.extra))
        return out

    def to_dict(self) -> dict[str, Any]:
        out = self.to_ocean()
        ext = self.extensions.to_dict()
        if ext:
            out[EXTENSION_KEY] = ext
        return out

    def copy(self) -> Resource:
        return Resource(self.kind, copy.deepcopy(self.selector), copy.deepcopy(self.port),
                        copy.deepcopy(self.extra), Extensions.from_dict(self.extensions.to_dict()))


@dataclass
class Project:
    integration: dict[str, Any] = field(default_factory=dict)
    port: dict[str, Any] = field(default_factory=dict)
    app_config: dict[str, Any] = field(default_factory=dict)  # top-level keys except resources
    resources: list[Resource] = field(default_factory=list)
    blueprints: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # unknown top-level keys, kept
    path: Path | None = None
    #: True when the file was a bare port-app-config (``resources:`` at the top).
    bare_app_config: bool = False
    #: Port page definitions (``dashboards:``), verbatim page JSON; rules in builder/see/pages.py.
    dashboards: list[dict[str, Any]] = field(default_factory=list)

    # -- views -------------------------------------------------------------------------------
    @property
    def config(self) -> dict[str, Any]:
        """Ocean Custom's integration settings (``integration.config``)."""
        return self.integration.setdefault("config", {})

    @property
    def base_url(self) -> str:
        return str(self.config.get("baseUrl") or "").rstrip("/")

    @property
    def port_base_url(self) -> str:
        if self.port.get("baseUrl"):
            return str(self.port["baseUrl"]).rstrip("/")
        return PORT_BASE_URLS.get(str(self.port.get("region", "eu")).lower(), PORT_BASE_URLS["eu"])

    def app_setting(self, key: str) -> Any:
        return self.app_config.get(key, APP_CONFIG_DEFAULTS.get(key))

    def resource_names(self) -> list[str]:
        return [resource.name for resource in self.resources]

    def find_resource(self, name_or_kind: str) -> Resource:
        """By name first, then by kind when exactly one resource has it."""
        for resource in self.resources:
            if resource.name == name_or_kind:
                return resource
        by_kind = [r for r in self.resources if r.kind == name_or_kind]
        if len(by_kind) == 1:
            return by_kind[0]
        known = ", ".join(self.resource_names()) or "none"
        if by_kind:
            raise ProjectError(f"kind {name_or_kind!r} is used by {len(by_kind)} resources; name one of: {known}")
        import difflib

        names = self.resource_names() + [r.kind for r in self.resources]
        close = difflib.get_close_matches(name_or_kind, names, n=3, cutoff=0.6)
        if close:
            raise ProjectError(f"no resource named {name_or_kind!r}: did you mean {' or '.join(map(repr, close))}?")
        raise ProjectError(f"no resource named {name_or_kind!r} (resources: {known})")

    def find_blueprint(self, identifier: str) -> dict[str, Any] | None:
        for blueprint in self.blueprints:
            if blueprint.get("identifier") == identifier:
                return blueprint
        return None

    def unique_name(self, base: str) -> str:
        names = set(self.resource_names())
        if base not in names:
            return base
        index = 2
        while f"{base}-{index}" in names:
            index += 1
        return f"{base}-{index}"

    def env_refs(self) -> dict[str, str]:
        """Every ``${ENV}`` reference in integration and port settings: setting → variable."""
        refs: dict[str, str] = {}
        for key, value in self.config.items():
            name = env_ref_name(value)
            if name:
                refs[key] = name
        for key, value in self.port.items():
            name = env_ref_name(value)
            if name:
                refs[f"port.{key}"] = name
        return refs

    def resolved_config(self, env: Mapping[str, str] | None = None,
                        overrides: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Integration settings with env references replaced (missing variables become None)."""
        env = os.environ if env is None else env
        return {key: resolve_value(value, env, overrides) for key, value in self.config.items()}

    # -- serialisation -----------------------------------------------------------------------
    def app_config_dict(self) -> dict[str, Any]:
        """The port-app-config exactly as Ocean reads it (extensions removed)."""
        out = copy.deepcopy(self.app_config)
        out["resources"] = [resource.to_ocean() for resource in self.resources]
        return out

    def to_dict(self) -> dict[str, Any]:
        app = copy.deepcopy(self.app_config)
        app["resources"] = [resource.to_dict() for resource in self.resources]
        out: dict[str, Any] = {"version": PROJECT_VERSION}
        if self.integration:
            out["integration"] = copy.deepcopy(self.integration)
        if self.port:
            out["port"] = copy.deepcopy(self.port)
        out["portAppConfig"] = app
        out["blueprints"] = copy.deepcopy(self.blueprints)
        if self.dashboards:
            out["dashboards"] = copy.deepcopy(self.dashboards)
        out.update(copy.deepcopy(self.extra))
        return out

    def dumps(self) -> str:
        check_no_literal_secrets(self)
        header = "# cursor-builder project: Ocean Custom integration settings, port-app-config and blueprints.\n" \
                 "# Secrets are ${ENV_VAR} references only; `x-builder` blocks are builder-only and never exported.\n"
        return header + dump(self.to_dict())

    def save(self, path: str | Path | None = None) -> Path:
        target = Path(path) if path is not None else (self.path or Path(DEFAULT_PROJECT_FILE))
        text = self.dumps()
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)  # atomic: a crash never leaves half a project behind
        self.path = target
        return target

    def copy(self) -> Project:
        return Project(copy.deepcopy(self.integration), copy.deepcopy(self.port), copy.deepcopy(self.app_config),
                       [r.copy() for r in self.resources], copy.deepcopy(self.blueprints),
                       copy.deepcopy(self.extra), self.path, self.bare_app_config, copy.deepcopy(self.dashboards))


# -- loading and checks -------------------------------------------------------------------------

def load_project(path: str | Path) -> Project:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProjectError("file not found", file=file) from None
    except IsADirectoryError:
        raise ProjectError("is a folder: give the project's YAML file", file=file) from None
    except UnicodeDecodeError as exc:
        line = file.read_bytes()[:exc.start].count(b"\n") + 1
        raise ProjectError(f"not UTF-8 text (byte {exc.object[exc.start:exc.start + 1]!r}): save the file as UTF-8",
                           file=file, line=line) from None
    except OSError as exc:
        raise ProjectError(f"cannot read file: {exc.strerror}", file=file) from None
    project = parse_project(text, file)
    project.path = file
    return project


def parse_project(text: str, file: str | Path | None = None) -> Project:
    doc = load_located(text, file)
    data = doc.data
    if data is None:
        raise doc.error((), "the file is empty")
    if not isinstance(data, dict):
        raise doc.error((), "expected a mapping at the top of the file")
    if "portAppConfig" not in data and "resources" in data:
        return _parse_bare_app_config(doc)
    known = {"version", "integration", "port", "portAppConfig", "blueprints", "dashboards"}
    version = data.get("version", PROJECT_VERSION)
    if version != PROJECT_VERSION:
        raise doc.error(("version",), f"unsupported project version {version!r} (this builder reads {PROJECT_VERSION})")
    integration = _mapping(doc, ("integration",), data.get("integration"))
    if "config" in integration:
        _mapping(doc, ("integration", "config"), integration["config"])
    port = _mapping(doc, ("port",), data.get("port"))
    app = _mapping(doc, ("portAppConfig",), data.get("portAppConfig"))
    resources = _parse_resources(doc, ("portAppConfig",), app)
    blueprints = _parse_blueprints(doc, data.get("blueprints"))
    project = Project(
        integration=integration,
        port=port,
        app_config={k: v for k, v in app.items() if k != "resources"},
        resources=resources,
        blueprints=blueprints,
        extra={k: v for k, v in data.items() if k not in known},
        dashboards=_parse_dashboards(doc, data.get("dashboards")),
    )
    _check_app_config(doc, ("portAppConfig",), project.app_config)
    _check_secrets(doc, project)
    _check_top_level(doc, data, known)
    return project


class ProjectWarning(UserWarning):
    """Something in a project file that loads but is probably a mistake (the CLI prints one line)."""


def _check_top_level(doc: LocatedYaml, data: dict[str, Any], known: set[str]) -> None:
    identifier = (data.get("integration") or {}).get("identifier")
    if identifier is not None and not isinstance(identifier, str):
        raise doc.error(("integration", "identifier"), f"must be a string, got {type(identifier).__name__} "
                        f"{identifier!r}: quote it")
    _warn_unknown(doc, (), data, known)
    _warn_unknown(doc, ("integration",), data.get("integration"), INTEGRATION_KEYS)
    _warn_unknown(doc, ("port",), data.get("port"), PORT_KEYS)
    app = data.get("portAppConfig")
    resources = app.get("resources") if isinstance(app, dict) else None
    for index, item in enumerate(resources if isinstance(resources, list) else []):
        path = ("portAppConfig", "resources", index)
        _warn_unknown(doc, path, item, RESOURCE_KEYS)
        if isinstance(item, dict):
            _warn_unknown(doc, path + ("port",), item.get("port"), RESOURCE_PORT_KEYS)
            _warn_unknown(doc, path + (EXTENSION_KEY,), item.get(EXTENSION_KEY), EXTENSION_KEYS)


#: The keys each section of a project file is read for (issue #11 row 14): anything else is a warning.
#: INTEGRATION_KEYS holds every Ocean setting the export writes (ship/export/settings.CORE_SETTINGS;
#: tests/cli/test_bad_inputs.py checks they stay in step).
INTEGRATION_KEYS = frozenset({"identifier", "type", "eventListener", "config", "processingMode",
                              "initializePortResources", "scheduledResyncInterval", "sendRawDataExamples",
                              "clientTimeout", "allowEnvironmentVariablesJqAccess"})
PORT_KEYS = frozenset({"region", "baseUrl", "clientId", "clientSecret"})
RESOURCE_KEYS = frozenset({"kind", "selector", "port", "enableDelete", EXTENSION_KEY})
RESOURCE_PORT_KEYS = frozenset({"entity", "itemsToParse", "itemsToParseName", "itemsToParseTopLevelTransform"})
# description / unavailable / nullable: the preset's notes on an endpoint, shown by the TUI and the lint.
EXTENSION_KEYS = frozenset({"name", "body", "query", "pagination", "requestDeadline", "description", "unavailable",
                            "nullable"})


def _warn_unknown(doc: LocatedYaml, path: tuple[Any, ...], data: object, known: set[str] | frozenset[str]) -> None:
    """One warning per key of ``data`` (a mapping at ``path``) that nothing reads, naming the nearest known key."""
    import difflib
    import warnings

    if not isinstance(data, dict):
        return
    for key in data:
        if key in known:
            continue
        close = difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(sorted(known))})"
        line = doc.line_of(path + (key,))
        where = f"{doc.file}:{line}: " if doc.file else (f"line {line}: " if line else "")
        name = ".".join(str(part) for part in path + (key,)) if path else str(key)
        # Kept (load → save is lossless), but nothing reads it: say so instead of ignoring it silently.
        warnings.warn(ProjectWarning(f"{where}unknown key {name!r}{hint}; it is kept but not used"), stacklevel=4)


def _parse_bare_app_config(doc: LocatedYaml) -> Project:
    data = doc.data
    resources = _parse_resources(doc, (), data)
    project = Project(app_config={k: v for k, v in data.items() if k != "resources"}, resources=resources,
                      bare_app_config=True)
    _check_app_config(doc, (), project.app_config)
    return project


def _mapping(doc: LocatedYaml, path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise doc.error(path, f"expected a mapping, got {type(value).__name__}")
    return value


def _parse_resources(doc: LocatedYaml, base: tuple[Any, ...], app: dict[str, Any]) -> list[Resource]:
    raw = app.get("resources")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise doc.error(base + ("resources",), "expected a list of resources")
    resources: list[Resource] = []
    names: set[str] = set()
    for index, item in enumerate(raw):
        path = base + ("resources", index)
        if not isinstance(item, dict):
            raise doc.error(path, "each resource must be a mapping with kind, selector and port")
        kind = item.get("kind")
        if not isinstance(kind, str) or not kind.strip():
            raise doc.error(path + ("kind",), "required: the endpoint path, e.g. /teams/members")
        selector = _mapping(doc, path + ("selector",), item.get("selector"))
        if "selector" not in item or "query" not in selector:
            raise doc.error(path + ("selector",), "selector.query is required (use 'true' to keep every item)")
        if not isinstance(selector["query"], str):
            raise doc.error(path + ("selector", "query"), "must be a JQ string such as 'true'")
        for key in ("query_params", "headers", "path_parameters"):
            if key in selector and selector[key] is not None and not isinstance(selector[key], dict):
                raise doc.error(path + ("selector", key), "expected a mapping")
        if "data_path" in selector and selector["data_path"] is not None and not isinstance(selector["data_path"], str):
            raise doc.error(path + ("selector", "data_path"), "must be a JQ string")
        port = _mapping(doc, path + ("port",), item.get("port"))
        entity = _mapping(doc, path + ("port", "entity"), port.get("entity"))
        mappings = _mapping(doc, path + ("port", "entity", "mappings"), entity.get("mappings"))
        for required in ("identifier", "blueprint"):
            if required not in mappings:
                raise doc.error(path + ("port", "entity", "mappings"), f"mappings.{required} is required")
        for key in ("properties", "relations"):
            if key in mappings and mappings[key] is not None and not isinstance(mappings[key], dict):
                raise doc.error(path + ("port", "entity", "mappings", key), "expected a mapping of name → JQ")
        ext_raw = item.get(EXTENSION_KEY)
        if ext_raw is not None and not isinstance(ext_raw, dict):
            raise doc.error(path + (EXTENSION_KEY,), "expected a mapping")
        extensions = Extensions.from_dict(ext_raw)
        for section in ("body", "query"):
            values = getattr(extensions, section)
            for key, expr in values.items():
                if not isinstance(expr, str):
                    raise doc.error(path + (EXTENSION_KEY, section, key), "computed values are JQ strings")
        if extensions.pagination is not None and not isinstance(extensions.pagination, dict):
            raise doc.error(path + (EXTENSION_KEY, "pagination"), "expected a mapping")
        deadline = extensions.request_deadline
        if deadline is not None and (isinstance(deadline, bool) or not isinstance(deadline, (int, float))
                                     or not deadline > 0):
            raise doc.error(path + (EXTENSION_KEY, "requestDeadline"), f"must be a number of seconds above 0, got "
                            f"{deadline!r}")
        resource = Resource(
            kind=kind,
            selector=selector,
            port=port,
            extra={k: v for k, v in item.items() if k not in ("kind", "selector", "port", EXTENSION_KEY)},
            extensions=extensions,
        )
        if resource.name in names:
            if extensions.name:
                raise doc.error(path + (EXTENSION_KEY, "name"), f"resource name {resource.name!r} is used twice")
            # Two unnamed resources on one kind (e.g. one endpoint mapped to two blueprints):
            # give the later one a stable derived name so the CLI and the TUI can tell them apart.
            suffix = 2
            while f"{kind}#{suffix}" in names:
                suffix += 1
            extensions.name = f"{kind}#{suffix}"
        names.add(resource.name)
        resources.append(resource)
    return resources


def _parse_blueprints(doc: LocatedYaml, raw: Any) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise doc.error(("blueprints",), "expected a list of Port blueprints")
    for index, blueprint in enumerate(raw):
        if not isinstance(blueprint, dict) or not isinstance(blueprint.get("identifier"), str):
            raise doc.error(("blueprints", index), "each blueprint needs a string identifier")
    return raw


def _parse_dashboards(doc: LocatedYaml, raw: Any) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise doc.error(("dashboards",), "expected a list of Port pages (dashboards)")
    for index, page in enumerate(raw):
        if not isinstance(page, dict) or not isinstance(page.get("identifier"), str):
            raise doc.error(("dashboards", index), "each dashboard needs a string identifier")
    return raw


def _check_app_config(doc: LocatedYaml, base: tuple[Any, ...], app: dict[str, Any]) -> None:
    for key in ("deleteDependentEntities", "createMissingRelatedEntities", "enableMergeEntity"):
        if key in app and not isinstance(app[key], bool):
            raise doc.error(base + (key,), "expected true or false")
    if "entityDeletionThreshold" in app:
        value = app["entityDeletionThreshold"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise doc.error(base + ("entityDeletionThreshold",), "expected a number between 0 and 1")


def _check_secrets(doc: LocatedYaml, project: Project) -> None:
    for key in SECRET_CONFIG_KEYS:
        value = project.config.get(key)
        if value not in (None, "") and env_ref_name(value) is None:
            raise doc.error(("integration", "config", key),
                            "secrets are never stored in the project file: use an environment reference "
                            "such as ${CURSOR_API_KEY}")
    for key in SECRET_PORT_KEYS:
        value = project.port.get(key)
        if value not in (None, "") and env_ref_name(value) is None:
            raise doc.error(("port", key), "secrets are never stored in the project file: use ${PORT_CLIENT_SECRET}")


def check_no_literal_secrets(project: Project) -> None:
    """Refuse to write a credential to disk (a typed-in key must stay in memory)."""
    for key in SECRET_CONFIG_KEYS:
        value = project.config.get(key)
        if value not in (None, "") and env_ref_name(value) is None:
            raise ProjectError(f"integration.config.{key} holds a literal secret; store an ${{ENV}} reference instead")
    for key in SECRET_PORT_KEYS:
        value = project.port.get(key)
        if value not in (None, "") and env_ref_name(value) is None:
            raise ProjectError(f"port.{key} holds a literal secret; store an ${{ENV}} reference instead")


def iter_mapping_fields(mappings: Mapping[str, Any]) -> Iterable[tuple[str, Any]]:
    """(dotted path, JQ or nested value) for every leaf of an entity mapping, in order."""

    def walk(prefix: str, value: Any) -> Iterable[tuple[str, Any]]:
        if isinstance(value, dict):
            for key, child in value.items():
                yield from walk(f"{prefix}.{key}" if prefix else str(key), child)
        elif isinstance(value, list):
            for index, child in enumerate(value):
                yield from walk(f"{prefix}[{index}]", child)
        else:
            yield prefix, value

    for key, value in mappings.items():
        yield from walk(str(key), value)
