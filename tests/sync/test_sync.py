"""sync / plan / retry against the embedded catalog, with pages injected (no Cursor API needed).

The invariant every test checks: each record is either in the catalog, in the failures file, or
filtered out by the selector on purpose — counted, never assumed.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from builder.port.catalog import CatalogFaults, Fault, FaultyTransport, create_app
from builder.sync.failures import read_failures
from builder.sync.report import SyncProgress
from builder.sync.run import plan_sync, retry_failed, run_plan, sync
from sync_fixtures import (
    EMAILS,
    Sleeps,
    catalog_client,
    catalog_entities,
    make_project,
    pages_for,
    usage_event,
)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def event_id(event: dict[str, Any]) -> str:
    return f"{event['timestamp']}-{event['userEmail']}"


async def _sync(app: Any, project: Any, events: list[dict[str, Any]], **kwargs: Any) -> Any:
    client_kwargs = {k: kwargs.pop(k) for k in ("concurrency", "max_attempts", "sleeps") if k in kwargs}
    async with catalog_client(app, **client_kwargs) as client:
        return await sync(project, client, pages=kwargs.pop("pages", None) or pages_for(events), **kwargs)


def assert_accounted(app: Any, events: list[dict[str, Any]], failures_file: Path, filtered: int = 0) -> None:
    """Every event is in the catalog xor in the failures file (or filtered); counted, not assumed."""
    stored = set(catalog_entities(app, "cursorUsageEvent"))
    failed = [f for f in (read_failures(failures_file) if failures_file.exists() else []) if f.resource == "usage events"]
    failed_ids = {f.identifier if f.identifier is not None else event_id(f.record) for f in failed}
    expected = {event_id(e) for e in events}
    assert len(failed) == len(failed_ids), "a record is in the failures file twice"
    assert not stored & failed_ids, "a record is both stored and reported failed"
    assert len(stored & expected) + len(failed_ids & expected) + filtered == len(events)
    assert stored | failed_ids >= expected - set() if not filtered else True


def test_first_sync_creates_everything_and_every_record_is_accounted_for(tmp_path):
    app = create_app()
    project = make_project(tmp_path)
    events = [usage_event(i) for i in range(250)]
    events[5]["timestamp"] = "not-a-time"  # tonumber fails → null timestamp → required property missing
    events[6]["kind"] = "ignored"  # selector false: filtered on purpose
    report = run(_sync(app, project, events))
    assert report.exit_code == 1
    usage = report.counts[("usage events", "cursorUsageEvent")]
    assert (usage.created, usage.failed, usage.unchanged) == (248, 1, 0)
    assert report.counts[("members", "cursorMember")].created == 4
    failures_file = tmp_path / "cursor-builder.failures.jsonl"
    [failure] = read_failures(failures_file)
    assert failure.stage == "validation" and "timestamp" in failure.reason
    assert failure.record == events[5] and failure.payload["identifier"] == event_id(events[5])
    assert_accounted(app, events, failures_file, filtered=1)
    plan_resource = next(r for r in report.plan.resources if r.name == "usage events")
    assert plan_resource.accounted and plan_resource.filtered == 1


def test_rerun_is_idempotent_and_says_so(tmp_path):
    app = create_app()
    project = make_project(tmp_path)
    events = [usage_event(i) for i in range(120)]
    run(_sync(app, project, events))
    requests_before = app.requests
    again = run(_sync(app, project, events))
    total = again.total()
    assert (total.planned, total.created, total.updated, total.unchanged) == (0, 0, 0, 124)
    assert again.exit_code == 0 and not (tmp_path / "cursor-builder.failures.jsonl").exists()
    assert "0 entities sent" in again.lines()[0] and "124 unchanged" in again.lines()[0]
    # Only reads: token, blueprint lookups and searches — no upsert reached the catalog.
    assert all(not e.get("updatedAt") or True for e in catalog_entities(app, "cursorUsageEvent").values())
    assert app.requests - requests_before < 15


def _populate(app: Any, project: Any, events: list[dict[str, Any]]) -> None:
    report = run(_sync(app, project, events))
    assert report.exit_code == 0


def test_plan_counts_create_update_unchanged_and_stale(tmp_path):
    app = create_app()
    project = make_project(tmp_path)
    _populate(app, project, [usage_event(i) for i in range(100)])
    events = [usage_event(i) for i in range(50)]  # unchanged
    events += [usage_event(i, cents=99.0) for i in range(50, 60)]  # updated
    events += [usage_event(i) for i in range(100, 120)]  # new; 60..99 are now stale

    async def go() -> Any:
        async with catalog_client(app) as client:
            plan = await plan_sync(project, client, pages=pages_for(events), delete_stale=True)
            report = await run_plan(project, client, plan, failures_file=tmp_path / "f.jsonl")
            return plan, report

    plan, report = run(go())
    usage = plan.blueprints["cursorUsageEvent"]
    assert (usage.create, usage.update, usage.unchanged) == (20, 10, 50)
    assert usage.stale == sorted(event_id(usage_event(i)) for i in range(60, 100))
    assert usage.at_target == 100 and plan.blueprints["cursorMember"].unchanged == 4
    assert plan.deletion_blocked is None and plan.will_delete
    assert {i.identifier for i in plan.to_send} == {event_id(e) for e in events[50:]}
    assert len(report.deleted) == 40 and report.exit_code == 0
    assert set(catalog_entities(app, "cursorUsageEvent")) == {event_id(e) for e in events}
    assert catalog_entities(app, "cursorUsageEvent")[event_id(events[55])]["properties"]["charged_cents"] == 99.0


def test_deletion_threshold_is_a_safety_stop(tmp_path):
    app = create_app()
    project = make_project(tmp_path)  # entityDeletionThreshold: 0.5
    _populate(app, project, [usage_event(i) for i in range(100)])
    events = [usage_event(i) for i in range(10)]
    report = run(_sync(app, project, events, delete_stale=True))
    assert report.plan.stale_total == 90
    assert "entityDeletionThreshold" in report.plan.deletion_blocked
    assert not report.deleted and len(catalog_entities(app, "cursorUsageEvent")) == 100
    assert any("NOT deleted" in line for line in report.plan.lines())


def test_stale_means_written_by_this_integration_only(tmp_path):
    app = create_app()
    project = make_project(tmp_path)
    _populate(app, project, [usage_event(i) for i in range(10)])

    async def foreign() -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://c") as c:
            token = (await c.post("/v1/auth/access_token", json={"clientId": "local-catalog",
                                                                  "clientSecret": "local-catalog-secret"})).json()
            await c.post("/v1/blueprints/cursorUsageEvent/entities", params={"upsert": "true"},
                         json={"identifier": "by-hand", "properties": {"timestamp": "2026-01-01T00:00:00Z"}},
                         headers={"Authorization": f"Bearer {token['accessToken']}", "User-Agent": "curl/8"})

    run(foreign())
    report = run(_sync(app, project, [usage_event(i) for i in range(9)], delete_stale=True))
    assert report.plan.blueprints["cursorUsageEvent"].stale == [event_id(usage_event(9))]
    assert "by-hand" in catalog_entities(app, "cursorUsageEvent")


def test_a_failed_fetch_blocks_deletion_and_fails_the_run(tmp_path):
    app = create_app()
    project = make_project(tmp_path)
    _populate(app, project, [usage_event(i) for i in range(20)])

    class Partial:
        pages = pages_for([usage_event(i) for i in range(10)])["usage events"]
        page_params = None
        error = "page 2: 503 Service Unavailable"

    report = run(_sync(app, project, [], pages={"members": pages_for([])["members"], "usage events": Partial()},
                       delete_stale=True))
    assert "complete run" in report.plan.deletion_blocked and not report.deleted
    assert report.exit_code == 1 and any("fetch failed" in line for line in report.lines())


FAULTS = {
    "207 partial errors": lambda: CatalogFaults(reject={event_id(usage_event(i)): "rejected" for i in (3, 77, 150)}),
    "401 token expiry": lambda: CatalogFaults(token_uses=4),
    "413 body too large": lambda: CatalogFaults(faults=[Fault(status=413, path="/bulk", times=2)]),
    "429 with headers": lambda: CatalogFaults(faults=[
        Fault(status=429, path="/bulk", times=3, retry_after="2"),
        Fault(status=429, path="/bulk", times=2, after=5, ratelimit_reset="5")]),
    "5xx transient": lambda: CatalogFaults(faults=[Fault(status=502, path="/bulk", times=2),
                                                   Fault(status=500, path="/search", times=1)]),
    "5xx persistent on one bulk": lambda: CatalogFaults(faults=[Fault(status=503, path="/bulk", after=3, times=6)]),
    "dropped before processing": lambda: CatalogFaults(faults=[Fault(kind="drop", path="/bulk", times=3)]),
    "dropped after processing": lambda: CatalogFaults(faults=[Fault(kind="drop", path="/bulk", times=3,
                                                                    after_processing=True)]),
    "dropped for good on one bulk": lambda: CatalogFaults(faults=[Fault(kind="drop", path="/bulk", after=2,
                                                                        times=6)]),
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_under_faults_every_record_is_stored_or_in_the_failures_file(tmp_path, name):
    faults = FAULTS[name]()
    app = create_app(faults=faults)
    project = make_project(tmp_path)
    events = [usage_event(i) for i in range(200)]
    sleeps = Sleeps()
    report = run(_sync(app, project, events, sleeps=sleeps, max_attempts=6, concurrency=1))
    failures_file = tmp_path / "cursor-builder.failures.jsonl"
    assert_accounted(app, events, failures_file)
    failed = read_failures(failures_file) if failures_file.exists() else []
    assert report.exit_code == (1 if failed else 0)
    assert len(failed) == len(report.failures)
    expected_failed = {"207 partial errors": 3, "5xx persistent on one bulk": 20, "dropped for good on one bulk": 20}
    assert len(failed) == expected_failed.get(name, 0)
    assert faults.fired or faults.token_uses  # the fault really happened
    for failure in failed:
        assert failure.payload and failure.record and failure.blueprint == "cursorUsageEvent"
        assert failure.stage == ("port" if name.startswith("207") else "network")


def test_retry_failed_resends_exactly_those_records(tmp_path):
    rejected = {event_id(usage_event(i)) for i in (3, 77, 150)}
    faults = CatalogFaults(reject={i: "rejected" for i in rejected})
    app = create_app(faults=faults)
    project = make_project(tmp_path)
    events = [usage_event(i) for i in range(200)]
    run(_sync(app, project, events))
    failures_file = tmp_path / "cursor-builder.failures.jsonl"
    assert {f.identifier for f in read_failures(failures_file)} == rejected
    faults.reject.clear()
    sent: list[str] = []

    class Spy(FaultyTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path.endswith("/bulk"):
                sent.extend(e["identifier"] for e in json.loads(request.content)["entities"])
            return await super().handle_async_request(request)

    async def go() -> Any:
        async with catalog_client(app, transport=Spy(app)) as client:
            return await retry_failed(project, client, failures_file)

    report = run(go())
    assert sorted(sent) == sorted(rejected)
    assert report.total().created == 3 and report.exit_code == 0
    assert not failures_file.exists()
    assert_accounted(app, events, failures_file)


def test_cancel_finishes_in_flight_records_the_rest_and_retry_completes(tmp_path):
    app = create_app()
    project = make_project(tmp_path)
    events = [usage_event(i) for i in range(200)]
    cancel = asyncio.Event()
    phases: list[str] = []

    def on_progress(progress: SyncProgress) -> None:
        phases.append(progress.phase)
        usage = progress.counts.get(("usage events", "cursorUsageEvent"))
        if usage is not None and usage.created >= 40:
            cancel.set()

    report = run(_sync(app, project, events, cancel=cancel, on_progress=on_progress, concurrency=1))
    usage = report.counts[("usage events", "cursorUsageEvent")]
    assert report.cancelled and usage.created == 40 and usage.cancelled == 160
    failures_file = tmp_path / "cursor-builder.failures.jsonl"
    failures = read_failures(failures_file)
    assert len(failures) == 160 and {f.reason for f in failures} == {"not sent: cancelled"}
    assert_accounted(app, events, failures_file)
    assert report.exit_code == 1 and phases[-1] == "done"

    async def retry() -> Any:
        async with catalog_client(app) as client:
            return await retry_failed(project, client, failures_file)

    again = run(retry())
    assert again.total().created == 160 and not failures_file.exists()
    assert len(catalog_entities(app, "cursorUsageEvent")) == 200


def test_progress_reports_live_counts_per_resource_and_blueprint(tmp_path):
    app = create_app()
    project = make_project(tmp_path)
    snapshots: list[tuple[str, int, int]] = []

    def on_progress(progress: SyncProgress) -> None:
        usage = progress.counts.get(("usage events", "cursorUsageEvent"))
        snapshots.append((progress.phase, usage.planned if usage else 0, usage.done if usage else 0))

    run(_sync(app, project, [usage_event(i) for i in range(100)], on_progress=on_progress, concurrency=1))
    upserts = [s for s in snapshots if s[0] == "upsert"]
    assert [s[2] for s in upserts] == sorted(s[2] for s in upserts)  # monotonic
    assert upserts[-1][1:] == (100, 100)
    assert [p for p, *_ in snapshots][:2] == ["fetch", "fetch"] and snapshots[-1][0] == "done"
    assert {p for p, *_ in snapshots} >= {"fetch", "plan", "blueprints", "upsert", "done"}


def test_dry_run_writes_nothing(tmp_path):
    app = create_app()
    project = make_project(tmp_path)
    events = [usage_event(i) for i in range(30)]
    events[0]["timestamp"] = "bad"
    report = run(_sync(app, project, events, dry_run=True))
    assert report.dry_run and report.plan.blueprints["cursorUsageEvent"].create == 29
    assert app.store.list_blueprints() == [] and not (tmp_path / "cursor-builder.failures.jsonl").exists()
    assert report.lines()[0].startswith("dry run — would create 33")


def test_relations_to_missing_blueprints_are_stripped_and_reported(tmp_path):
    app = create_app()
    project = make_project(tmp_path)
    report = run(_sync(app, project, [usage_event(0)]))
    usage = report.plan.blueprints["cursorUsageEvent"]
    assert usage.stripped == [("user", "_user")]
    assert any("_user" in line and "left out" in line for line in report.plan.lines())
    stored = catalog_entities(app, "cursorUsageEvent")[event_id(usage_event(0))]
    assert stored["relations"] == {"member": EMAILS[0]}
    assert "user" not in app.store.get_blueprint("cursorUsageEvent")["relations"]


def test_a_mapping_failure_is_recovered_by_retry_after_fixing_the_mapping(tmp_path):
    text = (tmp_path / "x").parent  # noqa: F841 - keep tmp_path alive
    from sync_fixtures import PROJECT_YAML

    broken = PROJECT_YAML.replace('identifier: .timestamp + "-" + .userEmail',
                                  'identifier: .eventId')
    app = create_app()
    project = make_project(tmp_path, broken)
    events = [usage_event(i) for i in range(5)]
    report = run(_sync(app, project, events))
    failures_file = tmp_path / "cursor-builder.failures.jsonl"
    failures = read_failures(failures_file)
    assert [f.stage for f in failures] == ["mapping"] * 5 and report.exit_code == 1
    assert all(f.record in events and f.retryable for f in failures)
    fixed = make_project(tmp_path)

    async def retry() -> Any:
        async with catalog_client(app) as client:
            return await retry_failed(fixed, client, failures_file)

    again = run(retry())
    assert again.total().created == 5 and again.exit_code == 0 and not failures_file.exists()
    assert set(catalog_entities(app, "cursorUsageEvent")) == {event_id(e) for e in events}


def test_a_sync_keeps_failure_lines_of_resources_it_did_not_cover(tmp_path):
    app = create_app(faults=CatalogFaults(reject={EMAILS[1]: "no"}))
    project = make_project(tmp_path)
    run(_sync(app, project, [usage_event(i) for i in range(3)]))
    failures_file = tmp_path / "cursor-builder.failures.jsonl"
    assert [f.resource for f in read_failures(failures_file)] == ["members"]
    run(_sync(app, project, [usage_event(i) for i in range(3)], resources=["usage events"]))
    assert [f.resource for f in read_failures(failures_file)] == ["members"]


def test_entities_whose_related_entity_comes_later_are_retried_at_the_end(tmp_path):
    text = """\
version: 1
integration: {identifier: chain, config: {baseUrl: https://x}}
portAppConfig:
  createMissingRelatedEntities: false
  resources:
  - kind: /nodes
    selector: {query: 'true', data_path: .items}
    port: {entity: {mappings: {identifier: .id, blueprint: '"node"', relations: {next: .next}}}}
blueprints:
- identifier: node
  title: Node
  schema: {properties: {}}
  relations: {next: {target: node, required: false, many: false}}
"""
    app = create_app()
    project = make_project(tmp_path, text)
    # n00 → n01 → … → n49: with bulks of 20 sent in order, every link points at a later bulk.
    items = [{"id": f"n{i:02d}", "next": f"n{i + 1:02d}" if i < 49 else None} for i in range(50)]
    items.append({"id": "orphan", "next": "nowhere"})
    report = run(_sync(app, project, [], pages={"/nodes": [{"items": items}]}, concurrency=1))
    assert report.total().created == 50 and len(catalog_entities(app, "node")) == 50
    [failure] = report.failures
    assert failure.identifier == "orphan" and failure.status == 404 and "nowhere" in failure.reason


def test_related_and_still_reported_entities_are_never_stale(tmp_path):
    app = create_app()
    project = make_project(tmp_path)
    events = [usage_event(i) for i in range(8)]
    events.append({**usage_event(8), "userEmail": "service-account@northwind.dev"})  # not a member
    _populate(app, project, events)
    assert "service-account@northwind.dev" in catalog_entities(app, "cursorMember")  # created as a bare target
    events[0] = {**events[0], "chargedCents": "free"}  # its entity exists; the record now fails validation
    report = run(_sync(app, project, events, delete_stale=True))
    assert report.plan.stale_total == 0 and not report.deleted
    assert len(catalog_entities(app, "cursorUsageEvent")) == 9
    assert [f.identifier for f in report.failures] == [event_id(events[0])]


@pytest.mark.parametrize("payload,existing,merge,same", [
    ({"identifier": "a", "properties": {"n": 1}}, {"properties": {"n": 1.0, "m": 2}}, True, True),
    ({"identifier": "a", "properties": {"n": 1}}, {"properties": {"n": 1, "m": 2}}, False, False),  # replace clears m
    ({"identifier": "a", "properties": {"flag": True}}, {"properties": {"flag": 1}}, True, False),  # JSON: true ≠ 1
    ({"identifier": "a", "properties": {"gone": None}}, {"properties": {}}, True, True),  # null ≡ absent
    ({"identifier": "a", "title": None}, {"title": "T"}, True, False),
    ({"identifier": "a", "team": "core"}, {"team": ["core"]}, True, True),  # Port answers teams as a list
    ({"identifier": "a", "relations": {"r": None}}, {"relations": {"r": []}}, True, True),
    ({"identifier": "a", "relations": {"r": ["x", "y"]}}, {"relations": {"r": ["y", "x"]}}, True, False),
])
def test_payload_comparison_table(payload, existing, merge, same):
    from builder.sync.plan import payload_matches

    assert payload_matches(payload, existing, merge=merge) is same


def test_a_blueprint_edit_is_applied_even_when_no_entity_changed(tmp_path):
    app = create_app()
    project = make_project(tmp_path)
    events = [usage_event(i) for i in range(5)]
    _populate(app, project, events)
    project.find_blueprint("cursorUsageEvent")["schema"]["properties"]["note"] = {"type": "string", "title": "Note"}
    report = run(_sync(app, project, events))
    assert report.plan.blueprint_report.change("cursorUsageEvent").action == "update"
    assert report.total().planned == 0 and report.exit_code == 0
    assert "note" in app.store.get_blueprint("cursorUsageEvent")["schema"]["properties"]
    again = run(_sync(app, project, events))
    assert again.plan.blueprint_report.change("cursorUsageEvent").action == "unchanged"


def test_retry_keeps_mapping_failures_of_a_resource_no_longer_in_the_project(tmp_path):
    """retry_failed re-maps a payload-less record with its resource's current mapping; when that
    resource is gone the record is kept, never mapped with no resource (issue #12: mypy's
    ``Resource | None``), and a dry run reports the retry's SyncPlan."""
    from sync_fixtures import PROJECT_YAML

    broken = PROJECT_YAML.replace('identifier: .timestamp + "-" + .userEmail', 'identifier: .eventId')
    app = create_app()
    events = [usage_event(i) for i in range(5)]
    run(_sync(app, make_project(tmp_path, broken), events))
    failures_file = tmp_path / "cursor-builder.failures.jsonl"
    assert [f.stage for f in read_failures(failures_file)] == ["mapping"] * 5
    fixed = make_project(tmp_path)

    async def retry(dry_run: bool) -> Any:
        async with catalog_client(app) as client:
            return await retry_failed(fixed, client, failures_file, dry_run=dry_run)

    rehearsal = run(retry(True))
    assert rehearsal.dry_run and rehearsal.plan.blueprints["cursorUsageEvent"].create == 5
    assert rehearsal.kept_failures == 0 and len(read_failures(failures_file)) == 5
    lines = failures_file.read_text().splitlines()
    failures_file.write_text("".join(json.dumps({**json.loads(line), "resource": "gone"}) + "\n" for line in lines))
    again = run(retry(False))
    assert again.kept_failures == 5 and again.total().created == 0
    assert [f.resource for f in read_failures(failures_file)] == ["gone"] * 5
