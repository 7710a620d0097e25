"""Blueprint inference from mapped entities, and the diff against a blueprint the project has.

Inference looks at EVERY entity, not the first (a small sample misleads: Airbyte's lesson in
reference/anchors.md §B): JSON numbers are always ``number`` (Port has no integer type and a
``3`` today is ``3.5`` tomorrow), a ``format`` is proposed only when every non-null sample matches
it, a field seen only as null is kept as a string but listed for the user to decide, and a
property is ``required`` only when every entity has a non-null value. Mixed types are reported
rather than merged: Port has no unions, so one of the two will fail whichever we pick.

Validation of entities against a blueprint lives in :mod:`builder.port.rules`.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence, cast

from builder.port.rules import (
    FORMAT_CHECKS,
    Problem,
    blueprint_identifier_problem,
    entity_identifier_problem,
    json_type,
    key_problem,
    matches_format,
    sanitize_identifier,
    title_from_key,
    validate_entities,
)

if TYPE_CHECKING:
    from builder.engine.mapping.result import MappingResult
    from builder.project.model import Resource

__all__ = ["Inferred", "PropertyChange", "BlueprintDiff", "Problem", "infer_blueprint", "compare_blueprints",
           "merge_blueprint", "validate_entities", "validate_result"]

# Most specific first: an e-mail never matches a URL, but keep the order stable anyway.
_FORMAT_ORDER = ("date-time", "email", "url")
_EMAIL_TARGET = "_user"


@dataclass
class Inferred:
    """A proposed blueprint plus what the user should decide before adopting it."""

    blueprint: dict[str, Any]
    samples: int  # entities looked at
    null_only: list[str] = field(default_factory=list)  # typed string by default; the user decides
    mixed: dict[str, list[str]] = field(default_factory=dict)  # key → JSON types seen (majority chosen)
    unresolved_relations: list[str] = field(default_factory=list)  # target guessed or unknown
    notes: list[str] = field(default_factory=list)

    @property
    def identifier(self) -> str:
        return str(self.blueprint.get("identifier"))

    def to_json(self) -> dict[str, Any]:
        return {"blueprint": self.blueprint, "samples": self.samples, "null_only": self.null_only,
                "mixed": self.mixed, "unresolved_relations": self.unresolved_relations, "notes": self.notes}


def _entities_of(result_or_entities: MappingResult | Iterable[Any] | None) -> list[Mapping[str, Any]]:
    # A MappingResult, or any result object carrying ``entities`` (the TUI's), or the entities themselves.
    # getattr's answer is the entities whichever of the two was given (mypy cannot follow it).
    entities = cast("Iterable[Any] | None", getattr(result_or_entities, "entities", result_or_entities))
    return [e for e in (entities or []) if isinstance(e, Mapping)]


def _infer_property(key: str, values: list[Any], present: int, total: int,
                    inferred: Inferred) -> tuple[dict[str, Any], bool]:
    """(property spec, required?) for one property key from all its values."""
    non_null = [v for v in values if v is not None]
    spec: dict[str, Any] = {"title": title_from_key(key)}
    if not non_null:
        inferred.null_only.append(key)
        spec["type"] = "string"
        inferred.notes.append(f"{key}: null in all {total} entities; typed string until you decide")
        return spec, False
    types = Counter(json_type(v) for v in non_null)
    kind = types.most_common(1)[0][0]
    if len(types) > 1:
        inferred.mixed[key] = sorted(types)
        counts = ", ".join(f"{n} {t}" for t, n in sorted(types.items()))
        inferred.notes.append(f"{key}: mixed types ({counts}); chose {kind}, the other values will be "
                              "rejected by Port — fix the JQ (e.g. tostring / tonumber)")
    spec["type"] = kind
    if kind == "string":
        for fmt in _FORMAT_ORDER:
            if all(matches_format(v, fmt) for v in non_null):
                spec["format"] = fmt
                break
    elif kind == "array":
        items = [item for v in non_null if isinstance(v, list) for item in v if item is not None]
        item_types = {json_type(i) for i in items}
        if len(item_types) == 1 and next(iter(item_types)) != "array":
            item_spec: dict[str, Any] = {"type": next(iter(item_types))}
            if item_spec["type"] == "string":
                item_format = next((f for f in _FORMAT_ORDER if all(FORMAT_CHECKS[f](i) for i in items)), None)
                if item_format:
                    item_spec["format"] = item_format
            spec["items"] = item_spec
    required = present == total and len(non_null) == total and len(types) == 1
    return spec, required


def _relation_target(key: str, expr: Any, values: list[Any], known: set[str],
                     existing: Mapping[str, Any] | None,
                     known_ids: Mapping[str, Iterable[str]] | None = None) -> tuple[str, str | None]:
    """(target, note) for one relation. A note means the user should confirm the target."""
    if existing and isinstance(existing.get(key), Mapping) and existing[key].get("target"):
        return str(existing[key]["target"]), None
    if isinstance(expr, Mapping):  # a search query: a `$blueprint` rule names the target
        for rule in expr.get("rules") or []:
            if isinstance(rule, Mapping) and rule.get("property") == "$blueprint" and rule.get("value"):
                return str(rule["value"]), None
    if key in known:
        return key, None
    flat = [v for value in values for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]
    # The values themselves: identifiers of entities the builder has already mapped for a blueprint.
    overlap = {bp: len(set(flat) & set(ids)) for bp, ids in (known_ids or {}).items()}
    best = max(overlap, key=lambda bp: overlap[bp], default=None)
    if best is not None and overlap[best] > 0:
        share = overlap[best] / max(1, len(set(flat)))
        note = None if share >= 0.5 else (f"relation {key}: only {share:.0%} of its values are {best} identifiers "
                                          f"seen so far; check the target")
        return best, note
    if flat and all(FORMAT_CHECKS["email"](v) for v in flat):
        return _EMAIL_TARGET, (f"relation {key}: values are e-mails, so the target defaults to {_EMAIL_TARGET} "
                               "(Port's users); change it if they point at your own blueprint")
    return key, f"relation {key}: no known blueprint {key!r}; set its target before adopting"


def infer_blueprint(result_or_entities: MappingResult | Iterable[Any] | None, resource: Resource | None = None, identifier: str | None = None,
                    title: str | None = None, *, known_blueprints: Iterable[str] | None = None,
                    existing: Mapping[str, Any] | None = None,
                    known_identifiers: Mapping[str, Iterable[str]] | None = None,
                    propose_required: bool | None = None) -> Inferred:
    """Infer a Port blueprint from ALL entities of a resource.

    ``result_or_entities``: a ``MappingResult`` or a list of entity payloads. ``resource`` (a
    ``builder.project.model.Resource``) supplies the blueprint identifier, the relation mappings and the
    property order. ``known_blueprints``: identifiers the project knows (relation targets).
    ``existing``: the project's current blueprint, whose titles, icon and relation targets are kept.
    ``known_identifiers``: blueprint → entity identifiers already mapped (other resources' results):
    a relation whose values are such identifiers points at that blueprint.
    """
    entities = _entities_of(result_or_entities)
    total = len(entities)
    mappings: Mapping[str, Any] = getattr(resource, "mappings", None) or {}
    bp_id = identifier or (existing or {}).get("identifier") or getattr(resource, "blueprint_literal", None)
    if not bp_id:
        blueprints = {e.get("blueprint") for e in entities if isinstance(e.get("blueprint"), str)}
        bp_id = blueprints.pop() if len(blueprints) == 1 else sanitize_identifier(getattr(resource, "name", "")
                                                                                 or "entity")
    blueprint: dict[str, Any] = {"identifier": bp_id}
    inferred = Inferred(blueprint=blueprint, samples=total)
    problem = blueprint_identifier_problem(bp_id)
    if problem:
        inferred.notes.append(f"{problem}; Port will refuse the blueprint")
    blueprint["title"] = title or (existing or {}).get("title") or title_from_key(str(bp_id))
    icon = (existing or {}).get("icon")
    if icon:
        blueprint["icon"] = icon
    if total == 0:
        inferred.notes.append("no entities to infer from: run the resource first")

    # Property order: as the mapping lists them, then keys only the entities show.
    order: list[str] = [str(k) for k in (mappings.get("properties") or {})]
    for entity in entities:
        for key in (entity.get("properties") or {}):
            if key not in order:
                order.append(key)
    existing_props = ((existing or {}).get("schema") or {}).get("properties") or {}
    existing_required = set(((existing or {}).get("schema") or {}).get("required") or [])
    # Required is the user's decision: with a blueprint already in the project it stays as the
    # project has it (always-present values would otherwise turn every field into a "change"),
    # unless the caller asks for proposals; a blueprint inferred from nothing gets proposals.
    propose = existing is None if propose_required is None else propose_required
    properties: dict[str, Any] = {}
    required: list[str] = []
    for key in order:
        present = [e["properties"][key] for e in entities
                   if isinstance(e.get("properties"), Mapping) and key in e["properties"]]
        spec, is_required = _infer_property(key, present, len(present), total, inferred)
        old = existing_props.get(key) or {}
        for keep in ("title", "description", "icon"):
            if old.get(keep):
                spec[keep] = old[keep]
        properties[key] = {k: spec[k] for k in ("title", "type", "format", "items", "description", "icon")
                           if k in spec}
        if (is_required and total) if propose else key in existing_required:
            required.append(key)
        bad = key_problem(key)
        if bad:
            inferred.notes.append(f"{bad}; rename it in the mapping")
    blueprint["schema"] = {"properties": properties, "required": required}

    relation_exprs: Mapping[str, Any] = mappings.get("relations") or {}
    rel_order = [str(k) for k in relation_exprs]
    for entity in entities:
        for key in (entity.get("relations") or {}):
            if key not in rel_order:
                rel_order.append(key)
    known = set(known_blueprints or ())
    relations: dict[str, Any] = {}
    for key in rel_order:
        values = [e["relations"][key] for e in entities
                  if isinstance(e.get("relations"), Mapping) and key in e["relations"]]
        target, note = _relation_target(key, relation_exprs.get(key), values, known,
                                        (existing or {}).get("relations"), known_identifiers)
        if note:
            inferred.unresolved_relations.append(key)
            inferred.notes.append(note)
        old = ((existing or {}).get("relations") or {}).get(key) or {}
        relations[key] = {"title": old.get("title") or title_from_key(key), "target": target,
                          "required": bool(old.get("required", False)),
                          "many": any(isinstance(v, list) for v in values)}
        bad = key_problem(key, "relation key")
        if bad:
            inferred.notes.append(f"{bad}; rename it in the mapping")
        bad_values = [v for v in values if isinstance(v, str) and entity_identifier_problem(v)]
        if bad_values:
            inferred.notes.append(f"relation {key}: {len(bad_values)} value(s) are not valid identifiers, "
                                  f"e.g. {json.dumps(bad_values[0])}")
    blueprint["relations"] = relations
    return inferred


# -- compare ------------------------------------------------------------------------------------

_COMPARED = ("type", "format", "items", "required")


@dataclass
class PropertyChange:
    key: str
    old: dict[str, Any] | None  # {"type", "format", "items", "required"} as they matter to Port
    new: dict[str, Any] | None
    section: str = "properties"  # or "relations"

    def describe(self) -> str:
        def show(spec: Mapping[str, Any] | None) -> str:
            if spec is None:
                return "—"
            parts = [str(spec.get("type") or spec.get("target"))]
            if spec.get("format"):
                parts.append(f"format {spec['format']}")
            if spec.get("items"):
                parts.append(f"items {json.dumps(spec['items'], sort_keys=True)}")
            if spec.get("many"):
                parts.append("many")
            if spec.get("required"):
                parts.append("required")
            return ", ".join(parts)

        return f"{self.section}.{self.key}: {show(self.old)} → {show(self.new)}"


@dataclass
class BlueprintDiff:
    added: list[PropertyChange] = field(default_factory=list)
    removed: list[PropertyChange] = field(default_factory=list)
    changed: list[PropertyChange] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def lines(self) -> list[str]:
        out = [f"+ {c.describe()}" for c in self.added]
        out += [f"- {c.describe()}" for c in self.removed]
        out += [f"~ {c.describe()}" for c in self.changed]
        return out

    def to_json(self) -> dict[str, Any]:
        def row(c: PropertyChange) -> dict[str, Any]:
            return {"section": c.section, "key": c.key, "old": c.old, "new": c.new}

        return {"added": [row(c) for c in self.added], "removed": [row(c) for c in self.removed],
                "changed": [row(c) for c in self.changed]}


def _essentials(blueprint: Mapping[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    schema = blueprint.get("schema") or {}
    required = set(schema.get("required") or [])
    props = {}
    for key, spec in (schema.get("properties") or {}).items():
        spec = spec or {}
        props[key] = {k: spec.get(k) for k in ("type", "format", "items") if spec.get(k) is not None}
        props[key]["required"] = key in required
    relations = {}
    for key, spec in (blueprint.get("relations") or {}).items():
        spec = spec or {}
        relations[key] = {"target": spec.get("target"), "many": bool(spec.get("many")),
                          "required": bool(spec.get("required"))}
    return {"properties": props, "relations": relations}


def compare_blueprints(inferred: Inferred | Mapping[str, Any], existing: Mapping[str, Any] | None) -> BlueprintDiff:
    """What adopting ``inferred`` would change in ``existing`` (None = a new blueprint)."""
    new = _essentials(inferred.blueprint if isinstance(inferred, Inferred) else inferred)
    old = _essentials(existing or {})
    diff = BlueprintDiff()
    for section in ("properties", "relations"):
        for key, spec in new[section].items():
            if key not in old[section]:
                diff.added.append(PropertyChange(key, None, spec, section))
            elif old[section][key] != spec:
                diff.changed.append(PropertyChange(key, old[section][key], spec, section))
        for key, spec in old[section].items():
            if key not in new[section]:
                diff.removed.append(PropertyChange(key, spec, None, section))
    return diff


def merge_blueprint(existing: Mapping[str, Any] | None, inferred: Inferred | Mapping[str, Any], *,
                    drop_removed: bool = False) -> dict[str, Any]:
    """``existing`` with the inferred properties and relations adopted.

    Everything inference cannot know is kept: description, icon, calculation / mirror /
    aggregation properties, titles the user wrote. Properties the entities no longer carry stay
    unless ``drop_removed`` (deleting one in Port deletes its stored values).
    """
    proposal = inferred.blueprint if isinstance(inferred, Inferred) else inferred
    if not existing:
        return copy.deepcopy(dict(proposal))
    out = copy.deepcopy(dict(existing))
    schema = out.setdefault("schema", {})
    props = schema.setdefault("properties", {})
    new_schema = proposal.get("schema") or {}
    for key, spec in (new_schema.get("properties") or {}).items():
        merged = dict(props.get(key) or {})
        for k in ("type", "format", "items"):
            merged.pop(k, None)
        merged.update({k: v for k, v in spec.items() if k in ("type", "format", "items")})
        merged.setdefault("title", spec.get("title"))
        props[key] = merged
    if drop_removed:
        for key in [k for k in props if k not in (new_schema.get("properties") or {})]:
            del props[key]
    kept_required = [k for k in schema.get("required") or [] if k in props and not drop_removed
                     and k not in (new_schema.get("properties") or {})]
    schema["required"] = list(new_schema.get("required") or []) + kept_required
    relations = out.setdefault("relations", {})
    for key, spec in (proposal.get("relations") or {}).items():
        merged = dict(relations.get(key) or {})
        merged.update({k: v for k, v in spec.items() if k in ("target", "many") or k not in merged})
        relations[key] = merged
    if drop_removed:
        for key in [k for k in relations if k not in (proposal.get("relations") or {})]:
            del relations[key]
    return out


def validate_result(result_or_entities: MappingResult | Iterable[Any] | None, blueprint: Mapping[str, Any], *,
                    known_blueprints: Iterable[str] | None = None) -> list[Problem]:
    """``validate_entities`` over a ``MappingResult``, with problem indexes mapped to record numbers."""
    entities: Sequence[Mapping[str, Any]] = _entities_of(result_or_entities)
    problems = validate_entities(entities, blueprint, known_blueprints=known_blueprints)
    # Calculation properties: Port computes them on read and keeps a value of the wrong type, so a
    # mismatch with the declared type is a warning, not a rejected entity.
    from builder.port.calculations import definition_problems, value_problems

    problems += [Problem(0, None, field, "calculation", message, "warning")
                 for field, message in definition_problems(blueprint)]
    problems += [Problem(index, entities[index].get("identifier"), field, "calculation_type", message, "warning")
                 for index, field, message in value_problems(blueprint, entities)]
    records = getattr(result_or_entities, "entity_records", None)
    if not records:
        return problems
    return [Problem(records[p.index], p.identifier, p.field, p.code, p.message, p.severity) for p in problems]
