"""Calculation and mirror properties, computed the way Port computes them when an entity is read.

Port evaluates a blueprint's ``calculationProperties`` on every read (its entity APIs take
``exclude_calculated_properties``), never stores them, and runs them with Port's jq binding
(reference/port-dashboards.md §3.2–3.3):

* the input is the entity object, ``{identifier, title, icon, team, blueprint, properties,
  relations}``, where ``properties`` holds the schema properties plus mirror (and aggregation)
  properties but **not** other calculation properties (Port forbids that; they read as null);
* the program is rewritten like the binding does (single quotes → double quotes, ``env`` and
  ``$ENV`` are ``{}``), which is exactly Ocean's rewrite: ``jqrt.first(..., env_access=False)``;
* only the **first** output counts; no output and any compile or runtime error give ``null``.

The declared ``type`` is not enforced by Port's binding; ``type_problem`` tells the validation
and the preview when a value does not fit it. Mirror properties follow a relation path to a
related entity that is present locally (``resolve``); a missing target gives null.
Aggregation properties are out of scope: Port recomputes them every 15 minutes over related
entities with the widget semantics, which a local preview cannot observe; they read as absent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from builder.engine import jqnative, jqrt
from builder.port.rules import PROPERTY_TYPES, json_type, key_problem, short

#: ``resolve(blueprint, identifier)`` → the related entity (Port's shape) or None when not present.
Resolver = Callable[[str, str], "Mapping[str, Any] | None"]

#: Meta properties a mirror path may end with, and where they live on the entity.
_META = {"$identifier": "identifier", "$title": "title", "$icon": "icon", "$team": "team",
         "$blueprint": "blueprint", "$createdAt": "createdAt", "$updatedAt": "updatedAt",
         "$createdBy": "createdBy", "$updatedBy": "updatedBy"}

#: Keys of Port's entity object a calculation sees at the top level.
_ENTITY_KEYS = ("identifier", "title", "icon", "team", "blueprint", "properties", "relations",
                "createdAt", "updatedAt", "createdBy", "updatedBy")


@dataclass(frozen=True)
class Calculated:
    """One calculation property on one entity: the value Port returns, and what happened."""

    key: str
    value: Any
    status: str  # "ok" | "null" | "empty" | "error"
    error: str | None = None
    type_problem: str | None = None  # the value does not fit the declared type (Port keeps it)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value, "status": self.status}
        if self.error:
            out["error"] = self.error
        if self.type_problem:
            out["typeProblem"] = self.type_problem
        return out


def calculation_properties(blueprint: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    found = (blueprint or {}).get("calculationProperties")
    return {k: v for k, v in found.items() if isinstance(v, dict)} if isinstance(found, dict) else {}


def mirror_properties(blueprint: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    found = (blueprint or {}).get("mirrorProperties")
    return {k: v for k, v in found.items() if isinstance(v, dict)} if isinstance(found, dict) else {}


def port_entity(entity: Mapping[str, Any]) -> dict[str, Any]:
    """Port's stored form of an entity payload: ``team`` is a list, absent sections are empty."""
    out: dict[str, Any] = {k: entity[k] for k in _ENTITY_KEYS if k in entity}
    team = out.get("team")
    out["team"] = [] if team is None else (team if isinstance(team, list) else [team])
    out["properties"] = dict(entity.get("properties") or {})
    out["relations"] = dict(entity.get("relations") or {})
    return out


def calculation_input(entity: Mapping[str, Any], blueprint: Mapping[str, Any] | None = None,
                      mirrors: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The object a calculation runs on: the entity with mirror values in ``properties`` and
    every calculation property removed (one calculation never sees another's value)."""
    shaped = port_entity(entity)
    props = shaped["properties"]
    for key in calculation_properties(blueprint):
        props.pop(key, None)
    if mirrors:
        props.update(mirrors)
    return shaped


def evaluate(calculation: Any, data: Any) -> jqrt.Outcome:
    """Port's binding on one entity: first output; an error or no output is null."""
    if not isinstance(calculation, str):
        return jqrt.Outcome("error", None, "the calculation is not a jq string")
    # The compiled fast path (10x cheaper on a table of thousands of rows) where it is sure; jq for
    # the rest, and for env / $ENV, which Port's binding empties.
    if "env" not in calculation.lower() and jqrt.check(calculation) is None:
        found = jqnative.first(calculation, data)
        if found is not None and found.status != "error":
            return found
    return jqrt.first(calculation, data, env_access=False)


def type_problem(value: Any, declared: Any) -> str | None:
    """Why ``value`` does not fit a calculation's ``type`` (null always fits)."""
    if value is None or declared not in PROPERTY_TYPES:
        return None
    actual = json_type(value)
    return None if actual == declared else f"declared {declared}, computed {actual} {short(value)}"


def mirror_values(blueprint: Mapping[str, Any], entity: Mapping[str, Any],
                  blueprints: Mapping[str, Mapping[str, Any]], resolve: Resolver | None) -> dict[str, Any]:
    """Each mirror property's value, following its relation path through entities present locally.

    A ``many`` relation gives the list of values of its targets (our choice; Port's is open,
    reference §5 q13); a relation that is unset or whose target is absent gives null."""
    out: dict[str, Any] = {}
    for key, spec in mirror_properties(blueprint).items():
        path = spec.get("path")
        out[key] = _follow(str(path).split("."), blueprint, entity, blueprints, resolve) \
            if isinstance(path, str) and resolve is not None else None
    return out


def _follow(steps: list[str], blueprint: Mapping[str, Any], entity: Mapping[str, Any],
            blueprints: Mapping[str, Mapping[str, Any]], resolve: Resolver) -> Any:
    if len(steps) == 1:
        last = steps[0]
        if last in _META:
            return entity.get(_META[last])
        return (entity.get("properties") or {}).get(last)
    relation, rest = steps[0], steps[1:]
    spec = (blueprint.get("relations") or {}).get(relation)
    target_bp = spec.get("target") if isinstance(spec, dict) else None
    linked = (entity.get("relations") or {}).get(relation)
    if not isinstance(target_bp, str) or linked is None:
        return None
    target_blueprint = blueprints.get(target_bp) or {"identifier": target_bp}

    def one(identifier: Any) -> Any:
        if not isinstance(identifier, str):
            return None
        found = resolve(target_bp, identifier)
        return None if found is None else _follow(rest, target_blueprint, found, blueprints, resolve)

    if isinstance(linked, list):
        return [one(identifier) for identifier in linked]
    return one(linked)


def calculate(blueprint: Mapping[str, Any] | None, entity: Mapping[str, Any], *,
              blueprints: Mapping[str, Mapping[str, Any]] | None = None,
              resolve: Resolver | None = None) -> dict[str, Calculated]:
    """Every calculation property of ``blueprint`` on ``entity`` (an Ocean payload or a stored entity)."""
    calcs = calculation_properties(blueprint)
    if not calcs:
        return {}
    mirrors = mirror_values(blueprint or {}, entity, blueprints or {}, resolve) if mirror_properties(blueprint) else {}
    data = calculation_input(entity, blueprint, mirrors)
    out: dict[str, Calculated] = {}
    for key, spec in calcs.items():
        outcome = evaluate(spec.get("calculation"), data)
        value = outcome.value if outcome.status == "ok" else None
        out[key] = Calculated(key, value, outcome.status, outcome.error, type_problem(value, spec.get("type")))
    return out


def calculated_values(blueprint: Mapping[str, Any] | None, entity: Mapping[str, Any], **kwargs: Any) -> dict[str, Any]:
    """``{key: value}``: what Port shows in the entity's calculation properties."""
    return {key: found.value for key, found in calculate(blueprint, entity, **kwargs).items()}


def as_read(blueprint: Mapping[str, Any] | None, entity: Mapping[str, Any], *,
            blueprints: Mapping[str, Mapping[str, Any]] | None = None, resolve: Resolver | None = None,
            exclude_calculated: bool = False) -> dict[str, Any]:
    """The entity as Port's read APIs return it: mirror and (unless excluded) calculation
    properties merged into ``properties``. The stored entity is not changed."""
    mirrors = mirror_values(blueprint or {}, entity, blueprints or {}, resolve) if mirror_properties(blueprint) else {}
    calcs = {} if exclude_calculated else calculated_values(blueprint, entity, blueprints=blueprints, resolve=resolve)
    if not mirrors and not calcs:
        return dict(entity)
    out = dict(entity)
    out["properties"] = {**(entity.get("properties") or {}), **mirrors, **calcs}
    return out


def definition_problems(blueprint: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, message) for calculation definitions Port would refuse: key, ``type``, ``calculation``."""
    out: list[tuple[str, str]] = []
    raw = blueprint.get("calculationProperties")
    if raw is None:
        return out
    if not isinstance(raw, dict):
        return [("calculationProperties", "calculationProperties must be an object")]
    schema_keys = set((blueprint.get("schema") or {}).get("properties") or {})
    for key, spec in raw.items():
        where = f"calculationProperties/{key}"
        found = key_problem(key, "calculation property key")
        if found:
            out.append((where, found))
        if not isinstance(spec, dict):
            out.append((where, "each calculation property must be an object"))
            continue
        if key in schema_keys:
            out.append((where, f"{key!r} is also a schema property; an identifier names one property"))
        if spec.get("type") not in PROPERTY_TYPES:
            out.append((where, f"type must be one of {', '.join(PROPERTY_TYPES)}, got {short(spec.get('type'))}"))
        calculation = spec.get("calculation")
        if not isinstance(calculation, str) or not calculation.strip():
            out.append((where, "calculation (a jq expression) is required"))
        else:
            error = jqrt.check(calculation)
            if error:
                out.append((where, f"calculation does not compile: {error} (Port shows null for every entity)"))
    return out


def value_problems(blueprint: Mapping[str, Any], entities: Iterable[Mapping[str, Any]]) -> list[tuple[int, str, str]]:
    """(entity index, field, message) where a computed value does not fit its declared type."""
    out: list[tuple[int, str, str]] = []
    for index, entity in enumerate(entities):
        for key, found in calculate(blueprint, entity).items():
            if found.type_problem:
                out.append((index, f"calculationProperties.{key}", found.type_problem))
    return out


def preview_calculations(blueprints: Mapping[str, Mapping[str, Any]], entities: Iterable[Mapping[str, Any]],
                         *, mirrors: bool = True) -> list[dict[str, Any]]:
    """``preview --format json``'s ``calculated`` list: per entity whose blueprint has calculation
    properties, ``{index, identifier, blueprint, properties}`` (index into ``entities``). Kept apart
    from the entities so that they stay byte-identical to what Ocean sends; mirror properties see
    the related entities of the same preview only."""
    # ``mirrors=False`` (a streamed preview): one entity at a time, no related entities kept in memory.
    listed = list(entities) if mirrors else entities
    present = {(e.get("blueprint"), e.get("identifier")): e for e in listed} if mirrors else {}

    def resolve(bp: str, identifier: str) -> Mapping[str, Any] | None:
        return present.get((bp, identifier))

    out: list[dict[str, Any]] = []
    for index, entity in enumerate(listed):
        blueprint = blueprints.get(str(entity.get("blueprint")))
        if not calculation_properties(blueprint):
            continue
        found = calculate(blueprint, entity, blueprints=blueprints, resolve=resolve)
        out.append({"index": index, "identifier": entity.get("identifier"), "blueprint": entity.get("blueprint"),
                    "properties": {key: c.value for key, c in found.items()}})
    return out


__all__ = ["Calculated", "Resolver", "as_read", "calculate", "calculated_values", "calculation_input",
           "calculation_properties", "definition_problems", "evaluate", "mirror_properties", "mirror_values",
           "port_entity", "preview_calculations", "type_problem", "value_problems"]
