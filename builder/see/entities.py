"""Where a dashboard's entities come from, in the shape Port's read API returns them.

Two sources: the **preview** (fetch each resource whose blueprint a page uses, map it exactly as Ocean
would; the last entity of an identifier wins, as in Port) and the **embedded catalog** (what the
last ``sync --target local`` stored). Either way calculation and mirror properties are computed on
read (``builder.port.calculations.as_read``), with relation targets looked up among the same entities.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Mapping

from builder.engine import mapping
from builder.port.calculations import as_read
from builder.project.model import Project

if TYPE_CHECKING:
    from builder.port.catalog import CatalogStore
    from builder.source.client import Source

Grouped = dict[str, list[dict[str, Any]]]


def page_blueprints(pages: Iterable[Mapping[str, Any]]) -> set[str]:
    """Every blueprint the widgets of ``pages`` read (widget, line and table-config blueprints)."""
    found: set[str] = set()
    for page in pages:
        for wrapper in page.get("widgets") or []:
            for widget in (wrapper or {}).get("widgets") or []:
                for entry in [widget, *(widget.get("lines") or [])]:
                    if isinstance(entry.get("blueprint"), str):
                        found.add(entry["blueprint"])
                found.update(k for k in (widget.get("blueprintConfig") or {}) if isinstance(k, str))
    return found


def group(entities: Iterable[Mapping[str, Any]]) -> Grouped:
    """Per blueprint, one entity per identifier (the last one: a later upsert replaces the earlier)."""
    by_bp: dict[str, dict[Any, dict[str, Any]]] = {}
    for entity in entities:
        bp = entity.get("blueprint")
        ident = entity.get("identifier")
        if isinstance(bp, str) and isinstance(ident, str):
            by_bp.setdefault(bp, {})[ident] = dict(entity)
    return {bp: list(found.values()) for bp, found in by_bp.items()}


def as_port_reads(project: Project, grouped: Mapping[str, list[dict[str, Any]]],
                  related: Mapping[str, list[dict[str, Any]]] | None = None) -> Grouped:
    """Each entity as Port returns it: calculation and mirror properties in ``properties``."""
    blueprints = {bp["identifier"]: bp for bp in project.blueprints}
    index = {(bp, e["identifier"]): e for bp, group_ in (related or grouped).items() for e in group_}

    def resolve(bp: str, identifier: str) -> dict[str, Any] | None:
        return index.get((bp, identifier))

    return {bp: [as_read(blueprints.get(bp), e, blueprints=blueprints, resolve=resolve) for e in found]
            for bp, found in grouped.items()}


def resources_for(project: Project, blueprints: set[str]) -> list[Any]:
    return [r for r in project.resources if r.blueprint_literal in blueprints]


async def preview_entities(project: Project, source: Source, blueprints: set[str] | None = None) -> tuple[Grouped, list[str]]:
    """Fetch and map every resource feeding ``blueprints`` (all when None). Returns the entities
    (Port's read shape) and one line per resource that could not be fetched."""
    wanted = blueprints if blueprints is not None else {r.blueprint_literal for r in project.resources}
    payloads: list[dict[str, Any]] = []
    problems: list[str] = []
    for resource in resources_for(project, {b for b in wanted if b}):
        result = await source.fetch(resource, compare_ocean=False)
        if result.error:
            problems.append(f"{resource.name}: {result.error}")
        mapped = mapping.run(resource, list(result.pages), page_params=getattr(result, "page_params", None) or None)
        payloads.extend(mapped.entities)
    return as_port_reads(project, group(payloads)), problems


def catalog_entities(project: Project, store: CatalogStore, blueprints: set[str]) -> Grouped:
    """What the embedded catalog holds for ``blueprints`` (relation targets looked up in the whole store)."""
    grouped = {bp: [dict(e) for e in store.iter_entities(bp)] for bp in sorted(blueprints)}
    return as_port_reads(project, grouped)
