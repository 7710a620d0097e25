"""Nothing lost (DESIGN.md principle 4, issue #11): for a grid of injected fault mixes and seeds,
and aborts at random points of the run, after the sync and one ``--retry-failed`` every planned
entity is in the catalog exactly once or in the failures file with a reason — never in neither.

In-process over ASGI (the same ``--faults`` dice that ``catalog serve`` uses), with the client's
sleep injected so backoff costs nothing; the signal cases against real child processes live in
test_signals.py.
"""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from builder.net.faults import FaultDice, parse_faults
from builder.port.catalog import create_app
from builder.sync.failures import failures_path, load_failures
from builder.sync.run import plan_sync, retry_failed, run_plan
from sync_fixtures import Sleeps, catalog_client, make_project, pages_for, usage_event

MIXES = {
    "rate limits": "429=0.3",
    "server errors": "500=0.15,503=0.1",
    "lost answers": "reset=0.2",
    "broken bodies": "truncate=0.15,badjson=0.15",
    "everything": "429=0.05,500=0.05,reset=0.05,truncate=0.05,badjson=0.05",
}
SEEDS = (1, 2, 3)
EVENTS = 120


class AbortAfter(httpx.AsyncBaseTransport):
    """Cancels the sync's task when the Nth request is sent: an abort at a random point of the run."""

    def __init__(self, inner: httpx.AsyncBaseTransport, after: int | None) -> None:
        self.inner, self.after, self.seen = inner, after, 0
        self.task: asyncio.Task[Any] | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen += 1
        if self.after is not None and self.seen == self.after and self.task is not None:
            self.task.cancel()
        return await self.inner.handle_async_request(request)


def planned_identifiers(plan: Any) -> set[tuple[str, Any]]:
    return {(i.blueprint, i.identifier) for i in plan.to_send}


def stored(app: Any, blueprint: str) -> list[str]:
    return [e["identifier"] for e in app.store.iter_entities(blueprint)]


async def run_case(tmp_path: Path, spec: str, seed: int, abort_at: int | None) -> dict[str, Any]:
    project = make_project(tmp_path)
    pages = pages_for([usage_event(i) for i in range(EVENTS)])
    dice = FaultDice(parse_faults(spec), seed)
    app = create_app(dice=dice)
    aborting = AbortAfter(httpx.ASGITransport(app=app), abort_at)
    file = failures_path(project.path)
    client = catalog_client(app, transport=aborting, sleeps=Sleeps(), max_attempts=3)
    # The plan is read-only; faults hit it too, so plan until it succeeds (a user would re-run).
    app.dice = None
    plan = await plan_sync(project, client, pages=pages)
    app.dice = dice
    aborting.seen = 0  # count the run's requests only
    task = asyncio.ensure_future(run_plan(project, client, plan, failures_file=file,
                                          replace_resources=[r.name for r in plan.resources]))
    aborting.task = task
    aborted = False
    try:
        await task
    except asyncio.CancelledError:
        aborted = True
    planned = planned_identifiers(plan)
    # One --retry-failed against the same faulty catalog.
    aborting.after = None
    if file.exists():
        await retry_failed(project, client, file)
    await client.aclose()
    return {"app": app, "planned": planned, "file": file, "dice": dice, "aborted": aborted}


def assert_conserved(app: Any, planned: set[tuple[str, Any]], file: Path) -> None:
    in_catalog: dict[tuple[str, Any], int] = {}
    for blueprint in {bp for bp, _ in planned}:
        for identifier in stored(app, blueprint):
            in_catalog[(blueprint, identifier)] = in_catalog.get((blueprint, identifier), 0) + 1
    assert all(n == 1 for n in in_catalog.values()), "an entity stored more than once"
    failed: dict[tuple[str, Any], str] = {}
    if file.exists():
        loaded = load_failures(file)
        assert not loaded.corrupt
        failed = {(r.blueprint, r.identifier): r.reason for r in loaded.records}
    assert all(reason for reason in failed.values()), "a failure without a reason"
    lost = {key for key in planned if key not in in_catalog and key not in failed}
    assert not lost, f"{len(lost)} planned entities neither in the catalog nor in the failures file: {sorted(lost)[:3]}"
    if file.exists():
        # The retry settled every write-ahead line: each left is a real failure with its stage.
        assert not [r for r in load_failures(file).records if r.stage == "pending"]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("mix", list(MIXES))
def test_every_planned_entity_is_stored_or_recorded(tmp_path, mix, seed):
    result = asyncio.run(run_case(tmp_path, MIXES[mix], seed, abort_at=None))
    assert result["dice"].drawn, "the mix injected no fault: the case proves nothing"
    assert_conserved(result["app"], result["planned"], result["file"])


@pytest.mark.parametrize("seed", range(6))
def test_an_abort_at_a_random_point_loses_nothing(tmp_path, seed):
    abort_at = random.Random(seed).randint(2, 12)
    result = asyncio.run(run_case(tmp_path, MIXES["everything"], seed, abort_at=abort_at))
    assert result["aborted"]
    assert_conserved(result["app"], result["planned"], result["file"])


# -- source-side faults: the Cursor simulator misbehaves under the sync's fetch ------------------------
#
# The promise for a page that never arrived (retries exhausted): the plan cannot plan records it never
# saw, so the failures file holds one ``fetch`` line naming the resource and the page, the report says
# "fetch failed", stale deletion is off, and ``--retry-failed`` keeps the line (nothing to re-send);
# a re-run of that resource's sync fetches it again and replaces the line. Every record of the pages
# that did arrive keeps the ordinary promise: in the catalog once or in the failures file.

PAGED_USAGE = """\
    x-builder:
      name: usage events
      body: {startDate: (($now | floor) - 3 * 86400) * 1000, endDate: ($now | floor) * 1000}
      pagination: {type: page, in: body, pageParam: page, sizeParam: pageSize, pageSize: 20,
                   hasMorePath: pagination.hasNextPage}
"""


def paged_project(tmp_path: Path) -> Any:
    from sync_fixtures import PROJECT_YAML

    text = PROJECT_YAML.replace("    x-builder: {name: usage events}\n", PAGED_USAGE)
    assert text != PROJECT_YAML
    return make_project(tmp_path, text)


def simulator(spec: str | None, seed: int) -> Any:
    from builder.simulator import SimulatorConfig, create_app as create_simulator
    from builder.simulator.faults import FaultInjector

    config = SimulatorConfig(rate_limits=False)  # injected 429s only: the retries' sleep costs nothing
    app = create_simulator(config)
    app.faults = FaultInjector(config.faults, seed, spec=parse_faults(spec) if spec else None)
    app.sleep = Sleeps()
    return app


def source_for(project: Any, app: Any, seed: int, now: float,
               transport: httpx.AsyncBaseTransport | None = None) -> Any:
    from builder.net.retry import RetryPolicy
    from builder.simulator import DEMO_API_KEY
    from builder.source.client import Source

    return Source(project, transport=transport or httpx.ASGITransport(app=app), now=now, sleep=Sleeps(),
                  overrides={"CURSOR_API_KEY": DEMO_API_KEY}, retry=RetryPolicy(attempts=3),
                  rng=random.Random(seed))


async def clean_pages(project: Any, app: Any, now: float) -> dict[str, list[set[Any]]]:
    """Per resource, the identifiers on each page when nothing fails: what a sync should account for."""
    from builder.source.client import map_fetch

    dice, app.faults.dice = app.faults.dice, None
    out: dict[str, list[set[Any]]] = {}
    async with source_for(project, app, 0, now) as source:
        for resource in project.resources:
            result = await source.fetch(resource, compare_ocean=False)
            assert result.error is None
            out[resource.name] = [{e["identifier"] for e in map_fetch(resource, [page]).entities}
                                  for page in result.pages]
    app.faults.dice = dice
    return out


def fetch_lines(file: Path) -> dict[str, str]:
    """resource → "page N" of each ``fetch`` line of the failures file."""
    if not file.exists():
        return {}
    return {r.resource: r.detail or "" for r in load_failures(file).records if r.stage == "fetch"}


async def run_source_case(tmp_path: Path, spec: str, seed: int, *, catalog_spec: str | None = None,
                          transport: Any = None) -> dict[str, Any]:
    project = paged_project(tmp_path)
    api = simulator(spec, seed)
    # One instant for every Source of the case: the same date window, so the same pages.
    now = time.time()
    expected = await clean_pages(project, api, now)
    catalog = create_app(dice=FaultDice(parse_faults(catalog_spec), seed) if catalog_spec else None)
    client = catalog_client(catalog, sleeps=Sleeps(), max_attempts=3)
    file = failures_path(project.path)
    async with source_for(project, api, seed, now, transport(api) if transport else None) as source:
        plan = await plan_sync(project, client, source=source)
    report = await run_plan(project, client, plan, failures_file=file,
                            replace_resources=[r.name for r in plan.resources])
    retried = await retry_failed(project, client, file) if file.exists() else None
    return {"project": project, "api": api, "catalog": catalog, "client": client, "plan": plan, "report": report,
            "retried": retried, "file": file, "expected": expected, "now": now}


def assert_source_promise(case: dict[str, Any]) -> None:
    """Every record the API holds is in the catalog once, or in the failures file, or on a page the
    failures file names as not fetched — and the report says which resource's fetch failed."""
    plan, report, file, catalog = case["plan"], case["report"], case["file"], case["catalog"]
    assert_conserved(catalog, planned_identifiers(plan), file)
    lines = fetch_lines(file)
    failed = {r.name: r for r in plan.resources if r.fetch_error}
    assert set(lines) == set(failed), "each resource whose fetch failed has exactly one fetch line, and no other"
    assert set(report.fetch_errors) == {f"{name}: {r.fetch_error}" for name, r in failed.items()}
    if failed:
        assert not report.ok and report.exit_code == 1
        assert case["retried"] is not None and case["retried"].kept_failures == len(failed)
    recorded = {r.identifier for r in load_failures(file).records} if file.exists() else set()
    for resource in case["project"].resources:
        blueprint = {"members": "cursorMember", "usage events": "cursorUsageEvent"}[resource.name]
        in_catalog = set(stored(catalog, blueprint))
        first_missing = int(lines[resource.name].split()[-1]) if resource.name in lines else None
        for number, identifiers in enumerate(case["expected"][resource.name], start=1):
            if first_missing is not None and number >= first_missing:
                continue  # the fetch line covers it: the re-run fetches it
            lost = identifiers - in_catalog - recorded
            assert not lost, f"{resource.name} page {number}: {sorted(lost)[:3]} neither stored nor recorded"


SOURCE_MIXES = {**MIXES, "broken bodies": "truncate=0.2,badjson=0.2", "lost answers": "reset=0.25"}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("mix", list(SOURCE_MIXES))
def test_a_faulty_source_loses_nothing_silently(tmp_path, mix, seed):
    # "everything" faults the catalog too: both ends misbehave in one run.
    catalog_spec = MIXES["everything"] if mix == "everything" else None
    case = asyncio.run(run_source_case(tmp_path, SOURCE_MIXES[mix], seed, catalog_spec=catalog_spec))
    assert case["api"].faults.dice.drawn, "the mix injected no fault into the source: the case proves nothing"
    assert_source_promise(case)


class FailPage(httpx.AsyncBaseTransport):
    """Usage events' page N always answers 503: the fetch stops there after its retries."""

    def __init__(self, inner: httpx.AsyncBaseTransport, page: int) -> None:
        self.inner, self.page = inner, page

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        import json

        if request.url.path.endswith("/filtered-usage-events"):
            if json.loads(request.content or b"{}").get("page") == self.page:
                return httpx.Response(503, json={"error": "Service Unavailable", "message": "injected"})
        return await self.inner.handle_async_request(request)


def test_a_page_that_never_arrived_is_named_and_a_rerun_fetches_it(tmp_path):
    case = asyncio.run(run_source_case(tmp_path, "", 1,
                                       transport=lambda api: FailPage(httpx.ASGITransport(app=api), 3)))
    assert len(case["expected"]["usage events"]) > 3, "the fixture must have pages after the failing one"
    assert fetch_lines(case["file"]) == {"usage events": "page 3"}
    line = next(r for r in load_failures(case["file"]).records if r.stage == "fetch")
    assert "503" in line.reason and "run the sync of this resource again" in line.reason
    assert any("usage events" in e and "503" in e for e in case["report"].fetch_errors)
    assert case["plan"].deletion_blocked or not case["plan"].delete_stale  # an incomplete fetch never deletes
    assert_source_promise(case)
    # The promise's other half: re-running the resource's sync fetches the page and replaces the line.
    project, catalog = case["project"], case["catalog"]

    async def rerun() -> Any:
        client = catalog_client(catalog, sleeps=Sleeps(), max_attempts=3)
        async with source_for(project, case["api"], 1, case["now"]) as source:
            plan = await plan_sync(project, client, source=source, resources=["usage events"])
        report = await run_plan(project, client, plan, failures_file=case["file"],
                                replace_resources=["usage events"])
        await client.aclose()
        return report

    report = asyncio.run(rerun())
    assert report.ok and not fetch_lines(case["file"])
    every = set().union(*case["expected"]["usage events"])
    assert every <= set(stored(catalog, "cursorUsageEvent"))
