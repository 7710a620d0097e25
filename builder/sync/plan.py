"""The sync plan: what a sync WOULD do, computed before anything is written.

For each resource: fetch (or take pre-fetched pages), map with the Ocean-exact engine, validate
against the blueprint. Then, per blueprint, compare with what the target holds (search by
identifier, comparing only the fields the payload sets) → create / update / unchanged, and, when
the user opts in, which entities are stale, with Ocean's ``entityDeletionThreshold`` as a stop.

Every record ends up in exactly one bucket — an entity to send or leave, a counted duplicate, a
record the selector filtered out, or a failure — and :meth:`ResourcePlan.accounted` checks it.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from builder.engine import mapping
from builder.sync.failures import FailureRecord
from builder.port.blueprints import BlueprintReport
from builder.port.client import PortClient
from builder.port.rules import validate_entities
from builder.project.model import Project, Resource

COMPARE_CHUNK = 200  # identifiers per `$identifier in [...]` search (Ocean uses 50; Port pages at 1000)
COMPARE_CONCURRENCY = 4


@dataclass
class PlannedEntity:
    resource: str
    blueprint: str
    payload: dict[str, Any]  # exactly what is sent (relations to missing blueprints removed)
    record: Any  # the raw API item it came from
    action: str = "create"  # create | update | unchanged | duplicate

    @property
    def identifier(self) -> Any:
        return self.payload.get("identifier")


@dataclass
class ResourcePlan:
    """Where each record of one resource went. ``records`` = ``entities + filtered + mapping_failures``."""

    name: str
    pages: int = 0
    records: int = 0  # items after data_path / itemsToParse
    filtered: int = 0  # selector.query false: not a failure, Ocean ignores them too
    entities: int = 0  # produced by the mapping (validation may still stop some)
    mapping_failures: int = 0  # records that produced no entity
    page_failures: int = 0  # items of pages rejected as a whole (not objects, itemsToParse not a list)
    validation_failures: int = 0
    skipped_pages: int = 0  # pages whose data_path gave nothing (an empty last page)
    fetch_error: str | None = None

    @property
    def failures(self) -> int:
        return self.mapping_failures + self.page_failures + self.validation_failures

    @property
    def accounted(self) -> bool:
        return self.records == self.entities + self.filtered + self.mapping_failures


@dataclass
class BlueprintPlan:
    blueprint: str
    action: str = "unchanged"  # the blueprint definition: create | update | unchanged | external
    create: int = 0
    update: int = 0
    unchanged: int = 0
    duplicates: int = 0
    stale: list[str] = field(default_factory=list)
    at_target: int = 0  # entities of this integration already there (the threshold's denominator)
    stripped: list[tuple[str, str | None]] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


@dataclass
class SyncPlan:
    target: str
    resources: list[ResourcePlan]
    blueprints: dict[str, BlueprintPlan]
    entities: list[PlannedEntity]
    failures: list[FailureRecord]
    blueprint_report: BlueprintReport
    merge: bool = True
    create_missing: bool = True
    delete_dependents: bool = True
    delete_stale: bool = False
    threshold: float = 0.9
    deletion_blocked: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def to_send(self) -> list[PlannedEntity]:
        return [e for e in self.entities if e.action in ("create", "update")]

    @property
    def stale_total(self) -> int:
        return sum(len(bp.stale) for bp in self.blueprints.values())

    @property
    def will_delete(self) -> bool:
        return self.delete_stale and self.deletion_blocked is None and self.stale_total > 0

    def relation_notes(self, bp: BlueprintPlan | None = None) -> list[str]:
        """Why relations were left out (Port's ``_user`` on a catalog without it, a target nobody
        created): the dry run and the sync report say it in these words."""
        plans = [bp] if bp is not None else list(self.blueprints.values())
        return [f"  relation {plan.blueprint}.{name} → {target}: target blueprint does not exist at the "
                "target; the relation is left out of the blueprint and of every entity"
                for plan in plans for name, target in plan.stripped]

    def lines(self) -> list[str]:
        out = [f"target: {self.target}"]
        for res in self.resources:
            line = f"resource {res.name}: {res.records} records → {res.entities} entities"
            if res.filtered:
                line += f", {res.filtered} filtered by selector"
            if res.failures:
                line += f", {res.failures} failed before sending"
            if res.fetch_error:
                line += f" — fetch failed: {res.fetch_error}"
            out.append(line)
        for bp in self.blueprints.values():
            line = (f"blueprint {bp.blueprint} ({bp.action}): {bp.create} create, {bp.update} update, "
                    f"{bp.unchanged} unchanged")
            if bp.duplicates:
                line += f", {bp.duplicates} duplicate identifiers (the last record wins, as in Ocean)"
            if self.delete_stale:
                line += f", {len(bp.stale)} stale"
            out.append(line)
            out.extend(self.relation_notes(bp))
            if bp.kept:
                out.append(f"  kept {len(bp.kept)} definitions that exist at the target but not in the project: "
                           + ", ".join(bp.kept[:8]))
        if self.delete_stale:
            if self.deletion_blocked:
                out.append(f"stale entities: {self.stale_total} — NOT deleted: {self.deletion_blocked}")
            else:
                out.append(f"stale entities: {self.stale_total} (will be deleted)" if self.stale_total else
                           "stale entities: none")
        out.extend(self.notes)
        return out


# -- comparing with the target -------------------------------------------------------------------


def _same(a: Any, b: Any) -> bool:
    """JSON equality (True is not 1, 1 is 1.0); null, absent and an empty relation list are alike."""
    if a is None or b is None:
        return (a is None or a == []) and (b is None or b == [])
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def payload_matches(payload: Mapping[str, Any], existing: Mapping[str, Any], *, merge: bool = True) -> bool:
    """Would sending ``payload`` leave ``existing`` (Port's entity) as it is?"""
    for key in ("title", "icon"):
        if key in payload and not _same(payload[key], existing.get(key)):
            return False
    if "team" in payload:
        team = payload["team"]
        mine = [] if team is None else (team if isinstance(team, list) else [team])
        if not _same(mine, existing.get("team") or []):
            return False
    for section in ("properties", "relations"):
        given = payload.get(section) or {}
        there = existing.get(section) or {}
        if any(not _same(value, there.get(key)) for key, value in given.items()):
            return False
        if not merge and any(there.get(key) not in (None, [], "") for key in there if key not in given):
            return False  # a replace would clear what the payload leaves out
    return True


def identifier_query(identifiers: list[str]) -> dict[str, Any]:
    return {"combinator": "and", "rules": [{"property": "$identifier", "operator": "in", "value": identifiers}]}


def datasource_query(client: PortClient) -> dict[str, Any]:
    """Ocean's own scope for stale entities: written by this integration (type and identifier)."""
    return {"combinator": "and", "rules": [
        {"property": "$datasource", "operator": "contains", "value": f"port-ocean/{client.integration_type}/"},
        {"property": "$datasource", "operator": "contains",
         "value": f"/{client.integration_identifier}/exporter"},
    ]}


# -- building the plan ---------------------------------------------------------------------------


def _validate(entities: list[dict[str, Any]], blueprint: dict[str, Any], known: set[str]) -> dict[int, str]:
    """index → reason for entities Port would reject (errors only; duplicates are counted apart)."""
    out: dict[int, str] = {}
    for problem in validate_entities(entities, blueprint, known_blueprints=known):
        if problem.severity == "error" and problem.code != "duplicate":
            reason = f"{problem.field}: {problem.message}"
            out[problem.index] = reason if problem.index not in out else out[problem.index] + "; " + reason
    return out


def map_resource(resource: Resource, pages: list[Any], page_params: list[dict[str, str]] | None,
                 plan: ResourcePlan) -> tuple[list[tuple[dict[str, Any], Any]], list[FailureRecord]]:
    """(payload, raw record) pairs and the mapping failures, counted into ``plan``."""
    # page_params carry the path-parameter values (`__team_id`) Ocean injects into each page's items.
    # What a sync writes never rests on the fast path (jqnative): every field is jq's, as Ocean's.
    result = mapping.run(resource, pages, page_params=page_params or None, native=False)
    plan.pages = len(pages)
    plan.records = len(result.records)
    plan.filtered = result.filtered
    failures = []
    for drop in result.dropped:
        if drop.stage == "selector":
            continue
        if drop.stage == "data_path" and "failed" not in drop.reason:
            plan.skipped_pages += 1  # null / no output: a page without items is not a lost record
            continue
        record = result.records[drop.record] if drop.record is not None else drop.item
        failures.append(FailureRecord("mapping", drop.reason, resource.name, resource.blueprint_literal,
                                      record=record, detail=drop.stage))
        if drop.record is not None:
            plan.mapping_failures += 1
        else:
            plan.page_failures += 1
    pairs = [(entity, result.records[index]) for entity, index in zip(result.entities, result.entity_records)]
    plan.entities = len(pairs)
    return pairs, failures


async def build_plan(project: Project, client: PortClient, mapped: dict[str, list[tuple[dict[str, Any], Any]]],
                     resource_plans: list[ResourcePlan], failures: list[FailureRecord], *, target: str,
                     delete_stale: bool = False, fetch_failed: bool = False,
                     on_step: Callable[[str], Any] | None = None) -> SyncPlan:
    """Validation, blueprint plan and comparison with the target (read-only requests only)."""
    merge = bool(project.app_setting("enableMergeEntity"))
    report = await client.plan_blueprints(project.blueprints)
    plan = SyncPlan(target, resource_plans, {}, [], list(failures), report, merge=merge,
                    create_missing=bool(project.app_setting("createMissingRelatedEntities")),
                    delete_dependents=bool(project.app_setting("deleteDependentEntities")),
                    delete_stale=delete_stale, threshold=float(project.app_setting("entityDeletionThreshold")))
    definitions: dict[str, dict[str, Any] | None] = {c.identifier: c.definition for c in report.changes}
    for change in report.changes:
        plan.blueprints[change.identifier] = BlueprintPlan(change.identifier, change.action,
                                                           stripped=list(change.stripped), kept=list(change.kept))
    known = set(definitions)
    by_resource = {r.name: r for r in resource_plans}
    # Group per blueprint, keeping record order (the send order).
    grouped: dict[str, list[PlannedEntity]] = {}
    for name, pairs in mapped.items():
        for payload, record in pairs:
            bp = payload.get("blueprint")
            if not isinstance(bp, str):
                plan.failures.append(FailureRecord("validation", f"blueprint is {json.dumps(bp)[:40]}, not a "
                                                   "blueprint identifier", name, None, payload.get("identifier"),
                                                   payload, record))
                by_resource[name].validation_failures += 1
                continue
            grouped.setdefault(bp, []).append(PlannedEntity(name, bp, payload, record))
    for bp, items in grouped.items():
        if bp not in definitions:
            definitions[bp] = await client.get_blueprint(bp)
            plan.blueprints[bp] = BlueprintPlan(bp, "external" if definitions[bp] else "missing")
        definition = definitions[bp]
        bp_plan = plan.blueprints[bp]
        stripped = {name for name, _ in bp_plan.stripped}
        if stripped:
            for item in items:
                relations = item.payload.get("relations")
                if isinstance(relations, dict) and stripped & relations.keys():
                    item.payload = {**item.payload, "relations": {k: v for k, v in relations.items()
                                                                  if k not in stripped}}
        if definition is None:
            reason = (f"blueprint {bp!r} is neither in the project nor at the target: add it to the project's "
                      "blueprints (cursor-builder infer) or create it in Port")
            problems = {i: reason for i in range(len(items))}
        else:
            problems = _validate([i.payload for i in items], definition, known | {bp})
        kept = []
        for index, item in enumerate(items):
            if index in problems:
                plan.failures.append(FailureRecord("validation", problems[index], item.resource, bp,
                                                   item.identifier, item.payload, item.record))
                by_resource[item.resource].validation_failures += 1
            else:
                kept.append(item)
        # Duplicates: Ocean sends both and the last one wins; send the last, count the rest.
        last: dict[Any, int] = {}
        keys = [i.identifier if isinstance(i.identifier, str) else json.dumps(i.identifier) for i in kept]
        for index, key in enumerate(keys):
            last[key] = index
        for index, item in enumerate(kept):
            if last[keys[index]] != index:
                item.action = "duplicate"
                bp_plan.duplicates += 1
        plan.entities.extend(kept)
    if on_step:
        on_step("compare")
    await _compare(plan, client, fetch_failed=fetch_failed)
    return plan


async def _compare(plan: SyncPlan, client: PortClient, *, fetch_failed: bool) -> None:
    by_bp: dict[str, list[PlannedEntity]] = {}
    for item in plan.entities:
        if item.action != "duplicate":
            by_bp.setdefault(item.blueprint, []).append(item)
    at_target_total = 0
    for bp, items in by_bp.items():
        bp_plan = plan.blueprints[bp]
        existing: dict[str, dict[str, Any]] = {}
        if bp_plan.action not in ("create", "missing"):
            ids = [i.identifier for i in items if isinstance(i.identifier, str)]
            gate = asyncio.Semaphore(COMPARE_CONCURRENCY)

            # Awaited within this iteration; the defaults bind bp and gate all the same.
            async def search(chunk: list[str], bp: str = bp, gate: asyncio.Semaphore = gate) -> list[dict[str, Any]]:
                async with gate:
                    return await client.search_entities(bp, identifier_query(chunk))

            pages = await asyncio.gather(*(search(ids[i:i + COMPARE_CHUNK]) for i in range(0, len(ids), COMPARE_CHUNK)))
            for entity in (e for page in pages for e in page):
                existing[entity["identifier"]] = entity
        for item in items:
            found = existing.get(item.identifier) if isinstance(item.identifier, str) else None
            if found is None:
                item.action = "create"
            elif payload_matches(item.payload, found, merge=plan.merge):
                item.action = "unchanged"
            else:
                item.action = "update"
            setattr(bp_plan, item.action, getattr(bp_plan, item.action) + 1)
    if not plan.delete_stale:
        return
    ours = {(i.blueprint, i.identifier) for i in plan.entities}
    # A record that fails validation is still one the source has: its old entity is not stale.
    ours |= {(f.blueprint, f.identifier) for f in plan.failures if f.blueprint and f.identifier is not None}
    # Like Ocean, an entity that this run's entities relate to is not stale: with
    # createMissingRelatedEntities it may exist only because of them, and deleting it with
    # deleteDependentEntities would take those entities down with it.
    targets = {c.identifier: {name: rel.get("target") for name, rel in (c.definition.get("relations") or {}).items()
                              if isinstance(rel, dict)} for c in plan.blueprint_report.changes}
    for item in plan.entities:
        for name, value in (item.payload.get("relations") or {}).items():
            target_bp = targets.get(item.blueprint, {}).get(name)
            for target in value if isinstance(value, list) else [value]:
                if target_bp and isinstance(target, str):
                    ours.add((target_bp, target))
    for bp, bp_plan in plan.blueprints.items():
        if bp_plan.action in ("create", "missing"):
            continue
        there = await client.search_entities(bp, datasource_query(client), include=["identifier"])
        bp_plan.at_target = len(there)
        at_target_total += len(there)
        bp_plan.stale = sorted(e["identifier"] for e in there if (bp, e["identifier"]) not in ours)
    stale = plan.stale_total
    if fetch_failed:
        plan.deletion_blocked = ("a resource could not be fetched or mapped completely; like Ocean, stale "
                                 "entities are only deleted after a complete run")
    elif stale and at_target_total and stale / at_target_total > plan.threshold:
        plan.deletion_blocked = (f"{stale} of {at_target_total} entities ({stale / at_target_total:.0%}) would be "
                                 f"deleted, more than entityDeletionThreshold {plan.threshold:.0%}; check the "
                                 "mapping or raise the threshold")
