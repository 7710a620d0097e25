"""Ocean's ``Entity`` model, emulated: which entities it keeps, the payload it sends, the batches it loses.

Ocean builds each entity with ``Entity.parse_obj(...)`` (pydantic v1) and sends
``.dict(exclude_unset=True, by_alias=True)``: key order, str coercion of icon and team, and the rule
that identifier and blueprint must be truthy *Python* values all shape the payload byte for byte.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from builder.engine.jsonpaths import json_type_phrase
from builder.engine.mapping.result import Dropped, MappingResult


def falsy_key(entity: dict[str, Any]) -> tuple[str, str] | None:
    # Ocean keeps an entity only if identifier and blueprint are truthy *Python* values.
    for key in ("identifier", "blueprint"):
        value = entity.get(key)
        if not value:
            shown = "missing" if key not in entity else json.dumps(value)
            return key, f"{key} is {shown}; Ocean drops entities whose {key} is null, empty, 0 or false"
    return None


_ENTITY_ORDER = ("identifier", "icon", "blueprint", "title", "team", "properties", "relations")


def _pydantic_str(value: Any) -> Any:
    """pydantic v1's str coercion, which Ocean's Entity model applies to icon and team."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):  # bool included: str(True) == "True"
        return str(value)
    raise TypeError


def to_payload(entity: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """``Entity.parse_obj(entity).dict(exclude_unset=True, by_alias=True)`` without pydantic."""
    payload: dict[str, Any] = {}
    for key in _ENTITY_ORDER:
        if key not in entity:
            continue
        value = entity[key]
        if key == "icon":
            try:
                value = _pydantic_str(value)
            except TypeError:
                return {}, f"icon is {json_type_phrase(value)}; Ocean's Entity model rejects it and fails the batch"
        elif key == "team" and not isinstance(value, (list, dict)):
            try:
                value = _pydantic_str(value)
            except TypeError:
                return {}, "team is not a string, list or object; Ocean's Entity model rejects it"
        elif key in ("properties", "relations") and not isinstance(value, dict):
            return {}, f"{key} is not an object; Ocean's Entity model rejects it"
        payload[key] = value
    return payload, None


def lose_failed_batches(result: MappingResult, batches: Sequence[Any]) -> None:
    """Ocean builds every entity with ``Entity.parse_obj`` inside ``parse_items``: one rejection
    raises out of it and the batch's other entities are never sent either."""
    failed = {batches[drop.record]: drop.record for drop in result.dropped
              if drop.stage == "entity" and drop.record is not None}
    if not failed:
        return
    entities: list[dict[str, Any]] = []
    entity_records: list[int] = []
    for entity, record in zip(result.entities, result.entity_records):
        culprit = failed.get(batches[record])
        if culprit is None:
            entities.append(entity)
            entity_records.append(record)
        else:
            result.dropped.append(Dropped("entity", f"lost with its batch: Ocean's Entity model rejected record "
                                          f"{culprit}, which fails every entity of the same batch", record=record))
    result.entities, result.entity_records = entities, entity_records
