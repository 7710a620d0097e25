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
the dataclasses here are a typed view of them. Reading and checking a file is ``builder.project.load``.
"""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from builder.project.yamlio import ProjectError, dump

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


# -- the no-secret-on-disk rule and mapping walks -----------------------------------------------

def literal_secrets(project: Project) -> Iterator[tuple[str, str]]:
    """(section, key) of every credential held as a literal instead of an ``${ENV}`` reference:
    ("config", key) under integration.config, ("port", key) under port. One rule for loading and saving."""
    for section, keys, values in (("config", SECRET_CONFIG_KEYS, project.config),
                                  ("port", SECRET_PORT_KEYS, project.port)):
        for key in keys:
            value = values.get(key)
            if value not in (None, "") and env_ref_name(value) is None:
                yield section, key


def check_no_literal_secrets(project: Project) -> None:
    """Refuse to write a credential to disk (a typed-in key must stay in memory)."""
    for section, key in literal_secrets(project):
        where = f"integration.config.{key}" if section == "config" else f"port.{key}"
        raise ProjectError(f"{where} holds a literal secret; store an ${{ENV}} reference instead")


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
