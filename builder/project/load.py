"""Loading a project file: read the YAML, check it, and build the model with one-line located errors.

The model itself (what a project *is*) lives in ``builder.project.model``; this module is how a file becomes
one: each section is type-checked where a mistake would otherwise surface far from its line, secrets must be
``${ENV}`` references, and keys nothing reads are warned about (kept, so load → save stays lossless).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from builder.project.model import (
    EXTENSION_KEY,
    PROJECT_VERSION,
    Extensions,
    Project,
    Resource,
    literal_secrets,
)
from builder.project.yamlio import LocatedYaml, ProjectError, load_located, load_located_cached


def load_project(path: str | Path, *, cached: bool = False) -> Project:
    """``cached``: the YAML's parse is kept in the user's cache (yamlio.load_located_cached): for the
    project's own data files only, never a user's project file."""
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
    project = parse_project(text, file, cached=cached)
    project.path = file
    return project


def parse_project(text: str, file: str | Path | None = None, *, cached: bool = False) -> Project:
    doc = (load_located_cached if cached else load_located)(text, file)
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
    blueprints = _parse_identified(doc, "blueprints", data.get("blueprints"), "Port blueprints", "blueprint")
    project = Project(
        integration=integration,
        port=port,
        app_config={k: v for k, v in app.items() if k != "resources"},
        resources=resources,
        blueprints=blueprints,
        extra={k: v for k, v in data.items() if k not in known},
        dashboards=_parse_identified(doc, "dashboards", data.get("dashboards"), "Port pages (dashboards)",
                                     "dashboard"),
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


def _parse_identified(doc: LocatedYaml, key: str, raw: Any, expected: str, each: str) -> list[dict[str, Any]]:
    """A top-level list of Port objects (blueprints, dashboards): each a mapping with a string identifier."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise doc.error((key,), f"expected a list of {expected}")
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("identifier"), str):
            raise doc.error((key, index), f"each {each} needs a string identifier")
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
    for section, key in literal_secrets(project):
        if section == "config":
            raise doc.error(("integration", "config", key),
                            "secrets are never stored in the project file: use an environment reference "
                            "such as ${CURSOR_API_KEY}")
        raise doc.error(("port", key), "secrets are never stored in the project file: use ${PORT_CLIENT_SECRET}")
