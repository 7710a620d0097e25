"""PortClient against the embedded catalog, healthy and with injected faults (in-process ASGI)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from builder.net.retry import retry_delay
from builder.port.blueprints import plan_blueprint_changes, staged_requests
from builder.port.catalog import CatalogFaults, Fault, FaultyTransport, create_app
from builder.port.client import MAX_BODY_BYTES, PortClient, user_agent
from builder.port.outcomes import PortAuthError
from sync_fixtures import Sleeps, catalog_client, catalog_entities

BP = {"identifier": "evt", "title": "Event", "schema": {"properties": {"n": {"type": "number"},
                                                                       "pad": {"type": "string"}}}}


def entities(n: int, *, pad: int = 0) -> list[dict[str, Any]]:
    return [{"identifier": f"e{i:05d}", "title": f"E{i}", "properties": {"n": i, "pad": "x" * pad}}
            for i in range(n)]


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _with_blueprint(app: Any, body: Any, **kwargs: Any) -> Any:
    async with catalog_client(app, **kwargs) as client:
        await client.apply_blueprints([BP])
        return await body(client)


def test_bulk_upsert_reports_one_outcome_per_entity_in_order():
    app = create_app()
    report = run(_with_blueprint(app, lambda c: c.upsert_entities("evt", entities(45))))
    assert [o.identifier for o in report.outcomes] == [f"e{i:05d}" for i in range(45)]
    assert report.created == 45 and not report.failed
    assert report.requests == 3  # 20 + 20 + 5
    assert len(catalog_entities(app, "evt")) == 45


def test_requests_carry_ocean_datasource_user_agent_and_upsert_params():
    seen: list[httpx.Request] = []
    app = create_app()

    class Spy(FaultyTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return await super().handle_async_request(request)

    async def body(client: PortClient) -> None:
        await client.upsert_entities("evt", entities(1), merge=False, create_missing_related_entities=False)

    run(_with_blueprint(app, body, transport=Spy(app)))
    bulk = next(r for r in seen if r.url.path.endswith("/bulk"))
    assert bulk.headers["user-agent"] == user_agent("cursor-usage")
    assert bulk.headers["user-agent"].startswith("port-ocean/custom/") and \
        "/cursor-usage/exporter cursor-builder/" in bulk.headers["user-agent"]
    assert dict(bulk.url.params) == {"upsert": "true", "merge": "false", "create_missing_related_entities": "false"}
    assert bulk.headers["authorization"].startswith("Bearer ")


def test_bulk_size_follows_oceans_estimate():
    assert PortClient.bulk_size(entities(30)) == 20
    big = entities(10, pad=100_000)
    size = len(json.dumps(big[0]).encode())
    assert PortClient.bulk_size(big) == MAX_BODY_BYTES // int(size * 1.5) == 6
    assert PortClient.bulk_size(entities(2, pad=900_000)) == 1


def test_oversized_bulks_are_split_and_single_413_becomes_a_failure():
    app = create_app()
    small = entities(19, pad=10)
    big = entities(1, pad=200_000)
    mixed = small + [{**big[0], "identifier": "big"}]  # the sample says 20 fit; the body says no

    async def body(client: PortClient) -> Any:
        return await client.upsert_entities("evt", mixed + [{"identifier": "huge",
                                                             "properties": {"pad": "y" * 1_100_000}}])

    report = run(_with_blueprint(app, body))
    failed = {o.identifier: o for o in report.failed}
    assert list(failed) == ["huge"] and failed["huge"].status == 413 and failed["huge"].stage == "port"
    assert report.created == 20


def test_207_errors_are_reported_with_their_entity():
    faults = CatalogFaults(reject={"e00003": "no thanks", "e00017": "not this one"})
    app = create_app(faults=faults)
    report = run(_with_blueprint(app, lambda c: c.upsert_entities("evt", entities(20))))
    failed = {o.identifier: (o.index, o.status, o.message) for o in report.failed}
    assert failed == {"e00003": (3, 422, "no thanks"), "e00017": (17, 422, "not this one")}
    assert report.created == 18
    assert set(catalog_entities(app, "evt")) == {f"e{i:05d}" for i in range(20)} - {"e00003", "e00017"}


def test_401_refreshes_the_token_once_and_resends():
    faults = CatalogFaults(token_uses=3)
    app = create_app(faults=faults)
    sleeps = Sleeps()

    async def body(client: PortClient) -> Any:
        return await client.upsert_entities("evt", entities(100))

    report = run(_with_blueprint(app, body, sleeps=sleeps, concurrency=1))
    assert report.created == 100 and not report.failed
    assert len(app._tokens) > 2  # several tokens were issued: each expiry was refreshed
    assert sleeps.delays == []  # a 401 is not a backoff


def test_bad_credentials_are_one_clear_error_without_the_secret():
    app = create_app()

    async def body() -> None:
        async with PortClient(base_url="http://catalog.local", client_id="id", client_secret="s3cr3t-value",
                              transport=httpx.ASGITransport(app=app)) as client:
            assert "s3cr3t" not in repr(client)
            await client.authenticate()

    with pytest.raises(PortAuthError) as info:
        run(body())
    assert "PORT_CLIENT_ID" in str(info.value) and "s3cr3t" not in str(info.value)


def test_missing_credentials_say_what_to_set():
    async def body() -> None:
        async with PortClient(region="us", env={}, transport=httpx.ASGITransport(app=create_app())) as client:
            assert client.base_url == "https://api.us.port.io"
            await client.get_blueprint("x")

    with pytest.raises(PortAuthError, match="PORT_CLIENT_ID and PORT_CLIENT_SECRET"):
        run(body())


def test_credentials_come_from_the_environment():
    client = PortClient(env={"PORT_CLIENT_ID": "me@corp.com", "PORT_CLIENT_SECRET": "x"})
    assert client.has_credentials and client.base_url == "https://api.port.io"
    assert "email" in client.warnings[0]
    run(client.aclose())


def test_429_waits_as_the_headers_say():
    faults = CatalogFaults(faults=[Fault(status=429, path="/bulk", retry_after="7"),
                                   Fault(status=429, path="/bulk", ratelimit_reset="12", after=1),
                                   Fault(status=429, path="/bulk", after=2)])
    app = create_app(faults=faults)
    sleeps = Sleeps()
    report = run(_with_blueprint(app, lambda c: c.upsert_entities("evt", entities(5)), sleeps=sleeps,
                                 rng=lambda: 0.0))
    assert report.created == 5
    assert sleeps.delays == [7.0, 12.0, 1.0]  # Retry-After, x-ratelimit-reset, then exponential backoff (0.5 * 2)
    assert faults.count("429") == 3


def test_5xx_exhaustion_is_a_network_failure_for_every_entity_of_that_bulk():
    faults = CatalogFaults(faults=[Fault(status=503, path="/bulk", times=100)])
    app = create_app(faults=faults)
    sleeps = Sleeps()
    report = run(_with_blueprint(app, lambda c: c.upsert_entities("evt", entities(3)), sleeps=sleeps,
                                 max_attempts=4, rng=lambda: 1.0))
    assert [o.stage for o in report.outcomes] == ["network"] * 3
    assert all(o.status == 503 and "gave up" in o.message for o in report.outcomes)
    assert sleeps.delays == [0.5, 1.0, 2.0]  # capped exponential backoff; 4 attempts in all
    assert faults.count("503") == 4


@pytest.mark.parametrize("after_processing", [False, True])
def test_dropped_connections_are_retried(after_processing):
    faults = CatalogFaults(faults=[Fault(kind="drop", path="/bulk", times=2, after_processing=after_processing)])
    app = create_app(faults=faults)
    report = run(_with_blueprint(app, lambda c: c.upsert_entities("evt", entities(30))))
    assert not report.failed and len(report.outcomes) == 30
    assert faults.count("drop") == 2
    assert len(catalog_entities(app, "evt")) == 30


def test_dropped_connections_that_never_recover_are_network_failures():
    faults = CatalogFaults(faults=[Fault(kind="drop", path="/bulk", times=100)])
    app = create_app(faults=faults)
    report = run(_with_blueprint(app, lambda c: c.upsert_entities("evt", entities(2)), max_attempts=3))
    assert [(o.ok, o.stage) for o in report.outcomes] == [(False, "network")] * 2
    assert "network error" in report.outcomes[0].message


def test_413_falls_back_to_single_upserts():
    faults = CatalogFaults(faults=[Fault(status=413, path="/bulk")])
    app = create_app(faults=faults)
    report = run(_with_blueprint(app, lambda c: c.upsert_entities("evt", entities(25))))
    assert report.single_fallbacks == 1 and report.created == 25


def test_concurrency_is_bounded():
    app = create_app()
    state = {"now": 0, "max": 0}

    class Counting(FaultyTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
            try:
                await asyncio.sleep(0)  # yield so that concurrent bulks overlap here
                return await super().handle_async_request(request)
            finally:
                state["now"] -= 1

    run(_with_blueprint(app, lambda c: c.upsert_entities("evt", entities(200)), transport=Counting(app),
                        concurrency=3))
    assert state["max"] == 3


def test_cancel_before_a_bulk_starts_reports_it_not_sent():
    app = create_app()

    async def body(client: PortClient) -> Any:
        cancel = asyncio.Event()
        sent = []

        def on_result(outcomes: list[Any]) -> None:
            sent.extend(outcomes)
            cancel.set()  # after the first bulk answers

        return await client.upsert_entities("evt", entities(100), cancel=cancel, on_result=on_result)

    report = run(_with_blueprint(app, body, concurrency=1))
    assert report.created == 20
    assert {o.stage for o in report.failed} == {"cancelled"} and len(report.failed) == 80
    assert all(o.message == "not sent: cancelled" for o in report.failed)
    assert len(catalog_entities(app, "evt")) == 20


def test_search_pages_through_everything_and_delete_in_bulks_of_100():
    app = create_app()

    async def body(client: PortClient) -> Any:
        await client.upsert_entities("evt", entities(250))
        listed = await client.search_entities("evt", limit=100)
        deleted = await client.delete_entities("evt", [e["identifier"] for e in listed[:230]])
        left = await client.search_entities("evt")
        missing = await client.search_entities("nope")
        return listed, deleted, left, missing

    listed, deleted, left, missing = run(_with_blueprint(app, body))
    assert len(listed) == 250 and len(deleted.deleted) == 230 and not deleted.failed
    assert len(left) == 20 and missing == []


def test_retry_delay_parses_http_dates_and_epoch_resets():
    now = lambda: 1_000_000_000.0  # noqa: E731
    assert retry_delay(1, {"retry-after": "Sun, 09 Sep 2001 01:46:50 GMT"}, max_backoff=60, rng=lambda: 0,
                       now=now) == 10.0
    assert retry_delay(1, {"x-ratelimit-reset": "1000000030"}, max_backoff=60, rng=lambda: 0, now=now) == 30.0
    assert retry_delay(1, {"retry-after": "500"}, max_backoff=60, rng=lambda: 0) == 60  # capped
    assert retry_delay(10, None, max_backoff=30, rng=lambda: 1.0) == 30


# -- blueprints ------------------------------------------------------------------------------------

PROJECT_BPS = [
    {"identifier": "usage", "title": "Usage", "schema": {"properties": {"n": {"type": "number"}}},
     "relations": {"member": {"target": "member", "required": False, "many": False},
                   "user": {"target": "_user", "required": False, "many": False},
                   "repo": {"target": "service", "required": False, "many": False}},
     "mirrorProperties": {"user_name": {"path": "user.$title"}, "role": {"path": "member.role"}}},
    {"identifier": "member", "title": "Member", "schema": {"properties": {"role": {"type": "string"}}},
     "relations": {"mentor": {"target": "member", "required": False, "many": False}}},
]


def test_blueprints_are_created_in_stages_in_dependency_order():
    report = plan_blueprint_changes(PROJECT_BPS, {"usage": None, "member": None, "_user": None, "service": None})
    assert [c.identifier for c in report.changes] == ["member", "usage"]
    usage = report.change("usage")
    assert usage.stripped == [("user", "_user"), ("repo", "service")]
    assert set(usage.definition["relations"]) == {"member"}
    assert set(usage.definition["mirrorProperties"]) == {"role"}  # the mirror over a stripped relation goes too
    stages = [(stage, bp, method) for stage, bp, method, _ in staged_requests(report)]
    assert stages == [("create", "member", "POST"), ("create", "usage", "POST"), ("relations", "member", "PATCH"),
                      ("relations", "usage", "PATCH"), ("definition", "usage", "PATCH")]
    bare = staged_requests(report)[1][3]
    assert "relations" not in bare and "mirrorProperties" not in bare


def test_applying_blueprints_against_the_catalog_then_nothing_changes():
    app = create_app()

    async def body(client: PortClient) -> Any:
        first = await client.apply_blueprints(PROJECT_BPS)
        second = await client.plan_blueprints(PROJECT_BPS)
        return first, second

    first, second = run(_with_blueprint(app, body))
    assert not first.errors and [c.action for c in first.changes] == ["create", "create"]
    assert [c.action for c in second.changes] == ["unchanged", "unchanged"]
    assert app.store.get_blueprint("usage")["mirrorProperties"] == {"role": {"path": "member.role"}}


def test_an_update_never_drops_what_port_already_has():
    existing = {"member": {"identifier": "member", "title": "Member", "schema": {"properties": {
        "role": {"type": "string"}, "legacy": {"type": "string"}}}, "relations": {}}}
    report = plan_blueprint_changes([PROJECT_BPS[1]], existing)
    change = report.change("member")
    assert change.action == "update" and change.kept == ["legacy"]
    assert set(change.definition["schema"]["properties"]) == {"legacy", "role"}
