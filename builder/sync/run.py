"""Sync a project's resources into Port (EU / US) or the embedded catalog, directly.

``plan_sync`` fetches (``builder.source.client.Source``, builder mode) or takes pre-fetched pages, maps
(``builder.engine.mapping``), validates and compares with the target: nothing is written. ``run_plan``
then applies blueprints (Ocean's stages), upserts in bulks, optionally deletes stale entities, and
writes every record it could not deliver to ``<project>.failures.jsonl`` with its reason.
``retry_failed`` re-sends exactly the records of such a file. Unchanged entities are never
re-sent, so running a sync twice sends nothing the second time and says so.

Cancellation is cooperative: set the ``cancel`` event and bulks already in flight finish, the rest
are recorded as "not sent: cancelled". Progress is reported per (resource, blueprint).

Where the sync writes is ``builder.sync.target``; what it reports is ``builder.sync.report``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

from builder.engine import mapping
from builder.sync.failures import (FailureRecord, fallback_failures_path, failures_path, load_failures,
                                   write_failures)
from builder.port.client import PortClient
from builder.port.outcomes import EntityOutcome
from builder.project.model import Project
from builder.sync.plan import PlannedEntity, ResourcePlan, SyncPlan, build_plan, map_resource
from builder.sync.report import Counts, SyncProgress, SyncReport
from builder.project.yamlio import ProjectError

if TYPE_CHECKING:
    from builder.source.client import Source

__all__ = ["dry_run_report", "plan_sync", "run_plan", "sync", "retry_failed"]


# -- plan ----------------------------------------------------------------------------------------


def _emit(callback: Callable[[SyncProgress], Any] | None, progress: SyncProgress) -> None:
    if callback is not None:
        callback(progress)


async def plan_sync(project: Project, client: PortClient, *, pages: Mapping[str, Any] | None = None,
                    resources: list[str] | None = None, delete_stale: bool = False, source: Source | None = None,
                    target: str = "", on_progress: Callable[[SyncProgress], Any] | None = None,
                    progress: SyncProgress | None = None) -> SyncPlan:
    """Fetch (unless ``pages`` has the resource: a list of page bodies or a FetchResult), map,
    validate and compare with the target. Read-only."""
    progress = progress or SyncProgress()
    chosen = [project.find_resource(name) for name in resources] if resources else list(project.resources)
    if not chosen:
        raise ProjectError("the project has no resources to sync")
    pages = pages or {}
    own_source = None
    mapped: dict[str, list[tuple[dict[str, Any], Any]]] = {}
    resource_plans: list[ResourcePlan] = []
    failures: list[FailureRecord] = []
    fetch_failed = False
    try:
        for resource in chosen:
            progress.phase, progress.resource = "fetch", resource.name
            progress.message = f"fetching {resource.name}"
            _emit(on_progress, progress)
            given = pages.get(resource.name, pages.get(resource.kind))
            if given is None:
                if source is None:
                    from builder.source.client import Source

                    source = own_source = Source(project)
                given = await source.fetch(resource, compare_ocean=False)
            plan = ResourcePlan(resource.name)
            if isinstance(given, list):
                page_list, params = given, None
            else:
                page_list, params = list(given.pages), getattr(given, "page_params", None)
                plan.fetch_error = getattr(given, "error", None)
                if plan.fetch_error:
                    failures.append(fetch_failure(resource.name, len(page_list) + 1, plan.fetch_error))
            # In a thread: mapping every record in jq takes seconds on a large team, and the TUI's
            # event loop runs this coroutine (the screen must keep answering while it plans).
            pairs, dropped = await asyncio.to_thread(map_resource, resource, page_list, params, plan)
            # Like Ocean, a selector error or a rejected page makes the run incomplete: no deletions.
            fetch_failed = fetch_failed or bool(plan.fetch_error) or any(
                f.detail in ("selector_error", "not_object") for f in dropped)
            mapped[resource.name] = pairs
            resource_plans.append(plan)
            failures.extend(dropped)
    finally:
        if own_source is not None:
            await own_source.aclose()
    progress.phase, progress.resource, progress.message = "plan", None, "comparing with the target"
    _emit(on_progress, progress)
    return await build_plan(project, client, mapped, resource_plans, failures, target=target,
                            delete_stale=delete_stale, fetch_failed=fetch_failed)


def fetch_failure(resource: str, page: int, error: str) -> FailureRecord:
    """The records of a page that never arrived cannot be planned (nothing knows them); the
    failures file says which resource and page, so the user re-runs that resource's sync — which
    fetches it again and replaces this line. ``--retry-failed`` keeps it (it has nothing to re-send)."""
    return FailureRecord("fetch", f"page {page} and after were not fetched ({error}) — run the sync of this "
                         "resource again to fetch them", resource, detail=f"page {page}")


def _initial_counts(plan: SyncPlan) -> dict[tuple[str, str], Counts]:
    counts: dict[tuple[str, str], Counts] = {}
    for item in plan.entities:
        c = counts.setdefault((item.resource, item.blueprint), Counts())
        if item.action in ("create", "update"):
            c.planned += 1
        elif item.action == "unchanged":
            c.unchanged += 1
        elif item.action == "duplicate":
            c.duplicates += 1
    for failure in plan.failures:
        if failure.stage == "validation" and failure.blueprint:
            counts.setdefault((failure.resource, failure.blueprint), Counts()).failed += 1
    return counts


def _created(item: PlannedEntity, outcome: EntityOutcome) -> bool:
    # The plan saw no such entity at the target. When a create's answer is lost and the retry
    # finds the entity there, Port says "updated" — but this run created it (issue #11 row 15).
    return bool(outcome.created) or item.action == "create"


def _failure(item: PlannedEntity, outcome: EntityOutcome) -> FailureRecord:
    return FailureRecord(outcome.stage, outcome.message or outcome.error or "failed", item.resource, item.blueprint,
                         item.identifier, item.payload, item.record, status=outcome.status)


# -- run -----------------------------------------------------------------------------------------


PENDING_REASON = "not confirmed: the sync stopped before Port answered for it (re-sent by --retry-failed)"


async def run_plan(project: Project, client: PortClient, plan: SyncPlan, *, cancel: asyncio.Event | None = None,
                   on_progress: Callable[[SyncProgress], Any] | None = None, failures_file: str | Path | None = None,
                   replace_resources: list[str] | None = None, progress: SyncProgress | None = None) -> SyncReport:
    """Apply a plan: blueprints, upserts, stale deletes; then write the failures file.

    Write-ahead: before anything is sent, every entity to send is in the failures file as
    ``pending``, so a run killed at any point (SIGKILL, power loss) leaves nothing unaccounted.
    An abort (task cancelled, second Ctrl+C) records what was not confirmed as cancelled.
    """
    progress = progress or SyncProgress()
    report = SyncReport(plan, {}, list(plan.failures))
    file = Path(failures_file) if failures_file is not None else None
    if file is not None and plan.to_send:
        pending = [FailureRecord("pending", PENDING_REASON, i.resource, i.blueprint, i.identifier, i.payload,
                                 i.record) for i in plan.to_send]
        report.failures_file = file
        save_failures(report, file, [*plan.failures, *pending], replace_resources=replace_resources)
        file = report.failures_file  # the fallback file when the project's folder is not writable
    try:
        await _apply_plan(project, client, plan, report, cancel=cancel or asyncio.Event(), on_progress=on_progress,
                          progress=progress)
    except BaseException:
        _abandon(report)
        if file is not None:
            save_failures(report, file, report.failures, replace_resources=replace_resources)
        raise
    if file is not None:
        report.failures_file = file
        save_failures(report, file, report.failures, replace_resources=replace_resources)
    progress.phase, progress.message = "done", "done"
    _emit(on_progress, progress)
    return report


def _abandon(report: SyncReport) -> None:
    """Every entity to send that has no outcome yet becomes a ``cancelled`` failure."""
    settled = report.confirmed | {(f.blueprint, f.identifier) for f in report.failures}
    for item in report.plan.to_send:
        if (item.blueprint, item.identifier) in settled:
            continue
        report.counts.setdefault((item.resource, item.blueprint), Counts()).cancelled += 1
        report.failures.append(FailureRecord("cancelled", "not confirmed: the sync was aborted", item.resource,
                                             item.blueprint, item.identifier, item.payload, item.record))
    report.cancelled = True


async def _apply_plan(project: Project, client: PortClient, plan: SyncPlan, report: SyncReport, *,
                      cancel: asyncio.Event, on_progress: Callable[[SyncProgress], Any] | None,
                      progress: SyncProgress) -> None:
    progress.counts = counts = report.counts = _initial_counts(plan)
    to_send = plan.to_send
    failed_bps: dict[str, str] = {}
    # Blueprint changes are applied even when no entity changed: editing a blueprint is a change too.
    if not cancel.is_set() and any(c.action in ("create", "update") for c in plan.blueprint_report.changes):
        progress.phase, progress.message = "blueprints", "creating / updating blueprints"
        _emit(on_progress, progress)
        applied = await client.apply_blueprints(project.blueprints, plan.blueprint_report)
        failed_bps = report.blueprint_errors = dict(applied.errors)
    if not cancel.is_set() and getattr(project, "dashboards", None):
        from builder.sync.pages import apply_pages  # after the blueprints their widgets read

        progress.phase, progress.message = "pages", "creating / updating dashboards"
        _emit(on_progress, progress)
        report.pages = await apply_pages(client, project.dashboards)
    progress.phase, progress.message = "upsert", "upserting entities"
    _emit(on_progress, progress)
    order = [c.identifier for c in plan.blueprint_report.changes]
    order += sorted({i.blueprint for i in to_send} - set(order))
    deferred: list[tuple[PlannedEntity, EntityOutcome]] = []
    for bp in order:
        items = [i for i in to_send if i.blueprint == bp]
        if not items:
            continue
        if bp in failed_bps or cancel.is_set():
            for item in items:
                c = counts[(item.resource, bp)]
                if bp in failed_bps:
                    c.failed += 1
                    report.failures.append(FailureRecord("blueprint", f"blueprint {bp} could not be applied: "
                                                         f"{failed_bps[bp]}", item.resource, bp, item.identifier,
                                                         item.payload, item.record))
                else:
                    c.cancelled += 1
                    report.failures.append(FailureRecord("cancelled", "not sent: cancelled", item.resource, bp,
                                                         item.identifier, item.payload, item.record))
            _emit(on_progress, progress)
            continue

        def on_result(outcomes: list[EntityOutcome], items: list[PlannedEntity] = items) -> None:
            for outcome in outcomes:
                item = items[outcome.index]
                c = counts[(item.resource, item.blueprint)]
                if outcome.ok:
                    report.confirmed.add((item.blueprint, item.identifier))
                    if _created(item, outcome):
                        c.created += 1
                    else:
                        c.updated += 1
                elif outcome.error == "not_found" and outcome.stage == "port":
                    deferred.append((item, outcome))  # a related entity may arrive later in this run
                elif outcome.stage == "cancelled":
                    c.cancelled += 1
                    report.failures.append(_failure(item, outcome))
                else:
                    c.failed += 1
                    report.failures.append(_failure(item, outcome))
            _emit(on_progress, progress)

        await client.upsert_entities(bp, [i.payload for i in items], merge=plan.merge,
                                     create_missing_related_entities=plan.create_missing, cancel=cancel,
                                     on_result=on_result)
    await _retry_deferred(client, plan, deferred, counts, report, cancel)
    report.cancelled = cancel.is_set()
    if plan.will_delete and not report.cancelled:
        progress.phase, progress.message = "delete", f"deleting {plan.stale_total} stale entities"
        _emit(on_progress, progress)
        for bp, bp_plan in plan.blueprints.items():
            if not bp_plan.stale:
                continue
            result = await client.delete_entities(bp, bp_plan.stale, delete_dependents=plan.delete_dependents,
                                                  cancel=cancel)
            report.deleted.extend((bp, i) for i in result.deleted)
            report.delete_failed.update({(bp, i): reason for i, reason in result.failed.items()})
            progress.deleted = len(report.deleted)
            _emit(on_progress, progress)


def save_failures(report: SyncReport, file: Path, records: list[FailureRecord], *,
                  replace_resources: list[str] | None = None) -> None:
    """Write the failures file; when that is impossible (read-only folder, full disk), write the
    records to a fallback file in the user's state directory and say where — never lose them."""
    try:
        written = write_failures(file, records, replace_resources=replace_resources)
    except OSError as exc:
        fallback = fallback_failures_path(file)
        reason = exc.strerror or type(exc).__name__
        try:
            fallback.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_failures(fallback, records)
        except OSError as again:
            report.failures_error = (f"could not write the failures file {file} ({reason}) nor {fallback} "
                                     f"({again.strerror}): the {len(records)} failed records are listed above only")
            report.failures_file = None
            return
        report.failures_error = (f"could not write the failures file {file} ({reason}): the {len(records)} failed "
                                 f"records were written to {fallback} (retry with --retry-failed {fallback})")
        report.failures_file = fallback
        return
    report.corrupt_lines += written.corrupt
    report.corrupt_file = written.corrupt_file or report.corrupt_file


async def _retry_deferred(client: PortClient, plan: SyncPlan, deferred: list[tuple[PlannedEntity, EntityOutcome]],
                          counts: dict[tuple[str, str], Counts], report: SyncReport, cancel: asyncio.Event) -> None:
    """Ocean re-sends entities whose related entity was missing at the end of the run, in
    relation order. Re-sending in rounds until a round makes no progress gives the same result
    for chains (a → b → c) without sorting: each round lands at least the next link."""
    pending = list(deferred)
    while pending:
        by_bp: dict[str, list[tuple[PlannedEntity, EntityOutcome]]] = {}
        for pair in pending:
            by_bp.setdefault(pair[0].blueprint, []).append(pair)
        still: list[tuple[PlannedEntity, EntityOutcome]] = []
        final: list[tuple[PlannedEntity, EntityOutcome]] = []
        for bp, pairs in by_bp.items():
            result = await client.upsert_entities(bp, [item.payload for item, _ in pairs], merge=plan.merge,
                                                  create_missing_related_entities=plan.create_missing, cancel=cancel)
            for outcome in result.outcomes:
                item = pairs[outcome.index][0]
                c = counts[(item.resource, bp)]
                if outcome.ok:
                    report.confirmed.add((item.blueprint, item.identifier))
                    created = _created(item, outcome)
                    c.created += created
                    c.updated += not created
                elif outcome.error == "not_found" and outcome.stage == "port":
                    still.append((item, outcome))
                else:
                    final.append((item, outcome))
        if len(still) == len(pending):
            final.extend(still)  # no progress: the related entities really are missing
            still = []
        for item, outcome in final:
            c = counts[(item.resource, item.blueprint)]
            if outcome.stage == "cancelled":
                c.cancelled += 1
            else:
                c.failed += 1
            report.failures.append(_failure(item, outcome))
        pending = still


# -- entry points --------------------------------------------------------------------------------


def dry_run_report(plan: SyncPlan) -> SyncReport:
    """The report of a plan that is not run: counts as planned, pre-send failures as found."""
    return SyncReport(plan, _initial_counts(plan), list(plan.failures), dry_run=True)


async def sync(project: Project, client: PortClient, *, pages: Mapping[str, Any] | None = None,
               resources: list[str] | None = None, delete_stale: bool = False, dry_run: bool = False,
               cancel: asyncio.Event | None = None, on_progress: Callable[[SyncProgress], Any] | None = None,
               failures_file: str | Path | None = None, source: Source | None = None, target: str = "") -> SyncReport:
    """Plan, then (unless ``dry_run``) run. ``failures_file`` defaults to the project's."""
    progress = SyncProgress()
    plan = await plan_sync(project, client, pages=pages, resources=resources, delete_stale=delete_stale,
                           source=source, target=target, on_progress=on_progress, progress=progress)
    if dry_run:
        report = dry_run_report(plan)
        progress.counts, progress.phase = report.counts, "done"
        _emit(on_progress, progress)
        return report
    if failures_file is None:
        failures_file = failures_path(project.path)
    return await run_plan(project, client, plan, cancel=cancel, on_progress=on_progress, failures_file=failures_file,
                          replace_resources=[r.name for r in plan.resources], progress=progress)


async def retry_failed(project: Project, client: PortClient, file: str | Path, *, cancel: asyncio.Event | None = None,
                       on_progress: Callable[[SyncProgress], Any] | None = None, target: str = "",
                       dry_run: bool = False) -> SyncReport:
    """Re-send exactly the records in a failures file; rewrite it with what still fails.

    Entities are re-validated and compared first (one that did reach Port before its answer was
    lost counts as unchanged, not re-sent). A mapping failure is re-mapped with the project's
    current mapping, so fixing the JQ and retrying recovers those records.
    """
    loaded = load_failures(file)
    records = loaded.records
    mapped: dict[str, list[tuple[dict[str, Any], Any]]] = {}
    plans: dict[str, ResourcePlan] = {}
    failures: list[FailureRecord] = []
    kept: list[FailureRecord] = []
    for record in records:
        try:
            resource = project.find_resource(record.resource)
        except ProjectError:
            resource = None
        if not record.retryable or (record.payload is None and resource is None):
            kept.append(record)
            continue
        name = resource.name if resource is not None else record.resource
        plan = plans.setdefault(name, ResourcePlan(name))
        plan.records += 1
        if record.payload is not None:
            plan.entities += 1
            mapped.setdefault(name, []).append((record.payload, record.record))
            continue
        # A record without a payload whose resource is gone was kept above: this one has its resource.
        assert resource is not None
        result = mapping.map_items([record.record], resource.mappings, resource.query, native=False)  # jq's values
        if result.entities:
            plan.entities += 1
            mapped.setdefault(name, []).append((result.entities[0], record.record))
        elif result.filtered:
            plan.filtered += 1  # the fixed selector now skips it on purpose
        else:
            drop = result.dropped[0]
            plan.mapping_failures += 1
            failures.append(FailureRecord("mapping", drop.reason, name, resource.blueprint_literal,
                                          record=record.record, detail=drop.stage))
    sync_plan = await build_plan(project, client, mapped, list(plans.values()), failures, target=target)
    if dry_run:
        report = dry_run_report(sync_plan)
        report.kept_failures = len(kept)
        report.corrupt_lines = len(loaded.corrupt)
        return report
    report = await run_plan(project, client, sync_plan, cancel=cancel, on_progress=on_progress)
    report.failures_file = Path(file)
    save_failures(report, Path(file), [*kept, *report.failures])
    report.kept_failures = len(kept)
    return report
