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
