"""Retries, backoff, Retry-After and the one-line error for every way a fetch can fail, against
the simulator (faults, tiers, rate limits) and transports that fail like a network does."""

from __future__ import annotations

import dataclasses
import json

import httpx
import pytest

from builder.net.asgi import Request, Response
from builder.simulator import FaultConfig, SimulatorConfig
from builder.net.retry import RetryPolicy
from builder.source.client import Source, demo_transport

from .conftest import KEY, NOW_TS, App, Sleeps, make_project, resource, run

CURSOR = {"baseUrl": "https://api.cursor.com", "authType": "basic", "username": "${CURSOR_API_KEY}"}
NO_JITTER = RetryPolicy(attempts=4, base_delay=1.0, max_delay=30.0, jitter=0.0)


def cursor_resource(kind: str = "/teams/members", **selector) -> dict:
    data_path = selector.pop("data_path", ".teamMembers")
    return resource(kind, data_path=data_path, identifier=selector.pop("identifier", ".id"), **selector)


def fetch_sim(config: SimulatorConfig, res: dict, sleeps: Sleeps, key: str = KEY, policy: RetryPolicy = NO_JITTER,
              transport: httpx.AsyncBaseTransport | None = None):
    project = make_project(CURSOR, [res])

    async def go():
        source = Source(project, transport=transport or demo_transport(config), env={"CURSOR_API_KEY": key},
                        retry=policy, sleep=sleeps, now=NOW_TS)
        async with source:
            return await source.fetch(project.resources[0].name, compare_ocean=False)

    return run(go())


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limit_waits_for_retry_after_then_succeeds(sim_config: SimulatorConfig) -> None:
    clock = FakeClock()
    config = dataclasses.replace(sim_config, rate_limits=True, rate_limit_overrides={"admin": 1}, clock=clock)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:  # time passes for the simulator too
        waits.append(seconds)
        clock.now += seconds

    transport = demo_transport(config)
    project = make_project(CURSOR, [cursor_resource()])

    async def go():
        async with Source(project, transport=transport, env={"CURSOR_API_KEY": KEY}, retry=NO_JITTER,
                          sleep=sleep) as source:
            first = await source.fetch("items", compare_ocean=False)
            second = await source.fetch("items", compare_ocean=False)
            return first, second

    first, second = run(go())
    assert first.error is None and second.error is None
    assert waits == [60.0]  # the simulator's documented Retry-After: 60
    assert [e.status for e in second.exchanges] == [429, 200]
    assert second.exchanges[0].retry_in == 60.0


def test_rate_limit_gives_up_after_bounded_attempts(sim_config: SimulatorConfig, sleeps: Sleeps) -> None:
    config = dataclasses.replace(sim_config, rate_limits=True, rate_limit_overrides={"admin": 1},
                                 clock=FakeClock())  # the clock never moves: every retry is limited again
    transport = demo_transport(config)
    fetch_sim(config, cursor_resource(), sleeps, transport=transport)
    result = fetch_sim(config, cursor_resource(), sleeps, transport=transport)
    assert [e.status for e in result.exchanges] == [429] * 4
    assert sleeps.waits == [60.0] * 3
    assert result.error.startswith("429 rate limited (Rate limit exceeded) after 4 attempt(s)")


def test_retry_after_longer_than_the_cap_is_not_waited_for(sim_config: SimulatorConfig, sleeps: Sleeps) -> None:
    config = dataclasses.replace(sim_config, rate_limits=True, rate_limit_overrides={"admin": 1}, clock=FakeClock())
    transport = demo_transport(config)
    policy = dataclasses.replace(NO_JITTER, max_retry_after=30.0)
    fetch_sim(config, cursor_resource(), sleeps, transport=transport, policy=policy)
    result = fetch_sim(config, cursor_resource(), sleeps, transport=transport, policy=policy)
    assert sleeps.waits == [] and len(result.exchanges) == 1 and result.error.startswith("429")


@pytest.mark.parametrize("burst,statuses,waits", [
    (1, [503, 200], [1.0]),
    (3, [503, 503, 503, 200], [1.0, 2.0, 4.0]),
])
def test_server_errors_back_off_exponentially(sim_config: SimulatorConfig, sleeps: Sleeps, burst: int,
                                              statuses: list[int], waits: list[float]) -> None:
    config = dataclasses.replace(sim_config, faults=FaultConfig(burst=burst, burst_status=503))
    result = fetch_sim(config, cursor_resource(), sleeps)
    assert [e.status for e in result.exchanges] == statuses and sleeps.waits == waits
    assert result.error is None and result.coverage.records == 4


def test_backoff_is_capped_and_jittered() -> None:
    import random

    policy = RetryPolicy(attempts=10, base_delay=1.0, max_delay=8.0, jitter=0.5)
    rng = random.Random(1)
    delays = [policy.delay(n, None, rng) for n in range(1, 8)]
    assert all(d <= 8.0 for d in delays) and delays[0] >= 1.0 and delays[-1] == 8.0
    assert policy.delay(1, 12.0, rng) == 12.0  # Retry-After wins over the backoff


class FailingTransport(httpx.AsyncBaseTransport):
    """Fails the first ``times`` requests the way a network does, then passes through."""

    def __init__(self, inner: httpx.AsyncBaseTransport, exc: Exception, times: int) -> None:
        self.inner, self.exc, self.times = inner, exc, times

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.times > 0:
            self.times -= 1
            raise self.exc
        return await self.inner.handle_async_request(request)


@pytest.mark.parametrize("exc,times,error_start", [
    (httpx.ReadTimeout("read timed out"), 1, None),
    (httpx.ReadTimeout("read timed out"), 9, "timed out after 30s (4 attempt(s)): api.cursor.com did not answer"),
    (httpx.ConnectError("[Errno -2] Name or service not known"), 9,
     "cannot reach api.cursor.com: [Errno -2] Name or service not known — check baseUrl, DNS, proxy"),
    (httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"), 9,
     "TLS certificate check failed for api.cursor.com"),
])
def test_network_failures(sim_config: SimulatorConfig, sleeps: Sleeps, exc: Exception, times: int,
                          error_start: str | None) -> None:
    transport = FailingTransport(demo_transport(sim_config), exc, times)
    result = fetch_sim(sim_config, cursor_resource(), sleeps, transport=transport)
    if error_start is None:
        assert result.error is None and sleeps.waits == [1.0]
    else:
        assert result.error.startswith(error_start)
        tls = "TLS" in error_start
        assert len(result.exchanges) == (1 if tls else 4)  # a certificate problem is not retried


TEAM_MEMBERS = cursor_resource()
DAILY = cursor_resource("/teams/daily-usage-data", method="POST", data_path=".data", identifier=".email",
                        body={"startDate": 1, "endDate": 40 * 86_400_000})


@pytest.mark.parametrize("label,overrides,res,key,error_start", [
    ("bad key", {}, TEAM_MEMBERS, "crsr_wrong_key_000000000000000000000000000000000000000000000000000000",
     "401 Unauthorized (Invalid API key): the API key was rejected — check that ${CURSOR_API_KEY} holds"),
    ("team tier on analytics (401)", {"tier": "team"},
     cursor_resource("/analytics/ai-code/commits", data_path=".items", identifier=".commitHash"), KEY,
     "401 Unauthorized on /analytics/ai-code/commits (Invalid API key): Analytics and AI Code endpoints need a "
     "Cursor Enterprise team"),
    ("team tier on analytics (403)", {"tier": "team", "analytics_denied_status": 403},
     cursor_resource("/analytics/team/dau", data_path=".data", identifier=".date"), KEY,
     "403 Forbidden on /analytics/team/dau: Enterprise access required"),
    ("team tier on groups", {"tier": "team"}, cursor_resource("/teams/groups", data_path=".groups"), KEY,
     "403 Forbidden on /teams/groups: Enterprise access required"),
    ("range too long", {}, DAILY, KEY, "400 Bad Request: Date range cannot exceed 30 days — fix the request"),
    ("unknown endpoint", {}, cursor_resource("/teams/nope"), KEY, "404 Not Found: GET /teams/nope — check the"),
    ("wrong method", {}, cursor_resource("/teams/members", method="POST"), KEY,
     "405 Method Not Allowed: /teams/members does not accept POST"),
])
def test_error_messages(sim_config: SimulatorConfig, sleeps: Sleeps, label: str, overrides: dict, res: dict,
                        key: str, error_start: str) -> None:
    config = dataclasses.replace(sim_config, **overrides)
    result = fetch_sim(config, res, sleeps, key=key)
    assert result.error is not None and result.error.startswith(error_start), result.error
    assert "\n" not in result.error and sleeps.waits == []  # one line, not retried


def test_html_error_page_is_retried_then_reported(sim_config: SimulatorConfig, sleeps: Sleeps) -> None:
    config = dataclasses.replace(sim_config, faults=FaultConfig(non_json_rate=1.0, non_json_status=502))
    result = fetch_sim(config, cursor_resource(), sleeps)
    assert result.error.startswith("502 server error after 4 attempt(s) (<html>")


def test_truncated_json_is_retried_then_reported(sim_config: SimulatorConfig, sleeps: Sleeps) -> None:
    config = dataclasses.replace(sim_config, faults=FaultConfig(truncate_rate=1.0))
    result = fetch_sim(config, cursor_resource(), sleeps)
    assert "is not valid JSON" in result.error and "cut off" in result.error and len(sleeps.waits) == 3


@pytest.mark.parametrize("content_type,body,error_start", [
    ("text/html", b"<!doctype html><title>Sign in</title>", "response is not JSON (text/html, 37 bytes, starts "
     "with '<!doctype html><title>Sign in</title>')"),
    ("application/json", b"", "empty response body (status 200)"),
])
def test_a_200_that_is_not_json(sleeps: Sleeps, content_type: str, body: bytes, error_start: str) -> None:
    app = App()

    async def page(request: Request) -> Response:
        return Response(200, body, {"content-type": content_type})

    app.router.add("GET", "/items", page)
    project = make_project({}, [resource()])

    async def go():
        async with Source(project, transport=app.transport(), sleep=sleeps) as source:
            return await source.fetch("items")

    result = run(go())
    assert result.error.startswith(error_start) and sleeps.waits == []


def test_error_mid_pagination_keeps_earlier_pages_and_ocean_note(sim_config: SimulatorConfig, sleeps: Sleeps) -> None:
    app = App()
    calls = []

    async def page(request: Request) -> Response:
        calls.append(request.query)
        if dict(request.query).get("page") == "2":
            return Response.json({"error": "Bad Request", "message": "boom"}, status=400)
        return Response.json({"items": [{"id": 1}], "hasMore": True})

    app.router.add("GET", "/items", page)
    project = make_project({"paginationType": "page", "paginationParam": "page", "sizeParam": "size"}, [resource()])

    async def go():
        async with Source(project, transport=app.transport(), sleep=sleeps, mode="ocean") as source:
            return await source.fetch("items")

    result = run(go())
    assert result.coverage.pages == 1 and result.coverage.stop_code == "error"
    assert result.error == "400 Bad Request: boom — fix the request (selector body/query_params)"
    assert any("deleted from Port" in note for note in result.coverage.notes)
    json.dumps(result.to_json())  # serialisable for --format json
