"""What applying the project's blueprints would change, and the requests that apply it.

Pure (no I/O): :class:`builder.port.client.PortClient` fetches what the target has and sends the
requests; the sync plan shows the result. Ocean's staging (reference/ocean-port.md §4,
``default_origin_setup.py``): every new blueprint is created bare, then relations are added, then
the full definition — so no request references a blueprint that does not exist yet.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Mapping

#: Parts Ocean leaves out of the first, bare create (they may reference other blueprints).
_LATER_KEYS = ("relations", "mirrorProperties", "calculationProperties", "aggregationProperties", "ownership",
               "teamInheritance")
_SERVER_KEYS = ("createdAt", "updatedAt", "createdBy", "updatedBy")


@dataclass
class BlueprintChange:
    identifier: str
    action: str  # create | update | unchanged
    definition: dict[str, Any]  # what is sent (relations to missing targets removed)
    # (relation, missing target blueprint; None when the relation names no target)
    stripped: list[tuple[str, str | None]] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # in Port but not in the project: kept, not deleted


@dataclass
class BlueprintReport:
    changes: list[BlueprintChange]  # dependency order: relation targets first
    errors: dict[str, str] = field(default_factory=dict)  # blueprint → why it could not be applied

    def change(self, identifier: str) -> BlueprintChange | None:
        return next((c for c in self.changes if c.identifier == identifier), None)



def _dependency_order(blueprints: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_id = {bp["identifier"]: bp for bp in blueprints}
    done: dict[str, None] = {}
    visiting: set[str] = set()

    def visit(identifier: str) -> None:
        if identifier in done or identifier in visiting:
            return  # cycles are fine: bare-first creation never needs the other side to exist
        visiting.add(identifier)
        for relation in (by_id[identifier].get("relations") or {}).values():
            target = relation.get("target") if isinstance(relation, dict) else None
            if isinstance(target, str) and target in by_id and target != identifier:
                visit(target)
        visiting.discard(identifier)
        done[identifier] = None

    for bp in blueprints:
        visit(bp["identifier"])
    return [by_id[i] for i in done]


def _empty(value: Any) -> bool:
    return value in (None, {}, [])


def plan_blueprint_changes(blueprints: list[dict[str, Any]],
                           existing: Mapping[str, dict[str, Any] | None]) -> BlueprintReport:
    """Compare the project's blueprints with Port's (``existing``: id → blueprint or None).

    Relations whose target neither is in the project nor exists in Port (Port's ``_user`` on the
    embedded catalog, a ``service`` blueprint nobody created) are stripped — reported, not fatal.
    An existing blueprint is never narrowed: its properties and relations that the project does
    not define are kept, so an update cannot drop data already in Port.
    """
    wanted = {bp["identifier"] for bp in blueprints}
    available = wanted | {key for key, value in existing.items() if value is not None}
    changes = []
    for bp in _dependency_order(blueprints):
        definition = {k: copy.deepcopy(v) for k, v in bp.items() if k not in _SERVER_KEYS}
        relations = definition.get("relations") or {}
        stripped = [(name, rel.get("target")) for name, rel in relations.items()
                    if isinstance(rel, dict) and rel.get("target") not in available]
        for name, _ in stripped:
            relations.pop(name)
        mirrors = definition.get("mirrorProperties") or {}
        for key in [k for k, m in mirrors.items()
                    if isinstance(m, dict) and str(m.get("path", "")).split(".", 1)[0] in dict(stripped)]:
            mirrors.pop(key)
        current = existing.get(bp["identifier"])
        if current is None:
            changes.append(BlueprintChange(bp["identifier"], "create", definition, stripped))
            continue
        schema = definition.setdefault("schema", {})
        own_props = schema.get("properties") or {}
        port_props = (current.get("schema") or {}).get("properties") or {}
        kept = [name for name in port_props if name not in own_props]
        schema["properties"] = {**{k: port_props[k] for k in kept}, **own_props}
        port_relations = current.get("relations") or {}
        kept_relations = [name for name in port_relations if name not in relations]
        definition["relations"] = {**{k: port_relations[k] for k in kept_relations}, **relations}
        kept += [f"relations.{name}" for name in kept_relations]
        same = all(
            (_empty(value) and _empty(current.get(key))) or value == current.get(key)
            for key, value in definition.items() if key != "identifier"
        )
        changes.append(BlueprintChange(bp["identifier"], "unchanged" if same else "update", definition,
                                       stripped, kept))
    return BlueprintReport(changes)


def staged_requests(report: BlueprintReport) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(stage, blueprint, method, body) in Ocean's order: all bare creates, then relations, then
    full definitions (creates and updates)."""
    creates = [c for c in report.changes if c.action == "create"]
    out: list[tuple[str, str, str, dict[str, Any]]] = []
    for change in creates:
        bare = {k: v for k, v in change.definition.items() if k not in _LATER_KEYS}
        out.append(("create", change.identifier, "POST", bare))
    for change in creates:
        if change.definition.get("relations"):
            out.append(("relations", change.identifier, "PATCH", {"relations": change.definition["relations"]}))
    for change in report.changes:
        if change.action == "update" or (change.action == "create" and any(
                not _empty(change.definition.get(k)) for k in _LATER_KEYS if k != "relations")):
            out.append(("definition", change.identifier, "PATCH", change.definition))
    return out
