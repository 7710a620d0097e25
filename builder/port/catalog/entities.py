"""Entity upserts with Port's semantics: ``upsert``, ``merge`` and ``create_missing_related_entities``.

Kept apart from the HTTP routing (:mod:`builder.port.catalog.app`): this is where the rules meet the
stored data — merge vs replace, required properties on the merged entity, related entities that
must exist (or are created bare), the per-entity errors a bulk answers with 207.
"""

from __future__ import annotations

import json
from typing import Any

from builder.port.catalog.faults import CatalogFaults
from builder.port.catalog.rules import RuleError, check_entity, check_required, relation_targets
from builder.port.catalog.store import CatalogStore


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def rule_error(errors: list[RuleError]) -> ApiError:
    first = errors[0]
    message = "; ".join(str(e) for e in errors[:5]) + (f" (+{len(errors) - 5} more)" if len(errors) > 5 else "")
    return ApiError(first.status, first.code, message)


def team_list(team: Any) -> list[str]:
    if team is None:
        return []
    return list(team) if isinstance(team, list) else [team]


class EntityWriter:
    """Turns payloads into stored entity documents, one bulk request at a time."""

    def __init__(self, store: CatalogStore, faults: CatalogFaults) -> None:
        self.store = store
        self.faults = faults

    def upsert(self, bp: dict[str, Any], payloads: list[Any], *, upsert: bool, merge: bool, create_missing: bool,
               validation_only: bool, client: str, datasource: str | None
               ) -> tuple[list[tuple[Any, Any]], list[dict[str, Any]], dict[str, list[tuple[str, str, str]]]]:
        """Validate and merge each payload; returns per-payload (identifier, created | ApiError),
        the documents to write and their relation index. Missing related entities are created
        (bare) when asked, and written in the same call."""
        blueprint_id = bp["identifier"]
        now = self.store.clock()
        ids = [ident for p in payloads if isinstance(p, dict) for ident in [p.get("identifier")] if isinstance(ident, str)]
        existing = self.store.get_entities(blueprint_id, ids)
        # Targets that exist, per blueprint, fetched once for the whole request.
        wanted: dict[str, set[str]] = {}
        for payload in payloads:
            if isinstance(payload, dict):
                for _, target_bp, target in relation_targets(payload.get("relations"), bp):
                    wanted.setdefault(target_bp, set()).add(target)
        present = {tbp: self.store.existing_identifiers(tbp, targets) for tbp, targets in wanted.items()}
        results: list[tuple[Any, Any]] = []
        docs: dict[str, dict[str, Any]] = {}
        relations: dict[str, list[tuple[str, str, str]]] = {}
        to_create: dict[tuple[str, str], None] = {}
        for payload in payloads:
            identifier = payload.get("identifier") if isinstance(payload, dict) else None
            try:
                doc, created, rels, missing = self.merge_one(bp, payload, existing.get(identifier)
                                                              if isinstance(identifier, str) else None,
                                                              upsert, merge, create_missing, present, docs, now,
                                                              client)
            except ApiError as exc:
                # Port names an entity it could not read an identifier from "unknown".
                results.append((identifier if isinstance(identifier, str) else "unknown", exc))
                continue
            docs[doc["identifier"]] = doc
            existing[doc["identifier"]] = doc
            relations[doc["identifier"]] = rels
            for item in missing:
                to_create[item] = None
            results.append((doc["identifier"], created))
        if validation_only:
            return results, [], {}
        for target_bp, target in to_create:
            if target_bp == blueprint_id and target in docs:
                continue
            bare: dict[str, Any] = {"identifier": target, "title": None, "icon": None, "blueprint": target_bp, "team": [],
                    "properties": {}, "relations": {}, "createdAt": now, "createdBy": client,
                    "updatedAt": now, "updatedBy": client}
            if target_bp == blueprint_id:
                docs[target] = bare
                relations[target] = []
            else:
                self.store.write_entities(target_bp, [bare], {target: []}, datasource)
        return results, list(docs.values()), relations

    def merge_one(self, bp: dict[str, Any], payload: Any, current: dict[str, Any] | None, upsert: bool,
                   merge: bool, create_missing: bool, present: dict[str, set[str]],
                   batch: dict[str, dict[str, Any]], now: str, client: str
                   ) -> tuple[dict[str, Any], bool, list[tuple[str, str, str]], list[tuple[str, str]]]:
        identifier = payload.get("identifier") if isinstance(payload, dict) else None
        if isinstance(identifier, str) and identifier in self.faults.reject:
            self.faults.fired.append(f"reject {identifier}")
            raise ApiError(422, "rejected", self.faults.reject[identifier])
        partial = current is not None and merge
        errors = check_entity(payload, bp, partial=True)
        if errors:
            raise rule_error(errors)
        if current is not None and not upsert:
            raise ApiError(409, "identifier_taken", f"entity {identifier!r} already exists (upsert=false)")
        if partial:
            doc = json.loads(json.dumps(current))
            for key in ("title", "icon"):
                if key in payload:
                    doc[key] = payload[key]
            if "team" in payload:
                doc["team"] = team_list(payload["team"])
            props = doc.setdefault("properties", {})
            for key, value in (payload.get("properties") or {}).items():
                if value is None:
                    props.pop(key, None)
                else:
                    props[key] = value
            doc.setdefault("relations", {}).update(payload.get("relations") or {})
        else:
            doc = {"identifier": identifier, "title": payload.get("title"), "icon": payload.get("icon"),
                   "blueprint": bp["identifier"], "team": team_list(payload.get("team")),
                   "properties": {k: v for k, v in (payload.get("properties") or {}).items() if v is not None},
                   "relations": dict(payload.get("relations") or {}),
                   "createdAt": current["createdAt"] if current else now,
                   "createdBy": current.get("createdBy", client) if current else client}
        doc["updatedAt"] = now
        doc["updatedBy"] = client
        errors = check_required(doc["properties"], bp)
        for key, definition in (bp.get("relations") or {}).items():
            if isinstance(definition, dict) and definition.get("required") and doc["relations"].get(key) in (None, []):
                errors.append(RuleError("invalid_request", f"relations/{key}", f"required relation {key!r} is missing"))
        if errors:
            raise rule_error(errors)
        rels = relation_targets(doc["relations"], bp)
        missing = []
        for key, target_bp, target in rels:
            if target in present.get(target_bp, ()) or (target_bp == bp["identifier"] and
                                                        (target in batch or target == identifier)):
                continue
            if not create_missing:
                raise ApiError(404, "not_found",
                               f"relation {key!r}: entity {target!r} of blueprint {target_bp!r} does not exist "
                               "(create it first, or set createMissingRelatedEntities)")
            missing.append((target_bp, target))
        return doc, current is None, rels, missing
