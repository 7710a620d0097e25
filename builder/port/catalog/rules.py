"""Port's own validation rules for blueprints and entities, as plain functions.

The embedded catalog enforces them so that a sync which passes locally would pass against Port;
the sync also runs :func:`check_entity` before sending, so a bad record is reported with a clear
reason instead of a 422 from the server. Patterns come from Port's OpenAPI (reference/ocean-port.md
§4); the identifier, key and type-name rules are :mod:`builder.port.rules`' (one definition for the
lint, the sync and the catalog), the blueprint, value and format checks the catalog's own.

Every check returns a list of :class:`RuleError` (empty = valid) rather than raising, so one
request can report all of its problems at once, as Port does.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping
from urllib.parse import urlsplit

from builder.port.rules import (PORT_FORMATS, PROPERTY_TYPES, TITLE_MAX, blueprint_identifier_problem,
                                entity_identifier_problem, json_type, key_problem)

# RFC 3339, as JSON-schema "date-time" (ajv "full"): seconds and a time zone are required.
_DATE_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_EMAIL = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]+$")


@dataclass(frozen=True)
class RuleError:
    """One broken rule: ``field`` is a JSON-pointer-like path (``properties/cost``)."""

    code: str  # Port-style error code (invalid_request, not_found, …)
    field: str
    message: str
    status: int = 422

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


# -- blueprints ----------------------------------------------------------------------------------


def check_blueprint(body: Any, *, existing_blueprints: set[str] | frozenset[str] | None = None,
                    partial: bool = False) -> list[RuleError]:
    """Port's rules for ``POST/PUT`` (``partial=False``) or ``PATCH`` (``partial=True``) bodies.

    ``existing_blueprints``: identifiers a relation may target (None = do not check targets).
    """
    errors: list[RuleError] = []
    if not isinstance(body, dict):
        return [RuleError("invalid_request", "", "the blueprint must be a JSON object")]
    if not partial or "identifier" in body:
        problem = blueprint_identifier_problem(body.get("identifier"))
        if problem:
            errors.append(RuleError("invalid_request", "identifier", problem))
    if not partial or "title" in body:
        title = body.get("title")
        if not isinstance(title, str) or not 1 <= len(title) <= TITLE_MAX:
            errors.append(RuleError("invalid_request", "title", f"title is required: 1..{TITLE_MAX} characters"))
    if not partial or "schema" in body:
        errors.extend(_check_schema(body.get("schema")))
    relations = body.get("relations")
    if relations is not None:
        if not isinstance(relations, dict):
            errors.append(RuleError("invalid_request", "relations", "relations must be an object"))
        else:
            for key, relation in relations.items():
                errors.extend(_check_relation_definition(key, relation, body.get("identifier"), existing_blueprints))
    mirrors = body.get("mirrorProperties")
    if isinstance(mirrors, dict):
        names = set(relations or {}) if isinstance(relations, dict) else set()
        for key, mirror in mirrors.items():
            path = mirror.get("path") if isinstance(mirror, dict) else None
            if not isinstance(path, str) or path.split(".", 1)[0] not in names:
                errors.append(RuleError("invalid_request", f"mirrorProperties/{key}",
                                        f"mirror property path {path!r} must start with one of this blueprint's "
                                        "relations"))
    if body.get("calculationProperties") is not None:
        from builder.port.calculations import definition_problems  # key, type and calculation are required

        errors.extend(RuleError("invalid_request", where, message) for where, message in definition_problems(body)
                      if "does not compile" not in message)  # Port stores a broken jq and shows null
    return errors


def _check_schema(schema: Any) -> list[RuleError]:
    if not isinstance(schema, dict) or not isinstance(schema.get("properties", {}), dict):
        return [RuleError("invalid_request", "schema", "schema is required: {\"properties\": {…}, \"required\": […]}")]
    errors: list[RuleError] = []
    properties = schema.get("properties", {})
    for key, spec in properties.items():
        problem = key_problem(key, "property")
        if problem:
            errors.append(RuleError("invalid_request", f"schema/properties/{key}", problem))
            continue
        if not isinstance(spec, dict):
            errors.append(RuleError("invalid_request", f"schema/properties/{key}", "property must be an object"))
            continue
        if spec.get("type") not in PROPERTY_TYPES:
            errors.append(RuleError("invalid_request", f"schema/properties/{key}/type",
                                    f"type {spec.get('type')!r} is not one of {', '.join(sorted(PROPERTY_TYPES))}"))
        fmt = spec.get("format")
        if fmt is not None and fmt not in PORT_FORMATS:
            errors.append(RuleError("invalid_request", f"schema/properties/{key}/format",
                                    f"format {fmt!r} is not one Port knows"))
    required = schema.get("required", [])
    if not isinstance(required, list):
        errors.append(RuleError("invalid_request", "schema/required", "required must be a list of property names"))
    else:
        for name in required:
            if name not in properties:
                errors.append(RuleError("invalid_request", "schema/required",
                                        f"required property {name!r} is not defined in schema.properties"))
    return errors


def _check_relation_definition(key: str, relation: Any, own_identifier: Any,
                               existing: set[str] | frozenset[str] | None) -> list[RuleError]:
    field = f"relations/{key}"
    problem = key_problem(key, "relation")
    if problem:
        return [RuleError("invalid_request", field, problem)]
    if not isinstance(relation, dict):
        return [RuleError("invalid_request", field, "relation must be an object with target, required, many")]
    errors = []
    target = relation.get("target")
    if not isinstance(target, str) or not target:
        errors.append(RuleError("invalid_request", field + "/target", "target blueprint is required"))
    elif existing is not None and target != own_identifier and target not in existing:
        errors.append(RuleError("not_found", field + "/target",
                                f"relation {key!r} targets blueprint {target!r}, which does not exist", 404))
    for flag in ("required", "many"):
        if not isinstance(relation.get(flag), bool):
            errors.append(RuleError("invalid_request", f"{field}/{flag}", f"{flag} must be true or false"))
    return errors


# -- entities ------------------------------------------------------------------------------------


def check_entity(entity: Any, blueprint: Mapping[str, Any], *, partial: bool = False) -> list[RuleError]:
    """Shape, identifier, properties and relation values of one entity against its blueprint.

    Whether related entities exist is the store's business (it needs the data); this checks
    everything that can be decided from the payload and the blueprint alone. ``partial``: a
    merge payload, so required properties are checked by the caller on the merged result.
    """
    if not isinstance(entity, dict):
        return [RuleError("invalid_request", "", f"an entity must be a JSON object, got {json_type(entity)}")]
    errors: list[RuleError] = []
    identifier = entity.get("identifier")
    if isinstance(identifier, dict):
        errors.append(RuleError("invalid_request", "identifier",
                                "search-query identifiers are not supported by the embedded catalog"))
    else:
        problem = entity_identifier_problem(identifier)
        if problem:
            errors.append(RuleError("invalid_request", "identifier", problem))
    title = entity.get("title")
    if title is not None and not isinstance(title, str):
        errors.append(RuleError("invalid_request", "title", f"title must be a string, got {json_type(title)}"))
    icon = entity.get("icon")
    if icon is not None and not isinstance(icon, str):
        errors.append(RuleError("invalid_request", "icon", f"icon must be a string, got {json_type(icon)}"))
    team = entity.get("team")
    if team is not None and not isinstance(team, str) and not (
            isinstance(team, list) and all(isinstance(t, str) for t in team)):
        errors.append(RuleError("invalid_request", "team", "team must be a string or a list of strings"))
    errors.extend(check_properties(entity.get("properties"), blueprint, partial=partial))
    errors.extend(check_relation_values(entity.get("relations"), blueprint, partial=partial))
    return errors


def check_properties(properties: Any, blueprint: Mapping[str, Any], *, partial: bool = False) -> list[RuleError]:
    schema = blueprint.get("schema") or {}
    defined = schema.get("properties") or {}
    if properties is None:
        properties = {}
    if not isinstance(properties, dict):
        return [RuleError("invalid_request", "properties", "properties must be an object")]
    errors = []
    for key, value in properties.items():
        spec = defined.get(key)
        if spec is None:
            errors.append(RuleError("invalid_request", f"properties/{key}",
                                    f"property {key!r} is not defined in blueprint {blueprint.get('identifier')!r}"))
            continue
        if value is None:
            continue  # null clears a property; only `required` forbids it
        problem = value_problem(value, spec)
        if problem:
            errors.append(RuleError("invalid_request", f"properties/{key}", problem))
    if not partial:
        errors.extend(check_required(properties, blueprint))
    return errors


def check_required(properties: Mapping[str, Any], blueprint: Mapping[str, Any]) -> list[RuleError]:
    schema = blueprint.get("schema") or {}
    return [RuleError("invalid_request", f"properties/{name}", f"required property {name!r} is missing or null")
            for name in schema.get("required") or [] if properties.get(name) is None]


def value_problem(value: Any, spec: Mapping[str, Any]) -> str | None:
    """Why ``value`` does not fit a property spec ({type, format, enum, items, …}); None = fits."""
    kind = spec.get("type")
    actual = json_type(value)
    if kind == "number":
        if actual != "number":
            return f"must be a number, got {actual}"
        if "minimum" in spec and value < spec["minimum"]:
            return f"must be >= {spec['minimum']}"
        if "maximum" in spec and value > spec["maximum"]:
            return f"must be <= {spec['maximum']}"
    elif kind in ("string", "boolean", "object", "array") and actual != kind:
        return f"must be {'an' if kind in ('object', 'array') else 'a'} {kind}, got {actual}"
    if kind == "string":
        problem = format_problem(value, spec.get("format"))
        if problem:
            return problem
        if "minLength" in spec and len(value) < spec["minLength"]:
            return f"must be at least {spec['minLength']} characters"
        if "maxLength" in spec and len(value) > spec["maxLength"]:
            return f"must be at most {spec['maxLength']} characters"
        pattern = spec.get("pattern")
        if isinstance(pattern, str):
            try:
                if not re.search(pattern, value):
                    return f"does not match pattern {pattern!r}"
            except re.error:
                pass  # a JavaScript-only pattern: Port checks it, we cannot
    if kind == "array" and isinstance(spec.get("items"), dict):
        for index, item in enumerate(value):
            problem = value_problem(item, spec["items"]) if item is not None else None
            if problem:
                return f"item {index} {problem}"
    enum = spec.get("enum")
    if isinstance(enum, list) and value not in enum:
        return f"must be one of {', '.join(map(str, enum[:10]))}"
    return None


def format_problem(value: str, fmt: Any) -> str | None:
    if fmt in ("date-time", "timer"):
        found = _DATE_TIME.match(value)
        if not found:
            return f"{value[:40]!r} is not a date-time (RFC 3339, e.g. 2026-01-31T12:00:00Z)"
        try:
            year, month, day, hour, minute, second = (int(found.group(i)) for i in range(1, 7))
            datetime(year, month, day, hour, minute, second)
        except ValueError:
            return f"{value[:40]!r} is not a valid date-time"
    elif fmt in ("email", "idn-email", "user"):
        if not _EMAIL.match(value):
            return f"{value[:40]!r} is not an email address"
    elif fmt == "url":
        parts = urlsplit(value)
        if not parts.scheme or not (parts.netloc or parts.scheme in ("mailto", "urn")):
            return f"{value[:40]!r} is not a URL (scheme://host/…)"
    elif fmt == "ipv4":
        try:
            ipaddress.IPv4Address(value)
        except ValueError:
            return f"{value[:40]!r} is not an IPv4 address"
    elif fmt == "ipv6":
        try:
            ipaddress.IPv6Address(value)
        except ValueError:
            return f"{value[:40]!r} is not an IPv6 address"
    return None


def check_relation_values(relations: Any, blueprint: Mapping[str, Any], *, partial: bool = False) -> list[RuleError]:
    defined = blueprint.get("relations") or {}
    if relations is None:
        relations = {}
    if not isinstance(relations, dict):
        return [RuleError("invalid_request", "relations", "relations must be an object")]
    errors = []
    for key, value in relations.items():
        definition = defined.get(key)
        field = f"relations/{key}"
        if definition is None:
            errors.append(RuleError("invalid_request", field,
                                    f"relation {key!r} is not defined in blueprint {blueprint.get('identifier')!r}"))
            continue
        if value is None:
            continue
        if isinstance(value, dict):
            errors.append(RuleError("invalid_request", field,
                                    "search-query relations are not supported by the embedded catalog"))
            continue
        many = bool(definition.get("many"))
        if many and not isinstance(value, list):
            errors.append(RuleError("invalid_request", field, f"relation {key!r} is many: expected a list of "
                                                            f"identifiers, got {json_type(value)}"))
            continue
        if not many and isinstance(value, list):
            errors.append(RuleError("invalid_request", field, f"relation {key!r} is single: expected one "
                                                            "identifier, got a list"))
            continue
        for target in value if isinstance(value, list) else [value]:
            problem = entity_identifier_problem(target)
            if problem:
                errors.append(RuleError("invalid_request", field, f"related {problem}"))
                break
    if not partial:
        for key, definition in defined.items():
            if isinstance(definition, dict) and definition.get("required") and relations.get(key) in (None, []):
                errors.append(RuleError("invalid_request", f"relations/{key}", f"required relation {key!r} is missing"))
    return errors


def relation_targets(relations: Mapping[str, Any] | None, blueprint: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(relation key, target blueprint, target identifier) for every related identifier."""
    out = []
    defined = blueprint.get("relations") or {}
    for key, value in (relations or {}).items():
        definition = defined.get(key)
        if not isinstance(definition, dict) or value is None:
            continue
        for target in value if isinstance(value, list) else [value]:
            if isinstance(target, str):
                out.append((key, definition["target"], target))
    return out
