"""Port's own rules for blueprints and entities, and entity validation the way Port applies them.

Sources: reference/ocean-port.md §4 (OpenAPI patterns of the Port REST API) and the JSON-schema
formats Port validates with. Python's ``re`` has no ``\\p{L}``, so the Unicode-letter class of
Port's identifier pattern is checked with ``str.isalpha`` instead of a regex.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from builder.engine.jsonpaths import json_type

ENTITY_ID_MAX = 1000
BLUEPRINT_ID_MAX = 100
KEY_MAX = 100
TITLE_MAX = 100

_ENTITY_ID_EXTRA = set("0123456789@_.+:\\/=-")
_BLUEPRINT_ID_EXTRA = _ENTITY_ID_EXTRA - {"="}
_KEY = re.compile(r"^[A-Za-z0-9@_=\\-]+$")

PROPERTY_TYPES = ("string", "number", "boolean", "object", "array")
PORT_FORMATS = ("date-time", "url", "email", "idn-email", "ipv4", "ipv6", "markdown", "yaml", "user",
                "blueprints", "team", "timer", "proto", "labeled-url")

# The formats inference proposes. The patterns follow ajv-formats (what Port validates with):
# RFC 3339 date-time with a mandatory offset, ajv's "fast" email, and absolute http(s)/ftp URLs.
_DATE_TIME = re.compile(
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?"
    r"([Zz]|[+-]([01]\d|2[0-3]):?[0-5]\d)$")
_EMAIL = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@"
                    r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$", re.IGNORECASE)
_URL = re.compile(r"^(?:https?|ftp)://[^\s/?#.][^\s]*$", re.IGNORECASE)
FORMAT_CHECKS = {"date-time": _DATE_TIME.match, "email": _EMAIL.match, "url": _URL.match}


def _identifier_problem(value: Any, extra: set[str], max_len: int, what: str) -> str | None:
    if not isinstance(value, str):
        return f"{what} must be a string, got {json_type(value)} {short(value)}"
    if not value:
        return f"{what} is empty"
    if len(value) > max_len:
        return f"{what} is {len(value)} characters long; Port allows at most {max_len}"
    if value in (".", ".."):
        return f"{what} cannot be {value!r}"
    bad = sorted({ch for ch in value if not (ch in extra or ch.isalpha())})
    if bad:
        shown = " ".join("space" if ch == " " else repr(ch) for ch in bad[:5])
        allowed = "letters, digits and " + " ".join(sorted(extra - set("0123456789")))
        return f"{what} {short(value)} contains {shown}; Port allows only {allowed}"
    return None


def entity_identifier_problem(value: Any) -> str | None:
    """Port's ``^(?!\\.{1,2}$)[\\p{L}0-9@_.+:\\\\/=-]+$``, max 1000; None when valid."""
    return _identifier_problem(value, _ENTITY_ID_EXTRA, ENTITY_ID_MAX, "identifier")


def blueprint_identifier_problem(value: Any) -> str | None:
    """The entity rule without ``=``, max 100."""
    return _identifier_problem(value, _BLUEPRINT_ID_EXTRA, BLUEPRINT_ID_MAX, "blueprint identifier")


def key_problem(value: Any, what: str = "property key") -> str | None:
    """Property, relation and calculation keys: ``^[A-Za-z0-9@_=\\\\-]+$``, max 100."""
    if not isinstance(value, str) or not _KEY.match(value):
        return f"{what} {value!r} may only hold A-Z a-z 0-9 @ _ = \\ -"
    if len(value) > KEY_MAX:
        return f"{what} {value[:20]!r}… is longer than {KEY_MAX} characters"
    return None


def sanitize_identifier(text: str, *, blueprint: bool = True) -> str:
    """A valid identifier derived from free text (e.g. a resource name) for a default."""
    extra = _BLUEPRINT_ID_EXTRA if blueprint else _ENTITY_ID_EXTRA
    out = "".join(ch if (ch in extra or ch.isalpha()) else "_" for ch in text.strip().strip("/"))
    out = re.sub(r"_+", "_", out).strip("_.") or "entity"
    return out[:BLUEPRINT_ID_MAX if blueprint else ENTITY_ID_MAX]


def title_from_key(key: str) -> str:
    """``totalLinesAdded`` / ``total_lines_added`` / ``cursor-usage`` → ``Total Lines Added``."""
    words = re.findall(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+", key)
    if not words:
        return key[:TITLE_MAX] or "Untitled"
    return " ".join(w if w.isupper() and len(w) > 1 else w.capitalize() for w in words)[:TITLE_MAX]


def matches_format(value: Any, fmt: str) -> bool:
    """True when ``value`` satisfies ``fmt``; formats we do not check are accepted."""
    check = FORMAT_CHECKS.get(fmt)
    if check is None:
        return True
    return isinstance(value, str) and check(value) is not None


def short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit - 1] + "…"


# -- validation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One reason Port would reject (or mis-store) an entity."""

    index: int  # position of the entity in the list given (the record order of the sync)
    identifier: Any
    field: str  # "identifier", "properties.x", "relations.y", "blueprint", "title"
    code: str
    message: str
    severity: str = "error"

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "identifier": self.identifier, "field": self.field, "code": self.code,
                "severity": self.severity, "message": self.message}

    def __str__(self) -> str:
        return f"record {self.index} ({short(self.identifier, 40)}): {self.field}: {self.message}"


def value_problem(value: Any, spec: Mapping[str, Any]) -> tuple[str, str] | None:
    """(code, message) when ``value`` does not fit a property ``spec``; null is handled by the caller."""
    expected = spec.get("type")
    actual = json_type(value)
    if expected in PROPERTY_TYPES and actual != expected:
        return "type", f"expected {expected}, got {actual} {short(value)}"
    fmt = spec.get("format")
    if isinstance(value, str) and fmt and not matches_format(value, fmt):
        return "format", f"{short(value)} is not a valid {fmt}"
    enum = spec.get("enum")
    if isinstance(enum, list) and value not in enum:
        return "enum", f"{short(value)} is not one of {short(enum)}"
    if expected == "array" and isinstance(spec.get("items"), dict):
        for position, element in enumerate(value):
            found = value_problem(element, spec["items"]) if element is not None else None
            if found:
                return found[0], f"item {position}: {found[1]}"
    return None


def validate_entities(entities: Sequence[Mapping[str, Any]], blueprint: Mapping[str, Any], *,
                      known_blueprints: Iterable[str] | None = None) -> list[Problem]:
    """Every problem Port would report for these entities (one bulk sync), in record order."""
    problems: list[Problem] = []
    schema = blueprint.get("schema") or {}
    props: dict[str, Any] = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    relations: dict[str, Any] = blueprint.get("relations") or {}
    known = set(known_blueprints) if known_blueprints is not None else None
    bp_id = blueprint.get("identifier")
    seen: dict[str, int] = {}
    warned_targets: set[str] = set()  # a blueprint-level fact: say it once, at the first entity using it
    for index, entity in enumerate(entities):
        ident = entity.get("identifier")

        def add(field: str, code: str, message: str, severity: str = "error", index: int = index,
                ident: Any = ident) -> None:
            problems.append(Problem(index, ident, field, code, message, severity))

        if not isinstance(ident, dict):  # a search-query identifier is resolved by Port
            found = entity_identifier_problem(ident)
            if found:
                add("identifier", "identifier", found)
            elif isinstance(ident, str):  # always, once valid: the check narrows it for the type checker
                if ident in seen:
                    add("identifier", "duplicate", f"same identifier as record {seen[ident]}; the later one "
                        "overwrites it in Port, so one entity is lost")
                else:
                    seen[ident] = index
        if bp_id is not None and entity.get("blueprint") != bp_id:
            add("blueprint", "blueprint", f"entity goes to blueprint {short(entity.get('blueprint'))}, "
                f"not {bp_id!r}")
        title = entity.get("title")
        if title is not None and not isinstance(title, str):
            add("title", "type", f"title must be a string, got {json_type(title)} {short(title)}")
        values = entity.get("properties")
        values = values if isinstance(values, dict) else {}
        for key, value in values.items():
            spec = props.get(key)
            if spec is None:
                add(f"properties.{key}", "unknown_property", f"blueprint {bp_id!r} has no property {key!r}")
                continue
            if value is None:
                continue
            mismatch = value_problem(value, spec)
            if mismatch:
                add(f"properties.{key}", mismatch[0], mismatch[1])
        for key in sorted(required):
            if values.get(key) is None:
                add(f"properties.{key}", "required", "required by the blueprint but "
                    + ("missing" if key not in values else "null"))
        links = entity.get("relations")
        links = links if isinstance(links, dict) else {}
        for key, value in links.items():
            spec = relations.get(key)
            if spec is None:
                add(f"relations.{key}", "unknown_relation", f"blueprint {bp_id!r} has no relation {key!r}")
                continue
            for code, message, severity in relation_problems(value, spec, known):
                if code == "unknown_target":
                    if key in warned_targets:
                        continue
                    warned_targets.add(key)
                problems.append(Problem(index, ident, f"relations.{key}", code, message, severity))
        for key, spec in relations.items():
            if spec.get("required") and links.get(key) in (None, []):
                add(f"relations.{key}", "required", "required relation is missing or null")
    return problems


def relation_problems(value: Any, spec: Mapping[str, Any],
                      known: set[str] | None) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    target = spec.get("target")
    if known is not None and target and not str(target).startswith("_") and target not in known:
        out.append(("unknown_target", f"target blueprint {target!r} is not defined", "warning"))
    if value is None or isinstance(value, dict):  # null clears; a dict is a search query
        return out
    many = bool(spec.get("many"))
    if isinstance(value, list):
        if not many:
            out.append(("many", f"relation is single (many: false) but got a list {short(value)}", "error"))
            return out
        for position, item in enumerate(value):
            found = entity_identifier_problem(item)
            if found:
                out.append(("relation_value", f"item {position}: {found}", "error"))
        return out
    if many:
        out.append(("many", f"relation is many: true, so Port expects a list, got {short(value)}", "error"))
        return out
    found = entity_identifier_problem(value)
    if found:
        out.append(("relation_value", found, "error"))
    return out
