"""Blueprints JSON in creation order: every relation target before the blueprint that points at it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Sequence

if TYPE_CHECKING:
    from builder.project.model import Project


@dataclass
class BlueprintOrder:
    blueprints: list[dict[str, Any]]
    external_targets: dict[str, list[str]] = field(default_factory=dict)  # target → blueprints using it
    cycles: list[str] = field(default_factory=list)  # blueprints left in a relation cycle

    def notes(self) -> list[str]:
        out = []
        for target, users in self.external_targets.items():
            kind = "Port's built-in blueprint" if target.startswith("_") else "NOT in this project: create it first"
            out.append(f"relation target {target} ({kind}) is used by {', '.join(users)}")
        if self.cycles:
            out.append("relation cycle between " + ", ".join(self.cycles) + ": create them without relations "
                       "first, then PATCH the relations in (Ocean does the same)")
        return out


def _targets(blueprint: Mapping[str, Any]) -> list[str]:
    out = []
    for spec in (blueprint.get("relations") or {}).values():
        if isinstance(spec, Mapping) and isinstance(spec.get("target"), str):
            out.append(spec["target"])
    return out


def creation_order(blueprints: Sequence[Mapping[str, Any]]) -> BlueprintOrder:
    """Topological sort (stable: project order breaks ties)."""
    ids = [str(b.get("identifier")) for b in blueprints]
    by_id = {str(b.get("identifier")): b for b in blueprints}
    deps = {i: [t for t in _targets(by_id[i]) if t in by_id and t != i] for i in ids}
    order = BlueprintOrder([])
    for i in ids:
        for target in _targets(by_id[i]):
            if target not in by_id:
                users = order.external_targets.setdefault(target, [])
                if i not in users:
                    users.append(i)
    done: set[str] = set()
    remaining = list(ids)
    while remaining:
        ready = next((i for i in remaining if all(d in done for d in deps[i])), None)
        if ready is None:
            order.cycles += [i for i in remaining if i not in order.cycles]
            ready = remaining[0]
        order.blueprints.append(dict(by_id[ready]))
        done.add(ready)
        remaining.remove(ready)
    return order


def blueprints_json(project: Project) -> str:
    order = creation_order(project.blueprints)
    return json.dumps(order.blueprints, indent=2, ensure_ascii=False) + "\n"
